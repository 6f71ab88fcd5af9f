"""The episode log: JSON-safe values, chat prompts as deltas, and reading a log back.

A chat prompt repeats the whole conversation every turn; written whole on every line
a log would grow with the square of the episode's length. Each line therefore holds
only the messages that are new since the line before (``messages``) and the prompt as
runs of message ids (``prompt_ids``: ``[[first, count], ...]``), where message ``i`` is
the ``i``-th message logged in the episode. :class:`PromptEncoder` writes that form
and :class:`PromptDecoder` rebuilds the prompts from it.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from agentic_gym.core import message_text

#: The log format this version writes; :func:`load_episode` also reads format 1 (whole prompts).
LOG_FORMAT = 2

_MAX_ARRAY_ITEMS = 256


class RecordingError(RuntimeError):
    """A recorded episode cannot be read (or, in replay, its env cannot be rebuilt)."""


# ---------------------------------------------------------------------------------------
# JSON-safe values, observation text and digests


def json_safe(value: Any) -> Any:
    """``value`` as plain JSON data: numpy scalars to Python, tuples to lists, keys to strings.

    Small arrays become lists, large ones a ``{"ndarray": shape, "dtype", "sha256"}``
    summary; inline ``data:`` image URLs become their SHA-256 (a frame per prompt
    would bloat every line); non-finite floats and unknown objects become strings.

    Example:
        >>> json_safe({"n": np.int64(3), "pos": (1, 2), 4: np.float32(0.5)})
        {'n': 3, 'pos': [1, 2], '4': 0.5}
    """
    if value is None or isinstance(value, bool | str):
        if isinstance(value, str) and value.startswith("data:") and len(value) > 256:
            digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
            return f"{value[: value.find(',') + 1][:64]}sha256={digest}"
        return value
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else str(number)
    if isinstance(value, np.ndarray):
        if value.size <= _MAX_ARRAY_ITEMS:
            return json_safe(value.tolist())
        digest = hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()
        return {"ndarray": list(value.shape), "dtype": str(value.dtype), "sha256": digest}
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [json_safe(v) for v in items]
    return str(value)


def canonical(value: Any) -> Any:
    """The JSON round trip of :func:`json_safe` (what a line read back from disk holds)."""
    return json.loads(json.dumps(json_safe(value)))


def _digest_update(hasher: Any, value: Any) -> None:
    if isinstance(value, np.ndarray):
        hasher.update(f"a{value.dtype.str}{value.shape}".encode())
        hasher.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, Mapping):
        hasher.update(f"d{len(value)}".encode())
        for key in sorted(value, key=str):
            _digest_update(hasher, str(key))
            _digest_update(hasher, value[key])
    elif isinstance(value, list | tuple):
        hasher.update(f"l{len(value)}".encode())
        for item in value:
            _digest_update(hasher, item)
    else:
        text = json.dumps(json_safe(value))
        hasher.update(f"s{len(text)}:{text}".encode("utf-8", "surrogatepass"))


def observation_digest(observation: Any) -> str:
    """A SHA-256 of the whole observation (arrays by dtype, shape and bytes), for replay checks."""
    hasher = hashlib.sha256()
    _digest_update(hasher, observation)
    return hasher.hexdigest()


def shown_text(content: Any) -> str:
    """A message's content as a recording shows it: its text (:func:`~agentic_gym.core.message_text`),
    or ``str(content)`` when it is not text."""
    text = message_text(content)
    return text if text is not None else str(content)


def _is_message(message: Any) -> bool:
    # dict first: the abstract Mapping check is several times slower and prompts are long.
    return (type(message) is dict or isinstance(message, Mapping)) and "role" in message and "content" in message


def is_message_list(observation: Any) -> bool:
    """True when ``observation`` is a chat prompt: a list of ``{"role", "content"}`` dicts."""
    return isinstance(observation, list | tuple) and bool(observation) and all(map(_is_message, observation))


def observation_text(observation: Any) -> Any:
    """What the agent reads: ``obs["text"]``, the last chat message's text, or the JSON-safe value."""
    if isinstance(observation, Mapping) and isinstance(observation.get("text"), str):
        return observation["text"]
    if is_message_list(observation):
        return shown_text(observation[-1]["content"])
    if isinstance(observation, str):
        return observation
    return json_safe(observation)


def observation_fields(observation: Any, prompts: PromptEncoder | None = None) -> dict[str, Any]:
    """The observation fields of a header or step line.

    Always ``observation`` (the text the agent reads). A chat prompt adds ``messages``
    and ``prompt_ids`` from ``prompts`` (the episode's encoder; a fresh one when None);
    any other observation adds ``observation_digest``, a SHA-256 of all of it.
    """
    if not is_message_list(observation):
        return {"observation": observation_text(observation), "observation_digest": observation_digest(observation)}
    fields: dict[str, Any] = {"observation": shown_text(observation[-1]["content"])}
    encoder = prompts if prompts is not None else PromptEncoder()
    fields["messages"], fields["prompt_ids"] = encoder.encode(observation)
    return fields


def describe_env(env: gym.Env) -> dict[str, Any]:
    """The header fields that let a fresh process rebuild ``env``: id, kwargs, chat options, wrappers."""
    spec = env.spec
    env_id = spec.id if isinstance(spec, gym.envs.registration.EnvSpec) else (spec if isinstance(spec, str) else None)
    kwargs = dict(spec.kwargs) if isinstance(spec, gym.envs.registration.EnvSpec) else {}
    kwargs.pop("render_mode", None)
    try:
        chat_options = env.get_wrapper_attr("chat_options")
    except AttributeError:
        chat_options = None
    if chat_options is not None:
        # A chat env's spec kwargs hold the base id and the chat options too: keep the env's own.
        kwargs = {k: v for k, v in kwargs.items() if k != "env" and k not in chat_options}
    wrappers = []
    layer: Any = env
    while isinstance(layer, gym.Wrapper):
        wrappers.append(type(layer).__name__)
        layer = layer.env
    return {
        "env_id": env_id,
        "make_kwargs": json_safe(kwargs),
        "max_episode_steps": getattr(spec, "max_episode_steps", None),
        "chat_options": json_safe(dict(chat_options)) if chat_options is not None else None,
        "wrappers": wrappers,
    }


# ---------------------------------------------------------------------------------------
# Chat prompts as deltas


def _snapshot(value: Any) -> Any:
    # A copy of the containers that shares the leaves: comparing it with the original is
    # cheap (identical strings compare by identity) and still notices a change in place.
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snapshot(v) for v in value]
    return value


@dataclass
class _Seen:
    message: Any
    snapshot: Any
    key: str


def _runs(ids: Sequence[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for i in ids:
        if runs and runs[-1][0] + runs[-1][1] == i:
            runs[-1][1] += 1
        else:
            runs.append([i, 1])
    return runs


def expand_runs(runs: Sequence[Sequence[int]]) -> Iterator[int]:
    """The message ids of a ``prompt_ids`` field, in prompt order."""
    for first, count in runs:
        yield from range(first, first + count)


class PromptEncoder:
    """Turns an episode's successive prompts into new messages plus runs of message ids.

    The ids depend only on the messages' JSON-safe content, so a replay that produces
    the same prompts produces the same encoding. Messages are matched to the previous
    prompt in order (each to the first equal message after the one matched before it),
    so a prompt that keeps the previous one and appends to it, or drops its oldest turns,
    stays a few runs; a message matched nowhere is new and logged. The message objects
    are only used to skip re-serialising a message that was seen and has not changed.
    Memory holds the previous prompt only.

    Example:
        >>> encoder = PromptEncoder()
        >>> system, first = {"role": "system", "content": "Go."}, {"role": "user", "content": "A hall."}
        >>> encoder.encode([system, first])
        ([{'role': 'system', 'content': 'Go.'}, {'role': 'user', 'content': 'A hall.'}], [[0, 2]])
        >>> encoder.encode([system, first, {"role": "assistant", "content": "look"}])
        ([{'role': 'assistant', 'content': 'look'}], [[0, 3]])
    """

    def __init__(self) -> None:
        self._count = 0
        self._seen: dict[int, _Seen] = {}
        self._ids: list[int] = []
        self._positions: dict[str, list[int]] = {}

    def _key(self, message: Any, seen: dict[int, _Seen]) -> tuple[str, Any]:
        known = self._seen.get(id(message))
        if known is not None and known.message is message and known.snapshot == message:
            seen[id(message)] = known
            return known.key, None
        safe = json_safe(message)
        key = json.dumps(safe, sort_keys=True)
        seen[id(message)] = _Seen(message, _snapshot(message), key)
        return key, safe

    def encode(self, prompt: Sequence[Any]) -> tuple[list[Any], list[list[int]]]:
        """The messages of ``prompt`` not matched in the previous prompt, and its ``prompt_ids`` runs."""
        seen: dict[int, _Seen] = {}
        positions: dict[str, list[int]] = {}
        new: list[Any] = []
        ids: list[int] = []
        after = 0  # matches in the previous prompt come in order: the next one is at or after this
        for position, message in enumerate(prompt):
            key, safe = self._key(message, seen)
            candidates = self._positions.get(key, ())
            index = bisect.bisect_left(candidates, after)
            if index < len(candidates):
                chosen = self._ids[candidates[index]]
                after = candidates[index] + 1
            else:
                chosen = self._count
                self._count += 1
                new.append(json_safe(message) if safe is None else safe)
            ids.append(chosen)
            positions.setdefault(key, []).append(position)
        self._seen, self._ids, self._positions = seen, ids, positions
        return new, _runs(ids)


class PromptDecoder:
    """Rebuilds the prompts of a log from its ``messages`` and ``prompt_ids`` fields, line by line.

    Example:
        >>> decoder = PromptDecoder()
        >>> decoder.add({"messages": [{"role": "system", "content": "Go."}], "prompt_ids": [[0, 1]]})
        [{'role': 'system', 'content': 'Go.'}]
    """

    def __init__(self) -> None:
        self.messages: list[Any] = []

    def add(self, line: Mapping[str, Any]) -> list[Any]:
        """Take in a line's new messages and return its whole prompt."""
        new = line.get("messages") or []
        if not isinstance(new, list):
            raise RecordingError(f"line {line.get('type')} {line.get('step', '')}: messages is not a list")
        self.messages.extend(new)
        try:
            return [self.messages[i] for i in expand_runs(line.get("prompt_ids") or ())]
        except (IndexError, TypeError, ValueError):
            raise RecordingError(f"line {line.get('type')} {line.get('step', '')}: prompt_ids name messages "
                                 "that were never logged") from None


# ---------------------------------------------------------------------------------------
# Reading a log


@dataclass
class Episode:
    """One recorded episode: its header line, its step lines and its end line (None if cut off).

    Lines are as written (format 2: prompts as ``messages`` and ``prompt_ids``); a format 1
    file's whole ``prompt`` fields are converted to that form on reading.
    """

    header: dict[str, Any]
    steps: list[dict[str, Any]]
    end: dict[str, Any] | None = None
    path: Path | None = None

    def prompts(self) -> Iterator[list[Any]]:
        """The chat prompt of the header and of every step, rebuilt one at a time (empty lists when not chat)."""
        decoder = PromptDecoder()
        for line in (self.header, *self.steps):
            yield decoder.add(line) if "prompt_ids" in line else []


def _upgrade_prompts(lines: Sequence[dict[str, Any]]) -> None:
    # Format 1 wrote the whole prompt on every line; re-encode it as deltas.
    encoder = PromptEncoder()
    for line in lines:
        prompt = line.pop("prompt", None)
        if isinstance(prompt, list):
            line["messages"], line["prompt_ids"] = encoder.encode(prompt)
            line.pop("observation_digest", None)


def load_episode(path: str | os.PathLike[str]) -> Episode:
    """Read the first episode of a RecordEpisode JSONL file.

    A last line torn by a crash (no newline, not valid JSON) is ignored, as is
    anything after the episode's ``end`` line. Raises :class:`RecordingError` for a
    file that cannot be read or does not start with a header.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RecordingError(f"cannot read {path}: {error.strerror or error}") from None
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
            raise RecordingError(f"{path}:{number}: not a JSON line") from None
    if not records or not isinstance(records[0], dict) or records[0].get("type") != "header":
        raise RecordingError(f"{path}: the first line is not a RecordEpisode header")
    header = records[0]
    for key in ("env_id", "seed"):
        if header.get(key) is None:
            raise RecordingError(f"{path}: the header has no {key!r}; this episode cannot be re-simulated")
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
    if header.get("format", 1) < 2:
        _upgrade_prompts([header, *steps])
    return Episode(header=header, steps=steps, end=end, path=path)
