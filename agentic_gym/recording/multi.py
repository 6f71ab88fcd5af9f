"""Recording a multi-agent episode: one JSONL log with every seat's turns, and its GIF and HTML.

The log has the lines of a single-agent log (:mod:`agentic_gym.recording`) with these
differences, so :func:`~agentic_gym.recording.load_episode` reads it as it is:

``header``
    adds ``multi_agent`` (True), ``seats`` (seat -> the label of the agent playing it)
    and ``chat_options`` (the :func:`agentic_gym.chat_multi` options, or ``null`` for the
    native AEC env); ``env_id`` is a variant id such as ``Negotiation-2p-v0``.
``step``
    one line per call of the env's ``step``, in order, dead agents' ``None`` steps
    included: ``agent`` (the seat that acted), its ``action``, ``command``,
    ``action_valid``, the observation fields of what that seat saw before acting
    (chat prompts as deltas per seat), ``rewards`` (what every seat received from this
    step), ``reward`` (their sum), ``terminations`` and
    ``truncations`` (per seat, after the step), ``terminated``/``truncated`` (any seat)
    and the acting seat's ``info``.
``end``
    ``steps``, ``returns`` (per seat), ``return`` (the sum), ``success`` and ``complete``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from agentic_gym.recording.artefacts import GifWriter, HtmlWriter, palette_image
from agentic_gym.recording.log import LOG_FORMAT, PromptEncoder, json_safe, observation_fields

__all__ = ["MultiEpisodeRecorder", "seat_html_record"]


def seat_html_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A step line as the HTML transcript shows it: the acting seat named before its command."""
    shown = dict(record)
    if record.get("type") == "step":
        shown["command"] = f"{record.get('agent')}: {record.get('command')}"
    return shown


class MultiEpisodeRecorder:
    """Writes one multi-agent episode as ``<name>.jsonl``, ``<name>.gif`` and ``<name>.html``.

    Every line is written as it happens; the GIF and HTML take their names at
    :meth:`end`. Frames come from ``env.render()`` (the env must render ``rgb_array``).

    Args:
        directory: where the files go (created if needed).
        name: the files' stem.
        env: the AEC env or :func:`agentic_gym.chat_multi` env being played.
        env_id: its variant id.
        make_kwargs: the constructor arguments beside the variant (``max_cycles``, ...).
        chat_options: the chat options when ``env`` is a chat env, else None.
        episode: the episode's number in its run (written in the header).
    """

    def __init__(self, directory: str | os.PathLike[str], name: str, env: Any, env_id: str,
                 make_kwargs: Mapping[str, Any], chat_options: Mapping[str, Any] | None, episode: int = 0):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.env = env
        self.env_id = env_id
        self.episode = episode
        self.make_kwargs = dict(make_kwargs)
        self.chat_options = None if chat_options is None else dict(chat_options)
        self.path = self.directory / f"{name}.jsonl"
        self.path.write_text("", encoding="utf-8")
        fps = float(env.unwrapped.metadata.get("render_fps") or 4)
        self._gif = GifWriter(self.directory / f"{name}.gif", fps)
        self._html = HtmlWriter(self.directory / f"{name}.html")
        self._prompts: dict[str, PromptEncoder] = {}
        self._header: dict[str, Any] = {}
        self._steps = 0
        self._closed = False

    def _write(self, line: dict[str, Any]) -> None:
        # Opened per line, so a crash mid-episode leaves every finished line on disk.
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(json_safe(line)) + "\n")

    def _frame(self, record: Mapping[str, Any]) -> None:
        image = palette_image(np.asarray(self.env.render(), dtype=np.uint8))
        self._gif.add(image)
        self._html.add(seat_html_record(record), image)

    def observation(self, seat: str, observation: Any) -> dict[str, Any]:
        """The observation fields of what ``seat`` sees (its chat prompt encoded against its own last one)."""
        encoder = self._prompts.setdefault(seat, PromptEncoder())
        return observation_fields(observation, encoder)

    def header(self, seed: int, seats: Mapping[str, str], options: Any = None) -> None:
        """Write the header line (call right after ``env.reset``)."""
        from importlib import metadata

        import gymnasium

        try:
            version = metadata.version("agentic-gym")
        except metadata.PackageNotFoundError:
            version = None
        self._header = {
            "type": "header", "format": LOG_FORMAT, "multi_agent": True, "episode": self.episode,
            "env_id": self.env_id, "make_kwargs": self.make_kwargs, "max_episode_steps": None,
            "chat_options": self.chat_options, "seed": int(seed), "options": options, "seats": dict(seats),
            "wrappers": [], "render_mode": "rgb_array", "agentic_gym_version": version,
            "gymnasium_version": gymnasium.__version__, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        self._write(self._header)
        self._frame(self._header)

    def step(self, seat: str, action: Any, command: str | None, valid: bool, seen: Mapping[str, Any],
             rewards: Mapping[str, float], terminations: Mapping[str, bool], truncations: Mapping[str, bool],
             info: Mapping[str, Any]) -> None:
        """Write one step line (``seen``: the observation fields of what ``seat`` saw before acting)."""
        self._steps += 1
        line = {
            "type": "step", "step": self._steps, "agent": seat, "action": action, "command": command,
            "action_valid": bool(valid), **seen, "rewards": dict(rewards), "reward": float(sum(rewards.values())),
            "terminations": dict(terminations), "truncations": dict(truncations),
            "terminated": any(terminations.values()), "truncated": any(truncations.values()), "info": dict(info),
        }
        line = json_safe(line)
        self._write(line)
        self._frame(line)

    def end(self, returns: Mapping[str, float], success: bool) -> Path:
        """Write the end line and give the GIF and HTML their names; returns the JSONL path."""
        end = {"type": "end", "steps": self._steps, "returns": dict(returns), "return": float(sum(returns.values())),
               "success": bool(success), "complete": True}
        self._write(end)
        self._gif.close()
        self._html.close(self._header, json_safe(end))
        self._closed = True
        return self.path

    def abort(self) -> None:
        """Drop the unfinished GIF and HTML (after an error mid-episode); the log keeps its lines."""
        if self._closed:
            return
        self._gif.abort()
        self._html.abort()
        self._closed = True
