"""RecordEpisode: JSONL as it happens (and durable under kill -9), GIF frames, HTML transcripts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from PIL import Image

import agentic_gym
from agentic_gym.recording.style import CAPTION_HEIGHT
from agentic_gym.wrappers.record import RecordEpisode, json_safe, observation_digest
from tests.stub_envs import GRID_ID, TEXT_ID, check_html

REPO = Path(__file__).resolve().parents[2]


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def run_episode(env: gym.Env, actions: list, seed: int | None = 0) -> list:
    results = [env.reset(seed=seed)]
    for action in actions:
        step = env.step(action)
        results.append(step)
        if step[2] or step[3]:
            break
    return results


def test_jsonl_has_header_every_step_and_end(tmp_path):
    env = RecordEpisode(gym.make(TEXT_ID, render_mode="rgb_array"), tmp_path)
    actions = ["wait", "go left", "dance wildly", "go(direction=\"right\")", "wait"]
    run_episode(env, actions, seed=5)
    env.close()
    lines = read_lines(tmp_path / "episode-0000.jsonl")
    header, steps, end = lines[0], lines[1:-1], lines[-1]
    assert header["type"] == "header" and end["type"] == "end"
    assert header["env_id"] == TEXT_ID and header["seed"] == 5
    assert header["max_episode_steps"] == 30 and header["chat_options"] is None
    assert header["agentic_gym_version"] == agentic_gym.__version__
    assert header["observation"].startswith("Step 0: you are at cell")
    assert [s["step"] for s in steps] == [1, 2, 3, 4, 5]
    assert [s["action"] for s in steps] == actions
    assert [s["command"] for s in steps] == ["wait", "go left", None, "go right", "wait"]
    assert [s["action_valid"] for s in steps] == [True, True, False, True, True]
    assert "Unknown command" in steps[2]["observation"]
    assert all(isinstance(s["reward"], float) and s["info"]["success"] in (True, False) for s in steps)
    assert end["steps"] == 5 and end["complete"] is False  # cut short by close()


def test_seed_is_drawn_when_none_and_episodes_follow_from_an_explicit_seed(tmp_path):
    env = RecordEpisode(gym.make(GRID_ID), tmp_path, formats=("jsonl",))
    seeds = []
    for seed in (11, None, None):
        env.reset(seed=seed)
        seeds.append(env._header["seed"])
    env.close()
    assert seeds[0] == 11 and all(isinstance(s, int) for s in seeds) and len(set(seeds)) == 3
    again = RecordEpisode(gym.make(GRID_ID), tmp_path / "again", formats=("jsonl",))
    for seed in (11, None, None):
        again.reset(seed=seed)
    again.close()
    headers = [read_lines(tmp_path / "again" / f"episode-{i:04d}.jsonl")[0] for i in range(3)]
    assert [h["seed"] for h in headers] == seeds
    # The drawn seed really was passed to the env: a fresh env reset with it sees the same world.
    fresh = gym.make(GRID_ID)
    obs, _ = fresh.reset(seed=seeds[2])
    assert headers[2]["observation"] == obs["text"]
    assert headers[2]["observation_digest"] == observation_digest(obs)


def test_gif_decodes_to_one_frame_per_turn(tmp_path):
    env = RecordEpisode(gym.make(GRID_ID, render_mode="rgb_array"), tmp_path, formats=("gif",), fps=10)
    results = run_episode(env, [4] * 7)  # "stay" keeps the agent still; the step bar still moves
    assert len(results) == 8 and not (results[-1][2] or results[-1][3])
    env.close()
    gif = Image.open(tmp_path / "episode-0000.gif")
    assert gif.n_frames == 8
    durations = []
    for index in range(gif.n_frames):
        gif.seek(index)
        durations.append(gif.info["duration"])
        assert gif.convert("RGB").size == (120, 128 + CAPTION_HEIGHT)  # the frame and its caption line
    assert sum(durations) == 8 * 100
    assert env.recorded[0].keys() == {"gif"}


def test_gif_of_a_terminated_episode_is_written_at_the_end(tmp_path):
    env = RecordEpisode(gym.make(TEXT_ID, render_mode="rgb_array"), tmp_path)
    obs, _ = env.reset(seed=2)
    steps = 0
    terminated = False
    while not terminated:
        obs, reward, terminated, truncated, info = env.step(env.unwrapped.oracle_action())
        steps += 1
    assert (tmp_path / "episode-0000.gif").exists() and (tmp_path / "episode-0000.html").exists()
    assert Image.open(tmp_path / "episode-0000.gif").n_frames == steps + 1
    end = read_lines(tmp_path / "episode-0000.jsonl")[-1]
    assert end == {"type": "end", "episode": 0, "steps": steps, "return": 1.0, "success": True, "complete": True}
    env.close()
    assert len(env.recorded) == 1  # close() after a finished episode writes nothing more


def test_html_is_well_formed_self_contained_and_has_every_turn(tmp_path):
    env = RecordEpisode(gym.make(TEXT_ID, render_mode="rgb_array"), tmp_path, formats=("html",))
    actions = ["wait", "<b>bold & broken</script>", "go right", "go left"]
    run_episode(env, actions, seed=3)
    env.close()
    page = tmp_path / "episode-0000.html"
    checker = check_html(page)
    text = "".join(checker.text)
    assert checker.sections == len(actions) + 1
    for index, action in enumerate(actions, start=1):
        assert f"step {index}" in text and action in text
    assert checker.images == []  # a text env's page holds its text, not thumbnails of it
    source = page.read_text()
    assert "http://" not in source and "https://" not in source and "<script" not in source
    assert not (tmp_path / "episode-0000.jsonl").exists()


def test_prompts_of_message_observations_are_recorded_and_folded(tmp_path):
    class Messages(gym.ObservationWrapper):
        """A minimal chat-style observation: a system message and the text as a user message."""

        def __init__(self, env):
            super().__init__(env)
            self.observation_space = agentic_gym.core.ChatMessages()

        def observation(self, observation):
            return [{"role": "system", "content": "Walk to the goal. " * 60},
                    {"role": "user", "content": observation["text"]}]

    env = RecordEpisode(Messages(gym.make(TEXT_ID, render_mode="rgb_array")), tmp_path, formats=("jsonl", "html"))
    run_episode(env, ["go left", "go right"], seed=4)
    env.close()
    lines = read_lines(tmp_path / "episode-0000.jsonl")
    assert lines[0]["messages"][0]["role"] == "system"
    # The wrapper builds new dicts every turn: the unchanged system message is still logged once.
    assert [len(line["messages"]) for line in lines[:3]] == [2, 1, 1]
    assert lines[1]["messages"][0]["content"] == lines[1]["observation"]
    assert lines[2]["prompt_ids"] == [[0, 1], [3, 1]]
    assert lines[1]["observation"].startswith("Step 1:")
    checker = check_html(tmp_path / "episode-0000.html")
    page = (tmp_path / "episode-0000.html").read_text()
    assert page.count("<details><summary>prompt") == 1  # the long first prompt starts folded
    assert page.count("<details open><summary>prompt: 2 messages, 1 new") == 2  # later turns show what is new
    assert page.count("1 messages from earlier turns") == 2
    assert page.count('<span class="role">system</span>') == 1
    assert "Walk to the goal." in "".join(checker.text)


def test_without_rgb_array_gif_is_refused_and_html_has_no_frames(tmp_path):
    with pytest.raises(ValueError, match="rgb_array"):
        RecordEpisode(gym.make(GRID_ID, render_mode="ansi"), tmp_path)
    env = RecordEpisode(gym.make(GRID_ID), tmp_path, formats=("jsonl", "html"))
    run_episode(env, [0, 1, 2])
    env.close()
    assert check_html(tmp_path / "episode-0000.html").images == []
    with pytest.raises(ValueError, match="formats"):
        RecordEpisode(gym.make(GRID_ID), tmp_path, formats=("mp4",))


def test_reset_mid_episode_closes_the_previous_one(tmp_path):
    env = RecordEpisode(gym.make(GRID_ID, render_mode="rgb_array"), tmp_path)
    run_episode(env, [0, 1], seed=1)
    run_episode(env, [2], seed=2)
    env.close()
    assert [p.name for p in sorted(tmp_path.glob("*.jsonl"))] == ["episode-0000.jsonl", "episode-0001.jsonl"]
    first = read_lines(tmp_path / "episode-0000.jsonl")
    assert first[-1]["complete"] is False
    assert [line["command"] for line in first[1:-1]] == ["up", "down"]  # Discrete actions name their affordance
    assert Image.open(tmp_path / "episode-0001.gif").n_frames == 2
    assert len(env.recorded) == 2


def test_json_safe_handles_numpy_and_odd_values():
    value = {"a": np.arange(3), "b": np.float32(1.5), 3: (np.bool_(True), float("nan")),
             "big": np.zeros((40, 40)), "url": "data:image/png;base64," + "A" * 1000}
    safe = json_safe(value)
    json.dumps(safe, allow_nan=False)
    assert safe["a"] == [0, 1, 2] and safe["b"] == 1.5 and safe["3"] == [True, "nan"]
    assert safe["big"]["ndarray"] == [40, 40] and len(safe["big"]["sha256"]) == 64
    assert safe["url"].startswith("data:image/png;base64,sha256=") and len(safe["url"]) < 120


CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {repo!r})
    import gymnasium as gym
    from tests.stub_envs import TEXT_ID
    from agentic_gym.wrappers.record import RecordEpisode

    env = RecordEpisode(gym.make(TEXT_ID, max_episode_steps=10**9), {directory!r}, formats=("jsonl",))
    env.reset(seed=7)
    step = 0
    while True:
        step += 1
        env.step("go left" if step % 2 else "go right")
        print(step, flush=True)
""")


def test_kill_minus_9_loses_no_completed_step(tmp_path):
    script = CHILD.format(repo=str(REPO), directory=str(tmp_path))
    environment = dict(os.environ, PYTHONPATH=str(REPO))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=environment)
    reported = 0
    deadline = time.monotonic() + 60
    try:
        while reported < 40 and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            reported = int(line)
        # Killed while it keeps stepping: no chance to close or flush anything more.
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert reported >= 40, "the child did not get going"
    raw = (tmp_path / "episode-0000.jsonl").read_text().split("\n")
    complete = [json.loads(line) for line in raw[:-1]]  # a torn last line would not end with "\n"
    steps = [line for line in complete if line["type"] == "step"]
    assert complete[0]["type"] == "header" and complete[0]["seed"] == 7
    assert len(steps) >= reported
    assert [s["step"] for s in steps] == list(range(1, len(steps) + 1))
    assert all(line["type"] != "end" for line in complete)


def test_episode_trigger_records_only_the_chosen_episodes(tmp_path):
    env = RecordEpisode(gym.make(GRID_ID, render_mode="rgb_array"), tmp_path, episode_trigger=lambda i: i % 2 == 1)
    for seed in (0, 1, 2, 3):
        run_episode(env, [0, 3], seed=seed)
    env.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"episode-{i:04d}.{suffix}" for i in (1, 3) for suffix in ("gif", "html", "jsonl")
    ]
    assert [read_lines(tmp_path / f"episode-{i:04d}.jsonl")[0]["seed"] for i in (1, 3)] == [1, 3]
    assert len(env.recorded) == 2


def resident_bytes() -> int:
    """The process's resident memory now (Linux), else its peak so far."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@pytest.mark.slow
def test_a_long_chat_episode_grows_linearly_on_disk_and_replay_rebuilds_its_prompts(tmp_path):
    """2,000 chat turns with the whole history in every prompt: each message is logged once."""
    from agentic_gym import chat
    from agentic_gym.recording import canonical, load_episode
    from agentic_gym.replay import replay

    steps = 2000
    env = RecordEpisode(chat(TEXT_ID, history=None, max_prompt_chars=None, max_invalid=10**6, render_mode="rgb_array",
                             max_episode_steps=steps), tmp_path, fsync=False)
    prompts, _ = env.reset(seed=3)
    kept = {0: canonical(prompts)}
    sizes, memory = {}, {}
    for step in range(1, steps + 1):
        # Mostly waiting (the goal stays unreached), with invalid replies and tool calls mixed in.
        reply = "Action: wait" if step % 7 else ("I am lost." if step % 2 else {
            "role": "assistant", "content": None, "tool_calls": [
                {"id": f"call_{step}", "type": "function", "function": {"name": "wait", "arguments": "{}"}}]})
        prompts, _, terminated, truncated, _ = env.step(reply)
        if step in (1, 2, 999, steps):
            kept[step] = canonical(prompts)
        if step in (steps // 2, steps):
            sizes[step] = (tmp_path / "episode-0000.jsonl").stat().st_size
            memory[step] = resident_bytes()
        if terminated or truncated:
            break
    env.close()
    assert step == steps and len(kept[steps]) > 2 * steps
    on_disk = sum(path.stat().st_size for path in tmp_path.iterdir())
    assert {p.suffix for p in tmp_path.iterdir()} == {".jsonl", ".gif", ".html"}
    assert on_disk < 20_000_000, f"{on_disk} bytes"
    # Linear: the second half of the episode adds about as much as the first.
    assert sizes[steps] < 2.3 * sizes[steps // 2], sizes
    # Memory: the second thousand turns hold no frames or prompts (whole prompts kept per turn took gigabytes).
    assert memory[steps] - memory[steps // 2] < 30_000_000, memory
    episode = load_episode(tmp_path / "episode-0000.jsonl")
    rebuilt = {i: prompt for i, prompt in enumerate(episode.prompts()) if i in kept}
    assert rebuilt == kept
    assert replay(tmp_path / "episode-0000.jsonl").episode.end["steps"] == steps
