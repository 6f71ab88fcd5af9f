"""Difficulty tiers: registered per env, typed knobs in the spec and reset info, monotone, fast."""

from __future__ import annotations

import inspect
import json
import time
from collections import defaultdict

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import agentic_gym
from agentic_gym.agents import OracleAgent
from agentic_gym.difficulty import Difficulty, difficulty_of
from agentic_gym.envs import registered_ids
from agentic_gym.envs.text import adventure_world as aw
from agentic_gym.envs.tool import travel_world as tw
from agentic_gym.evaluation.runner import run_episode
from agentic_gym.validation import DIFFICULTY_CHAINS, ID_NAMES, TIERS


def _class_name(env_id: str) -> str:
    return type(gym.make(env_id).unwrapped).__name__


def _hidden_rule_twin(env_id: str) -> bool:
    """A self-improvement variant (GridDecoyKeyDoor, TravelDesk-Quirks): a hidden-rule twin of a
    tiered env. Its tiers climb by the world around the rule (the rule stays one per seed)."""
    return "self_improve" in gym.make(env_id).unwrapped.metadata["capabilities"]


def _tiers() -> dict[str, list[str]]:
    """The tier ids of every env class, easiest first."""
    found: dict[str, list[str]] = defaultdict(list)
    for env_id in registered_ids():
        variant = env_id.rsplit("-v", 1)[0].rsplit("-", 1)[1]
        if variant in TIERS:
            found[_class_name(env_id)].append(env_id)
    return {name: sorted(ids, key=lambda i: TIERS.index(i.split("-")[-2])) for name, ids in found.items()}


TIER_IDS = _tiers()
ALL_TIER_IDS = [i for ids in TIER_IDS.values() for i in ids]


def _env_names() -> set[str]:
    return {_class_name(i) for i in registered_ids()}


def test_every_env_has_at_least_four_tiers_in_order() -> None:
    assert set(TIER_IDS) == _env_names()
    for name, ids in TIER_IDS.items():
        variants = tuple(i.split("-")[-2] for i in ids)
        assert len(variants) >= 4 and len(set(variants)) == len(variants), name
        # The tiers are a prefix of Trivial..Expert; only a hidden-rule twin may stop before Expert.
        assert variants == TIERS[:len(variants)], name
        assert variants[-1] == "Expert" or _hidden_rule_twin(ids[0]), name
        assert variants in DIFFICULTY_CHAINS[ID_NAMES.get(name, name)], name


def test_the_hidden_rule_twins_have_tiers() -> None:
    assert len(TIER_IDS["GridDecoyKeyDoor"]) == 5
    assert [i.split("/")[1] for i in TIER_IDS["QuirkyTravelDesk"]] == [
        f"TravelDesk-Quirks-{t}-v0" for t in ("Trivial", "Easy", "Medium", "Hard")]


@pytest.mark.parametrize("env_id", ALL_TIER_IDS)
def test_difficulty_record_in_spec_and_reset_info(env_id: str) -> None:
    record = difficulty_of(env_id)
    env = gym.make(env_id)
    base = env.unwrapped
    assert record.env == type(base).__name__
    assert record["max_episode_steps"] == gym.spec(env_id).max_episode_steps
    # Every registered kwarg is a knob with the registered value.
    for key, value in gym.spec(env_id).kwargs.items():
        assert record[key] == (tuple(value) if isinstance(value, (list, tuple)) else value), key
    # Every knob is documented in the class's Difficulty section.
    doc = inspect.getdoc(type(base)) or ""
    section = doc.split("## Difficulty", 1)[1].split("##", 1)[0]
    for knob in record:
        assert f"``{knob}``" in section, (env_id, knob)
    _, info = env.reset(seed=3)
    assert info["difficulty"] == record.as_dict()
    assert json.loads(json.dumps(info["difficulty"])) == record.as_dict()
    hash(record)
    env.close()


def test_records_differ_between_tiers_and_are_mappings() -> None:
    for ids in TIER_IDS.values():
        records = [difficulty_of(i) for i in ids]
        assert len(set(records)) == len(records)
    record = difficulty_of("agentic_gym/Recall-Expert-v0")
    assert isinstance(record, Difficulty) and dict(record)["facts"] == 200
    with pytest.raises(KeyError):
        record["nope"]
    with pytest.raises(TypeError, match="difficulty knobs"):
        Difficulty.of(object())


@pytest.mark.parametrize("env_id", ALL_TIER_IDS)
def test_reset_stays_under_50_ms(env_id: str) -> None:
    env = gym.make(env_id)
    env.reset(seed=0)
    started = time.process_time()
    for seed in range(1, 6):
        env.reset(seed=seed)
    assert (time.process_time() - started) / 5 < 0.05
    env.close()


def _oracle_steps(env_id: str, seeds: range) -> float:
    env = gym.make(env_id)
    steps = []
    for seed in seeds:
        trajectory = run_episode(OracleAgent(env, seed=seed), env, seed)
        assert trajectory.success, (env_id, seed)
        steps.append(trajectory.steps)
    env.close()
    return float(np.mean(steps))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TIER_IDS))
def test_oracle_steps_do_not_fall_along_the_tiers(name: str) -> None:
    means = [_oracle_steps(i, range(6)) for i in TIER_IDS[name]]
    assert means == sorted(means), (name, means)
    assert means[-1] > means[0] or name == "ToolMath", (name, means)  # ToolMath: one calculator call


@given(seed=st.integers(0, 2**32 - 1), size=st.sampled_from(["1room", "24rooms"]))
@settings(max_examples=40, deadline=None)
def test_new_house_sizes_are_solvable(seed: int, size: str) -> None:
    house = aw.generate(np.random.default_rng(seed), aw.HOUSE_SIZES[size])
    assert aw.solvable(house)
    assert len(house.rooms) == aw.HOUSE_SIZES[size].rooms
    assert len({room.name for room in house.rooms}) == len(house.rooms)
    assert len(house.goals) == aw.HOUSE_SIZES[size].goals


@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_tour_takes_the_cheapest_choice_meeting_every_constraint(seed: int) -> None:
    task = tw.generate_task(np.random.default_rng(seed), "expert")
    world = task.world
    d1, d2, d3 = task.days
    party = int(task.question.split("We are ")[1].split()[0])
    meeting = {m.day: m for m in world.meetings if m.day in (d1, d2)}
    assert len([m for m in world.meetings if m.day in (d1, d2)]) == 2
    a, b = meeting[d1].city, meeting[d2].city
    assert len({world.home, a, b}) == 3

    def cheapest_flight(origin: int, destination: int, day: int, by: int | None) -> int:
        prices = [f.price for f in world.flights(origin, destination, day)
                  if f.seats >= party and (by is None or f.departure + f.duration <= by)]
        return min(prices)

    def cheapest_hotel(city: int, day: int) -> int:
        return min(h.price for h in world.hotels(city, day) if h.rooms >= party)

    total = party * (cheapest_flight(world.home, a, d1, meeting[d1].minute) + cheapest_hotel(a, d1)
                     + cheapest_flight(a, b, d2, meeting[d2].minute) + cheapest_hotel(b, d2)
                     + cheapest_flight(b, world.home, d3, None))
    assert task.expected.value == total
    assert tw.check_answer(task.expected, f"${total}") and not tw.check_answer(task.expected, f"${total + 1}")
    assert len(task.plan) == 8 and task.plan[-1][0] == "calculator"
    assert all(m.minute <= 22 * 60 for m in world.meetings)


def test_tiers_are_registered_by_importing_the_package() -> None:
    assert "agentic_gym/GridMaze-Trivial-v0" in agentic_gym.ENV_IDS


@pytest.mark.parametrize("env_id", ["agentic_gym/TravelDesk-Trivial-v0", "agentic_gym/ToolMath-Hard-v0",
                                    "agentic_gym/GridMaze-Easy-v0"])
def test_each_reset_reports_its_own_difficulty_dict(env_id):
    """info["difficulty"] is built once per env and copied: changing one reset's dict (or a
    list in it) never changes the next one's."""
    from agentic_gym.difficulty import Difficulty

    env = gym.make(env_id)
    first = env.reset(seed=0)[1]["difficulty"]
    expected = Difficulty.of(env).as_dict()
    assert first == expected
    for key in list(first):
        if isinstance(first[key], list):
            first[key].append("changed")
        else:
            first[key] = "changed"
    assert env.reset(seed=1)[1]["difficulty"] == expected
