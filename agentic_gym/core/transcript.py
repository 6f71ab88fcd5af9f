"""A terminal-like transcript panel: how text and tool environments are drawn.

Entries are ``(role, text)`` pairs; ``role`` is ``"env"`` (what the environment
said), ``"agent"`` (the agent's command, drawn in another colour and prefixed with
``> ``) or ``"note"`` (dim status lines). The panel word-wraps, keeps the latest
entry at the bottom and has a fixed size, so frames make videos. pygame is imported
and the font loaded on the first frame only; rendered lines are cached, so a frame
costs a few dozen blits.

Example:
    >>> panel = TranscriptPanel(width=320, height=200, title="Demo")
    >>> print(panel.ansi([("env", "You are in a hall."), ("agent", "go north")]))
    == Demo ==
    You are in a hall.
    > go north
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

BACKGROUND = (16, 18, 24)
TITLE_BAR = (40, 44, 60)
COLOURS = {
    "env": (220, 220, 220),
    "agent": (120, 220, 120),
    "note": (140, 150, 170),
    "title": (250, 250, 250),
}
_MAX_CACHED_LINES = 2048


def wrap(text: str, width: int) -> list[str]:
    """Word-wrap ``text`` to ``width`` characters, keeping its line breaks."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph:
            lines.append("")
            continue
        while len(paragraph) > width:
            cut = paragraph.rfind(" ", 0, width + 1)
            if cut <= 0:
                cut = width
            lines.append(paragraph[:cut].rstrip())
            paragraph = paragraph[cut:].lstrip(" ")
        lines.append(paragraph)
    return lines


class TranscriptPanel:
    """Draws a transcript of ``(role, text)`` entries into fixed-size RGB frames."""

    def __init__(self, width: int = 640, height: int = 480, font_size: int = 15, title: str = ""):
        self.width = width
        self.height = height
        self.font_size = font_size
        self.title = title
        self._font: Any = None
        self._line_height = 0
        self._columns = 0
        self._lines: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._surface: Any = None
        self._title_surface: Any = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.update(_font=None, _lines=OrderedDict(), _surface=None, _title_surface=None)
        return state

    def _load(self) -> None:
        import pygame

        if not pygame.font.get_init():
            pygame.font.init()
        # pygame's bundled font; its advance is measured so wrapping fits the panel.
        self._font = pygame.font.Font(None, self.font_size + 4)
        self._line_height = self._font.get_linesize()
        advance = max(self._font.size("M")[0], 1)
        self._columns = max((self.width - 16) // advance, 8)
        self._surface = pygame.Surface((self.width, self.height))
        self._title_surface = self._font.render(self.title, True, COLOURS["title"], TITLE_BAR)

    def _line(self, role: str, text: str) -> Any:
        key = (role, text)
        surface = self._lines.get(key)
        if surface is None:
            surface = self._font.render(text, True, COLOURS.get(role, COLOURS["env"]), BACKGROUND)
            self._lines[key] = surface
            if len(self._lines) > _MAX_CACHED_LINES:
                self._lines.popitem(last=False)
        else:
            self._lines.move_to_end(key)
        return surface

    def layout(self, entries: Sequence[tuple[str, str]], columns: int) -> list[tuple[str, str]]:
        """The wrapped ``(role, line)`` rows of ``entries``, oldest first."""
        rows: list[tuple[str, str]] = []
        for role, text in entries:
            if role == "agent":
                text = "> " + text
            rows.extend((role, line) for line in wrap(text, columns))
        return rows

    def frame(self, entries: Sequence[tuple[str, str]]) -> np.ndarray:
        """An ``(height, width, 3)`` ``uint8`` frame with the latest entry at the bottom."""
        import pygame

        if self._font is None:
            self._load()
        surface = self._surface
        surface.fill(BACKGROUND)
        top = 0
        if self.title:
            top = self._line_height + 6
            surface.fill(TITLE_BAR, (0, 0, self.width, top))
            surface.blit(self._title_surface, (8, 3))
        capacity = max((self.height - top - 8) // self._line_height, 1)
        rows: list[tuple[str, str]] = []
        # Lay out from the newest entry backwards, stopping once the panel is full.
        for role, text in reversed(entries):
            rows[:0] = self.layout([(role, text)], self._columns)
            if len(rows) >= capacity:
                break
        rows = rows[-capacity:]
        y = self.height - 6 - len(rows) * self._line_height
        for role, line in rows:
            if line:
                surface.blit(self._line(role, line), (8, y))
            y += self._line_height
        return pygame.surfarray.array3d(surface).transpose(1, 0, 2).copy()

    def ansi(self, entries: Sequence[tuple[str, str]], columns: int = 80) -> str:
        """The transcript as plain text (the ``ansi`` render mode)."""
        rows = self.layout(entries, columns)
        head = [f"== {self.title} =="] if self.title else []
        return "\n".join(head + [line for _, line in rows])
