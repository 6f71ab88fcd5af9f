"""Perception: ``obs_mode`` and the proof that text and image carry the same cells.

Two decoders read an observation back into the cell code of every view slot: one from
the pixels of :meth:`GridEnv.agent_view_frame` (exact, since every frame is a gather
from the shared tile atlas), one from the ``obs_mode="text"`` words. On every step of
many seeds of every grid env both give the true cells of ``obs["image"]`` (up to what
the tiles draw alike, e.g. a wall's colour), so neither view tells more than the other.
"""

from __future__ import annotations

from functools import cache

import gymnasium as gym
import numpy as np
import pytest

import agentic_gym  # noqa: F401
from agentic_gym.envs import registered_ids
from agentic_gym.envs.grid.base import OBS_MODES, GridEnv
from agentic_gym.envs.grid.describe import CELL_CODE, LISTED, PHRASES, VIEW_CHARS, WALKABLE
from agentic_gym.envs.grid.engine import Colour, State, Tile, view_slots
from agentic_gym.envs.grid.render import agent_masks, tile_atlas

TILE = 16  # from 16 pixels on, no cell the agent stands on hides under its arrow
GRID_IDS = [i for i in registered_ids() if i.split("/")[1].startswith("Grid") and "-Vision-" not in i]
VISION_IDS = [i for i in registered_ids() if i.split("/")[1].startswith("Grid") and "-Vision-" in i]


def make(env_id: str, obs_mode: str) -> GridEnv:
    spec = gym.spec(env_id)
    kwargs = {**spec.kwargs, "obs_mode": obs_mode, "tile_size": TILE}
    return gym.make(env_id, **kwargs).unwrapped


# ---- the pixel decoder ------------------------------------------------------------


@cache
def tile_classes() -> tuple[np.ndarray, dict[bytes, int], list[dict[bytes, int]]]:
    """``canon[code]`` (the first code drawn with the same pixels), the code of each
    tile's bytes, and per facing the code of the bytes outside the agent's arrow of each
    cell the agent can stand on."""
    atlas = tile_atlas(TILE)[0]
    whole: dict[bytes, int] = {}
    canon = np.zeros(len(atlas), dtype=np.intp)
    for code, tile in enumerate(atlas):
        canon[code] = whole.setdefault(tile.tobytes(), code)
    masked: list[dict[bytes, int]] = []
    for arrow in agent_masks(TILE):
        under: dict[bytes, int] = {}
        for code, tile in enumerate(atlas):
            if WALKABLE[code]:
                under.setdefault(tile[~arrow].tobytes(), int(canon[code]))
        masked.append(under)
    return canon, whole, masked


def decode_frame(frame: np.ndarray, size: int, centred: bool, direction: int) -> list[int]:
    """The cell code of every view slot read from an agent-view frame's pixels."""
    canon, whole, masked = tile_classes()
    agent = view_slots(size, centred)[2]
    facing = direction if centred else 3
    arrow = agent_masks(TILE)[facing]
    codes = []
    for slot in range(size * size):
        r, c = divmod(slot, size)
        tile = frame[r * TILE : (r + 1) * TILE, c * TILE : (c + 1) * TILE]
        if slot == agent:
            # The arrow hides part of the tile: read it from the pixels left.
            code = masked[facing][tile[~arrow].tobytes()]
        else:
            code = whole[tile.tobytes()]
        codes.append(int(canon[code]))
    return codes


# ---- the text decoder ---------------------------------------------------------------

_CODE_OF_CHARS = {}
for _code, _chars in enumerate(VIEW_CHARS):
    _CODE_OF_CHARS.setdefault(_chars, _code)
_CODE_OF_PHRASE = {}
for _code, _phrase in enumerate(PHRASES):
    if LISTED[_code]:
        _CODE_OF_PHRASE.setdefault(_phrase, _code)
FLOOR = int(CELL_CODE[Tile.FLOOR, Colour.GREY, State.NONE])
_SOKOBAN_CHARS = {
    "#": CELL_CODE[Tile.WALL, Colour.GREY, State.NONE],
    "-": CELL_CODE[Tile.FLOOR, Colour.GREY, State.NONE],
    ".": CELL_CODE[Tile.TARGET, Colour.GREY, State.NONE],
    "$": CELL_CODE[Tile.CRATE, Colour.GREY, State.NONE],
    "*": CELL_CODE[Tile.CRATE, Colour.GREY, State.ON_TARGET],
    "@": CELL_CODE[Tile.FLOOR, Colour.GREY, State.NONE],
    "+": CELL_CODE[Tile.TARGET, Colour.GREY, State.NONE],
    "?": 0,
}


def decode_text(text: str, size: int, centred: bool) -> list[int]:
    """The cell code of every view slot read from an ``obs_mode="text"`` observation."""
    canon = tile_classes()[0]
    lines = text.split("\n")
    agent = view_slots(size, centred)[2]
    codes = [0] * (size * size)
    own = [i for i, line in enumerate(lines) if line.startswith("Map (north is up;")]
    if own:
        # GridSokoban's own map: cropped to the rows and columns in view, the agent at the centre.
        after = lines[own[0] + 1 :]
        rows = after[: next(i for i, line in enumerate(after) if line[:1] not in "#-.$*@+?")]
        ar, ac = next((r, row.index(ch)) for r, row in enumerate(rows) for ch in "@+" if ch in row)
        for r, row in enumerate(rows):
            for c, ch in enumerate(row):
                codes[(agent // size + r - ar) * size + agent % size + c - ac] = int(canon[_SOKOBAN_CHARS[ch]])
        return codes
    start = next(i for i, line in enumerate(lines) if line.startswith("Map of your view")) + 1
    for r, row in enumerate(lines[start : start + size]):
        for c in range(0, len(row), 2):
            chars = row[c : c + 2].ljust(2)
            if chars != "@@":
                codes[r * size + c // 2] = int(canon[_CODE_OF_CHARS[chars]])
    stand = [line for line in lines if line.startswith("You stand on ")]
    codes[agent] = int(canon[_CODE_OF_PHRASE[stand[0][13:-1]] if stand else FLOOR])
    return codes


def true_codes(obs: dict) -> list[int]:
    canon = tile_classes()[0]
    image = obs["image"]
    return [int(c) for c in canon[CELL_CODE[image[..., 0], image[..., 1], image[..., 2]].ravel()]]


def test_every_cell_the_agent_stands_on_is_readable_around_its_arrow():
    atlas = tile_atlas(TILE)[0]
    canon, _, masked = tile_classes()
    for facing, arrow in enumerate(agent_masks(TILE)):
        for code, tile in enumerate(atlas):
            if WALKABLE[code]:
                assert masked[facing][tile[~arrow].tobytes()] == canon[code]


@pytest.mark.parametrize("env_id", GRID_IDS)
def test_text_and_image_carry_the_same_cells(env_id):
    env = make(env_id, "text")
    size, centred = env.view_size, env.centred_view
    rng = np.random.default_rng(0)
    steps = 0
    # At least 30 seeds and 300 checked steps (tiny tiers end in a few steps: more seeds).
    for seed in range(300):
        if seed >= 30 and steps >= 300:
            break
        obs, info = env.reset(seed=seed)
        for t in range(40):
            truth = true_codes(obs)
            frame = env.agent_view_frame()
            assert decode_frame(frame, size, centred, obs["direction"]) == truth
            assert decode_text(obs["text"], size, centred) == truth
            steps += 1
            action = env.oracle_action() if t % 3 else int(rng.integers(env.action_space.n))
            obs, _, terminated, truncated, info = env.step(action)
            if terminated or truncated:
                break
    assert steps >= 300


@pytest.mark.parametrize("env_id", GRID_IDS)
def test_the_modes_differ_only_in_the_text(env_id):
    envs = {mode: make(env_id, mode) for mode in OBS_MODES}
    for seed in range(3):
        first = {mode: env.reset(seed=seed) for mode, env in envs.items()}
        assert len({obs["image"].tobytes() for obs, _ in first.values()}) == 1
        for _ in range(30):
            action = envs["both"].oracle_action()
            results = {mode: env.step(action) for mode, env in envs.items()}
            images = {r[0]["image"].tobytes() for r in results.values()}
            assert len(images) == 1
            assert len({(r[1], r[2], r[3], r[4]["success"]) for r in results.values()}) == 1
            # What the agent was told (the first line) and carries may name an object;
            # nothing else may.
            text = results["image"][0]["text"].split("\n")[-1].split(" You carry ")[0]
            # No cell is named: no object phrase, no map, no way ahead.
            assert "Map" not in text and " ahead" not in text and "right in front" not in text
            assert not any(p in text for p, listed in zip(PHRASES, LISTED) if listed and p)
            if results["both"][2]:
                break


@pytest.mark.parametrize("env_id", VISION_IDS)
def test_vision_variants_need_perception_and_others_do_not(env_id):
    env = gym.make(env_id)
    assert env.unwrapped.obs_mode == "image"
    assert "perception" in env.unwrapped.metadata["capabilities"]
    plain = gym.make(env_id.replace("-Vision", ""))
    assert plain.unwrapped.obs_mode == "both"
    assert "perception" not in plain.unwrapped.metadata["capabilities"]
    # Instance metadata: the class keeps its own.
    assert "perception" not in type(env.unwrapped).metadata["capabilities"]


@pytest.mark.parametrize("bad", ["pixels", "", None, 3, "IMAGE"])
def test_obs_mode_is_validated(bad):
    from agentic_gym.envs.grid.keydoor import GridKeyDoor

    with pytest.raises(ValueError, match="obs_mode must be one of 'text', 'image', 'both'"):
        GridKeyDoor(obs_mode=bad)


def test_image_mode_text_holds_facing_carrying_and_what_was_said():
    from agentic_gym.envs.grid.keydoor import GridKeyDoor

    env = GridKeyDoor(size=6, obs_mode="image")
    obs, info = env.reset(seed=3)
    assert obs["text"].startswith("You see your view in the image. You face ")
    assert obs["text"].endswith("You carry nothing.")
    while env.world.carrying[0] != Tile.KEY:
        obs, *_ = env.step(env.oracle_action())
    assert obs["text"].startswith("You pick it up.\n")
    assert obs["text"].endswith("You carry a " + PHRASES[CELL_CODE[Tile.KEY, env.world.carrying[1], 0]][2:] + ".")
