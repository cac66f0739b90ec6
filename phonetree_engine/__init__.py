"""The engine of a phone tree: the table's vocabulary, the walk, the checks, settings, logs, web.

What a tree's ``states/`` need comes from here::

    from phonetree_engine import Choose, Keys, Outcome, State, collect
"""

from phonetree_engine.collect import Collect, collect
from phonetree_engine.languages import ChooseLanguage, choose_language
from phonetree_engine.tree import Call, Choose, Keys, Outcome, Slot, State

__all__ = [
    "Call",
    "Choose",
    "ChooseLanguage",
    "Collect",
    "Keys",
    "Outcome",
    "Slot",
    "State",
    "choose_language",
    "collect",
]
