"""TextAdventure-HiddenRules: keys open locks of other colours by a per-seed rule no text states.

The rule has one home (``House.opener``); the plain house keeps the identity, so the plain
TextAdventure plays exactly as before (pinned by digests of its observations made before
the hook existed). The hidden rule is drawn per seed, never shown before a try (two houses
whose rules differ give the same observations until a try tells them apart), every house
is solvable, and the scripted learner gains across trials only with its notes.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import agentic_gym  # noqa: F401  (registers the environments)
from agentic_gym.agents import OracleAgent, RandomAgent
from agentic_gym.agents.trial_learner import TrialLearner
from agentic_gym.envs import registered_ids
from agentic_gym.envs.text.adventure_hidden_rules import SPOILT_TEXT, HiddenRulesAdventure
from agentic_gym.envs.text.adventure_world import (
    ALARM_TEXT,
    COLOURS,
    HIDDEN_HOUSE_SIZES,
    HOUSE_SIZES,
    HiddenRulesHouse,
    House,
    Kind,
    State,
    Thing,
    Verb,
    blind_command,
    draw_key_rule,
    generate,
    generate_hidden,
    needed_locks,
    oracle_command,
    solvable,
)
from agentic_gym.evaluation.runner import run_episode
from agentic_gym.evaluation.trials import evaluate_trials
from agentic_gym.wrappers import NotesMemory, Trials
from tests.helpers import oracle_episodes, oracle_seeds

HIDDEN_IDS = tuple(i for i in registered_ids() if i.startswith("agentic_gym/TextAdventure-HiddenRules-"))
TIERS = ("Trivial", "Easy", "Medium", "Hard", "Expert")
TIER_IDS = tuple(f"agentic_gym/TextAdventure-HiddenRules-{tier}-v0" for tier in TIERS)
PLAIN_IDS = tuple(i for i in registered_ids() if i.startswith("agentic_gym/TextAdventure-") and i not in HIDDEN_IDS)

#: SHA-256 of the plain ids' observations (oracle play, then 40 random admissible commands, seeds
#: 0..49; see :func:`_playthrough_digest`), computed before the key rule had a hook.
PLAIN_DIGESTS = {
    "agentic_gym/TextAdventure-3rooms-v0": "d8262ca0d87cf5e99de5584413a611f81a622895bcacb492e09160af477eb15a",
    "agentic_gym/TextAdventure-6rooms-v0": "85aec240f927ec76c947f454ce88250fdb010207f6a865879be1fa6a687544e6",
    "agentic_gym/TextAdventure-12rooms-v0": "ce14dd999a256ac8f09ca45bb170aaef8fd48b4678b01c983b2372b9c11f3dee",
    "agentic_gym/TextAdventure-Trivial-v0": "70696636c26d2a105a01492ed66db39a6ab3483e2056aa4c1151bb972d764ac6",
    "agentic_gym/TextAdventure-Easy-v0": "d8262ca0d87cf5e99de5584413a611f81a622895bcacb492e09160af477eb15a",
    "agentic_gym/TextAdventure-Medium-v0": "85aec240f927ec76c947f454ce88250fdb010207f6a865879be1fa6a687544e6",
    "agentic_gym/TextAdventure-Hard-v0": "ce14dd999a256ac8f09ca45bb170aaef8fd48b4678b01c983b2372b9c11f3dee",
    "agentic_gym/TextAdventure-Expert-v0": "461bd9c5e0b78099d4cc3c158e3f693d116219e05c31269fa99f126e4763b744",
}
_FITS = re.compile(r"The (\w+) key fits the (\w+) lock\.")


def _playthrough_digest(env_id: str, seeds: range) -> str:
    digest = hashlib.sha256()
    env = gym.make(env_id)
    for seed in seeds:
        obs, info = env.reset(seed=seed)
        digest.update(json.dumps([obs, info["admissible_commands"]]).encode())
        done = False
        while not done:
            action = env.unwrapped.oracle_action()
            obs, reward, terminated, truncated, info = env.step(action)
            digest.update(json.dumps([action, obs, reward, terminated, truncated, info["admissible_commands"],
                                      info["success"], info["action_valid"]]).encode())
            done = terminated or truncated
        rng = np.random.default_rng(seed)
        obs, info = env.reset(seed=seed)
        for _ in range(40):
            commands = info["admissible_commands"]
            action = commands[int(rng.integers(len(commands)))]
            obs, reward, terminated, truncated, info = env.step(action)
            digest.update(json.dumps([action, obs, reward, terminated, truncated,
                                      info["admissible_commands"]]).encode())
            if terminated or truncated:
                break
    env.close()
    return digest.hexdigest()


# ---- the plain house is unchanged --------------------------------------------------------------


def test_every_plain_id_is_pinned():
    assert set(PLAIN_IDS) == set(PLAIN_DIGESTS)


@pytest.mark.parametrize("env_id", sorted(PLAIN_DIGESTS))
def test_plain_textadventure_plays_as_before_the_hook(env_id):
    assert _playthrough_digest(env_id, range(50)) == PLAIN_DIGESTS[env_id]


def test_the_plain_rule_is_the_identity():
    house = generate(np.random.default_rng(3), HOUSE_SIZES["6rooms"])
    assert type(house) is House
    assert all(house.opener(colour) == colour for colour in COLOURS)
    for lock in (t for t in house.things if t.lock):
        assert house.key_for(lock).adjective == lock.lock


# ---- the rule: drawn per seed, a derangement, in one place --------------------------------------


def test_key_rules_are_derangements_drawn_per_seed():
    rules = [draw_key_rule(np.random.default_rng(seed)) for seed in range(300)]
    for rule in rules:
        assert sorted(rule) == sorted(COLOURS) and sorted(rule.values()) == sorted(COLOURS)
        assert all(lock != key for lock, key in rule.items())
    assert rules[5] == draw_key_rule(np.random.default_rng(5))
    assert len({tuple(sorted(r.items())) for r in rules}) > 250
    # Every lock colour is opened by each of the seven other colours in some seed.
    for lock in COLOURS:
        assert {r[lock] for r in rules} == set(COLOURS) - {lock}


@pytest.mark.parametrize("env_id", TIER_IDS)
def test_the_rule_is_per_seed_and_deterministic(env_id):
    env = gym.make(env_id)
    seen = set()
    for seed in range(20):
        env.reset(seed=seed)
        house = env.unwrapped.house
        assert isinstance(house, HiddenRulesHouse)
        opens = dict(house.opens)
        env.reset(seed=seed)
        assert env.unwrapped.house.opens == opens
        seen.add(tuple(sorted(opens.items())))
        for lock in (t for t in house.things if t.lock):
            key = house.key_for(lock)
            assert key.adjective == opens[lock.lock] != lock.lock
            assert house.fits(key, lock)
            assert not any(house.fits(other, lock) for other in house.things if other.kind == Kind.KEY and other is not key)
    assert len(seen) >= 18
    env.close()


@pytest.mark.parametrize("size", sorted(HIDDEN_HOUSE_SIZES))
def test_hidden_houses_are_solvable_and_need_a_lock(size):
    spec = HIDDEN_HOUSE_SIZES[size]
    for seed in oracle_seeds():
        house = generate_hidden(np.random.default_rng(seed), spec)
        assert solvable(house), seed
        locks = [t for t in house.things if t.state == State.LOCKED]
        assert len(locks) == spec.locks and needed_locks(house), seed
        keys = [t.adjective for t in house.things if t.kind == Kind.KEY]
        assert len(keys) == len(set(keys)), "one key of a colour"
        assert {house.opens[t.lock] for t in locks} <= set(keys)
        assert all(house.key_for(t).adjective != t.lock for t in locks)


def test_needed_locks_are_the_ones_the_quest_cannot_do_without():
    house = generate_hidden(np.random.default_rng(0), HIDDEN_HOUSE_SIZES["6rooms"])
    needed = needed_locks(house)
    for lock in (t for t in house.things if t.state == State.LOCKED):
        assert (lock in needed) == (not solvable(house, frozenset((lock.id,))))
    assert solvable(house, frozenset())


def test_decoys_lie_before_any_lock():
    for seed in range(50):
        house = generate_hidden(np.random.default_rng(seed), HIDDEN_HOUSE_SIZES["3rooms"])
        opened = {house.opens[t.lock] for t in house.things if t.lock}
        decoys = [t for t in house.things if t.kind == Kind.KEY and t.adjective not in opened]
        assert len(decoys) == HIDDEN_HOUSE_SIZES["3rooms"].decoy_keys
        every_lock = frozenset(t.id for t in house.things if t.lock)
        # A decoy lies in a room reached through no lock, and not in a locked container.
        for decoy in decoys:
            assert decoy.inside not in every_lock
            assert _open_from_start(house, decoy.room)


def _open_from_start(house: House, room: int) -> bool:
    """Whether ``room`` is reached from the start through doors that are not locked."""
    seen, frontier = {0}, [0]
    while frontier:
        for door_id in house.rooms[frontier.pop()].exits:
            if door_id < 0 or house.things[door_id].state == State.LOCKED:
                continue
            for other, _ in house.things[door_id].sides:
                if other not in seen:
                    seen.add(other)
                    frontier.append(other)
    return room in seen


# ---- nothing shows the rule before a try --------------------------------------------------------


def _told_apart(a: HiddenRulesHouse, b: HiddenRulesHouse) -> bool:
    return a.alarm != b.alarm or any(x.state != y.state for x, y in zip(a.things, b.things))


@pytest.mark.parametrize("env_id", TIER_IDS)
@pytest.mark.parametrize("policy", ["oracle", "random"])
def test_two_rules_look_the_same_until_a_try_tells_them_apart(env_id, policy):
    compared = 0
    for seed in range(15):
        env = gym.make(env_id).unwrapped
        obs, info = env.reset(seed=seed)
        twin = copy.deepcopy(env)
        assert twin.house.swap_keys() is not None
        assert twin.house.opens != env.house.opens
        rng = np.random.default_rng(seed)
        for _ in range(200):
            if policy == "oracle":
                action = env.oracle_action()
            else:
                commands = info["admissible_commands"]
                action = commands[int(rng.integers(len(commands)))]
            obs, reward, terminated, truncated, info = env.step(action)
            obs_b, reward_b, terminated_b, truncated_b, info_b = twin.step(action)
            if _told_apart(env.house, twin.house):
                break
            compared += 1
            assert obs == obs_b and reward == reward_b and terminated == terminated_b
            assert info["admissible_commands"] == info_b["admissible_commands"]
            if terminated or truncated:
                break
    assert compared > 20


@pytest.mark.parametrize("env_id", TIER_IDS)
def test_no_text_names_a_fitting_key_before_it_was_tried(env_id):
    env = gym.make(env_id)
    for seed in range(10):
        for policy in ("oracle", "random"):
            rng = np.random.default_rng(seed)
            obs, info = env.reset(seed=seed)
            texts = [obs["text"], obs["mission"], *info["admissible_commands"]]
            tried: set[tuple[str, str]] = set()
            for _ in range(120):
                for text in texts:
                    for key, lock in _FITS.findall(text):
                        assert (key, lock) in tried, (seed, text)
                    assert "would fit" not in text
                house = env.unwrapped.house
                if policy == "oracle":
                    action = env.unwrapped.oracle_action()
                else:
                    commands = info["admissible_commands"]
                    action = commands[int(rng.integers(len(commands)))]
                match = re.fullmatch(r"unlock (.+) with (\w+) key", action)
                if match:
                    target = house.view()[1][action][1]
                    tried.add((match.group(2), house.things[target].lock))
                obs, _, terminated, truncated, info = env.step(action)
                texts = [obs["text"], obs["mission"], *info["admissible_commands"]]
                if terminated or truncated:
                    break
    env.close()


def test_examining_keys_and_locks_says_nothing_of_the_rule():
    env = HiddenRulesAdventure(size="1room")
    for seed in range(20):
        env.reset(seed=seed)
        house = env.house
        for thing in house.things:
            if thing.kind == Kind.KEY:
                text = house.apply(Verb.EXAMINE, thing.id, -1)
                assert text == f"The {thing.name}. Which lock it opens you find out only by trying it."
            elif thing.lock:
                text = house.apply(Verb.EXAMINE, thing.id, -1)
                assert f"It has a {thing.lock} lock." in text
                assert not any(f"{c} key" in text for c in COLOURS)


@pytest.mark.parametrize("seed", range(20))
def test_admissible_unlocks_offer_every_carried_key_of_another_colour(seed):
    env = gym.make("agentic_gym/TextAdventure-HiddenRules-Medium-v0")
    obs, info = env.reset(seed=seed)
    house = env.unwrapped.house
    checked = 0
    for _ in range(150):
        carried = {house.things[i].adjective for i in house.inventory if house.things[i].kind == Kind.KEY}
        for verb, _target, key in house.view()[1].values():
            if verb == Verb.UNLOCK:
                assert house.things[key].adjective in carried
        for thing in house.perceived():
            if thing.state == State.LOCKED and carried:
                offered = {house.things[k].adjective for c, (v, t, k) in house.view()[1].items() if v == Verb.UNLOCK and t == thing.id}
                assert offered == carried - {thing.lock}
                checked += 1
        obs, _, terminated, truncated, info = env.step(env.unwrapped.oracle_action())
        if terminated or truncated:
            break
    assert checked


# ---- a try, the alarm, the end -----------------------------------------------------------------


def _carry(house: House, key: Thing) -> None:
    """Put ``key`` in the inventory by hand."""
    if key.inside >= 0:
        house.things[key.inside].contents.remove(key.id)
    elif key.room >= 0:
        house.rooms[key.room].floor.remove(key.id)
    key.room = key.inside = -1
    house.inventory.append(key.id)
    house.version += 1


def test_a_wrong_key_is_a_valid_informative_step_that_rings_the_alarm_once():
    env = HiddenRulesAdventure(size="1room")
    env.reset(seed=4)
    house = env.house
    lock = needed_locks(house)[0]
    right = house.key_for(lock)
    wrong = next(t for t in house.things if t.kind == Kind.KEY and t is not right and t.adjective != lock.lock)
    _carry(house, wrong)
    _carry(house, right)
    label = house.label(lock)
    obs, reward, terminated, truncated, info = env.step(f"unlock {label} with {wrong.name}")
    assert info["action_valid"] and reward == 0.0 and not terminated
    assert obs["text"].startswith(f"The {wrong.name} does not fit the {lock.lock} lock. {ALARM_TEXT}")
    assert house.alarm and lock.state == State.LOCKED
    assert HiddenRulesAdventure.read_lesson(obs["text"]) == f"The {wrong.name} does not fit the {lock.lock} lock."
    obs, *_ = env.step(f"unlock {label} with {wrong.name}")
    assert obs["text"].split("\n")[0] == f"The {wrong.name} does not fit the {lock.lock} lock."
    obs, reward, terminated, truncated, info = env.step(f"unlock {label} with {right.name}")
    assert obs["text"].split("\n")[0] == (f"You unlock the {label} with the {right.name}. "
                                          f"The {right.name} fits the {lock.lock} lock.")
    assert lock.state == State.CLOSED and info["action_valid"]
    # The quest can still be carried out; it ends the attempt, unsolved and unpaid.
    total = 0.0
    while not (terminated or truncated):
        obs, reward, terminated, truncated, info = env.step(env.oracle_action())
        total += float(reward)
    assert terminated and not info["success"] and total == 0.0
    assert env.house.solved() and SPOILT_TEXT in obs["text"]


def test_without_a_wrong_try_the_quest_pays_as_in_textadventure():
    env = HiddenRulesAdventure(size="6rooms", progress_reward=0.3)
    env.reset(seed=2)
    total, terminated, info = 0.0, False, {}
    while not terminated:
        _, reward, terminated, _, info = env.step(env.oracle_action())
        total += float(reward)
    assert info["success"] and total == pytest.approx(1.0) and not env.house.alarm


def test_the_mission_states_only_the_general_rule():
    env = gym.make("agentic_gym/TextAdventure-HiddenRules-Easy-v0")
    obs, _ = env.reset(seed=1)
    assert obs["mission"].endswith("no key opens the lock of its own colour; which key opens which lock you find "
                                   "out only by trying, and a wrong key rings an alarm that spoils the attempt.")
    unlock = next(a for a in env.unwrapped.affordances if a.name == "unlock")
    assert "own colour" in unlock.description and "lock's colour" not in unlock.description
    assert "self_improve" in env.unwrapped.metadata["capabilities"]
    assert "self_improve" not in gym.make("agentic_gym/TextAdventure-3rooms-v0").unwrapped.metadata["capabilities"]


def test_read_lesson_reads_every_pair_once_and_drops_misfits_a_fit_makes_plain():
    text = ("The red key does not fit the blue lock. An alarm...\nYour notes (3/32):\n"
            "1. The yellow key does not fit the white lock.\n2. The red key does not fit the blue lock.\n"
            "3. The white key does not fit the green lock.")
    assert HiddenRulesAdventure.read_lesson(text) == ("The red key does not fit the blue lock. "
                                                      "The yellow key does not fit the white lock. "
                                                      "The white key does not fit the green lock.")
    text += "\nThe green key fits the blue lock. The white key fits the black lock."
    assert HiddenRulesAdventure.read_lesson(text) == ("The yellow key does not fit the white lock. "
                                                      "The green key fits the blue lock. "
                                                      "The white key fits the black lock.")
    assert HiddenRulesAdventure.read_lesson("You unlock the north door.") is None
    assert HiddenRulesAdventure.read_lesson("The pink key fits the blue lock.") is None


def test_unknown_size_is_refused_with_the_hidden_sizes():
    with pytest.raises(ValueError, match="size must be one of '1room', '3rooms', '6rooms', '12rooms', '24rooms'"):
        HiddenRulesAdventure(size="2rooms")


def test_check_env_passes():
    check_env(gym.make("agentic_gym/TextAdventure-HiddenRules-Trivial-v0").unwrapped, skip_render_check=True)


# ---- solvers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["3rooms", "12rooms", "24rooms"])
def test_the_blind_planner_told_every_pair_is_the_oracle(size):
    for seed in range(10):
        house = generate_hidden(np.random.default_rng(seed), HIDDEN_HOUSE_SIZES[size])
        fits = {t.lock: house.opens[t.lock] for t in house.things if t.lock}
        steps = 0
        while not house.solved():
            command = oracle_command(house)
            assert blind_command(house, fits, set()) == command
            message, valid = house.run(command)
            assert valid, message
            steps += 1
        assert not house.alarm and steps < 400


@pytest.mark.parametrize("size", sorted(HIDDEN_HOUSE_SIZES))
def test_the_blind_planner_told_nothing_still_carries_out_the_quest(size):
    """With only what its own tries show, it finds every key it needs (so a first trial teaches
    the whole quest's pairs)."""
    for seed in range(20):
        house = generate_hidden(np.random.default_rng(seed), HIDDEN_HOUSE_SIZES[size])
        fits: dict[str, str] = {}
        fails: set[tuple[str, str]] = set()
        for _ in range(1000):
            if house.solved():
                break
            command = blind_command(house, fits, fails)
            message, valid = house.run(command)
            assert valid, (seed, command, message)
            for key, verdict, lock in re.findall(r"The (\w+) key (fits|does not fit) the (\w+) lock\.", message):
                if verdict == "fits":
                    fits[lock] = key
                else:
                    fails.add((key, lock))
        assert house.solved(), seed


def test_the_learner_notes_the_pairs_and_exploits_them():
    env = NotesMemory(Trials(gym.make("agentic_gym/TextAdventure-HiddenRules-Medium-v0"), k=2), persist=True)
    wins = []
    for trial in range(2):
        obs, info = env.reset(seed=3 if trial == 0 else None)
        agent = TrialLearner(env)
        terminated = truncated = False
        while not (terminated or truncated):
            obs, _, terminated, truncated, info = env.step(agent.act(obs, info))
        wins.append(info["success"])
        if trial == 0:
            house = env.unwrapped.house
            # One note per lock it opened, naming its key; the misfits on the way were forgotten.
            opened = [t for t in house.things if t.lock and t.state != State.LOCKED]
            assert sorted(env.get_wrapper_attr("notes")) == sorted(
                f"The {house.opens[lock.lock]} key fits the {lock.lock} lock." for lock in opened)
            assert house.alarm, "seed 3's first guess is wrong"
    assert wins == [False, True]


@pytest.mark.slow
@pytest.mark.parametrize("env_id", TIER_IDS)
def test_learner_gain_with_notes_and_none_without(env_id):
    report = evaluate_trials(TrialLearner, env_id, k=3, episodes=60, seed=2)
    memory, ablation = report["memory"], report["no_memory"]
    assert memory["success_per_trial"][0] <= 0.6
    assert memory["success_per_trial"][1:] == [1.0, 1.0]
    assert memory["gain"] >= 0.4
    assert ablation["success_per_trial"] == [memory["success_per_trial"][0]] * 3 and ablation["gain"] == 0.0


@pytest.mark.slow
@pytest.mark.parametrize("env_id", HIDDEN_IDS)
def test_oracle_solves_200_seeds_of_every_id(env_id):
    for episode in oracle_episodes(env_id):
        assert not episode.inadmissible and not episode.invalid_steps, episode.seed
        assert episode.terminated and episode.info["success"] and episode.total == 1.0, episode.seed


@pytest.mark.slow
def test_tiers_are_monotone_in_oracle_steps_and_random_success():
    oracle_steps, random_success = [], []
    for env_id in TIER_IDS:
        env = gym.make(env_id)
        oracle_steps.append(np.mean([run_episode(OracleAgent(env, seed=s), env, s).steps for s in range(30)]))
        random_success.append(np.mean([run_episode(RandomAgent(env, seed=s), env, s).success for s in range(30)]))
        env.close()
    assert oracle_steps == sorted(oracle_steps) and oracle_steps[-1] > 4 * oracle_steps[0], oracle_steps
    assert random_success == sorted(random_success, reverse=True), random_success
    assert random_success[-1] == 0.0
