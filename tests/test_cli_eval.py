"""`agentic-gym eval`: the default run's files, the openai agent end to end, one-line errors."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from agentic_gym.cli import main
from agentic_gym.envs import registered_ids

REPO = Path(__file__).resolve().parents[1]


def pick(prefixes: tuple[str, ...]) -> list[str]:
    """The first registered variant of each family named in ``prefixes`` (what has landed)."""
    chosen = []
    for prefix in prefixes:
        ids = [e for e in registered_ids() if e.split("/")[1].startswith(prefix)]
        chosen += ids[:1]
    return chosen


SMALL = pick(("GridKeyDoor", "Codebreaker", "ToolMath"))


def one_line_error(capsys, alone: bool = True) -> str:
    """The error line closing stderr (``alone``: and nothing else, e.g. no progress bar before it)."""
    err = capsys.readouterr().err.strip()
    last = err.splitlines()[-1] if err else ""
    assert last.startswith("agentic-gym eval: error: "), err
    assert last == err or not alone, err
    return last


@pytest.mark.skipif(not SMALL, reason="no environment registered")
def test_default_settings_write_a_timestamped_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    # The full default run covers every env (its time is reported separately); this one
    # keeps every default except the env set.
    assert main(["eval", "--envs", ",".join(SMALL)]) == 0
    out = capsys.readouterr().out
    (run,) = (tmp_path / "runs").iterdir()
    results = json.loads((run / "results.json").read_text())
    assert list(results["agents"]) == ["random", "oracle"]
    for label in ("random", "oracle"):
        agent = results["agents"][label]
        assert agent["complete"] and list(agent["envs"]) == SMALL
        assert all(m["episodes"] == 3 for m in agent["envs"].values())
        assert all(m["success_rate"] == 1.0 for m in results["agents"]["oracle"]["envs"].values())
    for env_id in SMALL:
        name = env_id.split("/")[1]
        assert name in out
        gif = run / "recordings" / "oracle" / f"{name}-ep0-0000.gif"
        with Image.open(gif) as picture:
            assert picture.format == "GIF" and picture.n_frames >= 2
    assert not (run / "recordings" / "random").exists()
    with Image.open(run / "capabilities.png") as picture:
        picture.load()
        assert picture.format == "PNG" and picture.size[0] >= 640
    assert "overall" in out and str(run.relative_to(tmp_path)) in out
    assert "| oracle |" in (run / "summary.md").read_text()


@pytest.mark.skipif(not SMALL, reason="no environment registered")
def test_resume_completes_a_run_and_chat_mode_works(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["eval", "--envs", SMALL[0], "--agent", "oracle", "--chat", "--episodes", "2",
                 "--record", "0", "--out", str(out)]) == 0
    capsys.readouterr()
    first = json.loads((out / "results.json").read_text())
    assert first["agents"]["oracle"]["config"]["chat"] is True
    assert first["agents"]["oracle"]["overall"]["success_rate"] == 1.0
    assert main(["eval", "--envs", SMALL[0], "--agent", "oracle", "--chat", "--episodes", "2",
                 "--record", "0", "--out", str(out)]) == 2
    assert "already holds results" in one_line_error(capsys)
    assert main(["eval", "--envs", SMALL[0], "--agent", "oracle", "--chat", "--episodes", "2",
                 "--record", "0", "--out", str(out), "--resume"]) == 0
    assert len((out / "episodes.jsonl").read_text().splitlines()) == 2


@pytest.mark.parametrize("argv, expected", [
    (["--envs", "NoSuchEnv*"], "no registered env matches 'NoSuchEnv*'"),
    (["--agent", "openai"], "--agent openai needs --model"),
    (["--episodes", "0"], "--episodes must be at least 1"),
    (["--workers", "0"], "--workers must be at least 1"),
    (["--record", "-1"], "--record must be first, failures, all or a count per env"),
    (["--resume"], "--resume needs --out"),
])
def test_bad_arguments_give_one_line_errors(argv, expected, capsys):
    assert main(["eval", *argv]) == 2
    assert expected in one_line_error(capsys)


@pytest.mark.skipif(not SMALL, reason="no environment registered")
def test_unreachable_server_gives_one_line_error(tmp_path, capsys):
    pytest.importorskip("openai")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    code = main(["eval", "--agent", "openai", "--model", "m", "--base-url", url, "--max-retries", "0",
                 "--envs", SMALL[0], "--episodes", "1", "--out", str(tmp_path / "run")])
    assert code == 2
    err = one_line_error(capsys, alone=False)
    assert f"cannot reach {url}" in err and "--resume" in err


@pytest.mark.skipif(not SMALL, reason="no environment registered")
def test_openai_agent_runs_through_chat_and_garbage_never_crashes(tmp_path, capsys):
    pytest.importorskip("openai")
    from tests.agents.chat_server import ChatServer, Raw, completion

    # Garbage, an empty reply and a broken body: every reply is invalid, none stops the run.
    script = [completion("I would rather not."), completion(None), Raw(200, b"{not json"),
              completion("%%%", prompt_tokens=5, completion_tokens=1)]
    with ChatServer(script) as server:
        code = main(["eval", "--agent", "openai", "--model", "test-model", "--base-url", server.url,
                     "--api-key", "k", "--envs", SMALL[0], "--episodes", "2", "--record", "1",
                     "--out", str(tmp_path / "run")])
    assert code == 0, capsys.readouterr().err
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    metrics = results["agents"]["test-model"]["envs"][SMALL[0]]
    assert metrics["success_rate"] == 0.0 and metrics["invalid_rate"] == 1.0
    rows = results["episodes"]
    # The chat env truncates after 3 invalid replies in a row; the broken body counts no tokens.
    assert [r["steps"] for r in rows] == [3, 3]
    assert [(r["tokens_in"], r["tokens_out"]) for r in rows] == [(22, 6), (15, 3)]
    assert results["agents"]["test-model"]["config"]["agent_settings"]["base_url"] == server.url
    assert len(server.requests) == 6 and server.requests[0]["messages"][0]["role"] == "system"
    assert (tmp_path / "run" / "recordings" / "test-model").is_dir()
    assert "test-model" in capsys.readouterr().out


def test_console_script_help_lists_eval():
    result = subprocess.run([sys.executable, "-m", "agentic_gym.cli", "eval", "--help"], capture_output=True,
                            text=True, timeout=120, cwd=REPO)
    assert result.returncode == 0
    for option in ("--agent", "--envs", "--episodes", "--seed", "--workers", "--out", "--record", "--resume",
                   "--model", "--base-url", "--api-key"):
        assert option in result.stdout
