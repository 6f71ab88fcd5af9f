"""The small base every single-agent environment shares.

It holds the affordances, the common metadata, the ``oracle_action`` hook, the one
place a text or tool env reads its action (:meth:`AgenticEnv.read_command`) and the
render dispatch; world rules live in each family's engine, not here.
"""

from __future__ import annotations

import abc
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from agentic_gym.core.affordance import CAPABILITIES, Affordance
from agentic_gym.core.arguments import Knobs
from agentic_gym.core.command import (
    MAX_COMMAND_CHARS,
    Command,
    InvalidAction,
    Reason,
    check_command,
    parse_command,
)
from agentic_gym.core.window import HumanWindow

RENDER_MODES = ["human", "rgb_array", "ansi"]


class AgenticEnv(gym.Env, abc.ABC):
    """Base of agentic-gym's single-agent environments.

    Subclasses set ``metadata`` (with ``capabilities``), ``affordances`` (a tuple of
    :class:`~agentic_gym.core.affordance.Affordance`), the spaces, and implement
    ``reset``, ``step``, :meth:`oracle_action`, :meth:`render_frame` (an RGB
    ``uint8`` array) and :meth:`render_text` (the ``ansi`` text). ``render()`` then
    works in every mode: ``human`` shows :meth:`render_frame` in a window created on
    first use. Render resources live in attributes named in ``_render_attrs`` and
    are dropped when the env is pickled or copied.

    A text or tool env's ``step`` takes a command string or a
    :class:`~agentic_gym.core.Command` and reads it with :meth:`read_command`, the one
    place its action is parsed; its step ``info`` reports the command carried out (or
    attempted) as ``info["command"]``, ``None`` when the action could not be read.
    """

    metadata: dict[str, Any] = {"render_modes": RENDER_MODES, "render_fps": 4, "capabilities": ()}
    affordances: tuple[Affordance, ...] = ()
    _render_attrs: ClassVar[tuple[str, ...]] = ("_window",)
    #: Attributes that only memoise what the state already decides (not part of the state:
    #: state hashes leave them out).
    _cache_attrs: ClassVar[tuple[str, ...]] = ()

    def __init__(self, render_mode: str | None = None):
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        unknown = set(self.metadata.get("capabilities", ())) - set(CAPABILITIES)
        if unknown:
            raise ValueError(f"unknown capabilities {sorted(unknown)}; valid: {CAPABILITIES}")
        self.render_mode = render_mode
        self._window: HumanWindow | None = None

    def difficulty_knobs(self) -> dict[str, Any]:
        """The validated difficulty knobs: the env's typed record ``self.knobs`` (a frozen
        :class:`~agentic_gym.core.arguments.Knobs` its constructor builds; each subclass declares
        its own type) as a dict. See :class:`agentic_gym.difficulty.Difficulty`."""
        record: Knobs = self.__dict__["knobs"]
        return record.as_dict()

    def read_command(self, action: Any, max_length: int = MAX_COMMAND_CHARS) -> Command:
        """The :class:`~agentic_gym.core.Command` an action names, validated against :attr:`affordances`.

        A string is parsed (once: this is the only place an env parses its action); a
        ``Command`` (what the language layer passes down) is validated and used as it is,
        never turned back into text. Anything else, an unreadable string or an invalid
        command raises :class:`~agentic_gym.core.InvalidAction`.
        """
        if type(action) is Command:
            return check_command(action, self.affordances)
        if isinstance(action, str):
            return parse_command(action, self.affordances, max_length)
        raise InvalidAction(f"An action must be command text or a Command, got {type(action).__name__}.",
                            reason=Reason.WRONG_TYPE)

    @abc.abstractmethod
    def oracle_action(self) -> Any:
        """The next action of a privileged scripted solver (it may read hidden state)."""

    @abc.abstractmethod
    def render_frame(self) -> np.ndarray:
        """The current frame as an ``(H, W, 3)`` ``uint8`` array of fixed size."""

    @abc.abstractmethod
    def render_text(self) -> str:
        """The current view as text (the ``ansi`` render mode)."""

    def render(self) -> Any:
        if self.render_mode is None:
            gym.logger.warn(
                "You are calling render method without specifying any render mode. "
                "You can specify the render_mode at initialization, "
                f'e.g. gym.make("{self.spec.id if self.spec else type(self).__name__}", render_mode="rgb_array")'
            )
            return None
        if self.render_mode == "ansi":
            return self.render_text()
        frame = self.render_frame()
        if self.render_mode == "rgb_array":
            return frame
        if self._window is None:
            title = self.spec.id if self.spec is not None else type(self).__name__
            self._window = HumanWindow(title, fps=self.metadata.get("render_fps", 4))
        self._window.show(frame)
        return None

    def close(self) -> None:
        if self._window is not None:
            self._window.close()
            self._window = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for name in self._render_attrs:
            if name in state:
                state[name] = None
        return state
