"""Grid-family guarantees at the edges: memoised views equal fresh ones, actions outside the
space are refused, constructor arguments are checked, oracles name affordances, and the
agent-view frame shows nothing the agent cannot see."""

from __future__ import annotations

import copy
import time

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import agentic_gym  # noqa: F401 - registers the envs
from agentic_gym.core import CHARSET
from agentic_gym.envs.grid import describe
from agentic_gym.envs.grid.base import MAX_SIZE, GridEnv, check_int
from agentic_gym.envs.grid.engine import OPAQUE, Colour, State, Tile, view_image, visible_mask
from agentic_gym.envs.grid.keydoor import GridKeyDoor
from agentic_gym.envs.grid.maze import GridMaze
from agentic_gym.envs.grid.memory import GridMemory
from agentic_gym.envs.grid.render import GridRenderer
from agentic_gym.envs.grid.sokoban import MAX_SOKOBAN_SIZE, GridSokoban

GRID_IDS = sorted(i for i in gym.registry if i.startswith("agentic_gym/Grid"))
CLASSES = (GridKeyDoor, GridMaze, GridMemory, GridSokoban)
_CHARS = frozenset(CHARSET)


def make(env_id: str) -> GridEnv:
    return gym.make(env_id).unwrapped


def fresh_text(env: GridEnv) -> str:
    """The view's text computed from scratch: no env memo, no text memo."""
    describe._MEMO.clear()
    return env.view_text(env.look())


# ---- the memoised view is the fresh view ------------------------------------------------


@pytest.mark.parametrize("env_id", [*GRID_IDS, "sokoban-radius-2"])
def test_memoised_observations_equal_fresh_ones(env_id):
    env = make_view_env(env_id)
    rng = np.random.default_rng(len(env_id))
    changed = 0
    for seed in range(8):
        obs, _ = env.reset(seed=seed)
        for _ in range(150):
            before = env.world.grid.copy()
            # Half oracle moves, so keys are picked up, doors opened and crates pushed.
            action = env.oracle_action() if rng.random() < 0.5 else int(rng.integers(env.action_space.n))
            obs, _, terminated, truncated, _ = env.step(action)
            changed += not np.array_equal(before, env.world.grid)
            view = env.look()
            assert np.array_equal(obs["image"], view_image(view))
            assert obs["text"].endswith(fresh_text(env))
            assert set(obs["text"]) <= _CHARS and env.observation_space.contains(obs)
            if terminated or truncated:
                break
    if "KeyDoor" in env_id or "Sokoban" in env_id:
        assert changed, "some steps changed the grid, so the memo was invalidated"


def test_a_change_to_the_grid_outside_any_step_is_seen():
    env = GridKeyDoor(size=8)
    env.reset(seed=0)
    for _ in range(4):  # face a floor cell; every view on the way is memoised
        x, y = env.world.front()
        if env.world.grid[y, x, 0] == Tile.FLOOR:
            break
        env.step(0)
    assert env.world.grid[y, x, 0] == Tile.FLOOR
    env.world.place(x, y, Tile.BALL, Colour.BLUE)
    obs, *_ = env.step(0)
    obs, *_ = env.step(1)
    assert "A blue ball is 1 step ahead." in obs["text"]


# ---- actions outside the space ---------------------------------------------------------

OUTSIDE = [
    1.5,
    1.0,
    np.float64(1.0),
    True,
    False,
    np.bool_(True),
    "1",
    None,
    -1,
    10**100,
    [1],
    np.array([1]),
    2.0j,
]


@pytest.mark.parametrize("env_id", GRID_IDS)
def test_actions_outside_the_space_are_refused_and_cost_a_step(env_id):
    env = make(env_id)
    obs, _ = env.reset(seed=0)
    n = env.action_space.n
    for action in [*OUTSIDE, n, n + 1]:
        assert not env.action_space.contains(action) or isinstance(action, (bool, np.bool_))
        steps, grid = env.steps, env.world.grid.copy()
        position = (env.world.agent_x, env.world.agent_y, env.world.agent_dir)
        new, reward, terminated, truncated, info = env.step(action)
        assert info["action_valid"] is False and reward == 0.0 and not terminated
        assert env.steps == steps + 1
        assert np.array_equal(env.world.grid, grid)
        assert (env.world.agent_x, env.world.agent_y, env.world.agent_dir) == position
        assert np.array_equal(new["image"], obs["image"])
        assert new["text"].startswith("Invalid action ")
        assert (
            f"0 ({env.affordances[0].name})" in new["text"]
            and f"{n - 1} ({env.affordances[-1].name})" in new["text"]
        )
        assert env.observation_space.contains(new)
    # Whole numbers of any integer type are actions.
    for action in (np.int64(0), np.array(0), np.uint8(0)):
        new, *_ = env.step(action)
        assert not new["text"].startswith("Invalid action")


def test_refused_actions_run_into_the_step_limit():
    env = GridMaze(size=9, max_steps=3)
    env.reset(seed=0)
    results = [env.step(1.5) for _ in range(3)]
    assert [r[3] for r in results] == [False, False, True]
    assert not any(r[2] for r in results)


def test_the_refusal_quotes_at_most_a_short_sanitised_echo():
    env = GridKeyDoor(size=6)
    env.reset(seed=0)
    obs, *_ = env.step("\u00e9" * 5000)
    first = obs["text"].split("\n")[0]
    assert len(first) < 200 and set(first) <= _CHARS


# ---- constructor arguments -------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"size": "8"}, TypeError, "size must be"),
        ({"size": 8.0}, TypeError, "size must be"),
        ({"size": True}, TypeError, "size must be"),
        ({"size": -1}, ValueError, "size must be"),
        ({"size": 1000}, ValueError, "size must be"),
        ({"max_steps": 0}, ValueError, "max_steps must be"),
        ({"max_steps": "10"}, TypeError, "max_steps must be"),
        ({"tile_size": 0}, ValueError, "tile_size must be"),
        ({"tile_size": 10_000}, ValueError, "tile_size must be"),
    ],
)
def test_bad_constructor_arguments_name_the_argument_and_its_range(cls, kwargs, error, words):
    with pytest.raises(error, match=words) as caught:
        cls(**kwargs)
    assert "[" in str(caught.value), "the message names the valid range"


@pytest.mark.parametrize("cls", (GridKeyDoor, GridMaze, GridMemory))
@pytest.mark.parametrize("view_size", [0, 4, 13, "7"])
def test_view_size_is_checked(cls, view_size):
    with pytest.raises((TypeError, ValueError), match="view_size must be an odd integer in"):
        cls(view_size=view_size)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"size": -1}, "size must be an integer in \\[6, 16\\]"),
        ({"size": 30}, "size must be"),
        ({"boxes": 0}, "boxes must be"),
        ({"boxes": 7}, "boxes must be"),
        ({"view_radius": 0}, "view_radius must be"),
        ({"view_radius": 9}, "view_radius must be"),
        ({"obstacles": -2}, "obstacles must be"),
        ({"min_pushes": -1}, "min_pushes must be"),
    ],
)
def test_sokoban_arguments_are_checked(kwargs, words):
    with pytest.raises(ValueError, match=words):
        GridSokoban(**kwargs)


def test_check_int_accepts_numpy_integers_and_rejects_the_rest():
    assert check_int("size", np.int32(9), 5, 9, odd=True) == 9
    with pytest.raises(ValueError, match="odd"):
        check_int("size", 8, 5, 9, odd=True)
    with pytest.raises(TypeError, match="a huge integer|list"):
        check_int("size", [8], 5, 9)


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (GridKeyDoor, {"size": MAX_SIZE}),
        (GridMaze, {"size": MAX_SIZE - 1}),
        (GridMemory, {"size": MAX_SIZE - 1}),
        (GridSokoban, {"size": MAX_SOKOBAN_SIZE}),
        (GridSokoban, {"size": MAX_SOKOBAN_SIZE, "boxes": 6}),
        (GridSokoban, {"size": 8, "view_radius": 5}),
    ],
)
def test_the_largest_sizes_reset_in_well_under_50_ms(cls, kwargs):
    env = cls(**kwargs)
    env.reset(seed=0)
    times = []
    for seed in range(1, 12):
        start = time.process_time()
        env.reset(seed=seed)
        times.append(time.process_time() - start)
    assert sorted(times)[len(times) // 2] < 0.05


# ---- oracles name affordances ----------------------------------------------------------


def reordered(cls: type[GridEnv]) -> type[GridEnv]:
    """``cls`` with its affordances (and their engine actions) in reverse order: tools first."""
    order = range(len(cls.affordances) - 1, -1, -1)
    return type(
        f"Reordered{cls.__name__}",
        (cls,),
        {
            "affordances": tuple(cls.affordances[i] for i in order),
            "engine_actions": tuple(cls.engine_actions[i] for i in order),
        },
    )


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (GridKeyDoor, {"size": 8}),
        (GridMaze, {"size": 9}),
        (GridMemory, {"size": 7}),
        (GridSokoban, {"size": 6, "boxes": 1}),
        (GridSokoban, {"size": 8, "boxes": 2}),
    ],
)
def test_oracles_solve_an_env_whose_affordances_come_in_another_order(cls, kwargs):
    env = reordered(cls)(**kwargs)
    assert env.affordances[0] != cls.affordances[0]
    for seed in range(25):
        env.reset(seed=seed)
        while True:
            _, _, terminated, truncated, info = env.step(env.oracle_action())
            if terminated or truncated:
                break
        assert info["success"], f"{cls.__name__} seed {seed}"


# ---- the agent's own view as pixels ----------------------------------------------------

VIEW_ENVS = [*GRID_IDS, "sokoban-radius-2"]
_TRANSPARENT = [
    (Tile.FLOOR, 5, 0),
    (Tile.KEY, 0, 0),
    (Tile.BALL, 2, 0),
    (Tile.GOAL, 1, 0),
    (Tile.LAVA, 4, 0),
    (Tile.DOOR, 3, State.OPEN),
    (Tile.TARGET, 5, 0),
]
_OPAQUE = [(Tile.WALL, 5, 0), (Tile.DOOR, 0, State.LOCKED), (Tile.DOOR, 2, State.CLOSED)]


def make_view_env(name: str) -> GridEnv:
    if name == "sokoban-radius-2":
        return GridSokoban(size=8, boxes=2, view_radius=2, tile_size=8)
    return gym.make(name, tile_size=8).unwrapped


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(VIEW_ENVS),
    seed=st.integers(0, 2**16),
    actions=st.lists(st.integers(0, 6), max_size=20),
    mutations=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), min_size=1, max_size=30),
)
def test_states_that_differ_only_where_the_agent_cannot_see_give_identical_view_frames(
    name, seed, actions, mutations
):
    a = make_view_env(name)
    obs, _ = a.reset(seed=seed)
    for action in actions:
        obs, _, terminated, truncated, _ = a.step(action % a.action_space.n)
        if terminated or truncated:
            break
    b = copy.deepcopy(a)
    hidden = np.flatnonzero(~visible_mask(a.world, a.view))
    grid = b.world.grid.reshape(-1, 3)
    agent = a.world.agent_y * a.world.width + a.world.agent_x
    for pick, kind in mutations:
        if len(hidden) == 0:
            break
        cell = int(hidden[pick % len(hidden)])
        if cell == agent:
            continue
        opaque = bool(OPAQUE[grid[cell, 0], grid[cell, 2]])
        options = _OPAQUE if opaque else _TRANSPARENT
        grid[cell] = options[kind % len(options)]
    b.view = b.look()  # the view of the changed world (sight lines depend only on opacity)
    frame_a, frame_b = a.agent_view_frame(), b.agent_view_frame()
    assert frame_a.dtype == np.uint8 and frame_a.shape == (a.view_size * 8, a.view_size * 8, 3)
    assert frame_a.tobytes() == frame_b.tobytes()
    # The frame is a function of the observation alone.
    direction = obs["direction"] if a.centred_view else None
    assert np.array_equal(frame_a, GridRenderer(8).view_frame(obs["image"], direction))


def test_the_view_frame_hides_what_the_full_render_shows():
    env = gym.make("agentic_gym/GridKeyDoor-8x8-v0", render_mode="rgb_array", tile_size=8).unwrapped
    env.reset(seed=0)
    goal = env.world.find(Tile.GOAL)[0]
    assert not visible_mask(env.world, env.view)[goal[1], goal[0]], "seed 0 starts with the goal out of sight"
    frame = env.agent_view_frame()
    atlas_goal = GridRenderer(8).view_frame(np.array([[[Tile.GOAL, Colour.GREEN, 0]]], dtype=np.uint8))
    goal_rgb = atlas_goal[4, 1]  # inside the goal tile, clear of the arrow and the grid line
    assert not (frame.reshape(-1, 3) == goal_rgb).all(axis=1).any(), "no goal pixels in the agent's view"
    assert (env.render().reshape(-1, 3) == goal_rgb).all(axis=1).any(), "the full map shows the goal"
