"""CoopKeyDoor (PettingZoo): layout, partial views, words, blocking, success, oracle and constructor checks."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from agentic_gym.envs.grid.engine import Tile
from agentic_gym.envs.multi import coop_keydoor_v0
from agentic_gym.envs.multi.coop_world import VOCABULARY, CoopWorld
from tests.helpers import oracle_seeds

VARIANTS = sorted(coop_keydoor_v0.VARIANTS)
NAMES = [a.name for a in coop_keydoor_v0.AFFORDANCES]


def index(name: str) -> int:
    return NAMES.index(name)


@pytest.mark.parametrize("variant", VARIANTS)
def test_oracle_plan_succeeds_on_every_seed(variant):
    env = coop_keydoor_v0.env(variant=variant)
    for seed in oracle_seeds():
        env.reset(seed=seed)
        returns = dict.fromkeys(env.possible_agents, 0.0)
        said = []
        for agent in env.agent_iter():
            obs, reward, terminated, truncated, info = env.last()
            returns[agent] += reward
            action = None if terminated or truncated else env.unwrapped.oracle_action(agent)
            if action is not None and NAMES[action].startswith("say_"):
                said.append(agent)
            env.step(action)
        assert info["success"], seed
        assert returns["player_0"] == returns["player_1"] and 0 < returns["player_0"] <= 1
        assert said == ["player_1"]  # the plan needs the keeper's one word


def test_layout_roles_and_what_each_sees():
    env = coop_keydoor_v0.env(variant="12x12")
    env.reset(seed=1)
    game = env.unwrapped.game
    keeper, scout = game.agents[1], game.agents[0]
    assert (keeper.x + 1, keeper.y) == game.door
    keys = game.world.find(Tile.KEY)
    assert len(keys) == 2 and all(abs(y - scout.y) <= 2 and x <= 2 for x, y in keys)
    scout_text = env.observe("player_0")["text"]
    keeper_text = env.observe("player_1")["text"]
    assert scout_text.count(" key is ") == 2
    assert "locked" in keeper_text and " key " not in keeper_text
    assert "scout" in env.observe("player_0")["mission"] and "keeper" in env.observe("player_1")["mission"]
    for agent in env.possible_agents:
        obs = env.observe(agent)
        assert env.observation_space(agent).contains(obs)
        assert isinstance(obs["direction"], int)


def test_observations_are_fresh_and_depend_only_on_the_view():
    env = coop_keydoor_v0.env(variant="12x12")
    env.reset(seed=2)
    a, b = env.observe("player_1"), env.observe("player_1")
    assert a["image"] is not b["image"] and np.array_equal(a["image"], b["image"])
    # Moving the scout's decoy key (out of the keeper's view) changes nothing the keeper perceives.
    game = env.unwrapped.game
    before = env.observe("player_1")
    (x, y), _ = game.world.find(Tile.KEY)
    game.world.place(x, y, Tile.FLOOR)
    after = env.observe("player_1")
    assert before["text"] == after["text"] and np.array_equal(before["image"], after["image"])


def test_words_reach_the_partner_only():
    env = coop_keydoor_v0.env()
    env.reset(seed=0)
    env.step(index("say_yellow"))
    assert "Your partner said: yellow." in env.observe("player_1")["text"]
    assert "partner said" not in env.observe("player_0")["text"]
    assert env.infos["player_1"]["heard"] == ["yellow"]
    assert len(VOCABULARY) + 7 == env.action_space("player_0").n


@pytest.mark.parametrize("action", [3.0, -1, 20, "forward", None, True, np.int64(99), [2]])
def test_actions_outside_the_space_cost_the_turn(action):
    env = coop_keydoor_v0.env()
    env.reset(seed=0)
    before = copy.deepcopy(env.unwrapped.game.agents)
    env.step(action)
    assert not env.infos["player_0"]["action_valid"]
    assert "Invalid action" in env.observe("player_0")["text"]
    assert env.unwrapped.game.agents == before
    assert env.agent_selection == "player_1"


def test_agents_block_each_other_but_share_the_goal():
    game = CoopWorld.new(np.random.default_rng(0), size=8)
    scout, keeper = game.agents
    scout.x, scout.y, scout.direction = keeper.x - 1, keeper.y, 0
    from agentic_gym.envs.grid.engine import Action, Event

    assert game.act(0, Action.FORWARD) == Event.BLOCKED
    assert game.act(1, Action.DONE) == Event.WAITED
    gx, gy = game.goal
    scout.x, scout.y = gx, gy
    keeper.x, keeper.y, keeper.direction = gx, gy - 1 if gy > 1 else gy + 1, 1 if gy > 1 else 3
    assert not game.won
    assert game.act(1, Action.FORWARD) == Event.REACHED_GOAL
    assert game.won


def test_one_agent_on_the_goal_is_not_success():
    env = coop_keydoor_v0.env()
    env.reset(seed=5)
    game = env.unwrapped.game
    game.agents[0].x, game.agents[0].y = game.goal
    env.step(index("done"))
    env.step(index("done"))
    assert not env.infos["player_0"]["success"] and not any(env.terminations.values())


def test_deepcopy_and_pickle_resume_identically():
    env = coop_keydoor_v0.env(render_mode="rgb_array")
    env.reset(seed=7)
    for _ in range(5):
        env.step(env.unwrapped.oracle_action(env.agent_selection))
    env.render()
    twins = [copy.deepcopy(env), pickle.loads(pickle.dumps(env))]
    for twin in [env, *twins]:
        for _ in range(30):
            if not twin.agents:
                break
            agent = twin.agent_selection
            done = twin.terminations[agent] or twin.truncations[agent]
            twin.step(None if done else twin.unwrapped.oracle_action(agent))
    for twin in twins:
        for agent in env.possible_agents:
            assert twin.observe(agent)["text"] == env.observe(agent)["text"]
        assert np.array_equal(twin.render(), env.render())


def test_render_modes():
    for mode, check in (("rgb_array", lambda r: r.shape == (256, 256, 3)), ("ansi", lambda r: ">0" in r and "1" in r),
                        ("human", lambda r: r is None)):
        env = coop_keydoor_v0.env(render_mode=mode)
        env.reset(seed=0)
        assert check(env.render())
        env.close()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"size": 7}, "size"), ({"size": 21}, "size"), ({"size": 8.0}, "size"), ({"max_cycles": 0}, "max_cycles"),
    ({"variant": "5x5"}, "variant"), ({"render_mode": "video"}, "render_mode"), ({"tile_size": 2}, "tile_size"),
])
def test_constructor_validates(kwargs, message):
    with pytest.raises(ValueError, match=message):
        coop_keydoor_v0.raw_env(**kwargs)


def test_oracle_maps_through_the_affordances():
    env = coop_keydoor_v0.env()
    env.reset(seed=0)
    assert NAMES[env.unwrapped.oracle_action("player_1")].startswith("say_")
    assert NAMES[env.unwrapped.oracle_action("player_0")] == "done"


def test_in_the_large_room_the_scout_cannot_see_the_door_at_the_start():
    env = coop_keydoor_v0.env(variant="12x12")
    for seed in range(50):
        env.reset(seed=seed)
        assert " door " not in env.observe("player_0")["text"], seed
        assert " door " in env.observe("player_1")["text"]
