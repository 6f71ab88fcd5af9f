"""The transcript font is legible: a shipped monospace font whose small glyphs render whole."""

from __future__ import annotations

import importlib.resources
import itertools

import numpy as np

from agentic_gym.core.transcript import (
    BACKGROUND,
    COLOURS,
    DEFAULT_FONT_SIZE,
    FONT_FILE,
    TranscriptPanel,
    glyph_atlas,
)


def ink(char: str, size: int = DEFAULT_FONT_SIZE) -> np.ndarray:
    """A boolean mask of the pixels ``char`` colours in its atlas cell."""
    cell = glyph_atlas(size).glyphs(COLOURS["env"], BACKGROUND)[ord(char)]
    return np.any(cell != np.array(BACKGROUND, np.uint8), axis=-1)


def ink_runs(mask: np.ndarray) -> int:
    """How many separate vertical runs of inked rows a glyph has (an "i" has two: dot and stem)."""
    rows = mask.any(axis=1).astype(int)
    return int(np.sum(np.diff(np.concatenate([[0], rows])) == 1))


def test_the_font_and_its_licence_ship_in_the_package():
    data = importlib.resources.files("agentic_gym").joinpath("data")
    assert data.joinpath(FONT_FILE).read_bytes()[:4] == b"\x00\x01\x00\x00"  # a TrueType file
    assert "Bitstream" in data.joinpath("DejaVuSansMono-LICENSE.txt").read_text("ascii")


def test_i_j_l_1_render_differently_and_i_keeps_its_dot():
    for size in (DEFAULT_FONT_SIZE, 12, 14, 16):
        masks = {char: ink(char, size) for char in "ijl1"}
        for a, b in itertools.combinations(masks, 2):
            assert not np.array_equal(masks[a], masks[b]), f"{a!r} and {b!r} look the same at {size} px"
        assert ink_runs(masks["i"]) == 2, f"the dot of 'i' is missing at {size} px"
        assert ink_runs(masks["j"]) == 2, f"the dot of 'j' is missing at {size} px"
        assert ink_runs(masks["l"]) == 1 and ink_runs(masks["1"]) == 1


def test_the_font_is_monospace_and_every_glyph_fits_its_cell():
    atlas = glyph_atlas(DEFAULT_FONT_SIZE)
    metrics = atlas._font.metrics("".join(chr(c) for c in range(32, 127)))
    assert {m[4] for m in metrics} == {atlas.advance}
    assert all(m[0] >= 0 and m[1] <= atlas.advance for m in metrics), "a glyph is wider than its cell"


def test_a_panel_line_is_its_glyphs_side_by_side():
    panel = TranscriptPanel(320, 100, title="")
    frame = panel.frame([("env", "living")])
    atlas = glyph_atlas(DEFAULT_FONT_SIZE)
    height, width = atlas.cell
    y = 100 - 6 - height
    cells = atlas.glyphs(COLOURS["env"], BACKGROUND)
    for index, char in enumerate("living"):
        x = 8 + index * width
        assert np.array_equal(frame[y : y + height, x : x + width], cells[ord(char)]), char
