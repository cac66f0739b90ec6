"""The engine of a phone tree: the table's vocabulary, the walk, the checks, settings, logs, web.

What a tree's ``states/`` need comes from here::

    from phonetree_engine import Choose, Keys, Outcome, State
"""

from phonetree_engine.tree import Call, Choose, Keys, Outcome, State

__all__ = ["Call", "Choose", "Keys", "Outcome", "State"]
