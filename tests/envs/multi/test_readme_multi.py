"""The README's multi-agent section: its table matches the variants and its code runs as shown."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from agentic_gym import MULTI_AGENT_ENVS
from agentic_gym.envs.multi import multi_agent_ids

README = Path(__file__).resolve().parents[3] / "README.md"


def section() -> str:
    return README.read_text().split("## Multi-agent environments", 1)[1].split("\n## ", 1)[0]


def test_table_lists_every_variant_with_its_capabilities():
    rows = {}
    for line in section().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and re.fullmatch(r"\w+-[\w-]+-v0", cells[0]):
            rows[cells[0]] = cells[1]
    assert set(rows) == set(multi_agent_ids())
    for env_id, capabilities in rows.items():
        module = MULTI_AGENT_ENVS[env_id.split("-", 1)[0]]
        assert capabilities == ", ".join(module.raw_env.metadata["capabilities"])


def test_code_blocks_run(tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", section(), re.S)
    assert len(blocks) == 2
    script = tmp_path / "readme_multi.py"
    script.write_text("\n".join(blocks))
    environ = {**os.environ, "PYTHONPATH": str(README.parent), "SDL_VIDEODRIVER": "dummy"}
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=environ,
                            timeout=120, check=True)
    assert result.stdout.split("\n")[:2] == ["True True 1.0", "True 1.0"]
