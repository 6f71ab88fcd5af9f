"""Words for grid worlds: the natural-language view and the ``ansi`` map.

Pure (no gymnasium, no pygame). Both views are built only from a
:class:`~agentic_gym.envs.grid.engine.View`'s visible slots, so they cannot say more
than the agent sees. Phrases are precomputed tables indexed by cell code, which
keeps the text cheap enough to build on every step.

Example:
    >>> from agentic_gym.envs.grid.engine import World, Tile, Colour, State, Direction, visible_cells
    >>> world = World.empty(7, 7)
    >>> world.place(3, 1, Tile.KEY, Colour.RED)
    >>> world.place(4, 3, Tile.DOOR, Colour.BLUE, State.LOCKED)
    >>> world.agent_x, world.agent_y, world.agent_dir = 1, 3, Direction.EAST
    >>> print(describe_view(visible_cells(world), world.carrying))
    You face east. You can walk 2 steps ahead, then a locked blue door. To your left is floor; to your right is floor.
    A locked blue door is 3 steps ahead.
    A red key is 2 steps ahead and 2 to the left.
    You carry nothing.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from agentic_gym.envs.grid.engine import (
    N_STATES,
    N_TILES,
    PASSABLE,
    Colour,
    Direction,
    State,
    Tile,
    View,
    World,
    view_slots,
)

N_COLOURS = len(Colour)

COLOUR_NAMES: tuple[str, ...] = tuple(c.name.lower() for c in Colour)
DIRECTION_NAMES: tuple[str, ...] = tuple(d.name.lower() for d in Direction)

#: Tiles the text names one by one; walls and floor are only summarised.
LISTED_TILES = frozenset(
    {Tile.DOOR, Tile.KEY, Tile.BALL, Tile.BOX, Tile.GOAL, Tile.LAVA, Tile.CRATE, Tile.TARGET}
)
_DOOR_WORDS = {State.OPEN: "an open", State.CLOSED: "a closed", State.LOCKED: "a locked"}


def object_phrase(tile: int, colour: int, state: int) -> str:
    """``a locked blue door``, ``a red key``, ``the goal``, ``floor`` ... ('' for unseen)."""
    tile = Tile(tile)
    name = COLOUR_NAMES[colour] if 0 <= colour < N_COLOURS else "grey"
    if tile == Tile.UNSEEN:
        return ""
    if tile == Tile.FLOOR:
        return "floor"
    if tile == Tile.WALL:
        return "a wall"
    if tile == Tile.DOOR:
        return f"{_DOOR_WORDS.get(State(state), 'a')} {name} door"
    if tile in (Tile.KEY, Tile.BALL, Tile.BOX):
        return f"a {name} {tile.name.lower()}"
    if tile == Tile.GOAL:
        return "the goal"
    if tile == Tile.LAVA:
        return "lava"
    if tile == Tile.CRATE:
        return "a crate on a target" if state == State.ON_TARGET else "a crate"
    return "a target"


def _code(tile: int, colour: int, state: int) -> int:
    return (tile * N_COLOURS + colour) * N_STATES + state


#: ``CELL_CODE[tile, colour, state]``: a dense code for every cell triple.
CELL_CODE = np.arange(N_TILES * N_COLOURS * N_STATES, dtype=np.intp).reshape(N_TILES, N_COLOURS, N_STATES)
_TRIPLES = [(t, c, s) for t in range(N_TILES) for c in range(N_COLOURS) for s in range(N_STATES)]
#: Phrase of each cell code, and the same with a capital first letter.
PHRASES: tuple[str, ...] = tuple(object_phrase(*triple) for triple in _TRIPLES)
CAPITALISED: tuple[str, ...] = tuple(p[:1].upper() + p[1:] for p in PHRASES)
#: Whether the text names the cell on its own line, by code.
LISTED: tuple[bool, ...] = tuple(t in LISTED_TILES for t, _, _ in _TRIPLES)
#: Whether the agent may walk onto the cell, by code.
WALKABLE: tuple[bool, ...] = tuple(bool(PASSABLE[t, s]) for t, _, s in _TRIPLES)


def _steps(n: int) -> str:
    return "1 step" if n == 1 else f"{n} steps"


@lru_cache(maxsize=16)
def position_phrases(size: int, centred: bool) -> tuple[str, ...]:
    """Where each view slot lies, in words: ``2 steps ahead and 1 to the left``.

    Centred (north-up) views speak of compass directions: ``2 steps north and 1 east``.
    The agent's own slot is ``here``.
    """
    forward, right, agent = view_slots(size, centred)
    ahead, behind, left, rightward = (
        ("north", "south", "west", "east") if centred else ("ahead", "behind", "to the left", "to the right")
    )
    phrases = []
    for s in range(size * size):
        f, r = int(forward[s]), int(right[s])
        parts = []
        if f:
            parts.append(f"{_steps(abs(f))} {ahead if f > 0 else behind}")
        if r:
            side = rightward if r > 0 else left
            parts.append(f"{abs(r)} {side}" if parts else f"{_steps(abs(r))} {side}")
        phrases.append(" and ".join(parts) if s != agent else "here")
    return tuple(phrases)


@lru_cache(maxsize=16)
def _reading_order(size: int, centred: bool) -> tuple[int, ...]:
    """View slots nearest first (then ahead before behind, left before right)."""
    forward, right, agent = view_slots(size, centred)
    slots = [s for s in range(size * size) if s != agent]
    return tuple(
        sorted(
            slots, key=lambda s: (abs(int(forward[s])) + abs(int(right[s])), -int(forward[s]), int(right[s]))
        )
    )


@lru_cache(maxsize=16)
def _reading_rank(size: int, centred: bool) -> tuple[int, ...]:
    """Each slot's place in :func:`_reading_order` (the agent's own slot last)."""
    rank = [len(_reading_order(size, centred))] * (size * size)
    for place, slot in enumerate(_reading_order(size, centred)):
        rank[slot] = place
    return tuple(rank)


@lru_cache(maxsize=16)
def _neighbours(size: int, centred: bool) -> tuple[tuple[int, ...], tuple[int, int, int, int]]:
    """The straight-ahead slots (nearest first) and the slots ahead, right, behind and left of the agent.

    In a centred view these are north, east, south and west; an egocentric view has
    no slot behind the agent, so the agent's own slot stands in for it.
    """
    _, _, agent = view_slots(size, centred)
    ahead = tuple(agent - size * k for k in range(1, agent // size + 1))
    behind = agent + size if agent + size < size * size else agent
    return ahead, (agent - size, agent + 1, behind, agent - 1)


_CODE_WEIGHTS = np.array([N_COLOURS * N_STATES, N_STATES, 1], dtype=np.intp)
_LISTED_ARRAY = np.array(LISTED, dtype=bool)


def visible_codes(view: View) -> np.ndarray:
    """Cell codes (:data:`CELL_CODE`) of the view's slots; hidden slots have code 0 (unseen)."""
    return view.image @ _CODE_WEIGHTS


#: Texts already built, by (image bytes, direction, size, centred, carrying). The text is
#: a pure function of these, and agents see the same views again and again (turning in
#: place, bumping into walls), so a bounded memo saves most of the work.
_MEMO: dict[tuple, str] = {}
_MEMO_LIMIT = 4096


def describe_view(view: View, carrying: tuple[int, int] | None = None) -> str:
    """The natural-language view: facing, the way ahead, each visible object, what is carried.

    ``carrying`` is the world's ``(tile, colour)`` in hand; None leaves the line out
    (for envs in which nothing can be carried).

    Built from ``view.image`` alone (hidden slots are zero there), so it cannot name
    anything the agent does not see.
    """
    key = (view.image.tobytes(), view.direction, view.size, view.centred, carrying)
    text = _MEMO.get(key)
    if text is None:
        if len(_MEMO) >= _MEMO_LIMIT:
            _MEMO.clear()
        codes = visible_codes(view)
        listed = np.flatnonzero(_LISTED_ARRAY.take(codes)).tolist()
        text = _MEMO[key] = _describe(
            codes.tolist(), listed, view.size, view.centred, view.direction, carrying
        )
    return text


def _describe(
    codes: list[int],
    listed: list[int],
    size: int,
    centred: bool,
    direction: int,
    carrying: tuple[int, int] | None,
) -> str:
    """The text for a view's cell ``codes``; ``listed`` are the slots holding objects to name."""
    where = position_phrases(size, centred)
    agent = view_slots(size, centred)[2]
    ahead, (north, east, south, west) = _neighbours(size, centred)
    lines = []
    if centred:
        around = []
        for name, slot in (("north", north), ("east", east), ("south", south), ("west", west)):
            around.append(f"{name} {PHRASES[codes[slot]] or 'nothing you can see'}")
        lines.append("Around you: " + ", ".join(around) + ".")
    else:
        run = 0
        stop = ""
        for slot in ahead:
            code = codes[slot]
            if not WALKABLE[code]:
                stop = PHRASES[code]
                break
            run += 1
        facing = f"You face {DIRECTION_NAMES[direction]}."
        if run == 0:
            way = (
                f"{CAPITALISED[codes[ahead[0]]]} is right in front of you."
                if stop
                else "You cannot see ahead."
            )
        elif stop:
            way = f"You can walk {_steps(run)} ahead, then {stop}."
        else:
            way = f"You can walk at least {_steps(run)} ahead."
        sides = f"To your left is {PHRASES[codes[west]] or 'nothing'}; to your right is {PHRASES[codes[east]] or 'nothing'}."
        lines.append(f"{facing} {way} {sides}")
    here = codes[agent]
    if LISTED[here]:
        lines.append(f"You stand on {PHRASES[here]}.")
    rank = _reading_rank(size, centred)
    for slot in sorted(listed, key=rank.__getitem__):
        if slot != agent:
            lines.append(f"{CAPITALISED[codes[slot]]} is {where[slot]}.")
    if carrying is not None:
        lines.append(carrying_phrase(carrying))
    return "\n".join(lines)


def carrying_phrase(carrying: tuple[int, int]) -> str:
    """``You carry a red key.`` or ``You carry nothing.`` for the world's ``(tile, colour)`` in hand."""
    tile, colour = carrying
    return f"You carry {PHRASES[_code(tile, colour, 0)]}." if tile else "You carry nothing."


# ---- the ansi map -----------------------------------------------------------------

_TILE_CHARS = {
    Tile.UNSEEN: " ",
    Tile.FLOOR: ".",
    Tile.WALL: "#",
    Tile.KEY: "k",
    Tile.BALL: "o",
    Tile.BOX: "b",
    Tile.GOAL: "G",
    Tile.LAVA: "~",
    Tile.TARGET: "x",
}
_DOOR_CHARS = {State.OPEN: "/", State.CLOSED: "+", State.LOCKED: "L"}
#: The agent as an arrow per :class:`Direction`.
AGENT_ARROWS: dict[Direction, str] = {
    Direction.EAST: ">",
    Direction.SOUTH: "v",
    Direction.WEST: "<",
    Direction.NORTH: "^",
}
#: :data:`AGENT_ARROWS` indexed by direction value.
AGENT_CHARS: tuple[str, ...] = tuple(AGENT_ARROWS[d] for d in sorted(Direction))


def _cell_chars(tile: int, colour: int, state: int) -> str:
    """Two characters per cell: the object and its colour's initial (or a space)."""
    tile = Tile(tile)
    if tile == Tile.DOOR:
        char = _DOOR_CHARS.get(State(state), "+")
    elif tile == Tile.CRATE:
        char = "*" if state == State.ON_TARGET else "$"
    else:
        char = _TILE_CHARS[tile]
    coloured = tile in (Tile.DOOR, Tile.KEY, Tile.BALL, Tile.BOX)
    return char + (COLOUR_NAMES[colour][0].upper() if coloured and colour < N_COLOURS else " ")


CELL_CHARS: tuple[str, ...] = tuple(_cell_chars(*triple) for triple in _TRIPLES)


def _char_map(world: World, mask: np.ndarray, cell_chars: tuple[str, ...], pad: str) -> str:
    """Rows of ``cell_chars[code]`` per cell (code 0 where ``mask`` is False), the agent an
    arrow followed by ``pad``, trailing blanks stripped."""
    grid = world.grid
    codes = (CELL_CODE[grid[:, :, 0], grid[:, :, 1], grid[:, :, 2]] * mask).tolist()
    rows = []
    for y, row in enumerate(codes):
        chars = [cell_chars[code] for code in row]
        if y == world.agent_y:
            chars[world.agent_x] = AGENT_CHARS[world.agent_dir] + pad
        rows.append("".join(chars).rstrip())
    return "\n".join(rows)


def ansi_map(world: World, mask: np.ndarray, mission: str = "") -> str:
    """The world as two characters per cell, blank where ``mask`` is False, plus the mission.

    ``mask`` is what the agent sees (:func:`~agentic_gym.envs.grid.engine.visible_mask`)
    or, for a map of everything seen so far, the union of those masks.
    """
    text = _char_map(world, mask, CELL_CHARS, " ")
    return f"{text}\n{mission}" if mission else text


_MINIMAP_CHARS: tuple[str, ...] = tuple(chars[0] for chars in CELL_CHARS)


def minimap(world: World, mask: np.ndarray) -> str:
    """One character per cell (``#`` wall, ``.`` floor, ``G`` goal, blank where ``mask`` is False).

    The agent is an arrow; north is up.
    """
    return _char_map(world, mask, _MINIMAP_CHARS, "")


# ---- the view map (text-only perception) ----------------------------------------

#: The colour letters of :func:`view_map` (unique: green and grey differ).
COLOUR_LETTERS: dict[Colour, str] = {
    Colour.RED: "R",
    Colour.GREEN: "G",
    Colour.BLUE: "B",
    Colour.PURPLE: "P",
    Colour.YELLOW: "Y",
    Colour.GREY: "A",
}
_VIEW_TILE_CHARS = {
    Tile.UNSEEN: " ",
    Tile.FLOOR: ".",
    Tile.WALL: "#",
    Tile.KEY: "k",
    Tile.BALL: "o",
    Tile.BOX: "b",
    Tile.GOAL: "G",
    Tile.LAVA: "~",
    Tile.TARGET: "x",
}
#: What the two characters of a :func:`view_map` cell mean.
VIEW_MAP_LEGEND = (
    "two characters per cell: # wall, . floor, G goal, ~ lava, L locked door, + closed door, "
    "/ open door, k key, o ball, b box, x target, $ crate, * crate on a target, "
    "then the colour of a door, key, ball or box (R red, G green, B blue, P purple, Y yellow, A grey); "
    "blank: out of sight"
)


def _view_chars(tile: int, colour: int, state: int) -> str:
    """The two :func:`view_map` characters of a cell triple."""
    tile = Tile(tile)
    if tile == Tile.DOOR:
        char = _DOOR_CHARS.get(State(state), "+")
    elif tile == Tile.CRATE:
        char = "*" if state == State.ON_TARGET else "$"
    else:
        char = _VIEW_TILE_CHARS[tile]
    coloured = tile in (Tile.DOOR, Tile.KEY, Tile.BALL, Tile.BOX) and colour < N_COLOURS
    return char + (COLOUR_LETTERS[Colour(colour)] if coloured else " ")


#: The two map characters of every cell code.
VIEW_CHARS: tuple[str, ...] = tuple(_view_chars(*triple) for triple in _TRIPLES)


def view_map(view: View) -> str:
    """Every slot of ``view`` as two characters (:data:`VIEW_MAP_LEGEND`), one row per line.

    Rows run as ``obs["image"]`` does: an egocentric view has the farthest row first
    and the agent (``@@``) at the bottom centre facing up; a centred view is north-up
    with the agent in the middle. What the agent stands on is said apart (the text's
    ``You stand on`` line). Trailing blanks are stripped.

    Example:
        >>> from agentic_gym.envs.grid.engine import World, visible_cells
        >>> world = World.empty(5, 4)
        >>> world.place(2, 1, Tile.KEY, Colour.GREY)
        >>> world.agent_x, world.agent_y = 1, 2
        >>> print(view_map(visible_cells(world, size=3, centred=True)))
        # . kA
        # @@.
        # # #
    """
    size = view.size
    codes = visible_codes(view).tolist()
    agent = view_slots(size, view.centred)[2]
    rows = []
    for r in range(size):
        cells = [VIEW_CHARS[code] for code in codes[r * size : (r + 1) * size]]
        if r == agent // size:
            cells[agent % size] = "@@"
        rows.append("".join(cells).rstrip())
    return "\n".join(rows)
