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

from agentic_gym.recording import (
    Episode,
    GifWriter,
    HtmlWriter,
    PromptEncoder,
    RecordingError,
    canonical,
    frame_style,
    load_episode,
    observation_fields,
    palette_image,
)

__all__ = ["Episode", "ReplayDivergence", "ReplayError", "ReplayResult", "check_turn", "load_episode",
           "make_env", "replay"]

#: The episode file cannot be read or its env cannot be rebuilt.
ReplayError = RecordingError


class ReplayDivergence(ReplayError):
    """Re-simulating the recorded actions gave a different episode than the recording."""


@dataclass
class ReplayResult:
    """What :func:`replay` produced: the episode, the number of frames rendered and the files written.

    ``frames`` holds the rendered frames only when :func:`replay` was asked to keep them.
    """

    episode: Episode
    frame_count: int = 0
    frames: list[np.ndarray] = field(default_factory=list)
    written: dict[str, Path] = field(default_factory=dict)


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


def check_turn(
    label: str, record: Mapping[str, Any], observation: Any, result: Sequence[Any] = (),
    prompts: PromptEncoder | None = None,
) -> None:
    """Raise :class:`ReplayDivergence` when a replayed turn differs from its record.

    ``prompts`` is the replay's own encoder of the episode's chat prompts (pass the same
    one for every turn); a prompt matches when its encoding (new messages and message
    ids) equals the recorded one, which holds exactly when the rebuilt prompts are equal.
    """
    fields = observation_fields(observation, prompts if prompts is not None else PromptEncoder())
    replayed = canonical(fields["observation"])
    if "observation" in record and record["observation"] != replayed:
        raise ReplayDivergence(f"{label}: the replayed observation differs from the recording"
                               + _first_difference(record["observation"], replayed))
    recorded_prompt = (record.get("messages"), record.get("prompt_ids"))
    replayed_prompt = (fields.get("messages"), fields.get("prompt_ids"))
    if recorded_prompt != replayed_prompt:
        raise ReplayDivergence(f"{label}: the replayed prompt differs from the recording (its new messages)"
                               + _first_difference(recorded_prompt[0], replayed_prompt[0]))
    if record.get("observation_digest") not in (None, fields.get("observation_digest")):
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
    path: str | os.PathLike[str],
    gif: str | os.PathLike[str] | None = None,
    html: str | os.PathLike[str] | None = None,
    fps: float | None = None,
    keep_frames: bool = False,
) -> ReplayResult:
    """Re-simulate the episode in ``path``, check it matches, and write the requested artefacts.

    The GIF and HTML are written as the replay goes (in ``.part`` files) and take
    their names only when the whole episode matched. Raises :class:`ReplayDivergence`
    at the first turn that differs (nothing is written then) and :class:`ReplayError`
    when the file or env is unusable. ``keep_frames`` keeps every rendered frame in
    the result (memory grows with the episode).
    """
    episode = load_episode(path)
    if episode.header.get("multi_agent"):
        from agentic_gym.replay_multi import replay_multi

        return replay_multi(episode, gif=gif, html=html, fps=fps, keep_frames=keep_frames)
    header = episode.header
    render = gif is not None or html is not None or keep_frames
    env = make_env(header, "rgb_array" if render else None)
    gif_writer: GifWriter | None = None
    html_writer: HtmlWriter | None = None
    result = ReplayResult(episode=episode)
    try:
        style = frame_style(env, fps)
        gif_writer = GifWriter(gif, style.fps) if gif is not None else None
        html_writer = HtmlWriter(html) if html is not None else None
        prompts = PromptEncoder()

        def rendered(record: Mapping[str, Any]) -> None:
            if not render:
                return
            frame = style.decorate(env.render(), record)
            result.frame_count += 1
            if keep_frames:
                result.frames.append(frame)
            image = palette_image(frame)  # quantised once, shared by the GIF and the page as when recorded
            if gif_writer is not None:
                gif_writer.add(image)
            if html_writer is not None:
                html_writer.add(record, image if style.html_frames else None)

        observation, _ = env.reset(seed=int(header["seed"]), options=header.get("options"))
        check_turn("reset", header, observation, prompts=prompts)
        rendered(header)
        for record in episode.steps:
            observation, reward, terminated, truncated, _ = env.step(_native_action(record["action"], env.action_space))
            check_turn(f"step {record['step']}", record, observation, (reward, terminated, truncated), prompts)
            rendered(record)
        if gif_writer is not None:
            result.written["gif"] = gif_writer.close()
        if html_writer is not None:
            result.written["html"] = html_writer.close(header, episode.end)
    finally:
        env.close()
        for writer in (gif_writer, html_writer):
            if writer is not None:
                writer.abort()
    return result


# ---------------------------------------------------------------------------------------
# The ``agentic-gym replay`` subcommand


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``agentic-gym replay``."""
    parser.add_argument("episode", help="a JSONL file written by RecordEpisode")
    parser.add_argument("--gif", help="write the GIF here (default: next to the JSONL file)")
    parser.add_argument("--html", help="write the HTML transcript here (default: next to the JSONL file)")
    parser.add_argument("--fps", type=float, default=None, help="GIF frame rate (default: 1 for text envs, 4 for grid envs)")
    parser.add_argument("--check", action="store_true", help="only re-simulate and check; write nothing")


def run(args: argparse.Namespace) -> int:
    """Run ``agentic-gym replay``: 0 on success, 1 when the replay diverges, 2 on unusable input."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

    def fail(message: str) -> int:
        print(f"agentic-gym replay: error: {message}", file=sys.stderr)
        return 2

    source = Path(args.episode)
    gif, html = args.gif, args.html
    if args.fps is not None and not args.fps > 0:
        return fail(f"--fps must be more than 0, got {args.fps:g} (1 suits text envs, 4 grid envs)")
    for option, target in (("--gif", gif), ("--html", html)):
        if target is None:
            continue
        folder = Path(target).parent
        if not folder.is_dir():
            return fail(f"{option} {target}: the directory {folder} does not exist; create it or choose another path")
        if Path(target).is_dir():
            return fail(f"{option} {target} is a directory; give a file name such as {Path(target) / 'episode'}"
                        f".{option[2:]}")
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
