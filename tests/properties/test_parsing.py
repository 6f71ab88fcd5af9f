"""Properties of parse_action and the calculator: round trips, totality, linear time, agreement."""

from __future__ import annotations

import json
import math
import operator
import re
import time
from functools import cache

import gymnasium as gym
import pytest
from hypothesis import given
from hypothesis import strategies as st

import agentic_gym  # noqa: F401  (registers the environments)
from agentic_gym.core import (
    Affordance,
    CalculatorError,
    Command,
    InvalidAction,
    Reason,
    calculate,
    check_command,
    enum_param,
    int_param,
    params,
    parse_command,
    string_param,
    validate_args,
)
from agentic_gym.envs import registered_ids
from agentic_gym.wrappers import parse_action, render_action
from agentic_gym.wrappers.parse import FORMATS, MAX_REPLY_CHARS

# Affordances with every kind of parameter, next to those of the registered envs.
SAMPLE_AFFORDANCES = (
    Affordance("go", "Walk.", params(direction=enum_param("Where.", ["north", "south", "up stairs"]))),
    Affordance("look", "Look."),
    Affordance("say", "Say.", params(text=string_param("Words.", max_length=80))),
    Affordance("book", "Book.", params(required=["city", "day"], city=string_param("City."),
                                       day=int_param("Day.", minimum=1, maximum=30), note=string_param("Note."))),
    Affordance("tune", "Tune.", params(level={"type": "number", "minimum": -5, "maximum": 5},
                                       loud={"type": "boolean", "description": "Loud?"})),
)


@cache
def affordances_of(env_id: str) -> tuple[Affordance, ...]:
    env = gym.make(env_id)
    try:
        return tuple(env.unwrapped.affordances)
    finally:
        env.close()


AFFORDANCE_SETS = [pytest.param(SAMPLE_AFFORDANCES, id="sample")] + [
    pytest.param(env_id, id=env_id.split("/")[-1]) for env_id in registered_ids()
]

awkward_text = st.lists(
    st.one_of(st.characters(), st.sampled_from(list('<>{}[]"\\`:\n\t ') + ["Action:", "</think>", "<action>"])),
    max_size=20,
).map("".join)


def value_for(prop: dict) -> st.SearchStrategy:
    kind = prop["type"]
    if kind == "string":
        if "enum" in prop:
            return st.sampled_from(prop["enum"])
        examples = st.sampled_from(prop["examples"]) if prop.get("examples") else st.nothing()
        text = awkward_text
        if "maxLength" in prop:
            text = text.filter(lambda s, n=prop["maxLength"]: len(s) <= n)
        if prop.get("minLength"):  # a required string: never empty or only whitespace
            text = text.filter(lambda s, n=prop["minLength"]: len(s) >= n and not s.isspace())
        return st.one_of(examples, text)
    if kind == "boolean":
        return st.booleans()
    low, high = prop.get("minimum", -10**6), prop.get("maximum", 10**6)
    if kind == "integer":
        return st.integers(min_value=int(low), max_value=int(high))
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


@st.composite
def commands(draw, affordances: tuple[Affordance, ...]) -> Command:
    aff = draw(st.sampled_from(affordances))
    args = {}
    for key, prop in aff.properties.items():
        if key in aff.required or draw(st.booleans()):
            args[key] = draw(value_for(prop))
    return Command(aff.name, validate_args(aff, args))


@pytest.mark.parametrize("source", AFFORDANCE_SETS)
def test_round_trip_every_format_every_affordance(source):
    affordances = source if isinstance(source, tuple) else affordances_of(source)

    @given(command=commands(affordances), format=st.sampled_from(FORMATS))
    def round_trip(command, format):
        rendered = render_action(command, format)
        assert parse_action(rendered, affordances) == command
        assert parse_action(rendered, affordances, format) == command

    round_trip()
    # Every affordance at least once, whatever Hypothesis drew.
    for aff in affordances:
        args = {k: v.get("enum", v.get("examples", ["x"]))[0] if v["type"] == "string" else
                (v.get("minimum", 1) if v["type"] != "boolean" else True)
                for k, v in aff.properties.items() if k in aff.required}
        command = Command(aff.name, validate_args(aff, args))
        for format in FORMATS:
            assert parse_action(render_action(command, format), affordances) == command


SAMPLE_NAMES = {a.name: a for a in SAMPLE_AFFORDANCES}


def outcome(output, format="auto") -> Command | str:
    """The command read from ``output``, or the error message; either is checked for what it promises.

    A command is valid for the affordances and canonical (its text reads back to it); an
    error says what was wrong in short ASCII and its structured fields name only real
    affordances and arguments.
    """
    try:
        command = parse_action(output, SAMPLE_AFFORDANCES, format)
    except InvalidAction as error:
        message = str(error)
        assert message and message.isascii() and len(message) <= 2000, message
        assert isinstance(error.reason, Reason), error.reason
        if error.affordance is not None:
            assert error.affordance in SAMPLE_NAMES, error.affordance
            if error.argument is not None and error.reason is not Reason.UNKNOWN_ARGUMENT:
                assert error.argument in SAMPLE_NAMES[error.affordance].properties, error.argument
        return message
    assert type(command) is Command
    assert check_command(command, SAMPLE_AFFORDANCES) is command  # valid and already canonical
    assert parse_command(str(command), SAMPLE_AFFORDANCES) == command
    return command


@given(st.text(), st.sampled_from(FORMATS))
def test_total_over_text(text, format):
    result = outcome(text, format)
    if format in ("json", "xml", "react", "tool_call"):
        # A format that was asked for reads an action only from its own markers.
        markers = {"json": "{", "xml": "<", "react": ":", "tool_call": "{"}[format]
        assert isinstance(result, str) or markers in text, (text, result)


@given(st.binary(max_size=400), st.sampled_from(["utf-8", "latin-1", "utf-16"]))
def test_total_over_decoded_bytes(data, codec):
    text = data.decode(codec, errors="surrogateescape" if codec == "utf-8" else "replace")
    result = outcome(text)
    if isinstance(result, Command):
        # Free text yields a command only when it names one (its name or one of its enum values).
        words = " ".join(re.findall(r"[a-z0-9_]+", text.lower()))
        named = [result.name, *(" ".join(re.findall(r"[a-z0-9_]+", str(v).lower())) for v in result.args.values())]
        assert any(name and name in words for name in named), (text, result)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


@given(json_values, st.sampled_from(["go", "book", "tune", "nope"]))
def test_total_over_recursive_json(value, name):
    for blob in (json.dumps(value), json.dumps({"name": name, "arguments": value}),
                 json.dumps({"name": name, "arguments": json.dumps(value)})):
        assert isinstance(outcome(blob), (Command, str))
        assert isinstance(outcome(f"<tool_call>{blob}</tool_call>"), (Command, str))
    call = {"id": "c", "type": "function", "function": {"name": name, "arguments": json.dumps(value)}}
    result = outcome({"role": "assistant", "content": None, "tool_calls": [call]})
    if not isinstance(value, dict):
        assert isinstance(result, str)  # never run with {} in place of bad arguments


HOSTILE = {
    "open braces": lambda n: "{" * n,
    "open brackets in an object": lambda n: '{"name": "go", "arguments": ' + "[" * n,
    "unclosed tags": lambda n: "<action>" * (n // 8),
    "unclosed tool tags": lambda n: "<tool_call>{" * (n // 12),
    "quotes": lambda n: '{"' * (n // 2),
    "backslashes in a string": lambda n: '{"name": "' + "\\" * n,
    "action words": lambda n: "action:" * (n // 7),
    "action lines": lambda n: "\nAction:" * (n // 8),
    "action inputs": lambda n: "Action: go\nAction Input: " + "{" * n,
    "empty objects": lambda n: "{}" * (n // 2),
    "action objects": lambda n: '{"name": "look"}' * (n // 16),
    "backticks": lambda n: "`" * n,
    "words": lambda n: "go north south look " * (n // 20),
    "newlines": lambda n: "\n" * n,
    "think tags": lambda n: "<think>" * (n // 7),
    "closed think tags": lambda n: "<think></think>" * (n // 15),
    "reasoning then special tokens": lambda n: "<reasoning>x</reasoning><|ACTION|>" * (n // 34),
    "harmony channels": lambda n: "<|channel|>final<|message|>look" * (n // 31),
    "a plan of lines": lambda n: "look\n" * (n // 5),
    "negated mentions": lambda n: "not go north " * (n // 13),
    "aliases": lambda n: "pick up the " * (n // 12),
    "digits": lambda n: '{"name": "book", "arguments": {"day": ' + "9" * n + "}}",
}


def best_time(text: str, runs: int = 5) -> float:
    """Best CPU time of several runs: CPU time ignores preemption on a shared machine."""
    best = math.inf
    for _ in range(runs):
        started = time.thread_time()
        outcome(text)
        best = min(best, time.thread_time() - started)
    return best


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_linear_time_on_hostile_input(name):
    make = HOSTILE[name]
    # Both sizes lie above the first-level CPU cache (where per-access costs jump once).
    size = MAX_REPLY_CHARS * 12 // 25
    small, large = make(size), make(2 * size)
    assert len(large) <= MAX_REPLY_CHARS
    t_small, t_large = best_time(small), best_time(large)
    # 50 us of slack keeps timer noise on microsecond-scale cases from deciding.
    assert t_large <= 2.5 * t_small + 5e-5, (name, t_small, t_large)
    assert t_large < 0.25


# ---- the calculator ------------------------------------------------------------------------

OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "//": operator.floordiv, "%": operator.mod,
       "/": operator.truediv}


@st.composite
def expressions(draw, depth: int = 0) -> tuple[str, object]:
    """(expression text, its value computed by the operator module) for safe expressions."""
    if depth >= 4 or draw(st.booleans()):
        number = draw(st.integers(min_value=0, max_value=10**6))
        return str(number), number
    left_text, left = draw(expressions(depth + 1))
    right_text, right = draw(expressions(depth + 1))
    op = draw(st.sampled_from(sorted(OPS)))
    if op in ("//", "%", "/") and right == 0:
        op = "+"
    if draw(st.booleans()):
        return f"-({left_text})", -left
    return f"({left_text}) {op} ({right_text})", OPS[op](left, right)


@given(expressions())
def test_calculator_agrees_with_python(case):
    text, expected = case
    assert calculate(text) == expected


OVER_LIMIT = [
    "1+" * 600 + "1",  # over 1000 characters
    "+".join(["1"] * 150),  # over 200 nodes
    "(" * 40 + "1" + ")" * 40,  # deeper than 32
    "-" * 33 + "1",
    "9**9**9",
    "2**5000",
    "(10**1000)*(10**1000)*(10**1000)*(10**1000)*(10**1000)",
    "10.0**400",
    "exp(1000)",
    "__import__('os').system('true')",
    "[1]*10**9",
    "'a'*10**9",
    "(lambda: 1)()",
    "1 if 1 else 2",
    "abs(-(2**4095)) * 4",
    "round(5, -10000000)",  # would compute 10 ** 10000000
]


@pytest.mark.parametrize("expression", OVER_LIMIT)
def test_calculator_rejects_over_limit_fast(expression):
    started = time.process_time()
    with pytest.raises(CalculatorError):
        calculate(expression)
    assert time.process_time() - started < 0.01


@pytest.mark.parametrize("value", ["0*", 'x"', "it's'", "a -", "b>", "c`"])
def test_values_ending_in_line_decoration_round_trip_in_every_format(value):
    # Readers strip `* " ' > - and backticks around an action line; such values take the call form.
    affordances = (Affordance("note", "Note.", params(text=string_param("t")), kind="memory"),)
    command = Command("note", {"text": value})
    for format in FORMATS:
        assert parse_action(render_action(command, format), affordances) == command
