"""The grid world engine: state on numpy arrays, rules as typed tables, one view function.

Pure logic: this module imports neither gymnasium nor pygame, so one world serves a
single-agent env, a multi-agent env and a batched vector env alike.

World state (:class:`World`)
    ``grid`` is an ``(height, width, 3)`` ``uint8`` array whose channels are
    ``[Tile, Colour, State]``: exactly the encoding of the observation image.
    ``content`` is an ``(height, width, 2)`` array ``[Tile, Colour]`` of what a
    closed :data:`Tile.BOX` holds (``Tile.UNSEEN`` = nothing). The agent is not a
    tile: it is ``(x, y)`` (column, row; ``grid[y, x]``) and a :class:`Direction`,
    and carries at most one object (``carrying`` = ``(Tile, Colour)`` or
    ``(Tile.UNSEEN, 0)``).

Rules
    Objects are passive: :data:`PASSABLE`, :data:`OPAQUE` and :data:`PICKABLE` say what
    they are, and :func:`interact` is the one function that applies an :class:`Action`,
    returning an :class:`Event` (:data:`EVENT_OK` says whether it succeeded). A
    locked door opens with ``toggle`` while carrying a key of the same colour; a box
    opened with ``toggle`` is replaced by its content. A :data:`Tile.CRATE` blocks
    here (a crate on a :data:`Tile.TARGET` has :data:`State.ON_TARGET`): Sokoban's push
    rules have one home, :mod:`agentic_gym.envs.grid.sokoban_levels`. The allocentric
    moves (:data:`MOVE_DIRECTION`) face their way, then act like ``forward``.

Visibility
    :func:`visible_cells` is the only place that decides what the agent sees. The
    view is ``size x size`` cells: egocentric (the agent at the bottom centre, facing
    up, row 0 farthest ahead) or, with ``centred=True``, north-up around the agent (for
    allocentric envs with a view radius ``r``: ``size = 2r + 1``). A cell is visible
    when it lies inside the grid and a sight line reaches it: a segment from the
    centre of the agent's cell to one of the cell's four corners that crosses the
    interior of no opaque cell (wall, closed or locked door) on the way (touching an
    edge or a corner does not block). So the agent sees along a corridor's side walls
    and round a corner's edge, but nothing straight behind a wall.
    The image (:func:`view_image`), the text (:mod:`agentic_gym.envs.grid.describe`)
    and the renderer's highlight (:func:`visible_mask`) are all computed from the
    returned :class:`View`.

Planning
    :func:`distance_map` and :func:`step_towards` give privileged solvers a BFS
    route for egocentric (turn/forward) or allocentric movers.

Example:
    >>> world = World.empty(5, 5)
    >>> world.place(3, 2, Tile.KEY, Colour.RED)
    >>> world.agent_x, world.agent_y, world.agent_dir = 1, 2, Direction.EAST
    >>> interact(world, Action.FORWARD)
    <Event.MOVED: 2>
    >>> interact(world, Action.PICKUP)
    <Event.PICKED_UP: 5>
    >>> world.carrying == (Tile.KEY, Colour.RED)
    True
    >>> view = visible_cells(world, size=3)
    >>> view_image(view)[:2, 1].tolist()  # two cells ahead: the east wall, then floor
    [[2, 5, 0], [1, 5, 0]]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

import numpy as np


class Tile(IntEnum):
    """What occupies a cell. ``UNSEEN`` (0) marks cells outside the view in images."""

    UNSEEN = 0
    FLOOR = 1
    WALL = 2
    DOOR = 3
    KEY = 4
    BALL = 5
    BOX = 6
    GOAL = 7
    LAVA = 8
    CRATE = 9
    TARGET = 10


class Colour(IntEnum):
    """Object colours (walls and floors are grey)."""

    RED = 0
    GREEN = 1
    BLUE = 2
    PURPLE = 3
    YELLOW = 4
    GREY = 5


class State(IntEnum):
    """A cell's state: doors are open, closed or locked; a crate may sit on a target."""

    NONE = 0
    OPEN = 1
    CLOSED = 2
    LOCKED = 3
    ON_TARGET = 4


class Direction(IntEnum):
    """Facing, clockwise from east (screen coordinates: y grows southwards)."""

    EAST = 0
    SOUTH = 1
    WEST = 2
    NORTH = 3


class Action(IntEnum):
    """Primitive actions the engine understands. Envs map their affordances onto them."""

    LEFT = 0
    RIGHT = 1
    FORWARD = 2
    PICKUP = 3
    DROP = 4
    TOGGLE = 5
    DONE = 6
    MOVE_EAST = 7
    MOVE_SOUTH = 8
    MOVE_WEST = 9
    MOVE_NORTH = 10


class Event(IntEnum):
    """What :func:`interact` did."""

    TURNED = 1
    MOVED = 2
    REACHED_GOAL = 3
    ENTERED_LAVA = 4
    PICKED_UP = 5
    DROPPED = 6
    OPENED = 7
    CLOSED = 8
    UNLOCKED = 9
    OPENED_BOX = 10
    PUSHED = 11
    WAITED = 12
    BLOCKED = 13
    NOTHING_TO_PICK_UP = 14
    HANDS_FULL = 15
    CANNOT_DROP = 16
    NEED_KEY = 17
    NOTHING_TO_TOGGLE = 18


#: ``(dx, dy)`` of a step in each :class:`Direction` (``y`` grows southwards).
DIRECTION_STEP: dict[Direction, tuple[int, int]] = {
    Direction.EAST: (1, 0),
    Direction.SOUTH: (0, 1),
    Direction.WEST: (-1, 0),
    Direction.NORTH: (0, -1),
}
#: :data:`DIRECTION_STEP` as a tuple indexed by direction value (the fast form for hot loops).
DIR_VEC: tuple[tuple[int, int], ...] = tuple(DIRECTION_STEP[d] for d in sorted(Direction))

N_TILES = len(Tile)
N_STATES = len(State)


def _table(entries: dict[Tile, Iterable[State] | None]) -> np.ndarray:
    """A ``[tile, state]`` bool table: listed tiles are True in the listed states (None: all)."""
    table = np.zeros((N_TILES, N_STATES), dtype=bool)
    for tile, states in entries.items():
        if states is None:
            table[tile, :] = True
        else:
            for state in states:
                table[tile, state] = True
    return table


#: Cells the agent may stand on, by ``[tile, state]``.
PASSABLE = _table(
    {Tile.FLOOR: None, Tile.GOAL: None, Tile.LAVA: None, Tile.TARGET: None, Tile.DOOR: [State.OPEN]}
)
#: Cells that block sight, by ``[tile, state]``. Out-of-grid cells are never visible.
OPAQUE = _table({Tile.WALL: None, Tile.DOOR: [State.CLOSED, State.LOCKED]})
#: Tiles the agent can pick up.
PICKABLE = frozenset({Tile.KEY, Tile.BALL, Tile.BOX})

#: Events in which the action was not carried out (the world is unchanged but for a facing).
FAILED_EVENTS = frozenset(
    {
        Event.BLOCKED,
        Event.NOTHING_TO_PICK_UP,
        Event.HANDS_FULL,
        Event.CANNOT_DROP,
        Event.NEED_KEY,
        Event.NOTHING_TO_TOGGLE,
    }
)
#: Whether each :class:`Event` means the action was carried out as given.
EVENT_OK: dict[Event, bool] = {event: event not in FAILED_EVENTS for event in Event}

#: The quarter turns clockwise of each turning :class:`Action`.
TURNS: dict[Action, int] = {Action.LEFT: 3, Action.RIGHT: 1}
#: The facing of each allocentric :class:`Action` (it faces that way, then acts like ``forward``).
MOVE_DIRECTION: dict[Action, Direction] = {
    Action.MOVE_EAST: Direction.EAST,
    Action.MOVE_SOUTH: Direction.SOUTH,
    Action.MOVE_WEST: Direction.WEST,
    Action.MOVE_NORTH: Direction.NORTH,
}
#: The allocentric :class:`Action` that moves in each :class:`Direction`.
MOVE_ACTION: dict[Direction, Action] = {direction: action for action, direction in MOVE_DIRECTION.items()}
#: The opposite of each :class:`Direction`.
OPPOSITE: dict[Direction, Direction] = {
    Direction.EAST: Direction.WEST,
    Direction.SOUTH: Direction.NORTH,
    Direction.WEST: Direction.EAST,
    Direction.NORTH: Direction.SOUTH,
}

_NOTHING = (int(Tile.UNSEEN), 0)


@lru_cache(maxsize=32)
def _empty_grid(width: int, height: int) -> np.ndarray:
    grid = np.zeros((height, width, 3), dtype=np.uint8)
    grid[:, :, 0] = Tile.WALL
    grid[:, :, 1] = Colour.GREY
    grid[1:-1, 1:-1, 0] = Tile.FLOOR
    grid.setflags(write=False)
    return grid


@dataclass
class World:
    """The full, privileged state of one grid world (see the module docstring)."""

    grid: np.ndarray
    content: np.ndarray
    agent_x: int = 1
    agent_y: int = 1
    agent_dir: int = Direction.EAST
    carrying: tuple[int, int] = _NOTHING
    carried_content: tuple[int, int] = _NOTHING

    @classmethod
    def empty(cls, width: int, height: int) -> World:
        """A grey floor surrounded by grey walls."""
        return cls(_empty_grid(width, height).copy(), np.zeros((height, width, 2), dtype=np.uint8))

    @property
    def width(self) -> int:
        return self.grid.shape[1]

    @property
    def height(self) -> int:
        return self.grid.shape[0]

    @property
    def tile(self) -> np.ndarray:
        """The ``Tile`` channel (a view into ``grid``)."""
        return self.grid[:, :, 0]

    @property
    def colour(self) -> np.ndarray:
        """The ``Colour`` channel (a view into ``grid``)."""
        return self.grid[:, :, 1]

    @property
    def state(self) -> np.ndarray:
        """The ``State`` channel (a view into ``grid``)."""
        return self.grid[:, :, 2]

    def place(self, x: int, y: int, tile: int, colour: int = Colour.GREY, state: int = State.NONE) -> None:
        """Put an object in cell ``(x, y)``, replacing what was there."""
        # Scalar stores: several times cheaper than assigning a tuple to the cell.
        grid = self.grid
        grid[y, x, 0] = tile
        grid[y, x, 1] = colour
        grid[y, x, 2] = state
        if self.content[y, x, 0]:
            self.content[y, x] = _NOTHING

    def put_in_box(self, x: int, y: int, tile: Tile, colour: Colour) -> None:
        """Hide an object inside the box at ``(x, y)``."""
        if self.grid[y, x, 0] != Tile.BOX:
            raise ValueError(f"no box at ({x}, {y})")
        self.content[y, x] = (tile, colour)

    def front(self) -> tuple[int, int]:
        """The cell the agent faces."""
        dx, dy = DIR_VEC[self.agent_dir]
        return self.agent_x + dx, self.agent_y + dy

    def inside(self, x: int, y: int) -> bool:
        return 0 <= x < self.grid.shape[1] and 0 <= y < self.grid.shape[0]

    def find(self, tile: Tile, colour: Colour | None = None) -> list[tuple[int, int]]:
        """Cells ``(x, y)`` holding ``tile`` (of ``colour``), in row-major order."""
        mask = self.grid[:, :, 0] == tile
        if colour is not None:
            mask &= self.grid[:, :, 1] == colour
        ys, xs = np.nonzero(mask)
        return list(zip(xs.tolist(), ys.tolist()))

    def copy(self) -> World:
        return World(
            self.grid.copy(),
            self.content.copy(),
            self.agent_x,
            self.agent_y,
            self.agent_dir,
            self.carrying,
            self.carried_content,
        )


#: Plain-int copies of the tables :func:`interact` reads on every step (an enum or numpy
#: look-up costs more than the rule it feeds).
_TURNS = {int(action): turns for action, turns in TURNS.items()}
_MOVE_DIRECTION = {int(action): int(direction) for action, direction in MOVE_DIRECTION.items()}
_PASSABLE_ROWS: list[list[bool]] = PASSABLE.tolist()
_PICKABLE = frozenset(int(tile) for tile in PICKABLE)
_FORWARD, _PICKUP, _DROP, _TOGGLE = int(Action.FORWARD), int(Action.PICKUP), int(Action.DROP), int(Action.TOGGLE)
_WALL, _DOOR, _BOX, _GOAL, _LAVA, _FLOOR, _KEY = (
    int(Tile.WALL),
    int(Tile.DOOR),
    int(Tile.BOX),
    int(Tile.GOAL),
    int(Tile.LAVA),
    int(Tile.FLOOR),
    int(Tile.KEY),
)


def interact(world: World, action: Action | int) -> Event:
    """Apply ``action`` to ``world`` in place and say what happened.

    This is the only function that changes a world during play. A crate
    (:data:`Tile.CRATE`) is an obstacle here: Sokoban's push rules live in
    :mod:`agentic_gym.envs.grid.sokoban_levels`, the one place that moves crates.
    """
    action = int(action)
    turns = _TURNS.get(action)
    if turns is not None:
        world.agent_dir = (world.agent_dir + turns) % 4
        return Event.TURNED
    facing = _MOVE_DIRECTION.get(action)
    if facing is not None:
        world.agent_dir = facing
        action = _FORWARD
    grid = world.grid
    dx, dy = DIR_VEC[world.agent_dir]
    fx, fy = world.agent_x + dx, world.agent_y + dy
    height, width = grid.shape[:2]
    if 0 <= fx < width and 0 <= fy < height:
        tile, state = grid.item(fy, fx, 0), grid.item(fy, fx, 2)
    else:
        tile, state = _WALL, int(State.NONE)
    if action == _FORWARD:
        if not _PASSABLE_ROWS[tile][state]:
            return Event.BLOCKED
        world.agent_x, world.agent_y = fx, fy
        if tile == _GOAL:
            return Event.REACHED_GOAL
        if tile == _LAVA:
            return Event.ENTERED_LAVA
        return Event.MOVED
    if action == _PICKUP:
        if tile not in _PICKABLE:
            return Event.NOTHING_TO_PICK_UP
        if world.carrying[0] != Tile.UNSEEN:
            return Event.HANDS_FULL
        world.carrying = (tile, grid.item(fy, fx, 1))
        # A carried box keeps its content and puts it back where it is dropped.
        world.carried_content = (int(world.content[fy, fx, 0]), int(world.content[fy, fx, 1]))
        grid[fy, fx] = (Tile.FLOOR, Colour.GREY, State.NONE)
        world.content[fy, fx] = _NOTHING
        return Event.PICKED_UP
    if action == _DROP:
        if world.carrying[0] == Tile.UNSEEN or tile != _FLOOR:
            return Event.CANNOT_DROP
        grid[fy, fx] = (world.carrying[0], world.carrying[1], State.NONE)
        world.content[fy, fx] = world.carried_content
        world.carrying = _NOTHING
        world.carried_content = _NOTHING
        return Event.DROPPED
    if action == _TOGGLE:
        if tile == _DOOR:
            if state == State.OPEN:
                grid[fy, fx, 2] = State.CLOSED
                return Event.CLOSED
            if state == State.CLOSED:
                grid[fy, fx, 2] = State.OPEN
                return Event.OPENED
            if world.carrying == (_KEY, grid.item(fy, fx, 1)):
                grid[fy, fx, 2] = State.OPEN
                return Event.UNLOCKED
            return Event.NEED_KEY
        if tile == _BOX:
            inner_tile, inner_colour = (int(v) for v in world.content[fy, fx])
            if inner_tile == Tile.UNSEEN:
                grid[fy, fx] = (Tile.FLOOR, Colour.GREY, State.NONE)
            else:
                grid[fy, fx] = (inner_tile, inner_colour, State.NONE)
            world.content[fy, fx] = _NOTHING
            return Event.OPENED_BOX
        return Event.NOTHING_TO_TOGGLE
    return Event.WAITED


# ---- visibility -------------------------------------------------------------------


def segment_crosses(
    x0: float, y0: float, x1: float, y1: float, lo_x: float, hi_x: float, lo_y: float, hi_y: float
) -> bool:
    """Liang-Barsky: does the segment meet the open box ``(lo, hi)``?"""
    t0, t1 = 0.0, 1.0
    for p, q in (
        (-(x1 - x0), x0 - lo_x),
        (x1 - x0, hi_x - x0),
        (-(y1 - y0), y0 - lo_y),
        (y1 - y0, hi_y - y0),
    ):
        if p == 0:
            if q <= 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 >= t1:
            return False
    return True


@lru_cache(maxsize=16)
def view_slots(size: int, centred: bool) -> tuple[np.ndarray, np.ndarray, int]:
    """Per view slot ``(row, col)`` (flattened): forward and rightward offsets from the agent.

    Returns ``(forward, right, agent_slot)``. For a centred view ``forward`` counts
    rows northwards and ``right`` columns eastwards.
    """
    if size < 1 or size % 2 == 0:
        raise ValueError(f"view size must be a positive odd number, got {size}")
    rows, cols = np.divmod(np.arange(size * size), size)
    half = size // 2
    agent_row = half if centred else size - 1
    forward = agent_row - rows
    right = cols - half
    return forward, right, agent_row * size + half


@lru_cache(maxsize=16)
def _between(size: int, centred: bool) -> np.ndarray:
    """Blockers of the four sight lines to every view cell, as a ``(4 * n, n)`` table.

    Row ``k * n + s`` marks (with 1) the cells ``q`` whose interior the segment from the
    agent's centre to corner ``k`` of cell ``s`` crosses; ``s`` itself and the agent's
    cell never block. Cell ``s`` is visible when one of its four rows meets no opaque
    cell.
    """
    forward, right, agent = view_slots(size, centred)
    n = size * size
    table = np.zeros((4, n, n), dtype=np.float32)
    # A segment that only touches an edge or a corner does not cross a cell: the margin
    # keeps exact grazes (common on a grid) from counting.
    margin = 1e-6
    for s in range(n):
        for k, (cx, cy) in enumerate(((-0.5, -0.5), (-0.5, 0.5), (0.5, -0.5), (0.5, 0.5))):
            x1, y1 = float(right[s]) + cx, float(forward[s]) + cy
            for q in range(n):
                if q in (s, agent):
                    continue
                qx, qy = float(right[q]), float(forward[q])
                lo_x, hi_x, lo_y, hi_y = (
                    qx - 0.5 + margin,
                    qx + 0.5 - margin,
                    qy - 0.5 + margin,
                    qy + 0.5 - margin,
                )
                if segment_crosses(0.0, 0.0, x1, y1, lo_x, hi_x, lo_y, hi_y):
                    table[k, s, q] = 1.0
    flat = table.reshape(4 * n, n)
    flat.setflags(write=False)
    return flat


@lru_cache(maxsize=32)
def _view_tables(
    height: int, width: int, size: int, centred: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per ``[direction, y, x]``: the flat world index of every view slot and the blocker
    count a visible slot must have (0 on the grid; -1 outside it, which no count equals,
    so slots outside the grid, which point at cell 0, are never visible); and the
    ``between`` table of :func:`_between`.
    """
    forward, right, _ = view_slots(size, centred)
    index = np.zeros((4, height, width, size * size), dtype=np.intp)
    clear = np.zeros((4, height, width, size * size), dtype=np.float32)
    ys, xs = np.mgrid[0:height, 0:width]
    for d in range(4):
        if centred:
            fdx, fdy, rdx, rdy = 0, -1, 1, 0
        else:
            fdx, fdy = DIR_VEC[d]
            rdx, rdy = DIR_VEC[(d + 1) % 4]
        cx = xs[:, :, None] + forward * fdx + right * rdx
        cy = ys[:, :, None] + forward * fdy + right * rdy
        ok = (cx >= 0) & (cx < width) & (cy >= 0) & (cy < height)
        index[d] = np.where(ok, cy * width + cx, 0)
        clear[d] = np.where(ok, 0.0, -1.0)
    index.setflags(write=False)
    clear.setflags(write=False)
    return index, clear, _between(size, centred)


#: ``OPAQUE`` flattened to ``tile * N_STATES + state``, as floats for the sight-line product.
_OPAQUE_F32 = OPAQUE.astype(np.float32).ravel()


class View:
    """What the agent sees now: ``size x size`` slots, flattened row-major.

    It holds nothing the agent cannot see: hidden slots are zero in ``image``.

    Attributes:
        size: the side of the square view.
        centred: north-up around the agent (True) or egocentric (False).
        direction: the agent's facing when the view was taken (0 for centred views).
        image: ``(size*size, 3)`` ``uint8`` ``[tile, colour, state]`` of every slot,
            all zero where hidden (:func:`view_image` shapes it as the observation).
        visible: ``(size*size,)`` bool.
        index: ``(size*size,)`` flat world index (``y * width + x``) of every slot.
    """

    __slots__ = ("size", "centred", "direction", "image", "visible", "index")

    def __init__(
        self,
        size: int,
        centred: bool,
        direction: int,
        image: np.ndarray,
        visible: np.ndarray,
        index: np.ndarray,
    ):
        self.size = size
        self.centred = centred
        self.direction = direction
        self.image = image
        self.visible = visible
        self.index = index


def visible_cells(world: World, size: int = 7, centred: bool = False) -> View:
    """The agent's view of ``world`` (see the module docstring for the geometry)."""
    grid = world.grid
    index_table, clear_table, between = _view_tables(grid.shape[0], grid.shape[1], size, centred)
    d = 0 if centred else world.agent_dir
    y, x = world.agent_y, world.agent_x
    index = index_table[d, y, x]
    cells = grid.reshape(-1, 3).take(index, axis=0)
    opaque = _OPAQUE_F32.take(cells[:, 0] * np.uint8(N_STATES) + cells[:, 2])
    blocked = np.minimum.reduce((between @ opaque).reshape(4, -1))
    visible = blocked == clear_table[d, y, x]
    return View(size, centred, d, cells * visible[:, None], visible, index)


def view_image(view: View) -> np.ndarray:
    """The ``(size, size, 3)`` ``uint8`` observation image (a fresh copy): hidden slots are zero."""
    return view.image.reshape(view.size, view.size, 3).copy()


def visible_mask(world: World, view: View) -> np.ndarray:
    """A ``(height, width)`` bool mask of the world cells in view (the renderer's highlight)."""
    mask = np.zeros(world.grid.shape[0] * world.grid.shape[1], dtype=bool)
    mask[view.index[view.visible]] = True
    return mask.reshape(world.grid.shape[:2])


# ---- planning (privileged solvers) ------------------------------------------------


def distance_map(
    world: World, targets: Iterable[tuple[int, int]], avoid: Iterable[Tile] = (Tile.LAVA,)
) -> np.ndarray:
    """BFS distance (in moves) from every cell to the nearest target over passable cells.

    Targets count as reachable even when they are not passable themselves (the
    distance then says how far the cell *next to* it is, plus one). Unreachable cells
    hold -1.
    """
    height, width = world.grid.shape[:2]
    walk = PASSABLE[world.grid[:, :, 0], world.grid[:, :, 2]]
    for tile in avoid:
        walk &= world.grid[:, :, 0] != tile
    walk_rows = walk.tolist()
    dist = [[-1] * width for _ in range(height)]
    queue: deque[tuple[int, int]] = deque()
    for x, y in targets:
        if dist[y][x] < 0:
            dist[y][x] = 0
            queue.append((x, y))
    while queue:
        x, y = queue.popleft()
        nd = dist[y][x] + 1
        for dx, dy in DIR_VEC:
            nx, ny = x + dx, y + dy
            if 0 <= nx < width and 0 <= ny < height and dist[ny][nx] < 0 and walk_rows[ny][nx]:
                dist[ny][nx] = nd
                queue.append((nx, ny))
    return np.array(dist, dtype=np.int32)


def step_towards(
    world: World, dist: np.ndarray, face: bool = False, allocentric: bool = False
) -> Action | None:
    """The next move along ``dist`` (from :func:`distance_map`) towards its targets.

    With ``face=False`` the walk ends standing on a target; with ``face=True`` it ends
    facing a target from a neighbouring cell (to pick it up, toggle or touch it).
    Returns None when the walk is over (or there is no route).
    """
    x, y = world.agent_x, world.agent_y
    height, width = dist.shape
    here = int(dist[y, x])
    if here <= 0:
        return None
    best_dir, best = -1, here
    # Straight on first, then the sides, then behind: ties keep the turns few.
    heading = world.agent_dir
    for d in (heading, (heading + 1) % 4, (heading + 3) % 4, (heading + 2) % 4):
        dx, dy = DIR_VEC[d]
        nx, ny = x + dx, y + dy
        if 0 <= nx < width and 0 <= ny < height and 0 <= dist[ny, nx] < best:
            best_dir, best = d, int(dist[ny, nx])
    if best_dir < 0:
        return None
    if face and best == 0 and best_dir == heading:
        return None
    if allocentric:
        return MOVE_ACTION[Direction(best_dir)]
    if best_dir == heading:
        return Action.FORWARD
    return Action.LEFT if best_dir == (heading + TURNS[Action.LEFT]) % 4 else Action.RIGHT
