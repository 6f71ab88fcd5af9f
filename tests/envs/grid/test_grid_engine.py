"""Unit tests of the pure grid engine: the interaction rules, boxes, crates and planning."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from agentic_gym.envs.grid.engine import (
    EVENT_OK,
    FAILED_EVENTS,
    Action,
    Colour,
    Direction,
    Event,
    State,
    Tile,
    World,
    distance_map,
    interact,
    step_towards,
    view_image,
    visible_cells,
    visible_mask,
)


def world_with_agent(x: int = 2, y: int = 2, facing: Direction = Direction.EAST, size: int = 7) -> World:
    world = World.empty(size, size)
    world.agent_x, world.agent_y, world.agent_dir = x, y, facing
    return world


@pytest.mark.parametrize("module", ["engine", "describe"])
def test_pure_modules_import_neither_gymnasium_nor_pygame(module):
    import agentic_gym.envs.grid as grid_pkg

    source = Path(grid_pkg.__path__[0], f"{module}.py").read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert imported, "the module imports something"
    allowed = {"__future__", "collections", "collections.abc", "dataclasses", "enum", "functools", "numpy"}
    assert imported <= allowed | {"agentic_gym.envs.grid.engine"}, imported


def test_turning_goes_round_the_compass():
    world = world_with_agent()
    assert interact(world, Action.RIGHT) == Event.TURNED and world.agent_dir == Direction.SOUTH
    assert interact(world, Action.LEFT) == Event.TURNED and world.agent_dir == Direction.EAST
    assert interact(world, Action.LEFT) == Event.TURNED and world.agent_dir == Direction.NORTH
    for _ in range(4):
        interact(world, Action.RIGHT)
    assert world.agent_dir == Direction.NORTH


def test_forward_moves_and_walls_block():
    world = world_with_agent(x=4, y=2)
    assert interact(world, Action.FORWARD) == Event.MOVED and (world.agent_x, world.agent_y) == (5, 2)
    assert interact(world, Action.FORWARD) == Event.BLOCKED and (world.agent_x, world.agent_y) == (5, 2)
    assert not EVENT_OK[Event.BLOCKED] and EVENT_OK[Event.MOVED]


def test_goal_and_lava_are_entered_with_their_own_events():
    world = world_with_agent()
    world.place(3, 2, Tile.GOAL, Colour.GREEN)
    world.place(2, 3, Tile.LAVA, Colour.RED)
    assert interact(world, Action.FORWARD) == Event.REACHED_GOAL
    world.agent_x, world.agent_dir = 2, Direction.SOUTH
    assert interact(world, Action.FORWARD) == Event.ENTERED_LAVA and world.agent_y == 3


def test_pickup_carry_and_drop():
    world = world_with_agent()
    world.place(3, 2, Tile.KEY, Colour.BLUE)
    assert interact(world, Action.DROP) == Event.CANNOT_DROP
    assert interact(world, Action.PICKUP) == Event.PICKED_UP
    assert world.carrying == (Tile.KEY, Colour.BLUE) and world.grid[2, 3, 0] == Tile.FLOOR
    world.place(3, 2, Tile.BALL, Colour.RED)
    assert interact(world, Action.PICKUP) == Event.HANDS_FULL
    world.agent_dir = Direction.NORTH
    assert interact(world, Action.DROP) == Event.DROPPED
    assert (
        world.grid[1, 2].tolist() == [Tile.KEY, Colour.BLUE, State.NONE] and world.carrying[0] == Tile.UNSEEN
    )
    world.agent_dir = Direction.WEST
    interact(world, Action.FORWARD)  # to x=1, next to the west wall
    assert interact(world, Action.DROP) == Event.CANNOT_DROP  # cannot drop on a wall
    assert interact(world, Action.PICKUP) == Event.NOTHING_TO_PICK_UP


@pytest.mark.parametrize("key_colour", list(Colour)[:5])
def test_a_locked_door_opens_only_with_a_key_of_its_colour(key_colour):
    world = world_with_agent()
    world.place(3, 2, Tile.DOOR, Colour.YELLOW, State.LOCKED)
    assert interact(world, Action.FORWARD) == Event.BLOCKED
    assert interact(world, Action.TOGGLE) == Event.NEED_KEY
    world.carrying = (int(Tile.KEY), int(key_colour))
    event = interact(world, Action.TOGGLE)
    if key_colour == Colour.YELLOW:
        assert event == Event.UNLOCKED and world.grid[2, 3, 2] == State.OPEN
        assert interact(world, Action.FORWARD) == Event.MOVED
    else:
        assert event == Event.NEED_KEY and world.grid[2, 3, 2] == State.LOCKED


def test_unlocked_doors_open_and_close():
    world = world_with_agent()
    world.place(3, 2, Tile.DOOR, Colour.RED, State.CLOSED)
    assert interact(world, Action.TOGGLE) == Event.OPENED and world.grid[2, 3, 2] == State.OPEN
    assert interact(world, Action.TOGGLE) == Event.CLOSED and world.grid[2, 3, 2] == State.CLOSED
    assert interact(world, Action.FORWARD) == Event.BLOCKED


def test_a_box_gives_up_its_content_when_opened():
    world = world_with_agent()
    world.place(3, 2, Tile.BOX, Colour.PURPLE)
    world.put_in_box(3, 2, Tile.KEY, Colour.GREEN)
    assert interact(world, Action.TOGGLE) == Event.OPENED_BOX
    assert world.grid[2, 3].tolist() == [Tile.KEY, Colour.GREEN, State.NONE]
    world.place(3, 2, Tile.BOX, Colour.PURPLE)
    assert interact(world, Action.TOGGLE) == Event.OPENED_BOX and world.grid[2, 3, 0] == Tile.FLOOR
    with pytest.raises(ValueError):
        world.put_in_box(3, 2, Tile.KEY, Colour.RED)


def test_a_carried_box_keeps_its_content():
    world = world_with_agent()
    world.place(3, 2, Tile.BOX, Colour.GREY)
    world.put_in_box(3, 2, Tile.BALL, Colour.RED)
    assert interact(world, Action.PICKUP) == Event.PICKED_UP and world.carrying == (Tile.BOX, Colour.GREY)
    world.agent_dir = Direction.SOUTH
    assert interact(world, Action.DROP) == Event.DROPPED
    assert interact(world, Action.TOGGLE) == Event.OPENED_BOX
    assert world.grid[3, 2].tolist() == [Tile.BALL, Colour.RED, State.NONE]


def test_crates_block_in_the_engine_whose_pushes_live_in_sokoban_levels():
    world = world_with_agent(x=1, y=2)
    world.place(2, 2, Tile.CRATE, Colour.GREY)
    grid = world.grid.copy()
    assert interact(world, Action.MOVE_EAST) == Event.BLOCKED
    assert interact(world, Action.FORWARD) == Event.BLOCKED
    assert (world.agent_x, world.agent_y) == (1, 2) and np.array_equal(world.grid, grid)


def test_failed_events_are_exactly_the_ones_that_change_nothing():
    ok = {event for event, succeeded in EVENT_OK.items() if succeeded}
    assert ok.isdisjoint(FAILED_EVENTS) and ok | FAILED_EVENTS == set(Event)
    assert Event.PUSHED in ok and Event.BLOCKED in FAILED_EVENTS


def test_allocentric_moves_face_their_direction():
    world = world_with_agent(x=3, y=3)
    for action, facing, pos in (
        (Action.MOVE_NORTH, Direction.NORTH, (3, 2)),
        (Action.MOVE_WEST, Direction.WEST, (2, 2)),
        (Action.MOVE_SOUTH, Direction.SOUTH, (2, 3)),
        (Action.MOVE_EAST, Direction.EAST, (3, 3)),
    ):
        assert interact(world, action) == Event.MOVED
        assert world.agent_dir == facing and (world.agent_x, world.agent_y) == pos


def test_an_empty_room_is_fully_visible_and_the_image_is_egocentric():
    world = world_with_agent(x=3, y=5, facing=Direction.NORTH, size=7)
    world.place(3, 1, Tile.BALL, Colour.BLUE)
    world.place(1, 4, Tile.KEY, Colour.RED)
    view = visible_cells(world, size=5)
    image = view_image(view)
    assert view.visible.all()
    assert image[0, 2].tolist() == [Tile.BALL, Colour.BLUE, State.NONE]  # 4 ahead
    assert image[3, 0].tolist() == [Tile.KEY, Colour.RED, State.NONE]  # 1 ahead, 2 to the left
    assert image[4, 2, 0] == Tile.FLOOR  # the agent's own cell
    world.agent_dir = Direction.EAST  # now the key is 1 behind: out of an egocentric view
    image = view_image(visible_cells(world, size=5))
    assert (
        image[:, 3, 0].tolist() == [0] + [Tile.WALL] * 4
    )  # 1 to the right is the south wall (x=7 is outside)
    assert not image[:, 4].any()  # 2 to the right is outside the grid
    assert not (image[:, :, 0] == Tile.KEY).any()


def test_walls_and_closed_doors_hide_what_is_behind_them():
    world = world_with_agent(x=1, y=3, facing=Direction.EAST, size=9)
    world.place(3, 3, Tile.DOOR, Colour.RED, State.CLOSED)
    world.place(5, 3, Tile.KEY, Colour.RED)
    image = view_image(visible_cells(world))
    assert image[4, 3, 0] == Tile.DOOR and image[2, 3].tolist() == [0, 0, 0]
    world.grid[3, 3, 2] = State.OPEN
    assert view_image(visible_cells(world))[2, 3, 0] == Tile.KEY


def test_cells_outside_the_grid_are_never_visible():
    world = world_with_agent(x=1, y=1, facing=Direction.NORTH, size=5)
    view = visible_cells(world, size=7)
    mask = visible_mask(world, view)
    assert view.visible.sum() == mask.sum() == 10  # rows y=0 and y=1, x = 0..4: the rest is outside
    assert not view_image(view)[:5].any()


def test_distance_map_and_step_towards_walk_to_a_target():
    world = world_with_agent(x=1, y=1, facing=Direction.NORTH)
    world.grid[1:5, 3, 0] = Tile.WALL
    dist = distance_map(world, [(5, 1)])
    assert dist[1, 1] == 4 + 4 + 4 and dist[0, 0] == -1
    steps = 0
    while (move := step_towards(world, dist)) is not None:
        interact(world, move)
        steps += 1
    assert (world.agent_x, world.agent_y) == (5, 1) and steps < 20
    world.place(5, 5, Tile.KEY, Colour.RED)
    dist = distance_map(world, [(5, 5)])
    while (move := step_towards(world, dist, face=True)) is not None:
        interact(world, move)
    assert world.front() == (5, 5)
    assert interact(world, Action.PICKUP) == Event.PICKED_UP


def test_world_copy_is_independent():
    world = world_with_agent()
    clone = world.copy()
    world.place(3, 2, Tile.KEY, Colour.RED)
    assert clone.grid[2, 3, 0] == Tile.FLOOR and np.array_equal(clone.content, world.content)
