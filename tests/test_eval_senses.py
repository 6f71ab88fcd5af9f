"""The eval reports the two new capabilities apart: grid success by obs mode, and per-trial figures."""

from __future__ import annotations

import json

import agentic_gym
from agentic_gym.agents import OracleAgent, RandomAgent
from agentic_gym.cli import main
from agentic_gym.evaluation.report import results_table, summary_markdown


def test_grid_success_is_reported_by_what_the_text_carries():
    ids = ["agentic_gym/GridKeyDoor-6x6-v0", "agentic_gym/GridKeyDoor-6x6-Vision-v0", "agentic_gym/ToolMath-2step-v0"]
    oracle = agentic_gym.evaluate(OracleAgent, ids, episodes=2, seed=0)
    random = agentic_gym.evaluate(RandomAgent, ids, episodes=2, seed=0, max_steps=5)
    assert oracle["obs_modes"]["text"]["envs"] == oracle["obs_modes"]["image"]["envs"] == 1
    assert oracle["obs_modes"]["image"]["success_rate"] == 1.0
    assert "perception" in oracle["capabilities"] and oracle["capabilities"]["perception"]["envs"] == 1
    agents = {"oracle": oracle, "random": random}
    assert "image (image only)  1.00 +- 0.00" in results_table(agents)
    assert "| image | 1.00 +- 0.00 | 0.00 +- 0.00 |" in summary_markdown(agents)
    # Without grid envs there is no such section.
    tools = agentic_gym.evaluate(OracleAgent, ["agentic_gym/ToolMath-2step-v0"], episodes=1, seed=0)
    assert "obs_modes" not in tools and "grid envs by" not in results_table({"oracle": tools})


def test_eval_trials_prints_and_writes_per_trial_figures(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["eval", "--agent", "oracle", "--envs", "GridDecoyKeyDoor-6x6-v0,GridKeyDoor-6x6-v0",
                 "--episodes", "8", "--trials", "2", "--out", str(out), "--record", "0"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "self-improvement: 2 trials per task" in printed
    reports = json.loads((out / "trials.json").read_text())
    by_agent = {r["agent"]: r for r in reports}
    assert set(by_agent) == {"oracle", "trial_learner"}
    assert all(r["env_id"] == "agentic_gym/GridDecoyKeyDoor-6x6-v0" for r in reports)
    assert by_agent["oracle"]["memory"]["success_per_trial"] == [1.0, 1.0]
    learner = by_agent["trial_learner"]
    assert learner["memory"]["success_per_trial"][1] == 1.0 and learner["memory"]["gain"] > 0
    assert learner["no_memory"]["gain"] == 0.0


def test_eval_trials_is_validated(capsys):
    assert main(["eval", "--trials", "-1"]) == 2
    assert "--trials must be 0 to 100" in capsys.readouterr().err
