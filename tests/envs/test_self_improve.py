"""Self-improvement envs under Trials: the baselines prove the protocol measures learning.

The oracle (privileged) solves trial 1; the scripted learner explores in trial 1, notes the
lesson and exploits from trial 2 (gain clearly positive); the same learner whose notes are
cleared between trials gains nothing. Each env hides its rule until a wrong try.
"""

from __future__ import annotations

import copy

import gymnasium as gym
import pytest

import agentic_gym  # noqa: F401
from agentic_gym.agents import OracleAgent
from agentic_gym.agents.trial_learner import TrialLearner
from agentic_gym.envs import registered_ids
from agentic_gym.envs.tool import travel_world as tw
from agentic_gym.evaluation.trials import evaluate_trials, trial_curve_metrics

SELF_IMPROVE = [
    i for i in registered_ids() if "self_improve" in gym.make(i).unwrapped.metadata["capabilities"]
]


def test_the_self_improvement_envs_are_the_hidden_rule_variants():
    names = {i.split("/")[1].split("-")[0] for i in SELF_IMPROVE}
    assert names == {"GridDecoyKeyDoor", "TravelDesk", "TextAdventure"}
    assert all("Quirks" in i for i in SELF_IMPROVE if i.startswith("agentic_gym/TravelDesk"))
    assert all("HiddenRules" in i for i in SELF_IMPROVE if i.startswith("agentic_gym/TextAdventure"))
    codebreaker = gym.make("agentic_gym/Codebreaker-4x6-v0").unwrapped.metadata["capabilities"]
    assert "reasoning" in codebreaker and "self_improve" not in codebreaker


@pytest.mark.parametrize("env_id", SELF_IMPROVE)
def test_oracle_solves_trial_one(env_id):
    report = evaluate_trials(OracleAgent, env_id, k=2, episodes=20, seed=0, ablation=False)
    assert report["memory"]["success_per_trial"] == [1.0, 1.0]


@pytest.mark.parametrize("env_id", SELF_IMPROVE)
def test_the_learner_gains_with_notes_and_not_without(env_id):
    report = evaluate_trials(TrialLearner, env_id, k=3, episodes=40, seed=1)
    memory, ablation = report["memory"], report["no_memory"]
    # Trial 1 is a guess; from trial 2 the noted lesson solves every task.
    assert memory["success_per_trial"][0] <= 0.7
    assert memory["success_per_trial"][1:] == [1.0, 1.0]
    assert memory["gain"] >= 0.3
    # Without notes every trial is the same guess: no gain at all.
    assert ablation["success_per_trial"] == [memory["success_per_trial"][0]] * 3
    assert ablation["gain"] == 0.0
    assert report["gain_from_memory"] == memory["gain"]
    assert memory["auc"] > ablation["auc"]


def test_trial_curve_metrics():
    assert trial_curve_metrics([0.0, 1.0]) == {"gain": 1.0, "auc": 0.5}
    assert trial_curve_metrics([0.25]) == {"gain": 0.0, "auc": 0.25}
    assert trial_curve_metrics([1.0, 0.5, 0.0])["gain"] == -1.0


def test_evaluate_trials_validates_episodes():
    with pytest.raises(ValueError, match="episodes must be a positive integer"):
        evaluate_trials(TrialLearner, SELF_IMPROVE[0], episodes=0)


def test_the_learner_refuses_an_env_without_a_hidden_rule():
    with pytest.raises(TypeError, match="not a self-improvement env"):
        TrialLearner(gym.make("agentic_gym/GridKeyDoor-6x6-v0"))


# ---- nothing shows the rule before a wrong try ----------------------------------------


@pytest.mark.parametrize("seed", range(20))
def test_decoy_keys_look_alike_until_the_lock_jams(seed):
    env = gym.make("agentic_gym/GridDecoyKeyDoor-6x6-v0").unwrapped
    env.reset(seed=seed)
    other = copy.deepcopy(env)
    other.fits = "farther" if env.fits == "nearer" else "nearer"
    while True:
        action = env.oracle_action()
        a = env.step(action)
        b = other.step(action)
        if b[0]["text"].startswith("The key snaps"):
            assert env.read_lesson(b[0]["text"]) is not None
            break
        assert a[0]["text"] == b[0]["text"] and (a[0]["image"] == b[0]["image"]).all()
        assert env.read_lesson(a[0]["text"]) is None
        assert not a[2], "the oracle's run ends only after the other env's lock jammed"
    # The jammed env ends on its next action, a failure.
    *_, terminated, truncated, info = other.step(2)
    assert terminated and not info["success"]


@pytest.mark.parametrize("seed", range(20))
def test_quirky_replies_are_labelled_as_asked(seed):
    env = gym.make("agentic_gym/TravelDesk-Quirks-Medium-v0").unwrapped
    env.reset(seed=seed)
    for day in range(1, tw.DAYS + 1):
        obs, *_ = env.step(f'weather(city="{env._task.world.cities[0]}", day={day})')
        reply = obs["text"].splitlines()[-1]
        assert tw.day_label(day) in reply
        assert not any(tw.day_label(d) in reply for d in range(1, tw.DAYS + 1) if d != day)
        assert env.read_lesson(obs["text"]) is None
    # A wrong answer reveals the quirk, and the next command ends the attempt.
    obs, reward, terminated, _, _ = env.step("answer 123456")
    assert reward == 0.0 and not terminated and env.read_lesson(obs["text"]) == env.lesson()
    obs, reward, terminated, _, info = env.step("answer 1")
    assert terminated and not info["success"] and obs["text"].endswith("This attempt is over.")
