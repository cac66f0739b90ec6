"""The caller's choice of language, offered when LANGUAGES lists more than one.

The choice travels in the URL (``lang``); ``call.language`` reads it back, falling back to
the first of LANGUAGES for an unknown value. With one language the row is passed over, and
the tree sounds as if it were not there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from twilio.twiml.voice_response import Gather

from phonetree_engine.call import Call
from phonetree_engine.tree import State
from phonetree_engine.words import Phrases, find_words, split_phrases, words_in


def choose_language(then: str, words: Mapping[str, Mapping[str, str]]) -> State:
    """A row that offers each language in its own words, then goes on to ``then``."""
    spec = ChooseLanguage(then, words)
    return State(spec.enter, spec)


@dataclass(frozen=True)
class ChooseLanguage:
    """Offer LANGUAGES by key (1 for the first, ...) and by name; anything else keeps the first.

    ``words`` gives each language ``choice`` ("Para español, oprima {key}.") and ``names``,
    the words a caller may say to choose it, separated by commas ("español, spanish").
    """

    then: str
    words: Mapping[str, Mapping[str, str]]

    def edges(self) -> list[tuple[str, str]]:
        return [("language chosen", self.then)]

    def options(self, call: Call) -> list[tuple[str, str, Mapping[str, str]]]:
        """(key, language, its words) for each of LANGUAGES."""
        languages = call.config.languages
        words_in(self.words, languages[0], languages)  # every language has its words
        return [
            (str(number), language, find_words(self.words, language))
            for number, language in enumerate(languages, 1)
        ]

    def enter(self, call: Call):
        """Each option in its own language and voice, by key or by saying its name."""
        options = self.options(call)
        names = [name for _, _, words in options for name in split_phrases(words["names"])]
        choice = Gather(
            input="dtmf speech",
            num_digits=1,
            action=call.action,
            action_on_empty_result=True,
            hints=", ".join(names),
            language=call.config.language,
            speech_timeout="auto",
        )
        for key, language, words in options:
            voice = call.config.voice_for(language)
            say = choice.say(words["choice"].format(key=key), language=language)
            if voice:
                say.attrs["voice"] = voice
        return choice

    def decide(self, call: Call) -> tuple[str, bool]:
        options = self.options(call)
        chosen = next((language for key, language, _ in options if key == call.digits), None)
        if chosen is None and call.speech:
            names = Phrases(
                (name, language)
                for _, language, words in options
                for name in split_phrases(words["names"])
            )
            chosen = names.find(call.speech)
        call.keep("lang", chosen or call.config.language)
        return self.then, False
