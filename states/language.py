"""The caller's language, chosen at the start when the tree speaks several (LANGUAGES)."""

# Each language offers itself in its own words; "names" are what a caller may say to pick it.
WORDS = {
    "en-US": {"choice": "For English, press {key}.", "names": "English, inglés, ingles"},
    "es-US": {"choice": "Para español, oprima {key}.", "names": "español, espanol, Spanish"},
}
