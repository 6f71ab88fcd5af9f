"""Errors, not tracebacks: each mistake a newcomer makes gives one line naming the problem and the fix."""

from __future__ import annotations

import json
import time
from pathlib import Path

import gymnasium as gym
import pytest

import agentic_gym
from agentic_gym.cli import main
from agentic_gym.wrappers import RecordEpisode


def one_line(capsys, command: str) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"agentic-gym {command}: "), lines[0]
    assert "Traceback" not in captured.err + captured.out
    return lines[0]


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    """One short recorded episode to replay."""
    directory = tmp_path_factory.mktemp("rec")
    env = RecordEpisode(gym.make("agentic_gym/Codebreaker-4x6-v0", render_mode="rgb_array"), directory)
    env.reset(seed=0)
    env.step(env.unwrapped.oracle_action())
    env.close()
    return directory / "episode-0000.jsonl"


def test_eval_out_an_existing_file(tmp_path, capsys):
    target = tmp_path / "results.txt"
    target.write_text("mine")
    assert main(["eval", "--envs", "Codebreaker-4x6-v0", "--out", str(target)]) == 2
    line = one_line(capsys, "eval")
    assert f"--out {target} is a file" in line and "directory" in line
    assert target.read_text() == "mine"


def test_replay_gif_into_a_missing_directory(recording, tmp_path, capsys):
    target = tmp_path / "missing" / "x.gif"
    assert main(["replay", str(recording), "--gif", str(target)]) == 2
    line = one_line(capsys, "replay")
    assert f"the directory {target.parent} does not exist" in line and "create it" in line


@pytest.mark.parametrize("fps", ["0", "-1"])
def test_replay_fps_zero(recording, tmp_path, capsys, fps):
    assert main(["replay", str(recording), "--fps", fps, "--gif", str(tmp_path / "x.gif")]) == 2
    line = one_line(capsys, "replay")
    assert "--fps must be more than 0" in line
    assert not (tmp_path / "x.gif").exists()


def test_play_negative_seed(capsys):
    assert main(["play", "TextAdventure-3rooms-v0", "--seed", "-5"]) == 2
    assert "--seed must be 0 or more, got -5" in one_line(capsys, "play")


def test_play_record_into_an_existing_file(tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("")
    assert main(["play", "TextAdventure-3rooms-v0", "--record", str(target)]) == 2
    line = one_line(capsys, "play")
    assert f"--record {target} is a file" in line and "directory" in line


def test_play_unknown_env_suggests_the_nearest(capsys):
    assert main(["play", "GridMaze-9x9"]) == 2
    line = one_line(capsys, "play")
    assert "unknown env 'GridMaze-9x9'" in line and "did you mean GridMaze-9x9-v0" in line


def test_base_url_without_a_scheme_is_refused_at_once(tmp_path, capsys):
    started = time.perf_counter()
    assert main(["eval", "--agent", "openai", "--model", "m", "--base-url", "localhost:8000",
                 "--envs", "Codebreaker-4x6-v0", "--out", str(tmp_path / "run")]) == 2
    assert time.perf_counter() - started < 5  # no request, no retry
    line = one_line(capsys, "eval")
    assert "'localhost:8000' has no scheme: use http://localhost:8000" in line
    assert not (tmp_path / "run").exists()


def test_base_url_without_a_scheme_is_refused_by_the_agent_too():
    from agentic_gym.agents import OpenAIAgent

    with pytest.raises(ValueError, match="has no scheme: use http://localhost:8000/v1"):
        OpenAIAgent("m", base_url="localhost:8000/v1")


def test_bad_extra_body_and_unknown_agent(tmp_path, capsys):
    assert main(["eval", "--agent", "openai", "--model", "m", "--extra-body", "{top_k: 2}",
                 "--out", str(tmp_path / "a")]) == 2
    assert "--extra-body is not JSON" in one_line(capsys, "eval")
    assert main(["eval", "--agent", "clever", "--out", str(tmp_path / "b")]) == 2
    assert "unknown agent 'clever'" in one_line(capsys, "eval")


def test_grid_step_with_text_names_the_valid_actions_and_points_to_chat():
    env = gym.make("agentic_gym/GridKeyDoor-8x8-v0")
    env.reset(seed=0)
    observation, reward, terminated, truncated, info = env.step("forward")  # refused, not raised
    assert info["action_valid"] is False and reward == 0 and not (terminated or truncated)
    first, second = observation["text"].split("\n")[:2]
    assert "Invalid action 'forward'" in first and "2 (forward)" in first
    assert "agentic_gym.chat" in second
    chat_env = agentic_gym.chat("agentic_gym/GridKeyDoor-8x8-v0")
    chat_env.reset(seed=0)
    assert chat_env.step("left")[4]["parse_error"] is None  # the same word as text, read by the chat layer


def test_results_json_is_left_alone_by_a_refused_eval(tmp_path, capsys):
    (tmp_path / "results.json").write_text(json.dumps({"keep": True}))
    assert main(["eval", "--episodes", "0", "--out", str(tmp_path)]) == 2
    assert "--episodes must be at least 1" in one_line(capsys, "eval")
    assert json.loads((tmp_path / "results.json").read_text()) == {"keep": True}


def test_a_misspelt_chat_keyword_names_the_valid_options():
    with pytest.raises(TypeError) as caught:
        agentic_gym.chat("agentic_gym/TextAdventure-3rooms-v0", histroy=4)
    message = str(caught.value)
    assert "\n" not in message and "unexpected keyword 'histroy' (did you mean 'history'?)" in message
    assert "chat options: format, on_invalid, history" in message and "arguments of agentic_gym/TextAdventure" in message
    with pytest.raises(TypeError, match="did you mean 'size'"):
        agentic_gym.chat("agentic_gym/GridMaze-9x9-v0", szie=15)
    # Real env arguments and gym.make keywords still pass.
    env = agentic_gym.chat("agentic_gym/GridMaze-9x9-v0", size=15, max_episode_steps=5)
    assert env.spec.kwargs["size"] == 15


def test_tools_are_in_every_step_info_as_one_list():
    env = agentic_gym.chat("agentic_gym/TextAdventure-3rooms-v0", tools=["calculator"])
    _, info = env.reset(seed=0)
    tools = info["tools"]
    assert [t["function"]["name"] for t in tools][-1] == "calculator"
    for reply in ("look", "nonsense that is no command", "calculator 2 + 2", "inventory"):
        *_, step_info = env.step(reply)
        assert step_info["tools"] is tools
