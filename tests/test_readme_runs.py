"""Every Python and shell block of README.md runs, in order, in one scratch directory.

Blocks that talk to a model talk to a small OpenAI-compatible stub server on 127.0.0.1:
the README's server URLs (``http://localhost:<port>/v1``) are pointed at it, and the
commands that would start a real server (``vllm serve``, ``ollama pull``) are the
stub's to stand for. A block that cannot run here is preceded in the README by
``<!-- norun: reason -->``, and one that takes long by ``<!-- slow: reason -->``
(it runs with the slow tests).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
#: Commands that start or fetch a real model server; the stub stands in for them.
SERVER_COMMANDS = ("vllm", "ollama")
_URL = re.compile(r"http://localhost:\d+/v1")
_FENCE = re.compile(r"(?P<markers>(?:<!--[^\n]*-->\s*\n)*)```(?P<lang>[a-z]*)\n(?P<body>.*?)\n```", re.S)
_MARKER = re.compile(r"<!--\s*(norun|slow):\s*(.*?)\s*-->")


@dataclass(frozen=True)
class Block:
    line: int
    language: str
    body: str
    norun: str | None
    slow: str | None


def readme_blocks() -> list[Block]:
    """The fenced Python and shell blocks of the README, with the markers written before them."""
    text = README.read_text(encoding="utf-8")
    blocks = []
    for match in _FENCE.finditer(text):
        language = match["lang"]
        if language not in ("python", "bash", "sh", "shell", "console"):
            continue
        markers = dict(_MARKER.findall(match["markers"]))
        line = text.count("\n", 0, match.start("body"))
        blocks.append(Block(line, "python" if language == "python" else "shell", match["body"],
                            markers.get("norun"), markers.get("slow")))
    return blocks


BLOCKS = readme_blocks()


def _param(block: Block):
    marks = [pytest.mark.slow] if block.slow else []
    return pytest.param(block, id=f"line{block.line}-{block.language}", marks=marks)


def shell_commands(body: str) -> list[str]:
    """The commands of a shell block: continuation lines joined, comments and blank lines dropped."""
    commands, current = [], ""
    for raw in body.splitlines():
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line and not current:
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        commands.append((current + line).strip())
        current = ""
    return [c for c in commands if c]


@pytest.fixture(scope="module")
def stub():
    pytest.importorskip("openai")
    from tests.agents.chat_server import ChatServer, completion

    # The stub model never commits to an action: each episode ends after the chat layer's
    # three feedback turns, so every block that plays through a model runs in seconds.
    with ChatServer([completion("I am not sure what to do here.")]) as server:
        yield server


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("readme")


def _environment() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), SDL_VIDEODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1",
               OPENAI_API_KEY="stub")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return env


def test_the_readme_has_runnable_blocks_and_every_skipped_one_says_why():
    assert sum(b.language == "python" for b in BLOCKS) >= 4 and sum(b.language == "shell" for b in BLOCKS) >= 3
    for block in BLOCKS:
        assert block.norun is None or len(block.norun) > 10, block


@pytest.mark.parametrize("block", [_param(b) for b in BLOCKS])
def test_readme_block_runs(block: Block, stub, workdir):
    if block.norun is not None:
        pytest.skip(f"README marks it: {block.norun}")
    body = _URL.sub(stub.url, block.body)
    if block.language == "python":
        done = subprocess.run([sys.executable, "-c", body], cwd=workdir, env=_environment(), capture_output=True,
                              text=True, timeout=600, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f"README line {block.line}:\n{done.stderr[-3000:]}"
        return
    for command in shell_commands(body):
        words = shlex.split(command)
        if words[0] in SERVER_COMMANDS:
            continue  # the stub is the server
        if words[0] == "agentic-gym":
            words = [sys.executable, "-m", "agentic_gym.cli", *words[1:]]
        done = subprocess.run(words, cwd=workdir, env=_environment(), capture_output=True, text=True, timeout=900,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f"README line {block.line}: {command}\n{done.stderr[-3000:]}"


def test_every_command_line_option_the_readme_names_exists():
    """The README claims only options the commands have."""
    import argparse

    from agentic_gym.cli import COMMANDS

    known = {"--version", "--help"}
    for _, _, add_arguments, _ in COMMANDS:
        parser = argparse.ArgumentParser()
        add_arguments(parser)
        known |= {option for action in parser._actions for option in action.option_strings}
    text = README.read_text(encoding="utf-8")
    mentioned = set()
    for span in re.findall(r"`([^`]*)`", text) + [b.body for b in BLOCKS if b.language == "shell"]:
        if "agentic-gym" in span or span.startswith("--"):
            mentioned |= set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", span))
    foreign = {"--enable-auto-tool-choice", "--tool-call-parser"}  # vLLM's own options, named as such
    for script in (REPO / "examples").glob("*.py"):  # the example scripts' options
        foreign |= set(re.findall(r"add_argument\(\s*\"(--[a-z][a-z-]*)\"", script.read_text(encoding="utf-8")))
    assert mentioned - foreign <= known, sorted(mentioned - foreign - known)
    assert {"--record", "--resume", "--agent", "--extra-body", "--format"} <= mentioned
