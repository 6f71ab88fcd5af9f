"""Tile rendering for the grid family: the only module of the family that imports pygame.

Every ``(tile, colour, state)`` triple is drawn once per tile size with pygame, in a
plain and a highlighted (in view) variant, and kept in a numpy atlas shared by all
envs in the process. A frame is then one gather from the atlas by cell code, plus the
agent's arrow: no drawing per frame. pygame is imported only when the first atlas is
built, so envs with ``render_mode=None`` never touch it.

Example:
    >>> from agentic_gym.envs.grid.engine import World, visible_cells, visible_mask
    >>> world = World.empty(4, 3)
    >>> frame = GridRenderer(tile_size=8).frame(world, visible_mask(world, visible_cells(world)))
    >>> frame.shape, frame.dtype.name
    ((24, 32, 3), 'uint8')
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from agentic_gym.envs.grid.describe import CELL_CODE, N_COLOURS
from agentic_gym.envs.grid.engine import N_STATES, N_TILES, Colour, Direction, State, Tile, World

#: RGB of each :class:`~agentic_gym.envs.grid.engine.Colour`.
PALETTE: dict[Colour, tuple[int, int, int]] = {
    Colour.RED: (255, 0, 0),
    Colour.GREEN: (0, 255, 0),
    Colour.BLUE: (0, 0, 255),
    Colour.PURPLE: (112, 39, 195),
    Colour.YELLOW: (255, 255, 0),
    Colour.GREY: (100, 100, 100),
}
AGENT_RGB = (255, 0, 0)
_FLOOR_RGB = (0, 0, 0)
_GRID_LINE_RGB = (100, 100, 100)
_WALL_RGB = (100, 100, 100)
_GOAL_RGB = (0, 255, 0)
_LAVA_RGB = (255, 128, 0)
_CRATE_RGB = (153, 102, 51)
_TARGET_RGB = (230, 190, 60)
#: How far a highlighted (visible) tile is blended towards white.
HIGHLIGHT = 0.3


def _draw_tile(pygame: Any, size: int, tile: Tile, colour: int, state: int) -> Any:
    """One tile as a pygame Surface."""
    s = size
    surface = pygame.Surface((s, s))
    surface.fill(_FLOOR_RGB)
    rgb = PALETTE[Colour(colour)]
    rect = pygame.Rect
    if tile == Tile.WALL:
        surface.fill(_WALL_RGB)
    elif tile == Tile.GOAL:
        surface.fill(_GOAL_RGB)
    elif tile == Tile.LAVA:
        surface.fill(_LAVA_RGB)
        for k in range(3):
            y = int(s * (0.3 + 0.2 * k))
            points = [(int(s * (0.1 + 0.2 * i)), y + (0 if i % 2 == 0 else int(s * 0.06))) for i in range(5)]
            pygame.draw.lines(surface, (0, 0, 0), False, points, max(1, s // 32))
    elif tile == Tile.DOOR:
        if state == State.OPEN:
            pygame.draw.rect(surface, rgb, rect(int(s * 0.88), 0, s - int(s * 0.88), s))
        else:
            surface.fill(rgb)
            inner = rect(int(s * 0.06), int(s * 0.06), s - 2 * int(s * 0.06), s - 2 * int(s * 0.06))
            pygame.draw.rect(surface, (0, 0, 0), inner, max(1, s // 16))
            if state == State.LOCKED:
                pygame.draw.rect(
                    surface, (0, 0, 0), rect(int(s * 0.52), int(s * 0.45), int(s * 0.22), max(1, s // 16))
                )
            else:
                pygame.draw.circle(surface, (0, 0, 0), (int(s * 0.75), s // 2), max(1, s // 12))
    elif tile == Tile.KEY:
        pygame.draw.rect(surface, rgb, rect(int(s * 0.5), int(s * 0.31), int(s * 0.13), int(s * 0.57)))
        pygame.draw.rect(surface, rgb, rect(int(s * 0.38), int(s * 0.59), int(s * 0.12), int(s * 0.07)))
        pygame.draw.rect(surface, rgb, rect(int(s * 0.38), int(s * 0.81), int(s * 0.12), int(s * 0.07)))
        pygame.draw.circle(surface, rgb, (int(s * 0.56), int(s * 0.28)), max(1, int(s * 0.19)))
        pygame.draw.circle(surface, (0, 0, 0), (int(s * 0.56), int(s * 0.28)), max(1, int(s * 0.064)))
    elif tile == Tile.BALL:
        pygame.draw.circle(surface, rgb, (s // 2, s // 2), max(1, int(s * 0.31)))
    elif tile == Tile.BOX:
        box = rect(int(s * 0.12), int(s * 0.12), s - 2 * int(s * 0.12), s - 2 * int(s * 0.12))
        pygame.draw.rect(surface, rgb, box, max(1, s // 16))
        pygame.draw.line(surface, rgb, (int(s * 0.12), s // 2), (s - int(s * 0.12), s // 2), max(1, s // 16))
    elif tile == Tile.TARGET:
        pygame.draw.circle(surface, _TARGET_RGB, (s // 2, s // 2), max(1, int(s * 0.2)), max(1, s // 16))
    elif tile == Tile.CRATE:
        margin = int(s * 0.1)
        box = rect(margin, margin, s - 2 * margin, s - 2 * margin)
        pygame.draw.rect(surface, _CRATE_RGB, box)
        edge = _TARGET_RGB if state == State.ON_TARGET else (90, 60, 30)
        pygame.draw.rect(surface, edge, box, max(1, s // 10))
        pygame.draw.line(surface, edge, box.topleft, box.bottomright, max(1, s // 16))
        pygame.draw.line(surface, edge, box.topright, box.bottomleft, max(1, s // 16))
    # Grid lines on the top and left edges, like a sheet of squared paper.
    pygame.draw.line(surface, _GRID_LINE_RGB, (0, 0), (s - 1, 0))
    pygame.draw.line(surface, _GRID_LINE_RGB, (0, 0), (0, s - 1))
    return surface


@lru_cache(maxsize=8)
def tile_atlas(tile_size: int) -> np.ndarray:
    """``atlas[highlighted, code]``: every cell code's tile as a ``(tile_size, tile_size, 3)`` image."""
    import pygame

    n_codes = N_TILES * N_COLOURS * N_STATES
    atlas = np.zeros((2, n_codes, tile_size, tile_size, 3), dtype=np.uint8)
    for tile in Tile:
        for colour in range(N_COLOURS):
            for state in range(N_STATES):
                surface = _draw_tile(pygame, tile_size, tile, colour, state)
                # surfarray is (x, y); the atlas is (row, column).
                atlas[0, CELL_CODE[tile, colour, state]] = pygame.surfarray.array3d(surface).transpose(
                    1, 0, 2
                )
    atlas[0, CELL_CODE[Tile.UNSEEN]] = 0
    atlas[1] = (atlas[0] + HIGHLIGHT * (255 - atlas[0].astype(np.float32))).astype(np.uint8)
    atlas.setflags(write=False)
    return atlas


@lru_cache(maxsize=8)
def agent_masks(tile_size: int) -> np.ndarray:
    """``(4, tile_size, tile_size)`` bool masks of the agent's arrow for each direction."""
    import pygame

    s = tile_size
    masks = np.zeros((4, s, s), dtype=bool)
    # An arrow pointing east, rotated a quarter turn clockwise per direction.
    points = [(0.12, 0.19), (0.87, 0.5), (0.12, 0.81)]
    for d in range(4):
        surface = pygame.Surface((s, s))
        surface.fill((0, 0, 0))
        turned = []
        for px, py in points:
            x, y = px - 0.5, py - 0.5
            for _ in range(d):
                x, y = -y, x
            turned.append((int((x + 0.5) * s), int((y + 0.5) * s)))
        pygame.draw.polygon(surface, (255, 255, 255), turned)
        masks[d] = pygame.surfarray.array2d(surface).T != 0
    masks.setflags(write=False)
    return masks


class GridRenderer:
    """Composes RGB frames of a :class:`~agentic_gym.envs.grid.engine.World` from cached tiles."""

    def __init__(self, tile_size: int = 32):
        self.tile_size = tile_size

    def frame(self, world: World, highlight: np.ndarray | None = None) -> np.ndarray:
        """The whole world as ``(height * tile_size, width * tile_size, 3)`` ``uint8``.

        ``highlight`` (a ``(height, width)`` bool mask, the agent's view) brightens the
        cells in view.
        """
        atlas = tile_atlas(self.tile_size)
        grid = world.grid
        height, width = grid.shape[:2]
        codes = CELL_CODE[grid[:, :, 0], grid[:, :, 1], grid[:, :, 2]]
        if highlight is None:
            tiles = atlas[0][codes]
        else:
            tiles = atlas[highlight.view(np.uint8), codes]
        t = self.tile_size
        frame = tiles.transpose(0, 2, 1, 3, 4).reshape(height * t, width * t, 3)
        y0, x0 = world.agent_y * t, world.agent_x * t
        frame[y0 : y0 + t, x0 : x0 + t][agent_masks(t)[world.agent_dir]] = AGENT_RGB
        return frame

    def view_frame(self, image: np.ndarray, direction: int | None = None) -> np.ndarray:
        """An agent's own view, drawn from its observation ``image`` alone.

        ``image`` is ``(v, v, 3)`` ``[tile, colour, state]`` with zeros where hidden (an
        ``obs["image"]``); hidden cells are black. ``direction`` None means an
        egocentric view: the agent at the bottom centre, facing up; otherwise the view
        is north-up with the agent at the centre facing ``direction``. Returns
        ``(v * tile_size, v * tile_size, 3)`` ``uint8``.
        """
        atlas = tile_atlas(self.tile_size)
        size = image.shape[0]
        codes = CELL_CODE[image[:, :, 0], image[:, :, 1], image[:, :, 2]]
        t = self.tile_size
        frame = atlas[0][codes].transpose(0, 2, 1, 3, 4).reshape(size * t, size * t, 3)
        row = size - 1 if direction is None else size // 2
        facing = int(Direction.NORTH) if direction is None else direction
        y0, x0 = row * t, (size // 2) * t
        frame[y0 : y0 + t, x0 : x0 + t][agent_masks(t)[facing]] = AGENT_RGB
        return frame
