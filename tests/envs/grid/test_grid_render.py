"""The grid renderer: cached tiles for every object, highlight, agent, and pygame kept in one module."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import agentic_gym.envs.grid as grid_pkg
from agentic_gym.envs.grid.describe import CELL_CODE
from agentic_gym.envs.grid.engine import Colour, Direction, State, Tile, World, visible_cells, visible_mask
from agentic_gym.envs.grid.render import AGENT_RGB, GridRenderer, tile_atlas


def test_only_render_imports_pygame():
    importers = []
    for path in sorted(Path(grid_pkg.__path__[0]).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(name.split(".")[0] == "pygame" for name in names):
                importers.append(path.name)
    assert set(importers) == {"render.py"}


@pytest.mark.parametrize(
    "cell",
    [
        (Tile.WALL, Colour.GREY, State.NONE),
        (Tile.DOOR, Colour.BLUE, State.OPEN),
        (Tile.DOOR, Colour.BLUE, State.CLOSED),
        (Tile.DOOR, Colour.BLUE, State.LOCKED),
        (Tile.KEY, Colour.RED, State.NONE),
        (Tile.BALL, Colour.GREEN, State.NONE),
        (Tile.BOX, Colour.PURPLE, State.NONE),
        (Tile.GOAL, Colour.GREEN, State.NONE),
        (Tile.LAVA, Colour.RED, State.NONE),
        (Tile.CRATE, Colour.YELLOW, State.NONE),
        (Tile.CRATE, Colour.YELLOW, State.ON_TARGET),
        (Tile.TARGET, Colour.GREY, State.NONE),
    ],
)
def test_every_object_has_its_own_tile(cell):
    atlas = tile_atlas(16)
    floor = atlas[0, CELL_CODE[Tile.FLOOR, Colour.GREY, State.NONE]]
    tile = atlas[0, CELL_CODE[cell]]
    assert not np.array_equal(tile, floor)
    # Highlighted tiles are never darker.
    assert (atlas[1, CELL_CODE[cell]].astype(int) >= tile.astype(int)).all()


def test_door_states_and_crate_states_look_different():
    atlas = tile_atlas(16)
    doors = [atlas[0, CELL_CODE[Tile.DOOR, Colour.RED, s]] for s in (State.OPEN, State.CLOSED, State.LOCKED)]
    assert not np.array_equal(doors[0], doors[1]) and not np.array_equal(doors[1], doors[2])
    crate, placed = (atlas[0, CELL_CODE[Tile.CRATE, Colour.YELLOW, s]] for s in (State.NONE, State.ON_TARGET))
    assert not np.array_equal(crate, placed)


def test_frame_composes_tiles_highlight_and_agent():
    world = World.empty(6, 5)
    world.place(4, 2, Tile.KEY, Colour.RED)
    world.agent_x, world.agent_y, world.agent_dir = 1, 2, Direction.EAST
    t = 8
    renderer = GridRenderer(tile_size=t)
    mask = visible_mask(world, visible_cells(world))
    frame = renderer.frame(world, mask)
    atlas = tile_atlas(t)
    assert frame.shape == (5 * t, 6 * t, 3)
    key_tile = frame[2 * t : 3 * t, 4 * t : 5 * t]
    assert np.array_equal(key_tile, atlas[int(mask[2, 4]), CELL_CODE[Tile.KEY, Colour.RED, State.NONE]])
    agent_tile = frame[2 * t : 3 * t, 1 * t : 2 * t]
    assert (agent_tile == AGENT_RGB).all(axis=2).any()
    plain = renderer.frame(world)
    assert plain[mask.repeat(t, 0).repeat(t, 1)].sum() < frame[mask.repeat(t, 0).repeat(t, 1)].sum()
    # Frames are fresh arrays: drawing on one leaves the next intact.
    frame[:] = 0
    assert renderer.frame(world, mask).any()
