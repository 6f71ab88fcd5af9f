"""``info["admissible_commands"]`` never carries information the observation does not.

For every registered env, on oracle and random episodes, every argument of every listed
command is a placeholder (``<expression>``), a value of the parameter's fixed schema
(``enum`` or ``examples``: the same in every episode), or made of words the current
``obs["text"]`` shows (``unlock north door with red key`` is read as its parts).
"""

from __future__ import annotations

import re

import gymnasium as gym
import pytest

import agentic_gym  # noqa: F401  (registers the environments)
from agentic_gym.core import Command, parse_command
from agentic_gym.envs import registered_ids
from agentic_gym.envs.tool.tool_math import ADMISSIBLE_TEMPLATES

IDS = registered_ids()
_PLACEHOLDER = re.compile(r"<[a-z _-]+>")
_CONNECTIVES = frozenset({"with", "in", "on"})
_WORD = re.compile(r"[^\s,;:!?()\"]+")


def _words(text: str) -> set[str]:
    return {w.lower().rstrip(".") for w in _WORD.findall(text)}


def unsupported_arguments(command: Command, affordances, text: str) -> list[str]:
    """The argument values of ``command`` that neither the schema nor ``text`` accounts for."""
    affordance = next(a for a in affordances if a.name == command.name)
    shown = _words(text)
    missing = []
    for key, value in command.args.items():
        schema = affordance.parameters["properties"][key]
        if value in schema.get("enum", ()) or value in schema.get("examples", ()):
            continue
        if isinstance(value, str) and _PLACEHOLDER.fullmatch(value):
            continue
        words = _words(str(value)) - _CONNECTIVES
        if not words or not words <= shown:
            missing.append(f"{key}={value!r}")
    return missing


def _episodes(env_id: str, seeds=(0, 1, 2), steps: int = 60):
    """Yield ``(obs, info, affordances)`` on oracle and random steps of a few episodes."""
    env = gym.make(env_id)
    affordances = env.unwrapped.affordances
    try:
        for seed in seeds:
            obs, info = env.reset(seed=seed)
            env.action_space.seed(seed)
            yield obs, info, affordances
            for index in range(steps):
                action = env.unwrapped.oracle_action() if (index + seed) % 3 else env.action_space.sample()
                obs, _, terminated, truncated, info = env.step(action)
                yield obs, info, affordances
                if terminated or truncated:
                    break
    finally:
        env.close()


@pytest.mark.parametrize("env_id", IDS)
def test_admissible_commands_name_only_what_the_observation_shows(env_id):
    checked = 0
    for obs, info, affordances in _episodes(env_id):
        for text in info.get("admissible_commands", ()):
            command = parse_command(text, affordances)
            missing = unsupported_arguments(command, affordances, obs["text"])
            assert not missing, f"{env_id}: {text!r} carries {missing} that the observation does not show"
            checked += 1
    if "admissible_commands" in gym.make(env_id).reset(seed=0)[1]:
        assert checked > 0


def test_the_check_catches_a_solution_step():
    """The leak this test exists for: a calculator call built from the problem's numbers."""
    env = gym.make("agentic_gym/ToolMath-2step-v0")
    obs, _ = env.reset(seed=0)
    leaked = Command("calculator", {"expression": env.unwrapped._episode.plan[0].args["expression"]})
    assert unsupported_arguments(leaked, env.unwrapped.affordances, obs["text"])


def test_tool_math_lists_the_same_templates_in_every_episode():
    env = gym.make("agentic_gym/ToolMath-4step-v0")
    for seed in range(5):
        _, info = env.reset(seed=seed)
        assert info["admissible_commands"] == list(ADMISSIBLE_TEMPLATES)
        info = env.step(env.unwrapped.oracle_action())[4]
        assert info["admissible_commands"] == list(ADMISSIBLE_TEMPLATES)
