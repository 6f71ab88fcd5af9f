"""parse_action: every format, the auto order, and the bad inputs of the issue."""

from __future__ import annotations

import json
import time

import pytest

from agentic_gym.core import Affordance, Command, InvalidAction, enum_param, int_param, params, string_param
from agentic_gym.wrappers import parse_action, render_action
from agentic_gym.wrappers.parse import FORMATS, MAX_REPLY_CHARS

AFFS = (
    Affordance("go", "Walk.", params(direction=enum_param("Where.", ["north", "south", "east", "west"]))),
    Affordance("look", "Look around."),
    Affordance("take", "Take a thing.", params(object=string_param("What."))),
    Affordance("send", "Send coins.", params(required=["to"], to=string_param("Who."),
                                             amount=int_param("How many.", minimum=0, maximum=99))),
)
GO_NORTH = Command("go", {"direction": "north"})


def parse(output, format="auto", **options):
    return parse_action(output, AFFS, format, **options)


def error_of(output, format="auto") -> str:
    with pytest.raises(InvalidAction) as info:
        parse(output, format)
    return str(info.value)


@pytest.mark.parametrize("reply, format", [
    ('{"name": "go", "arguments": {"direction": "north"}}', "json"),
    ('Sure.\n```json\n{"name": "go", "arguments": {"direction": "north"}}\n```', "json"),
    ('{"action": "go north"}', "json"),
    ('{"function": {"name": "go", "arguments": "{\\"direction\\": \\"north\\"}"}}', "json"),
    ("<action>go north</action>", "xml"),
    ("I will walk.\n<action> go North </action>", "xml"),
    ('<tool_call>{"name": "go", "arguments": {"direction": "north"}}</tool_call>', "xml"),
    ("<action>go north", "xml"),  # the stop sequence ate the closing tag
    ("Thought: the exit is north.\nAction: go north", "react"),
    ("Action: go\nAction Input: north", "react"),
    ('Action: go\nAction Input: {"direction": "north"}', "react"),
    ("**Action:** go north", "react"),
    ("go north", "text"),
    ("Let me think.\nThe exit is that way.\n`go north`", "text"),
    ("I'll go north now.", "text"),
    ("go north quickly", "text"),
    ("go north.", "text"),
    ("Action: [go north]", "react"),
    ('{"tool": "go", "tool_input": {"direction": "north"}}', "json"),
    ("North.", "text"),
])
def test_each_format_and_auto_read_the_reply(reply, format):
    assert parse(reply, format) == GO_NORTH
    assert parse(reply) == GO_NORTH


def test_tool_call_messages():
    message = render_action(GO_NORTH, "tool_call")
    assert parse(message, "tool_call") == GO_NORTH
    assert parse(message) == GO_NORTH
    with pytest.raises(InvalidAction, match="tool"):
        parse(message, "text")
    with pytest.raises(InvalidAction, match="Call one of the provided tools"):
        parse({"role": "assistant", "content": "go north"}, "tool_call")
    # Without tool calls a message's content is read like text.
    assert parse({"role": "assistant", "content": [{"type": "text", "text": "Action: go north"}]}) == GO_NORTH


@pytest.mark.parametrize("arguments", ["", "null", "[1, 2]", '"north"', "{", '{"direction": "north"} tail', "{}"])
def test_a_malformed_tool_call_is_reported_and_never_run_with_empty_args(arguments):
    call = {"id": "c1", "type": "function", "function": {"name": "go", "arguments": arguments}}
    message = error_of({"role": "assistant", "content": None, "tool_calls": [call]})
    assert "go" in message


def test_a_tool_without_parameters_accepts_empty_arguments():
    call = {"id": "c1", "type": "function", "function": {"name": "look", "arguments": ""}}
    assert parse({"role": "assistant", "tool_calls": [call]}) == Command("look")


def test_several_tool_calls_are_refused():
    call = {"id": "c1", "type": "function", "function": {"name": "look", "arguments": "{}"}}
    assert "one tool per turn" in error_of({"role": "assistant", "tool_calls": [call, dict(call, id="c2")]})


def test_auto_order_first_marker_decides():
    # An explicit tag wins over a later Action line, and its error is reported (no fuzzy guess).
    assert parse("<action>look</action>\nAction: go north") == Command("look")
    assert "Unknown command" in error_of("<action>fly north</action> go north")
    # A react line wins over JSON in the same reply.
    assert parse('{"name": "look"}\nAction: go north') == GO_NORTH
    # Several Action lines naming different commands are a plan: refused. The same command
    # again, or an earlier Action line of prose, leaves one action.
    assert "One action per turn" in error_of("Action: look\nThought: no.\nAction: go north")
    assert parse("Action: go north\nThought: yes, north.\nAction: go north") == GO_NORTH
    assert parse("Action: not sure yet\nThought: the exit is north.\nAction: go north") == GO_NORTH
    # The last of several actions wins in the tag and JSON formats.
    assert parse('{"name": "look"} then {"name": "go", "arguments": {"direction": "north"}}') == GO_NORTH
    assert parse("<action>look</action> <action>go north</action>") == GO_NORTH
    # JSON that names no action falls through to text.
    assert parse('The set {"a": 1} is small.\ngo north') == GO_NORTH
    # A reasoning block is dropped first.
    assert parse("<think>Action: look</think>\nAction: go north") == GO_NORTH


def test_a_command_that_does_not_parse_keeps_its_own_error():
    assert "must be one of" in error_of("go up the stairs")
    assert "must be one of" in error_of("Action: go up")


def test_fuzzy_text_needs_exactly_one_match():
    assert parse("I think I should look around.") == Command("look")
    assert "several actions" in error_of("I could go north or go south.")
    assert "No action found" in error_of("The weather is nice today, I think.")
    # A bare value counts only in a short reply.
    assert "No action found" in error_of("there is a long road that heads somewhere to the north of the old barn")


@pytest.mark.parametrize("bad", [
    "", "   ", "\x00" * 50, "\ud800\udfff\ud800", "x" * (MAX_REPLY_CHARS + 1),
    "{" * 100_000, "[" * 99_000, "<action>" * 12_000, "<tool_call>" * 9_000,
    '{"name": "go", "arguments": ' + "[" * 90_000, '{"name": "go", "arguments": {"direction": ' + "9" * 5000 + "}}",
    '{"name": "send", "arguments": {"to": "bo", "amount": 1e999}}',
    '{"name": "go", "arguments": null}', '{"name": "go", "arguments": ""}', '{"name": "go", "arguments": [1]}',
    '{"name": "go", "arguments": "north"}', "Action:", "Action: go\nAction Input: {", "<action></action>",
    '{"name": "go", "arguments": ' + "[" * 49_000 + "]" * 49_000 + "}",
    '"' * 1000, "\\" * 1000, "`" * 1000, "Action: " + "(" * 5000,
    # 99 KB of alternating Action lines: a plan, refused after a bounded look back.
    "Action: look\nAction: go north\n" * 3300,
    # A value missing inside an object (the C scanner's StopIteration, not a JSONDecodeError).
    '{"name": "go", "arguments": {"direction": }}', 'Text {"name": [1, ]}', "<tool_call>{\"name\": -}</tool_call>",
    b"go north", None, 42, ["go north"], {"role": "user", "content": "go north"},
    {"role": "assistant", "tool_calls": "go north"}, {"role": "assistant", "tool_calls": [None]},
    {"role": "assistant", "tool_calls": [{"function": {"name": 3}}]},
])
def test_bad_input_gives_an_actionable_invalid_action(bad):
    started = time.perf_counter()
    message = error_of(bad)
    assert time.perf_counter() - started < 1.0
    assert 10 < len(message) < 3000
    assert message.isascii()


def test_a_ten_megabyte_reply_is_refused_fast():
    hostile = '{"name": "go", "arguments": ' * 400_000
    started = time.perf_counter()
    error_of(hostile[:10_000_000])
    assert time.perf_counter() - started < 1.0


def test_huge_but_allowed_replies_still_parse():
    reply = "Thinking. " * 9000 + "\nAction: go north"
    assert len(reply) < MAX_REPLY_CHARS
    assert parse(reply) == GO_NORTH


@pytest.mark.parametrize("format", FORMATS)
def test_render_round_trip_with_awkward_arguments(format):
    texts = ["<action>look</action>", "Action: look", '{"name": "look"}', "a\nb", " padded ", "</think>",
             "x{y}z", "\u00e9\ud800"]
    for text in texts:
        command = Command("take", {"object": text})
        rendered = render_action(command, "tool_call" if format == "tool_call" else format)
        assert parse(rendered) == command, rendered
        assert parse(rendered, format) == command, rendered
    # A required string is never empty (minLength 1), however it is written.
    for text in ("", "   "):
        rendered = render_action(Command("take", {"object": text}), "tool_call" if format == "tool_call" else format)
        with pytest.raises(InvalidAction, match="object"):
            parse(rendered, format)


@pytest.mark.parametrize("reply", [
    "Action: take\nAction Input:", "Action: take\nAction Input:   \n", "Action: take\nAction Input: {}",
    'Action: take\nAction Input: {"object": ""}', "<action>take </action>", 'take(object="")', "take ",
    {"role": "assistant", "content": None, "tool_calls": [
        {"id": "c", "type": "function", "function": {"name": "take", "arguments": '{"object": "  "}'}}]},
])
def test_a_cut_off_reply_never_sends_an_empty_required_argument(reply):
    with pytest.raises(InvalidAction) as info:
        parse(reply)
    assert info.value.affordance == "take" and info.value.argument == "object"


def test_unknown_format_is_a_programming_error():
    with pytest.raises(ValueError):
        parse("go north", "yaml")


def test_json_argument_strings_decode_only_objects():
    blob = json.dumps({"name": "send", "arguments": json.dumps({"to": "ann", "amount": 3})})
    assert parse(blob) == Command("send", {"to": "ann", "amount": 3})


def test_message_objects_of_openai_style_clients_are_read_as_dicts():
    class Message:
        def model_dump(self, exclude_none=False):
            message = render_action(GO_NORTH, "tool_call")
            return {k: v for k, v in message.items() if v is not None or not exclude_none}

    assert parse(Message()) == GO_NORTH


def test_listed_commands_help_read_free_text():
    listed = ["take red key", "take blue key", "go north", "look"]
    assert parse("I will take the red key now.", commands=listed) == Command("take", {"object": "red key"})
    assert "No action found" in error_of("I will take the red key now.")
    with pytest.raises(InvalidAction, match="several actions"):
        parse("Should I take the red key or take the blue key?", commands=listed)
