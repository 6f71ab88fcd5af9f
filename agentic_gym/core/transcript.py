"""A terminal-like transcript panel: how text and tool environments are drawn.

Entries are ``(role, text)`` pairs; ``role`` is ``"env"`` (what the environment
said), ``"agent"`` (the agent's command, drawn in another colour and prefixed with
``> ``) or ``"note"`` (dim status lines). The panel word-wraps to its pixel width,
keeps the latest entry at the bottom and has a fixed size, so frames make videos.

pygame is imported and the font loaded on the first frame only. Each wrapped
entry and each rendered line is cached as a numpy array, so a frame is a copy of
the background plus a few dozen array slices: no glyph is drawn twice and no
pygame surface is converted per frame.

Example:
    >>> panel = TranscriptPanel(width=320, height=200, title="Demo")
    >>> print(panel.ansi([("env", "You are in a hall."), ("agent", "go north")]))
    == Demo ==
    You are in a hall.
    > go north
    >>> frame = panel.frame([("env", "You are in a hall."), ("agent", "go north")])
    >>> frame.shape, frame.dtype.name
    ((200, 320, 3), 'uint8')
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from agentic_gym.core.text import sanitize

BACKGROUND = (16, 18, 24)
TITLE_BAR = (40, 44, 60)
COLOURS = {
    "env": (220, 220, 220),
    "agent": (120, 220, 120),
    "note": (140, 150, 170),
    "title": (250, 250, 250),
}
_MARGIN = 8
_MAX_CACHED_LINES = 2048
_MAX_CACHED_ENTRIES = 1024
_MAX_CACHED_WORDS = 8192
# Far more characters than any panel shows: only an entry's tail is wrapped, so a huge echo
# costs the same as a long one.
_MAX_ENTRY_CHARS = 20_000


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


def _surface_to_array(surface: Any) -> np.ndarray:
    """An ``(h, w, 3)`` ``uint8`` copy of a pygame surface (``tobytes`` is far cheaper than surfarray)."""
    import pygame

    width, height = surface.get_size()
    data = pygame.image.tobytes(surface, "RGB")
    return np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3)


def _put(canvas: np.ndarray, pixels: np.ndarray, x: int, y: int) -> None:
    """Copy ``pixels`` into ``canvas`` at ``(x, y)``, clipped to the canvas."""
    height, width = canvas.shape[:2]
    top, left = max(y, 0), max(x, 0)
    bottom = min(y + pixels.shape[0], height)
    right = min(x + pixels.shape[1], width)
    if bottom > top and right > left:
        canvas[top:bottom, left:right] = pixels[top - y : bottom - y, left - x : right - x]


class _LRU(OrderedDict):
    """A small least-recently-used cache."""

    def __init__(self, capacity: int):
        super().__init__()
        self.capacity = capacity

    def __reduce__(self) -> tuple:
        # A cache pickles and copies empty (OrderedDict's own reduce would call cls() without capacity).
        return (type(self), (self.capacity,))

    def get_or_make(self, key: Any, make: Any) -> Any:
        value = self.get(key)
        if value is None:
            value = make()
            self[key] = value
            if len(self) > self.capacity:
                self.popitem(last=False)
        else:
            self.move_to_end(key)
        return value


class TranscriptPanel:
    """Draws a transcript of ``(role, text)`` entries into fixed-size RGB frames.

    Args:
        width, height: the frame size in pixels (fixed, so every frame of an
            episode has the same shape).
        font_size: the text size; pygame's bundled font is used.
        title: drawn in a bar at the top (and as the first line of :meth:`ansi`).
    """

    def __init__(self, width: int = 640, height: int = 480, font_size: int = 15, title: str = ""):
        self.width = width
        self.height = height
        self.font_size = font_size
        self.title = title
        self._font: Any = None
        self._line_height = 0
        self._columns = 0
        self._top = 0
        self._background: np.ndarray | None = None
        self._lines = _LRU(_MAX_CACHED_LINES)
        self._wrapped = _LRU(_MAX_CACHED_ENTRIES)
        self._word_widths: dict[str, int] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.update(_font=None, _background=None, _lines=_LRU(_MAX_CACHED_LINES),
                     _wrapped=_LRU(_MAX_CACHED_ENTRIES), _word_widths={})
        return state

    def _load(self) -> None:
        import pygame

        # Only the font module: no display or audio subsystem is needed to draw.
        if not pygame.font.get_init():
            pygame.font.init()
        self._font = pygame.font.Font(None, self.font_size + 4)
        self._line_height = self._font.get_linesize()
        # Character columns for the text form; frames wrap by measured pixel width.
        advance = max(self._font.size("M")[0], 1)
        self._columns = max((self.width - 2 * _MARGIN) // advance, 8)
        background = np.empty((self.height, self.width, 3), dtype=np.uint8)
        background[:] = BACKGROUND
        self._top = 0
        if self.title:
            self._top = self._line_height + 6
            background[: self._top] = TITLE_BAR
            title = _surface_to_array(self._font.render(self.title, True, COLOURS["title"], TITLE_BAR))
            _put(background, title, _MARGIN, 3)
        self._background = background

    def _fits(self, text: str) -> bool:
        return self._font.size(text)[0] <= self.width - 2 * _MARGIN

    def _split_long_word(self, word: str) -> tuple[str, str]:
        """The longest prefix of ``word`` that fits the panel (at least one character), and the rest."""
        low, high = 1, len(word)
        while low < high:
            middle = (low + high + 1) // 2
            if self._fits(word[:middle]):
                low = middle
            else:
                high = middle - 1
        return word[:low], word[low:]

    def _word_width(self, word: str) -> int:
        width = self._word_widths.get(word)
        if width is None:
            if len(self._word_widths) >= _MAX_CACHED_WORDS:
                self._word_widths.clear()
            width = self._word_widths[word] = self._font.size(word)[0]
        return width

    def _wrap_pixels(self, text: str) -> tuple[str, ...]:
        """Greedy word wrap of ``text`` to the panel's pixel width.

        Line breaks are proposed from the sum of cached word widths (one measurement
        per new word, not one per growing line) and every line is then measured whole,
        dropping words until it truly fits: pieces measured apart round differently
        from the whole line.
        """
        limit = self.width - 2 * _MARGIN
        space = self._word_width(" ")
        lines: list[str] = []
        for paragraph in text.split("\n"):
            words = paragraph.split(" ")
            first = 0
            while first < len(words):
                end, width = first + 1, self._word_width(words[first])
                while end < len(words) and width + space + self._word_width(words[end]) <= limit:
                    width += space + self._word_width(words[end])
                    end += 1
                while end - first > 1 and not self._fits(" ".join(words[first:end])):
                    end -= 1
                line = " ".join(words[first:end])
                if end - first == 1 and not self._fits(line):
                    # One word wider than the panel: break it where it stops fitting.
                    head, words[first] = self._split_long_word(line)
                    lines.append(head)
                    continue
                lines.append(line)
                first = end
        return tuple(lines)

    def _rows(self, role: str, text: str) -> tuple[str, ...]:
        if len(text) > _MAX_ENTRY_CHARS:
            text = "..." + text[-_MAX_ENTRY_CHARS:]
        if role == "agent":
            text = "> " + text
        # Agent text may hold anything (NULs make pygame raise); sanitise once, on a cache miss.
        return self._wrapped.get_or_make((role, text), lambda: self._wrap_pixels(sanitize(text)))

    def _line(self, role: str, text: str) -> np.ndarray:
        colour = COLOURS.get(role, COLOURS["env"])
        return self._lines.get_or_make(
            (role, text), lambda: _surface_to_array(self._font.render(text, True, colour, BACKGROUND))
        )

    def layout(self, entries: Sequence[tuple[str, str]], columns: int) -> list[tuple[str, str]]:
        """The ``(role, line)`` rows of ``entries`` wrapped to ``columns`` characters, oldest first."""
        rows: list[tuple[str, str]] = []
        for role, text in entries:
            if role == "agent":
                text = "> " + text
            rows.extend((role, line) for line in wrap(text, columns))
        return rows

    def frame(self, entries: Sequence[tuple[str, str]]) -> np.ndarray:
        """An ``(height, width, 3)`` ``uint8`` frame with the latest entry at the bottom."""
        if self._background is None:
            self._load()
        canvas = self._background.copy()
        capacity = max((self.height - self._top - 6) // self._line_height, 1)
        rows: list[tuple[str, str]] = []
        # Walk from the newest entry backwards, stopping once the panel is full.
        for role, text in reversed(entries):
            rows[:0] = [(role, line) for line in self._rows(role, text)]
            if len(rows) >= capacity:
                break
        rows = rows[-capacity:]
        y = self.height - 6 - len(rows) * self._line_height
        for role, line in rows:
            if line:
                _put(canvas, self._line(role, line), _MARGIN, y)
            y += self._line_height
        return canvas

    def ansi(self, entries: Sequence[tuple[str, str]], columns: int = 80) -> str:
        """The transcript as plain text (the ``ansi`` render mode)."""
        rows = self.layout(entries, columns)
        head = [f"== {self.title} =="] if self.title else []
        return "\n".join(head + [line for _, line in rows])


class TranscriptRendering:
    """Rendering for text and tool envs: every frame is the transcript drawn by one panel.

    A subclass of :class:`~agentic_gym.core.env.AgenticEnv` mixes this in, sets
    ``transcript_title`` (a class attribute or an instance attribute set in ``__init__``)
    and implements :meth:`transcript_entries`; ``render_frame`` and ``render_text`` follow.
    The panel is made on first use and drops its font and caches when pickled.
    """

    transcript_title: str = ""
    _panel: TranscriptPanel | None = None

    def transcript_entries(self) -> Sequence[tuple[str, str]]:
        """The ``(role, text)`` entries to draw, oldest first (what the agent has seen)."""
        raise TypeError(f"{type(self).__name__} must define transcript_entries()")

    def transcript_panel(self) -> TranscriptPanel:
        """The env's panel (640x480, titled ``transcript_title``), made on first use."""
        if self._panel is None:
            self._panel = TranscriptPanel(width=640, height=480, title=self.transcript_title)
        return self._panel

    def render_frame(self) -> np.ndarray:
        return self.transcript_panel().frame(self.transcript_entries())

    def render_text(self) -> str:
        return self.transcript_panel().ansi(self.transcript_entries())
