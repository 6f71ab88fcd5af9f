"""The batched grid vector envs against N single envs stepped in a loop (the differential test),
plus seeding, autoreset, pickling, determinism across processes and vector-env conformance."""

from __future__ import annotations

import hashlib
import os
import pickle
import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode, VectorEnv
from hypothesis import given, settings
from hypothesis import strategies as st

import agentic_gym  # noqa: F401 - registers the envs
from agentic_gym.envs import registered_ids
from agentic_gym.envs.grid.engine import Action, Colour, Direction, Event, State, Tile, World, visible_cells
from agentic_gym.envs.grid.sokoban_levels import Outcome, SokobanState
from agentic_gym.envs.grid.vector import (
    GridKeyDoorVector,
    GridVectorEnv,
    _event_table,
    sight_blockers,
    world_words,
)

GRID_IDS = tuple(i for i in registered_ids() if i.startswith("agentic_gym/Grid"))
#: Small variants, for the expensive checks.
SMALL_IDS = (
    "agentic_gym/GridKeyDoor-6x6-v0",
    "agentic_gym/GridMaze-9x9-v0",
    "agentic_gym/GridMemory-S7-v0",
    "agentic_gym/GridSokoban-6x6-v0",
)
#: Non-default views: multi-byte rows (9), small views, Sokoban's occluded centred view.
VIEW_VARIANTS = (
    ("agentic_gym/GridKeyDoor-8x8-v0", {"view_size": 9}),
    ("agentic_gym/GridKeyDoor-8x8-v0", {"view_size": 3}),
    ("agentic_gym/GridMaze-15x15-v0", {"view_size": 5}),
    ("agentic_gym/GridSokoban-8x8-v0", {"view_radius": 2}),
    ("agentic_gym/GridSokoban-6x6-v0", {"view_radius": 4}),
)


def make_vector(env_id: str, n: int, **kwargs) -> VectorEnv:
    return gym.make_vec(env_id, num_envs=n, vectorization_mode="vector_entry_point", **kwargs)


class LoopOfSingles:
    """N ``gym.make(id)`` envs stepped one by one with Gymnasium's NEXT_STEP autoreset."""

    def __init__(self, env_id: str, n: int, **kwargs):
        self.envs = [gym.make(env_id, **kwargs) for _ in range(n)]
        self.done = [False] * n

    def reset(self, seed: int) -> list:
        self.done = [False] * len(self.envs)
        return [env.reset(seed=seed + i) + (0.0, False, False) for i, env in enumerate(self.envs)]

    def step(self, actions) -> list:
        out = []
        for i, (env, action) in enumerate(zip(self.envs, actions)):
            if self.done[i]:
                obs, info = env.reset()
                out.append((obs, info, 0.0, False, False))
            else:
                obs, reward, terminated, truncated, info = env.step(int(action))
                out.append((obs, info, reward, terminated, truncated))
            self.done[i] = out[-1][3] or out[-1][4]
        return out

    def oracle(self) -> list[int]:
        return [int(env.unwrapped.oracle_action()) for env in self.envs]


def assert_same(vec: VectorEnv, obs, info, reward, terminated, truncated, expected, step: int, text: bool) -> None:
    unwrapped = vec.unwrapped
    texts = unwrapped.text() if text else None
    missions = unwrapped.mission()
    for i, (s_obs, s_info, s_reward, s_terminated, s_truncated) in enumerate(expected):
        where = f"env {i} at step {step}"
        np.testing.assert_array_equal(obs["image"][i], s_obs["image"], err_msg=where)
        assert obs["direction"][i] == s_obs["direction"], where
        assert reward[i] == s_reward, where
        assert terminated[i] == s_terminated, where
        assert truncated[i] == s_truncated, where
        assert info["success"][i] == s_info["success"], where
        assert info["action_valid"][i] == s_info["action_valid"], where
        assert missions[i] == s_obs["mission"], where
        if texts is not None:
            assert texts[i] == s_obs["text"], where


def run_both(env_id: str, n: int, seed: int, steps: int, policy, text: bool = True, **kwargs) -> dict[str, int]:
    """Step the vector env and the loop of singles side by side; count what happened."""
    vec = make_vector(env_id, n, **kwargs)
    ref = LoopOfSingles(env_id, n, **kwargs)
    obs, info = vec.reset(seed=seed)
    expected = ref.reset(seed)
    zeros = np.zeros(n)
    assert_same(vec, obs, info, zeros, zeros.astype(bool), zeros.astype(bool), expected, -1, text)
    seen = {"terminated": 0, "truncated": 0, "success": 0, "reset": 0}
    for t in range(steps):
        actions = policy(t, vec, ref)
        obs, reward, terminated, truncated, info = vec.step(actions)
        seen["reset"] += sum(ref.done)
        expected = ref.step(actions)
        assert_same(vec, obs, info, reward, terminated, truncated, expected, t, text)
        seen["terminated"] += int(terminated.sum())
        seen["truncated"] += int(truncated.sum())
        seen["success"] += int(info["success"].sum())
    vec.close()
    return seen


def mixed_policy(n_actions: int, seed: int, oracle_share: float):
    rng = np.random.default_rng(seed)

    def policy(t, vec, ref):
        actions = rng.integers(n_actions, size=vec.num_envs)
        if oracle_share:
            oracle = vec.unwrapped.oracle_action()
            assert oracle.tolist() == ref.oracle(), f"oracles differ at step {t}"
            use = rng.random(vec.num_envs) < oracle_share
            actions = np.where(use, oracle, actions)
        return actions

    return policy


# ---- the differential test ----------------------------------------------------------------


@settings(max_examples=50)
@given(
    env_id=st.sampled_from(GRID_IDS),
    n=st.integers(1, 4),
    seed=st.integers(0, 2**31 - 1),
    limit=st.integers(1, 40),
    policy_seed=st.integers(0, 2**16),
    oracle_share=st.sampled_from([0.0, 0.7, 1.0]),
)
def test_vector_env_matches_a_loop_of_single_envs(env_id, n, seed, limit, policy_seed, oracle_share):
    n_actions = gym.make(env_id).action_space.n
    run_both(
        env_id,
        n,
        seed,
        steps=2 * limit + 5,
        policy=mixed_policy(n_actions, policy_seed, oracle_share),
        max_episode_steps=limit,
    )


@settings(max_examples=30)
@given(
    env_id=st.sampled_from(SMALL_IDS),
    seed=st.integers(0, 1000),
    actions=st.lists(st.lists(st.integers(0, 6), min_size=3, max_size=3), max_size=60),
)
def test_drawn_action_sequences_match(env_id, seed, actions):
    n_actions = gym.make(env_id).action_space.n
    plan = [np.array([a % n_actions for a in row]) for row in actions]
    run_both(env_id, 3, seed, steps=len(plan), policy=lambda t, vec, ref: plan[t], max_episode_steps=25)


@pytest.mark.parametrize("env_id", GRID_IDS)
def test_long_random_runs_match_through_time_limits_and_successes(env_id):
    n_actions = gym.make(env_id).action_space.n
    seen = run_both(env_id, 4, 11, steps=150, policy=mixed_policy(n_actions, 3, 0.8), text=False, max_episode_steps=45)
    assert seen["truncated"] + seen["terminated"] > 0 and seen["reset"] > 0
    if env_id in SMALL_IDS:  # the oracle's share of the actions solves small levels in time
        assert seen["success"] > 0


@pytest.mark.parametrize("env_id", ["agentic_gym/GridSokoban-8x8-v0", "agentic_gym/GridSokoban-10x10-v0"])
def test_sokoban_pushes_and_wins_match(env_id):
    # Several crates: pushes into a crate or a wall are blocked, a crate leaves and re-enters targets.
    n_actions = gym.make(env_id).action_space.n
    seen = run_both(env_id, 3, 21, steps=160, policy=mixed_policy(n_actions, 4, 0.9), text=False)
    assert seen["success"] > 0


def test_the_push_rule_is_sokoban_states():
    # The engine blocks at a crate; the Sokoban family's table moves it by SokobanState's rule.
    forward = int(Action.FORWARD)
    for state in (State.NONE, State.ON_TARGET):
        for carry, fits in ((0, 0), (1, 0), (1, 1)):
            engine = _event_table(False)[forward, Tile.CRATE, state, carry, fits]
            pushes = _event_table(True)[forward, Tile.CRATE, state, carry, fits]
            assert engine.tolist() == [Event.BLOCKED, Event.BLOCKED]
            assert pushes.tolist() == [Event.BLOCKED, Event.PUSHED]
    probe = SokobanState.from_text("######\n#@$$-#\n######")
    assert probe.outcome(Direction.EAST) == Outcome.BLOCKED
    # Every other entry is the engine's.
    crate = np.zeros(_event_table(True).shape, dtype=bool)
    crate[forward, Tile.CRATE] = True
    np.testing.assert_array_equal(_event_table(True)[~crate], _event_table(False)[~crate])


@pytest.mark.parametrize(("env_id", "kwargs"), VIEW_VARIANTS, ids=lambda v: str(v))
def test_other_views_match(env_id, kwargs):
    n_actions = gym.make(env_id, **kwargs).action_space.n
    run_both(env_id, 3, 5, steps=80, policy=mixed_policy(n_actions, 1, 0.5), max_episode_steps=30, **kwargs)


def test_env_kwargs_reach_the_env_and_its_reward():
    # max_steps (the env's own limit, which the reward uses) differs from the time limit.
    n_actions = gym.make("agentic_gym/GridKeyDoor-6x6-v0").action_space.n
    seen = run_both(
        "agentic_gym/GridKeyDoor-6x6-v0",
        3,
        9,
        steps=100,
        policy=mixed_policy(n_actions, 2, 1.0),
        max_steps=25,
        max_episode_steps=60,
    )
    assert seen["truncated"] > 0 or seen["success"] > 0


def test_map_and_compass_texts_match():
    # GridMaze's map shows every cell seen this episode: the vector env must keep that memory.
    def policy(t, vec, ref):
        return np.full(vec.num_envs, 3 if t % 5 == 4 else (4 if t % 7 == 6 else [0, 1, 2, 2][t % 4]))

    run_both("agentic_gym/GridMaze-15x15-v0", 2, 4, steps=60, policy=policy)


def test_sight_lines_are_the_engines():
    # Every view cell's visibility over random opaque patterns, against the single engine.
    rng = np.random.default_rng(0)
    vec = GridKeyDoorVector(num_envs=1, size=9)
    for trial in range(200):
        world = World.empty(9, 9)
        walls = rng.random((7, 7)) < 0.3
        for y, x in zip(*np.nonzero(walls)):
            world.place(int(x) + 1, int(y) + 1, Tile.WALL, Colour.GREY)
        world.agent_x, world.agent_y = int(rng.integers(1, 8)), int(rng.integers(1, 8))
        world.place(world.agent_x, world.agent_y, Tile.FLOOR)
        world.agent_dir = Direction(int(rng.integers(4)))
        vec.words[:] = 0
        vec.words[vec._base[0] + vec.layout.cell_pos] = world_words(world.grid)
        vec.agent_pos[0] = vec._base[0] + world.agent_y * vec.layout.stride + world.agent_x
        vec.agent_dir[0] = world.agent_dir
        image = vec._observe()["image"][0]
        np.testing.assert_array_equal(image, visible_cells(world, 7).image.reshape(7, 7, 3), err_msg=str(trial))
    assert sight_blockers(7, False).any()


# ---- seeding, autoreset, resets ----------------------------------------------------------


def test_seed_lists_none_and_reset_mask_follow_sync_vector_env():
    env_id = "agentic_gym/GridKeyDoor-8x8-v0"
    vec = make_vector(env_id, 3)
    sync = gym.make_vec(env_id, num_envs=3, vectorization_mode="sync")
    for seed in ([5, 6, 7], 100):
        obs, _ = vec.reset(seed=seed)
        s_obs, _ = sync.reset(seed=seed)
        np.testing.assert_array_equal(obs["image"], s_obs["image"])
    # After a seeded reset, unseeded resets continue each env's generator, as the sync env does.
    vec.reset(seed=1)
    sync.reset(seed=1)
    for _ in range(3):
        obs, _ = vec.reset()
        s_obs, _ = sync.reset()
        np.testing.assert_array_equal(obs["image"], s_obs["image"])
        np.testing.assert_array_equal(obs["direction"], s_obs["direction"])
    mask = np.array([False, True, False])
    before = vec.unwrapped.mission()
    obs, info = vec.reset(seed=[None, 42, None], options={"reset_mask": mask})
    s_obs, s_info = sync.reset(seed=[None, 42, None], options={"reset_mask": mask.copy()})
    np.testing.assert_array_equal(obs["image"], s_obs["image"])
    assert info["_success"].tolist() == s_info["_success"].tolist() == mask.tolist()
    assert vec.unwrapped.mission()[0] == before[0]


def test_unseeded_first_reset_draws_fresh_levels():
    vec = make_vector("agentic_gym/GridKeyDoor-16x16-v0", 8)
    images = {vec.reset()[0]["image"].tobytes() for _ in range(3)}
    assert len(images) == 3


def test_autoreset_ignores_the_action_and_reports_the_new_episode():
    vec = make_vector("agentic_gym/GridKeyDoor-6x6-v0", 2, max_episode_steps=2)
    vec.reset(seed=0)
    vec.step(np.array([2, 2]))
    _, _, terminated, truncated, _ = vec.step(np.array([2, 2]))
    assert truncated.all() and not terminated.any()
    obs, reward, terminated, truncated, info = vec.step(np.array([0, 0]))
    assert not (terminated.any() or truncated.any() or info["success"].any()) and (reward == 0).all()
    assert (vec.unwrapped.steps == 0).all() and vec.unwrapped.text([0])[0].startswith("You face")
    assert vec.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP


@pytest.mark.parametrize("env_id", SMALL_IDS)
def test_same_step_autoreset_matches_sync_vector_env(env_id):
    kwargs = {"max_episode_steps": 12}
    vec = make_vector(env_id, 3, autoreset_mode=AutoresetMode.SAME_STEP, **kwargs)
    sync = gym.make_vec(
        env_id, num_envs=3, vectorization_mode="sync", vector_kwargs={"autoreset_mode": AutoresetMode.SAME_STEP}, **kwargs
    )
    assert vec.metadata["autoreset_mode"] == AutoresetMode.SAME_STEP
    obs, _ = vec.reset(seed=2)
    s_obs, _ = sync.reset(seed=2)
    rng = np.random.default_rng(0)
    ended = 0
    for t in range(40):
        oracle = vec.unwrapped.oracle_action()
        actions = np.where(rng.random(3) < 0.7, oracle, rng.integers(vec.single_action_space.n, size=3))
        obs, reward, terminated, truncated, info = vec.step(actions)
        s_obs, s_reward, s_terminated, s_truncated, s_info = sync.step(actions)
        np.testing.assert_array_equal(obs["image"], s_obs["image"], err_msg=str(t))
        np.testing.assert_array_equal(obs["direction"], s_obs["direction"])
        for mine, theirs in ((reward, s_reward), (terminated, s_terminated), (truncated, s_truncated)):
            np.testing.assert_array_equal(mine, theirs)
        np.testing.assert_array_equal(info["success"], s_info["success"])
        assert ("final_obs" in info) == ("final_obs" in s_info)
        if "final_obs" in info:
            ended += 1
            np.testing.assert_array_equal(info["_final_obs"], s_info["_final_obs"])
            np.testing.assert_array_equal(info["final_info"]["success"], s_info["final_info"]["success"])
            for i in np.flatnonzero(info["_final_obs"]):
                np.testing.assert_array_equal(info["final_obs"][i]["image"], s_info["final_obs"][i]["image"])
                assert info["final_obs"][i]["direction"] == s_info["final_obs"][i]["direction"]
    assert ended > 0


# ---- conformance ----------------------------------------------------------------------


@pytest.mark.parametrize("env_id", GRID_IDS)
def test_make_vec_defaults_to_the_native_env_and_its_spaces_hold_the_observations(env_id):
    vec = gym.make_vec(env_id, num_envs=3)
    assert isinstance(vec.unwrapped, GridVectorEnv)
    assert vec.spec is not None and vec.spec.id == env_id
    single = gym.make(env_id)
    size = single.observation_space["image"].shape
    assert vec.single_observation_space["image"].shape == size
    assert vec.observation_space["image"].shape == (3, *size)
    assert vec.single_action_space == single.action_space
    obs, info = vec.reset(seed=0)
    assert vec.observation_space.contains(obs) and set(info) >= {"success", "action_valid"}
    previous = obs
    for _ in range(5):
        obs, reward, terminated, truncated, info = vec.step(vec.action_space.sample())
        assert vec.observation_space.contains(obs)
        assert reward.dtype == np.float64 and reward.shape == (3,)
        assert terminated.dtype == truncated.dtype == np.bool_
        assert info["success"].dtype == np.bool_
        # Fresh arrays every call (the data is never reused).
        assert not np.shares_memory(obs["image"], previous["image"])
        assert not np.shares_memory(obs["direction"], previous["direction"])
        previous = obs
    vec.close()


def test_bad_arguments_are_refused_clearly():
    vec = make_vector("agentic_gym/GridKeyDoor-6x6-v0", 2)
    vec.reset(seed=0)
    for bad in (np.array([0, 7]), np.array([-1, 0]), np.array([0.5, 1.0]), np.array([1, 2, 3]), "forward"):
        with pytest.raises(ValueError, match="actions must"):
            vec.step(bad)
    with pytest.raises(ValueError, match="num_envs"):
        make_vector("agentic_gym/GridKeyDoor-6x6-v0", 0)
    with pytest.raises(ValueError, match="DISABLED"):
        GridKeyDoorVector(num_envs=2, autoreset_mode=AutoresetMode.DISABLED)
    with pytest.raises(ValueError, match="size"):
        make_vector("agentic_gym/GridKeyDoor-6x6-v0", 2, size=3)
    with pytest.raises(ValueError, match="seeds"):
        vec.reset(seed=[1, 2, 3])
    with pytest.raises(IndexError):
        vec.unwrapped.text([5])
    with pytest.raises(ValueError, match="reset options"):
        vec.reset(options={"other": 1})


def test_call_text_and_render():
    vec = make_vector("agentic_gym/GridMemory-S7-v0", 2, render_mode="ansi")
    vec.reset(seed=3)
    assert vec.unwrapped.call("text", [1]) == vec.unwrapped.text([1])
    assert vec.unwrapped.call("num_envs") == 2
    frames = vec.render()
    assert len(frames) == 2 and all(isinstance(f, str) for f in frames)


def step_digest(env_id: str, n: int, steps: int) -> str:
    vec = make_vector(env_id, n, max_episode_steps=20)
    obs, _ = vec.reset(seed=123)
    rng = np.random.default_rng(0)
    digest = hashlib.sha256(obs["image"].tobytes())
    for _ in range(steps):
        obs, reward, terminated, truncated, info = vec.step(rng.integers(vec.single_action_space.n, size=n))
        for part in (obs["image"], obs["direction"], reward, terminated, truncated, info["success"]):
            digest.update(np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()


def test_identical_in_another_process():
    env_id = "agentic_gym/GridMaze-9x9-v0"
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from tests.envs.grid.test_vector import step_digest;"
        f"print(step_digest({env_id!r}, 5, 60))"
    )
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    out = subprocess.run(
        [sys.executable, "-c", code, root],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "77"},
        cwd=root,
    ).stdout.strip()
    assert out == step_digest(env_id, 5, 60)


@pytest.mark.parametrize("env_id", SMALL_IDS)
def test_pickles_mid_episode_and_resumes_identically(env_id):
    vec = make_vector(env_id, 3, max_episode_steps=15)
    vec.reset(seed=8)
    rng = np.random.default_rng(1)
    n_actions = vec.single_action_space.n
    for _ in range(10):
        vec.step(rng.integers(n_actions, size=3))
    copy = pickle.loads(pickle.dumps(vec))
    for _ in range(25):
        actions = rng.integers(n_actions, size=3)
        a = vec.step(actions)
        b = copy.step(actions)
        np.testing.assert_array_equal(a[0]["image"], b[0]["image"])
        for x, y in zip(a[1:4], b[1:4]):
            np.testing.assert_array_equal(x, y)
    assert vec.unwrapped.text() == copy.unwrapped.text()
    assert vec.unwrapped.oracle_action().tolist() == copy.unwrapped.oracle_action().tolist()
