"""Episodes are the same per seed in any process, whatever PYTHONHASHSEED."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from agentic_gym import MULTI_AGENT_ENVS

SCRIPT = r"""
import json, sys
from agentic_gym import MULTI_AGENT_ENVS
name, variant = sys.argv[1], sys.argv[2]
env = MULTI_AGENT_ENVS[name].env(variant=variant, max_cycles=15)
trace = []
for seed in (0, 1, 2):
    env.reset(seed=seed)
    for i, agent in enumerate(env.possible_agents):
        env.action_space(agent).seed(seed + i)
    k = 0
    for agent in env.agent_iter():
        obs, reward, terminated, truncated, info = env.last()
        image = obs.get("image")
        trace.append([agent, obs["text"], None if image is None else image.tolist(), reward, terminated, truncated,
                      json.dumps(info, sort_keys=True, default=str)])
        if terminated or truncated:
            action = None
        elif k % 3 == 2:
            action = env.unwrapped.oracle_action(agent)
        else:
            action = env.action_space(agent).sample()
        action = int(action) if hasattr(action, "item") else action
        trace.append(action)
        env.step(action)
        k += 1
print(json.dumps(trace))
"""

CASES = [(name, variant) for name, module in MULTI_AGENT_ENVS.items() for variant in module.VARIANTS]


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_same_episode_in_fresh_processes(name, variant):
    outputs = []
    for hash_seed in ("0", "12345"):
        environ = dict(os.environ, PYTHONHASHSEED=hash_seed)
        result = subprocess.run([sys.executable, "-c", SCRIPT, name, variant], capture_output=True, text=True,
                                env=environ, check=True, cwd=os.getcwd(), timeout=120)
        outputs.append(json.loads(result.stdout))
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 10
