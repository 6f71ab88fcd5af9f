"""Codebreaker env: the oracle, feedback history, invalid guesses, rewards and a stepping state machine."""

from __future__ import annotations

import copy
import pickle

import gymnasium as gym
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import agentic_gym  # noqa: F401  (registers the environments)
from agentic_gym.core import CHARSET, parse_command
from agentic_gym.envs.text.codebreaker import ACTION_LENGTH, Codebreaker
from agentic_gym.envs.text.codebreaker_logic import parse_code, score, universe
from tests.helpers import oracle_episodes

IDS = ("agentic_gym/Codebreaker-4x6-v0", "agentic_gym/Codebreaker-5x8-v0", "agentic_gym/Codebreaker-words-v0")


@pytest.mark.slow
@pytest.mark.parametrize("env_id", IDS)
def test_oracle_solves_every_seed_within_the_guesses(env_id):
    limit = gym.make(env_id).unwrapped.max_guesses
    for episode in oracle_episodes(env_id):
        info, obs = episode.info, episode.observation
        assert not episode.invalid_steps
        assert info["success"] is True and episode.total == 1.0, (env_id, episode.seed)
        assert info["guesses"] <= limit and obs["guesses_left"] == limit - info["guesses"]


def test_invalid_guesses_cost_no_guess_but_a_step():
    env = gym.make("agentic_gym/Codebreaker-4x6-v0")
    env.reset(seed=0)
    for bad, why in (("guess RGB", "the code has 4 pegs"), ("guess RGBW", "unknown colour"),
                     ("guess", "missing argument"), ("peek", "Unknown command")):
        obs, reward, terminated, truncated, info = env.step(bad)
        assert info["action_valid"] is False and reward == 0.0 and not terminated
        assert why in obs["text"], obs["text"]
        assert obs["guesses_left"] == 10 and info["guesses"] == 0
        assert "Reply with: guess <code>" in obs["text"]
    # The time limit counts them: 30 invalid steps end the episode by truncation.
    for _ in range(26):
        *_, truncated, info = env.step("guess RGB")
    assert truncated and info["success"] is False


def test_word_variant_rejects_unknown_words_and_grades_per_letter():
    env = Codebreaker(words=True, max_guesses=6)
    env.reset(seed=4)
    obs, _, _, _, info = env.step("guess zzzzz")
    assert info["action_valid"] is False and "not in the word list" in obs["text"]
    obs, _, _, _, info = env.step("guess crane")
    assert info["action_valid"] is True and obs["guesses_left"] == 5
    line = next(line for line in obs["text"].splitlines() if line.startswith("  1. crane"))
    marks = line.split()[-1]
    assert len(marks) == 5 and set(marks) <= set("GY-")


def test_running_out_of_guesses_reveals_the_code_and_fails():
    env = Codebreaker(pegs=4, colours=6, max_guesses=2)
    env.reset(seed=1)
    secret = env.game.format(env._secret)
    wrong = "RRRR" if secret != "RRRR" else "GGGG"
    env.step(f"guess {wrong}")
    obs, reward, terminated, _, info = env.step(f"guess {wrong}")
    assert terminated and reward == 0.0 and info["success"] is False
    assert f"the code was {secret}" in obs["text"]
    obs, reward, terminated, _, info = env.step(f"guess {secret}")
    assert info["action_valid"] is False and reward == 0.0 and terminated


def test_colour_names_are_accepted_and_shown_canonically():
    env = Codebreaker()
    env.reset(seed=2)
    obs, _, _, _, info = env.step('guess(code="red, green, blue, yellow")')
    assert info["action_valid"] and "  1. RGBY  right " in obs["text"]


def test_pickle_and_copy_resume_identically_mid_episode():
    env = Codebreaker(pegs=5, colours=8, max_guesses=12, render_mode="rgb_array")
    env.reset(seed=9)
    env.step(env.oracle_action())
    env.step("guess nonsense")
    env.render()
    clones = [pickle.loads(pickle.dumps(env)), copy.deepcopy(env)]
    commands = [env.oracle_action(), "guess RGBYO", "guess KKKKK", "guess r g b"]
    expected = [env.step(c) for c in commands]
    for clone in clones:
        assert [clone.step(c) for c in commands] == expected


def test_rendering_and_sampling():
    env = Codebreaker(render_mode="rgb_array")
    env.reset(seed=0)
    env.action_space.seed(0)
    for _ in range(5):
        command = env.action_space.sample()
        parse_code(parse_command(command, env.affordances).args["code"], env.game)  # samples are valid guesses
        env.step(command)
    frame = env.render()
    assert frame.shape == (480, 640, 3) and frame.any()
    ansi = Codebreaker(render_mode="ansi")
    ansi.reset(seed=0)
    ansi.step("guess RGBY")
    assert "> guess RGBY" in ansi.render()


class CodebreakerMachine(RuleBasedStateMachine):
    """Steps a registered Codebreaker variant with oracle, random and garbage guesses."""

    @initialize(env_id=st.sampled_from(IDS), seed=st.integers(0, 2**31 - 1))
    def start(self, env_id, seed):
        self.env = gym.make(env_id)
        self.game = self.env.unwrapped.game
        self.limit = self.env.spec.max_episode_steps
        self.seed = seed
        self.reset()

    def reset(self):
        self.obs, self.info = self.env.reset(seed=self.seed)
        self.seed += 1
        self.steps = 0
        self.total = 0.0
        self.done = False
        self.guesses: list[str] = []

    def apply(self, command: str):
        before = self.obs["guesses_left"]
        self.obs, reward, terminated, truncated, self.info = self.env.step(command)
        self.steps += 1
        assert 0.0 <= reward <= 1.0
        self.total += reward
        self.done = terminated or truncated
        if self.info["action_valid"]:
            assert self.obs["guesses_left"] == before - 1
            code = parse_code(parse_command(command, self.env.unwrapped.affordances).args["code"], self.game)
            self.guesses.append(self.game.format(code))
            # The feedback shown is the score against the hidden code.
            value = score(code, self.env.unwrapped._secret, self.game)
            line = f"  {len(self.guesses)}. {self.game.format(code)}  {self.env.unwrapped._feedback_text(value)}"
            assert line in self.obs["text"].splitlines()
            assert (reward == 1.0) == (code == self.env.unwrapped._secret)
        else:
            assert self.obs["guesses_left"] == before, "an invalid guess must not use a guess"
            assert reward == 0.0

    @precondition(lambda self: not self.done)
    @rule()
    def oracle(self):
        self.apply(self.env.unwrapped.oracle_action())

    @precondition(lambda self: not self.done)
    @rule(data=st.data())
    def any_code(self, data):
        codes = universe(self.game)
        code = tuple(int(x) for x in codes[data.draw(st.integers(0, len(codes) - 1))])
        self.apply(f"guess {self.game.format(code)}")

    @precondition(lambda self: not self.done)
    @rule(seed=st.integers(0, 2**31 - 1))
    def sampled(self, seed):
        self.env.action_space.seed(seed)
        self.apply(self.env.action_space.sample())

    @precondition(lambda self: not self.done)
    @rule(text=st.text(max_size=ACTION_LENGTH))
    def garbage(self, text):
        self.apply(text)

    @precondition(lambda self: not self.done)
    @rule(text=st.text(alphabet="RGBYOPWKrgbxyz -,", max_size=12))
    def near_miss(self, text):
        self.apply(f"guess {text}")

    @precondition(lambda self: self.done)
    @rule()
    def next_episode(self):
        self.reset()

    @invariant()
    def observation_is_in_the_space(self):
        assert self.env.observation_space.contains(self.obs)
        assert set(self.obs["text"]) <= set(CHARSET)

    @invariant()
    def history_is_shown_in_full(self):
        lines = self.obs["text"].splitlines()
        for number, code in enumerate(self.guesses, 1):
            assert any(line.startswith(f"  {number}. {code}  ") for line in lines)

    @invariant()
    def outcome_and_steps_are_bounded(self):
        assert self.total in (0.0, 1.0)
        assert self.info["success"] == (self.total == 1.0)
        assert self.steps <= self.limit
        assert len(self.guesses) <= self.env.unwrapped.max_guesses


CodebreakerMachine.TestCase.settings = settings(stateful_step_count=30)
test_codebreaker_state_machine = CodebreakerMachine.TestCase
