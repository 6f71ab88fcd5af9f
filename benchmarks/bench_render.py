"""Rendering cost per frame of every registered env, and of the transcript panel alone.

Run ``python benchmarks/bench_render.py`` (``--frames N`` for more samples; headless by
default). For each env, ``rgb_array`` frames are timed in two ways: ``after step`` renders
once after each step (new text to wrap and draw, as when recording an episode) and
``again`` renders the same state repeatedly (everything cached). Times are medians in
milliseconds; only ``render()`` is timed, never ``step()``. Target: a text env frame
well under 1 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

TARGET_TEXT_FRAME_MS = 1.0


def median_ms(samples: list[float]) -> float:
    return 1000 * statistics.median(samples)


def bench_env(env_id: str, frames: int, seed: int = 0) -> dict[str, float | str]:
    import gymnasium as gym
    from gymnasium import spaces

    env = gym.make(env_id, render_mode="rgb_array")
    env.reset(seed=seed)
    env.action_space.seed(seed)
    env.render()  # the first frame loads fonts and tiles; it is not what a frame costs
    clock = time.perf_counter
    after_step, again = [], []
    for index in range(frames):
        action = env.unwrapped.oracle_action() if index % 2 else env.action_space.sample()
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            env.reset()
        start = clock()
        frame = env.render()
        after_step.append(clock() - start)
        start = clock()
        env.render()
        again.append(clock() - start)
    kind = "grid" if isinstance(env.unwrapped.action_space, spaces.Discrete) else "text"
    env.close()
    return {"id": env_id, "kind": kind, "size": f"{frame.shape[1]}x{frame.shape[0]}",
            "after_step": median_ms(after_step), "again": median_ms(again)}


def bench_panel(frames: int) -> tuple[float, float]:
    """The TranscriptPanel alone at 640x480: a growing transcript, and a repeated one."""
    from agentic_gym.core import TranscriptPanel

    panel = TranscriptPanel(640, 480, title="Bench")
    entries = [("env", "You are in the hall. Exits lead north and east; a red key lies on the floor.")]
    panel.frame(entries)
    clock = time.perf_counter
    growing, repeated = [], []
    for index in range(frames):
        entries = entries + [("agent", "go north"), ("env", f"Step {index}: the corridor goes on. " * 3)]
        start = clock()
        panel.frame(entries)
        growing.append(clock() - start)
        start = clock()
        panel.frame(entries)
        repeated.append(clock() - start)
    return median_ms(growing), median_ms(repeated)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=200, help="frames timed per env")
    parser.add_argument("--filter", default="", help="only ids containing this text")
    args = parser.parse_args()
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import warnings

    warnings.simplefilter("ignore")
    import agentic_gym  # noqa: F401  (registers the ids)
    from agentic_gym.envs import registered_ids

    growing, repeated = bench_panel(args.frames)
    print(f"TranscriptPanel 640x480: {growing:.3f} ms per frame with a new entry, {repeated:.3f} ms repeated")
    rows = [bench_env(env_id, args.frames) for env_id in registered_ids() if args.filter in env_id]
    width = max([len(r["id"]) for r in rows] + [2])
    print(f"{'id':<{width}}  kind  size      after step ms  again ms")
    for row in rows:
        print(f"{row['id']:<{width}}  {row['kind']:<4}  {row['size']:<8}  {row['after_step']:>13.3f}  {row['again']:>8.3f}")
    text = [r["after_step"] for r in rows if r["kind"] == "text"]
    if text:
        worst = max(text)
        verdict = "meets" if worst < TARGET_TEXT_FRAME_MS else "MISSES"
        print(f"slowest text env frame after a step: {worst:.3f} ms ({verdict} the {TARGET_TEXT_FRAME_MS} ms target)")


if __name__ == "__main__":
    main()
