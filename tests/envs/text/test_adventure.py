"""TextAdventure: generation, reference resolution, the oracle, rewards and the env contract details."""

from __future__ import annotations

import copy
import pickle
import re

import gymnasium as gym
import numpy as np
import pytest

import agentic_gym  # noqa: F401  (registers the environments)
from agentic_gym.core import parse_command
from agentic_gym.envs.text.adventure import AFFORDANCES, TextAdventure
from agentic_gym.envs.text.adventure_world import (
    HOUSE_SIZES,
    House,
    Kind,
    Room,
    State,
    Thing,
    Verb,
    generate,
    oracle_command,
    solvable,
)
from tests.helpers import oracle_episodes, oracle_seeds

VARIANTS = tuple(HOUSE_SIZES)
IDS = tuple(f"agentic_gym/TextAdventure-{v}-v0" for v in VARIANTS)


def run(house: House, text: str) -> tuple[str, bool]:
    """What the env does with a command that is not pre-resolved: parse, resolve, apply."""
    command = parse_command(text, AFFORDANCES)
    return house.command(Verb([a.name for a in AFFORDANCES].index(command.name)), command.args)


def small_house() -> House:
    """A hall (start) with two doors, two keys, a locked chest and a table; a kitchen to the north."""
    things: list[Thing] = []

    def add(kind: Kind, noun: str, adjective: str, room: int = -1) -> Thing:
        thing = Thing(len(things), kind, noun, adjective)
        thing.room = room
        things.append(thing)
        return thing

    hall, kitchen, cellar = Room(0, "hall", (0, 0)), Room(1, "kitchen", (0, -1)), Room(2, "cellar", (1, 0))
    north = add(Kind.DOOR, "door", "wooden")
    north.sides, north.state = ((0, 0), (1, 2)), State.CLOSED
    east = add(Kind.DOOR, "door", "oak")
    east.sides, east.state = ((0, 1), (2, 3)), State.CLOSED
    hall.exits[0], kitchen.exits[2] = north.id, north.id
    hall.exits[1], cellar.exits[3] = east.id, east.id
    chest = add(Kind.CONTAINER, "chest", "wooden", room=0)
    chest.state, chest.lock = State.LOCKED, "red"
    table = add(Kind.SUPPORTER, "table", "oak", room=0)
    hall.furniture += [chest.id, table.id]
    fridge = add(Kind.CONTAINER, "fridge", "white", room=1)
    fridge.state = State.CLOSED
    kitchen.furniture.append(fridge.id)
    red, blue = add(Kind.KEY, "key", "red", room=0), add(Kind.KEY, "key", "blue", room=0)
    hall.floor += [red.id, blue.id]
    book = add(Kind.ITEM, "book", "old", room=0)
    book.inside = table.id
    table.contents.append(book.id)
    coin = add(Kind.ITEM, "coin", "silver", room=1)
    coin.inside = fridge.id
    fridge.contents.append(coin.id)
    return House([hall, kitchen, cellar], things, goals=[(coin.id, chest.id)], start=0)


# ---- reference resolution ---------------------------------------------------------------------


def test_ambiguous_reference_asks_back_instead_of_guessing():
    house = small_house()
    message, valid = run(house, "take key")
    assert message == "Which key do you mean: the red key or the blue key?"
    assert valid is False and house.inventory == []


def test_references_resolve_by_noun_and_adjectives_in_any_order_and_case():
    house = small_house()
    assert run(house, "TAKE the Key Red") == ("You take the red key.", True)
    # With the red key carried, "key" means the one still on the floor.
    assert run(house, "take key") == ("You take the blue key.", True)
    assert run(house, "drop red") == ("You drop the red key.", True)
    assert run(house, "take book from the oak table") == ("You take the old book.", True)


def test_doors_are_named_by_direction_and_ambiguous_doors_ask_back():
    house = small_house()
    message, valid = run(house, "open door")
    assert message == "Which door do you mean: the north door or the east door?" and not valid
    assert run(house, "open north door") == ("You open the north door.", True)
    assert run(house, "open wooden door") == ("The north door is already open.", True)


def test_several_matches_keep_those_the_verb_applies_to():
    house = small_house()
    # "oak" names the oak door to the east and the oak table; only the door opens.
    assert run(house, "open oak") == ("You open the east door.", True)
    run(house, "take red key")
    assert run(house, "put red key on oak") == ("You put the red key on the oak table.", True)
    assert run(house, "examine oak")[0] == "Which one do you mean: the east door or the oak table?"


def test_unknown_things_are_invalid_and_world_refusals_are_valid():
    house = small_house()
    message, valid = run(house, "take silver coin")
    assert message == "You see no silver coin here." and valid is False
    message, valid = run(house, "go north")
    assert message == "The wooden door to the north is closed." and valid is True
    message, valid = run(house, "take oak table")
    assert "too heavy" in message and valid is True
    message, valid = run(house, "go south")
    assert message == "You cannot go south from here." and valid is True


def test_unlock_reads_the_natural_form_and_named_arguments():
    house = small_house()
    message, valid = run(house, "unlock wooden chest")
    assert valid is False and "unlock wooden chest with <key>" in message
    run(house, "take blue key")
    assert run(house, "unlock chest with blue key") == ("The blue key does not fit the red lock.", True)
    message, valid = run(house, "unlock chest with red key")
    assert message == "You need to hold the red key first." and valid
    run(house, "take red key")
    assert run(house, 'unlock(target="wooden chest", key="red key")') == (
        "You unlock the wooden chest with the red key.", True)
    assert house.things[2].state == State.CLOSED
    assert run(house, "open wooden chest") == ("You open the wooden chest. It is empty.", True)


def test_put_reads_in_and_on_and_a_trailing_room():
    house = small_house()
    run(house, "take red key")
    message, valid = run(house, "put red key")
    assert valid is False and message.startswith("Where do you want to put the red key?")
    assert run(house, "put red key in wooden chest") == ("The wooden chest is locked.", True)
    assert run(house, "put red key on the oak table in the hall") == ("You put the red key on the oak table.", True)
    run(house, "take red key")
    message, valid = run(house, "put red key on oak table in the kitchen")
    assert valid is False and message.startswith("You are not in the kitchen")
    assert run(house, 'put(object="red key", target="oak table")') == ("You put the red key on the oak table.", True)


def test_only_what_is_perceived_can_be_named():
    house = small_house()
    # The silver coin is in the closed fridge in the kitchen.
    assert run(house, "examine white fridge")[1] is False
    run(house, "open north door")
    run(house, "go north")
    assert run(house, "take silver coin")[1] is False
    assert run(house, "open fridge") == ("You open the white fridge. Inside: a silver coin.", True)
    assert run(house, "take silver coin") == ("You take the silver coin.", True)
    assert "You see no red key" in run(house, "take red key")[0]


def test_admissible_commands_resolve_exactly_like_parsed_commands():
    rng = np.random.default_rng(0)
    for variant in VARIANTS:
        for seed in range(10):
            house = generate(np.random.default_rng(seed), HOUSE_SIZES[variant])
            for _ in range(40):
                table = house.view()[1]
                for text, entry in table.items():
                    command = parse_command(text, AFFORDANCES)
                    verb = Verb([a.name for a in AFFORDANCES].index(command.name))
                    assert house.resolve(verb, command.args) == entry, text
                commands = list(table)
                house.apply(*table[commands[int(rng.integers(len(commands)))]])


# ---- generation and the oracle ----------------------------------------------------------------


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
