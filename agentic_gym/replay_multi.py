"""Replay a recorded multi-agent episode: every seat's turns re-simulated and checked.

:func:`agentic_gym.replay.replay` hands a log whose header says ``multi_agent`` (written
by :class:`~agentic_gym.recording.multi.MultiEpisodeRecorder`) to :func:`replay_multi`.
It rebuilds the env (``agentic_gym.envs.multi.make(id, **kwargs)`` or
``agentic_gym.chat_multi(id, **chat_options)``), resets it with the recorded seed and
steps the recorded actions in order; before each step it checks that the recorded seat
is the one to move and that what it sees (its text, its chat prompt, a digest of the
whole observation) matches, after it that every seat's reward and flags match. Then the
GIF and HTML are rebuilt from the replay's own frames.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from agentic_gym.recording import Episode, GifWriter, HtmlWriter, PromptEncoder, canonical, palette_image
from agentic_gym.recording.multi import seat_html_record

__all__ = ["make_multi_env", "replay_multi"]


def make_multi_env(header: Mapping[str, Any], render_mode: str | None = "rgb_array") -> Any:
    """A fresh multi-agent env built the way the recorded one was."""
    from agentic_gym.replay import ReplayError

    env_id = header["env_id"]
    kwargs = dict(header.get("make_kwargs") or {})
    if render_mode is not None:
        kwargs["render_mode"] = render_mode
    try:
        if header.get("chat_options") is not None:
            from agentic_gym.wrappers.multi_chat import chat_multi

            return chat_multi(env_id, **header["chat_options"], **kwargs)
        from agentic_gym.envs.multi import make

        return make(env_id, **kwargs)
    except Exception as error:  # any failure to build from the file's data is an unusable file
        raise ReplayError(f"cannot rebuild {env_id!r}: {type(error).__name__}: {error}") from None


def _native(value: Any, space: Any) -> Any:
    from gymnasium import spaces

    if isinstance(space, spaces.Discrete) and isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    return value


def replay_multi(
    episode: Episode,
    gif: str | os.PathLike[str] | None = None,
    html: str | os.PathLike[str] | None = None,
    fps: float | None = None,
    keep_frames: bool = False,
) -> Any:
    """Re-simulate a multi-agent ``episode`` (read by :func:`~agentic_gym.recording.load_episode`).

    Returns a :class:`~agentic_gym.replay.ReplayResult`; raises
    :class:`~agentic_gym.replay.ReplayDivergence` at the first turn that differs (nothing
    is written then) and :class:`~agentic_gym.replay.ReplayError` for an unusable file.
    """
    from agentic_gym.evaluation.multi import RewardTally, _is_chat
    from agentic_gym.replay import ReplayDivergence, ReplayError, ReplayResult, check_turn

    header = episode.header
    render = gif is not None or html is not None or keep_frames
    env = make_multi_env(header, "rgb_array" if render else None)
    chat = _is_chat(env)
    inner = env.env if chat else env
    tally = RewardTally(inner)
    if chat:
        env.env = tally
    stepper = env if chat else tally
    result = ReplayResult(episode=episode)
    gif_writer: GifWriter | None = None
    html_writer: HtmlWriter | None = None
    try:
        gif_writer = GifWriter(gif, fps or float(env.unwrapped.metadata.get("render_fps") or 4)) if gif else None
        html_writer = HtmlWriter(html) if html is not None else None
        prompts: dict[str, PromptEncoder] = {}

        def rendered(record: Mapping[str, Any]) -> None:
            if not render:
                return
            frame = np.asarray(env.render(), dtype=np.uint8)
            result.frame_count += 1
            if keep_frames:
                result.frames.append(frame)
            image = palette_image(frame)
            if gif_writer is not None:
                gif_writer.add(image)
            if html_writer is not None:
                html_writer.add(seat_html_record(record), image)

        stepper.reset(seed=int(header["seed"]), options=header.get("options"))
        rendered(header)
        for record in episode.steps:
            label = f"step {record.get('step')}"
            seat = record.get("agent")
            if not env.agents:
                raise ReplayDivergence(f"{label}: the replayed episode is over; the recording goes on")
            if env.agent_selection != seat:
                raise ReplayDivergence(f"{label}: {env.agent_selection} is to move, the recording has {seat}")
            observation = env.last()[0]
            check_turn(label, record, observation, prompts=prompts.setdefault(seat, PromptEncoder()))
            action = record.get("action")
            steps = tally.steps
            stepper.step(_native(action, env.action_space(seat)) if action is not None and not chat else action)
            rewards = tally.last_rewards if tally.steps > steps else {}
            replayed = canonical({"rewards": rewards, "terminations": dict(env.terminations),
                                  "truncations": dict(env.truncations)})
            for key, value in replayed.items():
                recorded = record.get(key)
                same = recorded == value if key != "rewards" else (
                    isinstance(recorded, dict) and recorded.keys() == value.keys()
                    and all(np.isclose(float(recorded[k]), float(v), rtol=0, atol=1e-9) for k, v in value.items()))
                if not same:
                    raise ReplayDivergence(f"{label}: replayed {key} {value} != recorded {recorded}")
            rendered(record)
        if env.agents and episode.end is not None:
            raise ReplayDivergence(f"the recording ends after {len(episode.steps)} steps; the replayed episode goes on")
        if gif_writer is not None:
            result.written["gif"] = gif_writer.close()
        if html_writer is not None:
            result.written["html"] = html_writer.close(header, episode.end)
    except (KeyError, TypeError) as error:
        raise ReplayError(f"{episode.path}: not a multi-agent recording ({type(error).__name__}: {error})") from None
    finally:
        if chat:
            env.env = inner
        env.close()
        for writer in (gif_writer, html_writer):
            if writer is not None:
                writer.abort()
    return result
