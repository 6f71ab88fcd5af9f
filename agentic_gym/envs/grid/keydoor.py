"""GridKeyDoor: find the key, unlock the door, reach the goal behind it."""

from __future__ import annotations

from typing import Any

from agentic_gym.core import RENDER_MODES
from agentic_gym.envs.grid.base import (
    DONE,
    DROP,
    FORWARD,
    PICKUP,
    TOGGLE,
    TURN_LEFT,
    TURN_RIGHT,
    GridEnv,
)
from agentic_gym.envs.grid.describe import COLOUR_NAMES
from agentic_gym.envs.grid.engine import Action, Colour, State, Tile, World, distance_map, step_towards
from agentic_gym.envs.grid.knobs import GridKeyDoorKnobs

#: The colours a key and its door may have.
KEY_COLOURS: tuple[Colour, ...] = (Colour.RED, Colour.GREEN, Colour.BLUE, Colour.PURPLE, Colour.YELLOW)


class GridKeyDoor(GridEnv):
    """Find the key, unlock the door of its colour, and reach the goal behind it.

    ## Description
    A square room is split in two by a wall with one locked door. The agent starts
    in the left part, where a key of the door's colour lies; the goal square is in
    the far corner of the right part. The agent sees a 7x7 egocentric view that walls
    and closed doors occlude, and is told in words what it sees.

    ## Action Space
    ``Discrete(7)``; action ``i`` is ``affordances[i]``.

    | index | command | effect |
    |---|---|---|
    | 0 | left | turn left |
    | 1 | right | turn right |
    | 2 | forward | move one cell forward |
    | 3 | pickup | pick up the object in front |
    | 4 | drop | drop the carried object in front |
    | 5 | toggle | open, close or unlock (with the matching key) the door in front |
    | 6 | done | do nothing |

    ## Observation Space
    ``Dict(text=Text, image=Box(0, 255, (7, 7, 3), uint8), direction=Discrete(4),
    mission=Text)``: the view in words, the egocentric ``[tile, colour, state]`` image
    (zeros where hidden), the facing (0 east, 1 south, 2 west, 3 north) and the mission.

    ## Rewards
    ``1 - 0.9 * steps / max_steps`` on reaching the goal, 0 otherwise.

    ## Episode End
    Terminates when the agent steps onto the goal (``info["success"]`` True).
    Truncates after ``max_steps`` steps.

    ## Arguments
    ``size`` (side of the square room, 5 to 64), ``max_steps`` (default ``10 * size**2``),
    ``view_size`` (odd, 1 to 11, default 7), ``render_mode``, ``tile_size`` (pixels, 4 to
    256, default 32), ``obs_mode`` (``"both"``, ``"text"`` or ``"image"``: see
    :mod:`agentic_gym.envs.grid.base`).

    ## Difficulty
    Knobs (``difficulty_knobs()``, reset ``info["difficulty"]``): ``size``, ``max_steps``,
    ``view_size``, plus the registered ``max_episode_steps``. Tiers ``-Trivial`` to ``-Expert``: sizes 5, 6, 8, 12, 20.

    ## Registered Configurations
    ``agentic_gym/GridKeyDoor-6x6-v0``, ``agentic_gym/GridKeyDoor-8x8-v0``,
    ``agentic_gym/GridKeyDoor-16x16-v0``.

    ## Prompt Format
    ``obs["text"]`` first says what the last action did, then: ``You face east. You
    can walk 2 steps ahead, then a wall. To your left is floor; to your right is a
    wall.``, one line per visible object (``A locked yellow door is 3 steps ahead and
    1 to the right.``) and ``You carry nothing.``. ``obs["mission"]`` names the task.

    ## Action Grammar
    One command name with no arguments: ``left``, ``right``, ``forward``, ``pickup``,
    ``drop``, ``toggle`` or ``done``.

    ## Version History
    * v0: initial version.

    Example:
        >>> env = GridKeyDoor(size=6)
        >>> obs, info = env.reset(seed=3)
        >>> while not info["success"]:
        ...     obs, reward, terminated, truncated, info = env.step(env.oracle_action())
        >>> terminated, 0 < reward <= 1
        (True, True)
    """

    metadata: dict[str, Any] = {
        "render_modes": RENDER_MODES,
        "render_fps": 10,
        "capabilities": ("planning",),
    }
    affordances = (TURN_LEFT, TURN_RIGHT, FORWARD, PICKUP, DROP, TOGGLE, DONE)
    can_carry = True
    engine_actions = (
        Action.LEFT,
        Action.RIGHT,
        Action.FORWARD,
        Action.PICKUP,
        Action.DROP,
        Action.TOGGLE,
        Action.DONE,
    )

    #: The record type of the typed difficulty knobs (``self.knobs``).
    Knobs: type[GridKeyDoorKnobs] = GridKeyDoorKnobs

    def __init__(
        self,
        size: int = 8,
        max_steps: int | None = None,
        view_size: int = 7,
        render_mode: str | None = None,
        tile_size: int = 32,
        obs_mode: str = "both",
    ):
        #: The typed difficulty knobs (the one place their ranges are stated).
        self.knobs = self.Knobs.resolve(size, max_steps, view_size)
        size = self.knobs.size
        super().__init__(size, size, self.knobs.max_steps, self.knobs.view_size, render_mode, tile_size,
                         obs_mode=obs_mode)
        self.door = (0, 0)

    @property
    def size(self) -> int:
        """The ``size`` knob (``self.knobs.size``)."""
        return self.knobs.size

    def generate(self) -> tuple[World, str]:
        size = self.size
        # One draw of uniforms is much cheaper than one Generator call per choice.
        u = self.np_random.random(6).tolist()
        world = World.empty(size, size)
        split = 2 + int(u[0] * (size - 4))
        door_y = 1 + int(u[1] * (size - 2))
        colour = KEY_COLOURS[int(u[2] * len(KEY_COLOURS))]
        world.grid[1:-1, split, 0] = Tile.WALL
        world.place(split, door_y, Tile.DOOR, colour, State.LOCKED)
        world.place(size - 2, size - 2, Tile.GOAL, Colour.GREEN)
        room_w, room_h = split - 1, size - 2
        cells = room_w * room_h
        agent = int(u[3] * cells)
        key = int(u[4] * (cells - 1))
        key += key >= agent
        world.agent_x, world.agent_y = 1 + agent % room_w, 1 + agent // room_w
        world.agent_dir = int(u[5] * 4)
        world.place(1 + key % room_w, 1 + key // room_w, Tile.KEY, colour)
        self.door = (split, door_y)
        name = COLOUR_NAMES[colour]
        return world, f"pick up the {name} key, unlock the {name} door and reach the goal"

    def oracle_action(self) -> int:
        world = self.world
        dx, dy = self.door
        door_state = world.grid[dy, dx, 2]
        if door_state == State.OPEN:
            move = step_towards(world, distance_map(world, world.find(Tile.GOAL)))
            if move is None and world.carrying[0] != Tile.KEY:
                # A dropped key blocks the way: pick it up again.
                move = step_towards(world, distance_map(world, world.find(Tile.KEY)), face=True)
                return self.action_index(Action.PICKUP if move is None else move)
            return self.action_index(Action.DONE if move is None else move)
        if door_state == State.LOCKED and world.carrying[0] != Tile.KEY:
            move = step_towards(world, distance_map(world, world.find(Tile.KEY)), face=True)
            return self.action_index(Action.PICKUP if move is None else move)
        move = step_towards(world, distance_map(world, [self.door]), face=True)
        return self.action_index(Action.TOGGLE if move is None else move)
