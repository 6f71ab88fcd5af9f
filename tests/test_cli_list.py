"""`agentic-gym list`."""

from __future__ import annotations

import subprocess
import sys

from agentic_gym.cli import describe_envs, format_table, main
from agentic_gym.envs import registered_ids


def test_list_describes_every_registered_env(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for env_id in registered_ids():
        assert env_id in out
    rows = describe_envs()
    assert [r["id"] for r in rows] == list(registered_ids())
    assert all(r["capabilities"] and r["action"] and r["observation"] for r in rows)


def test_list_glob_and_unknown_pattern(capsys):
    assert main(["list", "NoSuchEnv*"]) == 2
    assert "no registered env matches" in capsys.readouterr().err


def test_console_script_entry_point_runs():
    result = subprocess.run([sys.executable, "-m", "agentic_gym.cli", "list"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == (0 if registered_ids() else 2)


def test_format_table_aligns_columns():
    table = format_table([{"a": "x", "b": "long value"}, {"a": "yyy", "b": "z"}], ["a", "b"])
    lines = table.splitlines()
    assert lines[0].index("b") == lines[2].index("long") == lines[3].index("z")
