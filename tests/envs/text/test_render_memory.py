"""Rendering memory is bounded: one shared glyph atlas, no per-instance line images.

A text or tool env used to cache up to 2,048 rendered line images (25-55 MB per env
instance). Every panel now draws from one process-wide :class:`GlyphAtlas` (and a
process-wide, byte-bounded set of recent line images), so a text env instance that has
rendered holds well under 2 MB, and 10^4 frames do not grow the process by 20 MB.
"""

from __future__ import annotations

import gc
import os
import sys
import tracemalloc

import gymnasium as gym
import pytest

import agentic_gym  # noqa: F401  (registers the environments)
from agentic_gym.core import transcript
from agentic_gym.envs import registered_ids
from agentic_gym.envs.tool.tool_env import ToolEnv

INSTANCE_LIMIT = 2 * 2**20
GROWTH_LIMIT = 20 * 2**20
FRAMES = 10_000

# One variant per env class: the first registered (the smallest; grid resets are the slow part).
_BY_CLASS: dict[str, str] = {}
for _env_id in registered_ids():
    _BY_CLASS.setdefault(str(gym.spec(_env_id).entry_point), _env_id)
ONE_PER_CLASS = tuple(_BY_CLASS.values())


# Text and tool envs: the families drawn by the transcript panel.
TEXT_IDS = tuple(
    env_id for env_id in registered_ids()
    if str(gym.spec(env_id).entry_point).startswith(("agentic_gym.envs.text.", "agentic_gym.envs.tool."))
)


def _play(env, steps: int, seed: int = 0) -> None:
    """Step with random actions (and the oracle's now and then), rendering after every step."""
    env.reset(seed=seed)
    env.action_space.seed(seed)
    env.render()
    for index in range(steps):
        action = env.unwrapped.oracle_action() if index % 16 == 1 else env.action_space.sample()
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            env.reset()
        env.render()


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# A plain run measures the largest variant of each text and tool class (the last registered,
# an -Expert tier where there is one); `pytest -m ""` measures every variant.
_LARGEST: dict[str, str] = {}
for _env_id in TEXT_IDS:
    _LARGEST[str(gym.spec(_env_id).entry_point)] = _env_id
TEXT_CASES = [env_id if env_id in _LARGEST.values() else pytest.param(env_id, marks=pytest.mark.slow)
              for env_id in TEXT_IDS]


@pytest.mark.parametrize("env_id", TEXT_CASES)
def test_a_text_env_instance_with_rendering_stays_under_2_mb(env_id):
    warm = gym.make(env_id, render_mode="rgb_array")
    _play(warm, 50)  # the shared atlas and backgrounds exist before measuring
    warm.close()
    # The shared line images are bounded on their own (see the next test), not per instance:
    # leave them out of what this instance holds.
    transcript.clear_shared_caches()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        env = gym.make(env_id, render_mode="rgb_array")
        _play(env, 300, seed=1)
        transcript.clear_shared_caches()
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < INSTANCE_LIMIT, f"{env_id}: one instance holds {held / 2**20:.2f} MB after 300 rendered steps"
    env.close()


def test_shared_line_images_stay_within_their_budget():
    panel = transcript.TranscriptPanel(640, 480, title="Budget")
    for index in range(3000):
        panel.frame([("env", f"Line {index}: " + "a fairly long sentence that fills a row. " * 2)])
    images = transcript._LINE_IMAGES
    assert 0 < images.size <= images.budget == transcript.LINE_IMAGE_BUDGET <= 16 * 2**20
    assert images.size == sum(image.nbytes for image in images._images.values())


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the resident set from /proc")
@pytest.mark.parametrize("env_id", ONE_PER_CLASS)
def test_resident_memory_grows_less_than_20_mb_over_10k_frames(env_id):
    env = gym.make(env_id, render_mode="rgb_array")
    # Warm up to a steady heap: oracles build their lazily cached tables (Codebreaker's
    # feedback table, its minimax temporaries) on the first calls, which is not growth.
    _play(env, 1000)
    gc.collect()
    before = _resident_bytes()
    _play(env, FRAMES, seed=1)
    gc.collect()
    growth = _resident_bytes() - before
    env.close()
    assert growth < GROWTH_LIMIT, f"{env_id}: resident memory grew {growth / 2**20:.1f} MB over {FRAMES} frames"


@pytest.mark.parametrize("env_id", TEXT_IDS)
def test_transcripts_stay_bounded_and_keep_the_question(env_id):
    env = gym.make(env_id)
    env.reset(seed=0)
    first = env.unwrapped.transcript_entries()[0]
    for _ in range(500):
        env.unwrapped.step("?")  # invalid: the episode never ends, the transcript only grows
    entries = env.unwrapped.transcript_entries()
    kept = env.unwrapped._transcript
    assert kept.maxlen is not None and len(kept) == kept.maxlen
    assert len(entries) <= kept.maxlen + 1
    if isinstance(env.unwrapped, ToolEnv):
        assert entries[0] == first  # a tool env keeps its question on top
    env.close()
