"""The checks that judge a tree at start-up: every problem, one line each, naming the state and
the file where it can be mended.

A wrong tree must stop the app before it answers a call, never surface on a live one.
"""

from __future__ import annotations

import inspect
import re
import secrets
import sys
from collections.abc import Mapping
from typing import Any

from twilio.twiml import TwiML

from phonetree_engine import carriers
from phonetree_engine.call import CONTEXT_BUDGET, ENGINE_SLOTS, SEALED, Call, Setup, Slot
from phonetree_engine.collect import MAX_DIGITS, Collect
from phonetree_engine.languages import ChooseLanguage
from phonetree_engine.seal import Seal, sealed_size
from phonetree_engine.tree import (
    ENDING_VERBS,
    ENGINE_WORDS,
    HOLD_VERBS,
    MAX_TRIES,
    STATE_NAME,
    WAITING_VERBS,
    Choose,
    Keys,
    Option,
    Outcome,
    State,
    TableError,
    Tree,
)
from phonetree_engine.words import (
    MissingWords,
    defined_in,
    find_words,
    folded,
    split_phrases,
)

EXITS = (str, Keys, Outcome, Choose, Collect, ChooseLanguage)
KEY_CHARS = set("0123456789*#")
LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Z]{2})?")


def check_tree(tree: Tree, config: Any) -> None:
    """Raise TableError listing every problem with the tree, or return quietly."""
    if not isinstance(tree, Tree):
        raise TableError([f"the app takes a Tree(...), not {type(tree).__name__}"])
    table, context = tree.table, tree.context or {}
    problems = _check_context(table, context)
    slots = table_slots(table, context) if not problems else dict(ENGINE_SLOTS)
    problems += _check_words(tree, config) + _check_voices(config)
    said = _check_languages(tree, config)
    problems += said
    setup = Setup(
        config,
        slots=slots,
        seal=Seal(secrets.token_bytes(32)),
        words=tree.words,
        carrier=carriers.unsigned(config),
    )
    held = held_states(table)
    for name, row in table.items():
        problems += [p for p in _check_row(name, row, tree, setup, held) if not _told(p, said)]

    for role, name in (("start", tree.start), ("recovery", tree.recovery)):
        if name not in table:
            problems.append(f"the {role} state {name!r} is not in the table{where(tree.table)}")
    if not problems:
        problems += _check_reachable(table, tree.start) + _check_chains(table)
    if not problems:
        problems += _check_way_on(table, held)
    if problems:
        raise TableError(problems)


def where(value: object) -> str:
    """`` (states/menu.py, OPTIONS)``: the file a tree author edits, when it can be found."""
    found = defined_in(value)
    return f" ({found})" if found else ""


def _check_words(tree: Tree, config: Any) -> list[str]:
    """The tree gives every sentence the engine says for it, in every language."""
    problems = []
    for language in config.languages:
        try:
            found = find_words(tree.words, language)
        except MissingWords:
            names = ", ".join(ENGINE_WORDS)
            problems.append(f"the tree's words: no {language} words for {names}{where(tree.words)}")
            continue
        missing = [name for name in ENGINE_WORDS if name not in found]
        if missing:
            problems.append(
                f"the tree's words: no {language} words for {', '.join(missing)}{where(tree.words)}"
            )
    return problems


def _check_voices(config: Any) -> list[str]:
    """Every voice the settings name is one the carrier has."""
    carrier = carriers.unsigned(config)
    named = [("VOICE", config.voice)] + [("VOICES", v) for v in (config.voices or {}).values()]
    return [
        f"{setting}: {voice!r} is not a voice of {carrier.title} (PROVIDER={carrier.name})"
        for setting, voice in named
        if voice and not re.fullmatch(carrier.dialect.voices, voice)
    ]


def _check_languages(tree: Tree, config: Any) -> list[str]:
    """Every words dict of the tree's modules (``{"en-US": {...}, ...}`` at module level) has
    every language, with every sentence the first one has: all of them at once, by file."""
    problems = []
    languages = config.languages
    for words, found in _words_dicts(tree):
        for language in languages:
            try:
                first = find_words(words, languages[0])
                given = find_words(words, language)
            except MissingWords:
                names = find_words(words, next(iter(words))) if words else {}
                listed = f" for {', '.join(names)}" if isinstance(names, Mapping) else ""
                problems.append(f"no {language} words{listed} ({found})")
                continue
            if isinstance(first, Mapping) and isinstance(given, Mapping):
                missing = [name for name in first if name not in given]
                if missing:
                    problems.append(f"no {language} words for {', '.join(missing)} ({found})")
    return problems


def written_languages(tree: Tree) -> list[str]:
    """Every language the tree has words in, served or not, in the order first found."""
    found = dict.fromkeys(tree.words if _is_words(tree.words) else ())
    for words, _ in _words_dicts(tree):
        found.update(dict.fromkeys(words))
    for row in tree.table.values():
        for option in row.exit.options if isinstance(row.exit, Keys) else ():
            for words in (option.say, option.hear):
                found.update(dict.fromkeys(words if isinstance(words, Mapping) else ()))
    return list(found)


def _words_dicts(tree: Tree) -> list[tuple[Mapping, str]]:
    """(dict, "states/hours.py, WORDS") for each module-level words dict of the tree: in the
    module its table is written in, and in every module of that package when it is one."""
    home = _home_of(tree)
    found, seen = [], {id(tree.words)}
    for name, module in sorted(sys.modules.items()):
        if module is None or home is None or not (name == home or name.startswith(home + ".")):
            continue
        for value in vars(module).values():
            if id(value) in seen or not _is_words(value):
                continue
            seen.add(id(value))
            place = defined_in(value)
            if place:
                found.append((value, place))
    return found


def _home_of(tree: Tree) -> str | None:
    """The module the tree's table is written in (``states``, a package, or one module)."""
    for name, module in list(sys.modules.items()):
        if module is not None and any(v is tree.table for v in vars(module).values()):
            return name
    return None


def _is_words(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and bool(value)
        and all(isinstance(key, str) and LANGUAGE.fullmatch(key) for key in value)
    )


def _told(problem: str, said: list[str]) -> bool:
    """A state's missing words already named by file: not said twice."""
    return "words" in problem and any(s[s.rfind("(") :] in problem for s in said)


def table_slots(table: Mapping[str, State], context: Mapping[str, Slot]) -> dict[str, Slot]:
    """Every name a call of this table may carry: the engine's, the collects', the tree's."""
    slots = dict(ENGINE_SLOTS)
    for row in table.values():
        if isinstance(row, State) and isinstance(row.exit, Collect):
            slots.update(row.exit.slots())
    slots.update(context)
    return slots


def _check_context(table: Mapping[str, State], context: Mapping[str, Slot]) -> list[str]:
    """Declared names are usable in a URL, given once, and fit the budget together."""
    problems, owners = [], {name: "the engine" for name in (*ENGINE_SLOTS, SEALED)}
    declared = [(name, slot, "the tree's context") for name, slot in context.items()]
    for state, row in table.items():
        if isinstance(row, State) and isinstance(row.exit, Collect):
            if not 0 < row.exit.size <= MAX_DIGITS:
                problems.append(f"state {state!r}: a collect takes 1 to {MAX_DIGITS} digits")
            declared += [
                (name, slot, f"state {state!r}") for name, slot in row.exit.slots().items()
            ]
    for name, slot, owner in declared:
        if not isinstance(name, str) or not STATE_NAME.match(name):
            problems.append(f"{owner}: context name {name!r} is not lower-case letters, digits, _")
        elif not isinstance(slot, Slot) or slot.size < 1 or not slot.chars:
            problems.append(f"{owner}: context {name!r} must be a Slot(size, chars)")
        elif set(slot.chars) & set("&=#%+ ?/"):
            problems.append(f"{owner}: context {name!r} may not hold URL characters like & or =")
        elif name in owners:
            problems.append(f"{owner}: context name {name!r} is already used by {owners[name]}")
        else:
            owners[name] = owner
    if not problems:
        slots = table_slots(table, context)
        readable = sum(len(n) + 2 + s.size for n, s in slots.items() if not s.personal)
        private = sum(len(n) + 2 + s.size * 3 for n, s in slots.items() if s.personal)
        size = readable + (len(SEALED) + 2 + sealed_size(private) if private else 0)
        if size > CONTEXT_BUDGET:
            names = ", ".join(f"{name} ({slot.size})" for name, slot in slots.items())
            problems.append(
                f"the context needs up to {size} characters of URL, over the budget of "
                f"{CONTEXT_BUDGET}: {names}"
            )
    return problems


def _check_row(name: str, row: Any, tree: Tree, setup: Setup, held: set[str]) -> list[str]:
    table = tree.table
    if not isinstance(row, State):
        return [f"state {name!r}: the row must be a State(...), not {type(row).__name__}"]
    problems = []
    if not isinstance(name, str) or not STATE_NAME.match(name):
        problems.append(f"state {name!r}: names are lower-case letters, digits and _ (max 40)")
    exit_ = row.exit
    if not (exit_ is None or isinstance(exit_, EXITS)):
        problems.append(
            f"state {name!r}: exit must be None, a state name, Keys, Outcome, Choose or a collect, "
            f"not {type(exit_).__name__}"
        )
        return problems
    problems += _check_targets(name, row, table)
    if isinstance(exit_, Choose):
        problems += _check_handler(name, "exit handler", exit_.handler)
    if isinstance(exit_, Keys):
        problems += _check_keys(name, exit_, setup.config)
    if isinstance(exit_, Collect) and exit_.attempts is not None:
        problems += _check_limit(name, "a collect's attempts", exit_.attempts, exit_.words)
    if problems:
        return problems
    for part, handler in row.webhooks.items():
        if part == "exit" or not STATE_NAME.match(part):
            problems.append(f"state {name!r}: webhook name {part!r} is not a usable URL part")
        problems += _check_handler(name, f"webhook {part!r}", handler)
    handler_problems = _check_handler(name, "enter handler", row.enter)
    return problems + (handler_problems or _check_rendering(name, row, tree, setup, name in held))


def _check_targets(name: str, row: State, table: Mapping[str, State]) -> list[str]:
    """Every state the row can lead to exists; a leftover names the file it is written in."""
    problems = []
    options = {o.to: o for o in row.exit.options} if isinstance(row.exit, Keys) else {}
    for label, target in row.edges():
        if target in table:
            continue
        via = f" on {label}" if label else ""
        if target in options and label == options[target].key:
            found = where(row.exit.options)
            problems.append(f"state {name!r}: option {label} leads to {target!r}, which is not "
                            f"a state{found}")  # fmt: skip
        elif label.startswith('"') and target in options:
            continue  # said once per option
        else:
            problems.append(
                f"state {name!r}: leads{via} to {target!r}, which is not a state{where(table)}"
            )
    return problems


def _check_keys(name: str, keys: Keys, config: Any) -> list[str]:
    """Options have usable keys, said and heard in every language they are given in."""
    problems = []
    found = where(keys.options)
    seen = set()
    for option in keys.options:
        if not option.key or set(option.key) - KEY_CHARS:
            problems.append(f"state {name!r}: option key {option.key!r} is not 0-9, * or #{found}")
        elif option.key in seen:
            problems.append(f"state {name!r}: two options have the key {option.key!r}{found}")
        seen.add(option.key)
        for what, given in (("say", option.say), ("hear", option.hear)):
            if not isinstance(given, Mapping) or not all(
                isinstance(v, str) for v in given.values()
            ):
                problems.append(
                    f"state {name!r}: option {option.key}'s {what} maps each language to its "
                    f'words, e.g. {{"en-US": "..."}}{found}'
                )
                continue
            for language in config.languages if given else ():
                try:
                    words = find_words(given, language)
                except MissingWords:
                    problems.append(
                        f"state {name!r}: option {option.key} has no {language} words to {what}"
                        f"{found}"
                    )
                    continue
                if what == "hear" and not split_phrases(words):
                    problems.append(f"state {name!r}: option {option.key} hears nothing{found}")
    if not problems:
        problems += _check_heard_once(name, keys, config, found)
    if keys.tries is not None:
        problems += _check_limit(name, "a menu's tries", keys.tries, keys.options)
    return problems


def _check_heard_once(name: str, keys: Keys, config: Any, found: str) -> list[str]:
    """No phrase leads to two places: the caller would be sent to the first, unawares."""
    problems = []
    for language in config.languages:
        heard: dict[str, Option] = {}
        for option in keys.options:
            if not option.hear:
                continue
            for phrase in split_phrases(find_words(option.hear, language)):
                first = heard.setdefault(folded(phrase), option)
                if first is not option and first.to != option.to:
                    problems.append(
                        f"state {name!r}: options {first.key} and {option.key} both hear "
                        f"{phrase!r} in {language}{found}"
                    )
    return problems


def _check_limit(name: str, what: str, limit: Any, near: object) -> list[str]:
    if isinstance(limit, int) and not isinstance(limit, bool) and 1 <= limit <= MAX_TRIES:
        return []
    return [
        f"state {name!r}: {what} of {limit!r} can never be reached: the URL counts 1 to "
        f"{MAX_TRIES} tries{where(near)}"
    ]


def _check_handler(name: str, what: str, handler: Any) -> list[str]:
    if not callable(handler):
        return [f"state {name!r}: the {what} is not callable"]
    try:
        inspect.signature(handler).bind(None)
    except TypeError:
        return [f"state {name!r}: the {what} must take exactly one argument, the call"]
    except ValueError:  # no signature to inspect (some builtins): trust it
        pass
    return []


def _check_rendering(name: str, row: State, tree: Tree, setup: Setup, held: bool) -> list[str]:
    """Enter the state, open and closed, in every language; the TwiML must keep the call going."""
    contexts = row.exit.sample_contexts() if isinstance(row.exit, Collect) else [{}]
    languages = setup.config.languages
    for is_open in (True, False):
        for context in contexts:
            said = {}  # language -> what its Says say
            for language in languages:
                context_here = {**context, "lang": language}
                verbs = _render(name, row, tree, setup, context_here, is_open, held)
                if isinstance(verbs, str):
                    return [verbs]
                said[language] = _said(verbs)
            problem = _check_translated(name, said, languages, row)
            if problem:
                return [problem]
    return []


def _render(name, row, tree, setup, context, is_open, held) -> list | str:
    """The verbs a state answers with, or what is wrong with them."""
    call = Call(name, setup, context=context, is_open=is_open, exit=row.exit, hold=row.hold)
    try:
        verbs = as_list(row.enter(call))
    except MissingWords as error:
        # Named in the tree's own files; words written inside a row, in the table's file.
        home = _home_of(tree)
        place = defined_in(error.words, within=home) if error.words is not None else None
        place = place or defined_in(tree.table, within=home)
        return f"state {name!r}: {error.message}" + (f" ({place})" if place else "")
    except Exception as error:
        return f"state {name!r}: the enter handler failed: {error!r}{where(row.enter)}"
    if not all(isinstance(verb, TwiML) for verb in verbs):
        return f"state {name!r}: the enter handler must return TwiML verbs (or a list)"
    lacking = _lacking(verbs, setup.carrier)
    if lacking:
        return (
            f"state {name!r}: uses {lacking}, which {setup.carrier.title}'s markup does not "
            f"have (PROVIDER={setup.carrier.name}){where(row.enter)}"
        )
    if held:
        odd = [verb.name for verb in verbs if verb.name not in HOLD_VERBS]
        if odd:
            return (
                f"state {name!r}: plays while a caller is queued, where <{odd[0]}> cannot be "
                f"used (only {', '.join(HOLD_VERBS)})"
            )
        return _check_way_out(name, row, verbs, call.action, held=True) or verbs
    return _check_way_out(name, row, verbs, call.action) or verbs


def _lacking(verbs, carrier) -> str | None:
    """The first verb, noun or attribute of ``verbs`` the carrier's markup does not have."""
    lacks = carrier.dialect.lacks if carrier is not None else ()
    for verb in verbs:
        if verb.name in lacks:
            return f"<{verb.name}>"
        for attribute in verb.attrs:
            if f"{verb.name}.{attribute}" in lacks:
                return f"<{verb.name} {attribute}>"
        found = _lacking(verb.verbs, carrier)
        if found:
            return found
    return None


def as_list(verbs) -> list:
    if verbs is None:
        return []
    return list(verbs) if isinstance(verbs, (list, tuple)) else [verbs]


def _said(verbs) -> list[str]:
    texts = []
    for verb in verbs:
        if verb.name == "Say" and "language" not in verb.attrs:
            texts.append(verb.value or "")
        texts += _said(verb.verbs)
    return texts


def _check_translated(name: str, said, languages, row: State) -> str | None:
    """A sentence said the same in two languages was written without its words (WORDS)."""
    first = set(said[languages[0]])
    for language in languages[1:]:
        same = sorted(first & set(said[language]))
        if same:
            return (
                f"state {name!r}: says {same[0]!r} in {language} as in {languages[0]}; "
                f"give it words in each language and say them with call.words(WORDS)"
                f"{where(row.enter)}"
            )
    return None


def _check_way_out(name: str, row: State, verbs: list, action: str, held=False) -> str | None:
    names = [verb.name for verb in verbs]
    if row.exit is None and (not names or names[-1] not in ENDING_VERBS):
        if held:
            return None  # wait music that runs out is played again: the caller stays queued
        return f"state {name!r}: a terminal state must end the call with Hangup"
    if not row.waits or held:  # (wait music need not post: the carrier plays it again)
        return None
    waiting = [verb for verb in verbs if verb.name in WAITING_VERBS]
    if not any(verb.attrs.get("action") == action for verb in waiting):
        return (
            f"state {name!r}: its exit waits, but no Gather, Dial, Record or Enqueue "
            "posts to call.action"
        )
    last = verbs[-1]
    if last.name == "Gather" and not last.attrs.get("actionOnEmptyResult"):
        return f"state {name!r}: a Gather without actionOnEmptyResult hangs up on silence"
    return None


def held_states(table: Mapping[str, State]) -> set[str]:
    """States that play while a caller is queued: each row's hold state, and every state its
    exits lead to, until one leaves the queue (an Enqueue's own exit is not among them)."""
    held, todo = set(), [row.hold for row in table.values() if isinstance(row, State) and row.hold]
    while todo:
        name = todo.pop()
        if name in held or name not in table or not isinstance(table[name], State):
            continue
        held.add(name)
        row = table[name]
        if row.exit is not None and not isinstance(row.exit, str | Keys | Choose | Collect):
            continue
        todo += [target for _, target in row.edges()]
    return held


def _check_way_on(table: Mapping[str, State], held: set[str]) -> list[str]:
    """A menu whose wrong input or silence comes back to it needs a give_up, or a caller who
    cannot press the right key is kept there forever (a queue's hold music is exempt: the
    caller stays queued, and the queue's own exit goes on)."""
    problems = []
    for name, row in table.items():
        if not isinstance(row.exit, Keys) or row.exit.give_up or name in held:
            continue
        for what, target in (("wrong input", row.exit.otherwise), ("silence", row.exit.silence)):
            seen = set()
            while target and target not in seen and isinstance(table[target].exit, str):
                seen.add(target)
                target = table[target].exit
            if target == name:
                problems.append(
                    f"state {name!r}: {what} comes back here and no give_up ends it; give the "
                    f"Keys a give_up=, so a caller is never kept here{where(table)}"
                )
                break
    return problems


def _check_reachable(table: Mapping[str, State], start: str) -> list[str]:
    seen, todo = {start}, [start]
    while todo:
        for _, target in table[todo.pop()].edges():
            if target not in seen:
                seen.add(target)
                todo.append(target)
    unreachable = [name for name in table if name not in seen]
    fix = f"lead to it from another state, or remove its row{where(table)}"
    return [f"state {name!r}: cannot be reached from {start!r}: {fix}" for name in unreachable]


def _check_chains(table: Mapping[str, State]) -> list[str]:
    """States entered at once (string exits, when_closed) must not form a cycle."""

    def at_once(name):
        row = table[name]
        goes_on = row.exit if isinstance(row.exit, str) else None
        if isinstance(row.exit, ChooseLanguage):  # with one language it goes on at once
            goes_on = row.exit.then
        return [t for t in (row.when_closed, goes_on) if t]

    problems, done = [], set()
    for first in table:
        path: list[str] = []
        stack = [(first, iter(at_once(first)))]
        path.append(first)
        while stack:
            name, targets = stack[-1]
            target = next(targets, None)
            if target is None:
                stack.pop()
                path.pop()
                done.add(name)
            elif target in path:
                cycle = " -> ".join([*path[path.index(target) :], target])
                problems.append(f"state {target!r}: goes on at once in a cycle: {cycle}")
                return problems
            elif target not in done:
                stack.append((target, iter(at_once(target))))
                path.append(target)
    return problems
