"""Readable recordings: frame rates, captions under grid frames, prompt before reply, no text thumbnails."""

from __future__ import annotations

import re

import gymnasium as gym
import numpy as np
from PIL import Image

import agentic_gym
from agentic_gym.evaluation import episode_seeds
from agentic_gym.recording import caption_text, frame_style
from agentic_gym.recording.style import CAPTION_HEIGHT, GRID_FPS, TEXT_FPS
from agentic_gym.replay import replay
from agentic_gym.wrappers import RecordEpisode


def play_oracle(env, seed: int, limit: int = 200) -> int:
    env.reset(seed=seed)
    for step in range(1, limit + 1):
        action = env.oracle_action() if hasattr(env, "oracle_action") else env.unwrapped.oracle_action()
        *_, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            return step
    return limit


def durations(path) -> list[int]:
    with Image.open(path) as gif:
        found = []
        for index in range(gif.n_frames):
            gif.seek(index)
            found.append(gif.info["duration"])
    return found


def test_text_envs_record_at_one_frame_per_second_and_grid_envs_at_four(tmp_path):
    assert (TEXT_FPS, GRID_FPS) == (1.0, 4.0)
    text = RecordEpisode(gym.make("agentic_gym/Codebreaker-4x6-v0", render_mode="rgb_array"), tmp_path / "t")
    steps = play_oracle(text, seed=0)
    text.close()
    assert text.fps == 1.0 and sum(durations(tmp_path / "t" / "episode-0000.gif")) == 1000 * (steps + 1)
    grid = RecordEpisode(gym.make("agentic_gym/GridKeyDoor-6x6-v0", render_mode="rgb_array"), tmp_path / "g")
    steps = play_oracle(grid, seed=0)
    grid.close()
    assert grid.fps == 4.0 and sum(durations(tmp_path / "g" / "episode-0000.gif")) == 250 * (steps + 1)
    chat = agentic_gym.chat("agentic_gym/GridKeyDoor-6x6-v0", render_mode="rgb_array")
    assert frame_style(chat).fps == 4.0 and frame_style(chat).caption
    assert frame_style(text, fps=3).fps == 3.0


def test_grid_frames_carry_a_caption_line(tmp_path):
    env = gym.make("agentic_gym/GridKeyDoor-6x6-v0", render_mode="rgb_array")
    recorder = RecordEpisode(env, tmp_path)
    steps = play_oracle(recorder, seed=0)
    recorder.close()
    height, width = env.render().shape[:2]
    with Image.open(tmp_path / "episode-0000.gif") as gif:
        assert gif.size == (width, height + CAPTION_HEIGHT)
        gif.seek(0)
        first = np.asarray(gif.convert("RGB"))[height:]
        gif.seek(1)
        second = np.asarray(gif.convert("RGB"))[height:]
    # The strip has text in it, and it changes with the step.
    assert len(np.unique(first.reshape(-1, 3), axis=0)) > 1 and not np.array_equal(first, second)
    assert steps > 1
    record = {"type": "step", "step": 3, "command": "pickup", "reward": 0.0, "action_valid": True}
    assert caption_text(record) == "step 3: pickup, reward 0"
    assert caption_text({"type": "header", "seed": 9}) == "reset (seed 9)"
    # A replay draws the same captions: its GIF is the recorded one, byte for byte.
    replay(tmp_path / "episode-0000.jsonl", gif=tmp_path / "again.gif")
    assert (tmp_path / "again.gif").read_bytes() == (tmp_path / "episode-0000.gif").read_bytes()


def sections(page: str) -> list[str]:
    return re.findall(r'<section class="turn".*?</section>', page, flags=re.S)


def test_chat_pages_show_each_prompt_before_the_reply_it_produced(tmp_path):
    env = RecordEpisode(agentic_gym.chat("agentic_gym/Codebreaker-4x6-v0", render_mode="rgb_array"), tmp_path)
    play_oracle(env, seed=0)
    env.close()
    page = (tmp_path / "episode-0000.html").read_text()
    first_step = sections(page)[1]
    assert "step 1" in first_step
    assert first_step.index("<b>prompt</b>") < first_step.index("reply / action")
    assert "You are an agent" in first_step  # the system prompt of the reset, shown with the reply it led to
    assert "<b>final observation</b>" in page.split("</section>")[-1]
    assert "<img" not in page  # a text env: no thumbnails of text


def test_grid_pages_keep_their_pictures(tmp_path):
    env = RecordEpisode(gym.make("agentic_gym/GridKeyDoor-6x6-v0", render_mode="rgb_array"), tmp_path)
    steps = play_oracle(env, seed=0)
    env.close()
    page = (tmp_path / "episode-0000.html").read_text()
    assert page.count("<img") == steps + 1


def test_the_flaky_travel_desk_recording_marks_its_tool_faults(tmp_path):
    # Episode 1 of a seed-0 run meets two transient faults (episode 0 meets none).
    env = RecordEpisode(gym.make("agentic_gym/TravelDesk-Flaky-v0", render_mode="rgb_array"), tmp_path)
    play_oracle(env, seed=episode_seeds(0, 1)[0])
    env.close()
    page = (tmp_path / "episode-0000.html").read_text()
    assert page.count("tool fault: the tool failed this call") == 2
    assert "error 503: service unavailable, please retry." in page
