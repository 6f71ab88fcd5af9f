"""The world of TextAdventure: a house of rooms, doors, keys, containers and a quest.

Pure game logic: this module imports neither gymnasium nor pygame. A :class:`House`
holds the true state; :func:`generate` builds one from a ``np.random.Generator``;
the house applies resolved commands (:meth:`House.apply`; :meth:`House.run` for the
pre-resolved :meth:`House.admissible` table of the commands that make sense now)
and :func:`oracle_command` plans the next command of a privileged solver. Reading
object phrases ("the red key", "coin from the chest") into things is language, not
rules: it lives in :mod:`agentic_gym.envs.text.adventure_phrases`.

What the agent perceives is decided in one place, :meth:`House.perceived`: the
things of the current room, the contents of its open containers and of its
supporters, and what the agent carries. The room description, the admissible
commands and reference resolution are all built from it.

Example:
    >>> import numpy as np
    >>> house = generate(np.random.default_rng(0), HOUSE_SIZES["3rooms"])
    >>> house.quest.startswith("Put the ")
    True
    >>> solvable(house)
    True
    >>> steps = 0
    >>> while not house.solved() and steps < 100:
    ...     message, valid = house.run(oracle_command(house))
    ...     steps += 1
    >>> house.solved()
    True
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

DIRECTIONS: tuple[str, ...] = ("north", "east", "south", "west")
_OPPOSITE = (2, 3, 0, 1)
_STEP = ((0, -1), (1, 0), (0, 1), (-1, 0))

#: Colours of locks and their keys: a red key opens a red lock.
COLOURS: tuple[str, ...] = ("red", "blue", "green", "yellow", "purple", "orange", "white", "black")

ROOM_NAMES: tuple[str, ...] = (
    "kitchen", "hall", "bedroom", "study", "library", "bathroom", "pantry", "cellar", "attic",
    "garage", "dining room", "living room", "nursery", "workshop", "conservatory", "laundry room",
)

#: More room names, drawn from only by houses of more rooms than :data:`ROOM_NAMES` has (so
#: the houses of the smaller sizes are the same for every seed).
MORE_ROOM_NAMES: tuple[str, ...] = (
    "scullery", "gallery", "larder", "ballroom", "chapel", "armoury", "boot room", "sun room",
    "music room", "games room", "wine cellar", "box room",
)

DOOR_MATERIALS: tuple[str, ...] = ("wooden", "oak", "glass", "painted", "iron")


class Kind(IntEnum):
    """What a thing is; it decides which verbs apply."""

    ITEM = 0
    KEY = 1
    CONTAINER = 2
    SUPPORTER = 3
    DOOR = 4


class State(IntEnum):
    """Openness of a door or container (supporters and items are always OPEN)."""

    OPEN = 0
    CLOSED = 1
    LOCKED = 2


class Verb(IntEnum):
    """The verbs of the house, in the order of the env's affordances."""

    LOOK = 0
    INVENTORY = 1
    GO = 2
    TAKE = 3
    DROP = 4
    OPEN = 5
    CLOSE = 6
    UNLOCK = 7
    PUT = 8
    EXAMINE = 9


# Rules as data: (noun, adjectives, kind, lockable). Names are unique within a house.
FURNITURE: tuple[tuple[str, tuple[str, ...], Kind, bool], ...] = (
    ("chest", ("wooden", "iron", "old"), Kind.CONTAINER, True),
    ("drawer", ("small", "oak"), Kind.CONTAINER, True),
    ("cabinet", ("glass", "metal"), Kind.CONTAINER, True),
    ("wardrobe", ("tall", "pine"), Kind.CONTAINER, True),
    ("fridge", ("white", "steel"), Kind.CONTAINER, False),
    ("box", ("cardboard", "tin"), Kind.CONTAINER, False),
    ("table", ("oak", "round", "long"), Kind.SUPPORTER, False),
    ("shelf", ("dusty", "high", "narrow"), Kind.SUPPORTER, False),
    ("desk", ("writing", "mahogany"), Kind.SUPPORTER, False),
    ("bench", ("stone", "garden"), Kind.SUPPORTER, False),
    ("counter", ("marble", "tiled"), Kind.SUPPORTER, False),
)

ITEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("coin", ("silver", "gold", "copper")),
    ("book", ("old", "red", "thick")),
    ("apple", ("green", "red")),
    ("lamp", ("brass", "small")),
    ("cup", ("blue", "chipped")),
    ("letter", ("sealed", "torn")),
    ("ring", ("gold", "silver")),
    ("candle", ("white", "tall")),
    ("map", ("old", "folded")),
    ("spoon", ("silver", "wooden")),
    ("hat", ("straw", "black")),
)

BLURBS: dict[str, str] = {
    "coin": "It is worn smooth by many hands.",
    "book": "Its pages smell of dust.",
    "apple": "It looks fresh enough to eat.",
    "lamp": "It has not been lit for years.",
    "cup": "It would hold a little tea.",
    "letter": "The handwriting is hard to read.",
    "ring": "It is small and plain.",
    "candle": "Its wick is still white.",
    "map": "It shows a garden you do not know.",
    "spoon": "It is polished to a shine.",
    "hat": "It is a little too big for you.",
}


@dataclass(frozen=True)
class HouseSize:
    """Generation parameters of one variant."""

    rooms: int
    goals: int
    locks: int
    distractors: int
    decoy_keys: int
    max_furniture: int = 2


#: The registered variants: 1 room / 1 goal, 3 rooms / 1 goal, 6 rooms / 3 goals, 12 rooms / 6 goals,
#: 24 rooms / 8 goals.
HOUSE_SIZES: dict[str, HouseSize] = {
    "1room": HouseSize(rooms=1, goals=1, locks=0, distractors=0, decoy_keys=0),
    "3rooms": HouseSize(rooms=3, goals=1, locks=1, distractors=2, decoy_keys=0),
    "6rooms": HouseSize(rooms=6, goals=3, locks=3, distractors=4, decoy_keys=1),
    "12rooms": HouseSize(rooms=12, goals=6, locks=6, distractors=8, decoy_keys=2),
    # One piece of furniture per room: the house uses 24 of the 25 pieces there are; the
    # eight lock colours all go to locks, so the chain of keys is eight deep at most.
    "24rooms": HouseSize(rooms=24, goals=8, locks=8, distractors=12, decoy_keys=0, max_furniture=1),
}



def article(name: str) -> str:
    """``a`` or ``an`` for ``name``."""
    return "an" if name[0] in "aeiou" else "a"


def join_names(names: list[str]) -> str:
    """``a, b and c``."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


class Thing:
    """A passive object of the house: item, key, container, supporter or door.

    ``room`` is the room it stands in (``-1`` when carried; doors join two rooms and
    use ``sides``), ``inside`` the container or supporter holding it (``-1`` if none),
    ``contents`` what a container or supporter holds, ``lock`` the colour of its lock
    (``""`` for none).
    """

    __slots__ = ("id", "kind", "noun", "adjective", "name", "a_name", "words", "state", "lock", "room",
                 "inside", "contents", "sides")

    def __init__(self, thing_id: int, kind: Kind, noun: str, adjective: str):
        self.id = thing_id
        self.kind = kind
        self.noun = noun
        self.adjective = adjective
        self.name = f"{adjective} {noun}"
        self.a_name = f"{article(adjective)} {self.name}"
        self.words = frozenset((adjective, noun))
        self.state = State.OPEN
        self.lock = ""
        self.room = -1
        self.inside = -1
        self.contents: list[int] = []
        # Doors: ((room, direction), (room, direction)).
        self.sides: tuple[tuple[int, int], ...] = ()

    def __getstate__(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state: dict) -> None:
        for key, value in state.items():
            setattr(self, key, value)

    @property
    def portable(self) -> bool:
        return self.kind <= Kind.KEY

    @property
    def openable(self) -> bool:
        return self.kind == Kind.CONTAINER or self.kind == Kind.DOOR


class Room:
    """A room: its name, its four exits (door ids or ``-1``), furniture and floor."""

    __slots__ = ("id", "name", "words", "exits", "furniture", "floor", "position")

    def __init__(self, room_id: int, name: str, position: tuple[int, int]):
        self.id = room_id
        self.name = name
        self.words = frozenset(name.split())
        self.exits = [-1, -1, -1, -1]
        self.furniture: list[int] = []
        self.floor: list[int] = []
        self.position = position

    def __getstate__(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state: dict) -> None:
        for key, value in state.items():
            setattr(self, key, value)


class ResolveError(Exception):
    """A reference that names nothing the agent perceives, or more than one thing."""


class House:
    """The true state of one episode, and the rules that change it."""

    def __init__(self, rooms: list[Room], things: list[Thing], goals: list[tuple[int, int]], start: int):
        self.rooms = rooms
        self.things = things
        self.goals = goals
        self.player = start
        self.inventory: list[int] = []
        self.version = 0
        self.quest = _quest_text(self)
        # Lazily built per version: the room description and the admissible command table.
        self._view_version = -1
        self._view = ""
        self._table: dict[str, tuple[int, int, int]] = {}

    # ---- perception ---------------------------------------------------------------------------

    def perceived(self) -> list[Thing]:
        """Everything the agent perceives now: the one visibility function of the house."""
        things = self.things
        room = self.rooms[self.player]
        seen = [things[d] for d in room.exits if d >= 0]
        for fid in room.furniture:
            holder = things[fid]
            seen.append(holder)
            if holder.state == State.OPEN:
                seen.extend(things[i] for i in holder.contents)
        seen.extend(things[i] for i in room.floor)
        seen.extend(things[i] for i in self.inventory)
        return seen

    def door_label(self, door: Thing) -> str:
        """How a door reads from the current room: ``north door``."""
        for room, direction in door.sides:
            if room == self.player:
                return f"{DIRECTIONS[direction]} door"
        return door.name

    def label(self, thing: Thing) -> str:
        """The reference the house itself uses for ``thing`` in commands."""
        return self.door_label(thing) if thing.kind == Kind.DOOR else thing.name

    def view(self) -> tuple[str, dict[str, tuple[int, int, int]]]:
        """The current room's description and its admissible command table (cached per version)."""
        if self._view_version != self.version:
            self._view = self._describe()
            self._table = self._admissible_table()
            self._view_version = self.version
        return self._view, self._table

    def admissible(self) -> list[str]:
        """Commands that make sense now, built only from what the agent perceives."""
        return list(self.view()[1])

    def _describe(self) -> str:
        things = self.things
        room = self.rooms[self.player]
        lines = [f"-= {room.name.title()} =-"]
        furniture = [things[i] for i in room.furniture]
        if furniture:
            lines.append("You see " + join_names([t.a_name + _state_note(t) for t in furniture]) + ".")
        for holder in furniture:
            if holder.state != State.OPEN:
                continue
            inside = [things[i].a_name for i in holder.contents]
            prep = "In" if holder.kind == Kind.CONTAINER else "On"
            lines.append(f"{prep} the {holder.name}: {join_names(inside) if inside else 'nothing'}.")
        if room.floor:
            lines.append("On the floor: " + join_names([things[i].a_name for i in room.floor]) + ".")
        exits = []
        for direction, door_id in enumerate(room.exits):
            if door_id >= 0:
                door = things[door_id]
                exits.append(f"{DIRECTIONS[direction]} ({_STATE_WORD[door.state]} {door.name})")
        lines.append("Exits: " + ", ".join(exits) + ".")
        if self.inventory:
            # Carried things are perceived (and named by admissible commands), so the view shows them.
            lines.append("You carry " + join_names([things[i].a_name for i in self.inventory]) + ".")
        return "\n".join(lines)

    def _admissible_table(self) -> dict[str, tuple[int, int, int]]:
        # Insertion order is the order of the admissible list: fixed verbs, then per thing.
        things = self.things
        room = self.rooms[self.player]
        table: dict[str, tuple[int, int, int]] = {"look": (Verb.LOOK, -1, -1), "inventory": (Verb.INVENTORY, -1, -1)}
        keys = [things[i] for i in self.inventory if things[i].kind == Kind.KEY]
        receptacles = []
        for direction, door_id in enumerate(room.exits):
            if door_id < 0:
                continue
            door = things[door_id]
            label = f"{DIRECTIONS[direction]} door"
            if door.state == State.OPEN:
                table["go " + DIRECTIONS[direction]] = (Verb.GO, direction, -1)
                table["close " + label] = (Verb.CLOSE, door_id, -1)
            elif door.state == State.CLOSED:
                table["open " + label] = (Verb.OPEN, door_id, -1)
            else:
                for key in keys:
                    if key.adjective == door.lock:
                        table[f"unlock {label} with {key.name}"] = (Verb.UNLOCK, door_id, key.id)
            table["examine " + label] = (Verb.EXAMINE, door_id, -1)
        for fid in room.furniture:
            holder = things[fid]
            if holder.state == State.OPEN:
                receptacles.append(holder)
                for item_id in holder.contents:
                    table["take " + things[item_id].name] = (Verb.TAKE, item_id, -1)
                if holder.kind == Kind.CONTAINER:
                    table["close " + holder.name] = (Verb.CLOSE, fid, -1)
            elif holder.state == State.CLOSED:
                table["open " + holder.name] = (Verb.OPEN, fid, -1)
            else:
                for key in keys:
                    if key.adjective == holder.lock:
                        table[f"unlock {holder.name} with {key.name}"] = (Verb.UNLOCK, fid, key.id)
            table["examine " + holder.name] = (Verb.EXAMINE, fid, -1)
        for item_id in room.floor:
            table["take " + things[item_id].name] = (Verb.TAKE, item_id, -1)
        for item_id in self.inventory:
            item = things[item_id]
            table["drop " + item.name] = (Verb.DROP, item_id, -1)
            for holder in receptacles:
                prep = "in" if holder.kind == Kind.CONTAINER else "on"
                table[f"put {item.name} {prep} {holder.name}"] = (Verb.PUT, item_id, holder.id)
        for fid in room.furniture:
            holder = things[fid]
            if holder.state == State.OPEN:
                for item_id in holder.contents:
                    table["examine " + things[item_id].name] = (Verb.EXAMINE, item_id, -1)
        for item_id in room.floor:
            table["examine " + things[item_id].name] = (Verb.EXAMINE, item_id, -1)
        for item_id in self.inventory:
            table["examine " + things[item_id].name] = (Verb.EXAMINE, item_id, -1)
        return table

    # ---- commands -------------------------------------------------------------------------------

    def run(self, text: str) -> tuple[str, bool]:
        """Carry out an admissible command text (the fast path); anything else is refused."""
        entry = self.view()[1].get(text)
        if entry is None:
            return f"That does not make sense here: {text[:40]}", False
        return self.apply(*entry), True

    def apply(self, verb: int, a: int, b: int) -> str:
        """Carry out a resolved command and return what happened."""
        return _HANDLERS[verb](self, a, b)

    # ---- goals ----------------------------------------------------------------------------------

    def goals_met(self) -> list[bool]:
        """For each goal, whether its object is now in or on its target."""
        return [self.things[item].inside == target for item, target in self.goals]

    def solved(self) -> bool:
        """True when every goal holds."""
        things = self.things
        return all(things[item].inside == target for item, target in self.goals)

    def key_for(self, thing: Thing) -> Thing:
        """The key whose colour matches ``thing``'s lock."""
        for other in self.things:
            if other.kind == Kind.KEY and other.adjective == thing.lock:
                return other
        raise LookupError(f"no key for the {thing.name}")

    def inventory_text(self) -> str:
        if not self.inventory:
            return "You are carrying nothing."
        return "You are carrying " + join_names([self.things[i].a_name for i in self.inventory]) + "."


_STATE_WORD = ("open", "closed", "locked")


def _state_note(thing: Thing) -> str:
    if thing.kind != Kind.CONTAINER:
        return ""
    if thing.state == State.LOCKED:
        return f" (locked, {thing.lock} lock)"
    return " (open)" if thing.state == State.OPEN else " (closed)"


# ---- verb handlers: module functions so that a House holds no callables -----------------------


def _look(house: House, a: int, b: int) -> str:
    return f"You look around. Quest: {house.quest}"


def _inventory(house: House, a: int, b: int) -> str:
    return house.inventory_text()


def _go(house: House, direction: int, b: int) -> str:
    name = DIRECTIONS[direction]
    door_id = house.rooms[house.player].exits[direction]
    if door_id < 0:
        return f"You cannot go {name} from here."
    door = house.things[door_id]
    if door.state != State.OPEN:
        return f"The {door.name} to the {name} is {_STATE_WORD[door.state]}."
    for room, _ in door.sides:
        if room != house.player:
            house.player = room
            break
    house.version += 1
    return f"You go {name} into the {house.rooms[house.player].name}."


def _detach(house: House, item: Thing) -> None:
    if item.inside >= 0:
        house.things[item.inside].contents.remove(item.id)
    elif item.room >= 0:
        house.rooms[item.room].floor.remove(item.id)
    else:
        house.inventory.remove(item.id)
    item.inside = -1
    item.room = -1


def _take(house: House, item_id: int, b: int) -> str:
    item = house.things[item_id]
    if not item.portable:
        if item.kind == Kind.DOOR:
            return "Doors stay where they are."
        return f"The {item.name} is too heavy to carry."
    if item.room < 0 and item.inside < 0:
        return f"You already have the {item.name}."
    _detach(house, item)
    house.inventory.append(item_id)
    house.version += 1
    return f"You take the {item.name}."


def _drop(house: House, item_id: int, b: int) -> str:
    item = house.things[item_id]
    if item_id not in house.inventory:
        return f"You are not carrying the {house.label(item)}."
    _detach(house, item)
    item.room = house.player
    house.rooms[house.player].floor.append(item_id)
    house.version += 1
    return f"You drop the {item.name}."


def _open(house: House, thing_id: int, b: int) -> str:
    thing = house.things[thing_id]
    label = house.label(thing)
    if not thing.openable:
        return f"The {label} cannot be opened."
    if thing.state == State.OPEN:
        return f"The {label} is already open."
    if thing.state == State.LOCKED:
        return f"The {label} is locked. It has a {thing.lock} lock."
    thing.state = State.OPEN
    house.version += 1
    if thing.kind == Kind.DOOR:
        return f"You open the {label}."
    inside = [house.things[i].a_name for i in thing.contents]
    return f"You open the {label}. " + (f"Inside: {join_names(inside)}." if inside else "It is empty.")


def _close(house: House, thing_id: int, b: int) -> str:
    thing = house.things[thing_id]
    label = house.label(thing)
    if not thing.openable:
        return f"The {label} cannot be closed."
    if thing.state != State.OPEN:
        return f"The {label} is already closed."
    thing.state = State.CLOSED
    house.version += 1
    return f"You close the {label}."


def _unlock(house: House, thing_id: int, key_id: int) -> str:
    thing = house.things[thing_id]
    key = house.things[key_id]
    label = house.label(thing)
    if not thing.lock:
        return f"The {label} has no lock."
    if thing.state != State.LOCKED:
        return f"The {label} is not locked."
    if key.kind != Kind.KEY:
        return f"The {house.label(key)} is not a key."
    if key_id not in house.inventory:
        return f"You need to hold the {key.name} first."
    if key.adjective != thing.lock:
        return f"The {key.name} does not fit the {thing.lock} lock."
    thing.state = State.CLOSED
    house.version += 1
    return f"You unlock the {label} with the {key.name}."


def _put(house: House, item_id: int, holder_id: int) -> str:
    item = house.things[item_id]
    holder = house.things[holder_id]
    if item_id not in house.inventory:
        return f"You are not carrying the {house.label(item)}."
    if holder.kind not in (Kind.CONTAINER, Kind.SUPPORTER):
        return f"You cannot put things in or on the {house.label(holder)}."
    if holder.state != State.OPEN:
        return f"The {holder.name} is {_STATE_WORD[holder.state]}."
    _detach(house, item)
    item.inside = holder_id
    item.room = holder.room
    holder.contents.append(item_id)
    house.version += 1
    prep = "in" if holder.kind == Kind.CONTAINER else "on"
    return f"You put the {item.name} {prep} the {holder.name}."


def _examine(house: House, thing_id: int, b: int) -> str:
    thing = house.things[thing_id]
    label = house.label(thing)
    kind = thing.kind
    if kind == Kind.ITEM:
        return f"The {label}. {BLURBS[thing.noun]}"
    if kind == Kind.KEY:
        return f"The {label}. It would fit a {thing.adjective} lock."
    lock = f" It has a {thing.lock} lock." if thing.lock else ""
    if kind == Kind.DOOR:
        return f"The {label} is {_STATE_WORD[thing.state]}.{lock}"
    if kind == Kind.SUPPORTER:
        on = [house.things[i].a_name for i in thing.contents]
        return f"The {label}. On it: {join_names(on) if on else 'nothing'}."
    if thing.state != State.OPEN:
        return f"The {label} is {_STATE_WORD[thing.state]}.{lock}"
    inside = [house.things[i].a_name for i in thing.contents]
    return f"The {label} is open.{lock} Inside: {join_names(inside) if inside else 'nothing'}."


_HANDLERS = (_look, _inventory, _go, _take, _drop, _open, _close, _unlock, _put, _examine)


# ---- generation ---------------------------------------------------------------------------------


class _Dice:
    """Uniform draws from a Generator, fetched in batches (one numpy call per 64 draws)."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.pool: list[float] = []

    def random(self) -> float:
        if not self.pool:
            self.pool = self.rng.random(64).tolist()
        return self.pool.pop()

    def below(self, n: int) -> int:
        return min(int(self.random() * n), n - 1)

    def choice(self, options: list):
        return options[self.below(len(options))]

    def take(self, options: list):
        """Remove and return a random element of ``options``."""
        return options.pop(self.below(len(options)))


def _quest_text(house: House) -> str:
    parts = []
    for item_id, target_id in house.goals:
        target = house.things[target_id]
        prep = "in" if target.kind == Kind.CONTAINER else "on"
        parts.append(f"put the {house.things[item_id].name} {prep} the {target.name} "
                     f"in the {house.rooms[target.room].name}")
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return text[0].upper() + text[1:] + "."


def generate(rng: np.random.Generator, size: HouseSize) -> House:
    """A random house whose quest is solvable.

    The layout is a random tree of rooms on a grid, one door per edge. The quest is
    built backwards from its solved state: each goal object starts in its target,
    then is moved out to a random place. Locks (doors and lockable containers) get a
    random order, and the key of the i-th lock is hidden where it can be reached
    through unlocked doors and the locks before it, so every key is reachable before
    the lock it opens. Nothing in the house can be locked again or destroyed, so no
    command can make the quest unsolvable.
    """
    dice = _Dice(rng)
    things: list[Thing] = []

    def new(kind: Kind, noun: str, adjective: str) -> Thing:
        thing = Thing(len(things), kind, noun, adjective)
        things.append(thing)
        return thing

    # Layout: grow a tree of rooms on the grid from the start room.
    names = list(ROOM_NAMES if size.rooms <= len(ROOM_NAMES) else ROOM_NAMES + MORE_ROOM_NAMES)
    rooms = [Room(0, dice.take(names), (0, 0))]
    taken = {(0, 0)}
    edges: list[Thing] = []
    materials = list(DOOR_MATERIALS)
    while len(rooms) < size.rooms:
        parent = dice.choice(rooms)
        direction = dice.below(4)
        dx, dy = _STEP[direction]
        spot = (parent.position[0] + dx, parent.position[1] + dy)
        if spot in taken:
            continue
        taken.add(spot)
        room = Room(len(rooms), dice.take(names), spot)
        rooms.append(room)
        door = new(Kind.DOOR, "door", dice.choice(materials))
        door.sides = ((parent.id, direction), (room.id, _OPPOSITE[direction]))
        door.room = -1
        door.state = State.OPEN if dice.random() < 0.5 else State.CLOSED
        parent.exits[direction] = door.id
        room.exits[_OPPOSITE[direction]] = door.id
        edges.append(door)

    # Furniture: 1..max_furniture pieces per room, names unique in the house.
    pieces = [(noun, adj, kind, lockable) for noun, adjs, kind, lockable in FURNITURE for adj in adjs]
    candidates = list(edges)
    for room in rooms:
        for _ in range(1 + dice.below(size.max_furniture)):
            noun, adj, kind, lockable = dice.take(pieces)
            holder = new(kind, noun, adj)
            holder.room = room.id
            if kind == Kind.CONTAINER:
                holder.state = State.CLOSED if dice.random() < 0.7 else State.OPEN
                if lockable:
                    candidates.append(holder)
            room.furniture.append(holder.id)
    receptacles = [t for t in things if t.kind in (Kind.CONTAINER, Kind.SUPPORTER)]

    # Locks: pick doors and lockable containers, give each a colour, order them randomly.
    colours = list(COLOURS)
    locks: list[Thing] = []
    for _ in range(min(size.locks, len(candidates))):
        thing = dice.take(candidates)
        thing.lock = dice.take(colours)
        thing.state = State.LOCKED
        if thing.kind == Kind.DOOR:
            thing.adjective = thing.lock
            thing.name = f"{thing.lock} door"
            thing.a_name = f"a {thing.name}"
            thing.words = frozenset((thing.lock, "door"))
        locks.append(thing)

    def reachable_places(blocked: set[int]) -> list[tuple[int, int]]:
        """(room, holder) places reachable when the things in ``blocked`` stay locked."""
        seen = {0}
        frontier = [0]
        while frontier:
            room = rooms[frontier.pop()]
            for door_id in room.exits:
                if door_id < 0 or door_id in blocked:
                    continue
                for other, _ in things[door_id].sides:
                    if other not in seen:
                        seen.add(other)
                        frontier.append(other)
        places = []
        for room_id in sorted(seen):
            places.append((room_id, -1))
            places.extend((room_id, f) for f in rooms[room_id].furniture if f not in blocked)
        return places

    def place(item: Thing, where: tuple[int, int]) -> None:
        room_id, holder_id = where
        item.room = room_id
        if holder_id >= 0:
            item.inside = holder_id
            things[holder_id].contents.append(item.id)
        else:
            rooms[room_id].floor.append(item.id)

    # Keys: the i-th lock's key goes where locks i.. are still shut.
    for i, lock in enumerate(locks):
        key = new(Kind.KEY, "key", lock.lock)
        place(key, dice.choice(reachable_places({t.id for t in locks[i:]})))
    everywhere = reachable_places(set())
    for _ in range(size.decoy_keys):
        if colours:
            place(new(Kind.KEY, "key", dice.take(colours)), dice.choice(everywhere))

    # Goals, from the solved state backwards: object in target, then moved out of it.
    item_pieces = [(noun, adj) for noun, adjs in ITEMS for adj in adjs]
    goals: list[tuple[int, int]] = []
    for _ in range(size.goals):
        noun, adj = dice.take(item_pieces)
        item = new(Kind.ITEM, noun, adj)
        target = dice.choice(receptacles)
        goals.append((item.id, target.id))
        away = [p for p in everywhere if p[1] != target.id]
        place(item, dice.choice(away))
    for _ in range(size.distractors):
        noun, adj = dice.take(item_pieces)
        place(new(Kind.ITEM, noun, adj), dice.choice(everywhere))
    return House(rooms, things, goals, start=0)


def solvable(house: House) -> bool:
    """Whether every goal can be reached from the current state (a reachability fixpoint).

    Collect every key the agent could reach, unlock what those keys open, repeat;
    the quest is solvable when every goal object and target is then reachable.
    """
    things = house.things
    keys_held = {things[i].adjective for i in house.inventory if things[i].kind == Kind.KEY}
    open_ids: set[int] = set()
    while True:
        rooms = {house.player}
        frontier = [house.player]
        while frontier:
            for door_id in house.rooms[frontier.pop()].exits:
                if door_id < 0:
                    continue
                door = things[door_id]
                if door.state == State.LOCKED and door.lock not in keys_held and door_id not in open_ids:
                    continue
                for other, _ in door.sides:
                    if other not in rooms:
                        rooms.add(other)
                        frontier.append(other)

        grown = False
        for thing in things:
            if thing.kind == Kind.KEY and thing.adjective not in keys_held and _within(house, thing, rooms, keys_held):
                keys_held.add(thing.adjective)
                grown = True
        if not grown:
            break
    for item_id, target_id in house.goals:
        target = things[target_id]
        if not _within(house, things[item_id], rooms, keys_held) or target.room not in rooms:
            return False
        if target.state == State.LOCKED and target.lock not in keys_held:
            return False
    return True


def _within(house: House, thing: Thing, rooms: set[int], keys: set[str]) -> bool:
    """Whether ``thing`` can be reached in ``rooms`` with locks of colours ``keys`` opened."""
    if thing.room < 0 and thing.inside < 0:
        return True
    if thing.inside >= 0:
        holder = house.things[thing.inside]
        if holder.state == State.LOCKED and holder.lock not in keys:
            return False
    return thing.room in rooms


# ---- the oracle ---------------------------------------------------------------------------------


def oracle_command(house: House) -> str:
    """The next command of a privileged planner that reads the true state.

    For the first unmet goal: fetch its object, bring it to the target, opening and
    unlocking on the way; a lock whose key is not held sends it to fetch that key
    first. Every decision depends only on the current state, so it also takes over
    mid-episode. It never drops anything, so held keys stay held.
    """
    for item_id, target_id in house.goals:
        if house.things[item_id].inside != target_id:
            return _deliver(house, house.things[item_id], house.things[target_id])
    return "look"


def _held(house: House, thing: Thing) -> bool:
    return thing.room < 0 and thing.inside < 0


def _deliver(house: House, item: Thing, target: Thing) -> str:
    if not _held(house, item):
        return _fetch(house, item)
    step = _reach_open(house, target)
    if step:
        return step
    prep = "in" if target.kind == Kind.CONTAINER else "on"
    return f"put {item.name} {prep} {target.name}"


def _fetch(house: House, thing: Thing) -> str:
    if thing.inside >= 0:
        step = _reach_open(house, house.things[thing.inside])
    else:
        step = _go_to(house, thing.room)
    return step or f"take {thing.name}"


def _reach_open(house: House, holder: Thing) -> str:
    """A command towards standing by ``holder`` with it open ("" once there)."""
    if holder.state == State.LOCKED:
        key = house.key_for(holder)
        if not _held(house, key):
            return _fetch(house, key)
    step = _go_to(house, holder.room)
    if step:
        return step
    if holder.state == State.LOCKED:
        return f"unlock {holder.name} with {house.key_for(holder).name}"
    if holder.state == State.CLOSED:
        return f"open {holder.name}"
    return ""


def _go_to(house: House, room_id: int) -> str:
    """A command towards ``room_id`` ("" once there); fetches missing keys first."""
    if house.player == room_id:
        return ""
    path = _path(house, house.player, room_id)
    for door in path:
        if door.state == State.LOCKED and not _held(house, house.key_for(door)):
            return _fetch(house, house.key_for(door))
    door = path[0]
    label = house.door_label(door)
    if door.state == State.LOCKED:
        return f"unlock {label} with {house.key_for(door).name}"
    if door.state == State.CLOSED:
        return f"open {label}"
    return "go " + label.split()[0]


def _path(house: House, start: int, goal: int) -> list[Thing]:
    """The doors on the way from ``start`` to ``goal`` (the layout is a tree)."""
    came: dict[int, tuple[int, int]] = {start: (-1, -1)}
    queue = deque([start])
    while queue:
        room = queue.popleft()
        if room == goal:
            break
        for door_id in house.rooms[room].exits:
            if door_id < 0:
                continue
            for other, _ in house.things[door_id].sides:
                if other not in came:
                    came[other] = (room, door_id)
                    queue.append(other)
    doors = []
    room = goal
    while room != start:
        room, door_id = came[room]
        doors.append(house.things[door_id])
    doors.reverse()
    return doors
