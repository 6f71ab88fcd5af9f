"""A reply is parsed once per turn: the Command crosses every layer below the parser.

Every binding of ``parse_action`` and ``parse_command`` in the package is replaced by a
counting spy, and every env's ``read_command`` records what it was given; then a chat env
of each family is driven by its oracle through replies in several formats.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import gymnasium as gym
import pytest
from gymnasium import spaces

import agentic_gym
import agentic_gym.wrappers
from agentic_gym.core import AgenticEnv, Command
from agentic_gym.core import command as command_module
from agentic_gym.envs import registered_ids
from agentic_gym.formats import parse_action as original_parse_action

ORIGINAL_PARSE_COMMAND = command_module.parse_command

ENVS = {
    "grid": ("agentic_gym/GridKeyDoor-6x6-v0", {}),
    "text": ("agentic_gym/TextAdventure-3rooms-v0", {}),
    "tool": ("agentic_gym/TravelDesk-Medium-v0", {}),
    "text with notes and tools": ("agentic_gym/TextAdventure-3rooms-v0", {"notes": True, "tools": ["calculator"]}),
    "grid with notes": ("agentic_gym/GridKeyDoor-6x6-v0", {"notes": True}),
}


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Counter[str], list[Any]]]:
    """Counts of ``parse_action`` / ``parse_command`` calls and the actions ``read_command`` received."""
    counts: Counter[str] = Counter()
    received: list[Any] = []

    def spy(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return function(*args, **kwargs)
        return counted

    spies = {original_parse_action: spy("parse_action", original_parse_action),
             ORIGINAL_PARSE_COMMAND: spy("parse_command", ORIGINAL_PARSE_COMMAND)}
    patched = set()
    for module in list(sys.modules.values()):
        if module is None or not getattr(module, "__name__", "").startswith("agentic_gym"):
            continue
        for attribute in ("parse_action", "parse_command"):
            bound = getattr(module, attribute, None)
            if bound in spies:
                monkeypatch.setattr(module, attribute, spies[bound])
                patched.add(module.__name__)
    # Every module on the step path that binds one of the names is spied on.
    assert {"agentic_gym.core.env", "agentic_gym.formats.base", "agentic_gym.wrappers.parse",
            "agentic_gym.wrappers.extension"} <= patched

    original_read = AgenticEnv.read_command

    def read_command(self: AgenticEnv, action: Any, *args: Any, **kwargs: Any) -> Command:
        received.append(action)
        return original_read(self, action, *args, **kwargs)

    monkeypatch.setattr(AgenticEnv, "read_command", read_command)
    yield counts, received


def _replies(oracle: str, turn: int, env: agentic_gym.wrappers.ChatEnv) -> Any:
    """The oracle's action written as a model would, in a format chosen by the turn."""
    style = turn % 3
    if style == 0:
        return f"Thought: I follow the plan.\nAction: {oracle}"
    if style == 1:
        return f"<think>Maybe something else.</think>\n<action>{oracle}</action>"
    command = ORIGINAL_PARSE_COMMAND(oracle, env.affordances)  # outside the counted calls
    return {"role": "assistant", "content": None, "tool_calls": [
        {"id": f"call_{turn}", "type": "function",
         "function": {"name": command.name, "arguments": json.dumps(dict(command.args))}}]}


@pytest.mark.parametrize("family", list(ENVS))
def test_a_reply_is_parsed_exactly_once_per_turn(family, calls):
    counts, received = calls
    env_id, options = ENVS[family]
    env = agentic_gym.chat(env_id, **options)
    env.reset(seed=1)
    turns = 0
    for turn in range(60):
        oracle = env.oracle_action()
        reply = _replies(oracle, turn, env)
        counts.clear()
        received.clear()
        _, _, terminated, truncated, info = env.step(reply)
        turns += 1
        assert info["action_valid"], info["parse_error"]
        assert counts["parse_action"] == 1, (turn, reply, counts)
        # Text replies are read by one parse of the command text; a tool call by none (it is a name
        # and JSON arguments), and nothing below the parser parses again.
        assert counts["parse_command"] == (0 if isinstance(reply, dict) else 1), (turn, reply, counts)
        assert type(info["command"]) is Command and str(info["command"]) == info["parsed_action"]
        # The env was handed the Command (text and tool envs) or an index (grid envs), never text.
        assert all(type(action) is Command for action in received), received
        if terminated or truncated:
            break
    assert turns >= 3
    assert info["success"], f"{family}: the oracle did not finish in 60 turns"


def test_notes_are_answered_from_the_command_without_a_second_parse(calls):
    counts, received = calls
    env = agentic_gym.chat("agentic_gym/TextAdventure-3rooms-v0", notes=True)
    env.reset(seed=0)
    counts.clear()
    _, _, _, _, info = env.step("Action: note the key is in the hall")
    assert info["free_turn"] and info["action_valid"]
    assert info["command"] == Command("note", {"text": "the key is in the hall"})
    assert counts == Counter({"parse_action": 1, "parse_command": 1}) and received == []


@pytest.mark.parametrize("env_id", registered_ids())
def test_every_env_reports_the_command_it_carried_out(env_id):
    env = gym.make(env_id)
    base = env.unwrapped
    env.reset(seed=0)
    if isinstance(env.action_space, spaces.Discrete):
        index = int(base.oracle_action())
        _, _, _, _, first = env.step(index)
        _, _, _, _, second = env.step(index)
        assert first["command"] == Command(base.affordances[index].name)
        assert first["command"] is second["command"]  # made once per action index, not per step
        return
    command = ORIGINAL_PARSE_COMMAND(base.oracle_action(), base.affordances)
    _, _, _, _, info = env.step(command)
    assert info["command"] is command and info["action_valid"]  # a valid Command is used as it is
    _, _, terminated, truncated, info = env.step("!!! not a command")
    assert info["command"] is None and info["action_valid"] is False
    if not (terminated or truncated):
        _, _, _, _, info = env.step(2.5)
        assert info["command"] is None and info["action_valid"] is False
