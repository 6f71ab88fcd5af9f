"""Record episodes as they happen: a JSONL log per episode, a GIF and an HTML transcript.

The JSONL file is the record of truth: one header line when the episode starts, one
line per step written, flushed and ``fsync``-ed before ``step`` returns (a crash or
``kill -9`` loses no completed step), and an ``end`` line when the episode ends. The
GIF and the HTML page are built from it at the end of the episode, and
``agentic-gym replay`` rebuilds both from the JSONL file alone.

Line types (every line is one JSON object with a ``type``):

``header``
    ``episode``, ``env_id``, ``make_kwargs``, ``max_episode_steps``, ``chat_options``
    (when recording an :func:`agentic_gym.chat` env, else ``null``), ``seed``,
    ``options``, ``wrappers``, ``agentic_gym_version``, ``gymnasium_version``, and the
    reset's ``observation`` (its text), ``prompt`` (the chat messages, when the
    observation is a message list), ``observation_digest`` and ``info``.
``step``
    ``step``, ``action`` (what was passed to ``step``: for a chat env the raw LLM
    reply, a string or an assistant message dict), ``command`` (the parsed command
    text, or ``null`` when the action could not be parsed), ``action_valid``,
    ``reward``, ``terminated``, ``truncated``, ``observation``, ``prompt``,
    ``observation_digest`` (a SHA-256 of the whole observation, arrays included) and
    ``info`` (made JSON-safe).
``end``
    ``steps``, ``return``, ``success`` and ``complete`` (False when the episode was
    cut short by ``reset`` or ``close`` before it ended).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import html
import io
import json
import math
import os
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from agentic_gym.core import InvalidAction, parse_command

FORMATS = ("jsonl", "gif", "html")
_MAX_SEED = 2**31 - 1
_MAX_ARRAY_ITEMS = 256
_FOLD_PROMPT_CHARS = 600


# ---------------------------------------------------------------------------------------
# JSON-safe values, observation text and digests (shared with agentic_gym.replay)


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


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return str(content)


def is_message_list(observation: Any) -> bool:
    """True when ``observation`` is a chat prompt: a list of ``{"role", "content"}`` dicts."""
    return (
        isinstance(observation, list | tuple)
        and bool(observation)
        and all(isinstance(m, Mapping) and "role" in m and "content" in m for m in observation)
    )


def observation_text(observation: Any) -> Any:
    """What the agent reads: ``obs["text"]``, the last chat message's text, or the JSON-safe value."""
    if isinstance(observation, Mapping) and isinstance(observation.get("text"), str):
        return observation["text"]
    if is_message_list(observation):
        return _content_text(observation[-1]["content"])
    if isinstance(observation, str):
        return observation
    return json_safe(observation)


def observation_fields(observation: Any) -> dict[str, Any]:
    """The ``observation``, ``prompt`` and ``observation_digest`` fields of a header or step line."""
    return {
        "observation": observation_text(observation),
        "prompt": json_safe(observation) if is_message_list(observation) else None,
        "observation_digest": observation_digest(observation),
    }


def command_text(
    action: Any, info: Mapping[str, Any], affordances: Sequence[Any] | None, start: int = 0
) -> str | None:
    """The canonical command an action stood for, or None when it could not be parsed.

    The language layer reports it as ``info["parsed_action"]``; otherwise a
    ``Discrete`` action ``i`` names ``affordances[i - start]`` and a string is parsed
    against the affordances.
    """
    if "parsed_action" in info:
        parsed = info["parsed_action"]
        return None if parsed is None else str(parsed)
    if not affordances:
        return None
    if isinstance(action, int | np.integer) and not isinstance(action, bool):
        index = int(action) - start
        return affordances[index].name if 0 <= index < len(affordances) else None
    if isinstance(action, str):
        try:
            return str(parse_command(action, affordances))
        except InvalidAction:
            return None
    return None


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
    layer = env
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
# Artefacts: GIF and HTML (shared with agentic_gym.replay)


def palette_image(frame: Any) -> Any:
    """A ``P``-mode Pillow image of an RGB frame (or the image itself if it already is one).

    Fast octree quantisation without dithering: frames with at most 256 colours (tiles)
    stay exact, antialiased text stays within a few levels, and it is several times
    cheaper than Pillow's default median cut, which made long episodes slow to write.
    The GIF and the HTML page share these images, so each frame is quantised once.
    """
    from PIL import Image

    if isinstance(frame, Image.Image) and frame.mode == "P":
        return frame
    image = frame if isinstance(frame, Image.Image) else Image.fromarray(np.asarray(frame, dtype=np.uint8))
    return image.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)


def write_gif(frames: Sequence[Any], path: str | os.PathLike, fps: float = 4) -> Path:
    """Write ``frames`` (``(H, W, 3)`` ``uint8`` arrays or :func:`palette_image` images) as a looping GIF.

    Pillow merges a frame identical to the one before it into a longer display
    time, so the GIF may decode to fewer frames than given; its total duration is
    always ``len(frames) / fps`` seconds.
    """
    if not frames:
        raise ValueError("write_gif needs at least one frame")
    images = [palette_image(frame) for frame in frames]
    path = Path(path)
    images[0].save(
        path, format="GIF", save_all=True, append_images=images[1:], duration=round(1000 / fps), loop=0
    )
    return path


def png_data_url(frame: Any) -> str:
    """A ``data:image/png;base64,...`` URL of a frame (for self-contained HTML)."""
    buffer = io.BytesIO()
    palette_image(frame).save(buffer, format="PNG", compress_level=6)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 60em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.05em; margin: 0 0 .4em; }
table.meta td { padding: .1em .8em .1em 0; vertical-align: top; }
section.turn { border-top: 1px solid #ccc; padding: .8em 0; display: flex; gap: 1em; }
section.turn .frame img { max-width: 22em; image-rendering: pixelated; border: 1px solid #999; }
section.turn .body { flex: 1; min-width: 0; }
pre { white-space: pre-wrap; word-break: break-word; background: #f4f4f4; padding: .4em; margin: .2em 0; }
.message { margin: .3em 0; } .role { font-weight: bold; color: #555; }
.bad { color: #b00; } .good { color: #070; } .flags { color: #555; }
"""


def _pre(text: Any) -> str:
    value = text if isinstance(text, str) else json.dumps(text, indent=1)
    return f"<pre>{html.escape(value)}</pre>"


def _prompt_html(prompt: Sequence[Mapping[str, Any]], previous: Sequence[Mapping[str, Any]] | None) -> str:
    # Messages repeated from the previous turn's prompt are counted, not printed again: with the
    # whole history in every prompt the page would grow with the square of the episode length.
    shared = 0
    if previous:
        while shared < min(len(prompt), len(previous)) and prompt[shared] == previous[shared]:
            shared += 1
    parts = [f'<div class="flags">{shared} earlier messages as in the previous turn</div>'] if shared else []
    size = 0
    for message in prompt[shared:]:
        text = _content_text(message.get("content", ""))
        size += len(text)
        parts.append(
            f'<div class="message"><span class="role">{html.escape(str(message.get("role", "")))}</span>'
            f"{_pre(text)}</div>"
        )
    new = len(prompt) - shared
    # Long prompts fold away so the turns stay readable; short ones stay open.
    state = "" if size > _FOLD_PROMPT_CHARS or new > 2 else " open"
    return (
        f"<details{state}><summary>prompt: {len(prompt)} messages, {new} new ({size} characters)</summary>"
        + "".join(parts)
        + "</details>"
    )


def _turn_html(
    title: str, record: Mapping[str, Any], frame_url: str | None, previous: Mapping[str, Any] | None = None
) -> str:
    body = [f"<h2>{html.escape(title)}</h2>"]
    if record.get("type") == "step":
        valid = record.get("action_valid")
        command = record.get("command")
        body.append(f"<div><b>reply / action</b>{_pre(record.get('action'))}</div>")
        verdict = "" if valid is None else (' <span class="good">valid</span>' if valid else ' <span class="bad">invalid</span>')
        info = record.get("info") or {}
        error = info.get("parse_error")
        body.append(
            f"<div><b>parsed command</b>: <code>{html.escape(str(command))}</code>{verdict}</div>"
            + (f'<div class="bad">{html.escape(str(error))}</div>' if error else "")
            + f'<div class="flags">reward {record.get("reward")} | terminated {record.get("terminated")}'
            f' | truncated {record.get("truncated")} | success {info.get("success")}</div>'
        )
    if record.get("prompt"):
        body.append(_prompt_html(record["prompt"], (previous or {}).get("prompt")))
    else:
        body.append(f"<div><b>observation</b>{_pre(record.get('observation', ''))}</div>")
    if record.get("info"):
        body.append(f"<details><summary>info</summary>{_pre(json.dumps(record['info'], indent=1))}</details>")
    frame = f'<div class="frame"><img alt="{html.escape(title)}" src="{frame_url}"></div>' if frame_url else ""
    return f'<section class="turn" id="turn-{record.get("step", 0)}">{frame}<div class="body">{"".join(body)}</div></section>'


def write_html(
    header: Mapping[str, Any],
    steps: Sequence[Mapping[str, Any]],
    frames: Sequence[Any] | None,
    path: str | os.PathLike,
    end: Mapping[str, Any] | None = None,
) -> Path:
    """Write a self-contained HTML transcript: one section per turn, frames inline as PNG.

    ``frames`` is empty or holds ``len(steps) + 1`` frames (after reset, then after
    each step), as arrays or :func:`palette_image` images. No external asset is referenced.
    """
    frames = list(frames or [])
    urls: list[str | None] = [png_data_url(f) for f in frames] if frames else [None] * (len(steps) + 1)
    urls += [None] * (len(steps) + 1 - len(urls))
    total = sum(float(s.get("reward", 0.0)) for s in steps)
    meta = {
        "env": header.get("env_id"),
        "episode": header.get("episode"),
        "seed": header.get("seed"),
        "make kwargs": json.dumps(header.get("make_kwargs") or {}),
        "chat options": json.dumps(header.get("chat_options")) if header.get("chat_options") is not None else "-",
        "steps": len(steps),
        "return": round(total, 6),
        "success": (end or {}).get("success", steps[-1].get("info", {}).get("success") if steps else False),
        "agentic-gym": header.get("agentic_gym_version"),
    }
    title = f"{header.get('env_id')} episode {header.get('episode')} (seed {header.get('seed')})"
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>" for k, v in meta.items())
    turns = [_turn_html("reset", header, urls[0])]
    records = [header, *steps]
    turns += [_turn_html(f"step {s.get('step')}", s, urls[i + 1], records[i]) for i, s in enumerate(steps)]
    document = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>\n<body>"
        f'<h1>{html.escape(title)}</h1><table class="meta">{rows}</table>\n'
        + "\n".join(turns)
        + "\n</body></html>\n"
    )
    path = Path(path)
    # An LLM reply may hold lone surrogates, which UTF-8 cannot encode: they become "?".
    path.write_text(document, encoding="utf-8", errors="replace")
    return path


# ---------------------------------------------------------------------------------------
# The wrapper


class RecordEpisode(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """Record every episode to ``directory``: JSONL as it happens, then a GIF and an HTML page.

    Episode ``i`` goes to ``{name_prefix}-{i:04d}.jsonl`` / ``.gif`` / ``.html``. The
    JSONL file (format described in this module's docstring) gets a header line at
    ``reset``, one line per ``step`` (flushed and ``fsync``-ed before ``step``
    returns, so ``kill -9`` loses no completed step) and an ``end`` line; the GIF and
    the HTML transcript are written when the episode terminates or is truncated, or
    when ``reset``/``close`` cuts it short.

    Like :class:`gymnasium.wrappers.RecordVideo`, frames come from ``env.render()``:
    the ``gif`` format needs ``render_mode="rgb_array"`` and raises ``ValueError``
    otherwise; without ``rgb_array`` the HTML transcript simply has no pictures.

    Every episode is recorded with a seed so that ``agentic-gym replay`` can
    re-simulate it: ``reset(seed=s)`` records ``s``; ``reset()`` draws a seed from
    the wrapper's own generator (itself seeded by the last explicit seed, or from
    the OS when none was given) and passes it to the env.

    Works on any env whose actions are JSON data (ints, strings, message dicts) and
    on :func:`agentic_gym.chat` envs, whose message-list observations are recorded
    as ``prompt`` and whose ``chat_options`` go into the header. Replay rebuilds the
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
        self._steps: list[dict[str, Any]] = []
        self._frames: list[tuple[tuple[int, ...], bytes]] = []
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

    def _capture_frame(self) -> None:
        if not self._capture:
            return
        frame = np.asarray(self.env.render(), dtype=np.uint8)
        # Compressed in memory: a long episode of raw 640x480 frames would take gigabytes.
        self._frames.append((frame.shape, zlib.compress(np.ascontiguousarray(frame).tobytes(), 1)))

    def frames(self) -> list[np.ndarray]:
        """The frames captured so far this episode (after reset, then after each step)."""
        return [np.frombuffer(zlib.decompress(data), dtype=np.uint8).reshape(shape) for shape, data in self._frames]

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
        steps = self._steps
        end = {
            "type": "end",
            "episode": self._episode,
            "steps": len(steps),
            "return": float(sum(s["reward"] for s in steps)),
            "success": bool(steps[-1]["info"].get("success", False)) if steps else False,
            "complete": complete,
        }
        self._write(end)
        paths: dict[str, Path] = {}
        if self._file is not None:
            self._file.close()
            self._file = None
            paths["jsonl"] = self._path("jsonl")
        images = [palette_image(frame) for frame in self.frames()]
        if "gif" in self.formats and images:
            paths["gif"] = write_gif(images, self._path("gif"), self.fps)
        if "html" in self.formats:
            paths["html"] = write_html(self._header or {}, steps, images, self._path("html"), end)
        self.recorded.append(paths)
        self._frames = []

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
        self._steps = []
        self._frames = []
        self._active = self.episode_trigger is None or bool(self.episode_trigger(self._episode))
        if not self._active:
            return obs, info
        if "jsonl" in self.formats:
            self._file = open(self._path("jsonl"), "w", encoding="utf-8")  # noqa: SIM115 (open across steps)
        from agentic_gym import __version__

        self._header = {
            "type": "header",
            "format": 1,
            "episode": self._episode,
            **describe_env(self.env),
            "seed": int(seed),
            "options": json_safe(options),
            "render_mode": self.env.render_mode,
            "agentic_gym_version": __version__,
            "gymnasium_version": gym.__version__,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            **observation_fields(obs),
            "info": json_safe(info),
        }
        self._write(self._header)
        self._capture_frame()
        return obs, info

    def step(self, action: Any) -> tuple[Any, Any, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        if not self._active:
            return obs, reward, terminated, truncated, info
        record = {
            "type": "step",
            "episode": self._episode,
            "step": len(self._steps) + 1,
            "action": json_safe(action),
            "command": command_text(action, info, self._lookup_affordances(), self._start),
            "action_valid": json_safe(info.get("action_valid")),
            "reward": float(reward),
            "terminated": bool(terminated),
            "truncated": bool(truncated),
            **observation_fields(obs),
            "info": json_safe(info),
        }
        self._steps.append(record)
        self._write(record)
        self._capture_frame()
        if terminated or truncated:
            self._finish(complete=True)
        return obs, reward, terminated, truncated, info

    def close(self) -> None:
        self._finish(complete=False)
        super().close()
