"""A session's counts: the log lines of its calls, counted as the report counts them."""

from datetime import timezone

from phonetree_tools.logread import parse
from phonetree_tools.studio import sessions
from tests.engine.trees.shop import shop


def line(call, path, entered, second=0):
    text = (
        f"2026-11-24 15:00:{second:02d},000 INFO phonetree webhook call={call} path={path} "
        f"entered={entered} next={entered.split(',')[-1]} ms=0.10"
    )
    return parse(text, timezone.utc)


def walk(call, *keys):
    """The lines of a call to the shop that presses 1 (prices) as many times as ``keys``."""
    lines = [line(call, "/voice", "hello,menu")]
    left = "menu"
    for second, _ in enumerate(keys, 1):
        lines.append(line(call, f"/state/{left}/exit", "prices", second))
        left = "prices"
    return lines


def count(kept, session, call, tokens, lines):
    traffic = kept.count(session, call, tokens, lines)
    return {(e["from"], e["to"]): e["count"] for e in traffic.edge_list()}


def test_each_call_of_a_session_is_counted():
    kept = sessions.Sessions(shop())
    count(kept, "s", "a", ["1"], walk("CA1", "1"))
    assert count(kept, "s", "b", ["1"], walk("CA2", "1"))["menu", "prices"] == 2


def test_an_earlier_moment_of_a_call_keeps_the_longer_walk():
    kept = sessions.Sessions(shop())
    count(kept, "s", "a", ["1", "1"], walk("CA1", "1", "1"))
    assert count(kept, "s", "a", ["1"], walk("CA2", "1"))["prices", "prices"] == 1


def test_a_call_that_goes_on_replaces_its_shorter_walk():
    kept = sessions.Sessions(shop())
    count(kept, "s", "a", ["1"], walk("CA1", "1"))
    assert count(kept, "s", "a", ["1", "1"], walk("CA2", "1", "1"))["menu", "prices"] == 1


def test_sessions_do_not_count_each_others_calls():
    kept = sessions.Sessions(shop())
    count(kept, "s", "a", ["1"], walk("CA1", "1"))
    assert count(kept, "t", "a", [], walk("CA2"))["menu", "prices"] == 0


def test_a_session_forgets_its_oldest_calls_beyond_its_limit():
    kept = sessions.Sessions(shop())
    for number in range(sessions.MAX_CALLS + 5):
        count(kept, "s", f"call-{number}", [], walk(f"CA{number}"))
    assert len(kept.sessions["s"].calls) == sessions.MAX_CALLS


def test_the_least_recent_sessions_are_forgotten_beyond_the_limit():
    kept = sessions.Sessions(shop())
    for number in range(sessions.MAX_SESSIONS + 3):
        count(kept, f"session-{number}", "a", [], walk(f"CA{number}"))
    assert "session-0" not in kept.sessions and len(kept.sessions) == sessions.MAX_SESSIONS


def test_coverage_counts_states_and_exits_of_the_table():
    kept = sessions.Sessions(shop())
    covered = sessions.coverage(kept.count("s", "a", ["1"], walk("CA1", "1")), shop())
    assert (covered["states"]["reached"], covered["exits"]["taken"]) == (3, 2)


def test_coverage_totals_are_those_of_the_table():
    covered = sessions.coverage(sessions.Sessions(shop()).count("s", "a", [], []), shop())
    exits = {(a, b) for a, row in shop().items() for _, b in row.edges()}
    assert (covered["states"]["total"], covered["exits"]["total"]) == (len(shop()), len(exits))


def test_coverage_names_what_remains():
    kept = sessions.Sessions(shop())
    covered = sessions.coverage(kept.count("s", "a", ["1"], walk("CA1", "1")), shop())
    assert "desk" in covered["states_left"] and ["menu", "desk"] in covered["exits_left"]
