"""Record episodes as they happen: a JSONL log per episode, a GIF and an HTML transcript.

The JSONL file is the record of truth: one header line when the episode starts, one
line per step written, flushed and ``fsync``-ed before ``step`` returns (a crash or
``kill -9`` loses no completed step), and an ``end`` line when the episode ends. Its
format is described in :mod:`agentic_gym.recording`: a chat prompt is logged as the
messages new since the line before, so the file grows linearly with the episode. The
GIF and the HTML page are written frame by frame alongside, and ``agentic-gym replay``
rebuilds both from the JSONL file alone.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from agentic_gym.recording import (
    LOG_FORMAT,
    GifWriter,
    HtmlWriter,
    PromptEncoder,
    canonical,
    describe_env,
    is_message_list,
    json_safe,
    observation_digest,
    observation_fields,
    observation_text,
    palette_image,
    png_data_url,
    write_gif,
    write_html,
)

# The helpers that lived here before the recording package stay importable from here.
__all__ = [
    "FORMATS",
    "RecordEpisode",
    "canonical",
    "command_text",
    "describe_env",
    "is_message_list",
    "json_safe",
    "observation_digest",
    "observation_fields",
    "observation_text",
    "palette_image",
    "png_data_url",
    "write_gif",
    "write_html",
]

FORMATS = ("jsonl", "gif", "html")
_MAX_SEED = 2**31 - 1


def command_text(
    action: Any, info: Mapping[str, Any], affordances: Sequence[Any] | None, start: int = 0
) -> str | None:
    """The canonical text of the command an action stood for, or None when it could not be read.

    Every env of the suite and the language layer report the
    :class:`~agentic_gym.core.Command` as ``info["command"]``; it is read, never parsed
    again. An env outside the suite that reports no command is read through its
    ``Discrete`` index (``affordances[i - start]``).
    """
    if "command" in info:
        command = info["command"]
        return None if command is None else str(command)
    if affordances and isinstance(action, int | np.integer) and not isinstance(action, bool):
        index = int(action) - start
        return affordances[index].name if 0 <= index < len(affordances) else None
    return None


class RecordEpisode(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """Record every episode to ``directory``: JSONL, a GIF and an HTML page, all as it happens.

    Episode ``i`` goes to ``{name_prefix}-{i:04d}.jsonl`` / ``.gif`` / ``.html``. The
    JSONL file (format described in :mod:`agentic_gym.recording`) gets a header line at
    ``reset``, one line per ``step`` (flushed and ``fsync``-ed before ``step``
    returns, so ``kill -9`` loses no completed step) and an ``end`` line. The GIF and
    the HTML transcript grow in ``.gif.part`` / ``.html.part`` files frame by frame and
    take their names when the episode terminates or is truncated, or when
    ``reset``/``close`` cuts it short. Nothing of a finished turn stays in memory, so
    memory does not grow with the episode.

    Like :class:`gymnasium.wrappers.RecordVideo`, frames come from ``env.render()``:
    the ``gif`` format needs ``render_mode="rgb_array"`` and raises ``ValueError``
    otherwise; without ``rgb_array`` the HTML transcript simply has no pictures.

    Every episode is recorded with a seed so that ``agentic-gym replay`` can
    re-simulate it: ``reset(seed=s)`` records ``s``; ``reset()`` draws a seed from
    the wrapper's own generator (itself seeded by the last explicit seed, or from
    the OS when none was given) and passes it to the env.

    Works on any env whose actions are JSON data (ints, strings, message dicts) and
    on :func:`agentic_gym.chat` envs, whose message-list observations are recorded
    as the messages new on each line and whose ``chat_options`` go into the header. Replay rebuilds the
    env from its ``spec``, so record envs made by ``gym.make`` or ``agentic_gym.chat``.

    Example:
        >>> import tempfile, gymnasium as gym, agentic_gym
        >>> from agentic_gym.envs import registered_ids
        >>> env = RecordEpisode(gym.make(registered_ids()[0], render_mode="rgb_array"),
        ...                     tempfile.mkdtemp(), formats=("jsonl",))
        >>> obs, info = env.reset(seed=3)
        >>> obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        >>> env.close()
        >>> [line["type"] for line in map(json.loads, open(env.recorded[0]["jsonl"]))]
        ['header', 'step', 'end']

    Args:
        env: the env to record (a Gymnasium env or a :func:`agentic_gym.chat` env).
        directory: where the files go (created if missing).
        formats: any of ``"jsonl"``, ``"gif"``, ``"html"``.
        name_prefix: file name prefix.
        fps: GIF frame rate (default: ``env.metadata["render_fps"]``, else 4).
        fsync: ``os.fsync`` each line (turn off only when losing the last steps to a
            power cut is acceptable; a flush per step still survives ``kill -9``).
        episode_trigger: as in ``RecordVideo``: called with the episode index (from 0),
            records the episode when it returns True; default: every episode. Skipped
            episodes write nothing and cost nothing (their seeds are still drawn, so
            recorded episodes do not depend on the trigger).
    """

    def __init__(
        self,
        env: gym.Env,
        directory: str | os.PathLike,
        formats: Iterable[str] = FORMATS,
        name_prefix: str = "episode",
        fps: float | None = None,
        fsync: bool = True,
        episode_trigger: Callable[[int], bool] | None = None,
    ):
        formats = tuple(formats)
        gym.utils.RecordConstructorArgs.__init__(
            self, directory=str(directory), formats=formats, name_prefix=name_prefix, fps=fps, fsync=fsync,
            episode_trigger=episode_trigger,
        )
        gym.Wrapper.__init__(self, env)
        unknown = set(formats) - set(FORMATS)
        if unknown or not formats:
            raise ValueError(f"formats must be a non-empty subset of {FORMATS}, got {formats}")
        if "gif" in formats and env.render_mode != "rgb_array":
            raise ValueError(
                f"RecordEpisode needs render_mode='rgb_array' to write GIFs, but the env's render_mode is "
                f"{env.render_mode!r}: make it with render_mode='rgb_array' or leave 'gif' out of formats"
            )
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.formats = formats
        self.name_prefix = name_prefix
        self.fps = fps if fps is not None else float(env.metadata.get("render_fps") or 4)
        self.fsync = fsync
        self.episode_trigger = episode_trigger
        #: Per finished episode, the paths written, keyed by format.
        self.recorded: list[dict[str, Path]] = []
        self._capture = env.render_mode == "rgb_array" and bool({"gif", "html"} & set(formats))
        self._seed_rng: np.random.Generator | None = None
        self._episode = -1
        self._file: Any = None
        self._header: dict[str, Any] | None = None
        self._prompts = PromptEncoder()
        self._gif: GifWriter | None = None
        self._html: HtmlWriter | None = None
        self._steps = 0
        self._return = 0.0
        self._success = False
        self._active = False
        self._affordances: tuple[Any, ...] | None = None
        self._start = int(env.action_space.start) if isinstance(env.action_space, gym.spaces.Discrete) else 0
        if any(self.directory.glob(f"{name_prefix}-*.jsonl")):
            gym.logger.warn(
                f"RecordEpisode: {self.directory} already holds {name_prefix}-*.jsonl files; they will be overwritten"
            )

    # -- paths and writing ---------------------------------------------------------------

    def _path(self, suffix: str) -> Path:
        return self.directory / f"{self.name_prefix}-{self._episode:04d}.{suffix}"

    def _write(self, record: Mapping[str, Any]) -> None:
        if self._file is None:
            return
        self._file.write(json.dumps(record, allow_nan=False) + "\n")
        self._file.flush()
        if self.fsync:
            os.fsync(self._file.fileno())

    def _record_turn(self, record: dict[str, Any]) -> None:
        # The line first (the record of truth), then its frame into the GIF and the page.
        self._write(record)
        image = palette_image(self.env.render()) if self._capture else None
        if image is not None and self._gif is not None:
            self._gif.add(image)
        if self._html is not None:
            self._html.add(record, image)

    def _lookup_affordances(self) -> tuple[Any, ...]:
        if self._affordances is None:
            try:
                self._affordances = tuple(self.env.get_wrapper_attr("affordances"))
            except AttributeError:
                self._affordances = ()
        return self._affordances

    # -- episode life cycle --------------------------------------------------------------

    def _finish(self, complete: bool) -> None:
        if not self._active:
            return
        self._active = False
        end = {
            "type": "end",
            "episode": self._episode,
            "steps": self._steps,
            "return": self._return,
            "success": self._success,
            "complete": complete,
        }
        self._write(end)
        paths: dict[str, Path] = {}
        if self._file is not None:
            self._file.close()
            self._file = None
            paths["jsonl"] = self._path("jsonl")
        if self._gif is not None:
            if self._gif.frames:
                paths["gif"] = self._gif.close()
            else:
                self._gif.abort()
            self._gif = None
        if self._html is not None:
            paths["html"] = self._html.close(self._header or {}, end)
            self._html = None
        self.recorded.append(paths)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        self._finish(complete=False)
        if seed is not None:
            self._seed_rng = np.random.default_rng(seed)
        else:
            if self._seed_rng is None:
                self._seed_rng = np.random.default_rng()
            seed = int(self._seed_rng.integers(_MAX_SEED))
        obs, info = self.env.reset(seed=seed, options=options)
        self._episode += 1
        self._steps, self._return, self._success = 0, 0.0, False
        self._prompts = PromptEncoder()
        self._active = self.episode_trigger is None or bool(self.episode_trigger(self._episode))
        if not self._active:
            return obs, info
        if "jsonl" in self.formats:
            self._file = open(self._path("jsonl"), "w", encoding="utf-8")  # noqa: SIM115 (open across steps)
        if "gif" in self.formats and self._capture:
            self._gif = GifWriter(self._path("gif"), self.fps)
        if "html" in self.formats:
            self._html = HtmlWriter(self._path("html"))
        from agentic_gym import __version__

        self._header = {
            "type": "header",
            "format": LOG_FORMAT,
            "episode": self._episode,
            **describe_env(self.env),
            "seed": int(seed),
            "options": json_safe(options),
            "render_mode": self.env.render_mode,
            "agentic_gym_version": __version__,
            "gymnasium_version": gym.__version__,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            **observation_fields(obs, self._prompts),
            "info": json_safe(info),
        }
        self._record_turn(self._header)
        return obs, info

    def step(self, action: Any) -> tuple[Any, Any, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        if not self._active:
            return obs, reward, terminated, truncated, info
        record = {
            "type": "step",
            "episode": self._episode,
            "step": self._steps + 1,
            "action": json_safe(action),
            "command": command_text(action, info, self._lookup_affordances(), self._start),
            "action_valid": json_safe(info.get("action_valid")),
            "reward": float(reward),
            "terminated": bool(terminated),
            "truncated": bool(truncated),
            **observation_fields(obs, self._prompts),
            "info": json_safe(info),
        }
        self._steps += 1
        self._return += float(reward)
        self._success = bool(info.get("success", False))
        self._record_turn(record)
        if terminated or truncated:
            self._finish(complete=True)
        return obs, reward, terminated, truncated, info

    def close(self) -> None:
        self._finish(complete=False)
        super().close()
