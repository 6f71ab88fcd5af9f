"""A terminal-like transcript panel: how text and tool environments are drawn.

Entries are ``(role, text)`` pairs; ``role`` is ``"env"`` (what the environment
said), ``"agent"`` (the agent's command, drawn in another colour and prefixed with
``> ``) or ``"note"`` (dim status lines). The panel word-wraps to its width, keeps
the latest entry at the bottom and has a fixed size, so frames make videos.

Text is drawn in DejaVu Sans Mono, shipped in ``agentic_gym/data`` (with its licence)
so that frames are identical on every machine. The font is monospace, so a line is
a row of fixed-size glyph cells: pygame draws each character once per size and colour
into one :class:`GlyphAtlas` shared by every panel of the process (as the grid renderer
shares its tiles), and a frame is a copy of the background plus one array gather per
line. A panel keeps no pixels of its own beyond a small cache of wrapped entries, so its
memory does not grow with what it has drawn.

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
from importlib import resources
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
#: The bundled monospace font (DejaVu Sans Mono; licence beside it in ``agentic_gym/data``).
FONT_FILE = "DejaVuSansMono.ttf"
#: The default text size in pixels: DejaVu Sans Mono at 13 px has 8-pixel cells and no glyph
#: wider than its cell, so every character (the dot of an "i" included) renders whole.
DEFAULT_FONT_SIZE = 13
_MARGIN = 8
_MAX_CACHED_ENTRIES = 128
_MAX_ATLASES = 64
_PRINTABLE = range(32, 127)


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


class GlyphAtlas:
    """Every ASCII character of the bundled font at one size, drawn once per colour pair.

    ``cell`` is ``(height, width)`` of a glyph cell; :meth:`draw` writes a line of text
    into an RGB canvas. Atlases are shared: get one with :func:`glyph_atlas`.
    """

    def __init__(self, font_size: int):
        import pygame

        # Only the font module: no display or audio subsystem is needed to draw.
        if not pygame.font.get_init():
            pygame.font.init()
        with resources.as_file(resources.files("agentic_gym").joinpath(f"data/{FONT_FILE}")) as path:
            self._font = pygame.font.Font(str(path), font_size)
        self.font_size = font_size
        self.advance = max(self._font.metrics("M")[0][4], 1)
        self.line_height = self._font.get_linesize()
        self.cell = (self.line_height, self.advance)
        self._row_offsets = (np.arange(self.line_height, dtype=np.intp) * 128)[:, None]
        self._tables: dict[tuple[tuple[int, int, int], tuple[int, int, int]], np.ndarray] = {}
        self._row_tables: dict[tuple[tuple[int, int, int], tuple[int, int, int]], np.ndarray] = {}

    def glyphs(self, colour: tuple[int, int, int], background: tuple[int, int, int]) -> np.ndarray:
        """``(128, height, width, 3)`` cells indexed by character code (unprintable codes draw ``?``)."""
        key = (colour, background)
        table = self._tables.get(key)
        if table is None:
            height, width = self.cell
            table = np.empty((128, height, width, 3), dtype=np.uint8)
            table[:] = background
            for code in _PRINTABLE:
                pixels = _surface_to_array(self._font.render(chr(code), True, colour, background))
                h, w = min(pixels.shape[0], height), min(pixels.shape[1], width)
                table[code, :h, :w] = pixels[:h, :w]
            unprintable = [c for c in range(128) if c not in _PRINTABLE]
            table[unprintable] = table[ord("?")]
            table.setflags(write=False)
            self._tables[key] = table
        return table

    def line(self, text: str, colour: tuple[int, int, int], background: tuple[int, int, int] = BACKGROUND) -> np.ndarray:
        """A ``(height, len(text) * width, 3)`` image of one line of ASCII ``text`` (others draw ``?``)."""
        key = (colour, background)
        rows = self._row_tables.get(key)
        if rows is None:
            # Glyph rows as single 3*width-byte items, ordered (glyph row, character): one ``take``
            # gathers a whole line already in image order.
            height, width = self.cell
            cells = self.glyphs(colour, background)
            rows = np.ascontiguousarray(cells.transpose(1, 0, 2, 3)).reshape(height * 128, width * 3)
            rows = rows.view(np.dtype((np.void, width * 3))).reshape(height * 128)
            self._row_tables[key] = rows
        codes = np.frombuffer(text.encode("ascii", "replace"), dtype=np.uint8).astype(np.intp)
        height, width = self.cell
        picked = np.take(rows, codes[None, :] + self._row_offsets)
        return picked.view(np.uint8).reshape(height, len(text) * width, 3)

    def draw(self, canvas: np.ndarray, text: str, x: int, y: int, colour: tuple[int, int, int],
             background: tuple[int, int, int] = BACKGROUND) -> None:
        """Draw one line of ``text`` at ``(x, y)``, clipped to the canvas."""
        _put(canvas, self.line(text, colour, background), x, y)


def _put(canvas: np.ndarray, pixels: np.ndarray, x: int, y: int) -> None:
    """Copy ``pixels`` into ``canvas`` at ``(x, y)``, clipped to the canvas."""
    height, width = canvas.shape[:2]
    top, left = max(y, 0), max(x, 0)
    bottom = min(y + pixels.shape[0], height)
    right = min(x + pixels.shape[1], width)
    if bottom > top and right > left:
        canvas[top:bottom, left:right] = pixels[top - y : bottom - y, left - x : right - x]


class _LineImages:
    """Process-wide images of recently drawn lines, bounded in bytes (least recently used leave first).

    Frames of a transcript mostly repeat the lines of the previous frame; copying a kept
    line image is several times cheaper than gathering its glyphs again. Shared by every
    panel, so the memory it takes does not grow with the number of envs.
    """

    def __init__(self, budget: int):
        self.budget = budget
        self.size = 0
        self._images: OrderedDict[tuple, np.ndarray] = OrderedDict()

    def get(self, atlas: GlyphAtlas, text: str, colour: tuple[int, int, int]) -> np.ndarray:
        key = (atlas.font_size, colour, text)
        image = self._images.get(key)
        if image is not None:
            self._images.move_to_end(key)
            return image
        image = atlas.line(text, colour)
        image.setflags(write=False)
        self._images[key] = image
        self.size += image.nbytes
        while self.size > self.budget and len(self._images) > 1:
            self.size -= self._images.popitem(last=False)[1].nbytes
        return image

    def clear(self) -> None:
        self._images.clear()
        self.size = 0


_ATLASES: dict[int, GlyphAtlas] = {}
_BACKGROUNDS = _LRU(_MAX_ATLASES)
#: Bytes of line images kept for all panels together (about 140 full 640-pixel lines).
LINE_IMAGE_BUDGET = 4 * 2**20
_LINE_IMAGES = _LineImages(LINE_IMAGE_BUDGET)


def clear_shared_caches() -> None:
    """Forget the process-wide line images and backgrounds (atlases stay: they are small and fixed)."""
    _LINE_IMAGES.clear()
    _BACKGROUNDS.clear()


def glyph_atlas(font_size: int) -> GlyphAtlas:
    """The process-wide atlas of the bundled font at ``font_size`` (made on first use)."""
    atlas = _ATLASES.get(font_size)
    if atlas is None:
        if len(_ATLASES) >= _MAX_ATLASES:
            _ATLASES.clear()
        atlas = _ATLASES[font_size] = GlyphAtlas(font_size)
    return atlas


class TranscriptPanel:
    """Draws a transcript of ``(role, text)`` entries into fixed-size RGB frames.

    Args:
        width, height: the frame size in pixels (fixed, so every frame of an
            episode has the same shape).
        font_size: the text size in pixels, 6..48 (the bundled DejaVu Sans Mono).
        title: drawn in a bar at the top (and as the first line of :meth:`ansi`).
    """

    def __init__(self, width: int = 640, height: int = 480, font_size: int = DEFAULT_FONT_SIZE, title: str = ""):
        for name, value, low, high in (("width", width, 64, 4096), ("height", height, 32, 4096),
                                       ("font_size", font_size, 6, 48)):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be an integer in {low}..{high}, got {value!r}")
        self.width = width
        self.height = height
        self.font_size = font_size
        self.title = sanitize(str(title), 200)
        self._atlas: GlyphAtlas | None = None
        self._columns = 0
        self._capacity = 0
        self._top = 0
        self._wrapped = _LRU(_MAX_CACHED_ENTRIES)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.update(_atlas=None, _wrapped=_LRU(_MAX_CACHED_ENTRIES))
        return state

    def _load(self) -> None:
        atlas = self._atlas = glyph_atlas(self.font_size)
        self._columns = max((self.width - 2 * _MARGIN) // atlas.advance, 1)
        self._top = atlas.line_height + 6 if self.title else 0
        self._capacity = max((self.height - self._top - 6) // atlas.line_height, 1)

    def _background(self) -> np.ndarray:
        """The empty frame (title bar drawn), shared read-only by every panel of the same look."""
        atlas = self._atlas
        assert atlas is not None

        def make() -> np.ndarray:
            background = np.empty((self.height, self.width, 3), dtype=np.uint8)
            background[:] = BACKGROUND
            if self.title:
                background[: self._top] = TITLE_BAR
                atlas.draw(background, self.title, _MARGIN, 3, COLOURS["title"], TITLE_BAR)
            background.setflags(write=False)
            return background

        return _BACKGROUNDS.get_or_make((self.width, self.height, self.font_size, self.title), make)

    def _rows(self, role: str, text: str) -> tuple[str, ...]:
        """The wrapped lines of one entry (only the tail that a full panel can show)."""
        # Wrapping costs the length of the text: keep only what could be on screen.
        keep = 2 * self._capacity * (self._columns + 1)
        if len(text) > keep:
            text = "..." + text[-keep:]
        if role == "agent":
            text = "> " + text

        # Agent text may hold anything: sanitise once, on a cache miss.
        return self._wrapped.get_or_make((role, text), lambda: tuple(wrap(sanitize(text), self._columns)))

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
        if self._atlas is None:
            self._load()
        atlas = self._atlas
        assert atlas is not None
        canvas = self._background().copy()
        capacity, line_height = self._capacity, atlas.line_height
        rows: list[tuple[str, str]] = []
        # Walk from the newest entry backwards, stopping once the panel is full.
        for role, text in reversed(entries):
            rows[:0] = [(role, line) for line in self._rows(role, text)]
            if len(rows) >= capacity:
                break
        rows = rows[-capacity:]
        y = self.height - 6 - len(rows) * line_height
        for role, line in rows:
            if line:
                _put(canvas, _LINE_IMAGES.get(atlas, line, COLOURS.get(role, COLOURS["env"])), _MARGIN, y)
            y += line_height
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
