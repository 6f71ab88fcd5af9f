"""Fixtures for the language-layer tests over two small but real envs (defined in :mod:`tests.stub_envs`).

Their ids live under ``lang_test/`` (not ``agentic_gym/``), so the catalogue and the
registry-parametrized tests never see them.
"""

from __future__ import annotations

import gymnasium as gym
import pytest

from tests.stub_envs import TURN_CORRIDOR_ID as CORRIDOR_ID
from tests.stub_envs import WORD_ID

TEST_IDS = (WORD_ID, CORRIDOR_ID)


@pytest.fixture
def word_env() -> gym.Env:
    return gym.make(WORD_ID)


@pytest.fixture
def corridor_env() -> gym.Env:
    return gym.make(CORRIDOR_ID)
