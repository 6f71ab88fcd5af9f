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


MAZES = ("agentic_gym/GridMaze-Trivial-v0", "agentic_gym/GridMaze-Easy-v0", "agentic_gym/GridMaze-Medium-v0")


class Replay:
    """A sampler that plays a fixed list of (level, seed) pairs."""

    def __init__(self, pairs):
        self.pairs = list(pairs)
        self.levels = tuple(dict.fromkeys(level for level, _ in self.pairs))

    def next(self):
        return self.pairs.pop(0)

    def update(self, level, seed, success, steps, oracle_steps):
        pass


@pytest.mark.usefixtures("local_ray")
def test_a_curriculum_on_ray_with_one_task_at_a_time_is_the_local_run():
    from agentic_gym.curriculum import ThresholdSchedule

    def run(**backend):
        sampler = ThresholdSchedule(MAZES, seed=5, window=2, bar=1.0)
        rollouts = collect(agent_factory=OracleAgent, episodes=4, curriculum=sampler, group_size=2, **backend)
        return comparable(rollouts), sampler.current, sampler.episodes

    assert run(backend="ray") == run()


@pytest.mark.usefixtures("local_ray")
def test_a_curriculum_on_ray_dispatches_as_it_chooses_and_learns_from_every_result():
    from agentic_gym.curriculum import LearnabilitySampler

    sampler = LearnabilitySampler(MAZES, seed=2, window=4)
    options: dict[str, Any] = {"agent_factory": RandomAgent, "episodes": 6, "seed": 1, "group_size": 2,
                               "max_episode_steps": 20}
    remote = collect(curriculum=sampler, backend="ray", num_workers=2, **options)
    assert [(r.episode, r.member) for r in remote] == [(e, m) for e in range(6) for m in range(2)]
    assert sampler.episodes == 12
    for members in remote.groups().values():
        assert len({(m.level, m.seed) for m in members}) == 1
    # Each group is what the local runner plays for that level and seed.
    local = collect(curriculum=Replay([(r.level, r.seed) for r in remote][::2]), **options)
    assert comparable(local) == comparable(remote)
