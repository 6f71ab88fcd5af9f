"""OracleSignals: distance to success, progress, optimal actions and a stable state hash."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections import deque

import gymnasium as gym
import pytest

import agentic_gym
from agentic_gym.envs import ENV_IDS
from agentic_gym.envs.grid.engine import Action, distance_map, step_towards
from agentic_gym.envs.grid.maze import GridMaze
from agentic_gym.envs.grid.memory import GridMemory
from agentic_gym.wrappers import OracleSignals
from agentic_gym.wrappers.signals import ORACLE_OPTIMALITY, SIGNAL_KEYS, oracle_rollout, state_hash


def bfs_steps(env: gym.Env, limit: int = 200_000) -> int:
    """The fewest steps to success of a Discrete env, by breadth-first search over copies.

    States are told apart by their hash without the step count and what was seen
    (neither changes what an action does in these envs).
    """
    exclude = ("steps", "view", "seen", "_np_random")
    start = copy.deepcopy(env.unwrapped)
    seen = {state_hash(start, exclude)}
    frontier = deque([(start, 0)])
    while frontier:
        world, depth = frontier.popleft()
        for action in range(world.action_space.n):
            child = copy.deepcopy(world)
            _, _, terminated, _, info = child.step(action)
            if info["success"]:
                return depth + 1
            key = state_hash(child, exclude)
            if terminated or key in seen:
                continue
            seen.add(key)
            assert len(seen) < limit, "the search space is too large for this test"
            frontier.append((child, depth + 1))
    return -1


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_following_the_oracle_counts_down_to_zero(env_id):
    env = OracleSignals(gym.make(env_id))
    obs, info = env.reset(seed=4)
    assert set(SIGNAL_KEYS) - {"action_optimal"} <= set(info)
    left = info["oracle_steps_left"]
    assert left > 0 and info["progress"] == 0.0
    assert info["oracle_steps_exact"] is ORACLE_OPTIMALITY[type(env.unwrapped).__name__][0]
    progress = 0.0
    for expected in range(left - 1, -1, -1):
        obs, reward, terminated, truncated, info = env.step(env.unwrapped.oracle_action())
        assert info["oracle_steps_left"] == expected
        assert info["action_optimal"] is True
        assert progress <= info["progress"] <= 1.0
        progress = info["progress"]
    assert info["success"] and info["progress"] == 1.0


def test_default_path_adds_nothing():
    env = gym.make("agentic_gym/GridMaze-9x9-v0")
    _, info = env.reset(seed=0)
    _, _, _, _, info2 = env.step(0)
    assert not set(SIGNAL_KEYS) & (set(info) | set(info2))


def test_a_step_off_the_path_is_not_optimal_and_costs_distance():
    env = OracleSignals(GridMaze(size=9))
    _, info = env.reset(seed=0)
    # Walk the oracle's path to a forward move: in a corridor, turning there is off the path.
    while env.unwrapped.oracle_action() != 2:
        _, _, _, _, info = env.step(env.unwrapped.oracle_action())
    left = info["oracle_steps_left"]
    _, _, _, _, info = env.step(0)
    assert info["action_optimal"] is False
    assert info["oracle_steps_left"] > left - 1
    assert 0.0 <= info["progress"] < 1.0


def test_a_tool_step_is_not_optimal_in_the_maze():
    env = OracleSignals(GridMaze(size=9))
    _, info = env.reset(seed=2)
    left = info["oracle_steps_left"]
    _, _, _, _, info = env.step(4)  # compass: the world does not change
    assert info["oracle_steps_left"] == left and info["action_optimal"] is False


def test_a_lost_episode_has_no_steps_left():
    env = OracleSignals(GridMemory(size=7))
    env.reset(seed=0)
    base = env.unwrapped
    while True:  # walk to the decoy and touch it
        move = step_towards(base.world, distance_map(base.world, [base.other]), face=True)
        _, _, terminated, _, info = env.step(int(Action.FORWARD if move is None else move))
        if terminated:
            break
    assert not info["success"]
    assert info["oracle_steps_left"] == -1 and info["progress"] == 0.0 and info["action_optimal"] is False


def test_invalid_text_command_is_not_optimal():
    env = OracleSignals(gym.make("agentic_gym/ToolMath-2step-v0"))
    _, info = env.reset(seed=0)
    _, _, _, _, info = env.step("no such command")
    assert info["action_valid"] is False and info["action_optimal"] is False


@pytest.mark.parametrize(("cls", "size", "seeds"), [(GridMaze, 7, range(8)), (GridMemory, 7, range(12))])
def test_exact_oracles_match_breadth_first_search(cls, size, seeds):
    assert ORACLE_OPTIMALITY[cls.__name__][0]
    for seed in seeds:
        env = cls(size=size)
        env.reset(seed=seed)
        assert oracle_rollout(env, 1000)[0] == bfs_steps(env), seed


def test_state_hash_tells_states_apart_and_ignores_render_resources():
    a, b = GridMaze(size=9), GridMaze(size=9, render_mode="rgb_array")
    a.reset(seed=1)
    b.reset(seed=1)
    b.render()
    assert state_hash(a) == state_hash(b) == state_hash(copy.deepcopy(a))
    a.step(2)
    assert state_hash(a) != state_hash(b)
    c = GridMaze(size=9)
    c.reset(seed=2)
    assert state_hash(c) != state_hash(b)


_HASH_SCRIPT = """
import gymnasium as gym, agentic_gym
from agentic_gym.envs import ENV_IDS
from agentic_gym.wrappers.signals import state_hash
for env_id in ENV_IDS:
    env = gym.make(env_id)
    env.reset(seed=5)
    for _ in range(2):
        env.step(env.unwrapped.oracle_action())
    print(env_id, state_hash(env))
"""


def test_state_hash_is_the_same_in_every_process():
    root = os.path.dirname(os.path.dirname(agentic_gym.__file__))
    outputs = []
    for seed in ("0", "12345"):
        environ = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": root}
        result = subprocess.run([sys.executable, "-c", _HASH_SCRIPT], capture_output=True, text=True,
                                env=environ, check=True)
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) == len(ENV_IDS)


def test_cache_makes_a_revisited_state_free_and_agrees_with_a_fresh_rollout():
    env = OracleSignals(gym.make("agentic_gym/GridKeyDoor-8x8-v0"))
    _, info = env.reset(seed=3)
    fresh = OracleSignals(gym.make("agentic_gym/GridKeyDoor-8x8-v0"))
    for action in (0, 0, 2, 1, 5):
        _, _, _, _, info = env.step(action)
        assert info["oracle_steps_left"] == oracle_rollout(env, 640)[0]
    assert len(env._cache) >= info["oracle_steps_left"]
    assert fresh.cache_size == env.cache_size


def test_signals_compose_under_the_chat_layer():
    chat_env = agentic_gym.chat(OracleSignals(gym.make("agentic_gym/Recall-5facts-v0")))
    _, info = chat_env.reset(seed=0)
    left = info["oracle_steps_left"]
    _, _, _, _, info = chat_env.step("Action: " + chat_env.oracle_action())
    assert info["oracle_steps_left"] == left - 1 and info["action_optimal"] is True
    _, _, _, _, info = chat_env.step("I am thinking about it")  # a feedback turn: no env step
    assert info["action_valid"] is False


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="oracle_action"):
        OracleSignals(gym.make("CartPole-v1"))
    with pytest.raises(ValueError, match="cache_size"):
        OracleSignals(GridMaze(size=9), cache_size=0)


def test_a_rollout_stops_at_a_state_whose_distance_is_known():
    env = GridMaze(size=9)
    env.reset(seed=0)
    left, hashes = oracle_rollout(env, 1000)
    # Pretend the distance of the third state on the path were 100: the walk stops there.
    shortened, walked = oracle_rollout(env, 1000, known={hashes[2]: 100})
    assert shortened == 102 and walked == hashes[:2]
    assert oracle_rollout(env, 1000, known={hashes[2]: -1})[0] == left  # an unknown distance is walked


@pytest.mark.parametrize("env_id", ["agentic_gym/GridKeyDoor-6x6-v0", "agentic_gym/GridKeyDoor-8x8-v0",
                                    "agentic_gym/GridMaze-9x9-v0", "agentic_gym/GridMemory-S7-v0",
                                    "agentic_gym/TextAdventure-6rooms-v0"])
def test_the_oracle_takes_over_from_any_state_a_random_agent_reaches(env_id):
    """Where no action can lose the task, success stays within the oracle's reach."""
    from agentic_gym.agents.adversarial import AdmissibleRandom

    env = OracleSignals(gym.make(env_id))
    for seed in range(4):
        obs, info = env.reset(seed=seed)
        agent = AdmissibleRandom(env, seed)
        for _ in range(30):
            obs, _, terminated, truncated, info = env.step(agent.act(obs, info))
            if terminated or truncated:
                break
            assert info["oracle_steps_left"] > 0, seed


def test_keydoor_oracle_picks_up_a_key_dropped_in_its_way():
    env = OracleSignals(gym.make("agentic_gym/GridKeyDoor-8x8-v0"))
    env.reset(seed=1)
    base = env.unwrapped
    while (base.world.agent_x, base.world.agent_y) != base.door:  # walk into the open doorway
        env.step(base.oracle_action())
    _, _, _, _, info = env.step(4)  # drop the key in front, on the way to the goal
    assert info["action_valid"] and base.world.carrying[0] == 0
    assert info["oracle_steps_left"] > 0
    while not info["success"]:
        _, _, _, _, info = env.step(base.oracle_action())
