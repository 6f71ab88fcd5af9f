"""How TextAdventure reads object phrases: "the red key", "coin from the chest", "unlock chest with key".

The language side of the house, apart from its rules (:mod:`adventure_world`, which this
module reads but which never imports it). A phrase is lower-cased, stripped of
punctuation and articles (:func:`tokens`); a reference names one perceived thing by its
noun and any of its adjectives, in any order, a door also by its direction; a trailing
qualifier ("from the chest", "in the kitchen", "on the floor") narrows where to look. An
ambiguous reference is asked back, never guessed: :func:`find` prefers the things a verb
applies to ("open white" is the white fridge, not the white candle) and otherwise raises
:class:`ResolveError` with the question. :func:`resolve` turns a parsed command's arguments
into the ``(verb, a, b)`` the house applies, splitting the natural two-object forms
("unlock <thing> with <key>", "put <object> in|on <thing>"); :func:`command` does both.

Example:
    >>> import numpy as np
    >>> from agentic_gym.envs.text.adventure_world import HOUSE_SIZES, generate
    >>> tokens("Take THE red key!")
    ['take', 'red', 'key']
    >>> house = generate(np.random.default_rng(0), HOUSE_SIZES["3rooms"])
    >>> command(house, Verb.TAKE, {"object": "the unicorn"})
    ('You see no unicorn here.', False)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from agentic_gym.envs.text.adventure_world import DIRECTIONS, House, Kind, State, Thing, Verb

ARTICLES = frozenset({"the", "a", "an", "my", "some", "that", "this"})
#: Words that split ``put <object> <preposition> <thing>``.
PUT_PREPOSITIONS = ("in", "into", "inside", "on", "onto")
#: Words that start a trailing qualifier of a reference ("coin from the chest").
QUALIFIERS = frozenset({"in", "on", "from", "inside"})
_PUNCTUATION = str.maketrans({c: " " for c in ".,;:!?'\"()[]{}<>`"})


class ResolveError(Exception):
    """A reference that names nothing the agent perceives, or more than one thing."""


def tokens(text: str) -> list[str]:
    """The words of a phrase: lower case, no punctuation, no articles."""
    return [w for w in text.lower().translate(_PUNCTUATION).split() if w not in ARTICLES]


def command(house: House, verb: Verb, args: Mapping[str, object]) -> tuple[str, bool]:
    """Carry out a parsed command on ``house``; returns ``(message, valid)``.

    ``valid`` is False when a reference names nothing the agent perceives, names
    several things, or a needed argument is missing; a well-formed command the
    world refuses ("The red door is locked.") is valid.
    """
    try:
        verb, a, b = resolve(house, verb, args)
    except ResolveError as error:
        return str(error), False
    return house.apply(verb, a, b), True


def resolve(house: House, verb: Verb, args: Mapping[str, object]) -> tuple[Verb, int, int]:
    """Turn parsed arguments into thing ids, or raise :class:`ResolveError`."""
    if verb in (Verb.LOOK, Verb.INVENTORY):
        return verb, -1, -1
    if verb == Verb.GO:
        return verb, DIRECTIONS.index(str(args["direction"])), -1
    if verb == Verb.TAKE:
        ref = tokens(str(args["object"]))
        return verb, find(house, ref, "take", prefer=_takeable).id, -1
    if verb == Verb.DROP:
        ref = tokens(str(args["object"]))
        return verb, find(house, ref, "drop", prefer=_carried).id, -1
    if verb in (Verb.OPEN, Verb.CLOSE, Verb.EXAMINE):
        prefer = None if verb == Verb.EXAMINE else _openable
        return verb, find(house, tokens(str(args["target"])), verb.name.lower(), prefer).id, -1
    if verb == Verb.UNLOCK:
        target = tokens(str(args["target"]))
        key = tokens(str(args["key"])) if args.get("key") is not None else []
        if not key:
            for word in ("with", "using"):
                if word in target:
                    cut = target.index(word)
                    target, key = target[:cut], target[cut + 1:]
                    break
        found = find(house, target, "unlock", prefer=_lockable)
        if not key:
            held = [house.things[i].name for i in house.inventory if house.things[i].kind == Kind.KEY]
            example = held[0] if held else "<key>"
            raise ResolveError(f"What do you want to unlock the {house.label(found)} with? "
                               f"Say, for example: unlock {house.label(found)} with {example}.")
        return verb, found.id, find(house, key, "unlock with", prefer=_carried_key).id
    if verb == Verb.PUT:
        item = tokens(str(args["object"]))
        target = tokens(str(args["target"])) if args.get("target") is not None else []
        if not target:
            cuts = [i for i, w in enumerate(item) if w in PUT_PREPOSITIONS]
            if cuts:
                item, target = item[:cuts[0]], item[cuts[0] + 1:]
        elif target[0] in PUT_PREPOSITIONS:
            target = target[1:]
        found = find(house, item, "put", prefer=_carried)
        if not target:
            room = house.rooms[house.player]
            example = house.things[room.furniture[0]].name if room.furniture else "<container>"
            raise ResolveError(f"Where do you want to put the {found.name}? "
                               f"Say, for example: put {found.name} in {example}.")
        return verb, found.id, find(house, target, "put it in", prefer=_receptacle).id
    raise ResolveError(f"Unknown verb {verb!r}.")



def find(house: House, ref: list[str], what: str, prefer: Callable[[Thing], bool] | None = None) -> Thing:
    """The one perceived thing ``ref`` names (adjectives and noun, any order).

    When several match, those the verb applies to (``prefer``) are kept: ``open
    white`` means the white fridge, not the white candle. Still several: ask back.
    """
    if not ref:
        raise ResolveError(f"What do you want to {what}? Name a thing you can see.")
    scope = house.perceived()
    # A trailing qualifier ("coin from the chest", "chest in the kitchen") narrows the scope.
    for i in range(1, len(ref)):
        if ref[i] in QUALIFIERS:
            head, tail = ref[:i], ref[i + 1:]
            tail_set = set(tail)
            if tail_set and tail_set <= house.rooms[house.player].words | {"room", "here", "floor"}:
                if tail_set == {"floor"}:
                    room = house.rooms[house.player]
                    scope = [house.things[t] for t in room.floor]
                ref = head
                break
            for other in house.rooms:
                if tail_set and tail_set <= other.words | {"room"} and other.id != house.player:
                    raise ResolveError(f"You are not in the {other.name}; you are in the "
                                       f"{house.rooms[house.player].name}.")
            holder = find(house, tail, what)
            if holder.kind not in (Kind.CONTAINER, Kind.SUPPORTER):
                raise ResolveError(f"The {holder.name} cannot hold things.")
            scope = [house.things[t] for t in holder.contents] if holder.state == State.OPEN else []
            ref = head
            break
    words = set(ref)
    matches = [t for t in scope if words <= _words(house, t)]
    if len(matches) > 1 and prefer is not None:
        preferred = [t for t in matches if prefer(t)]
        if preferred:
            matches = preferred
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ResolveError(f"You see no {' '.join(ref)[:40]} here.")
    labels = [f"the {house.label(t)}" for t in matches]
    noun = matches[0].noun if all(t.noun == matches[0].noun for t in matches) else "one"
    raise ResolveError(f"Which {noun} do you mean: {', '.join(labels[:-1])} or {labels[-1]}?")


# ---- what a verb prefers when a reference matches several things ----------------------------


def _words(house: House, thing: Thing) -> frozenset[str]:
    """The words that name ``thing`` from where the agent stands (a door also by its direction)."""
    if thing.kind != Kind.DOOR:
        return thing.words
    for room, direction in thing.sides:
        if room == house.player:
            return thing.words | {DIRECTIONS[direction]}
    return thing.words


def _takeable(thing: Thing) -> bool:
    return thing.portable and (thing.room >= 0 or thing.inside >= 0)


def _openable(thing: Thing) -> bool:
    return thing.openable


def _lockable(thing: Thing) -> bool:
    return bool(thing.lock)


def _carried_key(thing: Thing) -> bool:
    return thing.kind == Kind.KEY and thing.room < 0 and thing.inside < 0


def _carried(thing: Thing) -> bool:
    return thing.portable and thing.room < 0 and thing.inside < 0


def _receptacle(thing: Thing) -> bool:
    return thing.kind == Kind.CONTAINER or thing.kind == Kind.SUPPORTER
