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
from collections.abc import Callable
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

#: The sizes of the hidden-rules houses (:func:`generate_hidden`): every one has a lock, and
#: decoy keys (of colours no lock here takes) where the agent finds them before any lock, so
#: a first lock offers a choice of keys. The 24-room house uses all eight colours on locks,
#: so its keys are the only choices.
HIDDEN_HOUSE_SIZES: dict[str, HouseSize] = {
    "1room": HouseSize(rooms=1, goals=1, locks=1, distractors=1, decoy_keys=2),
    "3rooms": HouseSize(rooms=3, goals=1, locks=1, distractors=2, decoy_keys=2),
    "6rooms": HouseSize(rooms=6, goals=3, locks=3, distractors=4, decoy_keys=2),
    "12rooms": HouseSize(rooms=12, goals=6, locks=6, distractors=8, decoy_keys=2),
    "24rooms": HOUSE_SIZES["24rooms"],
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
                    if self.may_fit(key, door):
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
                    if self.may_fit(key, holder):
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

    # ---- the key rule: which key opens which lock ------------------------------------------------

    def opener(self, lock: str) -> str:
        """The colour of the key that opens a lock of colour ``lock``: the one hook of the key
        rule, which the rules, the admissible table, the generator's solvability check and
        the oracle all read. Here a key opens the lock of its own colour;
        :class:`HiddenRulesHouse` draws another colour per seed."""
        return lock

    def fits(self, key: Thing, thing: Thing) -> bool:
        """Whether ``key`` opens ``thing``'s lock."""
        return key.adjective == self.opener(thing.lock)

    def may_fit(self, key: Thing, thing: Thing) -> bool:
        """Whether the agent can expect ``key`` to open ``thing`` from what it perceives (the
        admissible table lists these tries). The colours are in view and the rule is
        stated, so here it is :meth:`fits`."""
        return key.adjective == thing.lock

    def key_for(self, thing: Thing) -> Thing:
        """The key that opens ``thing``'s lock."""
        for other in self.things:
            if other.kind == Kind.KEY and self.fits(other, thing):
                return other
        raise LookupError(f"no key for the {thing.name}")

    def key_text(self, key: Thing) -> str:
        """What examining ``key`` says about the lock it opens."""
        return f"It would fit a {key.adjective} lock."

    def wrong_key(self, key: Thing, thing: Thing) -> str:
        """The outcome of trying ``key``, which does not open ``thing``."""
        return f"The {key.name} does not fit the {thing.lock} lock."

    def unlocked(self, key: Thing, thing: Thing, label: str) -> str:
        """The outcome of unlocking ``thing`` (read as ``label``) with ``key``."""
        return f"You unlock the {label} with the {key.name}."

    def inventory_text(self) -> str:
        if not self.inventory:
            return "You are carrying nothing."
        return "You are carrying " + join_names([self.things[i].a_name for i in self.inventory]) + "."


#: What a hidden-rules house says of its rule (after the quest): that keys open locks of
#: other colours and what a wrong try costs, never which key opens which lock.
HIDDEN_RULE_TEXT = ("In this house no key opens the lock of its own colour; which key opens which lock "
                    "you find out only by trying, and a wrong key rings an alarm that spoils the attempt.")
ALARM_TEXT = ("An alarm bell rings: this attempt can no longer succeed, but the house stays as it is "
              "and carrying out the quest still ends it.")


class HiddenRulesHouse(House):
    """A house whose keys open locks of another colour, by a per-seed rule it never states.

    ``opens`` maps each lock colour to the colour of the key that opens it, a
    derangement of :data:`COLOURS` (:func:`draw_key_rule`). The agent perceives the
    colours of keys and locks and is told that no key opens a lock of its own colour,
    so the admissible table offers every other carried key at a lock. A wrong try
    says so (``The red key does not fit the blue lock.``); the first one also sets
    ``alarm``, after which the quest no longer counts. A right one says which lock the
    key fits.
    """

    def __init__(self, rooms: list[Room], things: list[Thing], goals: list[tuple[int, int]], start: int,
                 opens: dict[str, str]):
        super().__init__(rooms, things, goals, start)
        self.opens = dict(opens)
        #: True after the first wrong key: the quest can no longer succeed in this episode.
        self.alarm = False
        self.quest = f"{self.quest} {HIDDEN_RULE_TEXT}"

    def opener(self, lock: str) -> str:
        return self.opens[lock]

    def swap_keys(self) -> tuple[str, str] | None:
        """Swap the keys of two locks so that the rule stays a derangement and a lock still shut
        changes key: another rule that nothing seen before a try tells apart. The pair of lock
        colours, or None when no such swap exists."""
        opens = self.opens
        for a in [t.lock for t in self.things if t.state == State.LOCKED]:
            for b in opens:
                if b != a and opens[b] != a and opens[a] != b:
                    opens[a], opens[b] = opens[b], opens[a]
                    return a, b
        return None

    def may_fit(self, key: Thing, thing: Thing) -> bool:
        return key.adjective != thing.lock

    def key_text(self, key: Thing) -> str:
        return "Which lock it opens you find out only by trying it."

    def wrong_key(self, key: Thing, thing: Thing) -> str:
        text = super().wrong_key(key, thing)
        if self.alarm:
            return text
        self.alarm = True
        return f"{text} {ALARM_TEXT}"

    def unlocked(self, key: Thing, thing: Thing, label: str) -> str:
        return f"{super().unlocked(key, thing, label)} The {key.name} fits the {thing.lock} lock."


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
    if not house.fits(key, thing):
        return house.wrong_key(key, thing)
    thing.state = State.CLOSED
    house.version += 1
    return house.unlocked(key, thing, label)


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
        return f"The {label}. {house.key_text(thing)}"
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


def generate(rng: np.random.Generator, size: HouseSize, opens: dict[str, str] | None = None) -> House:
    """A random house whose quest is solvable.

    The layout is a random tree of rooms on a grid, one door per edge. The quest is
    built backwards from its solved state: each goal object starts in its target,
    then is moved out to a random place. Locks (doors and lockable containers) get a
    random order, and the key of the i-th lock is hidden where it can be reached
    through unlocked doors and the locks before it, so every key is reachable before
    the lock it opens. Nothing in the house can be locked again or destroyed, so no
    command can make the quest unsolvable.

    ``opens`` (lock colour -> key colour, see :func:`draw_key_rule`) makes a
    :class:`HiddenRulesHouse`: the key placed for each lock is the one that rule says
    opens it, and the decoy keys (of colours no lock here takes) lie where they can be
    reached before any lock, so the agent holds several keys at its first lock. Without
    it (the default) the house and every draw are those of a plain house.
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
        key = new(Kind.KEY, "key", lock.lock if opens is None else opens[lock.lock])
        place(key, dice.choice(reachable_places({t.id for t in locks[i:]})))
    everywhere = reachable_places(set())
    decoy_places = everywhere
    if opens is not None:
        key_colours = {opens[lock.lock] for lock in locks}
        colours = [c for c in COLOURS if c not in key_colours]
        decoy_places = reachable_places({t.id for t in locks})
    for _ in range(size.decoy_keys):
        if colours:
            place(new(Kind.KEY, "key", dice.take(colours)), dice.choice(decoy_places))

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
    if opens is not None:
        return HiddenRulesHouse(rooms, things, goals, start=0, opens=opens)
    return House(rooms, things, goals, start=0)


def solvable(house: House, sealed: frozenset[int] = frozenset()) -> bool:
    """Whether every goal can be reached from the current state (a reachability fixpoint).

    Collect every key the agent could reach, unlock what those keys open, repeat;
    the quest is solvable when every goal object and target is then reachable. The
    locked things whose ids are in ``sealed`` count as never opened.
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
                if door.state == State.LOCKED and (house.opener(door.lock) not in keys_held or door_id in sealed) \
                        and door_id not in open_ids:
                    continue
                for other, _ in door.sides:
                    if other not in rooms:
                        rooms.add(other)
                        frontier.append(other)

        grown = False
        for thing in things:
            if thing.kind == Kind.KEY and thing.adjective not in keys_held and _within(house, thing, rooms, keys_held,
                                                                                        sealed):
                keys_held.add(thing.adjective)
                grown = True
        if not grown:
            break
    for item_id, target_id in house.goals:
        target = things[target_id]
        if not _within(house, things[item_id], rooms, keys_held, sealed) or target.room not in rooms:
            return False
        if target.state == State.LOCKED and (house.opener(target.lock) not in keys_held or target_id in sealed):
            return False
    return True


def _within(house: House, thing: Thing, rooms: set[int], keys: set[str], sealed: frozenset[int]) -> bool:
    """Whether ``thing`` can be reached in ``rooms`` holding the keys of colours ``keys``."""
    if thing.room < 0 and thing.inside < 0:
        return True
    if thing.inside >= 0:
        holder = house.things[thing.inside]
        if holder.state == State.LOCKED and (house.opener(holder.lock) not in keys or holder.id in sealed):
            return False
    return thing.room in rooms


def draw_key_rule(rng: np.random.Generator) -> dict[str, str]:
    """A hidden key rule: each lock colour mapped to the key colour that opens it, a uniformly
    drawn derangement of :data:`COLOURS` (no key opens the lock of its own colour)."""
    while True:
        order = rng.permutation(len(COLOURS))
        if all(int(j) != i for i, j in enumerate(order)):
            return {COLOURS[i]: COLOURS[int(j)] for i, j in enumerate(order)}


def needed_locks(house: House) -> list[Thing]:
    """The locked things without which the quest cannot be carried out."""
    return [t for t in house.things if t.state == State.LOCKED and not solvable(house, frozenset((t.id,)))]


def generate_hidden(rng: np.random.Generator, size: HouseSize) -> HiddenRulesHouse:
    """A :class:`HiddenRulesHouse`: a key rule from :func:`draw_key_rule`, then houses from
    :func:`generate` until one has ``size.locks`` locks and needs at least one of them (so
    every seed has a rule to learn)."""
    opens = draw_key_rule(rng)
    while True:
        house = generate(rng, size, opens)
        locks = sum(1 for t in house.things if t.state == State.LOCKED)
        if locks == size.locks and needed_locks(house):
            assert isinstance(house, HiddenRulesHouse)
            return house


# ---- the oracle ---------------------------------------------------------------------------------

#: How a planner picks the key to try at a lock: the key, or None when it knows of none it can reach.
KeyChoice = Callable[[Thing], "Thing | None"]


class _Stuck(Exception):
    """The planner knows of no key it can reach for a lock on its way."""


def oracle_command(house: House) -> str:
    """The next command of a privileged planner that reads the true state.

    For the first unmet goal: fetch its object, bring it to the target, opening and
    unlocking on the way; a lock whose key is not held sends it to fetch that key
    first. Every decision depends only on the current state, so it also takes over
    mid-episode. It never drops anything, so held keys stay held.
    """
    return _quest_command(house, house.key_for)


def _quest_command(house: House, key_for: KeyChoice) -> str:
    """The oracle's plan with the keys that ``key_for`` picks for the locks."""
    for item_id, target_id in house.goals:
        if house.things[item_id].inside != target_id:
            return _deliver(house, house.things[item_id], house.things[target_id], key_for)
    return "look"


def _held(house: House, thing: Thing) -> bool:
    return thing.room < 0 and thing.inside < 0


def _key(key_for: KeyChoice, thing: Thing) -> Thing:
    key = key_for(thing)
    if key is None:
        raise _Stuck(thing.name)
    return key


def _deliver(house: House, item: Thing, target: Thing, key_for: KeyChoice) -> str:
    if not _held(house, item):
        return _fetch(house, item, key_for)
    step = _reach_open(house, target, key_for)
    if step:
        return step
    prep = "in" if target.kind == Kind.CONTAINER else "on"
    return f"put {item.name} {prep} {target.name}"


def _fetch(house: House, thing: Thing, key_for: KeyChoice) -> str:
    if thing.inside >= 0:
        step = _reach_open(house, house.things[thing.inside], key_for)
    else:
        step = _go_to(house, thing.room, key_for)
    return step or f"take {thing.name}"


def _reach_open(house: House, holder: Thing, key_for: KeyChoice) -> str:
    """A command towards standing by ``holder`` with it open ("" once there)."""
    if holder.state == State.LOCKED:
        key = _key(key_for, holder)
        if not _held(house, key):
            return _fetch(house, key, key_for)
    step = _go_to(house, holder.room, key_for)
    if step:
        return step
    if holder.state == State.LOCKED:
        return f"unlock {holder.name} with {_key(key_for, holder).name}"
    if holder.state == State.CLOSED:
        return f"open {holder.name}"
    return ""


def _go_to(house: House, room_id: int, key_for: KeyChoice) -> str:
    """A command towards ``room_id`` ("" once there); fetches missing keys first."""
    if house.player == room_id:
        return ""
    path = _path(house, house.player, room_id)
    for door in path:
        if door.state == State.LOCKED and not _held(house, _key(key_for, door)):
            return _fetch(house, _key(key_for, door), key_for)
    door = path[0]
    label = house.door_label(door)
    if door.state == State.LOCKED:
        return f"unlock {label} with {_key(key_for, door).name}"
    if door.state == State.CLOSED:
        return f"open {label}"
    return "go " + label.split()[0]


# ---- a planner blind to the key rule ------------------------------------------------------------


def blind_command(house: House, fits: dict[str, str], fails: set[tuple[str, str]]) -> str:
    """The next command of a planner that knows the house but not its key rule.

    It knows what it was told: ``fits`` (lock colour -> the key colour seen to open it)
    and ``fails`` (pairs ``(key colour, lock colour)`` seen not to). At a lock it uses
    the key it knows opens it, else tries the first key, in the order of
    :data:`COLOURS`, that it can reach without unlocking anything, that is not the
    lock's colour and that it has not seen fail there or open another lock. Otherwise
    it plans as :func:`oracle_command`; when no key is left to try for a lock on the
    way, it turns to the nearest lock it can reach that has one, and looks about when
    there is none. It reads no hidden state but the layout, so with every pair of the
    quest's locks known it is the oracle, and with none it has to guess.
    """
    things = house.things
    keys = {t.adjective: t for t in things if t.kind == Kind.KEY}
    rooms = _open_rooms(house)
    known = set(fits.values())

    def believed(lock: Thing) -> Thing | None:
        colour = fits.get(lock.lock)
        if colour is not None and colour in keys:
            return keys[colour]
        for name in COLOURS:
            key = keys.get(name)
            if (key is not None and name != lock.lock and name not in known and (name, lock.lock) not in fails
                    and _reachable(house, key, rooms)):
                return key
        return None

    try:
        return _quest_command(house, believed)
    except _Stuck:
        pass
    locked = [t for t in things if t.state == State.LOCKED and believed(t) is not None
              and (any(room in rooms for room, _ in t.sides) if t.kind == Kind.DOOR else t.room in rooms)]
    for thing in sorted(locked, key=lambda t: (rooms[t.room] if t.room >= 0 else
                                               min(rooms.get(room, len(things)) for room, _ in t.sides), t.id)):
        try:
            return _reach_door(house, thing, believed) if thing.kind == Kind.DOOR else \
                _reach_open(house, thing, believed)
        except _Stuck:
            continue
    return "look"


def _open_rooms(house: House) -> dict[int, int]:
    """Rooms the player reaches without unlocking anything, with their distance in doors."""
    seen = {house.player: 0}
    queue = deque([house.player])
    while queue:
        room = queue.popleft()
        for door_id in house.rooms[room].exits:
            if door_id < 0 or house.things[door_id].state == State.LOCKED:
                continue
            for other, _ in house.things[door_id].sides:
                if other not in seen:
                    seen[other] = seen[room] + 1
                    queue.append(other)
    return seen


def _reachable(house: House, thing: Thing, rooms: dict[int, int]) -> bool:
    """Whether ``thing`` is held or can be taken without unlocking anything."""
    if _held(house, thing):
        return True
    if thing.inside >= 0 and house.things[thing.inside].state == State.LOCKED:
        return False
    return thing.room in rooms


def _reach_door(house: House, door: Thing, key_for: KeyChoice) -> str:
    """A command towards unlocking ``door`` from its near side."""
    key = _key(key_for, door)
    if not _held(house, key):
        return _fetch(house, key, key_for)
    rooms = _open_rooms(house)
    side = min((room for room, _ in door.sides if room in rooms), key=lambda room: rooms[room])
    step = _go_to(house, side, key_for)
    return step or f"unlock {house.door_label(door)} with {key.name}"


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
