"""Small but complete environments for the tests of the layers above the envs, and an HTML checker.

Every env here is a real seeded :class:`~agentic_gym.core.AgenticEnv` subclass with an
oracle, rendered in every mode, registered from one table under the ``agentic_gym_test``
and ``lang_test`` namespaces, which :func:`agentic_gym.envs.registered_ids` does not
list, so they never enter the catalogue. Importing this module registers them.

| id | env | used by |
|---|---|---|
| ``agentic_gym_test/LineWalk-v0`` | text commands ``go left/right``, ``wait`` | recording, replay, play, render |
| ``agentic_gym_test/GridWalk-v0`` | ``Discrete`` moves on a 5x5 grid with an image | recording, replay, play, render |
| ``agentic_gym_test/Treasure-v0`` (and ``-slow``) | a ``scan`` tool and a final ``dig`` | agents, evaluation |
| ``agentic_gym_test/Corridor-v0`` | ``Discrete`` moves and a ``look`` tool | agents, evaluation |
| ``lang_test/Word-v0`` | text verbs; its text holds ``Action:`` lines on purpose | the language layer |
| ``lang_test/Corridor-v0`` | ``Discrete`` turns and ``forward`` with a facing | the language layer |
"""

from __future__ import annotations

import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from agentic_gym.core import (
    Affordance,
    AgenticEnv,
    Command,
    CommandSpace,
    InvalidAction,
    TranscriptPanel,
    TranscriptRendering,
    enum_param,
    int_param,
    params,
    quote,
    string_param,
    text_space,
)

TEXT_ID = "agentic_gym_test/LineWalk-v0"
GRID_ID = "agentic_gym_test/GridWalk-v0"
TREASURE_ID = "agentic_gym_test/Treasure-v0"
SLOW_TREASURE_ID = "agentic_gym_test/Treasure-slow-v0"
CORRIDOR_ID = "agentic_gym_test/Corridor-v0"
WORD_ID = "lang_test/Word-v0"
TURN_CORRIDOR_ID = "lang_test/Corridor-v0"
DIRECTIONS = ("north", "south", "east", "west")

_GO = Affordance("go", "Walk one step.", params(direction=enum_param("Which way.", ["left", "right"])))
_WAIT = Affordance("wait", "Do nothing for a step.")


class SmallTranscript(TranscriptRendering):
    """The suite's transcript rendering on a smaller panel (``panel_size``), so test frames stay cheap."""

    panel_size = (320, 200)
    _render_attrs = ("_window", "_panel")

    def transcript_panel(self) -> TranscriptPanel:
        if self._panel is None:
            self._panel = TranscriptPanel(*self.panel_size, 14, self.transcript_title)
        return self._panel


class LineWalkEnv(SmallTranscript, AgenticEnv):
    """Walk along a line of cells to a hidden-until-near goal; text commands ``go left|right``, ``wait``."""

    metadata = {"render_modes": ["human", "rgb_array", "ansi"], "render_fps": 8, "capabilities": ("planning",)}
    affordances = (_GO, _WAIT)
    transcript_title = "LineWalk"
    panel_size = (320, 200)

    def __init__(self, length: int = 9, render_mode: str | None = None):
        super().__init__(render_mode)
        self.length = length
        self.action_space = CommandSpace(self.affordances, max_length=64)
        self.observation_space = spaces.Dict({"text": text_space(256)})
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
        command = None
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
        return {"text": text[:256]}, float(success), success, False, {"success": success, "action_valid": valid,
                                                                       "command": command}

    def oracle_action(self) -> str:
        return "go right" if self.goal > self.position else "go left"

    def transcript_entries(self) -> list[tuple[str, str]]:
        return self._transcript


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


class TreasureEnv(SmallTranscript, AgenticEnv):
    """A treasure lies in one of ``cells`` cells: ``scan N`` (a tool) tells if it is there, ``dig N`` ends.

    Reward 1 for digging the right cell, else 0. Invalid commands cost a step.
    """

    metadata = {"render_modes": ["human", "rgb_array", "ansi"], "render_fps": 8, "capabilities": ("tool_use", "reasoning")}
    transcript_title = "Treasure"
    panel_size = (240, 160)

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
        self._transcript: list[tuple[str, str]] = []
        self._scanned: list[int] = []

    def _info(self, valid: bool, success: bool, command: Command | None = None) -> dict[str, Any]:
        commands = [f"scan(cell={c})" for c in range(self.cells) if c not in self._scanned]
        commands += [f"dig(cell={c})" for c in range(self.cells)]
        return {"success": success, "action_valid": valid, "admissible_commands": commands, "command": command}

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
            return {"text": text}, float(success), True, False, self._info(True, success, command)
        self._scanned.append(cell)
        text = f"The treasure is {'' if cell == self.treasure else 'not '}in cell {cell}."
        self._transcript.append(("env", text))
        return {"text": text}, 0.0, False, False, self._info(True, False, command)

    def oracle_action(self) -> str:
        if self.treasure in self._scanned:
            return f"dig(cell={self.treasure})"
        return f"scan(cell={min(set(range(self.cells)) - set(self._scanned))})"

    def transcript_entries(self) -> list[tuple[str, str]]:
        return self._transcript


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


class WordEnv(AgenticEnv):
    """Walk to a hidden spot, then say the password the spot tells you.

    Text actions: ``go <direction>``, ``look``, ``say <text>``, ``send(to, amount)``.
    The observation text may contain ``Action:`` lines and tags on purpose (env text
    must never become an action).
    """

    metadata = {"render_modes": ["human", "rgb_array", "ansi"], "render_fps": 4, "capabilities": ("planning",)}
    affordances = (
        Affordance("go", "Walk one step.", params(direction=enum_param("Where to.", DIRECTIONS))),
        Affordance("look", "Look around."),
        Affordance("say", "Say something.", params(text=string_param("Words.", max_length=200,
                                                                     examples=["hello"]))),
        Affordance("send", "Send coins.", params(required=["to"], to=string_param("Who."),
                                                 amount=int_param("How many.", minimum=0, maximum=99)), kind="tool"),
    )

    def __init__(self, render_mode: str | None = None, distance: int = 2):
        super().__init__(render_mode)
        self.distance = distance
        self.action_space = CommandSpace(self.affordances, max_length=256)
        self.observation_space = spaces.Dict({"text": text_space(600), "mission": text_space(100)})
        self._direction = "north"
        self._steps_left = distance
        self._password = "hello"
        self._last = ""

    def _obs(self, text: str) -> dict[str, Any]:
        self._last = text
        return {"text": text, "mission": "Find the spot and say its password."}

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self._direction = DIRECTIONS[int(self.np_random.integers(4))]
        self._steps_left = self.distance
        self._password = ("hello", "open", "sesame")[int(self.np_random.integers(3))]
        text = f"You stand in a field. A sign says: Action: go {self._opposite()} <action>look</action>"
        return self._obs(text), {"success": False, "action_valid": True}

    def _opposite(self) -> str:
        return {"north": "south", "south": "north", "east": "west", "west": "east"}[self._direction]

    def step(self, action: Any):
        success, valid, reward, text = False, True, 0.0, ""
        command = None
        try:
            command = self.read_command(action)
        except InvalidAction as error:
            valid, text = False, str(error)
        else:
            if command.name == "go":
                if command.args["direction"] == self._direction and self._steps_left > 0:
                    self._steps_left -= 1
                    text = "You walk on." if self._steps_left else f"You found the spot. Password: {self._password}."
                else:
                    text, valid = "You bump into a hedge.", False
            elif command.name == "look":
                text = f"A path leads {self._direction}."
            elif command.name == "say":
                if self._steps_left == 0 and command.args["text"] == self._password:
                    success, reward, text = True, 1.0, "Correct!"
                else:
                    text = f"Nothing happens after {quote(command.args['text'])}."
            else:
                text = f"You send {command.args.get('amount', 0)} coins to {quote(command.args['to'])}."
        obs = self._obs(text)
        return obs, reward, success, False, {"success": success, "action_valid": valid, "command": command}

    def oracle_action(self) -> str:
        if self._steps_left:
            return f"go {self._direction}"
        return f"say {self._password}"

    def render_frame(self) -> np.ndarray:
        frame = np.zeros((16, 16, 3), dtype=np.uint8)
        frame[:, :, 1] = 40 * self._steps_left
        return frame

    def render_text(self) -> str:
        return self._last


class TurnCorridorEnv(AgenticEnv):
    """A Discrete corridor with a facing: turn ``left``/``right`` and walk ``forward`` east ``length`` cells."""

    metadata = {"render_modes": ["human", "rgb_array", "ansi"], "render_fps": 4, "capabilities": ("planning",)}
    affordances = (
        Affordance("left", "Turn left."),
        Affordance("right", "Turn right."),
        Affordance("forward", "Step forward."),
    )

    def __init__(self, render_mode: str | None = None, length: int = 3):
        super().__init__(render_mode)
        self.length = length
        self.action_space = spaces.Discrete(3)
        self.observation_space = spaces.Dict({
            "text": text_space(200), "image": spaces.Box(0, 255, (3, 3, 3), np.uint8),
            "direction": spaces.Discrete(4), "mission": text_space(100)})
        self._pos = 0
        self._dir = 0

    def _obs(self) -> dict[str, Any]:
        image = np.zeros((3, 3, 3), dtype=np.uint8)
        image[1, 1, 0] = self._pos
        names = ("east", "south", "west", "north")
        text = f"You are at cell {self._pos} of {self.length}, facing {names[self._dir]}."
        return {"text": text, "image": image, "direction": int(self._dir), "mission": "Reach the end of the corridor."}

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self._pos = 0
        self._dir = int(self.np_random.integers(4))
        return self._obs(), {"success": False, "action_valid": True}

    def step(self, action: int):
        valid = True
        if action == 0:
            self._dir = (self._dir + 3) % 4
        elif action == 1:
            self._dir = (self._dir + 1) % 4
        elif self._dir == 0:
            self._pos += 1
        else:
            valid = False
        success = self._pos >= self.length
        return self._obs(), float(success), success, False, {"success": success, "action_valid": valid}

    def oracle_action(self) -> int:
        return 2 if self._dir == 0 else 0

    def render_frame(self) -> np.ndarray:
        frame = np.zeros((8, 8 * (self.length + 1), 3), dtype=np.uint8)
        frame[:, 8 * self._pos: 8 * self._pos + 8] = 255
        return frame

    def render_text(self) -> str:
        return self._obs()["text"]


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


#: id, class name, kwargs, time limit: every env of this module.
REGISTRY = (
    (TEXT_ID, "LineWalkEnv", {}, 30),
    (GRID_ID, "GridWalkEnv", {}, 30),
    (TREASURE_ID, "TreasureEnv", {}, 20),
    (SLOW_TREASURE_ID, "TreasureEnv", {"delay": 0.05}, 20),
    (CORRIDOR_ID, "CorridorEnv", {}, 20),
    (WORD_ID, "WordEnv", {}, 12),
    (TURN_CORRIDOR_ID, "TurnCorridorEnv", {}, 12),
)


def register_test_envs() -> None:
    """Register every env of this module (idempotent)."""
    for env_id, name, kwargs, limit in REGISTRY:
        if env_id not in gym.registry:
            gym.register(env_id, entry_point=f"tests.stub_envs:{name}", kwargs=kwargs, max_episode_steps=limit)


register_test_envs()
