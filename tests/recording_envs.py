"""Two small but complete environments for the rendering, recording, replay and play tests,
and an HTML well-formedness check.

They are real :class:`~agentic_gym.core.AgenticEnv` subclasses (seeded, rendered in every
mode) registered under the ``agentic_gym_test`` namespace, which
:func:`agentic_gym.envs.registered_ids` does not list, so they never enter the catalogue.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
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
    enum_param,
    params,
    quote,
    text_space,
)

TEXT_ID = "agentic_gym_test/LineWalk-v0"
GRID_ID = "agentic_gym_test/GridWalk-v0"

_GO = Affordance("go", "Walk one step.", params(direction=enum_param("Which way.", ["left", "right"])))
_WAIT = Affordance("wait", "Do nothing for a step.")


class LineWalkEnv(AgenticEnv):
    """Walk along a line of cells to a hidden-until-near goal; text commands ``go left|right``, ``wait``."""

    metadata = {"render_modes": ["human", "rgb_array", "ansi"], "render_fps": 8, "capabilities": ("planning",)}
    affordances = (_GO, _WAIT)
    _render_attrs = ("_window", "_panel")

    def __init__(self, length: int = 9, render_mode: str | None = None):
        super().__init__(render_mode)
        self.length = length
        self.action_space = CommandSpace(self.affordances, max_length=64)
        self.observation_space = spaces.Dict({"text": text_space(256)})
        self._panel: TranscriptPanel | None = None
        self._transcript: list[tuple[str, str]] = []
        self.position = 0
        self.goal = 0
        self.steps = 0

    def _text(self, prefix: str = "") -> str:
        near = f" The goal is at cell {self.goal}." if abs(self.goal - self.position) <= 2 else ""
        return f"{prefix}Step {self.steps}: you are at cell {self.position} of {self.length}.{near}"

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self.position = int(self.np_random.integers(self.length))
        self.goal = int(self.np_random.integers(self.length))
        while self.goal == self.position:
            self.goal = int(self.np_random.integers(self.length))
        self.steps = 0
        text = self._text()
        self._transcript = [("env", text)]
        return {"text": text}, {"success": False, "action_valid": True}

    def step(self, action: str):
        self.steps += 1
        self._transcript.append(("agent", str(action)[:64]))
        prefix = ""
        valid = True
        try:
            command = self.read_command(action)
        except InvalidAction:
            valid = False
            prefix = f"Unknown command {quote(str(action))}. Try go left, go right or wait. "
        else:
            if command.name == "go":
                delta = 1 if command.args["direction"] == "right" else -1
                self.position = min(max(self.position + delta, 0), self.length - 1)
        success = self.position == self.goal
        text = self._text(prefix) + (" You reached the goal!" if success else "")
        self._transcript.append(("env", text))
        return {"text": text[:256]}, float(success), success, False, {"success": success, "action_valid": valid}

    def oracle_action(self) -> str:
        return "go right" if self.goal > self.position else "go left"

    def render_frame(self) -> np.ndarray:
        if self._panel is None:
            self._panel = TranscriptPanel(320, 200, 14, "LineWalk")
        return self._panel.frame(self._transcript)

    def render_text(self) -> str:
        return TranscriptPanel(320, 200, 14, "LineWalk").ansi(self._transcript)


class GridWalkEnv(AgenticEnv):
    """Walk a 5x5 grid to the goal with ``Discrete`` moves (up, down, left, right, stay)."""

    metadata = {"render_modes": ["human", "rgb_array", "ansi"], "render_fps": 8, "capabilities": ("planning",)}
    affordances = (
        Affordance("up", "Move up."),
        Affordance("down", "Move down."),
        Affordance("left", "Move left."),
        Affordance("right", "Move right."),
        Affordance("stay", "Stay put."),
    )
    _MOVES = ((-1, 0), (1, 0), (0, -1), (0, 1), (0, 0))
    SIZE = 5

    def __init__(self, render_mode: str | None = None):
        super().__init__(render_mode)
        self.action_space = spaces.Discrete(len(self.affordances))
        self.observation_space = spaces.Dict({
            "text": text_space(128),
            "image": spaces.Box(0, 255, (self.SIZE, self.SIZE, 3), np.uint8),
        })
        self.agent = (0, 0)
        self.goal = (0, 0)
        self.steps = 0

    def _obs(self) -> dict[str, Any]:
        image = np.zeros((self.SIZE, self.SIZE, 3), np.uint8)
        image[self.goal] = (0, 255, 0)
        image[self.agent] = (255, 0, 0)
        return {"text": f"Step {self.steps}: you are at {self.agent}, the goal is at {self.goal}.", "image": image}

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        cells = self.np_random.choice(self.SIZE * self.SIZE, size=2, replace=False)
        self.agent = divmod(int(cells[0]), self.SIZE)
        self.goal = divmod(int(cells[1]), self.SIZE)
        self.steps = 0
        return self._obs(), {"success": False, "action_valid": True}

    def step(self, action: int):
        self.steps += 1
        dr, dc = self._MOVES[int(action)]
        self.agent = (min(max(self.agent[0] + dr, 0), self.SIZE - 1), min(max(self.agent[1] + dc, 0), self.SIZE - 1))
        success = self.agent == self.goal
        return self._obs(), float(success), success, False, {"success": success, "action_valid": True}

    def oracle_action(self) -> int:
        if self.agent[0] != self.goal[0]:
            return 1 if self.goal[0] > self.agent[0] else 0
        return 3 if self.goal[1] > self.agent[1] else 2

    def render_frame(self) -> np.ndarray:
        cell = 24
        frame = np.full((self.SIZE * cell + 8, self.SIZE * cell, 3), 30, np.uint8)
        frame[self.goal[0] * cell + 2 : (self.goal[0] + 1) * cell - 2, self.goal[1] * cell + 2 : (self.goal[1] + 1) * cell - 2] = (40, 200, 40)
        frame[self.agent[0] * cell + 4 : (self.agent[0] + 1) * cell - 4, self.agent[1] * cell + 4 : (self.agent[1] + 1) * cell - 4] = (220, 40, 40)
        # A step counter bar at the bottom, so consecutive frames always differ.
        frame[-6:, : min(self.steps * 4, frame.shape[1])] = (200, 200, 60)
        return frame

    def render_text(self) -> str:
        rows = [["." for _ in range(self.SIZE)] for _ in range(self.SIZE)]
        rows[self.goal[0]][self.goal[1]] = "G"
        rows[self.agent[0]][self.agent[1]] = "A"
        return "\n".join("".join(r) for r in rows)


VOID = {"img", "meta", "br", "hr", "input", "link"}


class BalanceChecker(HTMLParser):
    """Fails on any mismatched or unclosed tag; collects text and image sources."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.images: list[str] = []
        self.sections = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img":
            self.images.append(attributes.get("src", ""))
        if tag == "section":
            self.sections += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def check_html(path: Path) -> BalanceChecker:
    checker = BalanceChecker()
    checker.feed(path.read_text(encoding="utf-8"))
    checker.close()
    assert not checker.errors, checker.errors[:5]
    assert not checker.stack, f"unclosed tags {checker.stack}"
    return checker


def register_test_envs() -> None:
    """Register both test envs (idempotent)."""
    if TEXT_ID not in gym.registry:
        gym.register(TEXT_ID, entry_point="tests.recording_envs:LineWalkEnv", max_episode_steps=30)
    if GRID_ID not in gym.registry:
        gym.register(GRID_ID, entry_point="tests.recording_envs:GridWalkEnv", max_episode_steps=30)


register_test_envs()
