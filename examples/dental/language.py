"""The caller's language, chosen first: each is offered in its own words and voice.

``names`` are what a caller may say to choose it (the recognizer listens in the first of
LANGUAGES). Without a choice the call goes on in the first one.
"""

WORDS = {
    "fr-CA": {
        "choice": "Pour le service en français, faites le {key}.",
        "names": "français, francais, French",
    },
    "en-US": {"choice": "For service in English, press {key}.", "names": "English, anglais"},
}
