"""Hand-built TextAdventure houses shared by the world and phrase tests."""

from __future__ import annotations

from agentic_gym.envs.text.adventure_world import House, Kind, Room, State, Thing


def small_house() -> House:
    """A hall (start) with two doors, two keys, a locked chest and a table; a kitchen to the north."""
    things: list[Thing] = []

    def add(kind: Kind, noun: str, adjective: str, room: int = -1) -> Thing:
        thing = Thing(len(things), kind, noun, adjective)
        thing.room = room
        things.append(thing)
        return thing

    hall, kitchen, cellar = Room(0, "hall", (0, 0)), Room(1, "kitchen", (0, -1)), Room(2, "cellar", (1, 0))
    north = add(Kind.DOOR, "door", "wooden")
    north.sides, north.state = ((0, 0), (1, 2)), State.CLOSED
    east = add(Kind.DOOR, "door", "oak")
    east.sides, east.state = ((0, 1), (2, 3)), State.CLOSED
    hall.exits[0], kitchen.exits[2] = north.id, north.id
    hall.exits[1], cellar.exits[3] = east.id, east.id
    chest = add(Kind.CONTAINER, "chest", "wooden", room=0)
    chest.state, chest.lock = State.LOCKED, "red"
    table = add(Kind.SUPPORTER, "table", "oak", room=0)
    hall.furniture += [chest.id, table.id]
    fridge = add(Kind.CONTAINER, "fridge", "white", room=1)
    fridge.state = State.CLOSED
    kitchen.furniture.append(fridge.id)
    red, blue = add(Kind.KEY, "key", "red", room=0), add(Kind.KEY, "key", "blue", room=0)
    hall.floor += [red.id, blue.id]
    book = add(Kind.ITEM, "book", "old", room=0)
    book.inside = table.id
    table.contents.append(book.id)
    coin = add(Kind.ITEM, "coin", "silver", room=1)
    coin.inside = fridge.id
    fridge.contents.append(coin.id)
    return House([hall, kitchen, cellar], things, goals=[(coin.id, chest.id)], start=0)
