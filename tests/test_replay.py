"""Replay: re-simulating a recorded episode rebuilds identical artefacts and catches divergence."""

from __future__ import annotations

import html
import json
import warnings
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from PIL import Image, ImageSequence

from agentic_gym.cli import main
from agentic_gym.envs import registered_ids
from agentic_gym.replay import ReplayDivergence, ReplayError, load_episode, replay
from agentic_gym.wrappers.record import RecordEpisode
from tests.stub_envs import GRID_ID, TEXT_ID, check_html


def gif_frames(path: Path) -> list[np.ndarray]:
    return [np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(Image.open(path))]


def record(directory: Path, env_id: str, actions: list, seed: int | None = 0, **make_kwargs) -> Path:
    env = RecordEpisode(gym.make(env_id, render_mode="rgb_array", **make_kwargs), directory)
    env.reset(seed=seed)
    for action in actions:
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            break
    env.close()
    return directory / "episode-0000.jsonl"


def rewrite(path: Path, change) -> None:
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    change(lines)
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


@pytest.mark.parametrize("env_id, actions", [
    (TEXT_ID, ["wait", "go left", "nonsense!", "go right", "go right"]),
    (GRID_ID, [0, 3, 3, 1, 4, 2]),
])
def test_replay_rebuilds_the_recorded_gif_and_html(tmp_path, env_id, actions):
    jsonl = record(tmp_path / "run", env_id, actions, seed=9)
    result = replay(jsonl, gif=tmp_path / "again.gif", html=tmp_path / "again.html")
    assert len(result.episode.steps) == result.frame_count - 1 >= 1
    original, rebuilt = gif_frames(tmp_path / "run" / "episode-0000.gif"), gif_frames(tmp_path / "again.gif")
    assert len(original) == len(rebuilt) == result.frame_count
    assert all(np.array_equal(a, b) for a, b in zip(original, rebuilt))
    checker = check_html(tmp_path / "again.html")
    assert checker.sections == len(result.episode.steps) + 1
    assert (tmp_path / "again.html").read_text() == (tmp_path / "run" / "episode-0000.html").read_text()


def test_cli_replay_writes_next_to_the_episode_by_default(tmp_path, capsys):
    jsonl = record(tmp_path, TEXT_ID, ["go left", "go right", "wait"], seed=1)
    for suffix in (".gif", ".html"):
        jsonl.with_suffix(suffix).unlink()
    assert main(["replay", str(jsonl)]) == 0
    assert jsonl.with_suffix(".gif").exists() and jsonl.with_suffix(".html").exists()
    assert "3 steps replayed identically" in capsys.readouterr().out
    assert main(["replay", str(jsonl), "--check"]) == 0


def test_a_changed_action_makes_replay_fail_with_the_step(tmp_path, capsys):
    jsonl = record(tmp_path, TEXT_ID, ["go left", "go left", "wait", "wait"], seed=2)

    def change(lines):
        lines[2]["action"] = "go right"

    rewrite(jsonl, change)
    with pytest.raises(ReplayDivergence, match="step 2: the replayed observation differs"):
        replay(jsonl, gif=tmp_path / "out.gif")
    assert not (tmp_path / "out.gif").exists()
    assert main(["replay", str(jsonl), "--gif", str(tmp_path / "out.gif")]) == 1
    error = capsys.readouterr().err
    assert "diverges" in error and "step 2" in error and "recorded:" in error and "replayed:" in error


def test_a_changed_image_is_caught_by_the_digest(tmp_path):
    jsonl = record(tmp_path, GRID_ID, [1, 1, 3], seed=3)

    def change(lines):
        lines[3]["observation_digest"] = "0" * 64

    rewrite(jsonl, change)
    with pytest.raises(ReplayDivergence, match="step 3: .*beyond its text"):
        replay(jsonl)


def test_a_changed_seed_or_reward_is_caught(tmp_path):
    jsonl = record(tmp_path, GRID_ID, [1, 1, 3], seed=4)
    original = jsonl.read_text()

    def change_seed(lines):
        lines[0]["seed"] = 5

    rewrite(jsonl, change_seed)
    with pytest.raises(ReplayDivergence, match="reset"):
        replay(jsonl)
    jsonl.write_text(original)

    def change_reward(lines):
        lines[1]["reward"] = 0.5

    rewrite(jsonl, change_reward)
    with pytest.raises(ReplayDivergence, match="step 1: replayed reward"):
        replay(jsonl)


def test_a_torn_last_line_is_ignored_and_bad_files_are_refused(tmp_path, capsys):
    jsonl = record(tmp_path, TEXT_ID, ["wait", "wait", "wait"], seed=6)
    lines = jsonl.read_text().splitlines()
    jsonl.write_text("\n".join(lines[:3]) + "\n" + lines[3][:20])  # killed while writing step 3
    episode = load_episode(jsonl)
    assert [s["step"] for s in episode.steps] == [1, 2] and episode.end is None
    assert replay(jsonl, html=tmp_path / "partial.html").frame_count == 3
    (tmp_path / "bad.jsonl").write_text('{"type": "step"}\n')
    with pytest.raises(ReplayError, match="header"):
        load_episode(tmp_path / "bad.jsonl")
    assert main(["replay", str(tmp_path / "missing.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err

    def unknown_env(lines):
        lines[0]["env_id"] = "agentic_gym/NoSuchEnv-v0"

    jsonl.write_text("\n".join(lines) + "\n")
    rewrite(jsonl, unknown_env)
    assert main(["replay", str(jsonl), "--check"]) == 2
    assert "cannot rebuild" in capsys.readouterr().err


@pytest.mark.parametrize("env_id", registered_ids())
def test_every_registered_env_replays_identically(tmp_path, env_id):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the time-limit/passive checker warnings are not the point here
        env = RecordEpisode(gym.make(env_id), tmp_path, formats=("jsonl",))
        env.reset(seed=0)
        env.action_space.seed(0)
        for index in range(12):
            # Alternate oracle and random actions: both valid and invalid commands get replayed.
            action = env.unwrapped.oracle_action() if index % 2 else env.action_space.sample()
            _, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                break
        env.close()
        result = replay(tmp_path / "episode-0000.jsonl")
    assert len(result.episode.steps) >= 1
    assert result.episode.header["env_id"] == env_id


def test_a_chat_env_episode_records_prompts_and_replies_and_replays(tmp_path):
    from agentic_gym import chat

    env = RecordEpisode(chat(TEXT_ID, history=2, max_invalid=5, render_mode="rgb_array", length=7), tmp_path)
    messages, _ = env.reset(seed=12)
    tool_call = {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "go", "arguments": '{"direction": "left"}'}}]}
    replies = ["I am not sure what to do.", tool_call, "Action: wait"]
    for reply in replies:
        env.step(reply)
    for _ in range(10):
        _, _, terminated, truncated, _ = env.step(env.unwrapped.oracle_action())
        if terminated or truncated:
            break
    env.close()
    jsonl = tmp_path / "episode-0000.jsonl"
    lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
    header, steps = lines[0], [line for line in lines if line["type"] == "step"]
    assert header["chat_options"]["history"] == 2 and header["make_kwargs"] == {"length": 7}
    prompts = list(load_episode(jsonl).prompts())
    assert prompts[0][0]["role"] == "system" and prompts[0] == json.loads(json.dumps(messages))
    assert header["messages"] == prompts[0] and header["prompt_ids"] == [[0, 2]]
    assert steps[0]["action"] == replies[0] and steps[0]["command"] is None and steps[0]["action_valid"] is False
    assert steps[1]["action"] == tool_call and steps[1]["command"] == "go left"
    assert steps[2]["command"] == "wait" and all(isinstance(s["messages"], list) for s in steps)
    # Each line logs only what is new: the reply and the answer to it.
    assert [m["role"] for m in steps[0]["messages"]] == ["assistant", "user"]
    result = replay(jsonl, gif=tmp_path / "chat.gif", html=tmp_path / "chat.html")
    assert result.frame_count == len(steps) + 1
    checker = check_html(tmp_path / "chat.html")
    text = "".join(checker.text)
    assert "I am not sure what to do." in text and "go left" in text
    page = (tmp_path / "chat.html").read_text()
    assert page.count("<summary>prompt:") == page.count("<summary>info</summary>") == len(steps) + 1
    assert steps[0]["info"]["parse_error"] and html.escape(steps[0]["info"]["parse_error"]) in page


def test_replies_with_lone_surrogates_and_nuls_record_and_replay(tmp_path):
    odd = ["go left\ud800", "\x00wait", "go(direction=\"right\ufffd\")", "\udfff" * 3000]
    jsonl = record(tmp_path, TEXT_ID, odd + ["wait"], seed=7)
    episode = load_episode(jsonl)
    assert [s["action"] for s in episode.steps][: len(odd)] == odd
    result = replay(jsonl, html=tmp_path / "odd.html", gif=tmp_path / "odd.gif")
    assert result.frame_count == len(odd) + 2
    assert check_html(tmp_path / "odd.html").sections == len(odd) + 2


def test_readme_shows_small_replayed_gifs():
    repo = Path(__file__).resolve().parents[1]
    readme = (repo / "README.md").read_text()
    for name in ("docs/grid-episode.gif", "docs/text-episode.gif"):
        assert f"]({name})" in readme
        path = repo / name
        assert path.stat().st_size < 300_000, f"{name} is {path.stat().st_size} bytes"
        assert Image.open(path).n_frames > 3
    assert "agentic-gym replay" in readme and "agentic-gym play" in readme
