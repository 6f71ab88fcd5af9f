"""Sokoban levels: room generation, reverse play, the push rules and a box-pushing solver.

Pure logic: this module imports neither gymnasium nor pygame, so the env, tests and
benchmarks use it directly. A level lives on a ``width x height`` grid whose border
is wall; cells are flat indices ``y * width + x`` (``x`` the column, ``y`` the row),
so a move is one integer offset and no bounds check is ever needed (the border
stops the player and every box before it could leave the grid).

Levels are made by *reverse play*: boxes start on their targets (the solved state)
and the player makes *pull runs*: it walks (breadth-first) to a box it can reach,
then pulls it one or more cells straight back, stepping backwards. Of two random
candidate runs the one that takes its box farther from where it started wins, a
cheap bias towards harder levels. A pull is exactly an undone push, so reading the
play backwards is a forward solution of at most ``max_moves`` moves
(:meth:`Level.reverse_solution`): every generated level is solvable within that
budget. A level is accepted only once every box has been pulled, no box is on a
target, the boxes need at least ``min_pushes`` pushes (sum of distances to the
nearest target) and some box shares neither row nor column with any target (the
player must walk round it). The inner loops are plain Python over ``bytearray`` s
fed by one batch of floats from the generator: on grids this small that beats
numpy's per-call cost.

The solver (:func:`solve`) is an A* search over pushes (see its docstring); it gives
the oracle of :class:`~agentic_gym.envs.grid.sokoban.GridSokoban`.

Example:
    >>> import numpy as np
    >>> level = generate_level(np.random.default_rng(0), SokobanConfig(8, 8, boxes=2))
    >>> len(level.boxes), len(level.targets), set(level.boxes) & set(level.targets)
    (2, 2, set())
    >>> plan = solve(level)
    >>> state = level.state()
    >>> for move in plan:
    ...     _ = state.move(move)
    >>> state.solved
    True
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

import numpy as np

from agentic_gym.envs.grid.engine import OPPOSITE, Direction

_CHAR_KINDS = frozenset("#-.$*@+")


class Outcome(IntEnum):
    """What a move did."""

    BLOCKED = 0  # a wall, or a box that cannot move, is in the way
    MOVED = 1
    PUSHED = 2


@lru_cache(maxsize=64)
def move_offsets(width: int) -> tuple[int, ...]:
    """The flat-index offset of a move in each :class:`~agentic_gym.envs.grid.engine.Direction`,
    indexed by it, on a grid ``width`` cells wide: the one move table of the module."""
    steps = {Direction.EAST: 1, Direction.SOUTH: width, Direction.WEST: -1, Direction.NORTH: -width}
    offsets = [0] * len(steps)
    for direction, step in steps.items():
        offsets[direction] = step
    return tuple(offsets)


#: The order in which the generator lists candidate pulls and the solver tries pushes: the
#: level a seed gives and the oracle's plan depend on it.
SEARCH_ORDER = (Direction.NORTH, Direction.SOUTH, Direction.WEST, Direction.EAST)


@lru_cache(maxsize=64)
def _search_offsets(width: int) -> tuple[int, ...]:
    """:func:`move_offsets` in :data:`SEARCH_ORDER`."""
    return tuple(move_offsets(width)[d] for d in SEARCH_ORDER)


#: The most boxes a level may have (and at most one per eight interior cells).
MAX_BOXES = 6


def default_max_moves(width: int, height: int, boxes: int) -> int:
    """The default bound on the reverse play: ``8 * (width + height)``, more for many boxes."""
    return 8 * (width + height) * max(1, boxes // 2)


@dataclass(frozen=True)
class SokobanConfig:
    """How to generate a level.

    ``width``/``height`` include the border wall. ``obstacles`` interior wall cells
    are scattered (default: one per nine interior cells) before pockets cut off from
    the player's room are walled in. ``max_moves`` bounds the reverse play, hence the
    length of a solution (keep it within the episode's step limit; default
    :func:`default_max_moves`). ``min_pushes`` is the least number of pushes a level
    must need, measured by the sum of each box's distance to its nearest target
    (default ``2 * boxes + 1``).
    """

    width: int
    height: int
    boxes: int = 1
    obstacles: int | None = None
    min_pushes: int | None = None
    max_moves: int | None = None

    def __post_init__(self) -> None:
        if self.width < 6 or self.height < 6:
            raise ValueError(
                f"a Sokoban room needs at least 6x6 cells with its border, got {self.width}x{self.height}"
            )
        interior = (self.width - 2) * (self.height - 2)
        # Reverse play is tuned for a few boxes in a roomy level: denser rooms rarely yield one.
        most = min(interior // 8, MAX_BOXES)
        if not 1 <= self.boxes <= most:
            raise ValueError(
                f"boxes must be in [1, {most}] for a {self.width}x{self.height} room, got {self.boxes}"
            )
        for name in ("obstacles", "min_pushes", "max_moves"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be >= 0, got {value}")

    @property
    def n_obstacles(self) -> int:
        if self.obstacles is not None:
            return self.obstacles
        return (self.width - 2) * (self.height - 2) // 9

    @property
    def n_min_pushes(self) -> int:
        return self.min_pushes if self.min_pushes is not None else 2 * self.boxes + 1

    @property
    def n_max_moves(self) -> int:
        if self.max_moves is not None:
            return self.max_moves
        return default_max_moves(self.width, self.height, self.boxes)


@dataclass(frozen=True)
class Level:
    """A generated start position.

    ``walls`` holds one byte per cell (1 = wall); ``targets`` and ``boxes`` are sorted
    cell indices. The reverse play that made the level is kept: the player started
    at ``solved_player`` (next to a box) with every box on its target, then made ``pulls``, each
    ``(box cell, offset, count)``: walk to ``box + offset`` and pull the box
    ``count`` cells along ``offset``. ``reverse_moves`` is its length in moves, an
    upper bound on the moves a solution needs (:meth:`reverse_solution`).
    """

    width: int
    height: int
    walls: bytes
    targets: tuple[int, ...]
    boxes: tuple[int, ...]
    player: int
    reverse_moves: int
    solved_player: int
    pulls: tuple[tuple[int, int, int], ...]

    def state(self) -> SokobanState:
        """A fresh mutable game state at this level's start."""
        box_at = bytearray(self.width * self.height)
        for cell in self.boxes:
            box_at[cell] = 1
        return SokobanState(self.width, self.height, self.walls, self.targets, box_at, self.player)

    def to_text(self) -> str:
        """The level in the usual Sokoban characters (see :meth:`SokobanState.to_text`)."""
        return self.state().to_text()

    def reverse_solution(self) -> list[Direction]:
        """The reverse play read backwards: a solution of exactly ``reverse_moves`` moves.

        Each pull undoes a push, each walk step is walked back the other way, so the
        reversed, inverted move list leads from the start position to the solved one
        (possibly passing through it earlier, if a pull ever brought a box back).
        """
        box_at = bytearray(self.width * self.height)
        for cell in self.targets:
            box_at[cell] = 1
        offsets = move_offsets(self.width)
        backwards: list[Direction] = []
        player = self.solved_player
        for box, offset, count in self.pulls:
            backwards.extend(_walk(self.width, _distances(self.width, self.walls, box_at, player)[0], box + offset))
            box_at[box] = 0
            box_at[box + count * offset] = 1
            backwards.extend([Direction(offsets.index(offset))] * count)
            player = box + (count + 1) * offset
        return [OPPOSITE[m] for m in reversed(backwards)]


def is_occupied(walls: bytes | bytearray, box_at: bytearray, cell: int) -> bool:
    """Whether ``cell`` holds a wall or a box: the one rule that stops a push (and a pull)."""
    return bool(walls[cell] or box_at[cell])


class SokobanState:
    """A mutable game position: the push rules live in :meth:`outcome` and :meth:`move`,
    the one implementation that the env, the solver and the tests use.

    A move (a :class:`~agentic_gym.envs.grid.engine.Direction`) steps the player one
    cell; if a box is there it is pushed one cell further when that cell holds
    neither wall nor box. Boxes are never pulled.
    """

    __slots__ = ("width", "height", "walls", "targets", "box_at", "player", "_target_at")

    def __init__(
        self, width: int, height: int, walls: bytes, targets: tuple[int, ...], box_at: bytearray, player: int
    ):
        self.width = width
        self.height = height
        self.walls = walls
        self.targets = targets
        self.box_at = box_at
        self.player = player
        target_at = bytearray(width * height)
        for cell in targets:
            target_at[cell] = 1
        self._target_at = bytes(target_at)

    def __getstate__(self) -> tuple:
        return (self.width, self.height, self.walls, self.targets, bytes(self.box_at), self.player)

    def __setstate__(self, state: tuple) -> None:
        width, height, walls, targets, box_at, player = state
        SokobanState.__init__(self, width, height, walls, targets, bytearray(box_at), player)

    @classmethod
    def from_text(cls, text: str) -> SokobanState:
        r"""Read the characters of :meth:`to_text` (rows of equal length, border included).

        Example:
            >>> state = SokobanState.from_text("#####\n#@$.#\n#####")
            >>> from agentic_gym.envs.grid.engine import Direction
            >>> state.move(Direction.EAST), state.solved
            (<Outcome.PUSHED: 2>, True)
        """
        rows = text.strip("\n").split("\n")
        width, height = len(rows[0]), len(rows)
        if any(len(row) != width for row in rows):
            raise ValueError("every row must have the same length")
        walls = bytearray(width * height)
        box_at = bytearray(width * height)
        targets = []
        player = -1
        for y, row in enumerate(rows):
            for x, char in enumerate(row):
                c = y * width + x
                if char not in _CHAR_KINDS:
                    raise ValueError(f"unknown character {char!r} at row {y}, column {x}")
                if char == "#":
                    walls[c] = 1
                if char in "$*":
                    box_at[c] = 1
                if char in ".*+":
                    targets.append(c)
                if char in "@+":
                    player = c
        if player < 0:
            raise ValueError("no player (@ or +) in the text")
        return cls(width, height, bytes(walls), tuple(targets), box_at, player)

    def copy(self) -> SokobanState:
        return SokobanState(
            self.width, self.height, self.walls, self.targets, bytearray(self.box_at), self.player
        )

    @property
    def boxes(self) -> tuple[int, ...]:
        """Sorted cells that hold a box."""
        return tuple(i for i, b in enumerate(self.box_at) if b)

    @property
    def boxes_on_targets(self) -> int:
        box_at = self.box_at
        return sum(box_at[t] for t in self.targets)

    @property
    def solved(self) -> bool:
        box_at = self.box_at
        return all(box_at[t] for t in self.targets)

    def on_target(self, cell: int) -> bool:
        """Whether ``cell`` is a target (the env paints crates there as placed)."""
        return bool(self._target_at[cell])

    def outcome(self, move: int) -> Outcome:
        """What :meth:`move` in direction ``move`` would do, without doing it."""
        step = move_offsets(self.width)[move]
        ahead = self.player + step
        if self.walls[ahead]:
            return Outcome.BLOCKED
        if not self.box_at[ahead]:
            return Outcome.MOVED
        if is_occupied(self.walls, self.box_at, ahead + step):
            return Outcome.BLOCKED
        return Outcome.PUSHED

    def move(self, move: int) -> Outcome:
        """Move in direction ``move`` with the push rules and say what happened."""
        result = self.outcome(move)
        if result is Outcome.BLOCKED:
            return result
        ahead = self.player + move_offsets(self.width)[move]
        if result is Outcome.PUSHED:
            self.box_at[ahead] = 0
            self.box_at[ahead + (ahead - self.player)] = 1
        self.player = ahead
        return result

    def to_text(self) -> str:
        """XSB characters: ``#`` wall, ``-`` floor, ``.`` target, ``$`` box, ``*`` box on
        a target, ``@`` player, ``+`` player on a target; one line per row."""
        rows = []
        for y in range(self.height):
            row = []
            for x in range(self.width):
                c = y * self.width + x
                if self.walls[c]:
                    row.append("#")
                elif c == self.player:
                    row.append("+" if self._target_at[c] else "@")
                elif self.box_at[c]:
                    row.append("*" if self._target_at[c] else "$")
                else:
                    row.append("." if self._target_at[c] else "-")
            rows.append("".join(row))
        return "\n".join(rows)


# ---------------------------------------------------------------------------------------------
# Generation


def _room(
    width: int, height: int, obstacles: int, u: list[float], k: int
) -> tuple[bytearray, list[int], int]:
    """Border walls, ``obstacles`` random interior walls, pockets walled in.

    Returns the walls, the floor cells (sorted) and the next unused index into ``u``.
    """
    n = width * height
    walls = bytearray(b"\x01") * n
    for y in range(1, height - 1):
        row = y * width
        walls[row + 1 : row + width - 1] = bytes(width - 2)
    iw, ih = width - 2, height - 2
    interior = iw * ih
    for _ in range(obstacles):
        r = int(u[k] * interior)
        k += 1
        walls[(r // iw + 1) * width + r % iw + 1] = 1
    # Keep the room of a random interior floor cell; every other pocket becomes wall.
    r = int(u[k] * interior)
    k += 1
    start = (r // iw + 1) * width + r % iw + 1
    if walls[start]:
        start = walls.find(0)
    seen = bytearray(walls)
    seen[start] = 1
    stack = [start]
    floor = []
    offsets = move_offsets(width)
    while stack:
        c = stack.pop()
        floor.append(c)
        for o in offsets:
            d = c + o
            if not seen[d]:
                seen[d] = 1
                stack.append(d)
    if len(floor) < interior:
        for c in range(n):
            if not seen[c]:
                walls[c] = 1
    floor.sort()
    return walls, floor, k


def _min_pushes_bound(boxes: list[int], targets: list[int], width: int) -> int:
    """Sum over boxes of the Manhattan distance to the nearest target: pushes needed at least."""
    total = 0
    for b in boxes:
        bx, by = b % width, b // width
        best = 1 << 30
        for t in targets:
            d = abs(bx - t % width) + abs(by - t // width)
            if d < best:
                best = d
        total += best
    return total


def _needs_turn(boxes: list[int], targets: list[int], width: int) -> bool:
    """Whether some box shares neither row nor column with any target: it must be pushed along
    both axes, so the player has to walk round it at least once."""
    rows = {t // width for t in targets}
    cols = {t % width for t in targets}
    return any(b // width not in rows and b % width not in cols for b in boxes)


def _gain(box: int, offset: int, origin: int, width: int) -> int:
    """How much one pull along ``offset`` changes a box's Manhattan distance from ``origin``."""
    to = box + offset
    return (
        abs(to % width - origin % width)
        + abs(to // width - origin // width)
        - abs(box % width - origin % width)
        - abs(box // width - origin // width)
    )


def _attempt(config: SokobanConfig, rng: np.random.Generator) -> Level | None:
    width, height, n_boxes = config.width, config.height, config.boxes
    max_moves, min_pushes = config.n_max_moves, config.n_min_pushes
    max_run = max(width, height) - 3
    obstacles = config.n_obstacles
    # One batch of floats feeds the whole attempt: a generator call costs more than a pull.
    u = rng.random(obstacles + n_boxes + 2 + 3 * max(_MAX_EPISODES, 4 * n_boxes)).tolist()
    walls, floor, k = _room(width, height, obstacles, u, 0)
    if len(floor) < 3 * n_boxes + 2:
        return None
    # Targets and the player: a partial Fisher-Yates shuffle of the floor cells.
    cells = floor[:]
    m = len(cells)
    for i in range(n_boxes + 1):
        j = i + int(u[k] * (m - i))
        k += 1
        cells[i], cells[j] = cells[j], cells[i]
    targets = cells[:n_boxes]
    origins = targets[:]
    player = solved_player = cells[n_boxes]
    pulls: list[tuple[int, int, int]] = []
    n = width * height
    target_at = bytearray(n)
    box_at = bytearray(n)
    boxes = targets[:]
    for t in targets:
        target_at[t] = 1
        box_at[t] = 1
    offsets = _search_offsets(width)
    moves = 0
    pulled = bytearray(n_boxes)
    min_runs = _RUNS_PER_BOX * n_boxes
    for episode in range(max(_MAX_EPISODES, 4 * n_boxes)):
        # Breadth-first distances of the player to every cell it can walk to.
        dist, _ = _distances(width, walls, box_at, player)
        # Every (box, direction) the player can reach and pull: stand at b+o, step to b+2o.
        options = []
        for i, b in enumerate(boxes):
            for o in offsets:
                stand = b + o
                # The cell the player steps back to must be free (is_occupied, inlined: hot).
                if dist[stand] >= 0 and not walls[stand + o] and not box_at[stand + o]:
                    options.append((i, o))
        if not options:
            return None
        # Of two random options keep the one that pulls its box away from where it started:
        # a cheap bias towards levels that need more pushes.
        i, o = options[int(u[k] * len(options))]
        j, p = options[int(u[k + 1] * len(options))]
        if _gain(boxes[j], p, origins[j], width) > _gain(boxes[i], o, origins[i], width):
            i, o = j, p
        runs = 1 + int(u[k + 2] * max_run)
        k += 3
        b = boxes[i]
        if pulls:
            moves += dist[b + o]
        else:
            # The walk to the first pull would follow the last push in the forward reading,
            # after the level is solved: the reverse play starts where that pull starts.
            solved_player = b + o
        if moves + 1 > max_moves:
            return None
        box_at[b] = 0
        count = 0
        while True:
            b += o
            count += 1
            runs -= 1
            if runs == 0 or moves + count == max_moves or walls[b + 2 * o] or box_at[b + 2 * o]:
                break
        moves += count
        pulls.append((boxes[i], o, count))
        box_at[b] = 1
        boxes[i] = b
        player = b + o
        pulled[i] = 1
        if episode + 1 >= min_runs and all(pulled) and not any(target_at[c] for c in boxes):
            if _min_pushes_bound(boxes, targets, width) >= min_pushes and _needs_turn(boxes, targets, width):
                boxes.sort()
                return Level(
                    width,
                    height,
                    bytes(walls),
                    tuple(sorted(targets)),
                    tuple(boxes),
                    player,
                    moves,
                    solved_player,
                    tuple(pulls),
                )
    return None


#: Pull runs per attempt before it is abandoned (at least four per box), and the least
#: pull runs per box.
_MAX_EPISODES = 12
_RUNS_PER_BOX = 3


def generate_level(rng: np.random.Generator, config: SokobanConfig, max_attempts: int = 1000) -> Level:
    """A solvable, non-trivial start position drawn from ``rng`` by reverse play.

    Raises ``RuntimeError`` if ``max_attempts`` walks all fail, which only happens for
    configurations whose rooms are too cramped for their boxes.
    """
    for _ in range(max_attempts):
        level = _attempt(config, rng)
        if level is not None:
            return level
    raise RuntimeError(f"no acceptable level in {max_attempts} attempts for {config}")


# ---------------------------------------------------------------------------------------------
# Solving


def pull_distances(width: int, walls: bytes, target: int) -> list[int]:
    """For every cell, the fewest pushes that bring a lone box from it to ``target``
    (``_FAR`` where none can): a search of pulls back from the target, each of which
    needs the cell the player steps to free as well."""
    dist = [_FAR] * len(walls)
    dist[target] = 0
    frontier = [target]
    offsets = move_offsets(width)
    d = 0
    while frontier:
        d += 1
        nxt = []
        for c in frontier:
            for o in offsets:
                to = c + o
                if dist[to] == _FAR and not walls[to] and not walls[to + o]:
                    dist[to] = d
                    nxt.append(to)
        frontier = nxt
    return dist


def live_cells(width: int, walls: bytes, targets: tuple[int, ...]) -> bytearray:
    """Cells from which a lone box can still be pushed onto some target; a box pushed
    anywhere else is lost."""
    return _live(len(walls), [pull_distances(width, walls, t) for t in targets])


def _live(n: int, per_target: list[list[int]]) -> bytearray:
    live = bytearray(n)
    for dist in per_target:
        for c, d in enumerate(dist):
            if d < _FAR:
                live[c] = 1
    return live


_FAR = 1 << 20


def _frozen_square(cell: int, width: int, walls: bytes, box_at: bytearray, target_at: bytes) -> bool:
    """True if a box at ``cell`` now sits in a 2x2 block of walls and boxes with a box off
    target: none of those boxes can ever move again, so the position is lost."""
    for a, b, c in (
        (-1, -width, -width - 1),
        (1, -width, -width + 1),
        (-1, width, width - 1),
        (1, width, width + 1),
    ):
        cells = (cell, cell + a, cell + b, cell + c)
        if all(walls[x] or box_at[x] for x in cells) and any(box_at[x] and not target_at[x] for x in cells):
            return True
    return False


def _walk(width: int, dist: list[int], goal: int) -> list[Direction]:
    """A shortest walk to ``goal`` along ``dist`` (from :func:`_distances`), read backwards."""
    offsets = move_offsets(width)
    moves = []
    c = goal
    while dist[c] > 0:
        for d, o in enumerate(offsets):
            if dist[c - o] == dist[c] - 1:
                moves.append(Direction(d))
                c -= o
                break
    moves.reverse()
    return moves


def solve(
    position: Level | SokobanState, max_states: int = 50_000, fewest_moves: bool = False
) -> list[Direction] | None:
    """Moves that put every box on a target, or ``None`` if no solution was found.

    A* over pushes: a node is the box cells plus the region the player can walk to
    (two positions whose player reaches the same cells are one node); each edge walks
    the player to a box and pushes it once. The heuristic is a minimum matching of
    boxes to targets by lone-box push distance (exact over all assignments for up to
    five boxes, else the sum of nearest targets), which never overestimates, so the
    plan uses the fewest pushes; walks between pushes are shortest walks. Among nodes
    of equal estimate the deepest is expanded first, which finds a plan quickly; with
    ``fewest_moves`` the one reached in the fewest moves is, which gives plans with
    fewer moves (near the fewest) but may expand many times more nodes. Pushes onto
    dead cells or into frozen 2x2 blocks are pruned. ``None`` also when ``max_states``
    nodes are expanded without a solution.
    """
    state = position.state() if isinstance(position, Level) else position
    width, walls, targets = state.width, state.walls, state.targets
    target_at = state._target_at
    per_target = [pull_distances(width, walls, t) for t in targets]
    live = _live(len(walls), per_target)
    goal = tuple(sorted(targets))
    start_boxes = state.boxes
    if start_boxes == goal:
        return []
    if len(start_boxes) != len(goal) or any(not live[b] for b in start_boxes):
        return None
    estimate = _matching_bound(per_target)
    n = len(walls)
    offsets = move_offsets(width)
    search = [(int(d), offsets[d]) for d in SEARCH_ORDER]
    start = (state.player, start_boxes)
    # parent[node] = (previous node, cell the player pushed from, move index)
    parent: dict[tuple[int, tuple[int, ...]], tuple | None] = {start: None}
    closed: set[tuple[int, tuple[int, ...]]] = set()
    counter = 0
    # (pushes + estimate, tie-break, counter, pushes, moves, node)
    heap = [(estimate(start_boxes), 0, counter, 0, 0, start)]
    box_at = bytearray(n)
    while heap:
        _, _, _, g, moves, node = heapq.heappop(heap)
        player, boxes = node
        if boxes == goal:
            return _replay(state, node, parent)
        for b in boxes:
            box_at[b] = 1
        dist, lowest = _distances(width, walls, box_at, player)
        key = (lowest, boxes)
        if key in closed:
            for b in boxes:
                box_at[b] = 0
            continue
        closed.add(key)
        if len(closed) > max_states:
            return None
        g += 1
        for i, b in enumerate(boxes):
            for m, o in search:
                walk = dist[b - o]
                if walk < 0:
                    continue
                to = b + o
                if not live[to] or is_occupied(walls, box_at, to):
                    continue
                box_at[b] = 0
                box_at[to] = 1
                frozen = _frozen_square(to, width, walls, box_at, target_at)
                box_at[to] = 0
                box_at[b] = 1
                if frozen:
                    continue
                child = (b, tuple(sorted(boxes[:i] + (to,) + boxes[i + 1 :])))
                if child in parent:
                    continue
                parent[child] = (node, b - o, m)
                counter += 1
                cost = moves + walk + 1
                tie = cost if fewest_moves else -g
                heapq.heappush(heap, (g + estimate(child[1]), tie, counter, g, cost, child))
        for b in boxes:
            box_at[b] = 0
    return None


def _matching_bound(per_target: list[list[int]]) -> Callable[[tuple[int, ...]], int]:
    """A lower bound on the pushes left: boxes matched one-to-one to targets by
    :func:`pull_distances` (``per_target``, one list per target).

    Up to five targets the matching is exact: the cheapest assignment, found by dynamic
    programming over the sets of targets already taken (32 steps for four boxes, where
    trying every permutation costs 96 additions). Beyond, each box's nearest target.
    """
    if len(per_target) > 5:
        nearest = [min(column) for column in zip(*per_target)]
        return lambda boxes: sum(nearest[b] for b in boxes)
    m = len(per_target)
    full = (1 << m) - 1
    # The target sets of each size, and for each set the targets still free.
    layers = [[mask for mask in range(1 << m) if mask.bit_count() == k] for k in range(m)]
    free = [[(j, 1 << j) for j in range(m) if not mask >> j & 1] for mask in range(1 << m)]
    columns = [list(column) for column in zip(*per_target)]  # columns[cell][target]

    def bound(boxes: tuple[int, ...]) -> int:
        best = {0: 0}
        for layer, b in zip(layers, boxes):
            row = columns[b]
            nxt: dict[int, int] = {}
            for mask in layer:
                base = best.get(mask)
                if base is None:
                    continue
                for j, bit in free[mask]:
                    value = base + row[j]
                    key = mask | bit
                    if value < nxt.get(key, value + 1):
                        nxt[key] = value
            best = nxt
        return best[full]

    return bound


@lru_cache(maxsize=64)
def _open_neighbours(width: int, walls: bytes) -> tuple[tuple[int, ...], ...]:
    """For each cell, its neighbours that are not walls (in :func:`move_offsets` order);
    none for a wall. Walls ring the grid, so a floor cell's neighbours are all inside it."""
    offsets = move_offsets(width)
    return tuple(() if walls[c] else tuple(c + o for o in offsets if not walls[c + o]) for c in range(len(walls)))


def _distances(width: int, walls: bytes | bytearray, box_at: bytearray, start: int) -> tuple[list[int], int]:
    """Walking distance from ``start`` to every cell (-1 where the player cannot go without
    pushing), and the lowest cell it reaches: the name of its region."""
    neighbours = _open_neighbours(width, bytes(walls))
    dist = [-1] * len(walls)
    dist[start] = 0
    frontier = [start]
    lowest = start
    d = 0
    while frontier:
        d += 1
        nxt = []
        for c in frontier:
            for to in neighbours[c]:
                if dist[to] < 0 and not box_at[to]:
                    dist[to] = d
                    nxt.append(to)
        if nxt:
            lowest = min(lowest, min(nxt))
        frontier = nxt
    return dist, lowest


def _replay(state: SokobanState, node: tuple, parent: dict) -> list[Direction]:
    """Turn the chain of pushes ending at ``node`` into player moves (shortest walks between)."""
    pushes = []
    while parent[node] is not None:
        prev, push_from, m = parent[node]
        pushes.append((push_from, m))
        node = prev
    pushes.reverse()
    sim = state.copy()
    moves: list[Direction] = []
    for push_from, m in pushes:
        moves.extend(_walk(sim.width, _distances(sim.width, sim.walls, sim.box_at, sim.player)[0], push_from))
        sim.player = push_from
        sim.move(m)
        moves.append(Direction(m))
    return moves
