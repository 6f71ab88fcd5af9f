"""Built-in Negotiation opponents: valid, reproducible, private, and graded in strength."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from agentic_gym.agents.base import Agent
from agentic_gym.agents.negotiators import NEGOTIATORS, AlwaysAccept, FairSplit, Greedy, ToughBargainer
from agentic_gym.envs.multi import negotiation_v0


def play(env, seats, seed):
    """One episode; returns each agent's return, whether every action was valid, and the last info."""
    env.reset(seed=seed)
    for agent, seat in seats.items():
        seat.reset(env.infos[agent])
    returns = dict.fromkeys(env.possible_agents, 0.0)
    valid = True
    actions = []
    for agent in env.agent_iter():
        obs, reward, terminated, truncated, info = env.last()
        returns[agent] += reward
        valid &= info["action_valid"]
        action = None if terminated or truncated else seats[agent].act(obs, info)
        actions.append(action)
        env.step(action)
    return returns, valid, info, actions


@pytest.mark.parametrize("variant", sorted(negotiation_v0.VARIANTS))
def test_every_pairing_plays_only_valid_actions(variant):
    env = negotiation_v0.env(variant=variant)
    for a, b in itertools.product(NEGOTIATORS.values(), repeat=2):
        for seed in range(5):
            seats = {agent: (a if i == 0 else b)(seed=seed + i) for i, agent in enumerate(env.possible_agents)}
            returns, valid, info, _ = play(env, seats, seed)
            assert valid, (a.name, b.name, seed)
            assert all(0.0 <= r <= 1.0 for r in returns.values())


def test_agents_follow_the_protocol_and_are_factories():
    env = negotiation_v0.env()
    for cls in NEGOTIATORS.values():
        agent = cls(env, 3)
        assert isinstance(agent, Agent) and not agent.uses_chat and agent.name == cls.name


def test_a_seed_fixes_the_play():
    env = negotiation_v0.env(variant="3p")
    runs = []
    for _ in range(2):
        seats = {a: ToughBargainer(seed=7) if i else FairSplit(seed=8) for i, a in enumerate(env.possible_agents)}
        runs.append(play(env, seats, 11)[3])
    assert runs[0] == runs[1]


def test_decisions_depend_only_on_the_seat_s_own_view():
    env = negotiation_v0.env(variant="2p")
    env.reset(seed=4)
    info = env.infos["player_0"]
    before = Greedy(seed=0).act(None, info)
    # Another agent's private values are not in the info; changing them changes nothing.
    env.unwrapped.game.values = env.unwrapped.game.values.copy()
    env.unwrapped.game.values[1] = env.unwrapped.game.values[1][::-1]
    assert Greedy(seed=0).act(None, env.infos["player_0"]) == before
    assert "values" in info and set(info["values"]) == {"books", "hats", "balls"}


def test_always_accept_accepts_and_greedy_holds_out():
    env = negotiation_v0.env(variant="2p")
    env.reset(seed=0)
    env.step(env.unwrapped.oracle_action("player_0"))
    assert AlwaysAccept(seed=0).act(None, env.infos["player_1"]) == "accept"
    offered = env.infos["player_1"]["offer"]["player_1"]
    worth = sum(offered[item] * v for item, v in env.infos["player_1"]["values"].items())
    assert (Greedy(seed=0).act(None, env.infos["player_1"]) == "accept") == (worth >= 8)


def test_strength_is_graded_over_the_field():
    """Mean utility each opponent secures against the whole field, both seats, 40 seeds: strictly increasing."""
    env = negotiation_v0.env(variant="2p")
    classes = list(NEGOTIATORS.values())
    score = {cls.name: [] for cls in classes}
    for a, b in itertools.product(classes, repeat=2):
        for seed in range(40):
            returns, *_ = play(env, {"player_0": a(seed=seed), "player_1": b(seed=seed + 1)}, seed)
            score[a.name].append(returns["player_0"])
            score[b.name].append(returns["player_1"])
    means = [np.mean(score[cls.name]) for cls in classes]
    assert means == sorted(means) and len(set(means)) == len(means), dict(zip(score, means))
