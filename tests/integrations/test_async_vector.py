"""Text envs under ``make_vec(..., "async")``: a clear refusal of shared memory, correct without it."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from gymnasium.vector.utils import create_shared_memory, read_from_shared_memory, write_to_shared_memory

from agentic_gym.core import Affordance, CommandSpace, text_space
from agentic_gym.core.vector_safety import SHARED_MEMORY_HINT

TEXT_ENV = "agentic_gym/Codebreaker-4x6-v0"
GRID_ENV = "agentic_gym/GridKeyDoor-6x6-v0"


@pytest.mark.parametrize("env_id", [TEXT_ENV, GRID_ENV])
def test_async_with_shared_memory_fails_at_creation_naming_the_fix(env_id: str) -> None:
    with pytest.raises(TypeError, match=r'vector_kwargs=\{"shared_memory": False\}') as caught:
        gym.make_vec(env_id, 2, vectorization_mode="async")
    assert str(caught.value) == SHARED_MEMORY_HINT


def test_async_without_shared_memory_matches_sync() -> None:
    actions = ["guess RGBY", "guess OOPP", "guess RRRR"]
    runs = []
    for mode, kwargs in (("sync", {}), ("async", {"shared_memory": False})):
        envs = gym.make_vec(TEXT_ENV, 2, vectorization_mode=mode, vector_kwargs=kwargs)
        try:
            obs, _ = envs.reset(seed=3)
            texts = [tuple(obs["text"])]
            for action in actions:
                obs, reward, _, _, _ = envs.step(np.array([action, action], dtype=object))
                texts.append(tuple(obs["text"]))
                texts.append(tuple(np.asarray(reward).tolist()))
        finally:
            envs.close()
        runs.append(texts)
    sync, asynchronous = runs
    assert asynchronous == sync
    assert sync[0][0].startswith("Codebreaker")


def test_filtered_grid_observations_still_use_shared_memory() -> None:
    wrappers = [lambda env: gym.wrappers.FilterObservation(env, ["image", "direction"])]
    envs = gym.make_vec(GRID_ENV, 2, vectorization_mode="async", wrappers=wrappers)
    try:
        obs, _ = envs.reset(seed=0)
        reference = gym.make(GRID_ENV).reset(seed=0)[0]
        np.testing.assert_array_equal(obs["image"][0], reference["image"])
    finally:
        envs.close()


def test_only_the_suites_text_spaces_are_refused() -> None:
    for space in (text_space(8), CommandSpace([Affordance("wait", "Wait a turn.")], max_length=8)):
        with pytest.raises(TypeError, match="shared_memory=False"):
            create_shared_memory(space, n=1)
    other = spaces.Text(max_length=5, charset="abc")
    memory = create_shared_memory(other, n=1)
    write_to_shared_memory(other, 0, "cab", memory)
    assert read_from_shared_memory(other, memory, n=1) == ("cab",)
