"""Rollouts on Ray (the ``ray`` extra): Ray tasks give the same rollouts as one local process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from agentic_gym.agents import OracleAgent, RandomAgent
from agentic_gym.rollouts import Rollouts, collect

ray = pytest.importorskip("ray")

GRID = "agentic_gym/GridKeyDoor-6x6-v0"
TOOL = "agentic_gym/ToolMath-2step-v0"


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """A two-CPU local Ray instance for this module (an instance started earlier is refused)."""
    assert not ray.is_initialized(), "a Ray instance is already running in the test process"
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


def comparable(rollouts: Rollouts) -> list[dict[str, Any]]:
    lines = [rollout.to_json() for rollout in rollouts]
    for line in lines:
        line.pop("seconds")
    return lines


@pytest.mark.usefixtures("local_ray")
@pytest.mark.parametrize(("env_id", "agent", "chat"), [
    (GRID, RandomAgent, {"history": 4}),
    (TOOL, OracleAgent, True),
    (GRID, OracleAgent, False),
])
def test_ray_tasks_give_the_same_rollouts_as_local(env_id, agent, chat):
    options: dict[str, Any] = {"episodes": 3, "seed": 7, "group_size": 2, "chat": chat, "max_episode_steps": 12}
    local = collect(env_id, agent, **options)
    remote = collect(env_id, agent, backend="ray", num_workers=2, **options)
    assert [(r.episode, r.member, r.seed, r.agent_seed) for r in remote] == [
        (r.episode, r.member, r.seed, r.agent_seed) for r in local]
    assert comparable(remote) == comparable(local)
    groups = remote.groups()
    assert all(len({json_key(m.turns[0].observation) for m in members}) == 1 for members in groups.values())


def json_key(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True)
