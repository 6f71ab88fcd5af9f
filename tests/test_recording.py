"""The recording package: prompts logged as deltas and rebuilt, GIFs written frame by frame, old logs read."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageSequence

from agentic_gym.cli import main
from agentic_gym.recording import (
    GifWriter,
    PromptDecoder,
    PromptEncoder,
    RecordingError,
    canonical,
    load_episode,
    palette_image,
)
from agentic_gym.replay import replay
from tests.stub_envs import TEXT_ID


def message(role: str, text: str) -> dict:
    return {"role": role, "content": text}


def round_trip(prompts: list[list[dict]]) -> list[dict]:
    """Encode every prompt, write the lines as JSON, decode them, and check each prompt comes back."""
    encoder, decoder, lines = PromptEncoder(), PromptDecoder(), []
    for prompt in prompts:
        new, ids = encoder.encode(prompt)
        line = json.loads(json.dumps({"messages": new, "prompt_ids": ids}))
        assert decoder.add(line) == canonical(prompt)
        lines.append(line)
    return lines


def test_a_growing_history_logs_each_message_once_in_one_run():
    system = message("system", "Find the goal.")
    history = [system, message("user", "start")]
    prompts = [list(history)]
    for _ in range(50):
        history += [message("assistant", "wait"), message("user", "You wait.")]  # the same words every turn
        prompts.append(list(history))
    lines = round_trip(prompts)
    assert [len(line["messages"]) for line in lines] == [2] + [2] * 50
    assert all(line["prompt_ids"] == [[0, len(prompt)]] for line, prompt in zip(lines, prompts))


def test_a_sliding_window_stays_two_runs():
    system = message("system", "Go.")
    turns = [message("user", f"view {i}") for i in range(40)]
    prompts = [[system, *turns[max(0, i - 3): i + 1]] for i in range(40)]
    lines = round_trip(prompts)
    assert all(len(line["prompt_ids"]) <= 2 for line in lines)
    assert sum(len(line["messages"]) for line in lines) == 41


def test_a_message_changed_in_place_is_logged_again():
    first = message("user", "a door")
    prompts = [[message("system", "s"), first]]
    encoder = PromptEncoder()
    encoder.encode(prompts[0])
    first["content"] = "an open door"  # the same dict object, new content
    new, ids = encoder.encode(prompts[0])
    assert new == [message("user", "an open door")] and ids == [[0, 1], [2, 1]]


def test_image_parts_are_logged_by_digest_and_dropped_images_are_new_messages():
    url = "data:image/png;base64," + "A" * 2000
    with_image = {"role": "user", "content": [{"type": "text", "text": "look"}, {"type": "image_url",
                                                                              "image_url": {"url": url}}]}
    lines = round_trip([[message("system", "s"), with_image],
                        [message("system", "s"), message("user", "look"), message("assistant", "left"), with_image]])
    assert "sha256=" in json.dumps(lines[0]) and "A" * 300 not in json.dumps(lines)
    assert [m["content"] for m in lines[1]["messages"]] == ["look", "left"]


prompt_messages = st.builds(message, st.sampled_from(["user", "assistant", "tool"]), st.sampled_from("abcde"))


@given(st.lists(st.tuples(st.sampled_from(["append", "drop", "replace", "mutate", "copy"]), prompt_messages),
                min_size=1, max_size=40))
def test_any_prompt_sequence_is_rebuilt_and_its_encoding_depends_only_on_content(operations):
    encoder, decoder = PromptEncoder(), PromptDecoder()
    prompt = [message("system", "s")]
    snapshots, encoded = [], []
    for operation, new in operations:
        # Shared message objects between prompts, as the chat layer builds them; copies; changes in place.
        if operation == "append" or len(prompt) < 2:
            prompt = [*prompt, new]
        elif operation == "drop":
            prompt = [prompt[0], *prompt[2:]]
        elif operation == "replace":
            prompt = [*prompt[:-1], new]
        elif operation == "mutate":
            prompt[-1]["content"] += "!"
            prompt = list(prompt)
        else:
            prompt = copy.deepcopy(prompt)
        added, ids = encoder.encode(prompt)
        assert decoder.add(json.loads(json.dumps({"messages": added, "prompt_ids": ids}))) == canonical(prompt)
        snapshots.append(copy.deepcopy(prompt))
        encoded.append((added, ids))
    fresh = PromptEncoder()
    assert [fresh.encode(snapshot) for snapshot in snapshots] == encoded


def test_prompt_ids_naming_unlogged_messages_are_refused():
    with pytest.raises(RecordingError, match="never logged"):
        PromptDecoder().add({"type": "step", "step": 3, "messages": [], "prompt_ids": [[0, 2]]})
    with pytest.raises(RecordingError, match="not a list"):
        PromptDecoder().add({"type": "step", "messages": "hello", "prompt_ids": []})


def frames_of(path) -> list[np.ndarray]:
    with Image.open(path) as gif:
        return [np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(gif)]


def test_gif_frames_decode_to_their_palette_images_and_repeats_merge(tmp_path):
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)
    frames = [base]
    for index in range(6):
        frame = frames[-1].copy()
        frame[5 + index: 9 + index, 10: 20 + 3 * index] = rng.integers(0, 256, 3, dtype=np.uint8)
        frames.append(frame)
    frames.insert(3, frames[2].copy())  # a repeat: shown twice as long
    writer = GifWriter(tmp_path / "x.gif", fps=5)
    for frame in frames:
        writer.add(frame)
    assert not (tmp_path / "x.gif").exists() and (tmp_path / "x.gif.part").exists()
    writer.close()
    assert not (tmp_path / "x.gif.part").exists()
    decoded = frames_of(tmp_path / "x.gif")
    expected = [np.asarray(palette_image(f).convert("RGB")) for i, f in enumerate(frames) if i != 3]
    assert len(decoded) == len(expected) == len(frames) - 1
    assert all(np.array_equal(a, b) for a, b in zip(decoded, expected))
    with Image.open(tmp_path / "x.gif") as gif:
        durations = []
        for index in range(gif.n_frames):
            gif.seek(index)
            durations.append(gif.info["duration"])
        assert gif.info.get("loop") == 0
    assert durations[2] == 400 and sum(durations) == 200 * len(frames)
    other = GifWriter(tmp_path / "y.gif")
    other.add(base)
    with pytest.raises(ValueError, match="size of the first"):
        other.add(base[:10])
    other.abort()
    assert list(tmp_path.iterdir()) == [tmp_path / "x.gif"]
    with pytest.raises(ValueError, match="at least one frame"):
        GifWriter(tmp_path / "z.gif").close()


def test_a_format_1_log_with_whole_prompts_still_loads_and_replays(tmp_path, capsys):
    from agentic_gym import chat
    from agentic_gym.wrappers import RecordEpisode

    env = RecordEpisode(chat(TEXT_ID, history=1), tmp_path, formats=("jsonl",))
    env.reset(seed=4)
    for reply in ["Action: wait", "go left", "nonsense", "Action: go right"]:
        env.step(reply)
    env.close()
    path = tmp_path / "episode-0000.jsonl"
    episode = load_episode(path)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    prompts = list(episode.prompts())
    for line, prompt in zip(lines, prompts):
        line.pop("messages"), line.pop("prompt_ids")
        line["prompt"] = prompt
    lines[0]["format"] = 1
    old = tmp_path / "old.jsonl"
    old.write_text("".join(json.dumps(line) + "\n" for line in lines))
    upgraded = load_episode(old)
    assert [s.get("messages") for s in upgraded.steps] == [s.get("messages") for s in episode.steps]
    assert list(upgraded.prompts()) == prompts
    assert main(["replay", str(old), "--check"]) == 0
    # A changed prompt in the old format is still caught.
    lines[2]["prompt"][-1]["content"] = "You are somewhere else."
    old.write_text("".join(json.dumps(line) + "\n" for line in lines))
    with pytest.raises(RecordingError, match="step 2: the replayed prompt differs"):
        replay(old)
    assert main(["replay", str(old), "--check"]) == 1
    capsys.readouterr()
