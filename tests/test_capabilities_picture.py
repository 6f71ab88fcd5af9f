"""capabilities.png: value labels clear of the error bars, env counts per capability, a caption."""

from __future__ import annotations

import itertools

import pytest
from PIL import Image, ImageDraw

from agentic_gym.evaluation.report import _caption, _font, _group_label, capability_layout, draw_capabilities


def agent(rate: float, se: float, episodes: int = 3, seed: int = 0) -> dict:
    metrics = {"success_rate": rate, "success_se": se, "envs": 4}
    return {
        "config": {"episodes": episodes, "seed": seed},
        "capabilities": {"planning": {**metrics, "envs": 12}, "memory": {**metrics, "envs": 1}},
        "overall": {**metrics, "envs": 27},
        "envs": {"x": {}},
    }


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


AGENTS = {
    "random": agent(0.08, 0.03), "oracle": agent(1.0, 0.0), "model": agent(0.55, 0.2),
    "other": agent(0.5, 0.5),
}


@pytest.mark.parametrize("count", [1, 2, 4])
def test_value_labels_are_clear_of_every_error_bar_bar_and_label(count):
    chosen = dict(itertools.islice(AGENTS.items(), count))
    font = _font(11)
    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))

    def size(text):
        box = draw.textbbox((0, 0), text, font=font, anchor="lt")
        return box[2] - box[0], box[3] - box[1]

    layout = capability_layout(chosen, 700, 92, 278, 60, 20, size)
    assert len(layout) == 3 * count
    for item in layout:
        assert item.label[1] >= 60  # inside the picture, below the caption
        for other in layout:
            if other.whisker is not None:
                assert not overlaps(item.label, other.whisker), (item, other)
            assert not overlaps(item.label, other.bar), (item, other)
            if other is not item:
                assert not overlaps(item.label, other.label), (item, other)


def test_each_capability_names_how_many_envs_it_averages_and_the_caption_names_the_run():
    assert _group_label(AGENTS, "planning") == "planning (12 envs)"
    assert _group_label(AGENTS, "memory") == "memory (1 env)"
    assert _group_label(AGENTS, "overall") == "overall (27 envs)"
    assert _caption({"random": agent(0.1, 0.1), "oracle": agent(1, 0)}) == \
        "agents: random, oracle | 3 episodes per env | seed 0"
    assert "5/10 episodes per env" in _caption({"a": agent(0, 0, episodes=10), "b": agent(0, 0, episodes=5)})


def test_the_picture_is_drawn_wide_enough_for_its_labels(tmp_path):
    path = draw_capabilities(AGENTS, tmp_path / "capabilities.png")
    with Image.open(path) as image:
        assert image.size[0] >= 640 and image.size[1] == 450
