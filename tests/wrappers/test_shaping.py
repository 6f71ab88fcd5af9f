"""PotentialShaping: F = gamma * Phi(s') - Phi(s) leaves the oracle's path optimal."""

from __future__ import annotations

import copy

import gymnasium as gym
import numpy as np
import pytest

from agentic_gym.envs.grid.maze import GridMaze
from agentic_gym.envs.grid.memory import GridMemory
from agentic_gym.wrappers import OracleSignals, PotentialShaping


def best_shaped_return(env: PotentialShaping, depth: int, gamma: float) -> float:
    """The highest shaped discounted return over every action sequence of up to ``depth`` steps."""
    best = -np.inf
    cache = env.env._cache  # shared by every copy: it is keyed by the full state's hash
    for action in range(env.action_space.n):
        child = copy.deepcopy(env, {id(cache): cache})
        _, reward, terminated, _, _ = child.step(action)
        tail = 0.0 if terminated or depth == 1 else best_shaped_return(child, depth - 1, gamma)
        best = max(best, float(reward) + gamma * tail)
    return best


def oracle_shaped_return(env: PotentialShaping, gamma: float) -> tuple[float, int]:
    total, discount, steps = 0.0, 1.0, 0
    while True:
        _, reward, terminated, _, _ = env.step(env.unwrapped.oracle_action())
        total += discount * float(reward)
        discount *= gamma
        steps += 1
        if terminated:
            return total, steps


@pytest.mark.parametrize(("make", "seed", "gamma"), [(lambda: GridMaze(size=5), 14, 0.9),
                                                     (lambda: GridMaze(size=5), 28, 1.0),
                                                     (lambda: GridMemory(size=7), 13, 0.9),
                                                     (lambda: GridMemory(size=7), 17, 0.99)])
def test_the_oracle_path_maximises_the_shaped_return(make, seed, gamma):
    env = PotentialShaping(make(), gamma=gamma)
    env.reset(seed=seed)
    start = copy.deepcopy(env)
    oracle_return, steps = oracle_shaped_return(env, gamma)
    assert steps <= 6, "pick a seed whose brute force stays small"
    # Every sequence as long as the oracle's (shorter ones end early by termination).
    best = best_shaped_return(start, steps, gamma)
    assert oracle_return == pytest.approx(best, abs=1e-9)


def test_shaping_telescopes_and_leaves_the_unit_interval():
    gamma = 0.95
    env = PotentialShaping(gym.make("agentic_gym/GridKeyDoor-6x6-v0"), gamma=gamma)
    _, info = env.reset(seed=1)
    phi0 = info["potential"]
    assert -1.0 <= phi0 < 0.0
    rng = np.random.default_rng(0)
    total, discount, rewards = 0.0, 1.0, []
    for _ in range(25):
        _, reward, terminated, truncated, info = env.step(int(rng.integers(7)))
        total += discount * info["shaping"]
        rewards.append(float(reward))
        discount *= gamma
        if terminated or truncated:
            break
    assert total == pytest.approx(discount * info["potential"] - phi0)
    assert min(rewards) < 0.0  # a step away from the goal is penalised


def test_shaping_reuses_signals_already_in_the_chain():
    inner = OracleSignals(gym.make("agentic_gym/Recall-5facts-v0"))
    env = PotentialShaping(inner, gamma=0.99)
    assert env.env is inner
    _, info = env.reset(seed=0)
    _, reward, _, _, info = env.step(env.unwrapped.oracle_action())
    assert reward == pytest.approx(info["shaping"]) and reward > 0


def test_terminal_potential_is_zero_even_when_lost():
    env = PotentialShaping(GridMemory(size=7), gamma=1.0)
    _, info = env.reset(seed=0)
    base = env.unwrapped
    from agentic_gym.envs.grid.engine import Action, distance_map, step_towards

    while True:
        move = step_towards(base.world, distance_map(base.world, [base.other]), face=True)
        _, reward, terminated, _, info = env.step(int(Action.FORWARD if move is None else move))
        if terminated:
            break
    assert not info["success"] and info["potential"] == 0.0


@pytest.mark.parametrize("gamma", [0.0, -0.5, 1.5])
def test_gamma_is_validated(gamma):
    with pytest.raises(ValueError, match="gamma"):
        PotentialShaping(GridMaze(size=5), gamma=gamma)
