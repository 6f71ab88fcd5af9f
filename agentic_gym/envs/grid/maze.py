"""GridMaze: a procedurally generated maze under fog, with a map and a compass."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from agentic_gym.core import RENDER_MODES, Affordance
from agentic_gym.envs.grid.base import FORWARD, TURN_LEFT, TURN_RIGHT, GridEnv
from agentic_gym.envs.grid.describe import minimap
from agentic_gym.envs.grid.engine import Action, Colour, Tile, View, World, distance_map, step_towards
from agentic_gym.envs.grid.knobs import GridMazeKnobs

MAP = Affordance("map", "Show a map of every cell you have seen so far this episode (costs a step).", kind="tool",
                 aliases=("show the map", "show map", "check the map", "look at the map", "view the map"))
COMPASS = Affordance("compass", "Show the bearing and distance to the goal (costs a step).", kind="tool",
                     aliases=("use the compass", "use compass", "check the compass", "check compass"))

_BEARINGS = ("east", "south-east", "south", "south-west", "west", "north-west", "north", "north-east")


def compass_reading(dx: int, dy: int) -> str:
    """Bearing and distance of an offset (``dy`` grows southwards), in words.

    Example:
        >>> compass_reading(3, -4)
        'The goal lies north-east, 5.0 cells away as the crow flies: 4 north and 3 east.'
    """
    if dx == 0 and dy == 0:
        return "You are on the goal."
    bearing = _BEARINGS[round(math.atan2(dy, dx) / (math.pi / 4)) % 8]
    parts = []
    if dy:
        parts.append(f"{abs(dy)} {'north' if dy < 0 else 'south'}")
    if dx:
        parts.append(f"{abs(dx)} {'east' if dx > 0 else 'west'}")
    distance = math.hypot(dx, dy)
    return f"The goal lies {bearing}, {distance:.1f} cells away as the crow flies: {' and '.join(parts)}."


def carve_maze(size: int, uniforms: list[float]) -> list[list[int]]:
    """A perfect maze (depth-first backtracker) as rows of tiles; passages on odd coordinates.

    ``uniforms`` (at least ``((size - 1) // 2) ** 2 + 1`` numbers in ``[0, 1)``) make
    every choice, so the maze is a pure function of them.
    """
    cells = (size - 1) // 2
    rows = [[int(Tile.WALL)] * size for _ in range(size)]
    visited = [[False] * cells for _ in range(cells)]
    draw = iter(uniforms)
    start = int(next(draw) * cells * cells)
    stack = [(start % cells, start // cells)]
    visited[start // cells][start % cells] = True
    rows[2 * (start // cells) + 1][2 * (start % cells) + 1] = Tile.FLOOR
    while stack:
        cx, cy = stack[-1]
        options = [
            (nx, ny)
            for nx, ny in ((cx + 1, cy), (cx, cy + 1), (cx - 1, cy), (cx, cy - 1))
            if 0 <= nx < cells and 0 <= ny < cells and not visited[ny][nx]
        ]
        if not options:
            stack.pop()
            continue
        nx, ny = options[int(next(draw) * len(options))]
        visited[ny][nx] = True
        rows[cy + ny + 1][cx + nx + 1] = Tile.FLOOR
        rows[2 * ny + 1][2 * nx + 1] = Tile.FLOOR
        stack.append((nx, ny))
    return rows


class GridMaze(GridEnv):
    """Find the goal in a procedurally generated maze under fog of war.

    ## Description
    Every episode draws a new perfect maze (one route between any two cells) of
    one-cell corridors. The agent sees a 7x7 egocentric view occluded by the walls, so
    it sees along a corridor but not round corners. Two tools help, each costing a
    step: ``map`` adds to the text a map of every cell seen so far this episode, and
    ``compass`` gives the bearing and distance to the goal.

    ## Action Space
    ``Discrete(5)``; action ``i`` is ``affordances[i]``.

    | index | command | effect |
    |---|---|---|
    | 0 | left | turn left |
    | 1 | right | turn right |
    | 2 | forward | move one cell forward |
    | 3 | map | the text shows a map of the cells seen so far (north up) |
    | 4 | compass | the text gives the goal's bearing and distance |

    ## Observation Space
    ``Dict(text=Text, image=Box(0, 255, (7, 7, 3), uint8), direction=Discrete(4),
    mission=Text)`` as in every grid env.

    ## Rewards
    ``1 - 0.9 * steps / max_steps`` on reaching the goal (tool steps count), 0 otherwise.

    ## Episode End
    Terminates on reaching the goal; truncates after ``max_steps`` steps.

    ## Arguments
    ``size`` (odd, 5 to 63), ``max_steps`` (default ``4 * size**2``), ``view_size`` (odd,
    1 to 11, default 7), ``render_mode``, ``tile_size`` (pixels, 4 to 256), ``obs_mode`` (``"both"``, ``"text"`` or ``"image"``: see
    :mod:`agentic_gym.envs.grid.base`).

    ## Difficulty
    Knobs (``difficulty_knobs()``, reset ``info["difficulty"]``): ``size``, ``max_steps``,
    ``view_size``, plus the registered ``max_episode_steps``. Tiers ``-Trivial`` to ``-Expert``: sizes 5, 9, 15, 21, 31.

    ## Registered Configurations
    ``agentic_gym/GridMaze-9x9-v0``, ``agentic_gym/GridMaze-15x15-v0``,
    ``agentic_gym/GridMaze-21x21-v0``.

    ## Prompt Format
    The grid text view (``You face north. You can walk 3 steps ahead, then a wall. To
    your left is floor; to your right is a wall.``, ``The goal is 2 steps ahead.`` when
    in sight). After ``map`` it starts with a character map (``#`` wall, ``.`` floor,
    ``G`` goal, the agent as ``> v < ^``, blank for unseen); after ``compass`` with
    ``The goal lies north-east, 5.0 cells away as the crow flies: 4 north and 3 east.``

    ## Action Grammar
    One command name: ``left``, ``right``, ``forward``, ``map`` or ``compass``.

    ## Version History
    * v0: initial version.

    Example:
        >>> env = GridMaze(size=9)
        >>> obs, info = env.reset(seed=0)
        >>> obs, *_ = env.step(4)
        >>> obs["text"].startswith("The goal lies")
        True
    """

    metadata: dict[str, Any] = {
        "render_modes": RENDER_MODES,
        "render_fps": 10,
        "capabilities": ("planning", "tool_use", "memory"),
    }
    affordances = (TURN_LEFT, TURN_RIGHT, FORWARD, MAP, COMPASS)
    engine_actions = (Action.LEFT, Action.RIGHT, Action.FORWARD, None, None)

    #: The record type of the typed difficulty knobs (``self.knobs``).
    Knobs = GridMazeKnobs

    def __init__(
        self,
        size: int = 9,
        max_steps: int | None = None,
        view_size: int = 7,
        render_mode: str | None = None,
        tile_size: int = 32,
        obs_mode: str = "both",
    ):
        #: The typed difficulty knobs (the one place their ranges are stated).
        self.knobs = GridMazeKnobs.resolve(size, max_steps, view_size)
        size = self.knobs.size
        self.goal = (1, 1)
        self.seen = np.zeros((size, size), dtype=bool)
        super().__init__(size, size, self.knobs.max_steps, self.knobs.view_size, render_mode, tile_size,
                         obs_mode=obs_mode)

    @property
    def size(self) -> int:
        """The ``size`` knob (``self.knobs.size``)."""
        return self.knobs.size

    def generate(self) -> tuple[World, str]:
        size = self.size
        cells = (size - 1) // 2
        uniforms = self.np_random.random(cells * cells + 4).tolist()
        world = World.empty(size, size)
        world.grid[:, :, 0] = carve_maze(size, uniforms[:-3])
        start, goal_draw, facing = uniforms[-3:]
        start_cell = int(start * cells * cells)
        world.agent_x, world.agent_y = 2 * (start_cell % cells) + 1, 2 * (start_cell // cells) + 1
        world.agent_dir = int(facing * 4)
        # The goal is a corridor cell at least half the longest route away from the start.
        dist = distance_map(world, [(world.agent_x, world.agent_y)])
        far = np.flatnonzero(dist[1::2, 1::2] * 2 >= dist.max())
        goal_cell = int(far[int(goal_draw * len(far))])
        self.goal = (2 * (goal_cell % cells) + 1, 2 * (goal_cell // cells) + 1)
        world.place(*self.goal, Tile.GOAL, Colour.GREEN)
        self.seen = np.zeros((size, size), dtype=bool)
        return world, "find the goal square in the maze"

    def after_step(self, view: View) -> None:
        self.seen.flat[view.index[view.visible]] = True

    def use_tool(self, action: int) -> str:
        if action == self.action_index(MAP):
            return "Map of what you have seen so far (north is up):\n" + minimap(self.world, self.seen)
        return compass_reading(self.goal[0] - self.world.agent_x, self.goal[1] - self.world.agent_y)

    def oracle_action(self) -> int:
        move = step_towards(self.world, distance_map(self.world, [self.goal]))
        return self.action_index(Action.FORWARD if move is None else move)
