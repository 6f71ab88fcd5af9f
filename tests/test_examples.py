"""The examples run to a solved episode, as the README says they do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Training examples need an optional extra and minutes of CPU: tests/integrations covers them.
TRAINING = {"sb3_ppo_grid.py", "grpo_cpu.py"}
EXAMPLES = sorted(p for p in (Path(__file__).resolve().parents[1] / "examples").glob("*.py") if p.name not in TRAINING)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs_and_solves_its_episode(path):
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "SDL_VIDEODRIVER": "dummy"})
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout.lower()
    assert "success=true" in out or "success true" in out or "solved" in out, result.stdout[-1000:]


def test_there_are_examples():
    assert {p.name for p in EXAMPLES} >= {"chat_loop.py", "text_adventure_chat.py", "weather_agent.py"}
