"""ASCII text rules, CommandSpace and ChatMessages."""

from __future__ import annotations

import copy
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentic_gym.core import (
    CHARSET,
    Affordance,
    ChatMessages,
    CommandSpace,
    enum_param,
    int_param,
    params,
    parse_command,
    quote,
    sanitize,
    string_param,
    text_space,
    tool_schemas,
)
from agentic_gym.core.text import in_charset

AFFORDANCES = (
    Affordance("go", "Walk.", params(direction=enum_param("Where.", ["north", "south"]))),
    Affordance("take", "Take.", params(object=string_param("What.", examples=["red key", "old book"]))),
    Affordance("calendar", "Meetings.", params(day=int_param("Day.", minimum=1, maximum=7)), kind="tool"),
    Affordance("look", "Look."),
)


@given(st.text(max_size=200), st.integers(0, 100))
def test_sanitize_output_is_in_charset_and_clipped(text, limit):
    out = sanitize(text, limit)
    assert len(out) <= limit
    assert set(out) <= set(CHARSET)
    assert text_space(limit).contains(out)


@given(st.text(alphabet=CHARSET, max_size=100))
def test_sanitize_keeps_charset_text(text):
    assert sanitize(text) == text


# Text near the charset's edges: control characters, DEL, Latin-1, a lone surrogate.
EDGE_TEXT = st.text(alphabet=st.sampled_from([*"az AZ09~!\n", "\t", "\r", "\x00", "\x1f", "\x7f", "\x80",
                                              "\u00e9", "\u2028", "\ud800", "\U0001f600"]), max_size=60)


@given(EDGE_TEXT)
def test_the_charset_test_is_set_membership(text):
    assert in_charset(text) is (set(text) <= set(CHARSET))
    assert CommandSpace(AFFORDANCES, max_length=60).contains(text) is (set(text) <= set(CHARSET))


@given(EDGE_TEXT)
def test_sanitize_replaces_exactly_the_characters_outside_the_charset(text):
    expected = "".join(c if c in CHARSET else "?" for c in text.replace("\r\n", "\n").replace("\r", "\n")
                       .replace("\t", " "))
    assert sanitize(text) == expected


def test_sanitize_maps_formatting_and_foreign_characters():
    assert sanitize("a\tb\r\nc\rd") == "a b\nc\nd"
    assert sanitize("\u00e9\x00\x7f\ud800") == "????"


def test_quote_is_bounded_and_single_line():
    quoted = quote("line one\nline two " + "x" * 100)
    assert quoted.startswith('"line one line two') and quoted.endswith('..."')
    assert len(quoted) <= 42


def test_command_space_samples_valid_commands():
    space = CommandSpace(AFFORDANCES, max_length=64, seed=3)
    for _ in range(200):
        text = space.sample()
        assert space.contains(text)
        parse_command(text, AFFORDANCES)  # raises if invalid


def test_command_space_sample_with_mask_and_seeding():
    space = CommandSpace(AFFORDANCES, seed=1)
    assert space.sample(mask=["look", "go north"]) in ("look", "go north")
    first = [CommandSpace(AFFORDANCES, seed=9).sample() for _ in range(1)]
    again = [CommandSpace(AFFORDANCES, seed=9).sample() for _ in range(1)]
    assert first == again


def test_command_space_contains_any_charset_string_within_length():
    space = CommandSpace(AFFORDANCES, max_length=10)
    assert space.contains("nonsense")
    assert not space.contains("x" * 11)
    assert not space.contains("caf\u00e9")
    assert not space.contains(3)


def test_command_space_equality_pickle_and_copy():
    space = CommandSpace(AFFORDANCES, max_length=64)
    assert space == CommandSpace(AFFORDANCES, max_length=64)
    assert space != CommandSpace(AFFORDANCES[:2], max_length=64)
    assert space != CommandSpace(AFFORDANCES, max_length=65)
    assert pickle.loads(pickle.dumps(space)) == space
    assert copy.deepcopy(space) == space


def test_chat_messages_space():
    space = ChatMessages(seed=0)
    messages = [
        {"role": "system", "content": "Play."},
        {"role": "user", "content": [{"type": "text", "text": "hi"},
                                     {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]},
        {"role": "assistant", "content": "go north"},
        {"role": "tool", "content": "42", "tool_call_id": "call_1"},
    ]
    assert space.contains(messages)
    assert space.contains(space.sample())
    assert not space.contains([{"role": "robot", "content": "x"}])
    assert not space.contains([{"role": "user"}])
    assert not space.contains("hello")
    assert not space.contains([{"role": "user", "content": [{"type": "audio"}]}])


def test_tool_schemas_are_openai_function_tools():
    schemas = tool_schemas(AFFORDANCES)
    assert [s["function"]["name"] for s in schemas] == ["go", "take", "calendar", "look"]
    take = schemas[1]["function"]["parameters"]
    assert take["required"] == ["object"] and take["additionalProperties"] is False
    assert "examples" not in take["properties"]["object"]


@pytest.mark.parametrize("aff", AFFORDANCES)
def test_describe_names_usage_and_arguments(aff):
    text = aff.describe()
    assert text.startswith(aff.usage())
    for key in aff.properties:
        assert key in text
