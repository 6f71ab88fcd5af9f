"""GridMemory: remember a cue object, walk a corridor, touch its twin at the far end."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from agentic_gym.core import RENDER_MODES
from agentic_gym.envs.grid.base import FORWARD, TURN_LEFT, TURN_RIGHT, GridEnv
from agentic_gym.envs.grid.engine import Action, Colour, Event, Tile, World, distance_map, step_towards
from agentic_gym.envs.grid.knobs import GridMemoryKnobs

_OBJECTS = (int(Tile.KEY), int(Tile.BALL))
#: The colours a cue object may have.
_COLOURS = (Colour.RED, Colour.GREEN, Colour.BLUE, Colour.PURPLE, Colour.YELLOW)


@lru_cache(maxsize=8)
def _layout(size: int) -> np.ndarray:
    """The fixed walls of a ``size`` grid: start room, corridor and crossing (read-only)."""
    mid, end = size // 2, size - 2
    grid = World.empty(size, size).grid
    grid[:, :, 0] = Tile.WALL
    grid[mid - 1 : mid + 2, 1:4, 0] = Tile.FLOOR  # the start room
    grid[mid, 4:end, 0] = Tile.FLOOR  # the corridor
    grid[mid - 1 : mid + 2, end, 0] = Tile.FLOOR  # the crossing
    grid.setflags(write=False)
    return grid


class GridMemory(GridEnv):
    """See a cue object, walk down a corridor and touch the object that matches it.

    ## Description
    The agent starts in a small room in the west holding a cue object (a key or a
    ball of some colour). A corridor leads east to a crossing with one object to the
    north and one to the south: one is the cue's twin, the other differs in kind or
    colour. From the crossing the cue is long out of sight, so the agent must
    remember it. Touching an object means walking forward into it.

    ## Action Space
    ``Discrete(3)``; action ``i`` is ``affordances[i]``.

    | index | command | effect |
    |---|---|---|
    | 0 | left | turn left |
    | 1 | right | turn right |
    | 2 | forward | move one cell forward, or touch the object in front |

    ## Observation Space
    ``Dict(text=Text, image=Box(0, 255, (7, 7, 3), uint8), direction=Discrete(4),
    mission=Text)`` as in every grid env.

    ## Rewards
    ``1 - 0.9 * steps / max_steps`` for touching the matching object, 0 otherwise.

    ## Episode End
    Terminates when the agent touches either end object (``info["success"]`` says
    whether it was the right one); truncates after ``max_steps`` steps.

    ## Arguments
    ``size`` (side of the square grid, odd, 7 to 63), ``max_steps`` (default
    ``5 * size**2``), ``view_size`` (odd, 1 to 11, default 7), ``render_mode``,
    ``tile_size`` (pixels, 4 to 256), ``obs_mode`` (``"both"``, ``"text"`` or ``"image"``: see
    :mod:`agentic_gym.envs.grid.base`).

    ## Difficulty
    Knobs (``difficulty_knobs()``, reset ``info["difficulty"]``): ``size``, ``max_steps``,
    ``view_size``, plus the registered ``max_episode_steps``. Tiers ``-Trivial`` to ``-Expert``: sizes 7, 9, 13, 17, 21.

    ## Registered Configurations
    ``agentic_gym/GridMemory-S7-v0``, ``agentic_gym/GridMemory-S13-v0``.

    ## Prompt Format
    The grid text view, e.g. ``You face east. You can walk 4 steps ahead, then a wall.
    To your left is a wall; to your right is a wall.`` and ``A green ball is 1 step
    ahead and 1 to the left.`` while the cue is in sight.

    ## Action Grammar
    One command name: ``left``, ``right`` or ``forward``.

    ## Version History
    * v0: initial version.

    Example:
        >>> env = GridMemory(size=7)
        >>> obs, info = env.reset(seed=1)
        >>> while not info["success"]:
        ...     obs, reward, terminated, truncated, info = env.step(env.oracle_action())
        >>> terminated
        True
    """

    metadata: dict[str, Any] = {
        "render_modes": RENDER_MODES,
        "render_fps": 10,
        "capabilities": ("memory",),
    }
    affordances = (TURN_LEFT, TURN_RIGHT, FORWARD)
    engine_actions = (Action.LEFT, Action.RIGHT, Action.FORWARD)

    #: The record type of the typed difficulty knobs (``self.knobs``).
    Knobs = GridMemoryKnobs

    def __init__(
        self,
        size: int = 13,
        max_steps: int | None = None,
        view_size: int = 7,
        render_mode: str | None = None,
        tile_size: int = 32,
        obs_mode: str = "both",
    ):
        #: The typed difficulty knobs (the one place their ranges are stated).
        self.knobs = GridMemoryKnobs.resolve(size, max_steps, view_size)
        size = self.knobs.size
        self.match = (0, 0)
        self.other = (0, 0)
        super().__init__(size, size, self.knobs.max_steps, self.knobs.view_size, render_mode, tile_size,
                         obs_mode=obs_mode)

    @property
    def size(self) -> int:
        """The ``size`` knob (``self.knobs.size``)."""
        return self.knobs.size

    def generate(self) -> tuple[World, str]:
        size, mid = self.size, self.size // 2
        end = size - 2
        u = self.np_random.random(7).tolist()
        world = World(_layout(size).copy(), np.zeros((size, size, 2), dtype=np.uint8))
        kind = _OBJECTS[int(u[0] * 2)]
        shade = int(u[1] * len(_COLOURS))
        colour = _COLOURS[shade]
        # The decoy differs in kind, in colour, or both.
        differs = int(u[2] * 3)  # 0: in kind, 1: in colour, 2: in both
        decoy_kind = kind if differs == 1 else _OBJECTS[1 - _OBJECTS.index(kind)]
        # Any of the other colours.
        other_shade = (shade + 1 + int(u[3] * (len(_COLOURS) - 1))) % len(_COLOURS)
        decoy_colour = colour if differs == 0 else _COLOURS[other_shade]
        world.place(1, mid - 1, kind, colour)
        north, south = (end, mid - 2), (end, mid + 2)
        self.match, self.other = (north, south) if u[5] < 0.5 else (south, north)
        world.place(*self.match, kind, colour)
        world.place(*self.other, decoy_kind, decoy_colour)
        # Anywhere in the start room but the cue's cell.
        start = 1 + int(u[6] * 8)
        world.agent_x, world.agent_y = 1 + start % 3, mid - 1 + start // 3
        world.agent_dir = int(u[4] * 4)
        return world, "remember the object in the first room, then touch its twin at the end of the corridor"

    def resolve(self, event: Event) -> tuple[bool, bool]:
        if event != Event.BLOCKED:
            return False, False
        front = self.world.front()
        if front == self.match:
            return True, True
        return front == self.other, False

    def oracle_action(self) -> int:
        move = step_towards(self.world, distance_map(self.world, [self.match]), face=True)
        return self.action_index(Action.FORWARD if move is None else move)
