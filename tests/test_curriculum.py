"""The curriculum samplers: each moves along the level space as designed, seeded, resumable."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentic_gym import curriculum as cur

LEVELS = tuple(range(6))


def drive(sampler, skill, episodes: int, rng_seed: int = 0, steps_of=None):
    """Play ``episodes`` scripted episodes: success on level ``l`` with probability ``skill(l)``."""
    rng = np.random.default_rng(rng_seed)
    chosen = []
    for _ in range(episodes):
        level, seed = sampler.next()
        success = bool(rng.random() < skill(level))
        steps = steps_of(level, seed) if steps_of else 10
        sampler.update(level, seed, success, steps, 10)
        chosen.append((level, seed, success))
    return chosen


@given(frontier=st.integers(0, 5), window=st.integers(1, 10))
@settings(max_examples=30, deadline=None)
def test_threshold_stops_at_the_skill_frontier(frontier: int, window: int) -> None:
    # The agent solves every level up to ``frontier`` and none beyond: the schedule
    # climbs exactly to ``frontier + 1`` (or the last level) and stays there.
    sampler = cur.ThresholdSchedule(LEVELS, seed=1, window=window, bar=0.9)
    chosen = drive(sampler, lambda level: 1.0 if level <= frontier else 0.0, 200)
    expected = min(frontier + 1, len(LEVELS) - 1)
    assert sampler.current == expected
    levels = [level for level, _, _ in chosen]
    assert levels == sorted(levels)  # never moves down
    # Each mastered level is played exactly ``window`` times before moving on.
    for level in range(expected):
        assert levels.count(level) == window


def test_threshold_needs_a_full_window() -> None:
    sampler = cur.ThresholdSchedule(LEVELS, seed=0, window=5, bar=0.8)
    for _ in range(4):
        level, seed = sampler.next()
        sampler.update(level, seed, True, 3, 3)
    assert sampler.current == 0
    level, seed = sampler.next()
    sampler.update(level, seed, False, 3, 3)  # 4 of 5 = 0.8 reaches the bar
    assert sampler.current == 1
    sampler.update(0, 1, True, 3, 3)  # outcomes on another level do not count
    assert sampler.current == 1


@given(frontier=st.integers(1, 4))
@settings(max_examples=10, deadline=None)
def test_learnability_concentrates_on_the_frontier(frontier: int) -> None:
    # Levels below the frontier are always solved, above it never, at it half the time:
    # p(1-p) is highest at the frontier, so it is drawn most.
    def skill(level: int) -> float:
        return 1.0 if level < frontier else 0.5 if level == frontier else 0.0

    sampler = cur.LearnabilitySampler(LEVELS, seed=3, window=32, explore=0.05)
    drive(sampler, skill, 600)
    late = [level for level, _, _ in drive(sampler, skill, 400, rng_seed=9)]
    counts = np.bincount(late, minlength=len(LEVELS))
    assert int(np.argmax(counts)) == frontier
    assert counts[frontier] > 0.4 * len(late)
    assert int(np.argmax(sampler.probabilities())) == frontier


def test_learnability_follows_a_growing_skill() -> None:
    # The skill frontier moves up with practice: the sampled level follows it.
    practice = {"n": 0}

    def skill(level: int) -> float:
        frontier = practice["n"] / 200
        return float(np.clip(frontier - level + 0.5, 0.0, 1.0))

    sampler = cur.LearnabilitySampler(LEVELS, seed=0, window=16)
    modes = []
    for _ in range(5):
        chosen = drive(sampler, skill, 200, rng_seed=practice["n"])
        practice["n"] += 200
        modes.append(int(np.argmax(np.bincount([level for level, _, _ in chosen], minlength=len(LEVELS)))))
    # In block k the frontier runs from level k to k + 1: the most drawn level is k.
    assert modes == [0, 1, 2, 3, 4]


@given(hard=st.sets(st.integers(0, 5), min_size=1, max_size=3))
@settings(max_examples=15, deadline=None)
def test_plr_replays_high_regret_levels(hard: set[int]) -> None:
    # The agent fails every ``hard`` level and solves the others optimally: replays
    # (pairs seen before) concentrate on the hard levels.
    sampler = cur.PrioritizedLevelReplay(LEVELS, seed=2, replay_prob=0.5, staleness=0.1)
    seen: set[tuple[int, int]] = set()
    replayed = []
    for _ in range(400):
        level, seed = sampler.next()
        if (level, seed) in seen:
            replayed.append(level)
        seen.add((level, seed))
        success = level not in hard
        sampler.update(level, seed, success, 10, 10)
    assert len(replayed) > 100
    share = sum(level in hard for level in replayed) / len(replayed)
    assert share > 0.8, share
    assert share > len(hard) / len(LEVELS)


def test_plr_scores_by_steps_against_the_oracle() -> None:
    sampler = cur.PrioritizedLevelReplay(LEVELS, seed=0, min_replay=1)
    sampler.update(0, 5, True, 20, 10)
    sampler.update(1, 6, True, 10, 10)
    sampler.update(2, 7, False, 3, 10)
    assert sampler.scores[(0, 5)][0] == pytest.approx(0.5)
    assert sampler.scores[(1, 6)][0] == 0.0
    assert sampler.scores[(2, 7)][0] == 1.0
    pairs, probabilities = sampler.replay_distribution()
    order = [pairs[i] for i in np.argsort(-probabilities)]
    assert order[0] == (2, 7) and order[1] == (0, 5)


def test_plr_capacity_drops_the_lowest_score() -> None:
    sampler = cur.PrioritizedLevelReplay(LEVELS, seed=0, capacity=2)
    sampler.update(0, 1, False, 1, 1)
    sampler.update(1, 2, True, 1, 1)
    sampler.update(2, 3, True, 4, 2)
    assert set(sampler.scores) == {(0, 1), (2, 3)}


SAMPLERS = [
    lambda seed: cur.ThresholdSchedule(LEVELS, seed=seed, window=5, bar=0.6),
    lambda seed: cur.LearnabilitySampler(LEVELS, seed=seed),
    lambda seed: cur.PrioritizedLevelReplay(LEVELS, seed=seed, min_replay=4),
    lambda seed: cur.UniformSampler(LEVELS, seed=seed),
]


def _skill(level: int) -> float:
    return 1.0 - level / 6


@pytest.mark.parametrize("make", SAMPLERS)
def test_all_randomness_from_the_seed(make) -> None:
    first = drive(make(4), _skill, 150)
    again = drive(make(4), _skill, 150)
    other = drive(make(5), _skill, 150)
    assert first == again
    assert first != other


@pytest.mark.parametrize("make", SAMPLERS)
def test_pickling_mid_run_resumes_identically(make) -> None:
    straight = make(7)
    drive(straight, _skill, 80, rng_seed=1)
    resumed = pickle.loads(pickle.dumps(straight))
    tail = drive(straight, _skill, 80, rng_seed=2)
    assert drive(resumed, _skill, 80, rng_seed=2) == tail


def test_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="levels must not be empty"):
        cur.ThresholdSchedule([])
    with pytest.raises(ValueError, match="distinct"):
        cur.LearnabilitySampler([1, 1])
    with pytest.raises(ValueError, match="bar"):
        cur.ThresholdSchedule(LEVELS, bar=0)
    with pytest.raises(ValueError, match="window"):
        cur.LearnabilitySampler(LEVELS, window=0)
    with pytest.raises(ValueError, match="temperature"):
        cur.PrioritizedLevelReplay(LEVELS, temperature=0)
    sampler = cur.PrioritizedLevelReplay(LEVELS)
    with pytest.raises(ValueError, match="unknown level"):
        sampler.update("nope", 1, True, 1, 1)
    with pytest.raises(ValueError, match="unknown level"):
        sampler.update([0], 1, True, 1, 1)
    with pytest.raises(ValueError, match="steps"):
        sampler.update(0, 1, True, -1, 1)


def test_regret() -> None:
    assert cur.regret(False, 1, 1) == 1.0
    assert cur.regret(True, 8, 6) == pytest.approx(0.25)
    assert cur.regret(True, 4, 6) == 0.0
    assert cur.regret(True, 4, None) == 0.0


def test_run_plays_and_reports() -> None:
    from agentic_gym.agents import OracleAgent

    levels = ("agentic_gym/ToolMath-Trivial-v0", "agentic_gym/ToolMath-Easy-v0")
    sampler = cur.ThresholdSchedule(levels, seed=0, window=2, bar=1.0)
    seen = []
    results = cur.run(sampler, OracleAgent, 5, on_episode=lambda r, t: seen.append(t.steps))
    assert [r.level for r in results] == [levels[0]] * 2 + [levels[1]] * 3
    assert all(r.success and r.oracle_steps == r.steps for r in results)
    assert seen == [r.steps for r in results]
    assert sampler.episodes == 5
