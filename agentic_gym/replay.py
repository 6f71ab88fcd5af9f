"""Replay a recorded episode: re-simulate it from its JSONL file and rebuild its GIF and HTML.

A :class:`~agentic_gym.wrappers.RecordEpisode` JSONL file holds everything needed: the
env id and make kwargs (or the :func:`agentic_gym.chat` options), the seed, and every
action. :func:`replay` makes a fresh env, resets it with the recorded seed, steps the
recorded actions and checks that every observation (its text, its prompt and a digest
of the whole observation), reward and termination flag matches the recording; then it
renders the frames again and writes the artefacts. A mismatch raises
:class:`ReplayDivergence` naming the first step that differs, and writes nothing.

From the shell::

    agentic-gym replay runs/episode-0000.jsonl --gif episode.gif --html episode.html

Only the standard stack is rebuilt (``gym.make(id, **kwargs)`` with the recorded time
limit, or ``agentic_gym.chat(id, **chat_options)``); an episode recorded through other
wrappers replays only if they do not change what the env sees, which the check verifies.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from agentic_gym.wrappers.record import canonical, observation_fields, palette_image, write_gif, write_html


class ReplayError(RuntimeError):
    """The episode file cannot be read or its env cannot be rebuilt."""


class ReplayDivergence(ReplayError):
    """Re-simulating the recorded actions gave a different episode than the recording."""


@dataclass
class Episode:
    """One recorded episode: its header line, its step lines and its end line (None if cut off)."""

    header: dict[str, Any]
    steps: list[dict[str, Any]]
    end: dict[str, Any] | None = None
    path: Path | None = None


@dataclass
class ReplayResult:
    """What :func:`replay` produced: the episode, the re-rendered frames and the files written."""

    episode: Episode
    frames: list[np.ndarray] = field(default_factory=list)
    written: dict[str, Path] = field(default_factory=dict)


def load_episode(path: str | os.PathLike) -> Episode:
    """Read the first episode of a RecordEpisode JSONL file.

    A last line torn by a crash (no newline, not valid JSON) is ignored, as is
    anything after the episode's ``end`` line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ReplayError(f"cannot read {path}: {error.strerror or error}") from None
    lines = text.split("\n")
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            if number == len(lines):  # torn by a crash mid-write: the steps before it stand
                break
            raise ReplayError(f"{path}:{number}: not a JSON line") from None
    if not records or not isinstance(records[0], dict) or records[0].get("type") != "header":
        raise ReplayError(f"{path}: the first line is not a RecordEpisode header")
    header = records[0]
    for key in ("env_id", "seed"):
        if header.get(key) is None:
            raise ReplayError(f"{path}: the header has no {key!r}; this episode cannot be re-simulated")
    steps: list[dict[str, Any]] = []
    end = None
    for record in records[1:]:
        kind = record.get("type") if isinstance(record, dict) else None
        if kind == "step":
            steps.append(record)
        elif kind == "end":
            end = record
            break
        elif kind == "header":
            break
    return Episode(header=header, steps=steps, end=end, path=path)


def make_env(header: Mapping[str, Any], render_mode: str | None = "rgb_array") -> gym.Env:
    """A fresh env built the way the recorded one was (``gym.make`` or ``agentic_gym.chat``)."""
    env_id = header["env_id"]
    try:
        if header.get("chat_options") is not None:
            from agentic_gym import chat

            options = {**(header.get("make_kwargs") or {}), **header["chat_options"]}
            return chat(env_id, **options, render_mode=render_mode)
        kwargs = dict(header.get("make_kwargs") or {})
        if header.get("max_episode_steps") is not None:
            kwargs["max_episode_steps"] = header["max_episode_steps"]
        return gym.make(env_id, render_mode=render_mode, **kwargs)
    except Exception as error:  # any failure to build from the file's data is an unusable file
        raise ReplayError(f"cannot rebuild {env_id!r}: {type(error).__name__}: {error}") from None


def _native_action(value: Any, space: gym.Space) -> Any:
    """The recorded (JSON) action as the env expects it."""
    if isinstance(space, spaces.Discrete) and isinstance(value, int | float):
        return int(value)
    if isinstance(space, spaces.Box | spaces.MultiDiscrete | spaces.MultiBinary):
        return np.asarray(value, dtype=space.dtype)
    return value


def _clip(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def _first_difference(recorded: Any, replayed: Any) -> str:
    if isinstance(recorded, str) and isinstance(replayed, str):
        index = next((i for i, (a, b) in enumerate(zip(recorded, replayed)) if a != b), min(len(recorded), len(replayed)))
        start = max(index - 60, 0)
        return (
            f" (first difference at character {index})\n"
            f"  recorded: {recorded[start:index + 120]!r}\n  replayed: {replayed[start:index + 120]!r}"
        )
    return f"\n  recorded: {_clip(recorded)}\n  replayed: {_clip(replayed)}"


def check_turn(label: str, record: Mapping[str, Any], observation: Any, result: Sequence[Any] = ()) -> None:
    """Raise :class:`ReplayDivergence` when a replayed turn differs from its record."""
    fields = canonical(observation_fields(observation))
    for key in ("observation", "prompt"):
        if key in record and record[key] != fields[key]:
            raise ReplayDivergence(f"{label}: the replayed {key} differs from the recording" + _first_difference(record[key], fields[key]))
    if record.get("observation_digest") not in (None, fields["observation_digest"]):
        raise ReplayDivergence(f"{label}: the replayed observation differs from the recording (beyond its text)")
    if result:
        reward, terminated, truncated = result
        if not np.isclose(float(reward), float(record["reward"]), rtol=0, atol=1e-9):
            raise ReplayDivergence(f"{label}: replayed reward {float(reward)} != recorded {record['reward']}")
        if (bool(terminated), bool(truncated)) != (record["terminated"], record["truncated"]):
            raise ReplayDivergence(
                f"{label}: replayed terminated/truncated {bool(terminated)}/{bool(truncated)} != recorded "
                f"{record['terminated']}/{record['truncated']}"
            )


def replay(
    path: str | os.PathLike,
    gif: str | os.PathLike | None = None,
    html: str | os.PathLike | None = None,
    fps: float | None = None,
) -> ReplayResult:
    """Re-simulate the episode in ``path``, check it matches, then write the requested artefacts.

    Raises :class:`ReplayDivergence` at the first turn that differs (nothing is
    written then) and :class:`ReplayError` when the file or env is unusable.
    """
    episode = load_episode(path)
    header = episode.header
    render = gif is not None or html is not None
    env = make_env(header, "rgb_array" if render else None)
    frames: list[np.ndarray] = []
    try:
        observation, _ = env.reset(seed=int(header["seed"]), options=header.get("options"))
        check_turn("reset", header, observation)
        if render:
            frames.append(np.asarray(env.render(), dtype=np.uint8))
        for record in episode.steps:
            observation, reward, terminated, truncated, _ = env.step(_native_action(record["action"], env.action_space))
            check_turn(f"step {record['step']}", record, observation, (reward, terminated, truncated))
            if render:
                frames.append(np.asarray(env.render(), dtype=np.uint8))
        fps = fps or float(env.metadata.get("render_fps") or 4)
    finally:
        env.close()
    result = ReplayResult(episode=episode, frames=frames)
    images = [palette_image(frame) for frame in frames]
    if gif is not None:
        result.written["gif"] = write_gif(images, gif, fps)
    if html is not None:
        result.written["html"] = write_html(header, episode.steps, images, html, episode.end)
    return result


# ---------------------------------------------------------------------------------------
# The ``agentic-gym replay`` subcommand


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``agentic-gym replay``."""
    parser.add_argument("episode", help="a JSONL file written by RecordEpisode")
    parser.add_argument("--gif", help="write the GIF here (default: next to the JSONL file)")
    parser.add_argument("--html", help="write the HTML transcript here (default: next to the JSONL file)")
    parser.add_argument("--fps", type=float, default=None, help="GIF frame rate (default: the env's render_fps)")
    parser.add_argument("--check", action="store_true", help="only re-simulate and check; write nothing")


def run(args: argparse.Namespace) -> int:
    """Run ``agentic-gym replay``: 0 on success, 1 when the replay diverges, 2 on unusable input."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    source = Path(args.episode)
    gif, html = args.gif, args.html
    if not args.check and gif is None and html is None:
        gif, html = source.with_suffix(".gif"), source.with_suffix(".html")
    try:
        result = replay(source, gif=gif, html=html, fps=args.fps)
    except ReplayDivergence as error:
        print(f"agentic-gym replay: {source}: the replay diverges from the recording at {error}", file=sys.stderr)
        return 1
    except ReplayError as error:
        print(f"agentic-gym replay: {error}", file=sys.stderr)
        return 2
    episode = result.episode
    total = sum(float(s["reward"]) for s in episode.steps)
    print(f"{source}: {episode.header['env_id']} seed {episode.header['seed']}: {len(episode.steps)} steps "
          f"replayed identically, return {total:g}")
    for kind, path in result.written.items():
        print(f"wrote {kind}: {path}")
    return 0
