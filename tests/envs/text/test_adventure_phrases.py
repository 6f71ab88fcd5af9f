"""TextAdventure's phrase reading: references by noun and adjectives, qualifiers, two-object forms.

Table-like checks of :mod:`agentic_gym.envs.text.adventure_phrases` on a small hand-built
house, apart from the world's rules (tested in ``test_adventure.py``).
"""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from agentic_gym.core import parse_command
from agentic_gym.envs.text import adventure_phrases, adventure_world
from agentic_gym.envs.text.adventure import AFFORDANCES
from agentic_gym.envs.text.adventure_phrases import ResolveError, find, tokens
from agentic_gym.envs.text.adventure_world import HOUSE_SIZES, House, State, Verb, generate
from tests.envs.text.adventure_houses import small_house


def run(house: House, text: str) -> tuple[str, bool]:
    """What the env does with a command that is not pre-resolved: parse, resolve, apply."""
    command = parse_command(text, AFFORDANCES)
    return adventure_phrases.command(house, Verb([a.name for a in AFFORDANCES].index(command.name)), command.args)


# ---- reference resolution ---------------------------------------------------------------------


def test_ambiguous_reference_asks_back_instead_of_guessing():
    house = small_house()
    message, valid = run(house, "take key")
    assert message == "Which key do you mean: the red key or the blue key?"
    assert valid is False and house.inventory == []


def test_references_resolve_by_noun_and_adjectives_in_any_order_and_case():
    house = small_house()
    assert run(house, "TAKE the Key Red") == ("You take the red key.", True)
    # With the red key carried, "key" means the one still on the floor.
    assert run(house, "take key") == ("You take the blue key.", True)
    assert run(house, "drop red") == ("You drop the red key.", True)
    assert run(house, "take book from the oak table") == ("You take the old book.", True)


def test_doors_are_named_by_direction_and_ambiguous_doors_ask_back():
    house = small_house()
    message, valid = run(house, "open door")
    assert message == "Which door do you mean: the north door or the east door?" and not valid
    assert run(house, "open north door") == ("You open the north door.", True)
    assert run(house, "open wooden door") == ("The north door is already open.", True)


def test_several_matches_keep_those_the_verb_applies_to():
    house = small_house()
    # "oak" names the oak door to the east and the oak table; only the door opens.
    assert run(house, "open oak") == ("You open the east door.", True)
    run(house, "take red key")
    assert run(house, "put red key on oak") == ("You put the red key on the oak table.", True)
    assert run(house, "examine oak")[0] == "Which one do you mean: the east door or the oak table?"


def test_unknown_things_are_invalid_and_world_refusals_are_valid():
    house = small_house()
    message, valid = run(house, "take silver coin")
    assert message == "You see no silver coin here." and valid is False
    message, valid = run(house, "go north")
    assert message == "The wooden door to the north is closed." and valid is True
    message, valid = run(house, "take oak table")
    assert "too heavy" in message and valid is True
    message, valid = run(house, "go south")
    assert message == "You cannot go south from here." and valid is True


def test_unlock_reads_the_natural_form_and_named_arguments():
    house = small_house()
    message, valid = run(house, "unlock wooden chest")
    assert valid is False and "unlock wooden chest with <key>" in message
    run(house, "take blue key")
    assert run(house, "unlock chest with blue key") == ("The blue key does not fit the red lock.", True)
    message, valid = run(house, "unlock chest with red key")
    assert message == "You need to hold the red key first." and valid
    run(house, "take red key")
    assert run(house, 'unlock(target="wooden chest", key="red key")') == (
        "You unlock the wooden chest with the red key.", True)
    assert house.things[2].state == State.CLOSED
    assert run(house, "open wooden chest") == ("You open the wooden chest. It is empty.", True)


def test_put_reads_in_and_on_and_a_trailing_room():
    house = small_house()
    run(house, "take red key")
    message, valid = run(house, "put red key")
    assert valid is False and message.startswith("Where do you want to put the red key?")
    assert run(house, "put red key in wooden chest") == ("The wooden chest is locked.", True)
    assert run(house, "put red key on the oak table in the hall") == ("You put the red key on the oak table.", True)
    run(house, "take red key")
    message, valid = run(house, "put red key on oak table in the kitchen")
    assert valid is False and message.startswith("You are not in the kitchen")
    assert run(house, 'put(object="red key", target="oak table")') == ("You put the red key on the oak table.", True)


def test_only_what_is_perceived_can_be_named():
    house = small_house()
    # The silver coin is in the closed fridge in the kitchen.
    assert run(house, "examine white fridge")[1] is False
    run(house, "open north door")
    run(house, "go north")
    assert run(house, "take silver coin")[1] is False
    assert run(house, "open fridge") == ("You open the white fridge. Inside: a silver coin.", True)
    assert run(house, "take silver coin") == ("You take the silver coin.", True)
    assert "You see no red key" in run(house, "take red key")[0]


def test_admissible_commands_resolve_exactly_like_parsed_commands():
    rng = np.random.default_rng(0)
    for variant in tuple(HOUSE_SIZES):
        for seed in range(10):
            house = generate(np.random.default_rng(seed), HOUSE_SIZES[variant])
            for _ in range(40):
                table = house.view()[1]
                for text, entry in table.items():
                    command = parse_command(text, AFFORDANCES)
                    verb = Verb([a.name for a in AFFORDANCES].index(command.name))
                    assert adventure_phrases.resolve(house, verb, command.args) == entry, text
                commands = list(table)
                house.apply(*table[commands[int(rng.integers(len(commands)))]])


# ---- generation and the oracle ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "words"),
    [("the red key", ["red", "key"]), ("Red KEY.", ["red", "key"]), ("a key, please!", ["key", "please"]),
     ("my (old) book", ["old", "book"]), ("", []), ("the the", [])],
)
def test_tokens_drop_case_punctuation_and_articles(phrase, words):
    assert tokens(phrase) == words


def test_find_reads_qualifiers_of_holder_floor_and_room():
    house = small_house()
    assert find(house, tokens("book from the table"), "take").name == "old book"
    with pytest.raises(ResolveError, match="Which key do you mean"):
        find(house, tokens("key on the floor"), "take")
    assert find(house, tokens("red key in the hall"), "take").name == "red key"
    with pytest.raises(ResolveError, match="You are not in the kitchen"):
        find(house, tokens("fridge in the kitchen"), "open")
    with pytest.raises(ResolveError, match="cannot hold things"):
        find(house, tokens("key from the red key"), "take")
    with pytest.raises(ResolveError, match="What do you want to take"):
        find(house, [], "take")


def test_phrase_reading_imports_the_world_but_not_the_reverse():
    source = pathlib.Path(adventure_world.__file__).read_text()
    assert "adventure_phrases" not in source.split('"""', 2)[2], "the world module imports its phrase reader"
    assert not hasattr(House, "command") and not hasattr(House, "resolve")
    house = generate(np.random.default_rng(0), HOUSE_SIZES["3rooms"])
    assert adventure_phrases.command(house, Verb.LOOK, {})[1]
