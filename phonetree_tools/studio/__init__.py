"""The studio: hear the tree in a browser, as a caller, with the real app behind it.

``python phonetree.py studio`` serves the app and a page that plays the carrier against it: the
transcript spoken in the caller's language, a keypad, the tree's diagram lit where the call
is, the messages the business would get, every webhook, an address for every moment, and a
call saved as a test. See ``docs/studio.md``.
"""
