"""Grid family speed and memory, side by side with MiniGrid, and random-agent success rates.

Run with ``python benchmarks/bench_grid.py`` (``--quick`` for a short run). MiniGrid is
optional: install it with ``pip install --no-deps minigrid`` (see benchmarks/README.md for
why ``--no-deps``). Every figure is a median over ``--repeats`` runs; the machine's
load shows in the spread, so run it more than once. Timings use process (CPU) time by
default, which other processes on a shared machine disturb much less than wall time.

Measured for each pair (ours vs MiniGrid):

* step: random-action steps per second through ``gym.make`` plus ``Autoreset``;
* reset: microseconds per ``reset()`` (unseeded, as in a training loop) and per
  ``reset(seed=...)``;
* render: milliseconds per ``render()`` in ``rgb_array`` mode with 32-pixel tiles;
* memory: bytes allocated per extra instance after ``gym.make`` and ``reset``
  (tracemalloc; shared tables and tile caches are excluded by warming them first).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
import tracemalloc
from collections.abc import Callable

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
from gymnasium.wrappers import Autoreset  # noqa: E402

import agentic_gym  # noqa: E402,F401 - registers the envs

#: The clock every timing uses; ``--clock wall`` switches to wall time.
CLOCK: Callable[[], float] = time.process_time

PAIRS = (
    ("agentic_gym/GridKeyDoor-8x8-v0", "MiniGrid-DoorKey-8x8-v0"),
    ("agentic_gym/GridMemory-S13-v0", "MiniGrid-MemoryS13-v0"),
)


def have_minigrid() -> bool:
    try:
        import minigrid  # noqa: F401
    except ImportError:
        return False
    return True


def steps_per_second(env_id: str, steps: int, seed: int = 0) -> float:
    env = Autoreset(gym.make(env_id))
    env.reset(seed=seed)
    actions = np.random.default_rng(seed).integers(env.action_space.n, size=steps).tolist()
    step = env.step
    start = CLOCK()
    for action in actions:
        step(action)
    elapsed = CLOCK() - start
    env.close()
    return steps / elapsed


def reset_microseconds(env_id: str, resets: int, seeded: bool) -> float:
    env = gym.make(env_id)
    env.reset(seed=0)
    reset = env.reset
    start = CLOCK()
    if seeded:
        for seed in range(resets):
            reset(seed=seed)
    else:
        for _ in range(resets):
            reset()
    elapsed = CLOCK() - start
    env.close()
    return elapsed / resets * 1e6


def render_milliseconds(env_id: str, frames: int) -> float:
    env = gym.make(env_id, render_mode="rgb_array")
    env.reset(seed=0)
    env.render()  # tile caches are built once per process, not per frame
    rng = np.random.default_rng(0)
    total = 0.0
    for _ in range(frames):
        _, _, terminated, truncated, _ = env.step(int(rng.integers(env.action_space.n)))
        if terminated or truncated:
            env.reset()
        start = CLOCK()
        env.render()
        total += CLOCK() - start
    env.close()
    return total / frames * 1e3


def bytes_per_instance(env_id: str, instances: int) -> float:
    warm = gym.make(env_id)
    warm.reset(seed=0)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    envs = []
    for seed in range(instances):
        env = gym.make(env_id)
        env.reset(seed=seed)
        envs.append(env)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del envs, warm
    return (after - before) / instances


def random_success_rate(env_id: str, episodes: int, seed: int = 0) -> float:
    env = gym.make(env_id)
    rng = np.random.default_rng(seed)
    wins = 0
    for episode in range(episodes):
        env.reset(seed=seed + episode)
        while True:
            _, _, terminated, truncated, info = env.step(int(rng.integers(env.action_space.n)))
            if terminated or truncated:
                wins += bool(info["success"])
                break
    env.close()
    return wins / episodes


def median_of(repeats: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(repeats))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and episodes")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="cpu: process time (steady on a shared machine); wall: perf_counter",
    )
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    steps, resets, frames, instances, episodes = (
        (5_000, 500, 50, 20, 20) if args.quick else (30_000, 3_000, 300, 100, 100)
    )
    compare = have_minigrid()
    if not compare:
        print("minigrid is not installed (pip install --no-deps minigrid): showing agentic-gym only\n")

    rows = []
    for ours, theirs in PAIRS:
        ids = (ours, theirs) if compare else (ours,)
        figures = {}
        for env_id in ids:
            figures[env_id] = (
                median_of(args.repeats, lambda e=env_id: steps_per_second(e, steps)),
                median_of(args.repeats, lambda e=env_id: reset_microseconds(e, resets, seeded=False)),
                median_of(args.repeats, lambda e=env_id: reset_microseconds(e, resets, seeded=True)),
                median_of(args.repeats, lambda e=env_id: render_milliseconds(e, frames)),
                bytes_per_instance(env_id, instances),
            )
        rows.append((ours, theirs if compare else None, figures))

    print(f"clock: {args.clock} time; median of {args.repeats} runs\n")
    header = f"{'env':34} {'steps/s':>9} {'reset us':>9} {'seeded us':>9} {'render ms':>9} {'bytes/env':>10}"
    print(header)
    print("-" * len(header))
    for ours, theirs, figures in rows:
        for env_id in (ours, theirs):
            if env_id is None:
                continue
            sps, reset_us, seeded_us, render_ms, mem = figures[env_id]
            print(f"{env_id:34} {sps:9.0f} {reset_us:9.1f} {seeded_us:9.1f} {render_ms:9.3f} {mem:10.0f}")
        if theirs is not None:
            a, b = figures[ours], figures[theirs]
            print(
                f"{'  ratio (ours vs MiniGrid)':34} {a[0] / b[0]:8.1f}x {b[1] / a[1]:8.1f}x {b[2] / a[2]:8.1f}x"
                f" {b[3] / a[3]:8.1f}x {a[4] / b[4]:9.2f}x"
            )
    if compare:
        print("(ratios: speed-ups for time and rate; memory as ours / theirs, lower is better)")
        print("targets: step >= 20x, reset >= 5x, render >= 5x (aim 10x), memory <= 1.00x")

    print(f"\nrandom agent success rate ({episodes} episodes each, measured, not a target)")
    for env_id in sorted(i for i in gym.registry if i.startswith("agentic_gym/Grid")):
        print(f"  {env_id:40} {random_success_rate(env_id, episodes):6.1%}")


if __name__ == "__main__":
    main()
