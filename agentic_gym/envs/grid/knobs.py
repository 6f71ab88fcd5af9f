"""The typed difficulty knobs of the grid envs: one frozen record per env, validated when built.

Each env's constructor builds its record from its keyword arguments (:meth:`resolve`
fills the defaults that depend on other knobs, such as ``max_steps`` from ``size``) and
reads its settings from it; ``env.knobs`` is the record, ``difficulty_knobs()`` its dict
and reset ``info["difficulty"]`` that dict with the registered step budget.

Example:
    >>> GridMazeKnobs.resolve(size=9)
    GridMazeKnobs(size=9, max_steps=324, view_size=7)
    >>> GridMazeKnobs(size=10, max_steps=100, view_size=7)
    Traceback (most recent call last):
    ...
    ValueError: size must be an odd integer in [5, 63], got 10
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from agentic_gym.core.arguments import Knobs, knob
from agentic_gym.envs.grid.base import MAX_SIZE, MAX_STEPS, MAX_VIEW_SIZE, check_int
from agentic_gym.envs.grid.sokoban_levels import MAX_BOXES

__all__ = [
    "GridDecoyKeyDoorKnobs",
    "GridKeyDoorKnobs",
    "GridMazeKnobs",
    "GridMemoryKnobs",
    "GridSokobanKnobs",
    "MAX_BOXES",
    "MAX_SOKOBAN_SIZE",
]

#: The largest Sokoban room side: reverse play in bigger rooms takes too long to find a level
#: (a reset must stay well under 50 ms).
MAX_SOKOBAN_SIZE = 16


@dataclass(frozen=True)
class _RoomKnobs(Knobs):
    """A square room, a step limit and an egocentric view (the knobs every grid room env shares)."""

    size: int = knob("side of the square room, walls included")
    max_steps: int = knob(f"steps before the env truncates (1 to {MAX_STEPS})")
    view_size: int = knob(f"side of the egocentric view, odd (1 to {MAX_VIEW_SIZE})")

    #: The room's bounds, whether the side must be odd, and the default step limit per cell.
    min_size: ClassVar[int] = 5
    max_size: ClassVar[int] = MAX_SIZE
    odd: ClassVar[bool] = False
    steps_per_cell: ClassVar[int] = 10

    def __post_init__(self) -> None:
        self._set("size", check_int("size", self.size, self.min_size, self.max_size, odd=self.odd))
        self._set("max_steps", check_int("max_steps", self.max_steps, 1, MAX_STEPS))
        self._set("view_size", check_int("view_size", self.view_size, 1, MAX_VIEW_SIZE, odd=True))

    @classmethod
    def resolve(cls, size: Any, max_steps: Any = None, view_size: Any = 7) -> Any:
        """The record of constructor arguments; ``max_steps`` None: ``steps_per_cell * size**2``."""
        size = check_int("size", size, cls.min_size, cls.max_size, odd=cls.odd)
        if max_steps is None:
            max_steps = cls.steps_per_cell * size * size
        return cls(size=size, max_steps=max_steps, view_size=view_size)


@dataclass(frozen=True)
class GridKeyDoorKnobs(_RoomKnobs):
    """GridKeyDoor: ``size`` 5 to 64; ``max_steps`` default ``10 * size**2``; ``view_size`` default 7."""


@dataclass(frozen=True)
class GridDecoyKeyDoorKnobs(GridKeyDoorKnobs):
    """GridDecoyKeyDoor: as GridKeyDoor with ``size`` from 6 (room for the second key)."""

    min_size: ClassVar[int] = 6


@dataclass(frozen=True)
class GridMazeKnobs(_RoomKnobs):
    """GridMaze: ``size`` odd, 5 to 63; ``max_steps`` default ``4 * size**2``; ``view_size`` default 7."""

    max_size: ClassVar[int] = MAX_SIZE - 1
    odd: ClassVar[bool] = True
    steps_per_cell: ClassVar[int] = 4


@dataclass(frozen=True)
class GridMemoryKnobs(_RoomKnobs):
    """GridMemory: ``size`` odd, 7 to 63; ``max_steps`` default ``5 * size**2``; ``view_size`` default 7."""

    min_size: ClassVar[int] = 7
    max_size: ClassVar[int] = MAX_SIZE - 1
    odd: ClassVar[bool] = True
    steps_per_cell: ClassVar[int] = 5


@dataclass(frozen=True)
class GridSokobanKnobs(Knobs):
    """GridSokoban's level: room, crates, view, step limit and the generator's shape knobs."""

    size: int = knob(f"side of the square room, walls included (6 to {MAX_SOKOBAN_SIZE})")
    boxes: int = knob(f"crates (and targets), 1 to min((size - 2)**2 // 8, {MAX_BOXES})")
    view_radius: int | None = knob(f"cells seen each way (1 to {MAX_VIEW_SIZE // 2}); None: the whole room")
    max_steps: int = knob(f"steps before the env truncates (1 to {MAX_STEPS}); default 20 * size * max(1, boxes // 2)")
    obstacles: int | None = knob("inner walls the generator adds (0 to (size - 2)**2); the env's record holds "
                                 "the generator's default when the argument is None")
    min_pushes: int | None = knob("pushes a level needs at least (0 to (size - 2)**2); the env's record holds "
                                  "the generator's default when the argument is None")

    def __post_init__(self) -> None:
        size = check_int("size", self.size, 6, MAX_SOKOBAN_SIZE)
        self._set("size", size)
        self._set("boxes", check_int("boxes", self.boxes, 1, min((size - 2) ** 2 // 8, MAX_BOXES)))
        if self.view_radius is not None:
            self._set("view_radius", check_int("view_radius", self.view_radius, 1, MAX_VIEW_SIZE // 2))
        for name in ("obstacles", "min_pushes"):
            if getattr(self, name) is not None:
                self._set(name, check_int(name, getattr(self, name), 0, (size - 2) ** 2))
        self._set("max_steps", check_int("max_steps", self.max_steps, 1, MAX_STEPS))

    @classmethod
    def resolve(cls, size: Any = 8, boxes: Any = 2, view_radius: Any = None, max_steps: Any = None,
                obstacles: Any = None, min_pushes: Any = None) -> GridSokobanKnobs:
        """The record of constructor arguments (``max_steps`` None: ``20 * size * max(1, boxes // 2)``)."""
        size = check_int("size", size, 6, MAX_SOKOBAN_SIZE)
        boxes = check_int("boxes", boxes, 1, min((size - 2) ** 2 // 8, MAX_BOXES))
        if max_steps is None:
            max_steps = 20 * size * max(1, boxes // 2)
        return cls(size=size, boxes=boxes, view_radius=view_radius, max_steps=max_steps, obstacles=obstacles,
                   min_pushes=min_pushes)
