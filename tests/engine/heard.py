"""What the office's callers hear, written out in full: a changed sentence must fail a test.

The office (``trees/office.py``) at its default settings, in English.
"""

WELCOME = "Welcome to The Office, Ltd."
CLOSED_NOTICE = "The office is closed now; you may leave a message."
MENU = "Office menu. Orders: 1. Help desk: 2. Hours: 3. Again: 9. Front desk: 0."
ORDERS = "Orders are taken by message only."
QUEUED = "Joining the help desk queue."
HOURS = "The office opens Mon+Tue+Wed+Thu+Fri 09:00-18:00."
HOURS_AGAIN = "Press 1 to hear the hours again."
WRONG = "That key does nothing here."
QUIET = "Nothing was pressed."
TRANSFER = "Let us find you someone."
UNAVAILABLE = "Nobody is free at the office."
RECORD = "Leave your message after the tone, then press pound."
NO_MESSAGE = "No message was left. Goodbye."
SAVED = "Your message is saved. Goodbye."
GOODBYE = "Goodbye from The Office, Ltd."
DESK = "+15555550177"  # DESK_NUMBER's default

# While queued
VOICEMAIL_OFFER = "Press 1 for voicemail."
CALLBACK_OFFER = "Press 2 to be called back."
MUSIC = "[play https://music.example.com/hold.mp3]"  # MUSIC_URL's default
ASK = "Type the number to call back, then pound."
DECLINED = "We could not take the number; please leave a message."

# What the engine says for the office (its ENGINE_WORDS)
APOLOGY = "Office apology: something broke."
INVALID_ENTRY = "Office: that entry does not work."
NO_DIGITS = "Office: no digits heard."
FALLBACK_APOLOGY = "Office fallback: our system is down, a person will answer."
FALLBACK_RECORD = "Office fallback: leave a message after the tone."
FALLBACK_THANKS = "Office fallback: thanks for the message. Goodbye."
FALLBACK_NOTHING = "Office fallback: no message. Goodbye."
