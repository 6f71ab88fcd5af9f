"""`agentic-gym --version`, `list` with the catalogue's descriptions and did-you-mean, and `info`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import agentic_gym
from agentic_gym.catalogue import DESCRIPTIONS
from agentic_gym.cli import env_info, main, matching_ids, suggest_ids
from agentic_gym.envs import registered_ids

REPO = Path(__file__).resolve().parents[1]


def readme_descriptions() -> dict[str, str]:
    text = (REPO / "README.md").read_text()
    body = text.split("<!-- catalogue:start -->", 1)[1].split("<!-- catalogue:end -->", 1)[0]
    rows = {}
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0].startswith("agentic_gym/"):
            rows[cells[0]] = cells[2]
    return rows


def test_version():
    done = subprocess.run([sys.executable, "-m", "agentic_gym.cli", "--version"], capture_output=True, text=True,
                          cwd=REPO, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"agentic-gym {agentic_gym.__version__}"


def test_the_descriptions_are_the_readme_catalogue():
    assert readme_descriptions() == DESCRIPTIONS
    assert set(DESCRIPTIONS) == set(registered_ids())


def test_list_prints_description_and_capabilities(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for env_id in registered_ids():
        assert env_id in out and DESCRIPTIONS[env_id] in out
    assert "capabilities: planning, tool_use, memory" in out


def test_list_patterns_ignore_case_and_take_words():
    assert matching_ids("gridmaze*") == matching_ids("GridMaze*") == [i for i in registered_ids() if "GridMaze" in i]
    assert matching_ids("MAZE") == matching_ids("GridMaze*")
    assert matching_ids("agentic_gym/recall-5facts-v0") == ["agentic_gym/Recall-5facts-v0"]


@pytest.mark.parametrize(("typed", "nearest"), [
    ("sokobn", "agentic_gym/GridSokoban-6x6-v0"),
    ("TextAdventure-4rooms-v0", "agentic_gym/TextAdventure-3rooms-v0"),
    ("Travel-Easy", "agentic_gym/TravelDesk-Easy-v0"),
])
def test_a_miss_suggests_the_nearest_ids(typed, nearest, capsys):
    assert nearest in suggest_ids(typed)
    assert main(["list", typed]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "did you mean" in err and nearest.split("/")[1] in err


def test_nothing_near_says_so_without_guessing(capsys):
    assert suggest_ids("qqqqqqqq") == []
    assert main(["list", "qqqqqqqq"]) == 2
    assert "did you mean" not in capsys.readouterr().err


def test_info_shows_spec_variants_affordances_observation_and_first_prompt(capsys):
    assert main(["info", "textadventure-3rooms-v0"]) == 0
    out = capsys.readouterr().out
    for section in ("Variants:", "Affordances (the actions):", "Specification:", "Sample observation (seed 0):",
                    "The first prompt an LLM receives"):
        assert section in out
    assert all(v in out for v in ("TextAdventure-3rooms-v0", "TextAdventure-6rooms-v0", "TextAdventure-12rooms-v0"))
    assert re.search(r"^  go <direction> +\[move\] Walk through an open door\.$", out, re.M)
    assert "Explore a procedurally generated house" in out and "## Description" in out
    # The prompt is the chat env's, exactly.
    messages, _ = agentic_gym.chat("agentic_gym/TextAdventure-3rooms-v0").reset(seed=0)
    assert all(m["content"] in out for m in messages)
    assert re.search(r"--- system ---\n", out) and "--- user ---" in out


def test_info_of_a_grid_env_and_of_an_unknown_one(capsys):
    text = env_info("agentic_gym/GridKeyDoor-6x6-v0")
    assert re.search(r"^  forward +\[move\] Move one cell forward\.$", text, re.M)
    assert "size=6" in text and "size=16" in text
    assert main(["info", "GridKeyDoor-7x7-v0"]) == 2
    err = capsys.readouterr().err
    assert "unknown env 'GridKeyDoor-7x7-v0'" in err and "did you mean GridKeyDoor-" in err
