"""What people look at: a GIF of the frames and a self-contained HTML transcript, both written as they come.

:class:`GifWriter` and :class:`HtmlWriter` take one frame or one log line at a time and
keep nothing but the frame before (the GIF stores only the part of a frame that
changed), so an episode of any length is written in bounded memory. Both write to
``<path>.part`` and move it into place on :meth:`close`; :meth:`abort` removes it.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
import shutil
import struct
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from agentic_gym.recording.log import shown_text

__all__ = ["GifWriter", "HtmlWriter", "palette_image", "png_data_url", "turn_html", "write_gif", "write_html"]

_FOLD_PROMPT_CHARS = 600


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


def png_data_url(frame: Any) -> str:
    """A ``data:image/png;base64,...`` URL of a frame: an RGB ``uint8`` array (kept exact) or a Pillow image.

    Example:
        >>> png_data_url(np.zeros((2, 2, 3), np.uint8)).startswith("data:image/png;base64,iVBOR")
        True
    """
    from PIL import Image

    image = frame if isinstance(frame, Image.Image) else Image.fromarray(np.ascontiguousarray(frame, dtype=np.uint8))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# ---------------------------------------------------------------------------------------
# GIF


def _color_table_size(packed: int) -> int:
    return 3 << ((packed & 7) + 1)


def _skip_sub_blocks(data: bytes, position: int) -> int:
    while data[position]:
        position += data[position] + 1
    return position + 1


def _image_block(image: Any, left: int, top: int) -> bytes:
    """A GIF image descriptor with a local colour table and LZW data, for a ``P`` image at (left, top)."""
    buffer = io.BytesIO()
    image.save(buffer, format="GIF")
    data = buffer.getvalue()
    # Pillow writes one whole GIF: the header, its colour table, extensions, then the image.
    packed = data[10]
    position = 13
    table = b""
    if packed & 0x80:
        table = data[position: position + _color_table_size(packed)]
        position += len(table)
    while data[position] == 0x21:  # extension blocks: label, then sub-blocks
        position = _skip_sub_blocks(data, position + 2)
    if data[position] != 0x2C:
        raise ValueError("unexpected GIF layout from Pillow")
    width, height = struct.unpack("<HH", data[position + 5: position + 9])
    local = data[position + 9]
    position += 10
    if local & 0x80:
        packed = local
        table = data[position: position + _color_table_size(local)]
        position += len(table)
    lzw = data[position: _skip_sub_blocks(data, position + 1)]
    flags = 0x80 | (local & 0x40) | (packed & 7)  # a local colour table; keep interlacing
    return b"\x2c" + struct.pack("<HHHHB", left, top, width, height, flags) + table + lzw


class _PartFile:
    """A file written under ``<path>.part`` and moved into place when complete."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._part = self.path.with_name(self.path.name + ".part")
        self._file: IO[Any] | None = None

    def abort(self) -> None:
        """Drop the unfinished file (nothing happens once it is complete)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._part.unlink(missing_ok=True)


class GifWriter(_PartFile):
    """A looping GIF written frame by frame.

    Each frame is reduced to 256 colours (:func:`palette_image`) and only the box that
    changed since the frame before is stored, with that frame's own colour table, so
    every decoded frame equals its palette image. A frame identical to the one before
    lengthens its display time instead (the GIF then decodes to fewer frames than
    were given; its duration is always ``frames / fps`` seconds, to GIF's 10 ms).
    """

    def __init__(self, path: str | os.PathLike[str], fps: float = 4):
        if not fps > 0:
            raise ValueError(f"fps must be positive, got {fps}")
        super().__init__(path)
        self._frame_ms = round(1000 / fps)
        self._previous: np.ndarray | None = None
        self._pending = b""
        self._pending_ms = 0
        #: Frames given so far.
        self.frames = 0

    def add(self, frame: Any) -> Any:
        """Append a frame (an RGB array or a Pillow image); returns its palette image."""
        image = palette_image(frame)
        rgb = np.ascontiguousarray(image.convert("RGB"))
        if self._file is None:
            height, width = rgb.shape[:2]
            self._file = open(self._part, "wb")  # noqa: SIM115 (open across frames)
            self._file.write(b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0))
            self._file.write(b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00")  # loop forever
            box = (0, 0, width, height)
        elif self._previous is None or rgb.shape != self._previous.shape:
            raise ValueError(f"every GIF frame must have the size of the first, got {rgb.shape[:2]}")
        else:
            # Rows of bytes: reducing along the last, contiguous axis is many times faster than over channels.
            height = rgb.shape[0]
            changed = rgb.reshape(height, -1) != self._previous.reshape(height, -1)
            rows = np.flatnonzero(changed.any(axis=1))
            if not len(rows):
                self._pending_ms += self._frame_ms
                self.frames += 1
                return image
            columns = np.flatnonzero(changed[rows[0]: rows[-1] + 1].any(axis=0)) // rgb.shape[2]
            box = (int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1)
        self._flush()
        self._pending = _image_block(image.crop(box), box[0], box[1])
        self._pending_ms = self._frame_ms
        self._previous = rgb
        self.frames += 1
        return image

    def _flush(self) -> None:
        if self._pending and self._file is not None:
            # Graphic control: keep the frame in place (disposal 1), delay in hundredths of a second.
            delay = min(self._pending_ms // 10, 0xFFFF)
            self._file.write(b"\x21\xf9\x04\x04" + struct.pack("<H", delay) + b"\x00\x00")
            self._file.write(self._pending)
            self._pending = b""

    def close(self) -> Path:
        """Finish the file and move it into place; raises ``ValueError`` when no frame was given."""
        if self._file is None:
            raise ValueError("a GIF needs at least one frame")
        self._flush()
        self._file.write(b"\x3b")
        self._file.close()
        self._file = None
        os.replace(self._part, self.path)
        return self.path


def write_gif(frames: Iterable[Any], path: str | os.PathLike[str], fps: float = 4) -> Path:
    """Write ``frames`` (``(H, W, 3)`` ``uint8`` arrays or Pillow images) as a looping GIF (see :class:`GifWriter`)."""
    writer = GifWriter(path, fps)
    try:
        for frame in frames:
            writer.add(frame)
        return writer.close()
    finally:
        writer.abort()


# ---------------------------------------------------------------------------------------
# HTML

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 60em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.05em; margin: 0 0 .4em; }
table.meta td { padding: .1em .8em .1em 0; vertical-align: top; }
section.turn { border-top: 1px solid #ccc; padding: .8em 0; display: flex; gap: 1em; }
section.turn .frame img { width: 18em; image-rendering: pixelated; border: 1px solid #999; }
div.end { border-top: 1px solid #ccc; padding: .8em 0; }
section.turn .body { flex: 1; min-width: 0; }
pre { white-space: pre-wrap; word-break: break-word; background: #f4f4f4; padding: .4em; margin: .2em 0; }
.message { margin: .3em 0; } .role { font-weight: bold; color: #555; }
.bad { color: #b00; } .good { color: #070; } .flags { color: #555; }
"""


def _pre(text: Any) -> str:
    value = text if isinstance(text, str) else json.dumps(text, indent=1)
    return f"<pre>{html.escape(value)}</pre>"


def _prompt_html(new: Sequence[Mapping[str, Any]], length: int) -> str:
    # Only the messages new in this prompt are printed: with the whole history in every
    # prompt the page would otherwise grow with the square of the episode length.
    earlier = length - len(new)
    parts = [f'<div class="flags">{earlier} messages from earlier turns</div>'] if earlier else []
    size = 0
    for message in new:
        text = shown_text(message.get("content", "")) if isinstance(message, Mapping) else str(message)
        role = message.get("role", "") if isinstance(message, Mapping) else ""
        size += len(text)
        parts.append(f'<div class="message"><span class="role">{html.escape(str(role))}</span>{_pre(text)}</div>')
    # Long prompts fold away so the turns stay readable; short ones stay open.
    state = "" if size > _FOLD_PROMPT_CHARS or len(new) > 2 else " open"
    return (
        f"<details{state}><summary>prompt: {length} messages, {len(new)} new ({size} characters)</summary>"
        + "".join(parts)
        + "</details>"
    )


def _seen_html(record: Mapping[str, Any], label: str) -> str:
    """What the agent was shown in ``record``: its new prompt messages, or its observation text."""
    if "prompt_ids" in record:
        length = sum(count for _, count in record["prompt_ids"])
        return f"<div><b>{label}</b></div>" + _prompt_html(record.get("messages") or [], length)
    return f"<div><b>{label}</b>{_pre(record.get('observation', ''))}</div>"


def turn_html(
    title: str, record: Mapping[str, Any], frame_url: str | None, seen: Mapping[str, Any] | None = None,
    tool_fault: bool = False,
) -> str:
    """One ``<section>`` of the transcript, in the order things happened.

    A step shows the prompt (or observation) the agent was given, from ``seen`` (the
    line before), then the reply it produced, the parsed command, the reward and flags,
    and the frame after the step; a ``tool_fault`` step is marked. The reset section
    shows the first frame and the reset's info.
    """
    body = [f"<h2>{html.escape(title)}</h2>"]
    recorded_info = record.get("info")
    info: Mapping[str, Any] = recorded_info if isinstance(recorded_info, Mapping) else {}
    if record.get("type") == "step":
        if seen is not None:
            body.append(_seen_html(seen, "prompt" if "prompt_ids" in seen else "observation"))
        valid = record.get("action_valid")
        command = record.get("command")
        body.append(f"<div><b>reply / action</b>{_pre(record.get('action'))}</div>")
        verdict = "" if valid is None else (' <span class="good">valid</span>' if valid else ' <span class="bad">invalid</span>')
        error = info.get("parse_error")
        fault = ' <span class="bad">tool fault: the tool failed this call (retry it)</span>' if tool_fault else ""
        body.append(
            f"<div><b>parsed command</b>: <code>{html.escape(str(command))}</code>{verdict}{fault}</div>"
            + (f'<div class="bad">{html.escape(str(error))}</div>' if error else "")
            + f'<div class="flags">reward {record.get("reward")} | terminated {record.get("terminated")}'
            f' | truncated {record.get("truncated")} | success {info.get("success")}</div>'
        )
    if info:
        body.append(f"<details><summary>info</summary>{_pre(json.dumps(info, indent=1))}</details>")
    frame = f'<div class="frame"><img alt="{html.escape(title)}" src="{frame_url}"></div>' if frame_url else ""
    return f'<section class="turn" id="turn-{record.get("step", 0)}">{frame}<div class="body">{"".join(body)}</div></section>'


class HtmlWriter(_PartFile):
    """A self-contained HTML transcript written turn by turn: one section per line, frames inline as PNG.

    Sections go to ``<path>.part`` as they come; :meth:`close` writes the page (title,
    the episode's settings and totals, then the sections). No external asset is referenced.
    """

    def __init__(self, path: str | os.PathLike[str]):
        super().__init__(path)
        # An LLM reply may hold lone surrogates, which UTF-8 cannot encode: they become "?".
        self._file = open(self._part, "w", encoding="utf-8", errors="replace")  # noqa: SIM115
        self._steps = 0
        self._return = 0.0
        self._success: Any = False
        self._seen: Mapping[str, Any] | None = None  # the line whose prompt the next reply answers
        self._tool_faults = 0

    def add(self, record: Mapping[str, Any], frame: Any = None) -> None:
        """Append the section of a header or step line, with its frame (a Pillow image or array) if any.

        Only the prompt (or observation) of the line is kept until the next line, whose
        section shows it before the reply it produced.
        """
        if self._file is None:
            raise ValueError("the HTML transcript is closed")
        info = record.get("info")
        info = info if isinstance(info, Mapping) else {}
        faults = info.get("tool_faults")
        tool_fault = isinstance(faults, int) and faults > self._tool_faults
        if isinstance(faults, int):
            self._tool_faults = faults
        if record.get("type") == "step":
            self._steps += 1
            self._return += float(record.get("reward", 0.0))
            self._success = info.get("success")
        title = f"step {record.get('step')}" if record.get("type") == "step" else "reset"
        url = png_data_url(frame) if frame is not None else None
        self._file.write(turn_html(title, record, url, self._seen, tool_fault) + "\n")
        self._seen = {k: record[k] for k in ("prompt_ids", "messages", "observation") if k in record}

    def close(self, header: Mapping[str, Any], end: Mapping[str, Any] | None = None) -> Path:
        """Write the page around the sections and move it into place."""
        if self._file is None:
            raise ValueError("the HTML transcript is closed")
        if self._seen is not None and self._steps:
            # What the last step led to: the final observation, which no reply answers.
            self._file.write(f'<div class="end">{_seen_html(self._seen, "final observation")}</div>\n')
        self._file.close()
        self._file = None
        meta = {
            "env": header.get("env_id"),
            "episode": header.get("episode"),
            "seed": header.get("seed"),
            "make kwargs": json.dumps(header.get("make_kwargs") or {}),
            "chat options": json.dumps(header.get("chat_options")) if header.get("chat_options") is not None else "-",
            "steps": self._steps,
            "return": round(self._return, 6),
            "success": (end or {}).get("success", self._success),
            "agentic-gym": header.get("agentic_gym_version"),
        }
        title = f"{header.get('env_id')} episode {header.get('episode')} (seed {header.get('seed')})"
        rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>" for k, v in meta.items())
        with open(self.path, "w", encoding="utf-8", errors="replace") as page, open(self._part, encoding="utf-8") as sections:
            page.write(
                '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>\n<body>"
                f'<h1>{html.escape(title)}</h1><table class="meta">{rows}</table>\n'
            )
            shutil.copyfileobj(sections, page)
            page.write("</body></html>\n")
        self._part.unlink()
        return self.path



def write_html(
    header: Mapping[str, Any],
    steps: Sequence[Mapping[str, Any]],
    frames: Sequence[Any] | None,
    path: str | os.PathLike[str],
    end: Mapping[str, Any] | None = None,
) -> Path:
    """Write the HTML transcript of a whole episode at once (see :class:`HtmlWriter`).

    ``frames`` is empty or holds ``len(steps) + 1`` frames (after reset, then after each step).
    """
    frames = list(frames or [])
    writer = HtmlWriter(path)
    try:
        for index, record in enumerate([header, *steps]):
            writer.add(record, frames[index] if index < len(frames) else None)
        return writer.close(header, end)
    finally:
        writer.abort()
