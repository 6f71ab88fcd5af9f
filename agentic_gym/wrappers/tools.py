"""AddTools: generic tool affordances (a safe calculator by default) for any env.

Example:
    >>> import gymnasium as gym
    >>> import agentic_gym
    >>> env = AddTools(gym.make("agentic_gym/GridKeyDoor-6x6-v0"))
    >>> _ = env.reset(seed=0)
    >>> obs, reward, terminated, truncated, info = env.step("calculator 12 * (3 + 4)")
    >>> info["tool_result"], info["free_turn"]
    ('84', True)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import gymnasium as gym

from agentic_gym.core import (
    Affordance,
    CalculatorError,
    Command,
    InvalidAction,
    calculate,
    format_number,
    params,
    string_param,
)
from agentic_gym.wrappers.extension import CommandExtension


@dataclass(frozen=True)
class Tool:
    """A tool the wrapper answers: its affordance and a function of the validated arguments.

    The function returns the result text; raising :class:`~agentic_gym.core.InvalidAction`
    reports an error to the agent instead.
    """

    affordance: Affordance
    run: Callable[[Mapping[str, Any]], str]


def _calculator(args: Mapping[str, Any]) -> str:
    return format_number(calculate(args["expression"]))


CALCULATOR = Tool(
    Affordance(
        "calculator",
        "Evaluate an arithmetic expression exactly: numbers, + - * / // % **, parentheses, "
        "sqrt, abs, round, min, max, floor, ceil, log, log10, log2, exp, sin, cos, tan, pi, e, tau.",
        params(expression=string_param("The expression, e.g. 1234 * 5678.", max_length=1000,
                                       examples=["1234 * 5678", "(17 + 25) / 6"])),
        kind="tool",
    ),
    _calculator,
)

#: Tools known by name to :class:`AddTools` and ``agentic_gym.chat(tools=...)``.
TOOLS: dict[str, Tool] = {"calculator": CALCULATOR}


class AddTools(CommandExtension):
    """Adds tool affordances (by name from :data:`TOOLS`, or :class:`Tool` objects) to any env.

    Tool calls are answered by the wrapper without stepping the env (the env's time limit
    does not advance; ``max_free_turns`` calls in a row truncate the episode). The result
    is ``info["tool_result"]`` and is put in front of the observation text; the chat
    stack returns it as a ``tool`` message when the call came as a tool call. A failed
    call (e.g. division by zero) gives an error result and ``info["action_valid"]`` False.
    """

    def __init__(self, env: gym.Env, tools: Iterable[str | Tool] = ("calculator",), max_free_turns: int = 16):
        resolved: list[Tool] = []
        for tool in tools:
            if isinstance(tool, str):
                if tool not in TOOLS:
                    raise ValueError(f"unknown tool {tool!r}; known tools: {sorted(TOOLS)}")
                tool = TOOLS[tool]
            resolved.append(tool)
        self.tools: dict[str, Tool] = {t.affordance.name: t for t in resolved}
        super().__init__(env, [t.affordance for t in resolved], max_free_turns=max_free_turns)

    def answer(self, command: Command) -> tuple[str, bool]:
        try:
            return self.tools[command.name].run(command.args), True
        except (CalculatorError, InvalidAction) as error:
            return str(error), False
