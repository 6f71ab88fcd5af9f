"""The shared base of wrappers that add affordances and answer them without stepping the env.

:class:`~agentic_gym.wrappers.NotesMemory` and :class:`~agentic_gym.wrappers.AddTools`
subclass :class:`CommandExtension` and implement :meth:`CommandExtension.answer`.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from agentic_gym.core import (
    Affordance,
    Command,
    CommandSpace,
    InvalidAction,
    check_command,
    native_action,
    parse_command,
    sanitize,
)
from agentic_gym.wrappers.observation import fresh, text_limit, with_text

#: Characters reserved for the answer put in front of the observation text on a free turn.
MAX_ANSWER_CHARS = 4000


class CommandExtension(gym.Wrapper, abc.ABC):
    """Adds ``extra`` affordances to ``env`` and answers them itself (a *free turn*).

    The action is a :class:`~agentic_gym.core.Command` (what ``ParseAction`` passes
    down) or command text, read once here against the env's affordances plus ``extra``
    (its action space is a ``CommandSpace`` over both). Commands named by ``extra`` are
    answered by :meth:`answer` without
    stepping the env: the env's time limit does not advance, the observation repeats
    the last one with the answer in front of its text (``info["tool_result"]`` holds the
    answer and ``info["free_turn"]`` is True), and the reward is 0. After
    ``max_free_turns`` free turns in a row the episode is truncated, so an agent cannot
    talk to its notes forever. Other commands go to the env as the command itself for a
    ``CommandSpace``, as the index of the affordance for a ``Discrete`` one. Text that
    holds no command goes to a text env as it is (the env answers it, at the cost of a
    step); over a ``Discrete`` env it is answered as an invalid free turn.
    ``info["command"]`` on a free turn is the command answered (``None`` if none was read).
    """

    def __init__(self, env: gym.Env, extra: Sequence[Affordance], extra_text_chars: int = 0,
                 max_free_turns: int = 16):
        super().__init__(env)
        base = tuple(env.get_wrapper_attr("affordances"))
        clash = {a.name for a in base} & {a.name for a in extra}
        if clash:
            raise ValueError(f"the env already has affordances named {sorted(clash)}")
        if max_free_turns < 1:
            raise ValueError("max_free_turns must be at least 1")
        self.base_affordances: tuple[Affordance, ...] = base
        self.extra_affordances: tuple[Affordance, ...] = tuple(extra)
        self.affordances: tuple[Affordance, ...] = base + self.extra_affordances
        self._extra_names = frozenset(a.name for a in self.extra_affordances)
        self.max_free_turns = max_free_turns
        self._text_limit = text_limit(env.observation_space) + 2 * extra_text_chars + MAX_ANSWER_CHARS + 4
        self.observation_space = with_text(env.observation_space, self._text_limit)
        max_length = env.action_space.max_length if isinstance(env.action_space, spaces.Text) else 512
        self.action_space = CommandSpace(self.affordances, max_length=max(max_length, 512))
        self._last: tuple[dict[str, Any], dict[str, Any]] | None = None
        self._free_streak = 0

    # -- hooks -------------------------------------------------------------------------------

    @abc.abstractmethod
    def answer(self, command: Command) -> tuple[str, bool]:
        """Carry out one of the extra commands: ``(answer text, whether it succeeded)``."""

    def extra_text(self) -> str:
        """Text shown after every observation (e.g. the notes); empty by default."""
        return ""

    def on_reset(self) -> None:
        """Called at every reset, before the first observation is built."""

    # -- gymnasium API -----------------------------------------------------------------------

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        obs, info = self.env.reset(seed=seed, options=options)
        self.on_reset()
        self._last = (obs, info)
        self._free_streak = 0
        return self._observation(obs, None), fresh(info)

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        if self._last is None:
            raise gym.error.ResetNeeded("Call reset before step.")
        discrete = isinstance(self.env.action_space, spaces.Discrete)
        if discrete and isinstance(action, (int, np.integer)) and not isinstance(action, bool):
            return self._env_step(int(action))
        if type(action) is Command:
            # What the language layer passes down: used as it is, never turned back into text.
            command = action
        elif isinstance(action, str):
            # Used on its own, the wrapper reads command text once, against every affordance.
            try:
                command = parse_command(action, self.affordances)
            except InvalidAction as error:
                if error.affordance in self._extra_names or discrete:
                    return self._free_turn(str(error), valid=False)
                # No command could be read: the env answers the text as it answers any it cannot use.
                return self._env_step(action)
        else:
            return self._free_turn(f"A command must be text, got {type(action).__name__}.", valid=False)
        if command.name in self._extra_names:
            try:
                command = check_command(command, self.extra_affordances)
            except InvalidAction as error:
                return self._free_turn(str(error), valid=False)
            text, ok = self.answer(command)
            return self._free_turn(text, valid=ok, command=command)
        try:
            native = native_action(command, self.env.action_space, self.base_affordances)
        except InvalidAction as error:
            return self._free_turn(str(error), valid=False)
        return self._env_step(native)

    # -- internals ---------------------------------------------------------------------------

    def _observation(self, obs: dict[str, Any], answer: str | None) -> dict[str, Any]:
        obs = fresh(obs)
        text = obs["text"]
        if answer is not None:
            text = f"{sanitize(answer, MAX_ANSWER_CHARS)}\n\n{text}"
        extra = self.extra_text()
        if extra:
            text = f"{text}\n\n{extra}"
        obs["text"] = sanitize(text, self._text_limit)
        return obs

    def _env_step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        self._last = (obs, info)
        if not info.get("free_turn"):
            self._free_streak = 0
        return self._observation(obs, None), reward, terminated, truncated, fresh(info)

    def _free_turn(self, answer: str, valid: bool,
                   command: Command | None = None) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        self._free_streak += 1
        last_obs, last_info = self._last  # type: ignore[misc]
        info = fresh(last_info)
        info.update(action_valid=valid, free_turn=True, tool_result=sanitize(answer, MAX_ANSWER_CHARS),
                    command=command)
        truncated = self._free_streak >= self.max_free_turns
        return self._observation(last_obs, answer), 0.0, False, truncated, info
