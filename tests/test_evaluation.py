"""evaluate(): seeds, metrics, reproducibility, workers, the output directory and resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import agentic_gym
from agentic_gym.agents import AgentError, OracleAgent, RandomAgent
from agentic_gym.evaluation import (
    EpisodeRow,
    RunStore,
    episode_seeds,
    evaluate,
    resolve_env_ids,
    results_table,
    run_episode,
)
from agentic_gym.evaluation.report import _PALETTE
from tests.stub_envs import CORRIDOR_ID, SLOW_TREASURE_ID, TREASURE_ID

REPO = Path(__file__).resolve().parents[1]
IDS = [TREASURE_ID, CORRIDOR_ID]


def stable(rows: list) -> list[dict]:
    """Episode rows (JSON or typed) without their wall-clock time (the only field allowed to differ)."""
    return [{k: v for k, v in (r if isinstance(r, dict) else r.to_json()).items() if k != "seconds"} for r in rows]


class Fumbler:
    """A native agent that sends garbage every other step and pretends to spend tokens."""

    uses_chat = False
    name = "fumbler"

    def __init__(self, env, seed):
        self.inner = OracleAgent(env)
        self.turn = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0

    def reset(self, info):
        self.turn = 0

    def act(self, observation, info):
        self.turn += 1
        self.prompt_tokens += 10
        self.completion_tokens += 2
        return "dance wildly" if self.turn % 2 else self.inner.act(observation, info)


def test_public_name_is_the_function():
    assert agentic_gym.evaluate is evaluate


def test_the_evaluation_never_imports_the_command_line():
    code = ("import sys, agentic_gym.evaluation as e; e.evaluate; "
            "assert not [m for m in sys.modules if m in ('agentic_gym.cli', 'agentic_gym.evaluation.command')], "
            "sorted(m for m in sys.modules if m.startswith('agentic_gym'))")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    # The command's names stay importable from the package, loaded on demand.
    from agentic_gym.evaluation import add_eval_arguments, run_eval_command
    from agentic_gym.evaluation.command import add_eval_arguments as direct

    assert add_eval_arguments is direct and callable(run_eval_command)


def test_run_episode_returns_a_typed_trajectory():
    import gymnasium as gym

    env = gym.make(TREASURE_ID)
    trajectory = run_episode(OracleAgent(env, seed=0), env, seed=3, keep_observations=True)
    assert trajectory.success and trajectory.seed == 3 and trajectory.total_return == 1.0
    assert [t.command for t in trajectory.turns] == ["scan"] * (trajectory.steps - 1) + ["dig"]
    assert trajectory.turns[-1].terminated and not trajectory.truncated and trajectory.invalid == 0
    assert trajectory.tool_calls == trajectory.steps - 1
    assert trajectory.initial_observation["text"].startswith("The treasure is in one of cells")
    assert all(t.observation is not None and t.valid for t in trajectory.turns)
    row = EpisodeRow.from_trajectory(trajectory, agent="oracle", env_id=TREASURE_ID, episode=0)
    assert EpisodeRow.from_json(json.loads(json.dumps(row.to_json()))) == row
    assert row.to_json()["return"] == 1.0 and "episode_return" not in row.to_json()
    # Without keep_observations the trajectory holds no observation.
    again = run_episode(OracleAgent(env, seed=0), env, seed=3)
    assert again.initial_observation is None and all(t.observation is None for t in again.turns)
    assert [t.action for t in again.turns] == [t.action for t in trajectory.turns]


def test_a_line_that_is_not_a_row_is_named(tmp_path):
    (tmp_path / "episodes.jsonl").write_text('{"agent": "random"}\n')
    with pytest.raises(ValueError, match=r"episodes.jsonl:1: not an episode row"):
        RunStore(tmp_path).rows()


def test_env_globs_resolve_and_unknown_ones_fail():
    ids = agentic_gym.envs.registered_ids()
    assert resolve_env_ids("*") == list(ids)
    grid = [e for e in ids if e.split("/")[1].startswith("Grid")]
    assert resolve_env_ids("Grid*") == grid
    assert resolve_env_ids(f"{TREASURE_ID}, {CORRIDOR_ID}") == IDS
    with pytest.raises(ValueError, match="no registered env matches 'Nope\\*'"):
        resolve_env_ids("Nope*")


def test_episode_seeds_are_derived_and_distinct():
    seeds = [episode_seeds(7, i) for i in range(50)]
    assert len({s for pair in seeds for s in pair}) == 100
    assert seeds == [episode_seeds(7, i) for i in range(50)]


def test_oracle_and_random_metrics():
    oracle = evaluate(OracleAgent, IDS, episodes=6, seed=0)
    random = evaluate(RandomAgent, IDS, episodes=6, seed=0)
    for env_id in IDS:
        m = oracle["envs"][env_id]
        assert (m["episodes"], m["success_rate"], m["success_se"], m["invalid_rate"]) == (6, 1.0, 0.0, 0.0)
        assert m["mean_return"] == 1.0
    # The oracle scans cells in order until the treasure shows, then digs: scans = steps - 1.
    treasure = oracle["envs"][TREASURE_ID]
    assert treasure["tool_calls"] == pytest.approx(treasure["mean_steps"] - 1)
    # Corridor: exactly one `look` (a tool affordance of a Discrete env), then walking.
    assert oracle["envs"][CORRIDOR_ID]["tool_calls"] == 1.0
    assert oracle["overall"]["success_rate"] == 1.0
    assert set(oracle["capabilities"]) == {"planning", "memory", "tool_use", "reasoning"}
    # Same seeds for every agent, so the agents meet the same episodes.
    assert [r["seed"] for r in oracle["episodes"]] == [r["seed"] for r in random["episodes"]]
    for env_id in IDS:
        rows = [r for r in random["episodes"] if r["env_id"] == env_id]
        rate = np.mean([r["success"] for r in rows])
        m = random["envs"][env_id]
        assert m["success_rate"] == pytest.approx(rate)
        assert m["success_se"] == pytest.approx(np.sqrt(rate * (1 - rate) / 6))
        assert m["mean_steps"] == pytest.approx(np.mean([r["steps"] for r in rows]))


def test_invalid_actions_tokens_and_capability_means():
    result = evaluate(Fumbler, IDS[:1], episodes=4, seed=3)
    rows = result["episodes"]
    steps = sum(r["steps"] for r in rows)
    invalid = sum(r["invalid"] for r in rows)
    assert invalid == sum((r["steps"] + 1) // 2 for r in rows)
    assert result["envs"][TREASURE_ID]["invalid_rate"] == pytest.approx(invalid / steps)
    assert all(r["tokens_in"] == 10 * r["steps"] and r["tokens_out"] == 2 * r["steps"] for r in rows)
    assert result["overall"]["tokens_in"] == 10 * steps
    assert result["agent"] == "fumbler"


def test_capability_and_overall_are_means_over_envs():
    result = evaluate(RandomAgent, IDS, episodes=8, seed=11)
    treasure, corridor = (result["envs"][e] for e in IDS)
    assert result["capabilities"]["tool_use"]["success_rate"] == treasure["success_rate"]
    assert result["capabilities"]["planning"]["success_rate"] == corridor["success_rate"]
    overall = result["overall"]
    assert overall["success_rate"] == pytest.approx((treasure["success_rate"] + corridor["success_rate"]) / 2)
    assert overall["success_se"] == pytest.approx(np.hypot(treasure["success_se"], corridor["success_se"]) / 2)


def test_results_are_reproducible_for_a_seed_and_change_with_it():
    first = evaluate(RandomAgent, IDS, episodes=5, seed=4)
    again = evaluate(RandomAgent, IDS, episodes=5, seed=4)
    other = evaluate(RandomAgent, IDS, episodes=5, seed=5)
    assert stable(first["episodes"]) == stable(again["episodes"])
    assert first["envs"] == again["envs"]
    assert stable(first["episodes"]) != stable(other["episodes"])


def test_workers_give_the_same_results_as_one_process(tmp_path):
    one = evaluate(RandomAgent, IDS, episodes=4, seed=2)
    two = evaluate(RandomAgent, IDS, episodes=4, seed=2, workers=2, out=tmp_path)
    assert stable(two["episodes"]) == stable(one["episodes"])
    assert two["envs"] == one["envs"]
    assert len(RunStore(tmp_path).rows()) == 8


def test_max_steps_overrides_the_time_limit():
    result = evaluate(RandomAgent, [CORRIDOR_ID], episodes=3, seed=0, max_steps=2)
    assert all(r["steps"] <= 2 for r in result["episodes"])


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="episodes"):
        evaluate(RandomAgent, IDS, episodes=0)
    with pytest.raises(ValueError, match="workers"):
        evaluate(RandomAgent, IDS, workers=0)
    with pytest.raises(ValueError, match="record needs an output directory"):
        evaluate(RandomAgent, IDS, record=1)


def test_output_directory_holds_results_summary_picture_and_recordings(tmp_path):
    random = evaluate(RandomAgent, IDS, episodes=3, seed=0, out=tmp_path)
    oracle = evaluate(OracleAgent, IDS, episodes=3, seed=0, out=tmp_path, record=1)
    results = json.loads((tmp_path / "results.json").read_text())
    assert list(results["agents"]) == ["random", "oracle"]
    assert results["agents"]["oracle"]["envs"] == oracle["envs"]
    assert results["agents"]["random"]["overall"] == random["overall"]
    assert results["agents"]["oracle"]["config"]["seed"] == 0 and results["agents"]["oracle"]["complete"]
    assert {"python", "gymnasium", "numpy"} <= set(results["versions"])
    assert stable(results["episodes"]) == stable(random["episodes"] + oracle["episodes"])
    assert len((tmp_path / "episodes.jsonl").read_text().splitlines()) == 12
    summary = (tmp_path / "summary.md").read_text()
    assert "| Treasure-v0 | oracle | 1.00 +- 0.00 |" in summary and "capabilities.png" in summary
    # The capability picture decodes as a PNG and shows one colour per agent.
    with Image.open(tmp_path / "capabilities.png") as picture:
        assert picture.format == "PNG"
        picture.load()
        pixels = np.asarray(picture.convert("RGB")).reshape(-1, 3)
    for colour in _PALETTE[:2]:
        assert (pixels == colour).all(axis=1).sum() > 100
    # The oracle's first episode of each env is recorded, the others not.
    names = sorted(p.name for p in (tmp_path / "recordings" / "oracle").iterdir())
    assert names == sorted(f"{e.split('/')[1]}-ep0-0000.{x}" for e in IDS for x in ("gif", "html", "jsonl"))
    with Image.open(tmp_path / "recordings" / "oracle" / "Treasure-v0-ep0-0000.gif") as gif:
        assert gif.n_frames == oracle["episodes"][0]["steps"] + 1
    table = results_table(results["agents"])
    assert "Corridor-v0" in table and "overall" in table


def test_an_existing_run_needs_resume_and_the_same_settings(tmp_path):
    evaluate(RandomAgent, IDS, episodes=2, seed=0, out=tmp_path)
    with pytest.raises(ValueError, match="already holds results of agent 'random'"):
        evaluate(RandomAgent, IDS, episodes=2, seed=0, out=tmp_path)
    with pytest.raises(ValueError, match=r"settings differ \(seed\)"):
        evaluate(RandomAgent, IDS, episodes=2, seed=1, out=tmp_path, resume=True)
    again = evaluate(RandomAgent, IDS, episodes=2, seed=0, out=tmp_path, resume=True)
    assert again["overall"]["episodes"] == 4
    assert len(RunStore(tmp_path).rows()) == 4


def test_a_cut_last_line_is_dropped_on_resume(tmp_path):
    full = evaluate(RandomAgent, IDS, episodes=3, seed=9, out=tmp_path / "full")
    log = tmp_path / "cut" / "episodes.jsonl"
    log.parent.mkdir()
    lines = (tmp_path / "full" / "episodes.jsonl").read_text().splitlines(keepends=True)
    log.write_text("".join(lines[:2]) + lines[2][: len(lines[2]) // 2])
    resumed = evaluate(RandomAgent, IDS, episodes=3, seed=9, out=tmp_path / "cut", resume=True)
    assert stable(resumed["episodes"]) == stable(full["episodes"])
    assert len(log.read_text().splitlines()) == 6


def test_resume_after_kill_gives_identical_results(tmp_path):
    out = tmp_path / "run"
    script = textwrap.dedent(f"""
        import tests.stub_envs
        from agentic_gym import evaluate
        from agentic_gym.agents import RandomAgent
        evaluate(RandomAgent, [{SLOW_TREASURE_ID!r}], episodes=12, seed=5, out={str(out)!r})
    """)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    process = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    log = out / "episodes.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not log.exists() or len(log.read_bytes().splitlines()) < 3):
        assert process.poll() is None, process.stderr.read().decode()
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stderr.close()
    killed = RunStore(out).rows()
    assert 3 <= len(killed) < 12, "the run must be cut part-way"
    assert not json.loads((out / "results.json").read_text())["agents"]["random"]["complete"]

    resumed = evaluate(RandomAgent, [SLOW_TREASURE_ID], episodes=12, seed=5, out=out, resume=True)
    straight = evaluate(RandomAgent, [SLOW_TREASURE_ID], episodes=12, seed=5, out=tmp_path / "straight")
    assert stable(resumed["episodes"]) == stable(straight["episodes"])
    assert resumed["envs"] == straight["envs"] and resumed["overall"] == straight["overall"]
    assert stable(killed) == stable(resumed["episodes"])[: len(killed)]
    final = json.loads((out / "results.json").read_text())
    assert final["agents"]["random"]["complete"]
    assert final["agents"]["random"]["envs"] == straight["envs"]


class Unreachable(Fumbler):
    """Plays two episodes like the oracle, then finds its server gone."""

    name = "unreachable"
    started = 0

    def reset(self, info):
        Unreachable.started += 1

    def act(self, observation, info):
        if Unreachable.started > 2:
            raise AgentError("cannot reach http://127.0.0.1:9/v1: connection refused")
        return self.inner.act(observation, info)


def test_an_agent_error_stops_the_run_and_keeps_finished_episodes(tmp_path):
    Unreachable.started = 0
    with pytest.raises(AgentError, match="cannot reach"):
        evaluate(Unreachable, IDS, episodes=3, seed=0, out=tmp_path)
    assert len(RunStore(tmp_path).rows()) == 2
    assert not json.loads((tmp_path / "results.json").read_text())["agents"]["unreachable"]["complete"]


def test_chat_mode_records_options_by_name_and_resumes(tmp_path):
    from agentic_gym.wrappers.tools import TOOLS

    options = {"tools": [TOOLS["calculator"]], "history": 2}
    first = evaluate(OracleAgent, IDS, episodes=2, seed=0, chat=True, chat_options=options, out=tmp_path)
    assert first["config"]["chat"] is True
    assert first["config"]["chat_options"] == {"tools": ["calculator"], "history": 2}
    # The oracle's command text goes through the language layer's parser and still solves every episode.
    assert first["overall"]["success_rate"] == 1.0
    again = evaluate(OracleAgent, IDS, episodes=2, seed=0, chat=True, chat_options=options, out=tmp_path, resume=True)
    assert stable(again["episodes"]) == stable(first["episodes"])
    native = evaluate(OracleAgent, IDS, episodes=2, seed=0)
    assert [r["steps"] for r in native["episodes"]] == [r["steps"] for r in first["episodes"]]
