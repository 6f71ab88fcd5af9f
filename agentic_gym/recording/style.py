"""How an env's recordings look: frame rate, a caption under grid frames, pictures in the HTML page.

Text envs draw a transcript panel: a GIF of it is read, so it runs at about one frame
per second, and the HTML page already holds the same text, so it leaves the pictures
out (a thumbnail of text is unreadable). Grid envs draw tiles: their GIF runs at four
frames per second, and each frame carries a caption line naming the step, the action
and the reward, since the picture alone does not say what was done.
:class:`~agentic_gym.wrappers.RecordEpisode` and :func:`agentic_gym.replay.replay`
both decorate frames through :func:`frame_style`, so a replay rebuilds the same GIF.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CAPTION_HEIGHT", "GRID_FPS", "TEXT_FPS", "FrameStyle", "caption_text", "frame_style"]

#: Frames per second of recordings of text and tool envs.
TEXT_FPS = 1.0
#: Frames per second of recordings of grid envs.
GRID_FPS = 4.0
#: Height in pixels of the caption strip under a grid frame.
CAPTION_HEIGHT = 18
_CAPTION_BACKGROUND = (24, 24, 24)
_CAPTION_COLOUR = (235, 235, 235)


def caption_text(record: Mapping[str, Any]) -> str:
    """The caption of a log line: ``reset (seed 3)`` or ``step 4: forward, reward 0``.

    Example:
        >>> caption_text({"type": "step", "step": 4, "command": "forward", "reward": 0.0, "action_valid": True})
        'step 4: forward, reward 0'
        >>> caption_text({"type": "step", "step": 5, "command": None, "action": 9, "reward": 0.0,
        ...               "action_valid": False, "info": {"success": False}})
        'step 5: 9 (invalid), reward 0'
        >>> caption_text({"type": "step", "step": 1, "command": None, "action": "Hm.\\nAction: up", "reward": 0})
        'step 1: Hm. Action: up, reward 0'
    """
    if record.get("type") != "step":
        return f"reset (seed {record.get('seed')})"
    command = record.get("command")
    action = str(command) if command is not None else str(record.get("action"))
    action = " ".join(action.split())  # one line, whatever the reply held
    if record.get("action_valid") is False:
        action += " (invalid)"
    text = f"step {record.get('step')}: {action[:40]}, reward {float(record.get('reward', 0.0)):g}"
    info = record.get("info")
    if isinstance(info, Mapping) and info.get("success") and (record.get("terminated") or record.get("truncated")):
        text += " - solved"
    return text


def _font(size: int) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType: its fixed bitmap font
        return ImageFont.load_default()


_FONTS: dict[int, Any] = {}


@dataclass(frozen=True)
class FrameStyle:
    """The look of one env's recordings (see the module docstring)."""

    fps: float
    caption: bool
    html_frames: bool

    def decorate(self, frame: Any, record: Mapping[str, Any]) -> np.ndarray:
        """The frame as recorded: with its caption strip below when the style has captions."""
        pixels = np.asarray(frame, dtype=np.uint8)
        if not self.caption or pixels.ndim != 3:
            return pixels
        from PIL import Image, ImageDraw

        height, width = pixels.shape[:2]
        strip = Image.new("RGB", (width, CAPTION_HEIGHT), _CAPTION_BACKGROUND)
        draw = ImageDraw.Draw(strip)
        font = _FONTS.setdefault(12, _font(12))
        text = caption_text(record)
        while text and draw.textlength(text, font=font) > width - 8:
            text = text[:-2] + "~"  # clipped to the frame's width, marked
        draw.text((4, CAPTION_HEIGHT // 2), text, fill=_CAPTION_COLOUR, font=font, anchor="lm")
        return np.concatenate([pixels[..., :3], np.asarray(strip, dtype=np.uint8)], axis=0)


def _is_grid(env: Any) -> bool:
    from gymnasium import spaces

    base = env.unwrapped
    base = getattr(base, "base_env", base)  # a chat env records the env it wraps
    space = getattr(base.unwrapped, "observation_space", None) if base is not None else None
    return isinstance(space, spaces.Dict) and "image" in space.spaces


def frame_style(env: Any, fps: float | None = None) -> FrameStyle:
    """The recording style of ``env`` (a grid env by its ``"image"`` observation), ``fps`` overriding its rate."""
    grid = _is_grid(env)
    chosen = fps if fps is not None else (GRID_FPS if grid else TEXT_FPS)
    return FrameStyle(fps=float(chosen), caption=grid, html_frames=grid)
