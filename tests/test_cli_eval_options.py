"""`agentic-gym eval` options: chat stack, request options, user agents, --record, resume, run metadata."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest

from agentic_gym.agents import OracleAgent
from agentic_gym.cli import main
from agentic_gym.evaluation import evaluate
from agentic_gym.evaluation.command import DEFAULTS
from agentic_gym.evaluation.harness import _progress_text
from agentic_gym.evaluation.report import EpisodeRow

CODE = "agentic_gym/Codebreaker-4x6-v0"
ADVENTURE = "agentic_gym/TextAdventure-3rooms-v0"

AGENT_FILE = '''
class FirstGuess:
    """Always guesses the same code: a native agent that follows the protocol."""
    uses_chat = False
    name = "first-guess"

    def reset(self, info):
        self.turns = 0

    def act(self, observation, info):
        self.turns += 1
        return "guess red red red red"


class ChatOracle:
    """A chat agent built per episode from (env, seed)."""
    uses_chat = True

    def __init__(self, env, seed):
        self.env = env

    def reset(self, info):
        pass

    def act(self, observation, info):
        return "Action: " + self.env.oracle_action()


class NoAct:
    def reset(self, info):
        pass
'''


def results(out: Path) -> dict:
    return json.loads((out / "results.json").read_text())


def test_evaluate_and_the_command_share_defaults(tmp_path):
    parameters = inspect.signature(evaluate).parameters
    assert parameters["episodes"].default == DEFAULTS["episodes"] == 3
    # The default records the first episode of each env, in Python as on the command line.
    result = evaluate(OracleAgent, CODE, seed=0, out=tmp_path)
    assert result["config"]["episodes"] == 3 and result["config"]["record"] == 1
    assert sorted(p.name for p in (tmp_path / "recordings" / "oracle").glob("*.jsonl")) == [
        "Codebreaker-4x6-v0-ep0-0000.jsonl"]
    assert (tmp_path / "recordings" / "index.html").exists()
    assert evaluate(OracleAgent, CODE, episodes=1)["config"]["record"] == 0


def test_user_agents_load_from_a_file_and_from_a_module(tmp_path, monkeypatch, capsys):
    (tmp_path / "my_agents.py").write_text(AGENT_FILE)
    out = tmp_path / "run"
    assert main(["eval", "--agent", f"{tmp_path / 'my_agents.py'}:FirstGuess", "--envs", "Codebreaker-4x6-v0",
                 "--episodes", "2", "--record", "0", "--out", str(out)]) == 0
    assert set(results(out)["agents"]) == {"first-guess"}
    assert "first-guess" in capsys.readouterr().out
    monkeypatch.syspath_prepend(str(tmp_path))
    out2 = tmp_path / "run2"
    assert main(["eval", "--agent", "my_agents:ChatOracle", "--envs", "Codebreaker-4x6-v0", "--episodes", "2",
                 "--record", "0", "--out", str(out2)]) == 0
    agent = results(out2)["agents"]["chatoracle"]
    assert agent["config"]["chat"] is True and agent["envs"][CODE]["success_rate"] == 1.0


@pytest.mark.parametrize(("reference", "expected"), [
    ("nowhere.py:X", "no file nowhere.py"),
    ("my_agents:Missing", "has no 'Missing'"),
    ("my_agents:NoAct", "lacks act"),
    ("no_such_module_xyz:A", "importing no_such_module_xyz failed: ModuleNotFoundError"),
])
def test_user_agent_mistakes_are_one_line(tmp_path, monkeypatch, capsys, reference, expected):
    (tmp_path / "my_agents.py").write_text(AGENT_FILE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert main(["eval", "--agent", reference, "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and expected in err, err


def test_chat_stack_options_reach_the_prompt(tmp_path):
    out = tmp_path / "run"
    assert main(["eval", "--agent", "oracle", "--chat", "--envs", "Codebreaker-4x6-v0", "--episodes", "1",
                 "--format", "react", "--notes", "--tools", "calculator", "--history", "2",
                 "--system-prompt", "Crack the code.", "--record", "1", "--out", str(out)]) == 0
    config = results(out)["agents"]["oracle"]["config"]
    assert config["chat_options"] == {"format": "react", "notes": True, "tools": ["calculator"], "history": 2,
                                      "system_prompt": "Crack the code."}
    header = json.loads((out / "recordings" / "oracle" / "Codebreaker-4x6-v0-ep0-0000.jsonl")
                        .read_text().splitlines()[0])
    assert header["messages"][0]["content"] == "Crack the code."


def test_request_options_reach_the_server(tmp_path):
    pytest.importorskip("openai")
    from tests.agents.chat_server import ChatServer, completion

    with ChatServer([completion("Action: guess red red red red")]) as server:
        assert main(["eval", "--agent", "openai", "--model", "test-model", "--base-url", server.url,
                     "--envs", "Codebreaker-4x6-v0", "--episodes", "1", "--temperature", "0.5",
                     "--max-tokens", "77", "--extra-body", '{"top_k": 20, "seed": 1}', "--record", "0",
                     "--out", str(tmp_path / "run")]) == 0
    request = server.requests[0]
    assert request["temperature"] == 0.5 and request["max_tokens"] == 77
    assert request["top_k"] == 20 and request["seed"] == 1


def test_server_failures_are_counted_apart_from_invalid_replies(tmp_path, capsys):
    pytest.importorskip("openai")
    from tests.agents.chat_server import ChatServer, Raw, completion

    busy = Raw(503, b'{"error": {"message": "busy"}}', {"retry-after": "0"})
    script = [busy, completion("no idea"), busy, busy, completion("Action: guess red red red red")]
    with ChatServer(script) as server:
        assert main(["eval", "--agent", "openai", "--model", "test-model", "--base-url", server.url,
                     "--max-retries", "2", "--envs", "Codebreaker-4x6-v0", "--episodes", "1", "--max-steps", "2",
                     "--record", "0", "--out", str(tmp_path / "run")]) == 0
    row = results(tmp_path / "run")["episodes"][0]
    assert row["server_errors"] == 3 and row["retries"] == 3
    assert row["invalid"] >= 1 and row["steps"] > row["env_steps"]
    table = capsys.readouterr().out
    assert "server errors/retries" in table and "3/3" in table


def test_the_table_shows_turns_and_env_steps_apart(tmp_path, capsys):
    pytest.importorskip("openai")
    from tests.agents.chat_server import ChatServer, completion

    # An invalid reply, then a valid one, repeated: feedback turns do not step the env.
    with ChatServer([completion("hmm"), completion("Action: guess red red red red")] * 20) as server:
        assert main(["eval", "--agent", "openai", "--model", "m", "--base-url", server.url,
                     "--envs", "Codebreaker-4x6-v0", "--episodes", "1", "--record", "0",
                     "--out", str(tmp_path / "run")]) == 0
    row = results(tmp_path / "run")["episodes"][0]
    assert row["steps"] == 2 * row["env_steps"]
    header = capsys.readouterr().out.splitlines()[0]
    assert re.search(r"\bturns\b.*\benv steps\b", header) and " steps " not in header.replace("env steps", "")


def test_record_failures_keeps_only_failed_episodes_and_the_index_links_them(tmp_path):
    out = tmp_path / "run"
    assert main(["eval", "--agent", "random", "--envs", "Codebreaker-4x6-v0,Recall-5facts-v0", "--episodes", "4",
                 "--record", "failures", "--out", str(out)]) == 0
    rows = [EpisodeRow.from_json(r) for r in results(out)["episodes"]]
    folder = out / "recordings" / "random"
    recorded = {p.name.split("-0000.")[0] for p in folder.glob("*.jsonl")}
    failed = {f"{r.env_id.split('/')[1]}-ep{r.episode}" for r in rows if not r.success}
    assert recorded == failed and recorded
    index = (out / "recordings" / "index.html").read_text()
    for row in rows:
        name = f"{row.env_id.split('/')[1]}-ep{row.episode}"
        if name in recorded:
            assert f'href="random/{name}-0000.html"' in index and f"<td>{row.seed}</td>" in index
    assert index.count("<tr class=") == len(recorded)
    assert ">failed<" in index or ">time limit<" in index


@pytest.mark.parametrize(("record", "count"), [("all", 3), ("2", 2), ("first", 1), ("0", 0)])
def test_record_modes_choose_the_episodes(tmp_path, record, count):
    out = tmp_path / "run"
    assert main(["eval", "--agent", "oracle", "--envs", "Codebreaker-4x6-v0", "--episodes", "3",
                 "--record", record, "--out", str(out)]) == 0
    assert len(list((out / "recordings").glob("*/*.jsonl"))) == count


def test_results_record_the_command_times_version_and_commit(tmp_path):
    from agentic_gym import __version__

    out = tmp_path / "run"
    argv = ["eval", "--agent", "oracle", "--envs", "Codebreaker-4x6-v0", "--episodes", "1", "--out", str(out)]
    assert main(argv) == 0
    run = results(out)["run"]
    assert run["command"] == "agentic-gym " + " ".join(argv)
    assert run["started"] <= run["finished"] and run["agentic_gym_version"] == __version__
    assert run["resumed"] is None
    commit = run["git_commit"]
    assert commit is None or re.fullmatch(r"[0-9a-f]{40}", commit)
    if (Path(__file__).resolve().parents[1] / ".git").exists():
        assert commit is not None


def test_resume_restores_the_run_settings_and_refuses_different_flags(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["eval", "--agent", "oracle", "--envs", "Codebreaker-4x6-v0,Recall-5facts-v0", "--episodes", "2",
                 "--seed", "7", "--record", "0", "--out", str(out)]) == 0
    # Cut the run short: drop its last episode as an interrupted run would have.
    episodes = out / "episodes.jsonl"
    lines = episodes.read_text().splitlines(keepends=True)
    episodes.write_text("".join(lines[:-1]))
    capsys.readouterr()
    assert main(["eval", "--resume", "--out", str(out), "--episodes", "3"]) == 2
    err = capsys.readouterr().err
    assert "--episodes 3 (the run used 2)" in err and len(err.strip().splitlines()) == 1
    assert main(["eval", "--resume", "--out", str(out), "--seed", "7"]) == 0  # the same value is fine
    data = results(out)
    assert set(data["agents"]) == {"oracle"}  # not random and oracle on every env
    assert len(data["episodes"]) == 4 and all(r["seed"] for r in data["episodes"])
    assert data["agents"]["oracle"]["config"]["seed"] == 7 and data["run"]["resumed"]


def test_ctrl_c_prints_the_resume_hint(tmp_path, monkeypatch, capsys):
    import agentic_gym.evaluation.command as command

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "evaluate", interrupted)
    out = tmp_path / "run"
    assert main(["eval", "--agent", "oracle", "--envs", "Codebreaker-4x6-v0", "--out", str(out)]) == 130
    assert f"continue with: agentic-gym eval --resume --out {out}" in capsys.readouterr().err


def test_a_failed_run_leaves_no_empty_recordings(tmp_path, capsys):
    pytest.importorskip("openai")
    from tests.agents.chat_server import ChatServer, Raw, completion

    script = [completion("Action: guess red red red red"), Raw(500, b'{"error": "down"}')]
    with ChatServer(script) as server:
        assert main(["eval", "--agent", "openai", "--model", "m", "--base-url", server.url, "--max-retries", "0",
                     "--envs", "Codebreaker-4x6-v0", "--episodes", "2", "--record", "all",
                     "--out", str(tmp_path / "run")]) == 2
    assert "--resume --out" in capsys.readouterr().err
    assert not [p for p in (tmp_path / "run" / "recordings").rglob("*") if p.is_file() and p.name != "index.html"]


def test_progress_names_the_env_the_agent_and_the_running_success():
    row = EpisodeRow(agent="oracle", env_id=CODE, episode=0, seed=1, success=True, episode_return=1.0, steps=3,
                     invalid=0, truncated=False, tool_calls=0, oracle_tool_calls=None, tokens_in=0, tokens_out=0,
                     seconds=0.0)
    assert _progress_text("oracle", ADVENTURE, [row, row]) == "TextAdventure-3rooms-v0 | oracle | 2/2 solved"
    assert _progress_text("oracle", CODE, []) == "Codebreaker-4x6-v0 | oracle | none played yet"


def test_progress_bar_shows_on_stderr(tmp_path, capsys):
    assert main(["eval", "--agent", "oracle", "--envs", "Codebreaker-4x6-v0", "--episodes", "2", "--record", "0",
                 "--out", str(tmp_path / "run")]) == 0
    err = capsys.readouterr().err
    assert "Codebreaker-4x6-v0 | oracle | 2/2 solved" in err
