"""GridSokoban speed: reset time (level generation by reverse play plus the first observation),
steps per second, level generation alone, the oracle's solve time and a random agent's success.

Run ``python benchmarks/bench_sokoban.py`` (``--resets N`` for more samples). Reset times
are medians over unseeded resets after one seeded reset, on the raw env and through
``gym.make`` (time limit and checker wrappers); steps/s is wall-clock throughput of random
actions with auto-reset, the step median is robust to other processes sharing the CPU.
Target: GridSokoban-8x8 reset < 0.3 ms median.
"""

from __future__ import annotations

import argparse
import statistics
import time

import gymnasium as gym
import numpy as np

import agentic_gym  # noqa: F401  (registers the ids)
from agentic_gym.envs.grid.sokoban_levels import generate_level

IDS = (
    "agentic_gym/GridSokoban-6x6-v0",
    "agentic_gym/GridSokoban-8x8-v0",
    "agentic_gym/GridSokoban-10x10-v0",
)
TARGET_8X8_RESET_MS = 0.3


def median_ms(fn, samples: int) -> float:  # noqa: ANN001 - any callable
    clock = time.perf_counter
    times = []
    for _ in range(samples):
        start = clock()
        fn()
        times.append(clock() - start)
    return 1000 * statistics.median(times)


def stepping(env: gym.Env, steps: int, seed: int = 0) -> tuple[float, float]:
    """Random actions with auto-reset, like a training loop: steps per second over the whole
    run, and the median step in ms (robust to other processes taking the CPU)."""
    actions = np.random.default_rng(seed).integers(0, env.action_space.n, size=steps).tolist()
    env.reset(seed=seed)
    clock = time.perf_counter
    times = []
    start = clock()
    for action in actions:
        before = clock()
        _, _, terminated, truncated, _ = env.step(action)
        times.append(clock() - before)
        if terminated or truncated:
            env.reset()
    return steps / (clock() - start), 1000 * statistics.median(times)


def random_success(env_id: str, episodes: int) -> float:
    env = gym.make(env_id)
    rng = np.random.default_rng(0)
    wins = 0
    for seed in range(episodes):
        env.reset(seed=seed)
        while True:
            _, _, terminated, truncated, info = env.step(int(rng.integers(4)))
            if terminated or truncated:
                wins += info["success"]
                break
    return wins / episodes


def oracle_stats(env_id: str, episodes: int) -> tuple[float, float]:
    """Median time (ms) of the oracle's first action (its search from the start position),
    and the mean length of its episodes."""
    env = gym.make(env_id).unwrapped
    times, lengths = [], []
    for seed in range(episodes):
        env.reset(seed=seed)
        start = time.perf_counter()
        action = env.oracle_action()
        times.append(time.perf_counter() - start)
        steps = 1
        while not env.step(action)[2]:
            action = env.oracle_action()
            steps += 1
        lengths.append(steps)
    return 1000 * statistics.median(times), statistics.mean(lengths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resets", type=int, default=3000, help="reset samples per id")
    parser.add_argument("--steps", type=int, default=20000, help="random steps per id")
    parser.add_argument(
        "--episodes", type=int, default=100, help="episodes for oracle and random-agent figures"
    )
    args = parser.parse_args()

    header = (
        f"{'id':36} {'reset ms':>9} {'make reset':>10} {'generate':>9} {'step ms':>8} {'steps/s':>9} "
        f"{'make st/s':>9} {'oracle ms':>9} {'oracle len':>10} {'random win':>10}"
    )
    print(header)
    print("-" * len(header))
    results = {}
    for env_id in IDS:
        raw = gym.make(env_id).unwrapped
        raw.reset(seed=0)
        made = gym.make(env_id)
        made.reset(seed=0)
        reset_raw = median_ms(raw.reset, args.resets)
        reset_made = median_ms(made.reset, args.resets)
        rng = np.random.default_rng(0)
        generate = median_ms(lambda raw=raw, rng=rng: generate_level(rng, raw.config), args.resets)
        sps_raw, step_ms = stepping(raw, args.steps)
        sps_made, _ = stepping(made, args.steps)
        solve_ms, length = oracle_stats(env_id, args.episodes)
        win = random_success(env_id, args.episodes)
        results[env_id] = reset_raw
        print(
            f"{env_id:36} {reset_raw:9.3f} {reset_made:10.3f} {generate:9.3f} {step_ms:8.3f} {sps_raw:9.0f} "
            f"{sps_made:9.0f} {solve_ms:9.2f} {length:10.1f} {win:10.2f}"
        )
    figure = results["agentic_gym/GridSokoban-8x8-v0"]
    verdict = "met" if figure < TARGET_8X8_RESET_MS else "MISSED"
    print(f"\nGridSokoban-8x8 reset median {figure:.3f} ms (target < {TARGET_8X8_RESET_MS} ms): {verdict}")


if __name__ == "__main__":
    main()
