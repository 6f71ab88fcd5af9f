"""GridSokoban: push every crate onto a target, levels made by reverse play."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np

from agentic_gym.core import RENDER_MODES, Affordance
from agentic_gym.envs.grid.base import MAX_SIZE, GridEnv
from agentic_gym.envs.grid.describe import describe_view
from agentic_gym.envs.grid.engine import (
    MOVE_ACTION,
    MOVE_DIRECTION,
    Action,
    Colour,
    Direction,
    Event,
    State,
    Tile,
    View,
    World,
    view_slots,
)
from agentic_gym.envs.grid.knobs import MAX_SOKOBAN_SIZE as MAX_SOKOBAN_SIZE  # the bound, where it was
from agentic_gym.envs.grid.knobs import GridSokobanKnobs
from agentic_gym.envs.grid.sokoban_levels import (
    Level,
    Outcome,
    SokobanConfig,
    SokobanState,
    default_max_moves,
    generate_level,
    move_offsets,
    solve,
)

#: Nodes the oracle's search for a plan with few moves may expand before it settles for
#: the quick search (whose plans take about a third more moves on the 10x10 levels).
ORACLE_EFFORT = 3000

UP = Affordance("up", "Move one cell north (up the map), pushing a crate in the way.", kind="move",
                aliases=("north", "move up", "go up", "push up", "move north", "go north"))
DOWN = Affordance("down", "Move one cell south (down the map), pushing a crate in the way.", kind="move",
                  aliases=("south", "move down", "go down", "push down", "move south", "go south"))
LEFT = Affordance("left", "Move one cell west (left on the map), pushing a crate in the way.", kind="move",
                  aliases=("west", "move left", "go left", "push left", "move west", "go west"))
RIGHT = Affordance("right", "Move one cell east (right on the map), pushing a crate in the way.", kind="move",
                   aliases=("east", "move right", "go right", "push right", "move east", "go east"))

#: Map characters by ``[tile]`` (crates on targets and the agent are set apart below).
_MAP_CHARS = {Tile.UNSEEN: "?", Tile.FLOOR: "-", Tile.WALL: "#", Tile.TARGET: ".", Tile.CRATE: "$"}
MAP_LEGEND = "@ you, + you on a target, # wall, - floor, . target, $ crate, * crate on a target, ? unseen"


def _char_table() -> np.ndarray:
    """The map character (an ASCII byte) of every ``tile * len(State) + state`` code."""
    table = []
    for tile in Tile:
        for state in State:
            if tile == Tile.CRATE and state == State.ON_TARGET:
                table.append("*")
            else:
                table.append(_MAP_CHARS.get(tile, "?"))
    return np.frombuffer("".join(table).encode("ascii"), dtype=np.uint8)


_CHARS = _char_table()
_N_STATES = len(State)
_N_CODES = len(Tile) * _N_STATES
_NEWLINE = ord("\n")
# Plain ints: enum attribute look-ups cost more than the arithmetic they feed.
_CRATE_CODE = int(Tile.CRATE) * _N_STATES + int(State.NONE)
_PLACED_CODE = int(Tile.CRATE) * _N_STATES + int(State.ON_TARGET)
_TARGET_CODE = int(Tile.TARGET) * _N_STATES + int(State.NONE)
_TARGET = int(Tile.TARGET)
#: The tile of a wall byte (1) or a floor byte (0) of a level.
_WALL_OR_FLOOR = np.array([Tile.FLOOR, Tile.WALL], dtype=np.uint8)
_YOU, _YOU_ON_TARGET = ord("@"), ord("+")


def cell_codes(view: View) -> np.ndarray:
    """``tile * len(State) + state`` of every view slot (0, unseen, where hidden)."""
    image = view.image
    return image[:, 0].astype(np.intp) * _N_STATES + image[:, 2]


def view_map(view: View) -> str:
    """The visible part of a centred view as map rows, north up, cropped to what is in view.

    Example:
        >>> from agentic_gym.envs.grid.engine import World, visible_cells
        >>> world = World.empty(5, 4)
        >>> world.place(3, 1, Tile.CRATE)
        >>> world.agent_x, world.agent_y = 1, 1
        >>> print(view_map(visible_cells(world, size=3, centred=True)))
        ###
        #@-
        #--
    """
    size = view.size
    chars = _CHARS[cell_codes(view)].reshape(size, size)
    agent = size * size // 2
    chars[agent // size, agent % size] = _YOU_ON_TARGET if view.image[agent, 0] == _TARGET else _YOU
    visible = view.visible.reshape(size, size)
    rows = visible.any(axis=1).nonzero()[0]
    cols = visible.any(axis=0).nonzero()[0]
    lo, hi = int(cols[0]), int(cols[-1]) + 1
    crop = np.empty((len(rows), hi - lo + 1), dtype=np.uint8)
    crop[:, :-1] = chars[rows, lo:hi]
    crop[:, -1] = _NEWLINE
    return crop.tobytes()[:-1].decode("ascii")


class GridSokoban(GridEnv):
    """Push every crate onto a target in a generated Sokoban room.

    ## Description
    A walled room with a few interior walls, ``boxes`` crates and as many targets
    (floor markings). The agent moves up, down, left and right (allocentric: north is
    always up); walking into a crate pushes it one cell if the cell beyond is floor or
    a target. Crates cannot be pulled and there is no undo, so a crate pushed into a
    corner is lost for good: the task rewards planning ahead. Every level is made by
    *reverse play* from the solved position (crates pulled off their targets), so
    every level is solvable within the step limit, and levels that need too few
    pushes are rejected. By default the whole room is in view; with ``view_radius=r``
    the agent sees only a ``(2r+1) x (2r+1)`` square around itself, occluded by walls.

    ## Action Space
    ``Discrete(4)``; action ``i`` is ``affordances[i]``. ``undo`` is not offered.

    | index | command | effect |
    |---|---|---|
    | 0 | up | move north, pushing a crate in the way |
    | 1 | down | move south, pushing a crate in the way |
    | 2 | left | move west, pushing a crate in the way |
    | 3 | right | move east, pushing a crate in the way |

    ## Observation Space
    ``Dict(text=Text, image=Box(0, 255, (v, v, 3), uint8), direction=Discrete(4),
    mission=Text)``. ``image`` is north up and centred on the agent, ``[tile, colour,
    state]`` per cell (zeros where hidden or off the grid) with ``v = 2 * view_radius
    + 1``, or ``v = 2 * size - 1`` with the full view so that the whole room fits
    around any position. ``direction`` is the direction of the last move
    (0 east, 1 south, 2 west, 3 north; east before the first move). ``mission`` says
    how many crates there are.

    ## Rewards
    ``1 - 0.9 * steps / max_steps`` on the step that puts the last crate on a target,
    0 otherwise.

    ## Episode End
    Terminates when every crate is on a target (``info["success"]`` True from then
    on); truncates after ``max_steps`` steps. A lost position (a crate in a corner)
    does not end the episode. ``info["action_valid"]`` is False for a move blocked
    by a wall or by a crate that cannot move.

    ## Arguments
    ``size`` (room side with its border wall, 6 to 16), ``boxes`` (crates, 1 to
    ``min((size - 2) ** 2 // 8, 6)``),
    ``view_radius`` (None: whole room; else 1 to 5), ``max_steps`` (default ``20 * size``, times
    ``boxes // 2`` from four crates on),
    ``obstacles`` (interior wall cells scattered before generation, default
    ``(size - 2) ** 2 // 9``), ``min_pushes`` (the least pushes a level needs, default
    ``2 * boxes + 1``), ``render_mode``, ``tile_size``, ``obs_mode`` (``"both"``, ``"text"``
    or ``"image"``: see :mod:`agentic_gym.envs.grid.base`; the text's map already shows
    every cell in view, so ``"text"`` reads as ``"both"``).

    ## Difficulty
    Knobs (``difficulty_knobs()``, reset ``info["difficulty"]``): ``size``, ``boxes``,
    ``view_radius``, ``max_steps``, ``obstacles`` and ``min_pushes`` (their defaults
    resolved), plus the registered ``max_episode_steps``. Tiers ``-Trivial`` to
    ``-Expert``: size/boxes 6/1, 7/2, 8/2, 10/3, 12/4.

    ## Registered Configurations
    ``agentic_gym/GridSokoban-6x6-v0`` (1 crate), ``agentic_gym/GridSokoban-8x8-v0``
    (2 crates), ``agentic_gym/GridSokoban-10x10-v0`` (3 crates).

    ## Prompt Format
    After the outcome of the last move (``You push the crate.``, ``You cannot move
    there.``) a map of what is in view, north up, one character per cell (``@`` you,
    ``+`` you on a target, ``#`` wall, ``-`` floor, ``.`` target, ``$`` crate, ``*``
    crate on a target, ``?`` unseen), then the four neighbours (``Around you: north a
    wall, east a crate, ...``), each crate and target in view with its offset (``A
    crate is 1 step south and 2 east.``) and a count (``In view: 2 crates, 1 of them
    on a target; 1 empty target.``).

    ## Action Grammar
    One command name: ``up``, ``down``, ``left`` or ``right``.

    ## Version History
    * v0: initial version.

    Example:
        >>> env = GridSokoban(size=6, boxes=1)
        >>> obs, info = env.reset(seed=0)
        >>> while not info["success"]:
        ...     obs, reward, terminated, truncated, info = env.step(env.oracle_action())
        >>> terminated, 0.1 <= reward <= 1.0
        (True, True)
    """

    metadata: dict[str, Any] = {
        "render_modes": RENDER_MODES,
        "render_fps": 10,
        "capabilities": ("planning",),
    }
    affordances = (UP, DOWN, LEFT, RIGHT)
    engine_actions = (Action.MOVE_NORTH, Action.MOVE_SOUTH, Action.MOVE_WEST, Action.MOVE_EAST)
    centred_view = True
    # The text's map already shows every cell in view.
    describes_every_cell = True
    # The full view is a (2 * size - 1) square that bypasses the sight-line tables.
    max_view_size = 2 * MAX_SIZE - 1

    #: The record type of the typed difficulty knobs (``self.knobs``).
    Knobs = GridSokobanKnobs

    def __init__(
        self,
        size: int = 8,
        boxes: int = 2,
        view_radius: int | None = None,
        max_steps: int | None = None,
        obstacles: int | None = None,
        min_pushes: int | None = None,
        render_mode: str | None = None,
        tile_size: int = 32,
        obs_mode: str = "both",
    ):
        #: The typed difficulty knobs (the one place their ranges are stated).
        self.knobs = GridSokobanKnobs.resolve(size, boxes, view_radius, max_steps, obstacles, min_pushes)
        size, boxes, view_radius = self.knobs.size, self.knobs.boxes, self.knobs.view_radius
        obstacles, min_pushes, max_steps = self.knobs.obstacles, self.knobs.min_pushes, self.knobs.max_steps
        # The reverse play never makes more moves than the step limit, so its reading
        # backwards always solves the level in time.
        self.config = SokobanConfig(
            size,
            size,
            boxes=boxes,
            obstacles=obstacles,
            min_pushes=min_pushes,
            max_moves=min(default_max_moves(size, size, boxes), max_steps),
        )
        # The record keeps the generator's resolved shape knobs (what a level was built with).
        self.knobs = replace(self.knobs, obstacles=self.config.n_obstacles, min_pushes=self.config.n_min_pushes)
        self.level: Level | None = None
        #: The position of record: the world's grid is painted from it after each move.
        self.state = SokobanState(size, size, bytes(size * size), (), bytearray(size * size), 0)
        self._plan: list[Direction] = []
        self._plan_at: tuple[int, tuple[int, ...]] | None = None
        view_size = 2 * size - 1 if view_radius is None else 2 * view_radius + 1
        super().__init__(size, size, max_steps, view_size, render_mode, tile_size, obs_mode=obs_mode)
        self._mission = (
            f"push all {boxes} crates onto the targets" if boxes > 1 else "push the crate onto the target"
        )

    # ---- the world ------------------------------------------------------------------

    @property
    def size(self) -> int:
        """The ``size`` knob (``self.knobs.size``)."""
        return self.knobs.size

    @property
    def boxes(self) -> int:
        """The ``boxes`` knob (``self.knobs.boxes``)."""
        return self.knobs.boxes

    @property
    def view_radius(self) -> int | None:
        """The ``view_radius`` knob (``self.knobs.view_radius``)."""
        return self.knobs.view_radius

    def generate(self) -> tuple[World, str]:
        level = generate_level(self.np_random, self.config)
        self.level = level
        self._plan, self._plan_at = [], None
        return self._world_of(level.state(), level.boxes), self._mission

    def load(self, state: SokobanState) -> None:
        """Play ``state`` (e.g. a hand-made position from
        :meth:`~agentic_gym.envs.grid.sokoban_levels.SokobanState.from_text`) from now on.

        It must be ``size x size`` and have ``boxes`` boxes; the step count starts again.
        """
        if (state.width, state.height) != (self.size, self.size) or len(state.boxes) != self.boxes:
            raise ValueError(f"a position of {self.size}x{self.size} cells with {self.boxes} boxes is needed")
        self.level = None
        self._plan, self._plan_at = [], None
        self.world = self._world_of(state.copy(), state.boxes)
        self.steps, self.success = 0, False
        self._observe("")

    def _world_of(self, state: SokobanState, boxes: tuple[int, ...]) -> World:
        """Make ``state`` (whose boxes are on the cells ``boxes``) the position of record and
        paint the world's grid from it."""
        self.state = state
        n = self.size * self.size
        grid = np.empty((self.size, self.size, 3), dtype=np.uint8)
        flat = grid.reshape(n, 3)
        flat[:, 0] = _WALL_OR_FLOOR[np.frombuffer(state.walls, dtype=np.uint8)]
        flat[:, 1] = Colour.GREY
        flat[:, 2] = State.NONE
        flat[list(state.targets), 0] = Tile.TARGET
        flat[list(boxes), 0] = Tile.CRATE
        # A crate on a target: its target is painted over, its state says so.
        placed = [t for t in state.targets if state.box_at[t]]
        if placed:
            flat[placed, 2] = State.ON_TARGET
        world = World(grid, np.zeros((self.size, self.size, 2), dtype=np.uint8))
        world.agent_y, world.agent_x = divmod(state.player, self.size)
        world.agent_dir = Direction.EAST
        return world

    def apply(self, action: Action) -> Event:
        """Move by the push rules of :class:`SokobanState` (the one implementation), then
        paint the cells that changed onto the world's grid."""
        direction = MOVE_DIRECTION[action]
        world, state = self.world, self.state
        world.agent_dir = direction
        outcome = state.move(direction)
        if outcome == Outcome.BLOCKED:
            return Event.BLOCKED
        flat = world.grid.reshape(-1, 3)
        if outcome == Outcome.PUSHED:
            ahead, beyond = state.player, state.player + move_offsets(state.width)[direction]
            flat[ahead, 0] = Tile.TARGET if state.on_target(ahead) else Tile.FLOOR
            flat[ahead, 2] = State.NONE
            flat[beyond, 0] = Tile.CRATE
            flat[beyond, 2] = State.ON_TARGET if state.on_target(beyond) else State.NONE
        world.agent_y, world.agent_x = divmod(state.player, state.width)
        return Event.PUSHED if outcome == Outcome.PUSHED else Event.MOVED

    def resolve(self, event: Event) -> tuple[bool, bool]:
        # Only a push can finish the puzzle.
        if event == Event.PUSHED and self.state.solved:
            return True, True
        return False, False

    def look(self) -> View:
        # Without a view radius nothing in the room is hidden: no line of sight to compute.
        if self.view_radius is None:
            return full_view(self.world, self.view_size)
        return super().look()

    def describe(self, view: View) -> str:
        words = describe_view(view)
        counts = np.bincount(cell_codes(view), minlength=_N_CODES)
        placed = int(counts[_PLACED_CODE])
        crates = int(counts[_CRATE_CODE]) + placed
        empty = int(counts[_TARGET_CODE])
        count = (
            f"In view: {crates} crate{'s' if crates != 1 else ''}, {placed} of them on a target; "
            f"{empty} empty target{'s' if empty != 1 else ''}."
        )
        return f"Map (north is up; {MAP_LEGEND}):\n{view_map(view)}\n{words}\n{count}"

    # ---- the privileged solver --------------------------------------------------------

    def sokoban_state(self) -> SokobanState:
        """A copy of the position (a :class:`~agentic_gym.envs.grid.sokoban_levels.SokobanState`)."""
        return self.state.copy()

    def oracle_action(self) -> int:
        """The next move of a box-pushing search from the true position.

        The plan (fewest pushes, and few moves among those) is kept while play follows
        it and searched again when it does not. The search for few moves has a budget
        of ``ORACLE_EFFORT`` nodes, after which the quick search takes over. At the
        start position the reverse play is a candidate too and the shorter plan wins:
        it never exceeds the step limit, so the oracle solves every seed in time. A
        lost position gets any move that is not blocked. The move is returned as the
        index of the affordance that makes it.
        """
        state = self.state.copy()
        key = (state.player, state.boxes)
        if not self._plan or key != self._plan_at:
            plan = solve(state, max_states=ORACLE_EFFORT, fewest_moves=True) or solve(state)
            if self.level is not None and key == (self.level.player, self.level.boxes):
                backwards = self.level.reverse_solution()
                if plan is None or len(backwards) < len(plan):
                    plan = backwards
            if not plan:
                self._plan, self._plan_at = [], None
                free = next((d for d in Direction if state.outcome(d) != Outcome.BLOCKED), Direction.EAST)
                return self.action_index(MOVE_ACTION[free])
            self._plan = list(plan)
        move = self._plan.pop(0)
        state.move(move)
        self._plan_at = (state.player, state.boxes)
        return self.action_index(MOVE_ACTION[move])


def full_view(world: World, size: int) -> View:
    """A north-up ``size x size`` view centred on the agent in which every cell of the grid is
    visible (the full-view mode of :class:`GridSokoban`: nothing occludes)."""
    height, width = world.grid.shape[:2]
    index_table, inside_table, keep_table = _full_view_tables(height, width, size)
    y, x = world.agent_y, world.agent_x
    image = world.grid.reshape(-1, 3)[index_table[y, x]] * keep_table[y, x]
    return View(size, True, 0, image, inside_table[y, x], index_table[y, x])


@lru_cache(maxsize=16)
def _full_view_tables(height: int, width: int, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per agent cell ``[y, x]``: the world index of every view slot, whether it is on the
    grid, and the same as a ``uint8`` column that zeroes off-grid slots."""
    forward, right, _ = view_slots(size, True)
    ys, xs = np.mgrid[0:height, 0:width]
    cx = xs[:, :, None] + right
    cy = ys[:, :, None] - forward
    inside = (cx >= 0) & (cx < width) & (cy >= 0) & (cy < height)
    index = np.where(inside, cy * width + cx, 0)
    keep = inside.astype(np.uint8)[..., None]
    for table in (index, inside, keep):
        table.setflags(write=False)
    return index, inside, keep
