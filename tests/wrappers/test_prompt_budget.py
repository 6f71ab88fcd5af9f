"""The prompt's size budget: long episodes keep a bounded prompt, oldest turns leave first."""

from __future__ import annotations

import tracemalloc

import pytest

import agentic_gym
from agentic_gym.wrappers.prompt import DEFAULT_PROMPT_CHARS

ENV_ID = "agentic_gym/GridKeyDoor-16x16-v0"


def prompt_chars(messages: list[dict]) -> int:
    return sum(len(m["content"]) if isinstance(m["content"], str) else 0 for m in messages)


def test_a_long_episode_with_notes_keeps_the_prompt_within_its_budget():
    env = agentic_gym.chat(ENV_ID, notes=True, history=None)
    messages, _ = env.reset(seed=0)
    system = messages[0]
    env.step("note the key is somewhere east")
    sizes = []
    for i in range(400):
        messages, *_ = env.step("left" if i % 2 else "right")
        sizes.append(prompt_chars(messages))
    assert max(sizes) <= DEFAULT_PROMPT_CHARS
    assert messages[0] is system  # the system prompt stays
    assert "the key is somewhere east" in messages[-1]["content"]  # so do the notes, in the current observation
    # The window slides: the first turns left, the last ones are there in order.
    assert len(messages) < 2 * 400
    assert messages[-1]["role"] == "user" and messages[-2]["role"] == "assistant"


def test_oldest_turns_leave_first_and_the_rest_stay_in_order():
    env = agentic_gym.chat("agentic_gym/Recall-60facts-multihop-v0", history=None, max_prompt_chars=3000)
    messages, _ = env.reset(seed=1)
    episode = [messages[-1]["content"]]  # every observation of the episode, in order
    dropped = False
    for _ in range(40):
        messages, _, terminated, truncated, _ = env.step("continue")
        assert not (terminated or truncated)
        episode.append(messages[-1]["content"])
        window = [m["content"] for m in messages[1:] if m["role"] == "user"]
        assert prompt_chars(messages) <= 3000
        # The window's observations are the episode's last ones, in order.
        assert window == episode[-len(window):]
        dropped = dropped or len(window) < len(episode)
    assert dropped  # 40 briefing items do not fit 3000 characters: the oldest left


def test_history_k_is_also_capped_by_the_budget_and_none_means_no_budget():
    small = agentic_gym.chat(ENV_ID, history=50, max_prompt_chars=2000)
    unbounded = agentic_gym.chat(ENV_ID, history=50, max_prompt_chars=None)
    small.reset(seed=0)
    unbounded.reset(seed=0)
    for _ in range(60):
        a, *_ = small.step("left")
        b, *_ = unbounded.step("left")
    assert prompt_chars(a) <= 2000 < prompt_chars(b)
    assert len(b) == 1 + 2 * 50 + 1  # system, 50 turns, the current observation


def test_the_current_observation_stays_even_when_it_alone_exceeds_the_budget():
    env = agentic_gym.chat(ENV_ID, max_prompt_chars=10)
    messages, _ = env.reset(seed=0)
    messages, *_ = env.step("forward")
    assert messages[-1]["role"] == "user" and messages[-1]["content"]
    assert len(messages) == 2  # the system prompt and the current observation


@pytest.mark.parametrize("bad", [0, -5, 1.5, "8000"])
def test_a_bad_budget_is_refused(bad):
    with pytest.raises(ValueError, match="max_prompt_chars"):
        agentic_gym.chat(ENV_ID, max_prompt_chars=bad)


def test_a_huge_reply_of_repeated_parts_is_clipped_before_it_is_joined():
    env = agentic_gym.chat("agentic_gym/TextAdventure-3rooms-v0")
    env.reset(seed=0)
    part = {"type": "text", "text": "x" * 10_000_000}
    reply = {"role": "assistant", "content": [part] * 64}
    tracemalloc.start()
    try:
        env.step(reply)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 60_000_000, peak
