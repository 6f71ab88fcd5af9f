"""Rendering: every env in every mode headless, fixed frame sizes, cached transcript drawing,
and no pygame at all when render_mode is None."""

from __future__ import annotations

import copy
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
import pygame
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentic_gym.core import CHARSET, TranscriptPanel
from agentic_gym.core.transcript import BACKGROUND, COLOURS
from agentic_gym.envs import registered_ids
from tests.stub_envs import GRID_ID, TEXT_ID

REPO = Path(__file__).resolve().parents[1]
IDS = registered_ids() + (TEXT_ID, GRID_ID)
STEPS = 8


def rollout(env: gym.Env, seed: int = 0):
    """Reset, then yield after the reset and after each of STEPS steps (resetting when an episode ends)."""
    env.reset(seed=seed)
    env.action_space.seed(seed)
    yield
    for index in range(STEPS):
        action = env.unwrapped.oracle_action() if index % 2 else env.action_space.sample()
        _, _, terminated, truncated, _ = env.step(action)
        yield
        if terminated or truncated:
            env.reset()


def colour_count(frame: np.ndarray) -> int:
    packed = (frame[..., 0].astype(np.uint32) << 16) | (frame[..., 1].astype(np.uint32) << 8) | frame[..., 2]
    return len(np.unique(packed))


@pytest.mark.parametrize("env_id", IDS)
def test_rgb_array_frames_are_fixed_size_fresh_and_not_blank(env_id):
    env = gym.make(env_id, render_mode="rgb_array")
    frames = []
    for _ in rollout(env):
        frame = env.render()
        assert isinstance(frame, np.ndarray) and frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
        frames.append(frame)
    env.close()
    assert len({f.shape for f in frames}) == 1, f"frame size changes: {sorted({f.shape for f in frames})}"
    assert all(colour_count(f) > 2 for f in frames), "a frame is (nearly) blank"
    assert not any(np.shares_memory(a, b) for a, b in zip(frames, frames[1:]))
    assert any(not np.array_equal(frames[0], f) for f in frames[1:]), "the picture never changes"


@pytest.mark.parametrize("env_id", IDS)
def test_ansi_is_text_every_step(env_id):
    env = gym.make(env_id, render_mode="ansi")
    texts = []
    for _ in rollout(env):
        text = env.render()
        assert isinstance(text, str) and text.strip()
        texts.append(text)
    env.close()
    assert len(set(texts)) > 1


@pytest.mark.parametrize("env_id", IDS)
def test_human_mode_opens_a_window_headless_and_close_shuts_it(env_id):
    env = gym.make(env_id, render_mode="human")
    # The window keeps render_fps; a fast clock keeps this test quick without changing what is drawn.
    env.unwrapped.metadata = {**env.unwrapped.metadata, "render_fps": 1000}
    size = gym.make(env_id, render_mode="rgb_array")
    size.reset(seed=0)
    height, width = size.render().shape[:2]
    size.close()
    for _ in rollout(env):
        assert env.render() is None
        surface = pygame.display.get_surface()
        assert surface is not None and surface.get_size() == (width, height)
    env.close()
    assert not pygame.display.get_init()


def test_render_mode_none_never_touches_pygame():
    script = (
        "import sys, json, warnings\n"
        "warnings.simplefilter('ignore')\n"
        "import gymnasium as gym\nimport agentic_gym\nimport tests.stub_envs\n"
        "ids = json.loads(sys.argv[1])\n"
        "for env_id in ids:\n"
        "    env = gym.make(env_id)\n"
        "    env.reset(seed=0)\n"
        "    env.action_space.seed(0)\n"
        "    for i in range(6):\n"
        "        _, _, term, trunc, _ = env.step(env.unwrapped.oracle_action() if i % 2 else env.action_space.sample())\n"
        "        if term or trunc:\n"
        "            env.reset()\n"
        "    env.close()\n"
        "state = {'ids': len(ids), 'pygame_imported': 'pygame' in sys.modules}\n"
        "if state['pygame_imported']:\n"
        "    import pygame\n"
        "    state.update(display=pygame.display.get_init(), mixer=bool(pygame.mixer.get_init()),\n"
        "                 font=pygame.font.get_init())\n"
        "print(json.dumps(state))\n"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SDL_")}
    environment["PYTHONPATH"] = str(REPO)
    done = subprocess.run([sys.executable, "-c", script, json.dumps(IDS)], capture_output=True, text=True, cwd=REPO,
                          env=environment, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert state == {"ids": len(IDS), "pygame_imported": False}, f"render_mode=None touched pygame: {state}"


# ---- the transcript panel --------------------------------------------------------------


def colour_pixels(frame: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    return np.all(frame == np.array(colour, np.uint8), axis=-1)


def test_transcript_latest_entry_at_the_bottom_in_the_agent_colour():
    panel = TranscriptPanel(320, 200, 14, title="T")
    entries = [("env", f"Line {i} of the story.") for i in range(40)] + [("agent", "go north")]
    frame = panel.frame(entries)
    assert frame.shape == (200, 320, 3) and frame.dtype == np.uint8
    agent_rows = np.nonzero(colour_pixels(frame, COLOURS["agent"]).any(axis=1))[0]
    env_rows = np.nonzero(colour_pixels(frame, COLOURS["env"]).any(axis=1))[0]
    assert agent_rows.size and env_rows.size
    assert agent_rows.min() > env_rows.max(), "the agent's command (the newest entry) is not at the bottom"
    assert np.all(frame[-3:] == np.array(BACKGROUND, np.uint8))
    assert panel.ansi(entries).splitlines()[-1] == "> go north"


def test_transcript_wraps_to_the_panel_width_and_keeps_a_fixed_size():
    panel = TranscriptPanel(200, 120, 14)
    short = panel.frame([("env", "hi")])
    long = panel.frame([("env", "word " * 200 + "x" * 500)])
    assert short.shape == long.shape == (120, 200, 3)
    text_columns = np.nonzero((long != np.array(BACKGROUND, np.uint8)).any(axis=(0, 2)))[0]
    assert text_columns.max() < 200 - 4, "a wrapped line runs off the panel"
    rows = panel._rows("env", "alpha beta gamma " * 20 + "\n\nomega")
    assert len(rows) > 3 and rows[-2] == "" and rows[-1] == "omega"
    assert all(len(row) <= panel._columns for row in rows)
    assert panel.frame([("agent", "bad\x00input\u00e9")]).shape == (120, 200, 3)  # NULs and non-ASCII are safe


_PANEL = TranscriptPanel(240, 120, 14)


@given(st.text(alphabet=CHARSET, max_size=600))
def test_transcript_wrapping_fits_and_loses_no_character(text):
    _PANEL.frame([("env", "load the font")])
    rows = _PANEL._rows("env", text)
    assert all(len(row) <= _PANEL._columns for row in rows)
    assert "".join(rows).replace(" ", "") == text.replace(" ", "").replace("\n", "")
    assert len(rows) >= text.count("\n") + 1


def test_transcript_draws_from_one_shared_atlas_and_returns_fresh_frames(monkeypatch):
    panel = TranscriptPanel(320, 200, 14, title="Atlas")
    entries = [("env", "You are in a hall with a long description."), ("agent", "look")]
    first = panel.frame(entries)
    other = TranscriptPanel(200, 100, 14)
    other.frame(entries)
    assert panel._atlas is other._atlas, "two panels of one font size made two atlases"
    calls = []
    monkeypatch.setattr(panel._atlas, "_font", type("Font", (), {"render": staticmethod(lambda *a: calls.append(a))})())
    second = panel.frame(entries)
    assert np.array_equal(first, second) and not np.shares_memory(first, second)
    panel.frame(entries + [("env", "A new line, never drawn before: ~!@#$%^&*()_+{}|:<>?")])
    assert calls == [], "a frame drew glyphs with pygame instead of copying them from the atlas"


def test_transcript_pickles_and_copies_without_render_resources():
    panel = TranscriptPanel(160, 100, 12, title="P")
    frame = panel.frame([("env", "hello")])
    for clone in (pickle.loads(pickle.dumps(panel)), copy.deepcopy(panel)):
        assert clone._atlas is None and len(clone._wrapped) == 0
        assert np.array_equal(clone.frame([("env", "hello")]), frame)


def test_text_env_frame_is_cheap(benchmark_frames=200):
    """A loose guard (the real figure comes from benchmarks/bench_render.py): cached frames cost < 1 ms."""
    import time

    panel = TranscriptPanel(640, 480, title="Bench")
    entries = [("env", f"Room {i}: a long description of the room and its exits. " * 3) for i in range(20)]
    entries += [("agent", "go north")]
    panel.frame(entries)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(benchmark_frames):
            panel.frame(entries)
        best = min(best, (time.perf_counter() - start) / benchmark_frames)
    assert best < 1e-3, f"{best * 1e3:.3f} ms per frame"
