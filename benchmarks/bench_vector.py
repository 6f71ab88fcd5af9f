"""Batched grid envs: env-steps per second of the native vector env beside sync vector envs and NAVIX.

Run it on one core, once: ``taskset -c 0 python benchmarks/bench_vector.py`` (``--quick`` for
a short run). For each ``N`` in 1, 64, 1024, 4096 it measures random actions with autoreset on
DoorKey-8x8 (7x7 views):

* ``native``: ``gym.make_vec("agentic_gym/GridKeyDoor-8x8-v0", N,
  vectorization_mode="vector_entry_point")``, timed over whole time limits (640 steps), so
  every env resets as often as in a long run;
* ``sync``: the same id through ``gym.make_vec(..., vectorization_mode="sync")``;
* ``MiniGrid sync``: ``MiniGrid-DoorKey-8x8-v0`` through the same sync vector env (if
  minigrid is installed);
* ``NAVIX``: ``Navix-DoorKey-8x8-v0`` with its first-person 7x7 symbolic view (which NAVIX
  does not occlude), ``jax.vmap`` of ``env.step`` (NAVIX autoresets inside ``step``) in a
  jitted ``lax.scan`` rollout with random actions; compile time is excluded and reported. It
  runs in this interpreter when navix is importable (``pip install -e ".[navix]"``), else in
  ``--navix-python PATH`` (a separate venv with jax and navix).

It also splits the native step time into rules, visibility, observation encoding and level
generation, and reports bytes per env (tracemalloc, the difference between two sizes after
``make_vec`` and ``reset``). Timings use process (CPU) time.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

import agentic_gym  # noqa: F401 - registers the envs

CLOCK: Callable[[], float] = time.process_time
OURS = "agentic_gym/GridKeyDoor-8x8-v0"
MINIGRID = "MiniGrid-DoorKey-8x8-v0"
NAVIX = "Navix-DoorKey-8x8-v0"
TIME_LIMIT = 640
SIZES = (1, 64, 1024, 4096)


def native_rate(n: int, episodes: int, seed: int = 0) -> tuple[float, dict[str, float]]:
    """Env-steps/s of the native vector env over ``episodes`` whole time limits, and the
    seconds per step spent in each part."""
    envs = gym.make_vec(OURS, num_envs=n, vectorization_mode="vector_entry_point")
    envs.reset(seed=seed)
    inner = envs.unwrapped
    parts = {"visibility": 0.0, "observe": 0.0, "levels": 0.0}

    def timed(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            start = CLOCK()
            result = method(*args)
            parts[name] += CLOCK() - start
            return result

        return wrapper

    inner._sight = timed("visibility", inner._sight)
    inner._observe = timed("observe", inner._observe)
    inner._generate = timed("levels", inner._generate)
    steps = episodes * TIME_LIMIT
    rng = np.random.default_rng(seed)
    actions = rng.integers(envs.single_action_space.n, size=(min(steps, 1000), n))
    step = envs.step
    for k in range(3):
        step(actions[k])
    for name in parts:
        parts[name] = 0.0
    start = CLOCK()
    for t in range(steps):
        step(actions[t % len(actions)])
    elapsed = CLOCK() - start
    split = {
        "rules": (elapsed - parts["observe"] - parts["levels"]) / steps,
        "visibility": parts["visibility"] / steps,
        "encoding": (parts["observe"] - parts["visibility"]) / steps,
        "levels": parts["levels"] / steps,
    }
    envs.close()
    return n * steps / elapsed, split


def sync_rate(env_id: str, n: int, env_steps: int, seed: int = 0) -> float:
    envs = gym.make_vec(env_id, num_envs=n, vectorization_mode="sync")
    envs.reset(seed=seed)
    steps = max(3, env_steps // n)
    rng = np.random.default_rng(seed)
    actions = rng.integers(envs.single_action_space.n, size=(steps, n))
    envs.step(actions[0])
    start = CLOCK()
    for t in range(steps):
        envs.step(actions[t])
    elapsed = CLOCK() - start
    envs.close()
    return n * steps / elapsed


def bytes_per_env(env_id: str, mode: str, small: int = 16, large: int = 272) -> float:
    def allocated(n: int) -> int:
        gc.collect()
        tracemalloc.start()
        envs = gym.make_vec(env_id, num_envs=n, vectorization_mode=mode)
        envs.reset(seed=0)
        size = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        envs.close()
        return size

    allocated(small)  # warm shared tables and caches
    return (allocated(large) - allocated(small)) / (large - small)


def have(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


# ---- NAVIX (jax) ------------------------------------------------------------------


def navix_rates(sizes: tuple[int, ...], episodes: int) -> dict[int, dict[str, float]]:
    """Env-steps/s of NAVIX's DoorKey-8x8 (compile time apart) per batch size."""
    import jax
    import navix as nx

    env = nx.make(NAVIX, max_steps=TIME_LIMIT, observation_fn=nx.observations.symbolic_first_person)
    n_actions = len(env.action_set)
    results = {}
    for n in sizes:
        steps = episodes * TIME_LIMIT

        def rollout(timestep: Any, key: Any, steps: int = steps, n: int = n) -> Any:
            def body(timestep: Any, key: Any) -> tuple[Any, None]:
                actions = jax.random.randint(key, (n,), 0, n_actions)
                return jax.vmap(env.step)(timestep, actions), None

            timestep, _ = jax.lax.scan(body, timestep, jax.random.split(key, steps))
            return timestep

        run = jax.jit(rollout)
        timestep = jax.vmap(env.reset)(jax.random.split(jax.random.PRNGKey(0), n))
        # The first call compiles; the second too, as the stepped timestep's types settle.
        warmup = 0.0
        for k in range(2):
            start = CLOCK()
            timestep = run(timestep, jax.random.PRNGKey(1 + k))
            jax.block_until_ready(timestep)
            warmup += CLOCK() - start
        start = CLOCK()
        timestep = run(timestep, jax.random.PRNGKey(3))
        jax.block_until_ready(timestep)
        elapsed = CLOCK() - start
        compile_s = warmup - 2 * elapsed
        results[n] = {"rate": n * steps / elapsed, "compile_s": compile_s}
    return results


def navix_from(python: str | None, sizes: tuple[int, ...], episodes: int) -> dict[int, dict[str, float]] | None:
    if have("navix"):
        return navix_rates(sizes, episodes)
    if python is None:
        return None
    out = subprocess.run(
        [python, os.path.abspath(__file__), "--navix-only", "--episodes", str(episodes), "--sizes", *map(str, sizes)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {int(k): v for k, v in json.loads(out.strip().splitlines()[-1]).items()}


# ---- the report -------------------------------------------------------------------


def rate(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 1e6:.2f}M" if value >= 1e6 else f"{value / 1e3:.0f}k"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer steps (noisier figures)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--episodes", type=int, default=0, help="time limits per native/NAVIX run (0: by N)")
    parser.add_argument("--navix-python", help="a Python with jax and navix, if this one lacks them")
    parser.add_argument("--navix-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = tuple(args.sizes)
    if args.navix_only:
        print(json.dumps(navix_rates(sizes, args.episodes or 1)))
        return

    def episodes_for(n: int) -> int:
        if args.episodes:
            return args.episodes
        return 1 if args.quick else max(1, min(10, 2_000_000 // (n * TIME_LIMIT)))

    sync_steps = 20_000 if args.quick else 60_000
    minigrid = have("minigrid")
    if minigrid:
        import minigrid as _minigrid  # noqa: F401 - registers MiniGrid's envs
    rows, splits = [], {}
    for n in sizes:
        native, split = native_rate(n, episodes_for(n))
        splits[n] = split
        ours_sync = sync_rate(OURS, n, sync_steps)
        theirs = sync_rate(MINIGRID, n, sync_steps) if minigrid else None
        rows.append([n, native, ours_sync, theirs])
        print(f"N={n}: native {rate(native)}, sync {rate(ours_sync)}, MiniGrid sync {rate(theirs)}", file=sys.stderr)
    navix = navix_from(args.navix_python, sizes, 1)
    print("| N | native | ours sync | MiniGrid sync | NAVIX (jit, CPU) | native / MiniGrid | native / NAVIX |")
    print("|---|---|---|---|---|---|---|")
    for n, native, ours_sync, theirs in rows:
        nav = navix[n]["rate"] if navix else None
        print(
            f"| {n} | {rate(native)} | {rate(ours_sync)} | {rate(theirs)} | {rate(nav)} | "
            f"{f'{native / theirs:.0f}x' if theirs else '-'} | {f'{native / nav:.1f}x' if nav else '-'} |"
        )
    if navix:
        compiles = ", ".join(f"N={n}: {navix[n]['compile_s']:.1f} s" for n in sizes)
        print(f"\nNAVIX compile time (excluded above): {compiles}")
    print("\nNative step time split (microseconds per batched step):\n")
    print("| N | rules | visibility | encoding | levels (resets) | total |")
    print("|---|---|---|---|---|---|")
    for n, split in splits.items():
        total = sum(split.values())
        cells = " | ".join(f"{split[k] * 1e6:.0f}" for k in ("rules", "visibility", "encoding", "levels"))
        print(f"| {n} | {cells} | {total * 1e6:.0f} |")
    print("\nMemory per env (bytes, tracemalloc):\n")
    print(f"- native: {bytes_per_env(OURS, 'vector_entry_point'):.0f}")
    print(f"- ours sync: {bytes_per_env(OURS, 'sync'):.0f}")
    if minigrid:
        print(f"- MiniGrid sync: {bytes_per_env(MINIGRID, 'sync'):.0f}")


if __name__ == "__main__":
    main()
