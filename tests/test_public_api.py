"""The public names of DESIGN's contract exist where users look for them."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PUBLIC = {
    "agentic_gym": ["Affordance", "Command", "CommandSpace", "InvalidAction", "chat", "evaluate", "MULTI_AGENT_ENVS"],
    "agentic_gym.core": ["parse_command", "tool_schemas", "CHARSET", "sanitize", "ChatMessages"],
    "agentic_gym.wrappers": ["PromptObservation", "ParseAction", "NotesMemory", "AddTools", "RecordEpisode",
                             "parse_action"],
    "agentic_gym.agents": ["RandomAgent", "OracleAgent", "OpenAIAgent"],
}


@pytest.mark.parametrize(("module", "names"), PUBLIC.items())
def test_public_names_exist(module, names):
    loaded = importlib.import_module(module)
    missing = [name for name in names if not hasattr(loaded, name)]
    assert not missing, f"{module} lacks {missing}"


def test_import_has_no_side_effects_beyond_registration():
    code = (
        "import os, sys; before = dict(os.environ); import agentic_gym; "
        "assert dict(os.environ) == before; "
        "assert 'pygame' not in sys.modules, 'importing the package must not import pygame'; "
        "assert 'agentic_gym.wrappers.chat' not in sys.modules"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
