"""RandomAgent and OracleAgent on the test envs and on every registered env."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from agentic_gym.agents import Agent, OpenAIAgent, OracleAgent, RandomAgent
from agentic_gym.core import CommandSpace
from agentic_gym.envs import registered_ids
from tests.stub_envs import CORRIDOR_ID, TREASURE_ID


def play(env: gym.Env, agent, seed: int) -> tuple[list, dict]:
    obs, info = env.reset(seed=seed)
    agent.reset(info)
    actions = []
    while True:
        action = agent.act(obs, info)
        actions.append(action)
        obs, reward, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            return actions, info


def test_agents_satisfy_the_protocol():
    env = gym.make(TREASURE_ID)
    for agent in (RandomAgent(env, seed=0), OracleAgent(env), OpenAIAgent("m")):
        assert isinstance(agent, Agent)
    assert (RandomAgent.uses_chat, OracleAgent.uses_chat, OpenAIAgent.uses_chat) == (False, False, True)


def test_random_agent_draws_only_admissible_commands():
    env = gym.make(TREASURE_ID)
    agent = RandomAgent(env, seed=1)
    for seed in range(20):
        obs, info = env.reset(seed=seed)
        agent.reset(info)
        for _ in range(3):
            action = agent.act(obs, info)
            assert action in info["admissible_commands"]
            obs, _, terminated, truncated, info = env.step(action)
            assert info["action_valid"]
            if terminated or truncated:
                break


def test_random_agent_is_seeded_and_leaves_the_env_rng_alone():
    env = gym.make(CORRIDOR_ID)
    env.action_space.seed(5)
    before = env.action_space.np_random.bit_generator.state
    first, _ = play(env, RandomAgent(env, seed=3), seed=0)
    second, _ = play(env, RandomAgent(env, seed=3), seed=0)
    other, _ = play(env, RandomAgent(env, seed=4), seed=0)
    assert first == second and first != other
    assert all(type(a) is int and env.action_space.contains(a) for a in first)
    assert env.action_space.np_random.bit_generator.state == before


def test_random_agent_samples_affordances_without_admissible_commands():
    env = gym.make(TREASURE_ID)
    agent = RandomAgent(env, seed=0)
    assert isinstance(agent.action_space, CommandSpace)
    draws = {agent.act({"text": ""}, {}) for _ in range(50)}
    assert draws and all(d.startswith(("scan", "dig")) for d in draws)
    assert len(draws) > 5


@pytest.mark.parametrize("env_id", [TREASURE_ID, CORRIDOR_ID])
def test_oracle_agent_solves_the_test_envs(env_id):
    env = gym.make(env_id)
    agent = OracleAgent(env)
    for seed in range(10):
        _, info = play(env, agent, seed)
        assert info["success"]


@pytest.mark.parametrize("env_id", registered_ids())
def test_oracle_agent_solves_every_registered_env(env_id):
    env = gym.make(env_id)
    agent = OracleAgent(env)
    for seed in range(2):
        _, info = play(env, agent, seed)
        assert info["success"], f"{env_id} seed {seed}"


@pytest.mark.parametrize("env_id", registered_ids())
def test_random_agent_acts_validly_on_every_registered_env(env_id):
    env = gym.make(env_id)
    agent = RandomAgent(env, seed=0)
    obs, info = env.reset(seed=0)
    agent.reset(info)
    for _ in range(20):
        action = agent.act(obs, info)
        assert env.action_space.contains(action)
        if isinstance(env.action_space, CommandSpace) and info.get("admissible_commands"):
            assert action in info["admissible_commands"]
        else:
            assert isinstance(action, int | np.integer | str)
        obs, _, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            break
