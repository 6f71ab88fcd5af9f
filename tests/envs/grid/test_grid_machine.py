"""One Hypothesis state machine steps every registered grid env (``agentic_gym/Grid*``).

Rules: seeded reset, any action, render, pickle round trip. Invariants after every
rule: the observation lies in the space, the agent stands on a passable cell inside
the grid, rewards are finite and in [0, 1], and the step counter only grows within
an episode.
"""

from __future__ import annotations

import math
import pickle

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

import agentic_gym  # noqa: F401 - registers the envs
from agentic_gym.envs.grid.engine import PASSABLE

GRID_IDS = sorted(env_id for env_id in gym.registry if env_id.startswith("agentic_gym/Grid"))


class GridMachine(RuleBasedStateMachine):
    env_id: str = ""

    @initialize(seed=st.integers(0, 2**31 - 1))
    def make(self, seed):
        self.env = gym.make(self.env_id, render_mode="rgb_array").unwrapped
        self.obs, self.info = self.env.reset(seed=seed)
        self.reward = 0.0
        self.steps = 0
        self.done = False
        self.frame_shape = None

    @rule(seed=st.integers(0, 2**31 - 1))
    def reset(self, seed):
        self.obs, self.info = self.env.reset(seed=seed)
        self.steps, self.done, self.reward = 0, False, 0.0

    @rule(choice=st.integers(0, 63))
    def step(self, choice):
        if self.done:
            self.obs, self.info = self.env.reset()
            self.steps, self.done = 0, False
        action = choice % self.env.action_space.n
        self.obs, self.reward, terminated, truncated, self.info = self.env.step(action)
        assert self.env.steps == self.steps + 1, "the step counter grows by one per step"
        self.steps = self.env.steps
        self.done = terminated or truncated
        assert isinstance(self.info["success"], bool) and isinstance(self.info["action_valid"], bool)
        if terminated and self.reward > 0:
            assert self.info["success"]

    @rule()
    def render(self):
        frame = self.env.render()
        assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
        if self.frame_shape is not None:
            assert frame.shape == self.frame_shape, "frames keep one size"
        self.frame_shape = frame.shape
        text = self.env.render_text()
        assert isinstance(text, str) and text.isascii()

    @rule(choice=st.integers(0, 63))
    def pickle_round_trip(self, choice):
        clone = pickle.loads(pickle.dumps(self.env))
        if self.done:
            return
        action = choice % self.env.action_space.n
        a = self.env.step(action)
        b = clone.step(action)
        assert a[0]["text"] == b[0]["text"] and np.array_equal(a[0]["image"], b[0]["image"])
        assert a[1:] == b[1:]
        self.obs, self.reward, terminated, truncated, self.info = a
        self.steps = self.env.steps
        self.done = terminated or truncated
        self.env = clone

    @invariant()
    def observation_in_space(self):
        assert self.env.observation_space.contains(self.obs)
        assert type(self.obs["direction"]) is int

    @invariant()
    def agent_inside_the_grid(self):
        world = self.env.world
        height, width = world.grid.shape[:2]
        assert 0 <= world.agent_x < width and 0 <= world.agent_y < height
        assert PASSABLE[
            world.grid[world.agent_y, world.agent_x, 0], world.grid[world.agent_y, world.agent_x, 2]
        ]

    @invariant()
    def reward_finite_and_bounded(self):
        assert math.isfinite(self.reward) and 0.0 <= self.reward <= 1.0

    @invariant()
    def step_counter_matches(self):
        assert self.env.steps == self.steps and 0 <= self.steps <= self.env.max_steps

    def teardown(self):
        self.env.close()


def test_the_registry_has_the_grid_family():
    assert {
        "agentic_gym/GridKeyDoor-8x8-v0",
        "agentic_gym/GridMaze-9x9-v0",
        "agentic_gym/GridMemory-S7-v0",
    } <= set(GRID_IDS)


@pytest.mark.parametrize("env_id", GRID_IDS)
def test_grid_state_machine(env_id):
    machine = type(
        "GridMachine_" + env_id.split("/")[1].replace("-", "_"), (GridMachine,), {"env_id": env_id}
    )
    current = settings()
    run_state_machine_as_test(
        machine,
        settings=settings(current, max_examples=min(current.max_examples, 15), stateful_step_count=30),
    )
