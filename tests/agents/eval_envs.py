"""Two small complete environments for the agent and evaluation tests.

``Treasure`` is a text/tool env (``CommandSpace``, a ``scan`` tool, an ``answer`` that
ends the episode, ``admissible_commands``) and ``Corridor`` a ``Discrete`` env with a
tool action. Both are seeded :class:`~agentic_gym.core.AgenticEnv` subclasses with an
oracle, registered under the ``agentic_gym_test`` namespace (never in the catalogue).
``Treasure`` takes a per-step ``delay`` so a run can be killed part-way.
"""

from __future__ import annotations

import time
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from agentic_gym.core import (
    Affordance,
    AgenticEnv,
    CommandSpace,
    InvalidAction,
    TranscriptPanel,
    int_param,
    params,
    quote,
    text_space,
)

TREASURE_ID = "agentic_gym_test/Treasure-v0"
SLOW_TREASURE_ID = "agentic_gym_test/Treasure-slow-v0"
CORRIDOR_ID = "agentic_gym_test/Corridor-v0"


class TreasureEnv(AgenticEnv):
    """A treasure lies in one of ``cells`` cells: ``scan N`` (a tool) tells if it is there, ``dig N`` ends.

    Reward 1 for digging the right cell, else 0. Invalid commands cost a step.
    """

    metadata = {"render_modes": ["human", "rgb_array", "ansi"], "render_fps": 8, "capabilities": ("tool_use", "reasoning")}
    _render_attrs = ("_window", "_panel")

    def __init__(self, cells: int = 6, delay: float = 0.0, render_mode: str | None = None):
        super().__init__(render_mode)
        self.cells = cells
        self.delay = delay
        cell = int_param("A cell number.", minimum=0, maximum=cells - 1)
        self.affordances = (
            Affordance("scan", "Look into a cell.", params(cell=cell), kind="tool"),
            Affordance("dig", "Dig a cell; this ends the episode.", params(cell=cell), kind="answer"),
        )
        self.action_space = CommandSpace(self.affordances, max_length=64)
        self.observation_space = spaces.Dict({"text": text_space(256)})
        self.treasure = 0
        self._panel: TranscriptPanel | None = None
        self._transcript: list[tuple[str, str]] = []
        self._scanned: list[int] = []

    def _info(self, valid: bool, success: bool) -> dict[str, Any]:
        commands = [f"scan(cell={c})" for c in range(self.cells) if c not in self._scanned]
        commands += [f"dig(cell={c})" for c in range(self.cells)]
        return {"success": success, "action_valid": valid, "admissible_commands": commands}

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self.treasure = int(self.np_random.integers(self.cells))
        self._scanned = []
        text = f"The treasure is in one of cells 0 to {self.cells - 1}."
        self._transcript = [("env", text)]
        return {"text": text}, self._info(True, False)

    def step(self, action: str):
        if self.delay:
            time.sleep(self.delay)
        self._transcript.append(("agent", str(action)[:64]))
        try:
            command = self.read_command(action)
        except InvalidAction as error:
            text = f"Invalid command {quote(str(action))}: {str(error)[:120]}"
            self._transcript.append(("env", text))
            return {"text": text[:256]}, 0.0, False, False, self._info(False, False)
        cell = int(command.args["cell"])
        if command.name == "dig":
            success = cell == self.treasure
            text = "You found the treasure!" if success else f"Cell {cell} is empty. The end."
            self._transcript.append(("env", text))
            return {"text": text}, float(success), True, False, self._info(True, success)
        self._scanned.append(cell)
        text = f"The treasure is {'' if cell == self.treasure else 'not '}in cell {cell}."
        self._transcript.append(("env", text))
        return {"text": text}, 0.0, False, False, self._info(True, False)

    def oracle_action(self) -> str:
        if self.treasure in self._scanned:
            return f"dig(cell={self.treasure})"
        return f"scan(cell={min(set(range(self.cells)) - set(self._scanned))})"

    def render_frame(self) -> np.ndarray:
        if self._panel is None:
            self._panel = TranscriptPanel(240, 160, 14, "Treasure")
        return self._panel.frame(self._transcript)

    def render_text(self) -> str:
        return TranscriptPanel(240, 160, 14, "Treasure").ansi(self._transcript)


class CorridorEnv(AgenticEnv):
    """Walk a corridor of ``length`` cells to the exit at its right end; ``look`` (a tool) costs a step.

    Discrete actions: 0 left, 1 right, 2 look. Reward 1 on reaching the exit.
    """

    metadata = {"render_modes": ["human", "rgb_array", "ansi"], "render_fps": 8, "capabilities": ("planning", "memory")}
    affordances = (
        Affordance("left", "Step left."),
        Affordance("right", "Step right."),
        Affordance("look", "Measure the distance to the exit.", kind="tool"),
    )

    def __init__(self, length: int = 6, render_mode: str | None = None):
        super().__init__(render_mode)
        self.length = length
        self.action_space = spaces.Discrete(3)
        self.observation_space = spaces.Dict({"text": text_space(128)})
        self.position = 0
        self.looked = False

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self.position = int(self.np_random.integers(self.length - 1))
        self.looked = False
        return {"text": "A corridor. The exit is somewhere to the right."}, {"success": False, "action_valid": True}

    def step(self, action: int):
        action = int(action)
        text = "You walk."
        if action == 2:
            self.looked = True
            text = f"The exit is {self.length - 1 - self.position} cells to the right."
        else:
            self.position = min(max(self.position + (1 if action == 1 else -1), 0), self.length - 1)
        success = self.position == self.length - 1
        return {"text": text}, float(success), success, False, {"success": success, "action_valid": True}

    def oracle_action(self) -> int:
        return 1 if self.looked else 2

    def render_frame(self) -> np.ndarray:
        frame = np.full((24, 16 * self.length, 3), 30, np.uint8)
        frame[4:20, 16 * self.position + 4 : 16 * self.position + 12] = (220, 40, 40)
        return frame

    def render_text(self) -> str:
        return "".join("A" if i == self.position else "." for i in range(self.length))


def register_eval_envs() -> None:
    """Register the test envs (idempotent)."""
    rows = [
        (TREASURE_ID, "TreasureEnv", {}),
        (SLOW_TREASURE_ID, "TreasureEnv", {"delay": 0.05}),
        (CORRIDOR_ID, "CorridorEnv", {}),
    ]
    for env_id, name, kwargs in rows:
        if env_id not in gym.registry:
            gym.register(env_id, entry_point=f"tests.agents.eval_envs:{name}", kwargs=kwargs, max_episode_steps=20)


register_eval_envs()
