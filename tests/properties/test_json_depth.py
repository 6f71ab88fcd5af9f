"""Deep JSON never reaches a recursive decoder: depths 1..5,000 through parse_action and ChatEnv.step.

``json`` (and any recursive reader of its result) raises ``RecursionError`` near 1,000 levels
and accepts everything below; the parser must measure the depth first and refuse anything past
``MAX_JSON_DEPTH`` with an ``InvalidAction``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import pytest

import agentic_gym
from agentic_gym.core import Command, InvalidAction
from agentic_gym.formats import MAX_JSON_DEPTH, parse_action

ENV_ID = "agentic_gym/TravelDesk-Easy-v0"
AFFORDANCES = gym.make(ENV_ID).unwrapped.affordances
CALENDAR = Command("calendar", {"day": 1})
DEPTHS = range(1, 5001)


def chain(depth: int) -> str:
    """``{"function": {"function": ... {"name": "calendar", "arguments": {"day": 1}} ...}}``: depth + 2 levels."""
    return '{"function": ' * depth + '{"name": "calendar", "arguments": {"day": 1}}' + "}" * depth


def tool_call(arguments: str) -> dict[str, Any]:
    return {"role": "assistant", "content": None,
            "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "calendar", "arguments": arguments}}]}


#: name -> (reply at a depth, the nesting depth of its JSON, whether it names a valid action at all)
SHAPES: dict[str, tuple[Callable[[int], Any], Callable[[int], int], bool]] = {
    "function chain": (chain, lambda d: d + 2, True),
    "function chain in a tool_call tag": (lambda d: f"<tool_call>{chain(d)}</tool_call>", lambda d: d + 2, True),
    "function chain in a fenced block": (lambda d: f"Here it is.\n```json\n{chain(d)}\n```", lambda d: d + 2, True),
    "tool call arguments": (lambda d: tool_call('{"day": ' + "[" * d + "1" + "]" * d + "}"), lambda d: d + 1, False),
    "tool call chain as arguments": (lambda d: tool_call(chain(d)), lambda d: d + 2, False),
    "react action input": (lambda d: "Action: calendar\nAction Input: " + '{"day": ' + '{"a": ' * d + "1"
                           + "}" * d + "}", lambda d: d + 1, False),
    "call form": (lambda d: "calendar(day=" + "[" * d + "1" + "]" * d + ")", lambda d: d, False),
    "bare lists": (lambda d: "[" * d + "]" * d, lambda d: d, False),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_parse_action_refuses_deep_json_at_every_depth(shape):
    make, nesting, names_an_action = SHAPES[shape]
    for depth in DEPTHS:
        try:
            command = parse_action(make(depth), AFFORDANCES)
        except InvalidAction:
            assert not names_an_action or nesting(depth) > MAX_JSON_DEPTH, (shape, depth)
        else:
            # Accepted only within the documented limit, and then read right.
            assert names_an_action and nesting(depth) <= MAX_JSON_DEPTH and command == CALENDAR, (shape, depth)


def test_chat_env_steps_through_deep_json_at_every_depth():
    env = agentic_gym.chat(ENV_ID, history=1, max_invalid=10**9)
    env.reset(seed=0)
    accepted = 0
    for depth in DEPTHS:
        # The chain as text is an action within the limit; as a tool call's arguments it never is.
        for reply, valid in ((chain(depth), depth + 2 <= MAX_JSON_DEPTH), (tool_call(chain(depth)), False)):
            _, _, terminated, truncated, info = env.step(reply)
            assert info["action_valid"] is valid, (depth, info["parse_error"])
            if valid:
                accepted += 1
                assert info["command"] == CALENDAR
            else:
                assert info["command"] is None and info["parse_error"]
            if terminated or truncated:
                env.reset(seed=depth)
    assert accepted == MAX_JSON_DEPTH - 2
