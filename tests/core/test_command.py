"""Commands and their canonical text: round trips, validation and totality."""

from __future__ import annotations

import contextlib
import pickle
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentic_gym.core import (
    CHARSET,
    Affordance,
    Command,
    CommandSpace,
    InvalidAction,
    Reason,
    check_command,
    enum_param,
    int_param,
    make_command,
    params,
    parse_command,
    string_param,
)

GO = Affordance("go", "Walk through an exit.", params(direction=enum_param("Where.", ["north", "south", "east"])))
TAKE = Affordance("take", "Pick something up.", params(object=string_param("What.", examples=["red key"])))
FLIGHTS = Affordance(
    "flights",
    "Search flights.",
    params(origin=string_param("From."), destination=string_param("To."), day=int_param("Day.", minimum=0, maximum=6)),
    kind="tool",
)
FORGET = Affordance("forget", "Forget a note.", params(index=int_param("Which.", minimum=0)), kind="memory")
LOOK = Affordance("look", "Look around.")
AFFORDANCES = (GO, TAKE, FLIGHTS, FORGET, LOOK)

names = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True)


@st.composite
def affordance_and_command(draw):
    """A random affordance and a random valid command for it."""
    count = draw(st.integers(0, 4))
    keys = draw(st.lists(names, min_size=count, max_size=count, unique=True))
    props, values = {}, {}
    for key in keys:
        kind = draw(st.sampled_from(["string", "enum", "integer", "number", "boolean"]))
        if kind == "string":
            props[key] = string_param("s")
            values[key] = draw(st.text(max_size=30))
        elif kind == "enum":
            options = draw(st.lists(names, min_size=1, max_size=5, unique=True))
            props[key] = enum_param("e", options)
            values[key] = draw(st.sampled_from(options))
        elif kind == "integer":
            props[key] = int_param("i", minimum=-1000, maximum=10**12)
            values[key] = draw(st.integers(-1000, 10**12))
        elif kind == "number":
            props[key] = {"type": "number", "description": "n"}
            values[key] = draw(st.floats(allow_nan=False, allow_infinity=False, width=64))
        else:
            props[key] = {"type": "boolean", "description": "b"}
            values[key] = draw(st.booleans())
    required = [k for k in keys if draw(st.booleans())] if len(keys) <= 1 else draw(
        st.lists(st.sampled_from(keys), min_size=1, unique=True))
    for key in required:  # a required free string is never empty
        if props[key]["type"] == "string" and "enum" not in props[key] and not values[key].strip():
            values[key] = "x" + values[key]
    aff = Affordance(draw(names), "random", params(required=required, **props), kind="tool")
    args = {k: values[k] for k in aff.properties if k in required or draw(st.booleans())}
    return aff, Command(aff.name, args)


@given(affordance_and_command())
def test_canonical_text_round_trips(pair):
    aff, command = pair
    text = str(command)
    assert set(text) <= set(CHARSET) - {"\n"}, "canonical text is single-line ASCII"
    assert parse_command(text, [aff, LOOK]) == command


@given(st.text(max_size=300))
def test_parse_command_is_total(text):
    try:
        command = parse_command(text, AFFORDANCES)
    except InvalidAction as error:
        assert str(error)
    else:
        assert parse_command(str(command), AFFORDANCES) == command


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("go north", Command("go", {"direction": "north"})),
        ("  GO   North ", Command("go", {"direction": "north"})),
        ("go(direction=east)", Command("go", {"direction": "east"})),
        ("take red key", Command("take", {"object": "red key"})),
        ('take(object="  spaced ")', Command("take", {"object": "  spaced "})),
        ('flights(origin="Oslo", destination="Rome", day=3)',
         Command("flights", {"origin": "Oslo", "destination": "Rome", "day": 3})),
        ('flights("Oslo", "Rome", "3")', Command("flights", {"origin": "Oslo", "destination": "Rome", "day": 3})),
        ("flights(day=2.0, destination=\"Rome\", origin=\"Oslo\")",
         Command("flights", {"origin": "Oslo", "destination": "Rome", "day": 2})),
        ("forget 2", Command("forget", {"index": 2})),
        ("look", Command("look")),
    ],
)
def test_accepted_forms(text, expected):
    assert parse_command(text, AFFORDANCES) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Empty command"),
        ("dance", 'Unknown command "dance"'),
        ("go up", "must be one of north, south, east"),
        ("look around", "look takes no arguments"),
        ('flights(origin="Oslo")', "missing arguments destination, day"),
        ('flights(origin="Oslo", destination="Rome", day=9)', "must be in 0..6"),
        ('flights(origin="Oslo", destination="Rome", day=2.5)', "whole number"),
        ('flights(origin="Oslo", origin="Rome", day=2)', "given twice"),
        ('flights(origin="Oslo" destination="Rome", day=2)', "expected ','"),
        ("flights(origin=[1], destination=\"x\", day=1)", "must be a string"),
        ("take(", "missing ')'"),
        ("take(thing=1)", 'unknown argument "thing"'),
        ("forget(index=null)", "missing argument index"),
        ("forget(index=" + "9" * 5000 + ")", "too long"),
        ("take(object=" + "[" * 100_000 + ")", "limit is 8192"),
        ("go\x00north", "Could not read a command"),
    ],
)
def test_rejections_say_what_is_wrong(text, message):
    with pytest.raises(InvalidAction) as error:
        parse_command(text, AFFORDANCES)
    assert message in str(error.value)


def test_unknown_command_lists_valid_ones():
    with pytest.raises(InvalidAction, match=r"Valid commands: go <direction>, take <object>, flights\("):
        parse_command("fly to Rome", AFFORDANCES)


def test_invalid_action_is_a_value_error():
    assert issubclass(InvalidAction, ValueError)


def test_make_command_validates_tool_call_arguments():
    assert make_command("GO", {"direction": "NORTH"}, AFFORDANCES) == Command("go", {"direction": "north"})
    for bad in (None, [], "north", {"direction": None}):
        with pytest.raises(InvalidAction):
            make_command("go", bad, AFFORDANCES)


def test_commands_are_hashable_and_compare_by_value():
    a = Command("flights", {"origin": "A", "destination": "B", "day": 1})
    b = Command("flights", {"day": 1, "destination": "B", "origin": "A"})
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1


def test_non_ascii_values_use_the_escaped_call_form():
    command = Command("take", {"object": "caf\u00e9"})
    assert str(command) == 'take(object="caf\\u00e9")'
    assert parse_command(str(command), AFFORDANCES) == command


@pytest.mark.parametrize("hostile", ["take(" + "[" * 8000 + ")", "take(" + '"' * 8000 + ")",
                                     "flights(" + "a=1," * 2000 + ")", "take " + "x" * 8000])
def test_parsing_hostile_input_is_fast(hostile):
    start = time.process_time()
    with contextlib.suppress(InvalidAction):
        parse_command(hostile, AFFORDANCES)
    assert time.process_time() - start < 0.05


def test_affordance_validation():
    with pytest.raises(ValueError, match="name"):
        Affordance("Go", "bad name")
    with pytest.raises(ValueError, match="kind"):
        Affordance("go", "bad kind", kind="jump")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one must be required"):
        Affordance("x", "ambiguous", params(required=[], a=string_param("a"), b=string_param("b")))
    with pytest.raises(ValueError, match="type"):
        Affordance("x", "nested", params(a={"type": "object"}))


@pytest.mark.parametrize("text, affordance, argument, reason", [
    ("fly to Rome", None, None, Reason.UNKNOWN_COMMAND),
    ("", None, None, Reason.EMPTY),
    ("???", None, None, Reason.NO_ACTION),
    ("go up", "go", "direction", Reason.BAD_VALUE),
    ("flights(origin=\"Oslo\", destination=\"Rome\", day=9)", "flights", "day", Reason.BAD_VALUE),
    ("flights(origin=\"Oslo\", day=2)", "flights", "destination", Reason.MISSING_ARGUMENT),
    ("flights(origin=\"Oslo\", destination=\"Rome\", day=1, seat=2)", "flights", "seat", Reason.UNKNOWN_ARGUMENT),
    ("flights(origin=\"Oslo\"", "flights", None, Reason.UNREADABLE),
    ("FLIGHTS(origin=)", "flights", "origin", Reason.UNREADABLE),
    ("flights(origin=[[1]], destination=\"Rome\", day=1)", "flights", "origin", Reason.BAD_VALUE),
    ("flights(seat={\"a\": 1})", "flights", "seat", Reason.UNKNOWN_ARGUMENT),
    ("look" + " " * 9000, None, None, Reason.TOO_LONG),
])
def test_invalid_actions_carry_structured_fields(text, affordance, argument, reason):
    with pytest.raises(InvalidAction) as info:
        parse_command(text, AFFORDANCES)
    error = info.value
    assert (error.affordance, error.argument, error.reason) == (affordance, argument, reason)
    assert str(error) == error.message and error.message
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.affordance, copy.argument, copy.reason, str(copy)) == (affordance, argument, reason, str(error))


def test_check_command_validates_a_command_without_reading_text():
    command = Command("flights", {"origin": "Oslo", "destination": "Rome", "day": 3})
    assert check_command(command, AFFORDANCES) is command
    # Validated values that differ in type, case or order come back canonical.
    assert check_command(Command("go", {"direction": "NORTH"}), AFFORDANCES) == Command("go", {"direction": "north"})
    assert check_command(Command("flights", {"day": 3.0, "destination": "Rome", "origin": "Oslo"}),
                         AFFORDANCES).args == {"origin": "Oslo", "destination": "Rome", "day": 3}
    for bad, reason in [(Command("fly"), Reason.UNKNOWN_COMMAND), (Command("GO", {"direction": "north"}),
                                                                   Reason.UNKNOWN_COMMAND),
                        (Command("go", {"direction": "up"}), Reason.BAD_VALUE),
                        (Command("look", {"at": "me"}), Reason.UNKNOWN_ARGUMENT)]:
        with pytest.raises(InvalidAction) as info:
            check_command(bad, AFFORDANCES)
        assert info.value.reason == reason


def test_command_space_contains_valid_commands_and_any_text():
    space = CommandSpace(AFFORDANCES, max_length=64)
    assert space.contains(Command("go", {"direction": "north"}))
    assert not space.contains(Command("go", {"direction": "up"}))
    assert not space.contains(Command("fly"))
    assert space.contains("nonsense is a legal action") and not space.contains("x" * 65)
    assert not space.contains(3)
