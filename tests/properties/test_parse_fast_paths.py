"""The parser's one-walk readers agree with the plain definitions they stand for.

Each fast path (one walk over a reply's ``<`` for reasoning and action tags, one walk over its
colons for the last two ``Action:`` markers, one regex for a reply's leading command word, the
short forms of ``parse_command``) is checked against the slower reading it replaces, over
replies built from the pieces that trip parsers.
"""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from agentic_gym.core import (
    Affordance,
    Command,
    InvalidAction,
    enum_param,
    int_param,
    make_command,
    params,
    parse_command,
    string_param,
)
from agentic_gym.core.command import _json_scalar
from agentic_gym.core.text import in_charset
from agentic_gym.formats import vocabulary
from agentic_gym.formats.base import MAX_TAG_PROBES, Unscanned
from agentic_gym.formats.json_format import MAX_JSON_DEPTH, SHORT_JSON, shallow_enough
from agentic_gym.formats.react_format import MAX_COLON_PROBES, action_marker, action_markers
from agentic_gym.formats.reasoning import _drop_forward, drop_reasoning, read_markup
from agentic_gym.formats.xml_format import _last_tag_forward, last_tag

TAG_PIECES = ["<think>", "</think>", "<THINKING >", "</thinking>", "<reasoning>", "</Reasoning>", "<action>",
              "</action>", "<ACTION>", "<tool_call>", "</tool_call>", "<|ACTION|>", "<|/action|>", "<|END|>",
              "<|end|>", "<b>", "<", "</", "<t", "<|", "a < b", "go north", "look", "\n", " ", "x"]
COLON_PIECES = ["Action:", "action:", "**Action:**", "> Action:", "- action**:", "ACTION :", "Thought:", ":",
                "n:", "N:", "*:", '"name": "go"', "Action Input:", "\n", "\n", " ", "go north", "look",
                "  ", "-", "#", "*", "action", "xaction:", "Actions:"]


# Each case costs microseconds: many cases, so that rare shapes (a marker after many colons,
# a tag after a reasoning block) are met in every run.
MANY = settings(max_examples=300)


def pieces(alphabet: list[str], most: int = 40) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(alphabet), max_size=most).map("".join)


@MANY
@given(pieces(TAG_PIECES))
def test_one_walk_drops_reasoning_as_the_forward_pass_does(text):
    assert drop_reasoning(text) == _drop_forward(text)


# Action tags only (and one reasoning end): the shapes where the noted tag's bounds matter.
ACTION_TAG_PIECES = ["<action>", "</action>", "<tool_call>", "</tool_call>", "<|ACTION|>", "<|END|>",
                     "<|/action|>", "</think>", "go", " "]


@MANY
@given(st.one_of(pieces(TAG_PIECES), pieces(ACTION_TAG_PIECES, 12)))
def test_the_tag_noted_on_the_walk_is_the_last_tag_of_what_is_left(text):
    kept, tag = read_markup(text)
    if not isinstance(tag, Unscanned):
        assert tag == last_tag(kept) == _last_tag_forward(kept)


def test_the_walk_stops_after_its_probes_and_says_so():
    text = "<action>go north</action>" + "<b>" * (MAX_TAG_PROBES + 1)
    kept, tag = read_markup(text)
    assert kept == text and isinstance(tag, Unscanned)
    assert last_tag(kept) == ("action", len("<action>"), len("<action>go north"))


@MANY
@given(pieces(COLON_PIECES))
def test_one_walk_finds_the_last_two_markers(text):
    last, earlier = action_markers(text)
    assert last == action_marker(text)
    assert earlier == (action_marker(text, last) if last >= 0 else -1)
    if earlier >= 0:  # the marker before is on an earlier line
        assert "\n" in text[earlier:last]


def test_markers_past_the_colon_probes_are_found():
    padding = ' "k": 1,' * (2 * MAX_COLON_PROBES)
    text = f"Action: look\n{padding}\nAction: go north{padding}"
    last, earlier = action_markers(text)
    assert text[last - 6:last + 1] == "Action:" and text[earlier - 6:earlier + 1] == "Action:"
    assert earlier < last and (last, earlier) == (action_marker(text), action_marker(text, last))


VOCAB = vocabulary((
    Affordance("go", "Walk.", params(direction=enum_param("Where.", ["north", "south"]))),
    Affordance("pickup", "Pick up.", aliases=("pick up",)),
    Affordance("take_all", "Take all."),
    Affordance("take", "Take.", params(object=string_param("What.", max_length=12))),
))
WORD = re.compile(r"[A-Za-z0-9_]{1,64}")


@MANY
@given(st.one_of(st.text(alphabet="goGOpickupPICKUPtake_all TAKE-.,9\n", max_size=24),
                 pieces(["go", "GO", "take", "Take", "take_all", "all", "pick", "up", "pickup", "x", "9", "_", " ",
                         "-", "\n"], 6)))
def test_the_leading_command_regex_reads_the_leading_word(text):
    match = WORD.match(text)
    expected = match is not None and match.group().lower() in VOCAB.starts
    assert VOCAB.starts_command(text) is expected


SHORT_AFFORDANCES = (
    Affordance("go", "Walk.", params(direction=enum_param("Where.", ["north", "South", "up stairs"]))),
    Affordance("look", "Look."),
    Affordance("say", "Say.", params(text=string_param("Words.", max_length=8))),
    Affordance("note", "Note.", params(text=string_param("Free words."))),
    Affordance("jump", "Jump.", params(height=int_param("How high.", minimum=1, maximum=3))),
    Affordance("book", "Book.", params(required=["city"], city=string_param("City.", max_length=6),
                                       day=int_param("Day.", minimum=1, maximum=30))),
    Affordance("tune", "Tune.", params(required=[], level={"type": "number", "minimum": -5, "maximum": 5})),
    Affordance("wave", "Wave.", params(required=[], hand=enum_param("Which.", ["left", "right"]))),
)


def outcome(read):
    try:
        return read()
    except InvalidAction as error:
        return ("refused", error.reason, error.affordance, error.argument, str(error))


@MANY
@given(st.sampled_from([a.name for a in SHORT_AFFORDANCES]),
       st.text(alphabet="abcNORTHsouthup stairs 0123\t-", max_size=12))
def test_short_forms_read_as_the_validated_arguments(name, value):
    """``name value`` gives what ``make_command`` gives for the value parameter (or ``name`` alone)."""
    aff = next(a for a in SHORT_AFFORDANCES if a.name == name)
    text = f"{name} {value}"
    got = outcome(lambda: parse_command(text, SHORT_AFFORDANCES))
    rest = text.strip().partition(" ")[2].strip()
    if not rest:
        expected = outcome(lambda: make_command(name, {}, SHORT_AFFORDANCES))
    elif aff.value_parameter is not None:
        expected = outcome(lambda: make_command(name, {aff.value_parameter: rest}, SHORT_AFFORDANCES))
    else:
        return  # no short form: the general reading decides
    assert got == expected


SCALARS = st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.floats(allow_nan=False),
                    st.none())


@MANY
@given(st.dictionaries(st.sampled_from(["city", "day", "note", "x"]), SCALARS, max_size=3))
def test_a_commands_text_is_one_line_of_the_charset_with_json_values(args):
    """Tool envs label a call by its text without sanitising it; the values read back as JSON."""
    command = Command("book", args)
    text = str(command)
    assert in_charset(text) and "\n" not in text
    for value in args.values():
        assert _json_scalar(value) == json.dumps(value, ensure_ascii=True)


def test_text_too_short_for_a_value_too_deep_is_decoded_without_counting():
    """The shortest complete value one level too deep is SHORT_JSON characters: it is counted."""
    deepest = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
    assert len(deepest) == SHORT_JSON
    assert not shallow_enough(deepest) and not shallow_enough("x" + deepest, 1)
    assert shallow_enough(deepest[1:-1])
