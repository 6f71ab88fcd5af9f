"""Potential-based reward shaping from the oracle's distance to success.

Rewards under :class:`PotentialShaping` may leave [0, 1]: it is the second exception to
DESIGN item 8, beside ``ParseAction(on_invalid="penalty")``.
"""

from __future__ import annotations

from typing import Any, SupportsFloat

import gymnasium as gym

from agentic_gym.wrappers.signals import OracleSignals


def _signals_in(env: gym.Env) -> OracleSignals | None:
    """The :class:`OracleSignals` in ``env``'s wrapper chain, if any."""
    while isinstance(env, gym.Wrapper):
        if isinstance(env, OracleSignals):
            return env
        env = env.env
    return None


class PotentialShaping(gym.Wrapper):
    """Add ``F = gamma * Phi(s') - Phi(s)`` to every reward, with ``Phi`` from the oracle.

    ``Phi(s) = -oracle_steps_left(s) / H``, where ``H`` is the episode's time limit
    (``max_episode_steps``): the potential lies in ``[-1, 0]``, 0 once solved, and
    ``-1`` where success is out of reach (``oracle_steps_left == -1``; the oracle never
    needs more than ``H`` steps, so every reachable state lies above it). Following
    Ng, Harada and Russell (1999), a terminal state has potential 0 whatever it is
    (a truncated one keeps its own), so along any episode the shaping terms telescope
    to ``gamma**T * Phi(s_T) - Phi(s_0)`` and the optimal policies of the shaped and
    the original task are the same; a shortest path gains ``1 - gamma`` per step less
    the distance it closes, so progress pays now instead of only at the end.

    The distance comes from :class:`OracleSignals` (one is added under this wrapper
    if the chain has none), so its ``info`` keys are there too; ``info`` also gets
    ``shaping`` (F) and ``potential`` (``Phi(s')``).

    **Rewards leave [0, 1]**: F is negative for a step that moves away from success,
    and a step's reward can reach ``1 + gamma``. This is the second documented
    exception to DESIGN item 8 (the first is ``ParseAction(on_invalid="penalty")``).
    Where the oracle's count is only a bound (``oracle_steps_exact`` False) the
    shaping is still potential-based, so optimal policies are still unchanged; only
    its guidance is less sharp.

    Args:
        env: a single-agent agentic-gym env.
        gamma: the discount the learner uses, in (0, 1].

    Example:
        >>> import gymnasium as gym
        >>> import agentic_gym
        >>> env = PotentialShaping(gym.make("agentic_gym/GridMaze-9x9-v0"), gamma=0.99)
        >>> obs, info = env.reset(seed=0)
        >>> obs, reward, *_, info = env.step(env.unwrapped.oracle_action())
        >>> reward > 0, info["shaping"] == reward
        (True, True)
    """

    def __init__(self, env: gym.Env, gamma: float = 0.99):
        if not 0.0 < float(gamma) <= 1.0:
            raise ValueError(f"gamma must be in (0, 1], got {gamma!r}")
        signals = _signals_in(env)
        if signals is None:
            env = signals = OracleSignals(env)
        super().__init__(env)
        self.gamma = float(gamma)
        self.horizon = signals.limit
        self._potential = 0.0

    def potential(self, steps_left: int) -> float:
        """``Phi`` of a state ``steps_left`` oracle steps from success (-1: out of reach)."""
        if steps_left < 0:
            return -1.0
        return -min(steps_left, self.horizon) / self.horizon

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        obs, info = self.env.reset(**kwargs)
        self._potential = self.potential(info["oracle_steps_left"])
        return obs, {**info, "potential": self._potential}

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        after = 0.0 if terminated else self.potential(info["oracle_steps_left"])
        shaping = self.gamma * after - self._potential
        self._potential = after
        return obs, float(reward) + shaping, terminated, truncated, {**info, "shaping": shaping, "potential": after}
