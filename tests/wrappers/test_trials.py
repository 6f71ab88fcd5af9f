"""Trials: one hidden task replayed k times; the header says only how the last trial ended."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import agentic_gym  # noqa: F401
from agentic_gym.wrappers import NotesMemory, Trials
from agentic_gym.wrappers.trials import MAX_TRIALS


def play(env: gym.Env, policy) -> tuple[dict, dict]:
    while True:
        obs, reward, terminated, truncated, info = env.step(policy())
        if terminated or truncated:
            return obs, info


def test_trials_replay_the_same_task_then_draw_a_new_one():
    env = Trials(gym.make("agentic_gym/GridKeyDoor-6x6-v0"), k=3)
    first, info = env.reset(seed=11)
    assert (info["trial"], info["trials"], info["task_seed"]) == (1, 3, 11)
    images = [first["image"]]
    for trial in (2, 3):
        play(env, lambda: 6)  # "done" until the time limit
        obs, info = env.reset()
        assert (info["trial"], info["task_seed"]) == (trial, 11)
        images.append(obs["image"])
        assert obs["mission"] == first["mission"]
    assert all(np.array_equal(images[0], image) for image in images)
    play(env, lambda: 6)
    obs, info = env.reset()
    assert info["trial"] == 1 and info["task_seed"] != 11
    # The next task's seed is drawn from the last one's: the same in every run.
    again = Trials(gym.make("agentic_gym/GridKeyDoor-6x6-v0"), k=3)
    again.reset(seed=11)
    for _ in range(3):
        play(again, lambda: 6)
        _, again_info = again.reset()
    assert again_info["task_seed"] == info["task_seed"]


def test_a_seeded_reset_always_starts_a_new_task_at_trial_one():
    env = Trials(gym.make("agentic_gym/GridKeyDoor-6x6-v0"), k=3)
    a, info_a = env.reset(seed=5)
    b, info_b = env.reset(seed=5)
    assert info_a["trial"] == info_b["trial"] == 1
    assert a["text"] == b["text"] and np.array_equal(a["image"], b["image"])


def test_the_header_reports_the_outcome_and_nothing_else():
    env = Trials(gym.make("agentic_gym/GridDecoyKeyDoor-6x6-v0"), k=2)
    obs, _ = env.reset(seed=0)
    assert obs["text"].startswith("Trial 1 of 2 of the same task")
    assert "previous" not in obs["text"]
    play(env, lambda: env.unwrapped.rule_blind_action(None))  # seed 0: the nearer key is the decoy
    obs, _ = env.reset()
    lines = obs["text"].splitlines()
    assert lines[0].startswith("Trial 2 of 2")
    assert lines[1] == "Your previous trial (1 of 2) failed after 8 steps (return 0.00)."
    # The lesson the env told in trial 1 is not carried by the wrapper.
    assert env.unwrapped.read_lesson(obs["text"]) is None
    assert env.observation_space.contains(obs)


def test_a_time_limit_is_reported_as_running_out_of_time():
    env = Trials(gym.make("agentic_gym/GridKeyDoor-6x6-v0", max_episode_steps=3), k=2)
    env.reset(seed=1)
    play(env, lambda: 6)
    obs, _ = env.reset()
    assert "ran out of time after 3 steps" in obs["text"]


def test_notes_persist_across_trials_only_when_asked():
    for persist, kept in ((True, True), (False, False)):
        env = NotesMemory(Trials(gym.make("agentic_gym/GridKeyDoor-6x6-v0"), k=2), persist=persist)
        env.reset(seed=0)
        env.step("note the key is north")
        obs, _ = env.reset()
        assert ("the key is north" in obs["text"]) is kept


@pytest.mark.parametrize("k", [0, -1, MAX_TRIALS + 1, 2.5, True, "3"])
def test_k_is_validated(k):
    with pytest.raises(ValueError, match="k must be an integer"):
        Trials(gym.make("agentic_gym/GridKeyDoor-6x6-v0"), k=k)


def test_text_space_grows_by_the_header():
    base = gym.make("agentic_gym/TravelDesk-Easy-v0")
    env = Trials(base, k=2)
    assert env.observation_space["text"].max_length > base.observation_space["text"].max_length
    obs, _ = env.reset(seed=0)
    assert env.observation_space.contains(obs)
