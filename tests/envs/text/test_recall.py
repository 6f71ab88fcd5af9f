"""Recall env: the oracle, partial observability, invalid commands, rewards and a stepping state machine."""

from __future__ import annotations

import copy
import pickle

import gymnasium as gym
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import agentic_gym  # noqa: F401  (registers the environments)
from agentic_gym.core import CHARSET, TranscriptPanel
from agentic_gym.envs.text.recall import ACTION_LENGTH, Recall
from tests.helpers import oracle_episodes

IDS = ("agentic_gym/Recall-5facts-v0", "agentic_gym/Recall-20facts-updates-v0",
       "agentic_gym/Recall-60facts-multihop-v0")


def play(env: gym.Env, seed: int, choose) -> tuple[float, dict, int]:
    """Run one episode with ``choose(env) -> command``; return (return, last info, steps)."""
    env.reset(seed=seed)
    total, steps = 0.0, 0
    while True:
        obs, reward, terminated, truncated, info = env.step(choose(env))
        total += reward
        steps += 1
        if terminated or truncated:
            return total, info, steps


@pytest.mark.slow
@pytest.mark.parametrize("env_id", IDS)
def test_oracle_answers_every_question(env_id):
    config = gym.make(env_id).unwrapped.config
    for episode in oracle_episodes(env_id):
        assert episode.info["success"] is True, (env_id, episode.seed)
        assert episode.total == pytest.approx(1.0)
        assert episode.steps == config.facts + config.questions
        assert episode.info["correct"] == config.questions


@pytest.mark.parametrize("env_id", IDS)
def test_wrong_answers_pay_nothing_and_fail(env_id):
    env = gym.make(env_id)

    def wrong(e: gym.Env) -> str:
        command = e.unwrapped.oracle_action()
        return "answer nobody-knows" if command.startswith("answer") else command

    total, info, _ = play(env, 0, wrong)
    assert total == 0.0 and info["success"] is False and info["correct"] == 0


def test_each_correct_answer_pays_its_share_when_given():
    env = Recall(facts=20, questions=3, corrections=4)
    env.reset(seed=5)
    rewards = []
    for _ in range(20):
        _, reward, *_ = env.step("continue")
        rewards.append(reward)
    assert rewards == [0.0] * 20
    _, first, terminated, _, info = env.step(env.oracle_action())
    assert first == pytest.approx(1 / 3) and not terminated and info["phase"] == "question"
    _, second, terminated, _, info = env.step("answer 0")
    assert second == 0.0 and not terminated
    _, third, terminated, _, info = env.step(env.oracle_action())
    assert third == pytest.approx(1 / 3) and terminated
    assert info["success"] is False and info["correct"] == 2 and info["phase"] == "done"


def test_corrected_facts_must_be_answered_with_the_new_value():
    env = Recall(facts=20, questions=3, corrections=4)
    for seed in range(30):
        env.reset(seed=seed)
        briefing = env.unwrapped._briefing
        first_values = {}
        for item in briefing.items:
            first_values.setdefault(item.slot, item.value)
        for _ in range(20):
            env.step("continue")
        for question in briefing.questions:
            stale = first_values[question.needs[-1]]
            if stale != question.answer:
                _, reward, *_ = env.step(f"answer {stale}")
                assert reward == 0.0
                return
            env.step(env.oracle_action())
    pytest.fail("no question about a corrected fact in 30 seeds")


def test_commands_out_of_phase_are_invalid_and_explained():
    env = Recall(facts=5, questions=1)
    obs, _ = env.reset(seed=1)
    item = obs["text"].splitlines()[1]
    obs, reward, terminated, _, info = env.step("answer 4417")
    assert info["action_valid"] is False and reward == 0.0 and not terminated
    assert "No question has been asked yet" in obs["text"]
    assert item in obs["text"], "the current item is shown again after an invalid command"
    for _ in range(5):
        env.step("continue")
    obs, _, _, _, info = env.step("continue")
    assert info["action_valid"] is False and "answer the question" in obs["text"]
    assert info["admissible_commands"] and all(c.startswith("answer ") for c in info["admissible_commands"])


def test_garbage_is_quoted_briefly_and_sanitised():
    env = Recall()
    env.reset(seed=0)
    obs, _, _, _, info = env.step("!! dance wildly \u2603" + "x" * 100)
    assert info["action_valid"] is False
    assert '"!! dance wildly ?xx' in obs["text"]
    assert "x" * 45 not in obs["text"]
    assert set(obs["text"]) <= set(CHARSET)


def test_answers_are_normalised_in_the_env():
    env = Recall()
    env.reset(seed=2)
    for _ in range(5):
        env.step("continue")
    expected = env.unwrapped._briefing.questions[0].answer
    _, reward, terminated, _, info = env.step(f'answer(text="  {expected.upper()}. ")')
    assert reward == 1.0 and terminated and info["success"]


def test_pickle_and_copy_resume_identically_mid_episode():
    env = Recall(facts=20, questions=3, corrections=4, render_mode="rgb_array")
    env.reset(seed=11)
    for _ in range(7):
        env.step("continue")
    env.render()
    clones = [pickle.loads(pickle.dumps(env)), copy.deepcopy(env)]
    commands = ["continue"] * 13 + ["answer 12", "look", "answer Lisbon", "answer 3"]
    expected = [env.step(c) for c in commands]
    for clone in clones:
        assert [clone.step(c) for c in commands] == expected
        assert clone.render().shape == env.render().shape


def test_rendering_shows_the_transcript():
    env = Recall(render_mode="rgb_array")
    env.reset(seed=0)
    env.step("continue")
    frame = env.render()
    assert frame.shape == (480, 640, 3) and frame.dtype.name == "uint8" and frame.any()
    ansi = Recall(render_mode="ansi")
    ansi.reset(seed=0)
    ansi.step("continue")
    text = ansi.render()
    assert "> continue" in text and "item 2 of 5" in text


@pytest.mark.parametrize("mode", ["ansi", "rgb_array"])
def test_rendering_shows_no_earlier_item(mode):
    env = Recall(facts=5, questions=1, render_mode=mode)
    env.reset(seed=3)
    items = env._briefing.items
    env.step("continue")
    env.step("continue")
    text = "\n".join(text for _, text in env.transcript_entries())
    assert items[2].text in text
    assert items[0].text not in text and items[1].text not in text
    assert text.count("(heard earlier; no longer shown)") == 2
    if mode == "ansi":
        assert env.render() == TranscriptPanel(title="Recall").ansi(env.transcript_entries())


class RecallMachine(RuleBasedStateMachine):
    """Steps a registered Recall variant with valid and garbage commands, checking the contract."""

    @initialize(env_id=st.sampled_from(IDS), seed=st.integers(0, 2**31 - 1))
    def start(self, env_id, seed):
        self.env = gym.make(env_id)
        self.limit = self.env.spec.max_episode_steps
        self.seed = seed
        self.reset()

    def reset(self):
        self.obs, self.info = self.env.reset(seed=self.seed)
        self.seed += 1
        self.steps = 0
        self.total = 0.0
        self.done = False

    def apply(self, command: str):
        self.obs, reward, terminated, truncated, self.info = self.env.step(command)
        self.steps += 1
        assert 0.0 <= reward <= 1.0
        self.total += reward
        self.done = terminated or truncated
        if truncated:
            assert self.steps == self.limit
        self.last_reward = reward

    @precondition(lambda self: not self.done)
    @rule()
    def oracle(self):
        self.apply(self.env.unwrapped.oracle_action())
        assert self.info["action_valid"] is True

    @precondition(lambda self: not self.done)
    @rule(data=st.data())
    def sampled(self, data):
        space = self.env.action_space
        space.seed(data.draw(st.integers(0, 2**31 - 1)))
        self.apply(space.sample(mask=self.info["admissible_commands"]) if data.draw(st.booleans())
                   else space.sample())

    @precondition(lambda self: not self.done)
    @rule(text=st.text(max_size=ACTION_LENGTH))
    def garbage(self, text):
        self.apply(text)

    @precondition(lambda self: self.done)
    @rule()
    def next_episode(self):
        self.reset()

    @invariant()
    def observation_is_in_the_space(self):
        assert self.env.observation_space.contains(self.obs)
        assert isinstance(self.info["success"], bool) and isinstance(self.info["action_valid"], bool)

    @invariant()
    def only_the_current_item_is_visible(self):
        recall = self.env.unwrapped
        items = recall._briefing.items
        current = items[recall._item].text if recall._item < len(items) else None
        if current is not None:
            assert current in self.obs["text"]
        for item in items:
            if item.text != current:
                assert item.text not in self.obs["text"], f"leaked: {item.text}"

    @invariant()
    def return_and_steps_are_bounded(self):
        assert 0.0 <= self.total <= 1.0 + 1e-9
        assert self.steps <= self.limit
        if self.info["success"]:
            assert self.total == pytest.approx(1.0)


RecallMachine.TestCase.settings = settings(stateful_step_count=40)
test_recall_state_machine = RecallMachine.TestCase
