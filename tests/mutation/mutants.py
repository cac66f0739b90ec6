"""The main set of mutants, one file per part of the code under ``main_set/``.

Each is a change a careless edit could make, where a user would suffer: a header a receiver
reads, a limit an operator relies on, a line a business needs, a signature check, a sealed
value, a deadline. ``mutant.py`` says what a mutant is and which tests each part runs.
"""

from __future__ import annotations

from main_set import (
    carriers,
    delivery,
    facts,
    report,
    server,
    studio,
    tools,
    trees,
    walk,
    web,
)
from mutant import Mutant, group

__all__ = ["MUTANTS", "Mutant", "group"]

MUTANTS = [
    *walk.MUTANTS,  # phonetree_engine: the table, the call, the engine, collect, words, checks
    *facts.MUTANTS,  # hours, settings, log lines and their queue, the seal
    *web.MUTANTS,  # phonetree_engine/web
    *delivery.MUTANTS,  # phonetree_engine/delivery
    *carriers.MUTANTS,  # phonetree_engine/carriers
    *server.MUTANTS,  # phonetree_engine/server.py
    *tools.MUTANTS,  # phonetree_tools: the caller, the commands, the diagram, the platform
    *report.MUTANTS,  # phonetree_tools: the traffic report
    *studio.MUTANTS,  # phonetree_tools/studio
    *trees.MUTANTS,  # states/ and examples/dental: a few, on their own suites
]
