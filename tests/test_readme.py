"""The README tells the truth: its catalogue matches the registry, its commands are the real ones."""

from __future__ import annotations

import re
from pathlib import Path

import gymnasium as gym

import agentic_gym  # noqa: F401
from agentic_gym.envs import registered_ids

README = Path(__file__).resolve().parents[1] / "README.md"


def catalogue_rows() -> dict[str, str]:
    text = README.read_text()
    body = text.split("<!-- catalogue:start -->", 1)[1].split("<!-- catalogue:end -->", 1)[0]
    rows = {}
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`?(agentic_gym/[^`]+)`?", cells[0]) if cells else None
        if match:
            rows[match.group(1)] = cells[1]
    return rows


def test_catalogue_lists_every_registered_id_with_its_capabilities():
    rows = catalogue_rows()
    assert set(rows) == set(registered_ids())
    for env_id, capabilities in rows.items():
        env = gym.make(env_id)
        assert capabilities == ", ".join(env.unwrapped.metadata["capabilities"]), env_id
        env.close()


def test_readme_names_the_two_setup_commands():
    text = README.read_text()
    assert 'pip install -e ".[dev]"' in text
    assert re.search(r"^pytest$", text, re.M)


def test_ci_runs_the_readme_commands():
    ci = (README.parent / ".ci" / "run").read_text()
    assert 'pip install -e ".[dev]"' in ci
    assert "pytest --hypothesis-profile=ci" in ci
    # Plain pytest leaves the slow tests out; CI runs them too.
    assert re.search(r'^pytest .*-m ""', ci, re.M) and "mypy agentic_gym" in ci
