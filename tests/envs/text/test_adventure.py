"""TextAdventure: generation, reference resolution, the oracle, rewards and the env contract details."""

from __future__ import annotations

import copy
import pickle
import re

import gymnasium as gym
import numpy as np
import pytest

import agentic_gym  # noqa: F401  (registers the environments)
from agentic_gym.envs import registered_ids
from agentic_gym.envs.text.adventure import TextAdventure
from agentic_gym.envs.text.adventure_world import (
    HOUSE_SIZES,
    Kind,
    State,
    generate,
    oracle_command,
    solvable,
)
from tests.envs.text.adventure_houses import small_house
from tests.helpers import oracle_episodes, oracle_seeds

VARIANTS = tuple(HOUSE_SIZES)
#: Every registered TextAdventure id: the size variants and the difficulty tiers.
IDS = tuple(i for i in registered_ids() if i.startswith("agentic_gym/TextAdventure-"))


@pytest.mark.parametrize("variant", VARIANTS)
def test_generation_is_solvable_and_well_formed(variant):
    size = HOUSE_SIZES[variant]
    for seed in oracle_seeds():
        house = generate(np.random.default_rng(seed), size)
        assert solvable(house), seed
        assert len(house.rooms) == size.rooms and len(house.goals) == size.goals
        doors = [t for t in house.things if t.kind == Kind.DOOR]
        assert len(doors) == size.rooms - 1  # a tree: connected with one door per edge
        named = [t.name for t in house.things if t.kind != Kind.DOOR]
        assert len(named) == len(set(named)), "object and furniture names are unique in a house"
        locks = {t.lock for t in house.things if t.state == State.LOCKED}
        assert len(locks) == size.locks
        keys = {t.adjective for t in house.things if t.kind == Kind.KEY}
        assert locks <= keys
        assert not house.solved()
        assert house.quest.count("put the") == size.goals - 1 and house.quest.startswith("Put the ")


def test_solvable_detects_a_key_locked_behind_its_own_lock():
    house = small_house()
    assert solvable(house)
    red = next(t for t in house.things if t.name == "red key")
    chest = next(t for t in house.things if t.name == "wooden chest")
    house.rooms[0].floor.remove(red.id)
    red.inside = chest.id
    chest.contents.append(red.id)
    assert not solvable(house)


@pytest.mark.slow
@pytest.mark.parametrize("env_id", IDS)
def test_oracle_solves_every_seed_within_the_time_limit(env_id):
    for episode in oracle_episodes(env_id):
        assert "admissible_commands" in episode.reset_info
        assert not episode.inadmissible, (episode.seed, episode.inadmissible)
        assert not episode.invalid_steps, (episode.seed, episode.invalid_steps)
        assert episode.terminated and episode.info["success"] and episode.total == 1.0, (
            episode.seed, episode.observation["text"])


def test_oracle_takes_over_mid_episode_after_random_play():
    for seed in range(10):
        house = generate(np.random.default_rng(seed), HOUSE_SIZES["6rooms"])
        rng = np.random.default_rng(seed)
        for _ in range(60):
            commands = house.admissible()
            house.run(commands[int(rng.integers(len(commands)))])
        assert solvable(house)
        for _ in range(300):
            if house.solved():
                break
            message, valid = house.run(oracle_command(house))
            assert valid, message
        assert house.solved(), seed


# ---- the env ----------------------------------------------------------------------------------


def test_invalid_commands_cost_a_step_and_say_what_is_valid():
    env = gym.make("agentic_gym/TextAdventure-3rooms-v0")
    obs, info = env.reset(seed=0)
    for garbage in ("dance wildly", "go up", "take", "take(object=", 12345, None, "x" * 1000):
        obs, reward, terminated, truncated, info = env.step(garbage)
        assert info["action_valid"] is False and reward == 0.0 and not terminated
        assert env.observation_space.contains(obs)
        first = obs["text"].split("\n")[0]
        assert len(first) < 400
    assert "x" * 41 not in obs["text"]
    obs, *_ = env.step("dance wildly")
    assert '"dance wildly"' in obs["text"] and "Valid commands: look, inventory, go <direction>" in obs["text"]
    assert env.unwrapped.house is not None and env.get_wrapper_attr("_elapsed_steps") == 8


def test_observation_lists_the_room_and_mission_holds_the_quest():
    env = TextAdventure(size="6rooms")
    obs, info = env.reset(seed=4)
    house = env.house
    room = house.rooms[house.player]
    assert obs["mission"] == house.quest and house.quest in obs["text"]
    assert f"-= {room.name.title()} =-" in obs["text"]
    for fid in room.furniture:
        assert house.things[fid].name in obs["text"]
    assert re.search(r"^Exits: ", obs["text"], re.M)
    assert set(info["admissible_commands"]) == set(house.view()[1])
    assert "look" in info["admissible_commands"] and "inventory" in info["admissible_commands"]


def test_progress_rewards_pay_each_placement_once_and_sum_to_one():
    env = TextAdventure(size="6rooms", progress_reward=0.3)
    obs, info = env.reset(seed=2)
    rewards = []
    while not info["success"]:
        obs, reward, terminated, truncated, info = env.step(env.oracle_action())
        rewards.append(reward)
    paid = [r for r in rewards if r > 0]
    assert paid[:-1] == pytest.approx([0.1, 0.1]) and paid[-1] == pytest.approx(0.8)
    assert sum(rewards) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        TextAdventure(progress_reward=1.0)


def test_default_reward_is_sparse():
    env = TextAdventure(size="6rooms")
    obs, info = env.reset(seed=2)
    rewards = []
    while not info["success"]:
        obs, reward, terminated, truncated, info = env.step(env.oracle_action())
        rewards.append(reward)
    assert rewards[-1] == 1.0 and sum(rewards) == 1.0


def test_rendering_draws_the_transcript():
    env = TextAdventure(size="3rooms", render_mode="rgb_array")
    env.reset(seed=1)
    first = env.render()
    env.step("inventory")
    frame = env.render()
    assert frame.shape == first.shape == (480, 640, 3) and frame.dtype == np.uint8
    assert not np.array_equal(frame, first)
    text = TextAdventure(size="3rooms", render_mode="ansi")
    text.reset(seed=1)
    text.step("inventory")
    out = text.render()
    assert "> inventory" in out and "You are carrying nothing." in out


def test_pickled_env_resumes_identically():
    env = TextAdventure(size="12rooms", render_mode="rgb_array")
    env.reset(seed=5)
    for _ in range(25):
        env.step(env.oracle_action())
    env.render()
    clones = [pickle.loads(pickle.dumps(env)), copy.deepcopy(env)]
    for candidate in [env, *clones]:
        candidate.trace = [candidate.step(candidate.oracle_action())[0]["text"] for _ in range(30)]
    assert env.trace == clones[0].trace == clones[1].trace


def test_admissible_texts_name_the_command_parsing_would_read():
    """The step's table path builds the command from the admissible text without parsing it:
    it must be exactly the command parse_command reads from that text, on every state seen."""
    from agentic_gym.core import parse_command
    from agentic_gym.envs.text.adventure import AFFORDANCES, _admissible_command

    seen = 0
    for seed in range(30):
        env = gym.make("agentic_gym/TextAdventure-6rooms-v0")
        _, info = env.reset(seed=seed)
        rng = np.random.default_rng(seed)
        for _ in range(40):
            for text in info["admissible_commands"]:
                assert _admissible_command(text) == parse_command(text, AFFORDANCES), text
                seen += 1
            _, _, terminated, truncated, info = env.step(info["admissible_commands"][
                rng.integers(len(info["admissible_commands"]))])
            if terminated or truncated:
                break
    assert seen > 1000


@pytest.mark.parametrize("env_id", [i for i in registered_ids() if "TextAdventure" in i])
def test_the_houses_own_text_is_clean_so_the_env_only_clips_it(env_id):
    """The env skips sanitising the house's view and the messages of admissible commands:
    that text must already be in the charset, on every state random play reaches."""
    from agentic_gym.core import sanitize

    env = gym.make(env_id)
    for seed in range(8):
        _, info = env.reset(seed=seed)
        house = env.unwrapped.house
        rng = np.random.default_rng(seed)
        for _ in range(60):
            view = house.view()[0]
            assert sanitize(view) == view
            text = info["admissible_commands"][rng.integers(len(info["admissible_commands"]))]
            message = house.apply(*house.view()[1][text])
            assert sanitize(message) == message, message
            _, _, terminated, truncated, info = env.step("look")
            if terminated or truncated:
                break
