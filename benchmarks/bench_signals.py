"""Cost of OracleSignals: step time with the wrapper off and on, one env per family and size.

Run ``python benchmarks/bench_signals.py`` (``--episodes N`` for more). Each episode replays
a fixed action script per seed on ``gym.make(id)`` and on ``OracleSignals(gym.make(id))``;
a step off the oracle's path costs a fresh rollout of the oracle on a copy. The signals
cache lives as long as the wrapper, as it does in training. Two scripts: the oracle's path
alone (one hash per step, every distance cached by the first rollout) and one random action
in four. Figures are microseconds per step of CPU time (``time.process_time``), which a busy
machine disturbs less.
"""

from __future__ import annotations

import argparse
import time

import gymnasium as gym
import numpy as np

import agentic_gym  # noqa: F401  (registers the ids)
from agentic_gym.core import CommandSpace
from agentic_gym.wrappers import OracleSignals

IDS = (
    "agentic_gym/GridKeyDoor-8x8-v0",
    "agentic_gym/GridMaze-15x15-v0",
    "agentic_gym/GridMemory-S13-v0",
    "agentic_gym/GridSokoban-8x8-v0",
    "agentic_gym/GridSokoban-10x10-v0",
    "agentic_gym/TextAdventure-6rooms-v0",
    "agentic_gym/Recall-20facts-updates-v0",
    "agentic_gym/Codebreaker-4x6-v0",
    "agentic_gym/TravelDesk-Medium-v0",
    "agentic_gym/ToolMath-4step-v0",
)


def scripts(env_id: str, episodes: int, deviate: bool = True) -> list[list]:
    """Per seed, the actions to replay: the oracle's, with a random one every fourth step if ``deviate``."""
    env = gym.make(env_id)
    rng = np.random.default_rng(0)
    runs = []
    for seed in range(episodes):
        obs, info = env.reset(seed=seed)
        actions: list = []
        for step in range(env.spec.max_episode_steps):
            if deviate and step % 4 == 3:
                admissible = info.get("admissible_commands")
                if isinstance(env.action_space, CommandSpace):
                    action = admissible[int(rng.integers(len(admissible)))] if admissible else "look"
                else:
                    action = int(rng.integers(env.action_space.n))
            else:
                action = env.unwrapped.oracle_action()
            actions.append(action)
            obs, _, terminated, truncated, info = env.step(action)
            if terminated or truncated:
                break
        runs.append(actions)
    return runs


def step_time(env: gym.Env, runs: list[list]) -> float:
    """Mean CPU seconds per step (resets excluded) replaying ``runs``."""
    total, steps = 0.0, 0
    for seed, actions in enumerate(runs):
        env.reset(seed=seed)
        start = time.process_time()
        for action in actions:
            env.step(action)
        total += time.process_time() - start
        steps += len(actions)
    return total / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=5)
    args = parser.parse_args()
    print(f"{'env':34s} {'off':>8s} {'on, oracle path':>16s} {'off':>8s} {'on, 1 in 4 random':>18s}")
    for env_id in IDS:
        row = []
        for deviate in (False, True):
            runs = scripts(env_id, args.episodes, deviate)
            row += [step_time(gym.make(env_id), runs), step_time(OracleSignals(gym.make(env_id)), runs)]
        print(f"{env_id.split('/')[1]:34s} {row[0] * 1e6:8.0f} {row[1] * 1e6:16.0f} {row[2] * 1e6:8.0f} "
              f"{row[3] * 1e6:18.0f}")


if __name__ == "__main__":
    main()
