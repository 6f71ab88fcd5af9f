"""No view of a grid world reveals a cell the agent cannot see.

The image, the text, the ``ansi`` map and the renderer's highlight are checked
against the full world state and an independent, sampled line-of-sight reference:
a cell is surely occluded when every sight line from the agent's centre to any of
its four corners passes deep through the interior of an opaque cell.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from agentic_gym.envs.grid.base import GridEnv
from agentic_gym.envs.grid.describe import LISTED_TILES, ansi_map, describe_view, object_phrase
from agentic_gym.envs.grid.engine import (
    DIR_VEC,
    OPAQUE,
    Colour,
    State,
    Tile,
    World,
    view_image,
    visible_cells,
    visible_mask,
)

_COLOURS = [int(c) for c in Colour][:5]
CELL = st.one_of(
    st.just((Tile.FLOOR, Colour.GREY, State.NONE)),
    st.just((Tile.FLOOR, Colour.GREY, State.NONE)),
    st.just((Tile.WALL, Colour.GREY, State.NONE)),
    st.tuples(
        st.just(Tile.DOOR),
        st.sampled_from(_COLOURS),
        st.sampled_from([State.OPEN, State.CLOSED, State.LOCKED]),
    ),
    st.tuples(
        st.sampled_from([Tile.KEY, Tile.BALL, Tile.BOX]), st.sampled_from(_COLOURS), st.just(State.NONE)
    ),
    st.sampled_from(
        [
            (Tile.GOAL, Colour.GREEN, State.NONE),
            (Tile.LAVA, Colour.RED, State.NONE),
            (Tile.CRATE, Colour.YELLOW, State.NONE),
            (Tile.CRATE, Colour.YELLOW, State.ON_TARGET),
            (Tile.TARGET, Colour.GREY, State.NONE),
        ]
    ),
)


@st.composite
def scenes(draw):
    width, height = draw(st.integers(4, 10)), draw(st.integers(4, 10))
    world = World.empty(width, height)
    for y in range(1, height - 1):
        for x in range(1, width - 1):
            world.grid[y, x] = draw(CELL)
    world.agent_x = draw(st.integers(1, width - 2))
    world.agent_y = draw(st.integers(1, height - 2))
    world.grid[world.agent_y, world.agent_x] = (Tile.FLOOR, Colour.GREY, State.NONE)
    world.agent_dir = draw(st.integers(0, 3))
    if draw(st.booleans()):
        world.carrying = (int(Tile.KEY), draw(st.sampled_from(_COLOURS)))
    size = draw(st.sampled_from([3, 5, 7, 9]))
    return world, size, draw(st.booleans())


def slot_cells(world: World, size: int, centred: bool) -> dict[tuple[int, int], tuple[int, int]]:
    """World cell ``(x, y)`` of every view slot ``(row, col)``, from the geometry alone."""
    cells = {}
    for row in range(size):
        for col in range(size):
            if centred:
                cells[row, col] = (world.agent_x + col - size // 2, world.agent_y + row - size // 2)
            else:
                ahead, right = size - 1 - row, col - size // 2
                (fx, fy), (rx, ry) = DIR_VEC[world.agent_dir], DIR_VEC[(world.agent_dir + 1) % 4]
                cells[row, col] = (
                    world.agent_x + ahead * fx + right * rx,
                    world.agent_y + ahead * fy + right * ry,
                )
    return cells


def surely_occluded(world: World, x: int, y: int) -> bool:
    """Every sight line to a corner of ``(x, y)`` passes deep through an opaque cell."""
    opaque = OPAQUE[world.grid[:, :, 0], world.grid[:, :, 2]].copy()
    opaque[y, x] = False
    opaque[world.agent_y, world.agent_x] = False
    qy, qx = np.nonzero(opaque)
    if len(qx) == 0:
        return False
    t = np.linspace(0.0, 1.0, 1500)[:, None]
    for cx, cy in ((-0.5, -0.5), (-0.5, 0.5), (0.5, -0.5), (0.5, 0.5)):
        px = world.agent_x + t * (x + cx - world.agent_x)
        py = world.agent_y + t * (y + cy - world.agent_y)
        deep = (np.abs(px - qx) < 0.48) & (np.abs(py - qy) < 0.48)
        if not deep.any():
            return False
    return True


@given(scenes())
def test_no_view_reveals_an_occluded_cell(scene):
    world, size, centred = scene
    view = visible_cells(world, size, centred)
    image = view_image(view)
    mask = visible_mask(world, view)
    text = describe_view(view, world.carrying).lower()
    ansi_rows = ansi_map(world, mask).split("\n")
    height, width = world.grid.shape[:2]

    slots = slot_cells(world, size, centred)
    in_view = {cell for cell in slots.values() if 0 <= cell[0] < width and 0 <= cell[1] < height}
    hidden = set()
    for y in range(height):
        for x in range(width):
            if (x, y) not in in_view or surely_occluded(world, x, y):
                hidden.add((x, y))
    assert (world.agent_x, world.agent_y) not in hidden

    for (row, col), (x, y) in slots.items():
        if (x, y) in hidden or (x, y) not in in_view:
            assert not image[row, col].any(), f"image slot {(row, col)} shows hidden cell {(x, y)}"
        elif image[row, col].any():
            assert image[row, col].tolist() == world.grid[y, x].tolist(), "the image shows what is there"
    for x, y in hidden:
        assert not mask[y, x], f"the highlight reveals {(x, y)}"
        line = ansi_rows[y] if y < len(ansi_rows) else ""
        assert line[2 * x : 2 * x + 2].strip() == "", f"the ansi map reveals {(x, y)}: {line!r}"

    shown = {object_phrase(*world.grid[y, x].tolist()) for (x, y) in zip(*np.nonzero(mask.T))}
    if world.carrying[0]:
        shown.add(object_phrase(*world.carrying, 0))
    for x, y in hidden:
        tile, colour, state = world.grid[y, x].tolist()
        if tile not in LISTED_TILES:
            continue
        phrase = object_phrase(tile, colour, state)
        if any(phrase in other for other in shown):
            continue  # a visible object of the same description
        assert phrase not in text, f"the text names hidden {phrase!r} at {(x, y)}:\n{text}"


def test_the_reference_sees_occlusion_where_the_engine_does():
    # The reference must be able to fail: a key straight behind a wall is surely occluded.
    world = World.empty(7, 5)
    world.agent_x, world.agent_y, world.agent_dir = 1, 2, 0
    world.place(2, 2, Tile.WALL)
    world.place(2, 1, Tile.WALL)
    world.place(2, 3, Tile.WALL)
    world.place(4, 2, Tile.KEY, Colour.RED)
    assert surely_occluded(world, 4, 2)
    assert not visible_mask(world, visible_cells(world))[2, 4]
    assert "red key" not in describe_view(visible_cells(world)).lower()
    world.place(2, 2, Tile.FLOOR)
    assert not surely_occluded(world, 4, 2)
    assert "a red key is 3 steps ahead." in describe_view(visible_cells(world)).lower()


def test_env_views_come_from_the_world_view():
    # Every grid env wires the same functions: its render text and frame highlight follow the view.
    import gymnasium as gym

    env = gym.make("agentic_gym/GridKeyDoor-8x8-v0", render_mode="ansi")
    obs, _ = env.reset(seed=5)
    grid_env = env.unwrapped
    assert isinstance(grid_env, GridEnv)
    view = visible_cells(grid_env.world, grid_env.view_size)
    assert np.array_equal(obs["image"], view_image(view))
    assert env.render() == ansi_map(grid_env.world, visible_mask(grid_env.world, view), grid_env.mission)
