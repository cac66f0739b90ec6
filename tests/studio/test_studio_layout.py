"""The diagram laid out in Python, on tables of the tests' own (the shop of the engine's tests)."""

import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest
from twilio.twiml.voice_response import Say

from phonetree_engine.tree import Keys, Option, State
from phonetree_tools import diagram
from phonetree_tools.studio import layout
from tests.engine.trees.shop import shop

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def laid():
    return layout.lay_out(shop(), "hello")


@pytest.fixture(scope="module")
def drawing():
    return ET.fromstring(layout.svg(shop(), "hello"))


def say(call):
    return Say("Hi.")


def test_every_state_has_a_node(laid):
    assert [node.name for node in laid.nodes] == [layout.ENTRY, *shop()]


def test_every_edge_of_graph_is_routed_once(laid):
    routed = [(edge.source, edge.label, edge.target) for edge in laid.edges]
    assert routed == [(layout.ENTRY, "", "hello"), *diagram.edges(shop())]


def test_the_start_is_below_the_calls_entry(laid):
    y = {node.name: node.y for node in laid.nodes}
    assert y[layout.ENTRY] < y["hello"] < y["menu"]


def test_an_edge_that_closes_no_cycle_goes_down(laid):
    y = {node.name: node.y for node in laid.nodes}
    assert y["menu"] < y["prices"] and y["person"] < y["desk"] < y["bye"]


def test_an_edge_back_to_the_menu_goes_up(laid):
    back = next(edge for edge in laid.edges if (edge.source, edge.target) == ("wrong", "menu"))
    assert back.points[0][1] > back.points[-1][1]


def test_an_edge_starts_and_ends_at_its_states(laid):
    nodes = {node.name: node for node in laid.nodes}
    edge = next(edge for edge in laid.edges if (edge.source, edge.target) == ("hello", "menu"))
    half = layout.NODE_HEIGHT / 2
    assert edge.points[0] == (nodes["hello"].x, nodes["hello"].y + half)


def test_an_edge_crossing_layers_has_a_point_in_each(laid):
    y = {node.name: node.y for node in laid.nodes}
    edge = next(edge for edge in laid.edges if (edge.source, edge.target) == ("desk", "bye"))
    layers = round((y["bye"] - y["desk"]) / layout.LAYER_GAP)
    assert len(edge.points) == layers + 1


def test_a_state_back_to_itself_is_a_loop(laid):
    loop = next(edge for edge in laid.edges if (edge.source, edge.target) == ("prices", "prices"))
    assert loop.points == []


def test_no_two_states_of_a_layer_overlap(laid):
    rows = {}
    for node in laid.nodes:
        rows.setdefault(node.y, []).append(node)
    for row in rows.values():
        row.sort(key=lambda node: node.x)
        for left, right in pairwise(row):
            assert left.x + left.width / 2 + layout.NODE_GAP <= right.x - right.width / 2 + 0.01


def test_the_drawing_fits_its_nodes(laid):
    edges = [(node.x - node.width / 2, node.x + node.width / 2) for node in laid.nodes]
    assert all(left > 0 and right < laid.width for left, right in edges)


def test_terminal_states_are_marked(laid):
    assert [node.name for node in laid.nodes if node.terminal] == ["bye"]


# Ordering and spacing ########################################################


def test_crossings_are_counted_between_layers():
    rows = [["a", "b"], ["c", "d"]]
    below = {"a": ["d"], "b": ["c"], "c": [], "d": []}
    assert layout.crossings(rows, below) == 1


def test_ordering_undoes_a_crossing():
    layer = {"a": 0, "b": 0, "c": 1, "d": 1}
    below = {"a": ["d"], "b": ["c"], "c": [], "d": []}
    rows = layout.ordered(["a", "b", "c", "d"], layer, below)
    assert layout.crossings(rows, below) == 0


def test_spread_keeps_what_already_has_its_gaps():
    assert layout.spread([0.0, 50.0, 120.0], [10.0, 10.0]) == [0.0, 50.0, 120.0]


def test_spread_moves_two_at_one_place_apart_evenly():
    assert layout.spread([0.0, 0.0], [10.0]) == [-5.0, 5.0]


def test_spread_keeps_the_order_and_every_gap():
    gaps = [8.0, 12.0, 4.0]
    placed = layout.spread([30.0, 0.0, 10.0, 5.0], gaps)
    assert all(b - a >= gap - 1e-9 for (a, b), gap in zip(pairwise(placed), gaps, strict=True))


# The SVG #####################################################################


def test_each_state_is_a_group_with_its_name(drawing):
    names = [g.get("data-state") for g in drawing.iter(f"{SVG}g") if g.get("data-state")]
    assert names == list(shop())


def test_each_edge_is_a_group_with_both_ends(drawing):
    ends = [(g.get("data-from"), g.get("data-to")) for g in drawing.iter(f"{SVG}g")]
    assert ("menu", "wrong") in ends and ("_call", "hello") in ends


def test_each_edge_has_a_count_for_the_page_to_fill(drawing):
    edges = [g for g in drawing.iter(f"{SVG}g") if g.get("data-from")]
    assert all(g.find(f".//{SVG}tspan[@class='count']") is not None for g in edges)


def test_labels_show_keys_and_leave_spoken_words_to_the_title():
    assert layout.short_label("1, say prices, say price list") == "1"


def test_a_label_of_words_only_shows_the_first():
    assert layout.short_label("say prices, say price list") == "say prices"


def test_words_with_markup_characters_are_escaped():
    table = shop(
        menu=State(say, Keys([Option("1", "bye", hear={"en-US": "r&b"})], otherwise="menu"))
    )
    drawn = ET.fromstring(layout.svg(table, "hello"))  # would not parse unescaped
    titles = [title.text for title in drawn.iter(f"{SVG}title")]
    assert "menu → bye: 1, say r&b" in titles


def test_a_state_with_a_long_name_gets_a_box_as_wide_as_its_name():
    table = {
        "a_state_whose_name_is_rather_long": State(say),
        "hi": State(say, "a_state_whose_name_is_rather_long"),
    }
    nodes = {node.name: node for node in layout.lay_out(table, "hi").nodes}
    assert nodes["a_state_whose_name_is_rather_long"].width > nodes["hi"].width
    assert (
        nodes["a_state_whose_name_is_rather_long"].width
        >= len("a_state_whose_name_is_rather_long") * layout.CHAR
    )
