"""A learner whose skill grows with practice, trained with and without a curriculum.

The levels are the GridMaze tiers (Trivial 5x5 to Hard 21x21). The scripted learner
plays real episodes: at each step it takes the oracle's move with probability ``skill``
and a random action otherwise, so its success on a tier falls with the tier's path
length. It has only a sparse reward to learn from: every *success* raises its skill by
``rate * oracle_steps / 100 * (1 - skill)`` (a longer solved maze teaches more, and
failures teach nothing). The episode's step budget is twice the oracle's path plus ten
(a learner that wanders gives up), so a weak learner fails the large mazes every time.

Four ways to choose episodes, each for at most ``--episodes`` episodes:

* ``target only``: always the target tier (no curriculum);
* ``uniform``: every tier equally often;
* ``threshold``: :class:`~agentic_gym.curriculum.ThresholdSchedule` (move up after 80 %
  success over 10 episodes);
* ``learnability``: :class:`~agentic_gym.curriculum.LearnabilitySampler` (weight ``p (1 - p)``);
* ``plr``: :class:`~agentic_gym.curriculum.PrioritizedLevelReplay` (regret against the oracle).

Reported: the episodes until the learner's skill reaches the level at which it solves the
target tier 80 % of the time (measured beforehand by playing that tier at fixed skills).

Measured (``--episodes 600 --seed 0``): 80 % on GridMaze-Hard needs skill 0.60 (the learner
starts at 0.30); episodes to get there: target only never (skill still 0.30 after 600),
uniform 290, threshold 147, learnability 226, prioritised level replay 326.

Run: ``python examples/curriculum.py`` (about a minute; ``--episodes`` and ``--seed`` change it).
"""

from __future__ import annotations

import argparse
import copy
from typing import Any

import gymnasium as gym
import numpy as np

from agentic_gym import curriculum
from agentic_gym.agents import OracleAgent
from agentic_gym.evaluation.runner import run_episode

LEVELS = tuple(f"agentic_gym/GridMaze-{tier}-v0" for tier in ("Trivial", "Easy", "Medium", "Hard"))
TARGET = LEVELS[-1]


class Learner:
    """Follows the oracle with probability ``skill`` per step, else acts at random."""

    def __init__(self, skill: float = 0.3, rate: float = 0.05, seed: int = 0):
        self.skill = skill
        self.rate = rate
        self.rng = np.random.default_rng(seed)

    def agent(self, env: gym.Env, seed: int) -> Any:
        """The agent of one episode (a factory in the sense of :func:`agentic_gym.evaluate`)."""
        oracle = OracleAgent(env, seed=seed)
        learner = self

        class Agent:
            def reset(self, info: dict[str, Any]) -> None:
                oracle.reset(info)

            def act(self, observation: Any, info: dict[str, Any]) -> Any:
                move = oracle.act(observation, info)
                if learner.rng.random() < learner.skill:
                    return move
                return int(learner.rng.integers(env.action_space.n))

        return Agent()

    def learn(self, success: bool, oracle_steps: int | None) -> None:
        """A success raises the skill in proportion to the path it solved; a failure teaches nothing."""
        if success and oracle_steps:
            self.skill += self.rate * oracle_steps / 100 * (1.0 - self.skill)


class PatientEnv(gym.Wrapper):
    """Report the oracle's path length at reset; end the episode after twice that plus ten steps.

    The path is measured once per episode by letting the oracle play a copy of the env
    (cheaper here than :class:`~agentic_gym.wrappers.OracleSignals`, which measures at every step).
    """

    def reset(self, **kwargs: Any) -> Any:
        observation, info = self.env.reset(**kwargs)
        twin = copy.deepcopy(self.env.unwrapped)
        path = 0
        done = False
        while not done:
            _, _, terminated, truncated, _ = twin.step(twin.oracle_action())
            path += 1
            done = terminated or truncated
        self._left = 2 * path + 10
        return observation, {**info, "oracle_steps_left": path}

    def step(self, action: Any) -> Any:
        observation, reward, terminated, truncated, info = self.env.step(action)
        self._left -= 1
        return observation, reward, terminated, truncated or self._left <= 0, info


def make_env(level: str) -> gym.Env:
    return PatientEnv(gym.make(level))


def success_rate(skill: float, level: str, episodes: int = 40) -> float:
    """The learner's success on ``level`` at a fixed ``skill``."""
    env = make_env(level)
    learner = Learner(skill=skill, rate=0.0, seed=123)
    wins = sum(run_episode(learner.agent(env, s), env, 10_000 + s).success for s in range(episodes))
    env.close()
    return wins / episodes


def skill_needed(level: str, goal: float = 0.8) -> float:
    """The least skill (on a 0.05 grid) with which the learner solves ``level`` ``goal`` of the time."""
    for skill in np.arange(0.5, 1.0001, 0.05):
        if success_rate(float(skill), level) >= goal:
            return float(skill)
    return 1.0


def train(sampler: curriculum.Sampler, needed: float, episodes: int, seed: int) -> tuple[int | None, float]:
    """Episodes until the learner's skill reaches ``needed`` (None if it never does), and its final skill."""
    learner = Learner(seed=seed)

    def on_episode(result: curriculum.EpisodeResult, trajectory: Any) -> None:
        learner.learn(result.success, result.oracle_steps)

    results = curriculum.run(sampler, learner.agent, episodes, make_env=make_env, on_episode=on_episode,
                             until=lambda result: learner.skill >= needed)
    return (len(results) if learner.skill >= needed else None), learner.skill


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, default=1500, help="most episodes per run (default 1500)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    needed = skill_needed(TARGET)
    print(f"target {TARGET}: 80 % success needs skill {needed:.2f} (the learner starts at 0.30)")
    samplers = {
        "target only": curriculum.ThresholdSchedule((TARGET,), seed=args.seed),
        "uniform": curriculum.UniformSampler(LEVELS, seed=args.seed),
        "threshold": curriculum.ThresholdSchedule(LEVELS, seed=args.seed, window=10, bar=0.8),
        "learnability": curriculum.LearnabilitySampler(LEVELS, seed=args.seed, window=16),
        "plr": curriculum.PrioritizedLevelReplay(LEVELS, seed=args.seed),
    }
    print(f"{'sampler':<14} {'episodes to target':>18} {'final skill':>11}")
    reached = {}
    for name, sampler in samplers.items():
        episodes, skill = train(sampler, needed, args.episodes, args.seed)
        shown = str(episodes) if episodes is not None else f"> {args.episodes}"
        print(f"{name:<14} {shown:>18} {skill:>11.2f}")
        if episodes is not None and name != "target only":
            reached[name] = episodes
    if reached:
        best = min(reached, key=reached.__getitem__)
        print(f"solved: the {best} curriculum brought the learner to {TARGET} in {reached[best]} episodes")
    else:
        print(f"no curriculum reached {TARGET} within {args.episodes} episodes")


if __name__ == "__main__":
    main()
