"""Native batched vector envs for the grid family: N worlds stepped with numpy array operations.

``gym.make_vec("agentic_gym/GridKeyDoor-8x8-v0", num_envs=N,
vectorization_mode="vector_entry_point")`` (and the same for every grid id) returns one of the
:class:`GridVectorEnv` subclasses below. It reproduces ``N`` single envs (``gym.make(id)``) stepped
under Gymnasium's ``SyncVectorEnv``: the same images, directions, rewards, terminations,
truncations (the registered ``max_episode_steps``) and ``info["success"]``.

Seeding and autoreset
    ``reset(seed=s)`` gives env ``i`` the generator of ``gym.make(id).reset(seed=s + i)``; a
    list gives one seed per env and ``None`` continues each env's generator (a fresh one from OS
    entropy the first time), as ``SyncVectorEnv`` does. ``options={"reset_mask": mask}``
    resets only the masked envs. Autoreset is ``AutoresetMode.NEXT_STEP`` by default: the step
    after an episode ends resets that env from its own generator, ignores its action and
    returns reward 0, no termination and ``success`` False, which is exactly what a single env
    autoreset by ``SyncVectorEnv`` does. So env ``i``'s episodes are the levels
    ``gym.make(id)`` draws after ``reset(seed=s + i)``, in order. ``autoreset_mode=
    AutoresetMode.SAME_STEP`` resets in the step that ends the episode, with ``info["final_obs"]``
    (the last ``image`` and ``direction``) and ``info["final_info"]`` as ``SyncVectorEnv`` gives
    them; ``DISABLED`` is refused.

Levels
    Generation calls the single env's own ``generate()`` (on one template instance whose
    ``np_random`` is pointed at env ``i``'s generator), one env at a time, only for the envs
    that reset this step: KeyDoor, Memory and Maze levels cost tens of microseconds; Sokoban's
    reverse-play generator costs milliseconds and dominates its vector env's step time. No
    pre-generated pool is used, so levels match the single env seed for seed.

Levels per env
    ``levels=[id or dict, ...]`` lets each env play its own level of the same env class (a
    room size, a step budget: anything that keeps the view size and the actions);
    :meth:`GridVectorEnv.schedule` gives an env its next level and seed, applied at its next
    reset. The words are laid out for the largest room; a smaller one sits in the corner of
    its block with zero words around it, which read as unseen and let sight through exactly
    like off-grid cells, so an env plays the single env of its level observation for
    observation. :class:`agentic_gym.curriculum.VectorCurriculum` lets a sampler choose.

The world in memory
    Every cell is one ``uint32`` word: bytes ``tile, colour, state`` (the image encoding) and a
    fourth byte holding ``tile * len(State) + state`` (for the rule tables) with the top bit
    set when the cell blocks sight. Each
    env's grid is a block of words, north up, padded on every side by as far as a view
    reaches (off-grid cells are zero words: unseen and transparent). A table gives, for every
    pose (facing and cell), the block offset of every view slot, so the whole batch's views
    are one ``take`` of ``N * size**2`` words, with no per-facing code. The few cells an
    action changes (a key picked up, a door opened, a crate pushed) are written in place.

Sight lines
    The single env's rule (a cell is visible when a segment from the agent's centre to one of
    its four corners crosses no opaque cell) is precomputed as bit tables: for every byte of a
    view row's opaque bits, which of the ``4 * size**2`` sight lines it blocks, as 64-bit
    masks. A batch's visibility is one table look-up per view row byte, an OR, an AND over the
    four corners and an unpack: a few array operations whatever ``N``. Off-grid slots are never
    visible, as in the single env.

Text on request
    The hot path builds only ``image`` and ``direction``. ``text(indices)`` and
    ``mission(indices)`` (also reachable as ``envs.call("text", indices)``) return the strings
    the single env's observation would hold for the chosen envs now, built by the single env's
    own code from a materialised world; ``oracle_action(indices)`` runs the single env's
    privileged solver the same way.

Example:
    >>> import gymnasium as gym
    >>> import numpy as np
    >>> import agentic_gym
    >>> envs = gym.make_vec("agentic_gym/GridKeyDoor-6x6-v0", num_envs=4, vectorization_mode="vector_entry_point")
    >>> obs, info = envs.reset(seed=0)
    >>> obs["image"].shape, obs["direction"].shape
    ((4, 7, 7, 3), (4,))
    >>> solved = np.zeros(4, dtype=bool)
    >>> for _ in range(400):
    ...     obs, reward, terminated, truncated, info = envs.step(envs.oracle_action())
    ...     solved |= terminated & info["success"]
    >>> bool(solved.all()), envs.text([0])[0].startswith("You")
    (True, True)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from agentic_gym.core import RENDER_MODES, sanitize
from agentic_gym.envs.grid.base import EVENT_PHRASES, GridEnv
from agentic_gym.envs.grid.engine import (
    DIR_VEC,
    N_STATES,
    N_TILES,
    OPAQUE,
    Action,
    Colour,
    Direction,
    Event,
    State,
    Tile,
    World,
    interact,
    segment_crosses,
    view_slots,
)
from agentic_gym.envs.grid.keydoor import GridKeyDoor
from agentic_gym.envs.grid.maze import GridMaze
from agentic_gym.envs.grid.memory import GridMemory
from agentic_gym.envs.grid.sokoban import GridSokoban
from agentic_gym.envs.grid.sokoban_levels import Outcome, SokobanState

__all__ = ["GridKeyDoorVector", "GridMazeVector", "GridMemoryVector", "GridSokobanVector", "GridVectorEnv"]

_OPAQUE_BIT = np.uint32(1 << 31)
_SHIFT_CODE = np.uint32(24)
_CODE_MASK = np.uint32(0x7F)
_U8 = np.uint32(0xFF)
#: The pseudo-event of a tool step (the world does not change; always valid).
_TOOL = 0
#: ``last_action`` after a reset: the text has no note.
_NO_NOTE = -1
#: Engine-action slot of a tool in the event table (after LEFT .. DONE).
_TOOL_SLOT = 7


def cell_word(tile: Any, colour: Any, state: Any) -> Any:
    """The packed ``uint32`` word of cells (scalars or arrays of tiles, colours, states)."""
    tile = np.asarray(tile, dtype=np.uint32)
    state = np.asarray(state, dtype=np.uint32)
    top = OPAQUE[tile, state].astype(np.uint32) << 7 | (tile * N_STATES + state)
    return tile | (np.asarray(colour, dtype=np.uint32) << 8) | (state << 16) | (top << 24)


def world_words(grid: np.ndarray) -> np.ndarray:
    """The ``(height * width,)`` words of a world's ``(height, width, 3)`` grid."""
    cells = grid.reshape(-1, 3)
    return cell_word(cells[:, 0], cells[:, 1], cells[:, 2])


_FLOOR_WORD = int(cell_word(Tile.FLOOR, Colour.GREY, State.NONE))
_TARGET_WORD = int(cell_word(Tile.TARGET, Colour.GREY, State.NONE))


# ---- the rules, read off the engine -----------------------------------------------


@lru_cache(maxsize=2)
def _event_table(pushes: bool) -> np.ndarray:
    """The :class:`Event` for every ``(action slot, front tile, front state, carrying, carried
    key fits, cell beyond the front is empty)``, found by running the rules on probe worlds, so
    the batched rules are the single envs' rules. Action slots are ``LEFT .. DONE`` and a tool;
    an allocentric move is looked up as ``FORWARD`` after facing its way, which is what
    :func:`~agentic_gym.envs.grid.engine.interact` does.

    Everything comes from ``interact`` except, with ``pushes``, a move into a crate: the
    engine treats a crate as an obstacle and Sokoban's push rule lives in
    :meth:`~agentic_gym.envs.grid.sokoban_levels.SokobanState.outcome` (what
    :meth:`GridSokoban.apply <agentic_gym.envs.grid.sokoban.GridSokoban.apply>` plays), so
    that entry is read off a probe :class:`SokobanState` instead.
    """
    table = np.zeros((_TOOL_SLOT + 1, N_TILES, N_STATES, 2, 2, 2), dtype=np.uint8)
    for slot in range(_TOOL_SLOT):
        for tile in range(N_TILES):
            for state in range(N_STATES):
                for carry in range(2):
                    for fits in range(2):
                        for beyond in range(2):
                            if pushes and tile == Tile.CRATE and slot == Action.FORWARD:
                                event = _push_event(bool(beyond))
                            else:
                                event = _engine_event(slot, tile, state, bool(carry), bool(fits), bool(beyond))
                            table[slot, tile, state, carry, fits, beyond] = event
    table[_TOOL_SLOT] = _TOOL
    table.setflags(write=False)
    return table


def _engine_event(slot: int, tile: int, state: int, carry: bool, fits: bool, beyond: bool) -> Event:
    """What :func:`interact` does with action ``slot`` facing east at a red ``tile`` in
    ``state``, with floor (``beyond``) or a wall behind it."""
    world = World.empty(5, 3)
    world.agent_x, world.agent_y, world.agent_dir = 1, 1, Direction.EAST
    # An off-grid front is a wall to the engine; padding reads as tile 0.
    front_tile = Tile.WALL if tile == Tile.UNSEEN else tile
    world.place(2, 1, front_tile, Colour.RED, state)
    world.place(3, 1, Tile.FLOOR if beyond else Tile.WALL)
    if carry:
        world.carrying = (Tile.KEY, Colour.RED if fits else Colour.GREEN)
    return interact(world, slot)


#: The :class:`Event` that :class:`GridSokoban` reports for each :class:`Outcome` of a move.
_OUTCOME_EVENT = {Outcome.BLOCKED: Event.BLOCKED, Outcome.MOVED: Event.MOVED, Outcome.PUSHED: Event.PUSHED}


def _push_event(beyond: bool) -> Event:
    """What a move east into a crate does by Sokoban's push rule, with an empty cell
    (``beyond``) or a wall behind the crate (a crate there stops it alike: ``is_occupied``)."""
    walls = bytearray(b"\x01" * 15)
    walls[6] = walls[7] = 0
    if beyond:
        walls[8] = 0
    box_at = bytearray(15)
    box_at[7] = 1
    probe = SokobanState(5, 3, bytes(walls), (), box_at, 6)
    return _OUTCOME_EVENT[probe.outcome(Direction.EAST)]


def _event_lut(events: set[int]) -> np.ndarray:
    """A bool table over event codes (``_TOOL`` included)."""
    lut = np.zeros(int(max(Event)) + 1, dtype=bool)
    lut[sorted(events)] = True
    lut.setflags(write=False)
    return lut


#: Events after which the agent stands on the front cell.
_MOVES = _event_lut({Event.MOVED, Event.REACHED_GOAL, Event.ENTERED_LAVA, Event.PUSHED})
#: Events that change the front cell.
_CHANGES = _event_lut(
    {Event.PICKED_UP, Event.DROPPED, Event.OPENED, Event.CLOSED, Event.UNLOCKED, Event.OPENED_BOX, Event.PUSHED}
)
#: Events that mean the action was carried out as given (a tool step too).
_OK = _event_lut({int(e) for e in Event if e < Event.BLOCKED} | {_TOOL})


# ---- geometry: the layout and sight lines -------------------------------------------------


@lru_cache(maxsize=16)
def sight_blockers(size: int, centred: bool) -> np.ndarray:
    """``(4, n, n)`` bool: ``[k, s, q]`` is True when the segment from the agent's centre to
    corner ``k`` of view slot ``s`` crosses the interior of slot ``q`` (never ``s`` itself or
    the agent's slot): the engine's sight-line rule, with its margin."""
    forward, right, agent = view_slots(size, centred)
    n = size * size
    table = np.zeros((4, n, n), dtype=bool)
    margin = 1e-6
    for s in range(n):
        for k, (cx, cy) in enumerate(((-0.5, -0.5), (-0.5, 0.5), (0.5, -0.5), (0.5, 0.5))):
            x1, y1 = float(right[s]) + cx, float(forward[s]) + cy
            for q in range(n):
                if q in (s, agent):
                    continue
                qx, qy = float(right[q]), float(forward[q])
                table[k, s, q] = segment_crosses(
                    0.0, 0.0, x1, y1, qx - 0.5 + margin, qx + 0.5 - margin, qy - 0.5 + margin, qy + 0.5 - margin
                )
    table.setflags(write=False)
    return table


#: Gathers the low bit of each of a ``uint64``'s 8 bytes into one byte (byte ``c`` -> bit ``c``).
_GATHER_BITS = np.uint64(0x0102040810204080)
_TOP_BYTE = np.uint64(56)


@lru_cache(maxsize=16)
def sight_tables(size: int, centred: bool) -> np.ndarray:
    """Per byte of a view's opaque bits and its value: the sight lines it blocks.

    Each view row's ``size`` opaque flags are ``nbytes = ceil(size / 8)`` bytes of bits
    (slot ``8 * j + b`` of the row is bit ``b`` of byte ``j``). The table has shape ``(size *
    nbytes * 256, 4 * words)`` ``uint64``, ``words = ceil(size**2 / 64)``: row ``(r * nbytes +
    j) * 256 + value`` holds, for each corner ``k``, the 64-bit masks of the slots ``s`` (bit
    ``s``) whose sight line to corner ``k`` the opaque cells of that byte block. ORing the
    rows of every byte of a view gives all its blocked lines.
    """
    blockers = sight_blockers(size, centred)
    n = size * size
    nbytes = (size + 7) // 8
    words = (n + 63) // 64
    chunks = size * nbytes
    lines = np.zeros((chunks, 256, 4, words * 64), dtype=bool)
    for row in range(size):
        for j in range(nbytes):
            chunk = row * nbytes + j
            for bit in range(8):
                col = 8 * j + bit
                if col >= size:
                    break
                has_bit = (np.arange(256) >> bit) & 1 == 1
                lines[chunk, has_bit, :, :n] |= blockers[:, :, row * size + col]
    packed = np.packbits(lines, axis=-1, bitorder="little").view(np.uint64)
    table = np.ascontiguousarray(packed.reshape(chunks * 256, 4 * words))
    table.setflags(write=False)
    return table


@lru_cache(maxsize=16)
def _byte_masks(size: int) -> np.ndarray:
    """Per byte of a row: the ``uint64`` mask of the flags that belong to the row."""
    nbytes = (size + 7) // 8
    valid = [min(8, size - 8 * j) for j in range(nbytes)]
    return np.array([(1 << (8 * v)) - 1 for v in valid], dtype=np.uint64)


class Layout:
    """Where world cells and view slots live in the batch's one array of words.

    Each env's block is its grid north up, each row followed by ``pad`` zero words and the
    grid by ``pad`` zero rows, where ``pad`` is as far as a view reaches; blocks follow one
    another after ``lead`` zero words, so every slot of every view lands on its own grid or
    on zeros (a row's padding is also the next row's, and the rows after a grid are also
    above the next one). Cell ``(x, y)`` is ``y * stride + x`` words into its block, so a
    view slot is a fixed offset from the agent's word: ``slot_offset[direction, s]``, and a
    step towards ``direction`` is ``ahead[direction]``.
    """

    def __init__(self, height: int, width: int, size: int, centred: bool):
        self.height, self.width, self.size, self.centred = height, width, size, centred
        pad = size // 2 if centred else size - 1
        self.stride = width + pad
        self.block = (height + pad) * self.stride
        self.lead = pad * self.stride + pad
        ys, xs = np.divmod(np.arange(height * width), width)
        self.cell_pos = ys * self.stride + xs
        self.ahead = np.array([dx + dy * self.stride for dx, dy in DIR_VEC], dtype=np.intp)
        forward, right, _ = view_slots(size, centred)
        self.slot_offset = np.zeros((4, size * size), dtype=np.intp)
        for d in range(4):
            fdx, fdy, rdx, rdy = (0, -1, 1, 0) if centred else (*DIR_VEC[d], *DIR_VEC[(d + 1) % 4])
            self.slot_offset[d] = forward * (fdx + fdy * self.stride) + right * (rdx + rdy * self.stride)
        for table in (self.cell_pos, self.ahead, self.slot_offset):
            table.setflags(write=False)

    def cells(self, height: int, width: int) -> np.ndarray:
        """The words of a ``height`` x ``width`` room's cells in a block (a room no larger than the layout's)."""
        ys, xs = np.divmod(np.arange(height * width), width)
        return ys * self.stride + xs

    def xy(self, local: int) -> tuple[int, int]:
        """``(x, y)`` of the cell ``local`` words into a block."""
        y, x = divmod(local, self.stride)
        return x, y


# ---- the vector env -------------------------------------------------------------------


class GridVectorEnv(VectorEnv):
    """``num_envs`` worlds of one grid env stepped together (see the module docstring).

    Subclasses name the single env (``single_class``) and the attributes its ``generate()``
    sets per episode (``episode_attrs``), and may add rules after the engine's events
    (:meth:`resolve`).

    Args:
        num_envs: how many worlds.
        max_episode_steps: the time limit (``make_vec`` passes the registered one); default
            the single env's ``max_steps``.
        render_mode: ``None``, ``"rgb_array"`` or ``"ansi"``; ``render()`` returns one frame
            per env, as ``SyncVectorEnv`` does.
        levels: the levels the batch may play, each a registered id of this env class
            (its kwargs and ``max_episode_steps``) or a dict of constructor arguments
            (with an optional ``max_episode_steps``, else the env's ``max_steps``), laid
            over ``kwargs``; each level keeps its own time limit (``max_episode_steps`` of
            the constructor, which ``make_vec`` sets from the id, is not used). Every env
            starts on level 0; :meth:`schedule` (or ``reset(options={"levels": [...]})``)
            moves an env to another level at its next reset, and each env then plays
            exactly the single env of its level. The levels must share the observation
            and action spaces (the view size, the actions): sizes and step budgets may
            differ, and the words of the batch are laid out for the largest room.
        **kwargs: the single env's constructor arguments (``size``, ``view_size`` ...).

    Observation: ``Dict(image=Box(0, 255, (num_envs, v, v, 3), uint8),
    direction=MultiDiscrete([4] * num_envs))``; ``text`` and ``mission`` on request
    (:meth:`text`, :meth:`mission`). ``info``: ``success`` and ``action_valid`` (bool arrays,
    with the ``_success``/``_action_valid`` masks ``SyncVectorEnv`` adds).
    """

    single_class: ClassVar[type[GridEnv]]
    episode_attrs: ClassVar[tuple[str, ...]] = ()
    #: Whether crates can be pushed (the rules then look at the cell beyond the front).
    has_crates: ClassVar[bool] = False
    metadata: dict[str, Any] = {
        "render_modes": [mode for mode in RENDER_MODES if mode != "human"],
        "autoreset_mode": AutoresetMode.NEXT_STEP,
    }

    def __init__(
        self,
        num_envs: int = 1,
        max_episode_steps: int | None = None,
        render_mode: str | None = None,
        autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
        levels: Any = None,
        **kwargs: Any,
    ):
        if not isinstance(num_envs, (int, np.integer)) or isinstance(num_envs, bool) or num_envs < 1:
            raise ValueError(f"num_envs must be a positive integer, got {num_envs!r}")
        self.autoreset_mode = AutoresetMode(autoreset_mode)
        if self.autoreset_mode == AutoresetMode.DISABLED:
            raise ValueError("autoreset_mode must be NEXT_STEP or SAME_STEP, got DISABLED")
        self.metadata = {**self.metadata, "autoreset_mode": self.autoreset_mode}
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        self.num_envs = n = int(num_envs)
        if levels is None:
            template = self.single_class(render_mode=render_mode, **kwargs)
            limit = int(max_episode_steps) if max_episode_steps is not None else template.max_steps
            self.levels: tuple[Any, ...] = ()
            self._templates = [template]
            self._limits = [limit]
        else:
            self.levels, self._templates, self._limits = self._make_levels(levels, render_mode, kwargs)
            template, limit = self._templates[0], self._limits[0]
        self.template = template
        self.render_mode = render_mode
        #: Per env (arrays) when the batch plays several levels, else one number.
        self.max_steps: Any = template.max_steps
        self.time_limit: Any = limit
        if min(self._limits) < 1:
            raise ValueError(f"max_episode_steps must be positive, got {min(self._limits)}")
        self._one_level = len(self._templates) == 1
        if not self._one_level:
            self.max_steps = np.full(n, template.max_steps, dtype=np.int64)
            self.time_limit = np.full(n, limit, dtype=np.int64)
        self.height = max(t.height for t in self._templates)
        self.width = max(t.width for t in self._templates)
        self.view_size = size = template.view_size
        self.full_view = getattr(template, "view_radius", 0) is None
        self.layout = Layout(self.height, self.width, size, template.centred_view)
        self._level_cells = [self.layout.cells(t.height, t.width) for t in self._templates]
        self._level = np.zeros(n, dtype=np.intp)
        self._next_level: list[int | None] = [None] * n
        self._next_seed: list[int | None] = [None] * n

        self.single_observation_space = spaces.Dict(
            {"image": spaces.Box(0, 255, (size, size, 3), dtype=np.uint8), "direction": spaces.Discrete(4)}
        )
        self.observation_space = batch_space(self.single_observation_space, n)
        self.single_action_space = spaces.Discrete(len(template.affordances))
        self.action_space = batch_space(self.single_action_space, n)
        self.affordances = template.affordances

        # Per affordance: its event-table slot, the facing an allocentric move takes (-1:
        # keep), and the quarter turns it makes.
        slot, facing, turn = [], [], []
        for action in template.engine_actions:
            if action is None:
                slot.append(_TOOL_SLOT)
                facing.append(-1)
                turn.append(0)
            elif action >= Action.MOVE_EAST:
                slot.append(int(Action.FORWARD))
                facing.append(int(action) - int(Action.MOVE_EAST))
                turn.append(0)
            else:
                slot.append(int(action))
                facing.append(-1)
                turn.append({Action.LEFT: 3, Action.RIGHT: 1}.get(action, 0))
        self._slot = np.array(slot, dtype=np.intp)
        self._facing = np.array(facing, dtype=np.intp)
        self._turn = np.array(turn, dtype=np.intp)
        self._allocentric = bool((self._facing >= 0).any())
        self._turns = bool(self._turn.any())
        self._is_left = np.array([a == Action.LEFT for a in template.engine_actions])
        self._is_tool = np.array([a is None for a in template.engine_actions])
        self._events = _event_table(self.has_crates).ravel()
        self._slot_base = self._slot * (N_TILES * N_STATES * 8)
        self._ahead = self.layout.ahead

        self.words = np.zeros(self.layout.lead + n * self.layout.block, dtype=np.uint32)
        self._base = self.layout.lead + np.arange(n, dtype=np.intp) * self.layout.block
        self.agent_pos = self._base.copy()  # the agent's word in ``words``
        self.agent_dir = np.zeros(n, dtype=np.intp)
        self.carrying = np.zeros(n, dtype=np.uint32)  # tile | colour << 8; 0: nothing
        self.steps = np.zeros(n, dtype=np.int64)
        self.success = np.zeros(n, dtype=bool)
        self.last_action = np.full(n, _NO_NOTE, dtype=np.int16)
        self.last_event = np.zeros(n, dtype=np.uint8)
        self._autoreset = np.zeros(n, dtype=bool)
        self._all_true = np.ones(n, dtype=bool)
        self._missions: list[str] = [""] * n
        self._episodes: list[dict[str, Any]] = [{} for _ in range(n)]
        self._rngs: list[np.random.Generator | None] = [None] * n
        self._sight_bits = np.zeros((n, 64 * ((size * size + 63) // 64)), dtype=np.uint8)
        self._opaque = np.zeros((n, size * size + 8), dtype=bool)
        self._setup()

    def _make_levels(self, levels: Any, render_mode: str | None,
                     kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], list[GridEnv], list[int]]:
        """The levels, one template env and one time limit each; refuses levels whose spaces differ."""
        from gymnasium.envs.registration import load_env_creator, registry

        if isinstance(levels, (str, dict)) or not isinstance(levels, (list, tuple)) or not levels:
            raise ValueError(f"levels must be a non-empty list of env ids or dicts of arguments, got {levels!r:.200}")
        templates, limits = [], []
        for level in levels:
            if isinstance(level, str):
                spec = registry.get(level)
                if spec is None:
                    raise ValueError(f"level {level!r} is not a registered env id")
                creator = load_env_creator(spec.entry_point) if isinstance(spec.entry_point, str) else spec.entry_point
                if creator is not self.single_class:
                    raise ValueError(f"level {level!r} is a {getattr(creator, '__name__', creator)}, not a "
                                     f"{self.single_class.__name__}: a batch plays one env class")
                arguments, limit = dict(spec.kwargs), spec.max_episode_steps
            elif isinstance(level, dict):
                arguments = dict(level)
                limit = arguments.pop("max_episode_steps", None)
            else:
                raise ValueError(f"a level is a registered env id or a dict of arguments, got {level!r:.200}")
            template = self.single_class(render_mode=render_mode, **{**kwargs, **arguments})
            templates.append(template)
            limits.append(int(limit) if limit is not None else template.max_steps)
        first = templates[0]
        for level, template in zip(levels, templates, strict=True):
            for what, value, expected in (
                ("view size", template.view_size, first.view_size),
                ("view centring", template.centred_view, first.centred_view),
                ("whole-room view", getattr(template, "view_radius", 0) is None,
                 getattr(first, "view_radius", 0) is None),
                ("actions", template.affordances, first.affordances),
            ):
                if value != expected:
                    raise ValueError(f"level {level!r} has another {what} than level {levels[0]!r}: the levels of "
                                     f"a batch must share its observation and action spaces")
        return tuple(levels), templates, limits

    def schedule(self, indices: Any, levels: Any = None, seeds: Any = None) -> None:
        """Give the chosen envs a level and/or a seed for their next reset (explicit or autoreset).

        ``levels``: one level (an index into :attr:`levels`, or a level itself: an id or a
        dict) or a list of one per chosen env; ``seeds``: one seed or one per chosen env (the env's generator restarts
        from it, as ``reset(seed=...)`` would). An explicit ``reset(seed=...)`` beats a
        scheduled seed.
        """
        chosen = self._indices(indices)
        per_env = {}
        for name, values in (("levels", levels), ("seeds", seeds)):
            per_env[name] = isinstance(values, (list, tuple, np.ndarray))
            if per_env[name] and len(values) != len(chosen):
                raise ValueError(f"{name} must be one value or a list of {len(chosen)} (one per chosen env)")
        for k, i in enumerate(chosen):
            if levels is not None:
                self._next_level[i] = self.level_index(levels[k] if per_env["levels"] else levels)
            if seeds is not None:
                seed = seeds[k] if per_env["seeds"] else seeds
                if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
                    raise ValueError(f"a seed is an integer >= 0, got {seed!r}")
                self._next_seed[i] = int(seed)

    def level_index(self, level: Any) -> int:
        """The index into :attr:`levels` of ``level`` (an index, an id or a dict of :attr:`levels`)."""
        if not self.levels:
            raise ValueError("this batch plays one level: make it with levels=[...] to schedule levels")
        if isinstance(level, (int, np.integer)) and not isinstance(level, bool):
            if not 0 <= int(level) < len(self.levels):
                raise ValueError(f"level index must be in 0..{len(self.levels) - 1}, got {level}")
            return int(level)
        for index, known in enumerate(self.levels):
            if known == level:
                return index
        raise ValueError(f"unknown level {level!r:.200}; the levels are {self.levels!r:.400}")

    def level_indices(self) -> np.ndarray:
        """The index into :attr:`levels` of the level each env is playing."""
        return self._level.copy()

    def _template_of(self, i: int) -> GridEnv:
        return self._templates[int(self._level[i])]

    # ---- what a family adds ----------------------------------------------------------

    def _setup(self) -> None:
        """Allocate family state (called once at the end of ``__init__``)."""

    def _load(self, i: int, world: World) -> None:
        """Copy family state of env ``i``'s new episode from the template (after generate)."""

    def resolve(self, event: np.ndarray, front: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(terminated, won)`` per env after the engine's events; ``front`` is the word of
        the cell each agent faced. By default the goal wins and lava loses."""
        won = event == Event.REACHED_GOAL
        return won | (event == Event.ENTERED_LAVA), won

    def _after_view(self, where: np.ndarray, cells: np.ndarray) -> None:
        """Called with each new batch of views: the words each slot shows and their (masked)
        contents (e.g. to remember what was seen)."""

    # ---- Gymnasium API ---------------------------------------------------------------

    def reset(
        self, *, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        n = self.num_envs
        if seed is None:
            seeds: list[int | None] = [None] * n
        elif isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
            seeds = [int(seed) + i for i in range(n)]
        elif isinstance(seed, list | tuple):
            seeds = list(seed)
            if len(seeds) != n:
                raise ValueError(f"a list of seeds must have num_envs={n} entries, got {len(seeds)}")
        else:
            raise TypeError(f"seed must be an int, a list of num_envs={n} seeds or None, not {type(seed).__name__}")
        options = dict(options or {})
        mask = options.pop("reset_mask", None)
        if mask is None:
            mask = self._all_true
        else:
            if not isinstance(mask, np.ndarray) or mask.shape != (n,) or mask.dtype != np.bool_:
                raise TypeError(f"options['reset_mask'] must be a bool numpy array of shape ({n},)")
            if not mask.any():
                raise ValueError("options['reset_mask'] must select at least one env")
        chosen = np.flatnonzero(mask)
        if "levels" in options:
            self.schedule(chosen, options.pop("levels"))
        if options:
            raise ValueError(f"unknown reset options {sorted(options)}; only 'reset_mask' and 'levels' are read")
        for i in chosen.tolist():
            if seeds[i] is not None:
                self._rngs[i] = seeding.np_random(seeds[i])[0]
                self._next_seed[i] = None
        self._generate(chosen)
        self._autoreset[chosen] = False
        obs = self._observe()
        info = self._info(self.success.copy(), self._all_true.copy())
        info["_success"] = info["_action_valid"] = mask.copy()
        return obs, info

    def step(
        self, actions: Any
    ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        act = self._actions(actions)
        words = self.words

        direction = self.agent_dir
        if self._allocentric:
            facing = self._facing[act]
            direction = np.where(facing >= 0, facing, direction)
        if self._turns:
            direction = (direction + self._turn[act]) & 3
        pos = self.agent_pos
        ahead = self._ahead[direction]
        front_pos = pos + ahead
        front = words[front_pos]
        held = self.carrying
        index = self._slot_base[act]
        index += ((front >> _SHIFT_CODE) & _CODE_MASK) * 8
        index += (held != 0) * 4 + (held == (np.uint32(Tile.KEY) | (front & np.uint32(0xFF00)))) * 2
        if self.has_crates:
            beyond = words[front_pos + ahead] & _U8
            index += (beyond == Tile.FLOOR) | (beyond == Tile.TARGET)
        event = self._events[index]

        self.agent_pos = np.where(_MOVES[event], front_pos, pos)
        self.agent_dir = direction
        changed = np.flatnonzero(_CHANGES[event])
        if changed.size:
            self._apply_changes(changed, event[changed], front[changed], front_pos[changed])
        terminated, won = self.resolve(event, front_pos)

        self.steps += 1
        reward = np.zeros(self.num_envs)
        if won.any():
            first = won & ~self.success
            max_steps = self.max_steps if self._one_level else self.max_steps[first]
            reward[first] = 1.0 - 0.9 * np.minimum(self.steps[first], max_steps) / max_steps
            self.success |= won
        valid = _OK[event] | terminated
        if not self._one_level:
            truncated = (self.steps >= self.time_limit) | (~terminated & (self.steps >= self.max_steps))
        elif self.time_limit <= self.max_steps:
            truncated = self.steps >= self.time_limit
        else:
            truncated = (~terminated & (self.steps >= self.max_steps)) | (self.steps >= self.time_limit)
        self.last_action = act.astype(np.int16)
        self.last_event = event

        resetting = np.flatnonzero(self._autoreset)
        if resetting.size:
            self._generate(resetting)
            reward[resetting] = 0.0
            terminated[resetting] = False
            truncated[resetting] = False
            valid[resetting] = True
        ended = terminated | truncated
        final: dict[str, Any] = {}
        if self.autoreset_mode == AutoresetMode.SAME_STEP:
            finished = np.flatnonzero(ended)
            if finished.size:
                final = self._final(finished, valid)
                self._generate(finished)
                valid[finished] = True
        else:
            self._autoreset = ended
        obs = self._observe()
        info = self._info(self.success.copy(), valid)
        info.update(final)
        return obs, reward, terminated, truncated, info

    def _final(self, envs: np.ndarray, valid: np.ndarray) -> dict[str, Any]:
        """SAME_STEP's ``final_obs`` and ``final_info`` of the envs whose episodes just ended."""
        n = self.num_envs
        last = self._observe(envs)
        final_obs = np.full(n, None, dtype=object)
        mask = np.zeros(n, dtype=bool)
        mask[envs] = True
        success = np.zeros(n, dtype=bool)
        success[envs] = self.success[envs]
        action_valid = np.zeros(n, dtype=bool)
        action_valid[envs] = valid[envs]
        for k, i in enumerate(envs.tolist()):
            final_obs[i] = {"image": last["image"][k], "direction": int(last["direction"][k])}
        final_info = {"success": success, "_success": mask.copy(), "action_valid": action_valid, "_action_valid": mask.copy()}
        return {"final_obs": final_obs, "_final_obs": mask.copy(), "final_info": final_info, "_final_info": mask}

    # ---- the hot path ----------------------------------------------------------------

    def _actions(self, actions: Any) -> np.ndarray:
        act = np.asarray(actions)
        n_actions = len(self.affordances)
        if act.shape != (self.num_envs,) or not np.issubdtype(act.dtype, np.integer):
            raise ValueError(
                f"actions must be {self.num_envs} integers in 0..{n_actions - 1}, got {np.asarray(actions)!r:.200}"
            )
        if act.size and (act.min() < 0 or act.max() >= n_actions):
            raise ValueError(f"actions must be in 0..{n_actions - 1}, got {act!r:.200}")
        return act.astype(np.intp, copy=False)

    def _apply_changes(self, envs: np.ndarray, event: np.ndarray, old: np.ndarray, pos: np.ndarray) -> None:
        """Write the cells that events change (a few envs per step); ``pos`` are their words."""
        new = old.copy()
        colour = (old >> 8) & _U8
        opened = (event == Event.OPENED) | (event == Event.UNLOCKED)
        new[opened] = cell_word(Tile.DOOR, colour[opened], State.OPEN)
        closed = event == Event.CLOSED
        new[closed] = cell_word(Tile.DOOR, colour[closed], State.CLOSED)
        picked = event == Event.PICKED_UP
        self.carrying[envs[picked]] = old[picked] & np.uint32(0xFFFF)
        new[picked | (event == Event.OPENED_BOX)] = _FLOOR_WORD
        dropped = event == Event.DROPPED
        carried = self.carrying[envs[dropped]]
        new[dropped] = cell_word(carried & _U8, carried >> 8, State.NONE)
        self.carrying[envs[dropped]] = 0
        pushed = np.flatnonzero(event == Event.PUSHED)
        if pushed.size:
            on_target = ((old[pushed] >> 16) & _U8) == State.ON_TARGET
            new[pushed] = np.where(on_target, _TARGET_WORD, _FLOOR_WORD)
            beyond = pos[pushed] + self._ahead[self.agent_dir[envs[pushed]]]
            onto = (self.words[beyond] & _U8) == Tile.TARGET
            self.words[beyond] = cell_word(Tile.CRATE, colour[pushed], np.where(onto, State.ON_TARGET, State.NONE))
            self._pushed(envs[pushed], on_target, onto)
        self.words[pos] = new

    def _pushed(self, envs: np.ndarray, left_target: np.ndarray, onto_target: np.ndarray) -> None:
        """Called after crate pushes (a family with targets counts them)."""

    def _observe(self, envs: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """The batched observation of every env, or of ``envs`` only (then nothing is
        remembered as seen)."""
        direction = self.agent_dir if envs is None else self.agent_dir[envs]
        n, slots = len(direction), self.view_size * self.view_size
        where = self.layout.slot_offset.take(direction, axis=0)
        where += (self.agent_pos if envs is None else self.agent_pos[envs])[:, None]
        cells = self.words.take(where)
        if not self.full_view:
            cells *= self._sight(cells)
        # Drop the fourth byte: three strided copies, each one flat loop over the batch.
        image = np.empty((n, self.view_size, self.view_size, 3), dtype=np.uint8)
        source = cells.view(np.uint8).reshape(n, slots, 4)
        target = image.reshape(n, slots, 3)
        for c in range(3):
            target[:, :, c] = source[:, :, c]
        if envs is None:
            self._after_view(where, cells)
        return {"image": image, "direction": direction.astype(np.int64)}

    def _sight(self, cells: np.ndarray) -> np.ndarray:
        """``(n, size**2)`` bool: the view slots each agent's sight lines reach (see the module
        docstring); off-grid slots may be among them, but they hold zero words."""
        n, size = len(cells), self.view_size
        slots = size * size
        opaque = self._opaque[:n]
        np.greater_equal(cells, _OPAQUE_BIT, out=opaque[:, :slots])
        # Each byte-sized group of a row's flags, read as one (unaligned) uint64, its bytes'
        # low bits gathered into one byte: the row's opaque bits.
        nbytes = (size + 7) // 8
        groups = np.ndarray(
            shape=(n, size, nbytes), dtype=np.uint64, buffer=opaque, strides=(slots + 8, size, 8)
        )
        values = ((groups & _byte_masks(size)) * _GATHER_BITS) >> _TOP_BYTE
        lookup = values.reshape(n, -1).T.astype(np.intp)
        lookup += (np.arange(size * nbytes, dtype=np.intp) * 256)[:, None]
        table = sight_tables(size, self.template.centred_view)
        blocked = np.bitwise_or.reduce(table.take(lookup, axis=0), axis=0)
        words = blocked.shape[1] // 4
        blocked = blocked.reshape(n, 4, words)
        lines = ~(blocked[:, 0] & blocked[:, 1] & blocked[:, 2] & blocked[:, 3])
        self._sight_bits = np.unpackbits(lines.view(np.uint8), axis=1, bitorder="little")
        return self._sight_bits[:, :slots].view(bool)

    def _info(self, success: np.ndarray, valid: np.ndarray) -> dict[str, Any]:
        return {
            "success": success,
            "_success": self._all_true.copy(),
            "action_valid": valid,
            "_action_valid": self._all_true.copy(),
        }

    # ---- levels ----------------------------------------------------------------------

    def _generate(self, envs: np.ndarray) -> None:
        """New episodes for ``envs``, each from its own generator, by the single env's code."""
        layout = self.layout
        for i in envs.tolist():
            level = self._next_level[i]
            if level is not None:
                self._next_level[i] = None
                self._level[i] = level
                self.max_steps[i] = self._templates[level].max_steps
                self.time_limit[i] = self._limits[level]
            seed = self._next_seed[i]
            if seed is not None:
                self._next_seed[i] = None
                self._rngs[i] = seeding.np_random(seed)[0]
            rng = self._rngs[i]
            if rng is None:
                rng = self._rngs[i] = seeding.np_random(None)[0]
            template = self._templates[int(self._level[i])]
            template._np_random = rng
            world, mission = template.generate()
            if world.content.any():
                raise ValueError(f"{type(template).__name__} hid objects in boxes: the vector env does not model them")
            self._missions[i] = sanitize(mission, 200)
            self._episodes[i] = {name: getattr(template, name) for name in self.episode_attrs}
            block = self.words[self._base[i] : self._base[i] + layout.block]
            if self._one_level:
                block[layout.cell_pos] = world_words(world.grid)
            else:
                # A smaller room leaves zero words around it: unseen and transparent, like off-grid cells.
                block[layout.cell_pos] = 0
                block[self._level_cells[int(self._level[i])]] = world_words(world.grid)
            self.agent_pos[i] = self._base[i] + world.agent_y * layout.stride + world.agent_x
            self.agent_dir[i] = world.agent_dir
            self.carrying[i] = int(world.carrying[0]) | int(world.carrying[1]) << 8
            self._load(i, world)
        self.steps[envs] = 0
        self.success[envs] = False
        self.last_action[envs] = _NO_NOTE

    # ---- on request: one env at a time -------------------------------------------------

    def world(self, i: int) -> World:
        """A copy of env ``i``'s world as the single env holds it."""
        layout = self.layout
        template = self._template_of(i)
        height, width = template.height, template.width
        block = self.words[self._base[i] : self._base[i] + layout.block]
        words = block[self._level_cells[int(self._level[i])]]
        grid = words.view(np.uint8).reshape(height, width, 4)[:, :, :3].copy()
        world = World(grid, np.zeros((height, width, 2), dtype=np.uint8))
        world.agent_x, world.agent_y = layout.xy(int(self.agent_pos[i] - self._base[i]))
        world.agent_dir = int(self.agent_dir[i])
        held = int(self.carrying[i])
        world.carrying = (held & 0xFF, held >> 8)
        return world

    def _bind(self, i: int) -> GridEnv:
        """The template env (of env ``i``'s level) holding env ``i``'s state, to run single-env code on it."""
        template = self._template_of(i)
        template.world = self.world(i)
        template.mission = self._missions[i]
        template.steps = int(self.steps[i])
        template.success = bool(self.success[i])
        template.__dict__.update(self._episodes[i])
        template.view = template.look()
        return template

    def _indices(self, indices: Any) -> list[int]:
        if indices is None:
            return list(range(self.num_envs))
        if isinstance(indices, (int, np.integer)) and not isinstance(indices, bool):
            indices = [indices]
        chosen = [int(i) for i in indices]
        for i in chosen:
            if not 0 <= i < self.num_envs:
                raise IndexError(f"env index must be in 0..{self.num_envs - 1}, got {i}")
        return chosen

    def text(self, indices: Any = None) -> list[str]:
        """``obs["text"]`` of the chosen envs (all by default) as the single env gives it now."""
        texts = []
        for i in self._indices(indices):
            env = self._bind(i)
            action = int(self.last_action[i])
            if action == _NO_NOTE:
                note = ""
            elif self._is_tool[action]:
                note = env.use_tool(action)
            elif self._is_left[action]:
                note = "You turn left."
            else:
                note = EVENT_PHRASES[Event(int(self.last_event[i]))]
            body = env.view_text(env.view)
            texts.append(sanitize(f"{note}\n{body}" if note else body, env.text_length))
        return texts

    def mission(self, indices: Any = None) -> list[str]:
        """``obs["mission"]`` of the chosen envs (all by default)."""
        return [self._missions[i] for i in self._indices(indices)]

    def oracle_action(self, indices: Any = None) -> np.ndarray:
        """The single env's privileged solver's next action for each chosen env (all by
        default): an ``int64`` array that :meth:`step` takes when every env is chosen."""
        chosen = self._indices(indices)
        actions = np.zeros(len(chosen), dtype=np.int64)
        for k, i in enumerate(chosen):
            env = self._bind(i)
            actions[k] = env.oracle_action()
            self._episodes[i] = {name: getattr(env, name) for name in self.episode_attrs}
        return actions

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """``SyncVectorEnv``-style access to the on-request methods and attributes
        (``envs.call("text", [0, 3])``)."""
        value = getattr(self, name)
        return value(*args, **kwargs) if callable(value) else value

    def render(self) -> tuple[Any, ...] | None:
        """One frame (``rgb_array``) or map (``ansi``) per env, like ``SyncVectorEnv``."""
        if self.render_mode is None:
            return None
        return tuple(self._bind(i).render() for i in range(self.num_envs))

    def single(self, i: int) -> GridEnv:
        """A copy of the single env in env ``i``'s state (of its level): step it freely, the batch
        does not see it (e.g. to count the oracle's steps to success)."""
        import copy

        (i,) = self._indices(i)
        return copy.deepcopy(self._bind(i))

    def close_extras(self, **kwargs: Any) -> None:
        for template in self._templates:
            template.close()


class GridKeyDoorVector(GridVectorEnv):
    """:class:`~agentic_gym.envs.grid.keydoor.GridKeyDoor`, batched."""

    single_class = GridKeyDoor
    episode_attrs = ("door",)


class GridMazeVector(GridVectorEnv):
    """:class:`~agentic_gym.envs.grid.maze.GridMaze`, batched; it also keeps each env's map of
    seen cells for the ``map`` tool's text."""

    single_class = GridMaze
    episode_attrs = ("goal",)

    def _setup(self) -> None:
        # Aligned with ``words``: seen padding is never read.
        self.seen = np.zeros(self.words.size, dtype=bool)

    def _load(self, i: int, world: World) -> None:
        self.seen[self._base[i] + self.layout.cell_pos] = False

    def _after_view(self, where: np.ndarray, cells: np.ndarray) -> None:
        self.seen[where[self._sight_bits[:, : where.shape[1]].view(bool)]] = True

    def _bind(self, i: int) -> GridEnv:
        env = super()._bind(i)
        cells = self._level_cells[int(self._level[i])]
        env.seen = self.seen[self._base[i] + cells].reshape(env.height, env.width)  # type: ignore[attr-defined]
        return env


class GridMemoryVector(GridVectorEnv):
    """:class:`~agentic_gym.envs.grid.memory.GridMemory`, batched: walking into either end
    object ends the episode, won when it is the cue's twin."""

    single_class = GridMemory
    episode_attrs = ("match", "other")

    def _setup(self) -> None:
        self.match = np.zeros(self.num_envs, dtype=np.intp)
        self.other = np.zeros(self.num_envs, dtype=np.intp)

    def _load(self, i: int, world: World) -> None:
        template = self._template_of(i)
        (mx, my), (ox, oy) = template.match, template.other  # type: ignore[attr-defined]
        self.match[i] = self._base[i] + my * self.layout.stride + mx
        self.other[i] = self._base[i] + oy * self.layout.stride + ox

    def resolve(self, event: np.ndarray, front: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        blocked = event == Event.BLOCKED
        won = blocked & (front == self.match)
        return won | (blocked & (front == self.other)), won


class GridSokobanVector(GridVectorEnv):
    """:class:`~agentic_gym.envs.grid.sokoban.GridSokoban`, batched: the whole room in view
    by default (no sight lines to compute) or an occluded centred view with ``view_radius``."""

    single_class = GridSokoban
    episode_attrs = ("level", "_plan", "_plan_at")
    has_crates = True

    def _setup(self) -> None:
        self.empty_targets = np.zeros(self.num_envs, dtype=np.intp)

    def _load(self, i: int, world: World) -> None:
        self.empty_targets[i] = int((world.grid[:, :, 0] == Tile.TARGET).sum())

    def _pushed(self, envs: np.ndarray, left_target: np.ndarray, onto_target: np.ndarray) -> None:
        np.add.at(self.empty_targets, envs, left_target.astype(np.intp) - onto_target.astype(np.intp))

    def resolve(self, event: np.ndarray, front: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        won = (event == Event.PUSHED) & (self.empty_targets == 0)
        return won, won

    def _bind(self, i: int) -> GridEnv:
        env = super()._bind(i)
        # The plan is a list the solver pops from: give each env its own.
        env._plan = list(self._episodes[i]["_plan"])  # type: ignore[attr-defined]
        # The single env's position of record (its solver reads it), from the world's grid.
        env.state = sokoban_state(env.world)  # type: ignore[attr-defined]
        return env


def sokoban_state(world: World) -> SokobanState:
    """The :class:`SokobanState` whose painting (``GridSokoban``'s) is ``world``'s grid."""
    height, width = world.grid.shape[:2]
    tiles = world.grid[:, :, 0].ravel()
    placed = (tiles == Tile.CRATE) & (world.grid[:, :, 2].ravel() == State.ON_TARGET)
    walls = (tiles == Tile.WALL).astype(np.uint8).tobytes()
    targets = tuple(int(c) for c in np.flatnonzero((tiles == Tile.TARGET) | placed))
    box_at = bytearray((tiles == Tile.CRATE).astype(np.uint8).tobytes())
    return SokobanState(width, height, walls, targets, box_at, world.agent_y * width + world.agent_x)
