"""Helpers shared by the test modules."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import pytest
from hypothesis import settings


def profile_name() -> str:
    """The active Hypothesis profile (``ci`` unless ``--hypothesis-profile`` says otherwise)."""
    return settings.get_current_profile_name()


def oracle_seeds() -> range:
    """Seeds the oracle must solve in every variant: 0..199 under every profile.

    All oracles are fast enough that the slow tests (``pytest -m slow``, and CI) check
    the full range, not a sample of it.
    """
    return range(200)


@dataclass(frozen=True)
class OracleEpisode:
    """One episode of an env's oracle: what the contract and the family tests check about it.

    ``invalid_steps`` are the steps whose ``info["action_valid"]`` was False;
    ``inadmissible`` the oracle's commands missing from the ``admissible_commands`` the
    step before offered (envs that list them).
    """

    seed: int
    reset_info: dict[str, Any]
    observation: Any
    info: dict[str, Any]
    reward: float
    total: float
    steps: int
    terminated: bool
    truncated: bool
    invalid_steps: tuple[int, ...]
    inadmissible: tuple[Any, ...]


@functools.cache
def oracle_episodes(env_id: str) -> tuple[OracleEpisode, ...]:
    """The oracle's episodes of ``env_id`` for every seed of :func:`oracle_seeds`.

    Played once per test session and shared, so the registry-wide contract and a
    family's own checks do not sweep the same 200 seeds twice.
    """
    env = gym.make(env_id)
    episodes = []
    for seed in oracle_seeds():
        observation, info = env.reset(seed=seed)
        reset_info = info
        total, steps, reward = 0.0, 0, 0.0
        invalid: list[int] = []
        inadmissible: list[Any] = []
        terminated = truncated = False
        while not (terminated or truncated):
            action = env.unwrapped.oracle_action()
            admissible = info.get("admissible_commands")
            if admissible is not None and isinstance(action, str) and action not in admissible:
                inadmissible.append(action)
            observation, reward, terminated, truncated, info = env.step(action)
            total += float(reward)
            steps += 1
            if not info["action_valid"]:
                invalid.append(steps)
        episodes.append(OracleEpisode(
            seed=seed, reset_info=reset_info, observation=observation, info=info, reward=float(reward), total=total,
            steps=steps, terminated=bool(terminated), truncated=bool(truncated), invalid_steps=tuple(invalid),
            inadmissible=tuple(inadmissible),
        ))
    env.close()
    return tuple(episodes)


def largest_per_class(env_ids: Iterable[str]) -> list[Any]:
    """``env_ids`` as pytest parameters where all but one id per env class and observation
    mode (the last registered: the largest tier) are marked ``slow``.

    For checks whose cost grows with the env's size and whose code path is the class's:
    a plain ``pytest`` runs them on one variant per class and mode, ``pytest -m ""`` on all.
    """
    ids = list(env_ids)
    last: dict[tuple[str, Any], str] = {}
    for env_id in ids:
        spec = gym.spec(env_id)
        last[(str(spec.entry_point), spec.kwargs.get("obs_mode"))] = env_id
    keep = set(last.values())
    return [env_id if env_id in keep else pytest.param(env_id, marks=pytest.mark.slow) for env_id in ids]
