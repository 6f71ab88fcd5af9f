"""Terminal play on any machine: the fallback from invisible windows, shortcuts, completion, help."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import pytest

import agentic_gym  # noqa: F401
from agentic_gym.play import completions, expand_abbreviation, help_text, play_terminal, window_problem

REPO = Path(__file__).resolve().parents[1]
ADVENTURE = "agentic_gym/TextAdventure-3rooms-v0"


@pytest.mark.parametrize(("environ", "platform", "expected"), [
    ({"SDL_VIDEODRIVER": "offscreen", "DISPLAY": ":0"}, "linux", "offscreen"),
    ({"SDL_VIDEODRIVER": "dummy", "DISPLAY": ":0"}, "linux", "dummy"),
    ({}, "linux", "neither DISPLAY nor WAYLAND_DISPLAY"),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", None),
    ({"DISPLAY": ":1"}, "linux", None),
    ({}, "darwin", None),
    ({}, "win32", None),
])
def test_window_problem_names_drivers_and_missing_displays(environ, platform, expected):
    problem = window_problem(environ, platform)
    assert (problem is None) == (expected is None)
    if expected is not None:
        assert expected in problem


@pytest.mark.parametrize("environ", [{"SDL_VIDEODRIVER": "offscreen", "DISPLAY": ":0"}, {"SDL_VIDEODRIVER": ""}])
def test_play_without_a_visible_window_falls_back_to_the_terminal_and_says_so(environ):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    env.update(environ, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-m", "agentic_gym.cli", "play", "GridKeyDoor-8x8-v0", "--seed", "0"],
        input="forward\nquit\n", capture_output=True, text=True, cwd=REPO, env=env, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "playing in the terminal instead" in done.stderr
    assert "> forward" in done.stdout and "[reward" in done.stdout


def test_tab_completes_arguments_too():
    env = gym.make(ADVENTURE)
    affordances = env.unwrapped.affordances
    assert completions("go e", affordances) == ["go east"]
    assert completions("go ", affordances) == ["go north", "go east", "go south", "go west"]
    assert "inventory" in completions("in", affordances)
    assert completions("ta", affordances) == ["take "]  # the name first, its arguments after a space
    # The commands valid now complete too, and session commands are offered with the names.
    assert completions("take br", affordances, ["take brass lamp"]) == ["take brass lamp"]
    assert completions("he", affordances, extra=["help"]) == ["help"]


def test_abbreviations_expand_only_to_existing_actions():
    names = [a.name for a in gym.make(ADVENTURE).unwrapped.affordances]
    assert [expand_abbreviation(t, names) for t in ["n", "E", "s", "w", "i", "l", "x wooden chest"]] == [
        "go north", "go east", "go south", "go west", "inventory", "look", "examine wooden chest"]
    assert expand_abbreviation("take red key", names) == "take red key"
    travel = [a.name for a in gym.make("agentic_gym/TravelDesk-Easy-v0").unwrapped.affordances]
    assert expand_abbreviation("n", travel) == "n"  # no `go` there: typed as it is


def test_help_lists_every_command_in_one_style_with_the_shortcuts():
    affordances = gym.make(ADVENTURE).unwrapped.affordances
    text = help_text(affordances)
    entries = [line for line in text.splitlines() if line.startswith("  ")]
    # One style: two spaces, the usage padded to one column, then the description.
    column = {len(line) - len(line[2:].split("  ", 1)[1].lstrip()) for line in entries}
    assert len(column) == 1
    for expected in ("go <direction>", "x <thing>", "Same as 'examine <thing>'", "Same as 'go north'", "hint", "quit"):
        assert expected in text
    assert "Tab completes" in text


def test_terminal_play_takes_the_abbreviations():
    output = io.StringIO()
    env = gym.make(ADVENTURE)
    play_terminal(env, seed=4, input_stream=io.StringIO("i\nl\nx iron chest\nn\nquit\n"), output=output)
    text = output.getvalue()
    assert "You are carrying nothing." in text and "You look around." in text
    assert "iron chest" in text.split("> x iron chest", 1)[1].split("\n")[1]
    assert text.count("[reward") == 4
