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
  lava loses), :meth:`GridEnv.describe` (the ``text`` observation) and
  :meth:`GridEnv.after_step` (e.g. remember what was seen).

Allocentric envs (``up``/``down``/``left``/``right``) map their affordances to
``Action.MOVE_NORTH`` etc. and set ``centred_view = True`` to see a north-up square
of ``view_size`` cells around the agent.

Observation (a ``Dict``): ``text`` (what the agent sees now, in words), ``image``
(``(view_size, view_size, 3)`` ``uint8``: ``[tile, colour, state]`` per view cell,
zeros where hidden; row 0 is the farthest ahead, the agent is at the bottom centre,
or at the centre of a centred view), ``direction`` (``Discrete(4)``: east, south,
west, north) and ``mission``.

Reward: ``1 - 0.9 * steps / max_steps`` on the step that solves the task, else 0.
``info``: ``success`` (bool, True once solved), ``action_valid`` (False when the
move was blocked or the object could not be used, unless that ends the episode, as
touching an object does in GridMemory; tools are always valid) and, after a step,
``command``: the :class:`~agentic_gym.core.Command` of the action index taken.
"""

from __future__ import annotations

import abc
import functools
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces

from agentic_gym.core import RENDER_MODES, Affordance, AgenticEnv, Command, sanitize, text_space
from agentic_gym.envs.grid.describe import ansi_map, describe_view
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

    metadata: ClassVar[dict[str, Any]] = {"render_modes": RENDER_MODES, "render_fps": 10, "capabilities": ()}
    #: The engine action of each affordance (``None``: a tool answered by :meth:`use_tool`).
    engine_actions: ClassVar[tuple[Action | None, ...]] = ()
    #: North-up view centred on the agent instead of the egocentric one.
    centred_view: ClassVar[bool] = False
    #: Whether the agent can pick things up (the text then says what it carries).
    can_carry: ClassVar[bool] = False
    _render_attrs: ClassVar[tuple[str, ...]] = ("_window", "_renderer")

    def __init__(
        self,
        width: int,
        height: int,
        max_steps: int,
        view_size: int = 7,
        render_mode: str | None = None,
        tile_size: int = 32,
        text_length: int | None = None,
    ):
        super().__init__(render_mode)
        if len(self.engine_actions) != len(self.affordances):
            raise ValueError("engine_actions must give one entry per affordance")
        if max_steps < 1:
            raise ValueError(f"max_steps must be positive, got {max_steps}")
        self.width, self.height = width, height
        self.max_steps = max_steps
        self.view_size = view_size
        self.tile_size = tile_size
        self.text_length = text_length if text_length is not None else 1000 + 2 * (width + 1) * height
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
        self.view: View = visible_cells(self.world, view_size, self.centred_view)
        self._renderer: Any = None

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

    def look(self) -> View:
        """What the agent sees now: :func:`~agentic_gym.envs.grid.engine.visible_cells` by default."""
        return visible_cells(self.world, self.view_size, self.centred_view)

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
        return self._observe(""), {"success": False, "action_valid": True}

    def step(self, action: Any) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        index = int(action)
        if not 0 <= index < len(self.engine_actions):
            raise ValueError(f"action must be in 0..{len(self.engine_actions) - 1}, got {action!r}")
        self.steps += 1
        engine_action = self.engine_actions[index]
        world = self.world
        if engine_action is None:
            note = self.use_tool(index)
            valid, terminated, won, unchanged = True, False, False, True
        else:
            event = interact(world, engine_action)
            note = "You turn left." if engine_action == Action.LEFT else EVENT_PHRASES[event]
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
                                                    "command": self._commands[index]}

    def _observe(self, note: str, view: View | None = None) -> dict[str, Any]:
        """The observation; ``view`` is the current view when the world did not change."""
        if view is None:
            view = self.view = self.look()
            self.after_step(view)
        text = self.describe(view)
        return {
            "text": sanitize(f"{note}\n{text}" if note else text, self.text_length),
            "image": view_image(view),
            "direction": int(self.world.agent_dir),
            "mission": self.mission,
        }

    # ---- rendering ----------------------------------------------------------------

    def render_frame(self) -> np.ndarray:
        if self._renderer is None:
            from agentic_gym.envs.grid.render import GridRenderer

            self._renderer = GridRenderer(self.tile_size)
        return self._renderer.frame(self.world, visible_mask(self.world, self.view))

    def render_text(self) -> str:
        return ansi_map(self.world, visible_mask(self.world, self.view), self.mission)
