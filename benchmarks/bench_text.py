"""Text family speed, side by side with TextArena's 2048-v0 and FrozenLake-v0 in the same run.

Run with ``python benchmarks/bench_text.py`` (``--quick`` for a short run). TextArena is
optional (``pip install textarena``, the ``bench`` extra); its two games run offline.
Every figure is the median over ``--repeats`` runs, timed in process (CPU) time by
default, which other processes on a shared machine disturb much less than wall time.

Measured for every registered TextAdventure, Recall and Codebreaker id:

* steps/s under a random valid-command policy: each step draws uniformly from
  ``info["admissible_commands"]`` (or from ``action_space.sample()``, which draws
  valid commands from the affordances, when an env lists none), through ``gym.make``
  with its default wrappers, resetting when an episode ends;
* reset: microseconds per ``reset()`` (unseeded, as in a training loop) and per
  ``reset(seed=i)``.

For TextArena the policy draws uniformly from each game's valid moves (``[up]``,
``[down]``, ``[left]``, ``[right]``) through ``env.step`` / ``env.get_observation``.
Each TextArena episode gets a fresh ``ta.make`` (about 5 us, counted): a TextArena env
reused across ``reset`` keeps growing internal state, and its steps/s then falls with
the total number of steps taken (about 9k at 500 steps, 1k at 4000 here), which would
measure that growth rather than a step.
The targets for TextAdventure-6rooms are >= 50k steps/s and reset < 1 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402

import agentic_gym  # noqa: E402,F401 - registers the envs
from agentic_gym.envs import registered_ids  # noqa: E402

#: The clock every timing uses; ``--clock wall`` switches to wall time.
CLOCK: Callable[[], float] = time.process_time

FAMILIES = ("agentic_gym/TextAdventure", "agentic_gym/Recall", "agentic_gym/Codebreaker")
TARGET_ID = "agentic_gym/TextAdventure-6rooms-v0"
TARGET_STEPS, TARGET_RESET_MS = 50_000, 1.0
TEXTARENA_IDS = ("2048-v0", "FrozenLake-v0")
TEXTARENA_MOVES = ("[up]", "[down]", "[left]", "[right]")


def text_env_ids() -> list[str]:
    """Every registered id of the text family, in registration order."""
    return [env_id for env_id in registered_ids() if env_id.startswith(FAMILIES)]


def steps_per_second(env_id: str, steps: int, seed: int = 0) -> float:
    env = gym.make(env_id)
    env.action_space.seed(seed)
    obs, info = env.reset(seed=seed)
    # Uniform draws fetched once, so the policy costs an index, not a Generator call.
    draws = np.random.default_rng(seed).random(steps).tolist()
    step, reset, sample = env.step, env.reset, env.action_space.sample
    start = CLOCK()
    for u in draws:
        commands = info.get("admissible_commands")
        action = commands[int(u * len(commands))] if commands else sample()
        obs, reward, terminated, truncated, info = step(action)
        if terminated or truncated:
            obs, info = reset()
    elapsed = CLOCK() - start
    env.close()
    return steps / elapsed


def reset_microseconds(env_id: str, count: int, seeded: bool) -> float:
    env = gym.make(env_id)
    env.reset(seed=0)
    reset = env.reset
    start = CLOCK()
    if seeded:
        for i in range(count):
            reset(seed=i)
    else:
        for _ in range(count):
            reset()
    elapsed = CLOCK() - start
    env.close()
    return elapsed / count * 1e6


def have_textarena() -> bool:
    try:
        import textarena  # noqa: F401
    except ImportError:
        return False
    return True


def textarena_steps_per_second(env_id: str, steps: int, seed: int = 0) -> float:
    import textarena as ta

    env = ta.make(env_id)
    env.reset(num_players=1, seed=seed)
    draws = np.random.default_rng(seed).integers(len(TEXTARENA_MOVES), size=steps).tolist()
    episode = 0
    start = CLOCK()
    for i in draws:
        env.get_observation()
        done, _ = env.step(TEXTARENA_MOVES[i])
        if done:
            env.close()
            episode += 1
            env = ta.make(env_id)
            env.reset(num_players=1, seed=seed + episode)
    elapsed = CLOCK() - start
    return steps / elapsed


def textarena_reset_microseconds(env_id: str, count: int, seeded: bool) -> float:
    import textarena as ta

    start = CLOCK()
    for i in range(count):
        env = ta.make(env_id)
        env.reset(num_players=1, seed=i if seeded else None)
        env.get_observation()
    elapsed = CLOCK() - start
    return elapsed / count * 1e6


def median(measure: Callable[[], float], repeats: int) -> float:
    return statistics.median(measure() for _ in range(repeats))


def main(argv: list[str] | None = None) -> None:
    global CLOCK
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=50_000, help="steps per measurement")
    parser.add_argument("--resets", type=int, default=1_000, help="resets per measurement")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--quick", action="store_true", help="a short run: 5k steps, 200 resets, 1 repeat")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    args = parser.parse_args(argv)
    if args.quick:
        args.steps, args.resets, args.repeats = 5_000, 200, 1
    if args.clock == "wall":
        CLOCK = time.perf_counter

    rows: list[tuple[str, float, float, float]] = []
    for env_id in text_env_ids():
        rows.append((
            env_id,
            median(lambda e=env_id: steps_per_second(e, args.steps), args.repeats),
            median(lambda e=env_id: reset_microseconds(e, args.resets, seeded=False), args.repeats),
            median(lambda e=env_id: reset_microseconds(e, args.resets, seeded=True), args.repeats),
        ))
    if have_textarena():
        # TextArena is about 5x slower per step: fewer steps keep the run short.
        ta_steps, ta_resets = max(args.steps // 5, 1000), max(args.resets // 5, 40)
        for env_id in TEXTARENA_IDS:
            rows.append((
                f"textarena {env_id}",
                median(lambda e=env_id: textarena_steps_per_second(e, ta_steps), args.repeats),
                median(lambda e=env_id: textarena_reset_microseconds(e, ta_resets, seeded=False), args.repeats),
                median(lambda e=env_id: textarena_reset_microseconds(e, ta_resets, seeded=True), args.repeats),
            ))
    else:
        print("textarena is not installed (pip install textarena): its rows are left out.\n")

    clock = "CPU" if CLOCK is time.process_time else "wall"
    print(f"Random valid-command policy; median of {args.repeats} run(s), {clock} time.\n")
    print(f"| {'env':<44} | {'steps/s':>10} | {'reset us':>9} | {'reset(seed) us':>14} |")
    print(f"|{'-' * 46}|{'-' * 12}|{'-' * 11}|{'-' * 16}|")
    for env_id, sps, reset_us, seeded_us in rows:
        print(f"| {env_id:<44} | {sps:>10,.0f} | {reset_us:>9.1f} | {seeded_us:>14.1f} |")
    target = next((r for r in rows if r[0] == TARGET_ID), None)
    if target is not None:
        ok_steps = target[1] >= TARGET_STEPS
        ok_reset = max(target[2], target[3]) / 1000 < TARGET_RESET_MS
        print(f"\n{TARGET_ID}: {target[1]:,.0f} steps/s (target >= {TARGET_STEPS:,}: "
              f"{'met' if ok_steps else 'MISSED'}), reset {max(target[2], target[3]) / 1000:.3f} ms "
              f"(target < {TARGET_RESET_MS} ms: {'met' if ok_reset else 'MISSED'})")


if __name__ == "__main__":
    main()
