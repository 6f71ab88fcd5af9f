"""Negotiation (PettingZoo): the adapter's rules, texts, info scores, oracle and constructor checks."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from agentic_gym.core import Command
from agentic_gym.envs.multi import negotiation_v0
from tests.helpers import oracle_seeds

VARIANTS = sorted(negotiation_v0.VARIANTS)


def run_oracle(env, seed):
    env.reset(seed=seed)
    returns = dict.fromkeys(env.possible_agents, 0.0)
    for agent in env.agent_iter():
        obs, reward, terminated, truncated, info = env.last()
        returns[agent] += reward
        env.step(None if terminated or truncated else env.unwrapped.oracle_action(agent))
    return returns, info


@pytest.mark.parametrize("variant", VARIANTS)
def test_oracle_strikes_the_nash_deal_on_every_seed(variant):
    env = negotiation_v0.env(variant=variant)
    for seed in oracle_seeds():
        returns, info = run_oracle(env, seed)
        assert info["success"], seed
        assert info["pareto_optimal"] and info["distance_to_frontier"] == 0.0 and info["nash_ratio"] == 1.0
        game = env.unwrapped.game
        assert game.turn == env.unwrapped.players  # one round
        assert all(0.0 < r <= 1.0 for r in returns.values())
        assert [returns[a] for a in env.possible_agents] == list(game.utilities(game.deal))


def test_parallel_oracle_deal_pays_every_agent():
    env = negotiation_v0.parallel_env(variant="3p")
    observations, infos = env.reset(seed=5)
    totals = dict.fromkeys(env.possible_agents, 0.0)
    while env.agents:
        actions = {a: env.unwrapped.oracle_action(a) for a in env.agents}
        observations, rewards, terminations, truncations, infos = env.step(actions)
        for agent, reward in rewards.items():
            totals[agent] += reward
    assert all(info["success"] and info["nash_ratio"] == 1.0 for info in infos.values())
    assert all(0 < v <= 1 for v in totals.values())


def test_deal_mid_round_ends_at_the_end_of_the_round():
    env = negotiation_v0.env(variant="2p")
    env.reset(seed=1)
    raw = env.unwrapped
    env.step("say hello")
    env.step(raw.oracle_action("player_1"))  # player_1 proposes
    env.step("accept")  # player_0 accepts: the deal is struck mid-round
    assert env.infos["player_0"]["success"] and not any(env.terminations.values())
    assert env.agent_selection == "player_1"
    env.step("reject")  # ignored: the negotiation is over
    assert all(env.terminations.values())
    assert env.infos["player_1"]["action_valid"] and env.infos["player_1"]["command"] is None
    assert env._cumulative_rewards["player_0"] == raw.game.utilities(raw.game.deal)[0]


def test_invalid_actions_cost_the_turn_and_explain():
    env = negotiation_v0.env(variant="2p")
    env.reset(seed=2)
    for action in ("accept", 3.5, "dance", "propose(player_0_books=99)", "x" * 5000):
        agent = env.agent_selection
        env.step(action)
        assert not env.infos[agent]["action_valid"]
        text = env.observe(agent)["text"]
        assert "invalid" in text.lower()
        assert env.observation_space(agent).contains(env.observe(agent))
    assert env.unwrapped.game.turn == 5


def test_command_objects_are_validated_not_reparsed():
    env = negotiation_v0.env(variant="2p")
    env.reset(seed=3)
    nash = env.unwrapped.game.solution.nash_allocation
    env.step(env.unwrapped.allocation_command(nash))
    assert env.infos["player_0"]["action_valid"]
    env.step(Command("accept", {"extra": 1}))
    assert not env.infos["player_1"]["action_valid"]


def test_text_shows_only_what_the_agent_perceives():
    env = negotiation_v0.env(variant="3p")
    env.reset(seed=4)
    env.step('say(text="secret for two", to="player_2")')
    assert "secret for two" in env.observe("player_2")["text"]
    assert "secret for two" not in env.observe("player_1")["text"]
    assert "secret for two" in env.observe("player_0")["text"]
    # Changing another agent's private values changes nothing player_0 perceives.
    before = env.observe("player_0")["text"]
    env.unwrapped.game.values = env.unwrapped.game.values.copy()
    env.unwrapped.game.values[1] = env.unwrapped.game.values[1][::-1]
    assert env.observe("player_0")["text"] == before
    values = env.infos["player_1"]["values"]
    assert set(values) == {"books", "hats", "balls"}


def test_messages_are_capped_and_sanitised():
    env = negotiation_v0.env(variant="2p")
    env.reset(seed=0)
    env.step("say " + "\u00e9" * 500)
    text = env.observe("player_1")["text"]
    assert "?" * 200 in text and "?" * 201 not in text


def test_deepcopy_and_pickle_resume_identically():
    import pickle

    env = negotiation_v0.env(variant="3p", render_mode="rgb_array")
    env.reset(seed=9)
    env.step("say hi")
    env.render()
    twins = [copy.deepcopy(env), pickle.loads(pickle.dumps(env))]
    actions = ["reject", env.unwrapped.oracle_action("player_2"), "accept", "accept", None, None, None]
    for twin in [env, *twins]:
        for action in actions:
            if twin.agents:
                agent = twin.agent_selection
                twin.step(None if twin.terminations[agent] or twin.truncations[agent] else action)
    for twin in twins:
        assert twin.unwrapped.describe("player_0") == env.unwrapped.describe("player_0")
        assert twin.unwrapped.game.deal == env.unwrapped.game.deal
        assert np.array_equal(twin.render(), env.render())


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"players": 1}, "players"), ({"players": 5}, "players"), ({"max_count": 0}, "max_count"),
    ({"max_count": 7}, "max_count"), ({"max_cycles": 0}, "max_cycles"), ({"variant": "9p"}, "variant"),
    ({"render_mode": "video"}, "render_mode"), ({"players": 2.0}, "players"),
])
def test_constructor_validates(kwargs, message):
    with pytest.raises(ValueError, match=message):
        negotiation_v0.raw_env(**kwargs)


def test_metadata_and_affordances():
    env = negotiation_v0.raw_env(variant="3p")
    assert {"multi_agent", "reasoning"} <= set(env.metadata["capabilities"])
    names = [a.name for a in env.affordances("player_0")]
    assert names == ["propose", "accept", "reject", "say"]
    assert env.action_space("player_1").affordances == env.affordances("player_1")
    say = env.affordances("player_0")[3]
    assert say.properties["to"]["enum"] == ["player_1", "player_2"]


def test_infos_are_fresh():
    env = negotiation_v0.env(variant="2p")
    env.reset(seed=0)
    info = env.infos["player_0"]
    info["values"]["books"] = 99
    info["pool"].clear()
    info["players"].append("intruder")
    env.step("say hi")
    fresh = env.infos["player_0"]
    assert fresh["values"]["books"] != 99 and fresh["pool"] and fresh["players"] == ["player_0", "player_1"]
