"""Multi-agent speed: Negotiation and CoopKeyDoor beside PettingZoo classic games in the same run.

Run with ``python benchmarks/bench_multi.py`` (``--quick`` for a short run). Every
figure is the median over ``--repeats`` runs, timed in process (CPU) time by default
(``--clock wall`` for wall time): the benchmark machine is shared.

Measured:

* **AEC steps/s**: the standard loop ``for agent in env.agent_iter(): env.last();
  env.step(action)`` through each module's ``env()`` (PettingZoo's wrappers
  included), resetting when an episode ends. ``last()`` builds the observation, so
  our figures include the text (and for CoopKeyDoor the view and image). Actions:
  our envs draw from each agent's action space (Negotiation's ``CommandSpace``
  samples commands of every affordance, most proposals invalid as in early
  training; CoopKeyDoor's ``Discrete(20)``); the classic games draw uniformly from
  the legal moves of the observation's ``action_mask``. Actions are drawn before the
  clock starts.
* **ratio** of each of our envs to the classic game of similar size: tic-tac-toe
  (9 moves, ~9 steps per episode) for Negotiation, connect four (7 moves, a 6x7
  board) for CoopKeyDoor.
* **Negotiation step**: microseconds per ``raw_env.step`` alone (no observation
  built), the same sampled commands; target under 20 us.

A Negotiation reset enumerates the pool (about 0.3 ms for two players, 0.7 ms for
three); its solution is cached per (pool, valuations), which training revisits often,
so the AEC figures include resets at their steady-state cost.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np  # noqa: E402

from agentic_gym.envs.multi import coop_keydoor_v0, negotiation_v0  # noqa: E402

CLOCK: Callable[[], float] = time.process_time
TARGET_STEP_US = 20.0


def classic(name: str) -> Any:
    """A PettingZoo classic module, or None when its extras are missing."""
    import importlib
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return importlib.import_module(f"pettingzoo.classic.{name}")
        except ImportError:
            return None


def draw_actions(env: Any, count: int, seed: int) -> list[Any]:
    """``count`` actions sampled from the first agent's action space (all agents share one kind)."""
    space = env.action_space(env.possible_agents[0])
    space.seed(seed)
    actions = [space.sample() for _ in range(count)]
    return [int(a) if isinstance(a, np.integer) else a for a in actions]


def aec_steps_per_second(make: Callable[[], Any], steps: int, masked: bool, seed: int = 0) -> float:
    """Steps/s of the standard AEC loop; ``masked`` draws legal moves from the action mask."""
    env = make()
    env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    actions = None if masked else draw_actions(env, steps, seed)
    choices = rng.random(steps).tolist()
    done = 0
    start = CLOCK()
    while done < steps:
        for _agent in env.agent_iter():
            obs, reward, terminated, truncated, info = env.last()
            if terminated or truncated:
                action = None
            elif masked:
                legal = np.flatnonzero(obs["action_mask"])
                action = int(legal[int(choices[done] * len(legal))])
            else:
                action = actions[done]
            env.step(action)
            done += 1
            if done >= steps:
                break
        else:
            env.reset()
    return steps / (CLOCK() - start)


def negotiation_step_us(variant: str, steps: int, seed: int = 0) -> float:
    """Microseconds per ``raw_env.step`` (no observation built), sampled commands."""
    env = negotiation_v0.raw_env(variant=variant, max_cycles=100)
    actions = draw_actions(env, steps, seed)
    env.reset(seed=seed)
    elapsed = 0.0
    done = 0
    while done < steps:
        start = CLOCK()
        while done < steps and not (env.terminations[env.agent_selection] or env.truncations[env.agent_selection]):
            env.step(actions[done])
            done += 1
        elapsed += CLOCK() - start
        env.reset()
    return elapsed / steps * 1e6


def median(fn: Callable[[int], float], repeats: int) -> float:
    """The median of ``fn(seed)`` over seeds ``0 .. repeats - 1`` (each repeat plays other episodes)."""
    return statistics.median(fn(seed) for seed in range(repeats))


def main() -> None:
    global CLOCK
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2000 steps, 1 repeat")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    args = parser.parse_args()
    if args.quick:
        args.steps, args.repeats = 2000, 1
    if args.clock == "wall":
        CLOCK = time.perf_counter
    tictactoe, connect_four = classic("tictactoe_v3"), classic("connect_four_v3")
    rows: list[tuple[str, float, str]] = []
    baselines: dict[str, float] = {}
    for name, module in (("tictactoe_v3", tictactoe), ("connect_four_v3", connect_four)):
        if module is None:
            print(f"{name}: not installed (pip install 'pettingzoo[classic]')")
            continue
        baselines[name] = median(lambda seed, m=module: aec_steps_per_second(m.env, args.steps, True, seed), args.repeats)
        rows.append((f"pettingzoo {name}", baselines[name], ""))
    for label, make, baseline in (
        ("Negotiation-2p", lambda: negotiation_v0.env(variant="2p"), "tictactoe_v3"),
        ("Negotiation-3p", lambda: negotiation_v0.env(variant="3p"), "tictactoe_v3"),
        ("CoopKeyDoor-8x8", lambda: coop_keydoor_v0.env(variant="8x8"), "connect_four_v3"),
        ("CoopKeyDoor-12x12", lambda: coop_keydoor_v0.env(variant="12x12"), "connect_four_v3"),
    ):
        rate = median(lambda seed, mk=make: aec_steps_per_second(mk, args.steps, False, seed), args.repeats)
        ratio = f"{rate / baselines[baseline]:.2f}x {baseline}" if baseline in baselines else ""
        rows.append((label, rate, ratio))
    print(f"AEC steps/s ({args.clock} time, median of {args.repeats}, {args.steps} steps):")
    print(f"| {'env':<28} | {'steps/s':>10} | ratio |")
    print(f"|{'-' * 30}|{'-' * 12}|-------|")
    for label, rate, ratio in rows:
        print(f"| {label:<28} | {rate:>10,.0f} | {ratio} |")
    for variant in ("2p", "3p"):
        micros = median(lambda seed, v=variant: negotiation_step_us(v, args.steps, seed), args.repeats)
        verdict = "meets" if micros < TARGET_STEP_US else "misses"
        print(f"Negotiation-{variant} raw step: {micros:.1f} us ({verdict} the {TARGET_STEP_US:.0f} us target)")


if __name__ == "__main__":
    main()
