"""The main set of mutants, one file per part of the code under ``main_set/``.

Each is a change a careless edit could make, where a user would suffer: a header a receiver
reads, a limit an operator relies on, a line a business needs, a signature check, a sealed
value, a deadline. ``mutant.py`` says what a mutant is and which tests each part runs.
"""

from __future__ import annotations

from main_set import carriers, delivery, facts, tools, walk, web
from mutant import Mutant, group

__all__ = ["MUTANTS", "Mutant", "group"]

MUTANTS = [
    *walk.MUTANTS,
    *facts.MUTANTS,
    *web.MUTANTS,
    *delivery.MUTANTS,
    *carriers.MUTANTS,
    *tools.MUTANTS,
]
