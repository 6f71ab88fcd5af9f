"""The batched grid vector env with a level per sub-env, and a curriculum driving those levels."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import agentic_gym  # noqa: F401 - registers the envs
from agentic_gym.curriculum import LearnabilitySampler, ThresholdSchedule, VectorCurriculum
from agentic_gym.envs.grid.vector import (
    GridKeyDoorVector,
    GridMazeVector,
    GridMemoryVector,
    GridSokobanVector,
)

MAZES = ["agentic_gym/GridMaze-Trivial-v0", "agentic_gym/GridMaze-Easy-v0", "agentic_gym/GridMaze-Medium-v0"]
KEYDOORS = ["agentic_gym/GridKeyDoor-Trivial-v0", "agentic_gym/GridKeyDoor-Medium-v0", "agentic_gym/GridKeyDoor-Hard-v0"]
MEMORIES = ["agentic_gym/GridMemory-Trivial-v0", "agentic_gym/GridMemory-Medium-v0"]


def assert_plays_like_single_envs(envs, levels, assigned, seeds, steps, action_seed=0):
    """Random actions: every sub-env matches the single env of its level, step for step, until its episode ends."""
    obs, _ = envs.reset(seed=seeds, options={"levels": assigned})
    singles = [gym.make(levels[level]) for level in assigned]
    first = [env.reset(seed=seed)[0] for env, seed in zip(singles, seeds, strict=True)]
    texts = envs.text()
    for i, single in enumerate(first):
        assert (obs["image"][i] == single["image"]).all() and obs["direction"][i] == single["direction"]
        assert texts[i] == single["text"]
    assert envs.level_indices().tolist() == list(assigned)
    rng = np.random.default_rng(action_seed)
    live = [True] * envs.num_envs
    for _ in range(steps):
        actions = rng.integers(0, len(envs.affordances), envs.num_envs)
        obs, reward, terminated, truncated, info = envs.step(actions)
        texts = envs.text()
        for i, single in enumerate(singles):
            if not live[i]:
                continue
            o, r, te, tr, i_info = single.step(int(actions[i]))
            assert (obs["image"][i] == o["image"]).all() and obs["direction"][i] == o["direction"]
            assert (reward[i], terminated[i], truncated[i]) == (r, te, tr)
            assert info["success"][i] == i_info["success"] and texts[i] == o["text"]
            live[i] = not (te or tr)
        if not any(live):
            break


@pytest.mark.parametrize(("cls", "levels", "assigned", "steps"), [
    (GridMazeVector, MAZES, [0, 1, 2, 1], 400),
    (GridKeyDoorVector, KEYDOORS, [2, 0, 1, 0], 300),
    (GridMemoryVector, MEMORIES, [1, 0, 0], 300),
])
def test_each_sub_env_plays_the_single_env_of_its_level(cls, levels, assigned, steps):
    envs = cls(num_envs=len(assigned), levels=levels)
    assert_plays_like_single_envs(envs, levels, assigned, [11 * (i + 1) for i in range(len(assigned))], steps)


def test_a_short_time_limit_truncates_each_level_at_its_own_limit():
    # Easy's time limit (324) is shorter than Medium's: an idle agent is cut off at each one.
    envs = GridMazeVector(num_envs=2, levels=MAZES[1:])
    envs.reset(seed=0, options={"levels": [0, 1]})
    done = "map"
    idle = next(i for i, a in enumerate(envs.affordances) if a.name == done)
    for step in range(1, 901):
        _, _, terminated, truncated, _ = envs.step(np.full(2, idle))
        if truncated.any():
            assert step == 324 and truncated.tolist() == [True, False]
            break
    else:
        pytest.fail("no truncation")


def test_a_scheduled_level_and_seed_start_at_the_next_autoreset():
    envs = GridMazeVector(num_envs=2, levels=MAZES)
    envs.reset(seed=[3, 4])
    assert envs.level_indices().tolist() == [0, 0]
    envs.schedule([0], MAZES[2], seeds=[77])
    ended = False
    while not ended:
        obs, _, terminated, truncated, _ = envs.step(envs.oracle_action())
        ended = bool(terminated[0] or truncated[0])
    obs, *_ = envs.step(envs.oracle_action())  # NEXT_STEP: this step is env 0's reset
    single = gym.make(MAZES[2])
    first, _ = single.reset(seed=77)
    assert envs.level_indices()[0] == 2 and (obs["image"][0] == first["image"]).all()
    assert envs.text([0]) == [first["text"]] and envs.time_limit[0] == 900


def test_make_vec_takes_the_levels():
    envs = gym.make_vec(MAZES[0], num_envs=2, vectorization_mode="vector_entry_point", levels=MAZES)
    obs, _ = envs.reset(seed=5, options={"levels": [MAZES[1], 2]})
    assert envs.unwrapped.level_indices().tolist() == [1, 2]
    assert (obs["image"][1] == gym.make(MAZES[2]).reset(seed=6)[0]["image"]).all()


def test_levels_that_change_the_spaces_or_the_class_are_refused():
    with pytest.raises(ValueError, match="another view size"):
        GridMazeVector(num_envs=2, levels=[{"size": 9}, {"size": 9, "view_size": 5}])
    # Sokoban shows the whole room: the view grows with the room.
    with pytest.raises(ValueError, match="another view size"):
        GridSokobanVector(num_envs=2, levels=["agentic_gym/GridSokoban-Easy-v0", "agentic_gym/GridSokoban-Medium-v0"])
    with pytest.raises(ValueError, match="not a GridKeyDoor"):
        GridKeyDoorVector(num_envs=2, levels=["agentic_gym/GridDecoyKeyDoor-Easy-v0"])
    with pytest.raises(ValueError, match="not a registered env id"):
        GridMazeVector(num_envs=2, levels=["agentic_gym/Nope-v0"])
    with pytest.raises(ValueError, match="non-empty list"):
        GridMazeVector(num_envs=2, levels=MAZES[0])
    envs = GridMazeVector(num_envs=2, levels=MAZES)
    with pytest.raises(ValueError, match="unknown level"):
        envs.schedule([0], "agentic_gym/GridMaze-Hard-v0")
    with pytest.raises(ValueError, match="one per chosen env"):
        envs.schedule([0, 1], [0])
    with pytest.raises(ValueError, match="a seed is an integer"):
        envs.schedule([0], seeds=-1)
    with pytest.raises(ValueError, match="plays one level"):
        GridMazeVector(num_envs=2, size=9).schedule([0], 0)


def oracle_count(level: str, seed: int) -> int:
    env = gym.make(level)
    env.reset(seed=seed)
    for steps in range(1, 5000):
        *_, info = env.step(env.unwrapped.oracle_action())
        if info["success"]:
            return steps
    raise AssertionError("the oracle did not finish")


class Recorded(ThresholdSchedule):
    """A threshold schedule that keeps every report."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reports = []

    def update(self, level, seed, success, steps, oracle_steps):
        self.reports.append((level, seed, success, steps, oracle_steps))
        super().update(level, seed, success, steps, oracle_steps)


def test_a_threshold_schedule_moves_the_sub_envs_along_the_tiers():
    sampler = Recorded(MAZES, seed=1, window=3, bar=1.0)
    reports = sampler.reports
    envs = GridMazeVector(num_envs=3, levels=MAZES)
    driver = VectorCurriculum(envs, sampler)
    driver.reset()
    for _ in range(400):
        driver.step(envs.oracle_action())
        if sampler.current == 2:
            break
    assert sampler.current == 2
    assert [level for level, *_ in reports[:3]] == [MAZES[0]] * 3
    # Every report is the episode the sub-env played: the oracle's exact count on that level and seed.
    for level, seed, success, steps, oracle_steps in reports:
        assert success and steps == oracle_steps == oracle_count(level, seed)
    # The sub-env that ended last was given the new level; the others finish what they were given.
    assert MAZES[2] in {level for level, _ in driver.current}


def test_a_learnability_sampler_moves_to_the_levels_a_scripted_agent_sometimes_solves():
    """The agent solves the smallest maze always (oracle), never the largest (it spins in place) and
    the middle one on about half its seeds: learnability p(1-p) moves the sampler to the middle one.
    The levels are dicts of knobs with short time limits; the sampler names them by index."""
    levels = [{"size": 5, "max_episode_steps": 100}, {"size": 9, "max_episode_steps": 120},
              {"size": 15, "max_episode_steps": 60}]
    sampler = LearnabilitySampler([0, 1, 2], seed=2, window=16, explore=0.05)
    envs = GridMazeVector(num_envs=4, levels=levels)
    driver = VectorCurriculum(envs, sampler, count_oracle=False)
    driver.reset()
    left = next(i for i, a in enumerate(envs.affordances) if a.name == "left")

    def solves(level: int, seed: int) -> bool:
        return level == 0 or (level == 1 and np.random.default_rng(seed).random() < 0.5)

    for _ in range(6000):
        oracle = envs.oracle_action()
        driver.step(np.array([oracle[i] if solves(*current) else left for i, current in enumerate(driver.current)]))
        if sampler.episodes >= 150:
            break
    rates = sampler.success_rates()
    assert rates[0] > 0.8 and rates[2] < 0.2 and 0.2 < rates[1] < 0.8, rates
    assert sampler.probabilities().argmax() == 1


def test_the_driver_refuses_same_step_autoreset_and_foreign_levels():
    from gymnasium.vector import AutoresetMode

    with pytest.raises(ValueError, match="NEXT_STEP"):
        VectorCurriculum(GridMazeVector(num_envs=1, levels=MAZES, autoreset_mode=AutoresetMode.SAME_STEP),
                         ThresholdSchedule(MAZES))
    with pytest.raises(ValueError, match="unknown level"):
        VectorCurriculum(GridMazeVector(num_envs=1, levels=MAZES[:2]), ThresholdSchedule(MAZES))
