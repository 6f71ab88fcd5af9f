"""Throughput of the tool worlds: reset time and steps per second.

Run ``python benchmarks/bench_tools.py`` (``--episodes N`` for more, ``--repeat K`` for
more repetitions). Steps replay a fixed mix of commands per episode (the oracle's calls,
a few invalid and error calls, then the answer), on the raw env and through ``gym.make``
(time limit and order wrappers). Wall-clock figures come with CPU-time ones (``cpu``),
which a busy machine disturbs less; each figure is the median of ``--repeat`` runs over
the same episodes (a single run of the first env measured in a process varies by 10 %).
Targets: reset < 0.5 ms, step >= 30,000 per second.
"""

from __future__ import annotations

import argparse
import statistics
import time

import gymnasium as gym

import agentic_gym  # noqa: F401  (registers the ids)

IDS = (
    "agentic_gym/TravelDesk-Easy-v0",
    "agentic_gym/TravelDesk-Medium-v0",
    "agentic_gym/TravelDesk-Hard-v0",
    "agentic_gym/TravelDesk-Flaky-v0",
    "agentic_gym/ToolMath-2step-v0",
    "agentic_gym/ToolMath-6step-v0",
)
EXTRA = ('weather(city="Atlantis", day=2)', "calendar 9", "hello there", "calculator (17 + 25) * 3")


def scripts(env_id: str, episodes: int) -> list[list[str]]:
    """Per seed, the commands to replay: the oracle's run with invalid and error calls mixed in."""
    env = gym.make(env_id).unwrapped
    runs = []
    for seed in range(episodes):
        env.reset(seed=seed)
        commands = list(EXTRA)
        while True:
            action = env.oracle_action()
            commands.append(action)
            if env.step(action)[2]:
                break
        runs.append(commands)
    return runs


def measure(env: gym.Env, runs: list[list[str]], clock=time.perf_counter) -> tuple[float, float]:
    """Mean reset seconds and steps per second over ``runs`` (seed i replays runs[i])."""
    reset_time = step_time = 0.0
    steps = 0
    for seed, commands in enumerate(runs):
        start = clock()
        env.reset(seed=seed)
        middle = clock()
        for command in commands:
            env.step(command)
        end = clock()
        reset_time += middle - start
        step_time += end - middle
        steps += len(commands)
    return reset_time / len(runs), steps / step_time


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'env id':34} {'reset ms':>9} {'steps/s':>8} {'cpu reset ms':>13} {'cpu steps/s':>12} "
          f"{'made reset ms':>14} {'made steps/s':>13}")

    def median_of(env: gym.Env, runs: list[list[str]], clock=time.perf_counter) -> tuple[float, float]:
        figures = [measure(env, runs, clock) for _ in range(args.repeat)]
        return statistics.median(f[0] for f in figures), statistics.median(f[1] for f in figures)

    for env_id in IDS:
        runs = scripts(env_id, args.episodes)
        raw_reset, raw_rate = median_of(gym.make(env_id).unwrapped, runs)
        cpu_reset, cpu_rate = median_of(gym.make(env_id).unwrapped, runs, clock=time.process_time)
        made_reset, made_rate = median_of(gym.make(env_id, disable_env_checker=True), runs)
        print(f"{env_id:34} {raw_reset * 1e3:9.3f} {raw_rate:8.0f} {cpu_reset * 1e3:13.3f} {cpu_rate:12.0f} "
              f"{made_reset * 1e3:14.3f} {made_rate:13.0f}")


if __name__ == "__main__":
    main()
