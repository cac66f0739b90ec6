"""The engine of a phone tree: the table's vocabulary and its walk, settings, logs; the web side
(``phonetree_engine.web``) and delivery (``phonetree_engine.delivery``) beside it.

What a tree's ``states/`` need comes from here::

    from phonetree_engine import Keys, Option, Outcome, State, Tree, collect

and the app factory from ``phonetree_engine.web``: ``make_app(tree, config, clock=...)``.
"""

from phonetree_engine.call import Call, Slot
from phonetree_engine.collect import Collect, collect
from phonetree_engine.languages import ChooseLanguage, choose_language
from phonetree_engine.settings import Config, Group, Setting
from phonetree_engine.tree import ENGINE_WORDS, Choose, Keys, Option, Outcome, State, Tree
from phonetree_engine.words import fill

__all__ = [
    "ENGINE_WORDS",
    "Call",
    "Choose",
    "ChooseLanguage",
    "Collect",
    "Config",
    "Group",
    "Keys",
    "Option",
    "Outcome",
    "Setting",
    "Slot",
    "State",
    "Tree",
    "choose_language",
    "collect",
    "fill",
]
