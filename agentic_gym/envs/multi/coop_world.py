"""CoopKeyDoor rules: two agents in one grid world, a locked door, keys, words (no gymnasium, no pygame).

The layout (``size x size``): a wall three cells from the east edge splits the room;
its one locked door leads to a two-cell-wide strip holding the goal. The *scout*
(agent 0) starts at the west wall facing east with two keys in view: one of the
door's colour and one of another colour. The *keeper* (agent 1) starts right in
front of the door, facing it. Neither sees what the other sees; they talk through a
small vocabulary (:data:`VOCABULARY`). The task is won when both stand on the goal.

The one engine (:mod:`agentic_gym.envs.grid.engine`) applies every move: the world
holds one agent at a time, so each agent's position, facing and load are swapped in
before its move and out after it. Agents block each other everywhere but on the goal,
which both may share.

Example:
    >>> import numpy as np
    >>> world = CoopWorld.new(np.random.default_rng(0), size=8)
    >>> world.agents[1].x == world.door[0] - 1
    True
    >>> plan = [world.oracle_move(world.turn % 2) for _ in range(1)]
    >>> plan  # the keeper names the door's colour first; the scout waits for it
    [Move(action=<Action.DONE: 6>, word=None)]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from agentic_gym.envs.grid.describe import COLOUR_NAMES
from agentic_gym.envs.grid.engine import (
    DIR_VEC,
    Action,
    Colour,
    Direction,
    Event,
    State,
    Tile,
    View,
    World,
    distance_map,
    interact,
    step_towards,
    visible_cells,
)

#: Key and door colours (the engine's first five colours).
KEY_COLOURS: tuple[int, ...] = (Colour.RED, Colour.GREEN, Colour.BLUE, Colour.PURPLE, Colour.YELLOW)
#: The words agents can say: the key colours, then a few plans.
VOCABULARY: tuple[str, ...] = (*(COLOUR_NAMES[c] for c in KEY_COLOURS), "key", "door", "open", "goal", "come",
                               "wait", "yes", "no")
_NOTHING = (int(Tile.UNSEEN), 0)
MIN_SIZE, MAX_SIZE = 8, 20


@dataclass
class Body:
    """One agent's place in the world: position, facing and what it carries."""

    x: int
    y: int
    direction: int
    carrying: tuple[int, int] = _NOTHING
    carried_content: tuple[int, int] = _NOTHING


@dataclass(frozen=True)
class Move:
    """What an agent does on its turn: an engine action, or a word said (``action`` is then ``None``)."""

    action: Action | None
    word: str | None = None


@dataclass
class CoopWorld:
    """The state of one CoopKeyDoor episode (see the module docstring)."""

    world: World
    agents: list[Body]
    door: tuple[int, int]
    goal: tuple[int, int]
    colour: int
    turn: int = 0
    heard: list[list[tuple[int, str]]] = field(default_factory=lambda: [[], []])
    said: list[bool] = field(default_factory=lambda: [False, False])
    won: bool = False

    @classmethod
    def new(cls, rng: np.random.Generator, size: int = 8) -> CoopWorld:
        """A random layout of side ``size`` (``MIN_SIZE..MAX_SIZE``)."""
        if isinstance(size, bool) or not isinstance(size, int) or not MIN_SIZE <= size <= MAX_SIZE:
            raise ValueError(f"size must be an integer in {MIN_SIZE}..{MAX_SIZE}, got {size!r}")
        u = rng.random(8).tolist()
        world = World.empty(size, size)
        split = size - 3
        door_y = 1 + int(u[0] * (size - 2))
        colour_index = int(u[1] * len(KEY_COLOURS))
        colour = KEY_COLOURS[colour_index]
        decoy = KEY_COLOURS[(colour_index + 1 + int(u[2] * (len(KEY_COLOURS) - 1))) % len(KEY_COLOURS)]
        world.grid[1:-1, split, 0] = Tile.WALL
        world.place(split, door_y, Tile.DOOR, colour, State.LOCKED)
        goal = (size - 2, 1 + int(u[3] * (size - 2)))
        world.place(*goal, Tile.GOAL, Colour.GREEN)
        scout_y = 1 + int(u[4] * (size - 2))
        # The keys lie within two rows of the scout, in its column or the next: always in view.
        cells = [(x, y) for x in (1, 2) for y in range(max(1, scout_y - 2), min(size - 2, scout_y + 2) + 1)
                 if (x, y) != (1, scout_y)]
        first = int(u[5] * len(cells))
        second = int(u[6] * (len(cells) - 1))
        second += second >= first
        order = (cells[first], cells[second]) if u[7] < 0.5 else (cells[second], cells[first])
        world.place(*order[0], Tile.KEY, colour)
        world.place(*order[1], Tile.KEY, decoy)
        agents = [Body(1, scout_y, Direction.EAST), Body(split - 1, door_y, Direction.EAST)]
        return cls(world, agents, (split, door_y), goal, int(colour))

    # ---- the two bodies in the one-agent engine ----------------------------------------

    def enter(self, agent: int) -> World:
        """The world with ``agent`` as its agent (call :meth:`leave` after changing it)."""
        body, world = self.agents[agent], self.world
        world.agent_x, world.agent_y, world.agent_dir = body.x, body.y, body.direction
        world.carrying, world.carried_content = body.carrying, body.carried_content
        return world

    def leave(self, agent: int) -> None:
        """Store the world's agent back into ``agent``'s body."""
        body, world = self.agents[agent], self.world
        body.x, body.y, body.direction = world.agent_x, world.agent_y, world.agent_dir
        body.carrying, body.carried_content = world.carrying, world.carried_content

    def view(self, agent: int, size: int = 7) -> View:
        """What ``agent`` sees now (the engine's one visibility function)."""
        return visible_cells(self.enter(agent), size)

    def at_goal(self, agent: int) -> bool:
        body = self.agents[agent]
        return (body.x, body.y) == self.goal

    @property
    def door_open(self) -> bool:
        return bool(self.world.grid[self.door[1], self.door[0], 2] == State.OPEN)

    # ---- moves ------------------------------------------------------------------------

    def act(self, agent: int, action: Action) -> Event:
        """Apply an engine action for ``agent``; the partner blocks moves into or drops onto its cell."""
        world = self.enter(agent)
        partner = self.agents[1 - agent]
        fx, fy = world.front()
        into_partner = (fx, fy) == (partner.x, partner.y) and (fx, fy) != self.goal
        if into_partner and action in (Action.FORWARD, Action.DROP):
            event = Event.BLOCKED if action == Action.FORWARD else Event.CANNOT_DROP
        else:
            event = interact(world, action)
        self.leave(agent)
        self._end_turn()
        return event

    def say(self, agent: int, word: str) -> None:
        """``agent`` says ``word`` (one of :data:`VOCABULARY`) to its partner."""
        if word not in VOCABULARY:
            raise ValueError(f"unknown word {word!r}; known: {', '.join(VOCABULARY)}")
        self.heard[1 - agent].append((self.turn, word))
        self.said[agent] = True
        self._end_turn()

    def pass_turn(self) -> None:
        """Spend the mover's turn without changing the world (an invalid action)."""
        self._end_turn()

    def _end_turn(self) -> None:
        self.turn += 1
        if self.at_goal(0) and self.at_goal(1):
            self.won = True

    # ---- the scripted cooperative plan ------------------------------------------------

    def _route(self, agent: int, targets: list[tuple[int, int]], face: bool) -> Action | None:
        """The next move towards ``targets`` with the partner's cell as a wall (None: arrived or stuck)."""
        world = self.enter(agent)
        partner = self.agents[1 - agent]
        cell = world.grid[partner.y, partner.x].copy()
        if (partner.x, partner.y) != self.goal:
            world.grid[partner.y, partner.x, 0] = Tile.WALL
        try:
            dist = distance_map(world, targets)
            return step_towards(world, dist, face=face)
        finally:
            world.grid[partner.y, partner.x] = cell

    def _blocked(self, agent: int, move: Action | None) -> bool:
        if move != Action.FORWARD:
            return False
        body, partner = self.agents[agent], self.agents[1 - agent]
        dx, dy = DIR_VEC[body.direction]
        return (body.x + dx, body.y + dy) == (partner.x, partner.y) and (partner.x, partner.y) != self.goal

    def oracle_move(self, agent: int) -> Move:
        """The plan: the keeper names the door's colour and steps aside; the scout, told the colour,
        fetches that key and unlocks the door; then both walk to the goal and wait there."""
        if self.door_open:
            if self.at_goal(agent):
                return Move(Action.DONE)
            move = self._route(agent, [self.goal], face=False)
            if move is None or self._blocked(agent, move):
                return Move(Action.DONE)
            return Move(move)
        if agent == 1:
            if not self.said[1]:
                return Move(None, COLOUR_NAMES[self.colour])
            parking = (self.door[0] - 1, self.door[1] - 1 if self.door[1] > 1 else self.door[1] + 1)
            move = self._route(1, [parking], face=False)
            return Move(Action.DONE if move is None or self._blocked(1, move) else move)
        named = [word for _, word in self.heard[0] if word in COLOUR_NAMES[: len(Colour) - 1]]
        if not named:
            return Move(Action.DONE)
        colour = COLOUR_NAMES.index(named[-1])
        body = self.agents[0]
        if body.carrying == (Tile.KEY, colour):
            target, final = [self.door], Action.TOGGLE
        elif body.carrying != _NOTHING:
            return Move(Action.DROP)
        else:
            target, final = self.world.find(Tile.KEY, Colour(colour)), Action.PICKUP
        move = self._route(0, target, face=True)
        if move is None:
            return Move(final)
        return Move(Action.DONE if self._blocked(0, move) else move)
