"""Curricula: samplers that choose the next episode's level and seed from past outcomes.

Every sampler follows one protocol (:class:`Sampler`):

* ``next() -> (level, seed)``: the level (an item of the ``levels`` it was built with,
  for example a registered env id such as ``"agentic_gym/GridMaze-Easy-v0"``) and the
  reset seed of the next episode;
* ``update(level, seed, success, steps, oracle_steps)``: the outcome of an episode,
  reported in any order and any number of times (a batched collector reports episodes
  as they end, so several ``next()`` calls may be outstanding).

Three samplers:

* :class:`ThresholdSchedule`: stay on one level until the success rate over its last
  ``window`` episodes reaches ``bar``, then move to the next level.
* :class:`LearnabilitySampler`: sample levels with weight ``p (1 - p)``, ``p`` the
  level's recent success rate (with a Beta(1, 1) prior so unseen levels are tried): the
  levels the agent solves sometimes, but not always, are the ones it learns from.
* :class:`PrioritizedLevelReplay`: prioritised level replay (Jiang et al., 2021) over
  ``(level, seed)`` pairs scored by regret. Regret is exact here because every env has an
  oracle: ``1`` for a failure, else ``(steps - oracle_steps) / steps``, the share of the
  agent's steps the oracle did not need.

All randomness comes from one ``numpy.random.Generator`` built from ``seed``; a sampler
is a plain object whose state pickles, so a training run resumes exactly where it
stopped (``pickle.loads(pickle.dumps(sampler))`` continues the same sequence).

:func:`run` plays episodes chosen by a sampler with :func:`~agentic_gym.evaluation.runner.run_episode`.

Example:
    >>> from agentic_gym.agents import OracleAgent
    >>> sampler = ThresholdSchedule(["agentic_gym/GridMaze-Trivial-v0", "agentic_gym/GridMaze-Easy-v0"],
    ...                             seed=0, window=3, bar=1.0)
    >>> results = run(sampler, OracleAgent, episodes=4)
    >>> [r.level.split("/")[1] for r in results]
    ['GridMaze-Trivial-v0', 'GridMaze-Trivial-v0', 'GridMaze-Trivial-v0', 'GridMaze-Easy-v0']
    >>> all(r.success and r.steps == r.oracle_steps for r in results)
    True

How the other consumers use a sampler:

* ``rollouts.collect``: for each episode it starts, ``level, seed = sampler.next()``; it
  makes (or reuses) the env of ``level`` and resets it with ``seed``; when the episode
  ends it calls ``sampler.update(level, seed, trajectory.success, trajectory.steps,
  oracle_steps)`` with ``oracle_steps`` read from ``info["oracle_steps_left"]`` at reset
  (put :class:`~agentic_gym.wrappers.OracleSignals` on the env) or ``None``.
* The batched vector env: the levels are the tiers of one env, all of the same spaces;
  keep one vector env per level and draw each batch's level from the sampler, or, for
  envs whose generator reads its knobs at reset, pass the level's
  :class:`~agentic_gym.difficulty.Difficulty` knobs per sub-env.
* Trainer adapters: a dataset/environment provider calls ``next()`` where it would draw a
  seed and ``update(...)`` where it receives the episode's reward; the sampler's pickle
  goes into the trainer's checkpoint.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import gymnasium as gym
import numpy as np

__all__ = [
    "EpisodeResult",
    "LearnabilitySampler",
    "OracleStepsAtReset",
    "PrioritizedLevelReplay",
    "Sampler",
    "ThresholdSchedule",
    "UniformSampler",
    "VectorCurriculum",
    "level",
    "level_env",
    "make_level_env",
    "oracle_steps_of",
    "regret",
    "run",
]

_SEED_SPACE = 2**31 - 1


@runtime_checkable
class Sampler(Protocol):
    """The protocol of every curriculum: choose the next episode, learn from outcomes."""

    levels: tuple[Hashable, ...]

    def next(self) -> tuple[Any, int]:
        """The level and the reset seed of the next episode."""
        ...

    def update(self, level: Any, seed: int, success: bool, steps: int, oracle_steps: int | None) -> None:
        """Report the outcome of an episode played on ``level`` with ``seed``."""
        ...


# ---- levels ----------------------------------------------------------------------------


def level(env_id: str, **kwargs: Any) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """A hashable level made of a registered id and ``gym.make`` keyword arguments.

    Use it where a level must differ from every registered tier (any knob the env's
    constructor takes); ``gym.make(env_id, **kwargs)`` builds it.

    >>> level("agentic_gym/GridMaze-Easy-v0", size=11)
    ('agentic_gym/GridMaze-Easy-v0', (('size', 11),))
    """
    return env_id, tuple(sorted((name, _frozen_value(value)) for name, value in kwargs.items()))


def _frozen_value(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen_value(v) for v in value)
    return value


def level_env(level: Any, env_id: str | None = None) -> tuple[str, dict[str, Any]]:
    """The env id and ``gym.make`` keyword arguments a level stands for.

    A level is a registered id (``"agentic_gym/GridMaze-Easy-v0"``), a pair of an id and
    keyword arguments (``(id, {"size": 11})`` or :func:`level`'s ``(id, ((name, value),
    ...))``), or, when ``env_id`` is given, the keyword arguments alone (a mapping or
    pairs) for that id.

    Raises:
        ValueError: the level is none of these, or names an id that is not registered.

    >>> level_env("agentic_gym/GridMaze-Easy-v0")
    ('agentic_gym/GridMaze-Easy-v0', {})
    >>> level_env((("size", 11),), env_id="agentic_gym/GridMaze-Easy-v0")
    ('agentic_gym/GridMaze-Easy-v0', {'size': 11})
    """
    def kwargs_of(value: Any) -> dict[str, Any] | None:
        if isinstance(value, Mapping):
            pairs = list(value.items())
        elif isinstance(value, tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in value):
            pairs = list(value)
        else:
            return None
        if not all(isinstance(name, str) for name, _ in pairs):
            return None
        return dict(pairs)

    found: tuple[str, dict[str, Any]] | None = None
    if isinstance(level, str):
        found = (level, {})
    elif isinstance(level, tuple) and len(level) == 2 and isinstance(level[0], str):
        kwargs = kwargs_of(level[1])
        if kwargs is not None:
            found = (level[0], kwargs)
    if found is None and env_id is not None:
        kwargs = kwargs_of(level)
        if kwargs is not None:
            found = (env_id, kwargs)
    if found is None:
        raise ValueError(f"a level is a registered env id, (env id, keyword arguments) or, with an env id, keyword "
                         f"arguments; got {level!r}")
    if found[0] not in gym.registry:
        raise ValueError(f"level {level!r}: {found[0]!r} is not a registered env id (see `agentic-gym list`)")
    return found


class OracleStepsAtReset(gym.Wrapper):
    """Add ``oracle_steps_left`` to the reset ``info``: the oracle's steps to success from the start.

    What a curriculum's ``update`` needs (``oracle_steps``), at the cost of one oracle
    rollout on a copy of the env per reset; steps pass through untouched (the
    :class:`~agentic_gym.wrappers.OracleSignals` wrapper adds the count to every step;
    a reset info that already has it is left alone). The count is ``-1`` when the
    oracle does not reach success within the time limit.

    Example:
        >>> env = OracleStepsAtReset(gym.make("agentic_gym/GridMaze-Trivial-v0"))
        >>> env.reset(seed=0)[1]["oracle_steps_left"] > 0
        True
    """

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        from agentic_gym.wrappers.signals import oracle_rollout, step_limit

        observation, info = self.env.reset(**kwargs)
        if "oracle_steps_left" not in info:
            left = 0 if info.get("success") else oracle_rollout(self.env, step_limit(self.env))[0]
            info = {**info, "oracle_steps_left": left}
        return observation, info


def oracle_steps_of(reset_info: Mapping[str, Any]) -> int | None:
    """``reset_info["oracle_steps_left"]`` as the ``oracle_steps`` of ``update``: None when absent or -1."""
    left = reset_info.get("oracle_steps_left")
    if left is None or isinstance(left, bool):
        return None
    left = int(left)
    return left if left >= 0 else None


def make_level_env(level: Any, env_id: str | None = None, **make_kwargs: Any) -> Any:
    """``gym.make`` of a level (see :func:`level_env`) under :class:`OracleStepsAtReset`."""
    name, kwargs = level_env(level, env_id)
    return OracleStepsAtReset(gym.make(name, **{**make_kwargs, **kwargs}))


def regret(success: bool, steps: int, oracle_steps: int | None) -> float:
    """The regret of one episode in [0, 1]: 1 for a failure, else the share of wasted steps.

    ``(steps - oracle_steps) / steps`` for a success; 0 when the oracle's count is unknown
    (``None``) or the agent matched or beat it.

    >>> regret(False, 10, 5), regret(True, 10, 5), regret(True, 5, 5), regret(True, 3, None)
    (1.0, 0.5, 0.0, 0.0)
    """
    if not success:
        return 1.0
    if oracle_steps is None or steps <= 0 or oracle_steps < 0:
        return 0.0
    return max(0.0, (steps - oracle_steps) / steps)


def _check_levels(levels: Sequence[Hashable]) -> tuple[Hashable, ...]:
    levels = tuple(levels)
    if not levels:
        raise ValueError("levels must not be empty")
    if len(set(levels)) != len(levels):
        raise ValueError(f"levels must be distinct, got {levels!r}")
    return levels


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _check_unit(name: str, value: Any, *, low_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    if not (0.0 < value <= 1.0 if low_open else 0.0 <= value <= 1.0):
        raise ValueError(f"{name} must be in {'(0' if low_open else '[0'}, 1], got {value!r}")
    return float(value)


class _Base:
    """Levels, a seeded generator and level lookup shared by every sampler."""

    def __init__(self, levels: Sequence[Hashable], seed: int = 0):
        self.levels = _check_levels(levels)
        self._index = {level: i for i, level in enumerate(self.levels)}
        self.rng = np.random.default_rng(seed)
        self.episodes = 0

    def _level_index(self, level: Any) -> int:
        try:
            return self._index[level]
        except (KeyError, TypeError):
            raise ValueError(f"unknown level {level!r}; the levels are {self.levels!r}") from None

    def _new_seed(self) -> int:
        return int(self.rng.integers(_SEED_SPACE))

    def _check_outcome(self, level: Any, steps: Any, oracle_steps: Any) -> int:
        index = self._level_index(level)
        _check_int("steps", steps, 0)
        if oracle_steps is not None:
            _check_int("oracle_steps", oracle_steps, -1)
        self.episodes += 1
        return index


class UniformSampler(_Base):
    """No curriculum: every level equally likely, a fresh seed each episode (the baseline)."""

    def next(self) -> tuple[Any, int]:
        """A uniformly drawn level and a fresh seed."""
        return self.levels[int(self.rng.integers(len(self.levels)))], self._new_seed()

    def update(self, level: Any, seed: int, success: bool, steps: int, oracle_steps: int | None) -> None:
        """Count the episode; a uniform sampler learns nothing from it."""
        self._check_outcome(level, steps, oracle_steps)


class ThresholdSchedule(_Base):
    """Move up one level when success over the last ``window`` episodes reaches ``bar``.

    Only outcomes on the current level count; its window is cleared when the schedule
    moves. The schedule never moves down. ``current`` is the index of the current level.

    Args:
        levels: the levels from easiest to hardest.
        seed: the seed of every draw (episode seeds).
        window: the episodes a decision looks at (at least 1).
        bar: the success rate in (0, 1] that moves the schedule up.
    """

    def __init__(self, levels: Sequence[Hashable], seed: int = 0, window: int = 20, bar: float = 0.8):
        super().__init__(levels, seed)
        self.window = _check_int("window", window, 1)
        self.bar = _check_unit("bar", bar, low_open=True)
        self.current = 0
        self._recent: deque[bool] = deque(maxlen=self.window)

    def next(self) -> tuple[Any, int]:
        """The current level and a fresh seed."""
        return self.levels[self.current], self._new_seed()

    def update(self, level: Any, seed: int, success: bool, steps: int, oracle_steps: int | None) -> None:
        """Record the outcome; move up once the current level's window passes the bar."""
        index = self._check_outcome(level, steps, oracle_steps)
        if index != self.current:
            return
        self._recent.append(bool(success))
        full = len(self._recent) == self.window
        if full and sum(self._recent) >= self.bar * self.window and self.current < len(self.levels) - 1:
            self.current += 1
            self._recent.clear()


class LearnabilitySampler(_Base):
    """Sample levels with weight ``p (1 - p)``: the ones solved sometimes but not always.

    ``p`` is the posterior mean of a level's success rate over its last ``window``
    outcomes under a Beta(1, 1) prior, so a level never played has ``p = 0.5`` and the
    highest weight. ``explore`` is mixed in as a uniform share so no level starves.

    Args:
        levels: the levels (any order).
        seed: the seed of every draw.
        window: outcomes per level that ``p`` is estimated from.
        explore: the uniform share of the sampling distribution, in [0, 1].
    """

    def __init__(self, levels: Sequence[Hashable], seed: int = 0, window: int = 32, explore: float = 0.05):
        super().__init__(levels, seed)
        self.window = _check_int("window", window, 1)
        self.explore = _check_unit("explore", explore)
        self._recent: list[deque[bool]] = [deque(maxlen=self.window) for _ in self.levels]

    def success_rates(self) -> np.ndarray:
        """Each level's estimated success rate ``p``."""
        wins = np.array([sum(r) for r in self._recent], dtype=float)
        played = np.array([len(r) for r in self._recent], dtype=float)
        return (wins + 1.0) / (played + 2.0)

    def probabilities(self) -> np.ndarray:
        """The distribution ``next()`` draws levels from."""
        p = self.success_rates()
        weights = p * (1.0 - p)
        uniform = np.full(len(self.levels), 1.0 / len(self.levels))
        return (1.0 - self.explore) * weights / weights.sum() + self.explore * uniform

    def next(self) -> tuple[Any, int]:
        """A level drawn by learnability and a fresh seed."""
        index = int(self.rng.choice(len(self.levels), p=self.probabilities()))
        return self.levels[index], self._new_seed()

    def update(self, level: Any, seed: int, success: bool, steps: int, oracle_steps: int | None) -> None:
        """Add the outcome to the level's window."""
        index = self._check_outcome(level, steps, oracle_steps)
        self._recent[index].append(bool(success))


class PrioritizedLevelReplay(_Base):
    """Prioritised level replay over ``(level, seed)`` pairs, scored by exact regret.

    With probability ``replay_prob`` (once at least ``min_replay`` pairs are scored) the
    next episode replays a seen pair, drawn from a mix of rank-based priority on its
    score (weight ``rank ** (-1 / temperature)``) and staleness (episodes since it was
    last played), ``staleness`` being the mix's share; otherwise it plays a new pair: a
    uniformly drawn level with a fresh seed. A pair's score is an exponential moving
    average (``alpha``) of :func:`regret`. The buffer keeps the ``capacity``
    highest-scoring pairs.

    Args:
        levels: the levels.
        seed: the seed of every draw.
        replay_prob: the chance to replay, in [0, 1].
        temperature: the rank temperature (> 0; smaller replays the top pairs more).
        staleness: the staleness share of the replay distribution, in [0, 1].
        alpha: the weight of a new regret in a pair's score, in (0, 1].
        capacity: the most pairs kept.
        min_replay: the scored pairs needed before any replay.
    """

    def __init__(
        self,
        levels: Sequence[Hashable],
        seed: int = 0,
        replay_prob: float = 0.5,
        temperature: float = 0.3,
        staleness: float = 0.1,
        alpha: float = 1.0,
        capacity: int = 1000,
        min_replay: int = 8,
    ):
        super().__init__(levels, seed)
        self.replay_prob = _check_unit("replay_prob", replay_prob)
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature > 0:
            raise ValueError(f"temperature must be a positive number, got {temperature!r}")
        self.temperature = float(temperature)
        self.staleness = _check_unit("staleness", staleness)
        self.alpha = _check_unit("alpha", alpha, low_open=True)
        self.capacity = _check_int("capacity", capacity, 1)
        self.min_replay = _check_int("min_replay", min_replay, 1)
        # (level index, seed) -> [score, episode of the last play]
        self.scores: dict[tuple[int, int], list[float]] = {}

    def replay_distribution(self) -> tuple[list[tuple[int, int]], np.ndarray]:
        """The buffer's pairs and the probability of replaying each."""
        pairs = list(self.scores)
        score = np.array([self.scores[p][0] for p in pairs])
        last = np.array([self.scores[p][1] for p in pairs])
        order = np.argsort(-score, kind="stable")
        ranks = np.empty(len(pairs))
        ranks[order] = np.arange(1, len(pairs) + 1)
        priority = ranks ** (-1.0 / self.temperature)
        priority /= priority.sum()
        stale = self.episodes - last
        stale_share = stale / stale.sum() if stale.sum() > 0 else np.full(len(pairs), 1.0 / len(pairs))
        return pairs, (1.0 - self.staleness) * priority + self.staleness * stale_share

    def next(self) -> tuple[Any, int]:
        """A replayed pair with probability ``replay_prob``, else a new level and seed."""
        replay = self.rng.random() < self.replay_prob
        if replay and len(self.scores) >= self.min_replay:
            pairs, probabilities = self.replay_distribution()
            index, seed = pairs[int(self.rng.choice(len(pairs), p=probabilities))]
            return self.levels[index], seed
        return self.levels[int(self.rng.integers(len(self.levels)))], self._new_seed()

    def update(self, level: Any, seed: int, success: bool, steps: int, oracle_steps: int | None) -> None:
        """Score the pair with the episode's regret; drop the lowest-scoring pair when full."""
        index = self._check_outcome(level, steps, oracle_steps)
        _check_int("seed", seed, 0)
        value = regret(bool(success), int(steps), oracle_steps)
        key = (index, int(seed))
        if key in self.scores:
            old = self.scores[key][0]
            self.scores[key] = [(1.0 - self.alpha) * old + self.alpha * value, float(self.episodes)]
        else:
            self.scores[key] = [value, float(self.episodes)]
        if len(self.scores) > self.capacity:
            lowest = min(self.scores, key=lambda k: (self.scores[k][0], self.scores[k][1]))
            del self.scores[lowest]


def _oracle_count(env: Any, limit: int) -> int | None:
    """The oracle's steps to success on ``env`` (stepped: pass a copy), None when it does not get there."""
    for steps in range(1, limit + 1):
        _, _, terminated, _, info = env.step(env.oracle_action())
        if info.get("success"):
            return steps
        if terminated:
            return None
    return None


class VectorCurriculum:
    """A sampler choosing each sub-env's level and seed in a batched grid vector env.

    The vector env (:class:`~agentic_gym.envs.grid.vector.GridVectorEnv`, made with
    ``levels=[...]``, tiers that share the spaces) plays each sub-env's level exactly as
    the single env of that level would. This driver asks the sampler for every sub-env's
    first episode at :meth:`reset` and, each time a sub-env's episode ends, reports it
    (``update(level, seed, success, steps, oracle_steps)``) and schedules the sampler's
    next choice for that sub-env's autoreset (so the vector env must autoreset in
    ``NEXT_STEP`` mode, its default). ``oracle_steps`` is counted at each episode's start
    by the oracle on a copy of the sub-env (``count_oracle=False`` reports None).

    Deterministic for given seeds and actions: the sub-envs that end in the same step
    are reported and redrawn in index order.

    Args:
        envs: the vector env.
        sampler: its levels must be levels of ``envs`` (ids of :attr:`levels` or indices).
        count_oracle: count the oracle's steps at each episode's start.

    Example:
        >>> from agentic_gym.envs.grid.vector import GridMazeVector
        >>> tiers = ["agentic_gym/GridMaze-Trivial-v0", "agentic_gym/GridMaze-Easy-v0"]
        >>> envs = GridMazeVector(num_envs=2, levels=tiers)
        >>> driver = VectorCurriculum(envs, ThresholdSchedule(tiers, seed=0, window=2, bar=1.0))
        >>> obs, info = driver.reset()
        >>> for _ in range(60):
        ...     obs, reward, terminated, truncated, info = driver.step(envs.oracle_action())
        >>> driver.sampler.current, [level.split("/")[1] for level, _ in driver.current]
        (1, ['GridMaze-Easy-v0', 'GridMaze-Easy-v0'])
    """

    def __init__(self, envs: Any, sampler: Any, count_oracle: bool = True):
        from gymnasium.vector import AutoresetMode

        if getattr(envs, "autoreset_mode", AutoresetMode.NEXT_STEP) != AutoresetMode.NEXT_STEP:
            raise ValueError("VectorCurriculum needs a vector env that autoresets in NEXT_STEP mode")
        if not callable(getattr(envs, "schedule", None)):
            raise ValueError(f"{type(envs).__name__} cannot give its sub-envs levels (no schedule())")
        for level in getattr(sampler, "levels", ()):
            envs.level_index(level)
        self.envs = envs
        self.sampler = sampler
        self.count_oracle = bool(count_oracle)
        n = envs.num_envs
        #: The (level, seed) each sub-env is playing.
        self.current: list[tuple[Any, int]] = []
        self.steps = np.zeros(n, dtype=np.int64)
        self.oracle_steps: list[int | None] = [None] * n
        self._restarting = np.zeros(n, dtype=bool)

    def _draw(self, i: int) -> tuple[Any, int]:
        level, seed = self.sampler.next()
        self.envs.schedule([i], level, seed)
        return level, int(seed)

    def _started(self, i: int) -> None:
        self.steps[i] = 0
        if self.count_oracle:
            limit = self.envs.time_limit if np.ndim(self.envs.time_limit) == 0 else self.envs.time_limit[i]
            self.oracle_steps[i] = _oracle_count(self.envs.single(i), int(limit))

    def reset(self) -> tuple[Any, dict[str, Any]]:
        """Draw every sub-env's level and seed from the sampler and reset the batch."""
        self.current = [self._draw(i) for i in range(self.envs.num_envs)]
        observation, info = self.envs.reset()
        for i in range(self.envs.num_envs):
            self._started(i)
        self._restarting[:] = False
        return observation, info

    def step(self, actions: Any) -> tuple[Any, Any, Any, Any, dict[str, Any]]:
        """Step the batch; report every episode that ends and schedule the sampler's next choice."""
        observation, reward, terminated, truncated, info = self.envs.step(actions)
        for i in np.flatnonzero(self._restarting).tolist():
            self._started(i)  # the autoreset step: the sub-env began its scheduled episode
        self.steps[~self._restarting] += 1
        ended = np.asarray(terminated) | np.asarray(truncated)
        for i in np.flatnonzero(ended).tolist():
            level, seed = self.current[i]
            self.sampler.update(level, seed, bool(info["success"][i]), int(self.steps[i]), self.oracle_steps[i])
            self.current[i] = self._draw(i)
        self._restarting = ended
        return observation, reward, terminated, truncated, info


@dataclass(frozen=True)
class EpisodeResult:
    """One episode :func:`run` played: what the sampler chose and what it was told."""

    level: Any
    seed: int
    success: bool
    steps: int
    oracle_steps: int | None


def run(
    sampler: Sampler,
    agent_factory: Any,
    episodes: int,
    *,
    make_env: Callable[[Any], Any] | None = None,
    on_episode: Callable[[EpisodeResult, Any], None] | None = None,
    until: Callable[[EpisodeResult], bool] | None = None,
) -> list[EpisodeResult]:
    """Play ``episodes`` episodes chosen by ``sampler`` and report each outcome to it.

    Args:
        sampler: any :class:`Sampler`.
        agent_factory: an agent, or a factory ``(env, seed) -> agent`` built per episode
            (the convention of :func:`agentic_gym.evaluate`).
        episodes: how many episodes to play.
        make_env: builds the env of a level; by default :func:`make_level_env` (the level
            is an id, an (id, kwargs) pair or :func:`level`; :class:`OracleStepsAtReset`
            supplies ``oracle_steps``). One env per level is made and reused.
        on_episode: called with each result and its trajectory (a learner's update hook).
        until: stop early after an episode whose result it returns True for.

    The envs are closed before returning.
    """
    from agentic_gym.evaluation.runner import build_agent, run_episode

    episodes = _check_int("episodes", episodes, 0)
    if make_env is None:
        make_env = make_level_env
    envs: dict[Any, Any] = {}
    results: list[EpisodeResult] = []
    try:
        for _ in range(episodes):
            level, seed = sampler.next()
            if level not in envs:
                envs[level] = make_env(level)
            env = envs[level]
            agent = build_agent(agent_factory, env, seed)
            trajectory = run_episode(agent, env, seed)
            oracle_steps = oracle_steps_of(trajectory.reset_info)
            result = EpisodeResult(level, seed, trajectory.success, trajectory.steps, oracle_steps)
            sampler.update(level, seed, result.success, result.steps, oracle_steps)
            results.append(result)
            if on_episode is not None:
                on_episode(result, trajectory)
            if until is not None and until(result):
                break
    finally:
        for env in envs.values():
            env.close()
    return results
