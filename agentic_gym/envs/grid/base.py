"""The shared adapter between the grid engine and Gymnasium.

:class:`GridEnv` holds what every grid env shares: the spaces, seeding, observation
assembly, the reward, ``info`` and render dispatch. A grid env subclasses it and
supplies only:

* ``affordances`` and, aligned with them, ``engine_actions``: the
  :class:`~agentic_gym.envs.grid.engine.Action` each affordance performs, or ``None``
  for a tool that the env answers itself in :meth:`GridEnv.use_tool` (such a tool
  costs a step and does not change the world);
* :meth:`GridEnv.generate`: build a fresh :class:`~agentic_gym.envs.grid.engine.World`
  and its mission from ``self.np_random``;
* :meth:`GridEnv.oracle_action`: the privileged solver;
* optionally: ``can_carry = True`` (the text then says what the agent carries),
  :meth:`GridEnv.look` (the view: line of sight by default), :meth:`GridEnv.resolve`
  (when is the episode over, and was it won: by default reaching the goal wins and
  lava loses), :meth:`GridEnv.describe` (the ``text`` observation),
  :meth:`GridEnv.event_note` (what the agent is told after an action),
  :meth:`GridEnv.apply` (how an engine action changes the world: :func:`interact` by
  default) and :meth:`GridEnv.after_step` (e.g. remember what was seen).

``look`` and ``describe`` must be pure functions of the world (grid, position,
facing, what is carried): their results are memoised per position and facing for as
long as the grid stays byte-for-byte the same, which saves most of a step (agents
turn in place and bump into walls again and again). The text is ASCII by
construction (phrase tables and numbers), so it is clipped but not sanitised; what a
tool answers is sanitised.

An oracle names the affordance it means: :meth:`GridEnv.action_index` maps an engine
:class:`~agentic_gym.envs.grid.engine.Action` (or an affordance) to its index, so an
env whose affordances come in another order is still solved.

Allocentric envs (``up``/``down``/``left``/``right``) map their affordances to
``Action.MOVE_NORTH`` etc. and set ``centred_view = True`` to see a north-up square
of ``view_size`` cells around the agent.

Observation (a ``Dict``): ``text`` (what the agent sees now, in words), ``image``
(``(view_size, view_size, 3)`` ``uint8``: ``[tile, colour, state]`` per view cell,
zeros where hidden; row 0 is the farthest ahead, the agent is at the bottom centre,
or at the centre of a centred view), ``direction`` (``Discrete(4)``: east, south,
west, north) and ``mission``.

Perception (``obs_mode``): ``"both"`` (the default) gives the text above and the
image; ``"text"`` adds to the words a character map of every view cell
(:func:`~agentic_gym.envs.grid.describe.view_map`), so the text alone carries all the
image does; ``"image"`` leaves every cell out of the text, which then holds only the
facing, what the agent carries and what it was told (the chat layer attaches
:meth:`GridEnv.agent_view_frame`). ``obs["image"]`` is the same in every mode. An
env built with ``obs_mode="image"`` lists ``perception`` in its (instance)
``metadata["capabilities"]``: only there must the agent see to act.

Reward: ``1 - 0.9 * steps / max_steps`` on the step that solves the task, else 0.
``info``: ``success`` (bool, True once solved), ``action_valid`` (False when the
move was blocked or the object could not be used, unless that ends the episode, as
touching an object does in GridMemory; tools are always valid) and ``command``: the
:class:`~agentic_gym.core.Command` of the action index taken (None for an action outside
the action space).

An action outside the action space (a float such as ``1.5``, a bool, a string, an
index out of range) never raises: it is refused like a failed action. It costs a
step, changes nothing, ``info["action_valid"]`` is False and the text says what was
wrong and which indices are valid.

Constructor arguments are checked up front (:func:`check_int`); sizes have upper
bounds (:data:`MAX_SIZE`, :data:`MAX_VIEW_SIZE`, :data:`MAX_TILE_SIZE`) that keep a
reset well under 50 ms and an instance small.

:meth:`GridEnv.agent_view_frame` draws the agent's own view (the cells of
``obs["image"]``, nothing else) as pixels: the picture to show an LLM. ``render()``
shows people the whole map with the view highlighted.
"""

from __future__ import annotations

import abc
import functools
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces

from agentic_gym.core import RENDER_MODES, Affordance, AgenticEnv, Command, quote, sanitize, text_space
from agentic_gym.difficulty import reset_difficulty
from agentic_gym.envs.grid.describe import (
    DIRECTION_NAMES,
    VIEW_MAP_LEGEND,
    ansi_map,
    carrying_phrase,
    describe_view,
    view_map,
)
from agentic_gym.envs.grid.engine import (
    EVENT_OK,
    Action,
    Event,
    View,
    World,
    interact,
    view_image,
    visible_cells,
    visible_mask,
)

#: The largest grid side any grid env accepts: a reset stays well under 50 ms (the
#: view tables of a new size are built once per process) and an instance small.
MAX_SIZE = 64
#: The largest view side (odd): the sight-line table grows with its fourth power (built
#: once per process and size: 80 ms for 11, 280 ms for 15).
MAX_VIEW_SIZE = 11
#: Tile sizes (pixels) for rendering.
MIN_TILE_SIZE, MAX_TILE_SIZE = 4, 256
#: The most steps an episode may be given.
MAX_STEPS = 1_000_000
#: Views and texts a :class:`GridEnv` keeps per grid (a bound on its memory).
VIEW_MEMO_LIMIT = 512
#: What ``obs["text"]`` carries (see the module docstring).
OBS_MODES: tuple[str, ...] = ("text", "image", "both")


def check_obs_mode(value: Any) -> str:
    """``value`` if it is one of :data:`OBS_MODES`, else ``ValueError`` naming them.

    Example:
        >>> check_obs_mode("image")
        'image'
        >>> check_obs_mode("pixels")
        Traceback (most recent call last):
        ...
        ValueError: obs_mode must be one of 'text', 'image', 'both', got 'pixels' (str)
    """
    if not isinstance(value, str) or value not in OBS_MODES:
        valid = ", ".join(repr(m) for m in OBS_MODES)
        raise ValueError(f"obs_mode must be one of {valid}, got {_describe_value(value)}")
    return value


def check_int(name: str, value: Any, low: int, high: int, odd: bool = False) -> int:
    """``value`` as an ``int`` if it is a whole number in ``[low, high]`` (odd if asked).

    Raises ``TypeError`` (not a whole number; a bool is not one) or ``ValueError``
    (out of range), with a message naming ``name`` and the valid range.

    Example:
        >>> check_int("size", 8, 5, 64)
        8
        >>> check_int("size", "8", 5, 64)
        Traceback (most recent call last):
        ...
        TypeError: size must be an integer in [5, 64], got '8' (str)
    """
    rule = f"an odd integer in [{low}, {high}]" if odd else f"an integer in [{low}, {high}]"
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be {rule}, got {_describe_value(value)}")
    if not low <= value <= high or (odd and value % 2 == 0):
        raise ValueError(f"{name} must be {rule}, got {_describe_value(value)}")
    return int(value)


def _describe_value(value: Any) -> str:
    """A short, safe description of any value for a message (never raises)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value)) if -(10**12) < value < 10**12 else "a huge integer"
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, str):
        return f"{quote(value)[1:-1]!r} (str)"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"a {type(value).__name__}"


@lru_cache(maxsize=64)
def _action_tables(
    affordances: tuple[Affordance, ...], engine_actions: tuple[Action | None, ...]
) -> tuple[dict[Action, int], str]:
    """The index of the affordance that performs each engine action, and the words that
    list the valid actions (shared by every instance of an env class)."""
    index = {a: i for i, a in reversed(list(enumerate(engine_actions))) if a is not None}
    valid = ", ".join(f"{i} ({a.name})" for i, a in enumerate(affordances))
    return index, f"valid actions are the indices {valid}"


def discrete_index(action: Any, n: int) -> int | None:
    """The index that ``action`` names in ``Discrete(n)``, or None if it names none.

    Whole numbers count (Python and numpy integers, 0-d integer arrays); floats, bools,
    strings and everything else do not, even ``1.0``.
    """
    if type(action) is int:
        index = action
    else:
        whole = isinstance(action, (int, np.integer)) and not isinstance(action, bool)
        scalar = isinstance(action, np.ndarray) and action.shape == () and np.issubdtype(action.dtype, np.integer)
        if not (whole or scalar):
            return None
        index = int(action)
    return index if 0 <= index < n else None

#: What the agent is told after each engine event.
EVENT_PHRASES: dict[Event, str] = {
    Event.TURNED: "You turn right.",
    Event.MOVED: "You move.",
    Event.REACHED_GOAL: "You reach the goal.",
    Event.ENTERED_LAVA: "You step into lava.",
    Event.PICKED_UP: "You pick it up.",
    Event.DROPPED: "You put it down.",
    Event.OPENED: "You open the door.",
    Event.CLOSED: "You close the door.",
    Event.UNLOCKED: "You unlock the door.",
    Event.OPENED_BOX: "You open the box.",
    Event.PUSHED: "You push the crate.",
    Event.WAITED: "You wait.",
    Event.BLOCKED: "You cannot move there.",
    Event.NOTHING_TO_PICK_UP: "There is nothing here you can pick up.",
    Event.HANDS_FULL: "Your hands are full: drop what you carry first.",
    Event.CANNOT_DROP: "You cannot put anything down here.",
    Event.NEED_KEY: "The door is locked: you need a key of its colour.",
    Event.NOTHING_TO_TOGGLE: "There is nothing here to open or close.",
}

#: The longest mission (longer ones are clipped).
MISSION_LENGTH = 200

#: The standard egocentric affordances, in MiniGrid's order.
TURN_LEFT = Affordance("left", "Turn left (a quarter turn, counter-clockwise).", kind="move",
                       aliases=("turn left", "rotate left"))
TURN_RIGHT = Affordance("right", "Turn right (a quarter turn, clockwise).", kind="move",
                        aliases=("turn right", "rotate right"))
FORWARD = Affordance("forward", "Move one cell forward.", kind="move",
                     aliases=("move forward", "go forward", "step forward", "walk forward", "move ahead"))
PICKUP = Affordance("pickup", "Pick up the object in front of you.", kind="move",
                    aliases=("pick up", "pick it up", "grab"))
DROP = Affordance("drop", "Put what you carry down in front of you.", kind="move", aliases=("put down",))
TOGGLE = Affordance("toggle", "Open, close or unlock the door or box in front of you.", kind="move",
                    aliases=("open the door", "open door", "open", "close the door", "unlock the door",
                             "open the box"))
DONE = Affordance("done", "Do nothing this step.", kind="move", aliases=("wait", "do nothing"))


@functools.cache
def index_commands(affordances: tuple[Affordance, ...]) -> tuple[Command, ...]:
    """The :class:`~agentic_gym.core.Command` of each action index, made once per affordance tuple.

    A step reports its command without building one; commands are values, treated as read-only.
    """
    return tuple(Command(aff.name) for aff in affordances)


class GridEnv(AgenticEnv):
    """Base of the grid envs (see the module docstring for what a subclass supplies)."""

    metadata: dict[str, Any] = {"render_modes": RENDER_MODES, "render_fps": 10, "capabilities": ()}
    #: The engine action of each affordance (``None``: a tool answered by :meth:`use_tool`).
    engine_actions: ClassVar[tuple[Action | None, ...]] = ()
    #: North-up view centred on the agent instead of the egocentric one.
    centred_view: ClassVar[bool] = False
    #: Whether the agent can pick things up (the text then says what it carries).
    can_carry: ClassVar[bool] = False
    #: Whether :meth:`describe` already draws every view cell (then ``obs_mode="text"``
    #: adds no :func:`~agentic_gym.envs.grid.describe.view_map`).
    describes_every_cell: ClassVar[bool] = False
    #: The largest ``view_size`` (odd) the env accepts.
    max_view_size: ClassVar[int] = MAX_VIEW_SIZE
    _render_attrs: ClassVar[tuple[str, ...]] = ("_window", "_renderer")
    _cache_attrs: ClassVar[tuple[str, ...]] = ("_memo", "_memo_grid")

    def __init__(
        self,
        width: int,
        height: int,
        max_steps: int,
        view_size: int = 7,
        render_mode: str | None = None,
        tile_size: int = 32,
        text_length: int | None = None,
        obs_mode: str = "both",
    ):
        super().__init__(render_mode)
        self.obs_mode = check_obs_mode(obs_mode)
        if self.obs_mode == "image":
            # Per instance: only the image-mode variant needs eyes.
            capabilities = tuple(self.metadata.get("capabilities", ()))
            if "perception" not in capabilities:
                capabilities += ("perception",)
            self.metadata = {**type(self).metadata, "capabilities": capabilities}
        if len(self.engine_actions) != len(self.affordances):
            raise ValueError("engine_actions must give one entry per affordance")
        max_steps = check_int("max_steps", max_steps, 1, MAX_STEPS)
        view_size = check_int("view_size", view_size, 1, self.max_view_size, odd=True)
        tile_size = check_int("tile_size", tile_size, MIN_TILE_SIZE, MAX_TILE_SIZE)
        self.width, self.height = width, height
        self.max_steps = max_steps
        self.view_size = view_size
        self.tile_size = tile_size
        self.text_length = text_length if text_length is not None else 1000 + 2 * (width + 1) * height
        if self.obs_mode == "text" and text_length is None:
            self.text_length += len(VIEW_MAP_LEGEND) + 40 + (2 * view_size + 1) * view_size
        self.action_space = spaces.Discrete(len(self.affordances))
        self._commands = index_commands(tuple(self.affordances))
        self.observation_space = spaces.Dict(
            {
                "text": text_space(self.text_length),
                "image": spaces.Box(0, 255, (view_size, view_size, 3), dtype=np.uint8),
                "direction": spaces.Discrete(4),
                "mission": text_space(MISSION_LENGTH),
            }
        )
        self.world = World.empty(width, height)
        self.mission = ""
        self.steps = 0
        self.success = False
        # A placeholder until reset, from the env's own look (GridSokoban's full view must
        # not build sight-line tables for its large view).
        self.view: View = self.look()
        self._renderer: Any = None
        self._index_of_action, self._valid_actions = _action_tables(self.affordances, self.engine_actions)
        # The memo of views and texts (see the module docstring), for the grid in _memo_grid.
        self._memo: dict[tuple[int, int, int, tuple[int, int]], tuple[View, str, np.ndarray]] = {}
        self._memo_grid = b""
        self._text = ""
        self._image = view_image(self.view)

    # ---- what a subclass supplies -------------------------------------------------

    @abc.abstractmethod
    def generate(self) -> tuple[World, str]:
        """A fresh world and its mission, drawn from ``self.np_random``."""

    def resolve(self, event: Event) -> tuple[bool, bool]:
        """``(terminated, success)`` after an engine event: the goal wins, lava loses."""
        if event == Event.REACHED_GOAL:
            return True, True
        if event == Event.ENTERED_LAVA:
            return True, False
        return False, False

    def use_tool(self, action: int) -> str:
        """Answer the tool affordance ``action`` (an index): the text shown this step.

        The world must not change. The text is sanitised and clipped with the rest.
        """
        raise TypeError(
            f"{type(self).__name__} lists tool {self.affordances[action].name!r} but does not answer it"
        )

    def describe(self, view: View) -> str:
        """The ``text`` observation for the current view (sanitised and clipped by the caller)."""
        return describe_view(view, self.world.carrying if self.can_carry else None)

    def view_text(self, view: View) -> str:
        """The ``text`` observation of ``view`` in this env's ``obs_mode`` (without the note).

        ``"both"``: :meth:`describe`; ``"text"``: that and a map of every view cell;
        ``"image"``: no cell at all, only the facing (egocentric views) and what is carried.
        """
        if self.obs_mode == "image":
            lines = ["You see your view in the image."]
            if not self.centred_view:
                lines.append(f"You face {DIRECTION_NAMES[view.direction]}.")
            if self.can_carry:
                lines.append(carrying_phrase(self.world.carrying))
            return " ".join(lines)
        text = self.describe(view)
        if self.obs_mode == "text" and not self.describes_every_cell:
            where = "north is up, you are @@ in the middle" if self.centred_view else "ahead is up, you are @@"
            text = f"{text}\nMap of your view ({where}; {VIEW_MAP_LEGEND}):\n{view_map(view)}"
        return text

    def look(self) -> View:
        """What the agent sees now: :func:`~agentic_gym.envs.grid.engine.visible_cells` by default."""
        return visible_cells(self.world, self.view_size, self.centred_view)

    def apply(self, action: Action) -> Event:
        """Change the world by the engine ``action`` and say what happened."""
        return interact(self.world, action)

    def event_note(self, action: Action, event: Event) -> str:
        """What the agent is told after the engine ``action`` caused ``event``."""
        return "You turn left." if action == Action.LEFT else EVENT_PHRASES[event]

    def action_index(self, action: Action | Affordance) -> int:
        """The index of the affordance that performs the engine ``action`` (or of the
        affordance itself): what an oracle returns."""
        if isinstance(action, Affordance):
            return self.affordances.index(action)
        return self._index_of_action[action]

    def after_step(self, view: View) -> None:
        """Called with each new view, e.g. to remember what was seen.

        That is after every reset and every step that changed the world; a failed action
        or a tool keeps the previous view.
        """

    # ---- the Gymnasium API --------------------------------------------------------

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        super().reset(seed=seed)
        self.world, mission = self.generate()
        self.mission = sanitize(mission, MISSION_LENGTH)
        self.steps = 0
        self.success = False
        return self._observe(""), {"success": False, "action_valid": True, "difficulty": reset_difficulty(self)}

    def step(self, action: Any) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        n = len(self.engine_actions)
        index = action if type(action) is int and 0 <= action < n else discrete_index(action, n)
        self.steps += 1
        engine_action = self.engine_actions[index] if index is not None else None
        world = self.world
        if index is None:
            note = f"Invalid action {_describe_value(action)}: {self._valid_actions}."
            if isinstance(action, str):  # a caller typing commands: point to the language layer
                note += "\nTo act with text commands, wrap the env with agentic_gym.chat(env)."
            note = sanitize(note)
            valid, terminated, won, unchanged = False, False, False, True
        elif engine_action is None:
            note = sanitize(self.use_tool(index), self.text_length)
            valid, terminated, won, unchanged = True, False, False, True
        else:
            event = self.apply(engine_action)
            note = self.event_note(engine_action, event)
            terminated, won = self.resolve(event)
            # A blocked move that ends the episode (touching an object) did something.
            valid = EVENT_OK[event] or terminated
            # A failed action changes nothing but, for allocentric moves, the facing.
            unchanged = not valid and (self.centred_view or world.agent_dir == self.view.direction)
        reward = 0.0
        if won and not self.success:
            self.success = True
            reward = 1.0 - 0.9 * min(self.steps, self.max_steps) / self.max_steps
        truncated = not terminated and self.steps >= self.max_steps
        obs = self._observe(note, self.view if unchanged else None)
        return obs, reward, terminated, truncated, {"success": self.success, "action_valid": valid,
                                                    "command": None if index is None else self._commands[index]}

    def _observe(self, note: str, view: View | None = None) -> dict[str, Any]:
        """The observation; ``view`` is the current view when the world did not change."""
        if view is None:
            view, self._text, self._image = self._look_memoised()
            self.view = view
            self.after_step(view)
        text = f"{note}\n{self._text}" if note else self._text
        if len(text) > self.text_length:
            text = text[: self.text_length]
        return {
            "text": text,
            "image": self._image.copy(),
            "direction": int(self.world.agent_dir),
            "mission": self.mission,
        }

    def _look_memoised(self) -> tuple[View, str, np.ndarray]:
        """:meth:`look`, :meth:`describe` and the image of the current world, memoised per grid."""
        world = self.world
        grid = world.grid.tobytes()
        if grid != self._memo_grid or len(self._memo) >= VIEW_MEMO_LIMIT:
            self._memo = {}
            self._memo_grid = grid
        key = (world.agent_x, world.agent_y, world.agent_dir, world.carrying)
        seen = self._memo.get(key)
        if seen is None:
            view = self.look()
            # A read-only window on the view's own array: each observation gets a copy.
            image = view.image.reshape(view.size, view.size, 3)
            image.setflags(write=False)
            seen = self._memo[key] = (view, self.view_text(view), image)
        return seen

    # ---- rendering ----------------------------------------------------------------

    def _grid_renderer(self) -> Any:
        if self._renderer is None:
            from agentic_gym.envs.grid.render import GridRenderer

            self._renderer = GridRenderer(self.tile_size)
        return self._renderer

    def render_frame(self) -> np.ndarray:
        return self._grid_renderer().frame(self.world, visible_mask(self.world, self.view))

    def agent_view_frame(self) -> np.ndarray:
        """The agent's own view as an RGB ``uint8`` frame of ``(view_size * tile_size,
        view_size * tile_size, 3)``: the picture to show an LLM, never the full map.

        It is drawn from the observation alone (the ``[tile, colour, state]`` cells of
        the last ``obs["image"]`` and ``obs["direction"]``) with the renderer's shared
        tiles, so it cannot show a cell the agent does not see: hidden cells are black.
        The agent sits where it is in the image (bottom centre facing up, or the centre
        of a north-up view facing ``obs["direction"]``). Works in every render mode.
        """
        direction = int(self.world.agent_dir) if self.centred_view else None
        return self._grid_renderer().view_frame(view_image(self.view), direction)

    def render_text(self) -> str:
        return ansi_map(self.world, visible_mask(self.world, self.view), self.mission)
