"""GridDecoyKeyDoor: two look-alike keys, one a decoy that jams the lock; learn which across trials."""

from __future__ import annotations

import re
from typing import Any

from agentic_gym.core import RENDER_MODES
from agentic_gym.envs.grid.describe import COLOUR_NAMES
from agentic_gym.envs.grid.engine import Action, Event, State, Tile, World, distance_map, step_towards
from agentic_gym.envs.grid.keydoor import GridKeyDoor
from agentic_gym.envs.grid.knobs import GridDecoyKeyDoorKnobs, GridKeyDoorKnobs

#: The two keys, by where they lie at the start: the names of the hidden rule.
NEARER, FARTHER = "nearer", "farther"
_PLACE = {NEARER: "nearer to", FARTHER: "farther from"}
_LESSON = re.compile(r"The key that lay (nearer to|farther from) the door was a decoy\.")


class GridDecoyKeyDoor(GridKeyDoor):
    """GridKeyDoor with two keys of the door's colour that look the same: one fits, one is a decoy.

    ## Description
    The room of :class:`~agentic_gym.envs.grid.keydoor.GridKeyDoor` with a second key
    of the door's colour in the left part. The two keys are drawn, described and
    encoded alike; which of them fits is a per-seed secret: the key that lay *nearer*
    the door at the start (fewer steps along rows and columns; ties go to the one
    further north, then west) or the one *farther* from it. Putting the decoy to the
    lock (``toggle`` at the locked door while carrying it) jams the door for good: the
    agent is told ``The key snaps in the lock. The key that lay nearer to the door
    was a decoy.`` (or ``farther from``), may still take notes, and its next action ends the
    episode as a failure.

    ## What there is to learn
    Which of the two keys fits, for this seed. Nothing in any observation tells the
    keys apart, and a wrong try ends the attempt, so one episode can find it out only
    by luck (a first attempt succeeds half the time); an agent that keeps the lesson
    in its notes across :class:`~agentic_gym.wrappers.trials.Trials` of the same seed
    succeeds on every later trial.

    ## Action Space, Observation Space, Rewards, Arguments
    As :class:`~agentic_gym.envs.grid.keydoor.GridKeyDoor`, with ``size`` from 6 to 64
    (rooms are drawn until the second key can lie where it blocks no way).

    ## Episode End
    Terminates on the goal (success) or on the first action after the lock jammed
    (failure); truncates after ``max_steps`` steps.

    ## Difficulty
    Knobs (``difficulty_knobs()``, reset ``info["difficulty"]``): ``size``, ``max_steps``,
    ``view_size`` (as GridKeyDoor), plus the registered ``max_episode_steps``. Tiers
    ``-Trivial`` to ``-Expert``: sizes 6, 7, 8, 12, 16 (oracle 12.0, 13.3, 14.8, 25.0,
    34.2 steps on seeds 0-5; the rule is the same in every tier, the room to cross grows).

    ## Registered Configurations
    ``agentic_gym/GridDecoyKeyDoor-6x6-v0``, ``agentic_gym/GridDecoyKeyDoor-8x8-v0``, and
    the tiers ``agentic_gym/GridDecoyKeyDoor-Trivial-v0`` .. ``-Expert-v0``.

    ## Prompt Format
    The GridKeyDoor text; the mission says that one of the two keys is a decoy.

    ## Action Grammar
    As GridKeyDoor.

    ## Version History
    * v0: initial version.

    Example:
        >>> env = GridDecoyKeyDoor(size=6)
        >>> obs, info = env.reset(seed=1)
        >>> while not info["success"]:
        ...     obs, reward, terminated, truncated, info = env.step(env.oracle_action())
        >>> terminated
        True
    """

    metadata: dict[str, Any] = {
        "render_modes": RENDER_MODES,
        "render_fps": 10,
        "capabilities": ("planning", "memory", "self_improve"),
    }

    #: The typed difficulty knobs: GridKeyDoor's with a room of at least 6x6.
    Knobs: type[GridKeyDoorKnobs] = GridDecoyKeyDoorKnobs

    def __init__(self, size: int = 8, **kwargs: Any):
        super().__init__(size, **kwargs)
        #: Which key fits (:data:`NEARER` or :data:`FARTHER`): the hidden rule.
        self.fits = NEARER
        #: Where each key lies now, by name (a carried key is in neither).
        self.keys: dict[str, tuple[int, int]] = {}
        self.held: str | None = None
        self.jammed = False

    def generate(self) -> tuple[World, str]:
        # Draw rooms until one has a cell for the second key that blocks no way to the
        # other key or to the door (a 2-wide left part always has one).
        while True:
            world, _ = super().generate()
            placed = self._place_second_key(world)
            if placed is not None:
                break
        near, far = placed
        self.keys = {NEARER: near, FARTHER: far}
        self.fits = NEARER if self.np_random.random() < 0.5 else FARTHER
        self.held = None
        self.jammed = False
        name = COLOUR_NAMES[int(world.grid[near[1], near[0], 1])]
        return world, (
            f"pick up the {name} key that fits, unlock the {name} door and reach the goal; "
            f"one of the two {name} keys is a decoy that jams the lock"
        )

    def _place_second_key(self, world: World) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """Put a second key of the first one's colour in the left part, at another distance
        from the door when the room allows, where it blocks nothing; the two keys'
        cells, nearer first, or None when no cell will do."""
        first = world.find(Tile.KEY)[0]
        dx, dy = self.door
        start = (world.agent_x, world.agent_y)
        room = [(x, y) for y in range(1, self.size - 1) for x in range(1, dx) if (x, y) not in (first, start)]

        def reach(cell: tuple[int, int]) -> int:
            return abs(cell[0] - dx) + abs(cell[1] - dy)

        apart = [c for c in room if reach(c) != reach(first)]
        candidates = apart + [c for c in room if c not in apart]
        colour = int(world.grid[first[1], first[0], 1])
        u = self.np_random.random()
        # Try the candidates from a drawn offset: the first that blocks nothing wins.
        offset = int(u * len(apart)) if apart else 0
        for i in range(len(candidates)):
            second = candidates[(offset + i) % len(candidates)]
            world.place(*second, Tile.KEY, colour)
            if all(distance_map(world, [cell])[start[1], start[0]] >= 0 for cell in (first, second, self.door)):
                near, far = sorted((first, second), key=lambda c: (reach(c), c[1], c[0]))
                return near, far
            world.place(*second, Tile.FLOOR)
        return None

    # ---- the rule -------------------------------------------------------------------

    def apply(self, action: Action) -> Event:
        world = self.world
        if self.jammed:
            return Event.WAITED
        front = world.front()
        if action == Action.TOGGLE and front == self.door and self.held is not None:
            if world.grid[front[1], front[0], 2] == State.LOCKED and self.held != self.fits:
                self.jammed = True
                return Event.NEED_KEY
        event = super().apply(action)
        if event == Event.PICKED_UP:
            self.held = next(name for name, cell in self.keys.items() if cell == front)
            del self.keys[self.held]
        elif event == Event.DROPPED and self.held is not None:
            self.keys[self.held] = front
            self.held = None
        return event

    def event_note(self, action: Action, event: Event) -> str:
        if self.jammed and event == Event.NEED_KEY:
            wrong = FARTHER if self.fits == NEARER else NEARER
            return f"The key snaps in the lock. The key that lay {_PLACE[wrong]} the door was a decoy."
        if self.jammed:
            return "The jammed door will never open: this attempt is over."
        return super().event_note(action, event)

    def resolve(self, event: Event) -> tuple[bool, bool]:
        if self.jammed and event == Event.WAITED:
            return True, False
        return super().resolve(event)

    # ---- solvers --------------------------------------------------------------------

    @staticmethod
    def read_lesson(text: str) -> str | None:
        """The lesson sentence in ``text`` (the env's word after a jam, or a note quoting
        it), or None: what a learner keeps in its notes. Reads only the text."""
        match = _LESSON.search(text)
        return match.group(0) if match else None

    def rule_blind_action(self, lesson: str | None) -> int:
        """The next action of a solver that knows the room but not which key fits: it takes
        the key the ``lesson`` (:meth:`read_lesson`) does not call a decoy, the nearer one
        without a lesson. Navigation is privileged; the rule is not."""
        match = _LESSON.search(lesson or "")
        decoy_is_nearer = match is not None and match.group(1) == _PLACE[NEARER]
        return self._solve(FARTHER if decoy_is_nearer else NEARER)

    def oracle_action(self) -> int:
        return self._solve(self.fits)

    def _solve(self, choice: str) -> int:
        """Take the key named ``choice``, unlock the door, reach the goal."""
        world = self.world
        dx, dy = self.door
        door_state = world.grid[dy, dx, 2]
        if self.jammed:
            return self.action_index(Action.DONE)
        if door_state == State.OPEN:
            move = step_towards(world, distance_map(world, world.find(Tile.GOAL)))
            return self.action_index(Action.DONE if move is None else move)
        if self.held is None:
            target = self.keys.get(choice) or next(iter(self.keys.values()))
            move = step_towards(world, distance_map(world, [target]), face=True)
            return self.action_index(Action.PICKUP if move is None else move)
        move = step_towards(world, distance_map(world, [self.door]), face=True)
        return self.action_index(Action.TOGGLE if move is None else move)
