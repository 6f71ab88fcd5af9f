"""The small base every single-agent environment shares.

It holds the affordances, the common metadata, the ``oracle_action`` hook and the
render dispatch; world rules live in each family's engine, not here.
"""

from __future__ import annotations

import abc
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from agentic_gym.core.affordance import CAPABILITIES, Affordance
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
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": RENDER_MODES, "render_fps": 4, "capabilities": ()}
    affordances: tuple[Affordance, ...] = ()
    _render_attrs: ClassVar[tuple[str, ...]] = ("_window",)

    def __init__(self, render_mode: str | None = None):
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        unknown = set(self.metadata.get("capabilities", ())) - set(CAPABILITIES)
        if unknown:
            raise ValueError(f"unknown capabilities {sorted(unknown)}; valid: {CAPABILITIES}")
        self.render_mode = render_mode
        self._window: HumanWindow | None = None

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
