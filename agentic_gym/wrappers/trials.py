"""Trials: play the same hidden task k times in a row, to measure learning across episodes.

Example:
    >>> import gymnasium as gym
    >>> import agentic_gym
    >>> env = Trials(gym.make("agentic_gym/GridDecoyKeyDoor-6x6-v0"), k=2)
    >>> obs, info = env.reset(seed=7)
    >>> info["trial"], info["task_seed"]
    (1, 7)
    >>> obs["text"].splitlines()[0]
    'Trial 1 of 2 of the same task: the world and its hidden rules stay the same in every trial.'
    >>> while True:
    ...     obs, reward, terminated, truncated, info = env.step(env.get_wrapper_attr("oracle_action")())
    ...     if terminated or truncated:
    ...         break
    >>> obs, info = env.reset()
    >>> info["trial"], info["task_seed"]
    (2, 7)
    >>> obs["text"].splitlines()[1]
    'Your previous trial (1 of 2) succeeded after 14 steps (return 0.96).'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from agentic_gym.core import text_space

#: The most trials of one task.
MAX_TRIALS = 100
#: Room the trial header takes in ``obs["text"]``.
HEADER_CHARS = 240


@dataclass(frozen=True)
class TrialOutcome:
    """How one trial ended, as the next trial's header reports it."""

    trial: int
    success: bool
    steps: int
    episode_return: float
    truncated: bool

    def sentence(self, trials: int) -> str:
        """``Your previous trial (1 of 3) failed after 12 steps (return 0.00).``"""
        verdict = "succeeded" if self.success else "ran out of time" if self.truncated else "failed"
        return (
            f"Your previous trial ({self.trial} of {trials}) {verdict} after {self.steps} "
            f"step{'s' if self.steps != 1 else ''} (return {self.episode_return:.2f})."
        )


class Trials(gym.Wrapper):
    """The same hidden task (the same reset seed) played ``k`` times in a row.

    ``reset(seed=s)`` starts a new task, seeded ``s``, at trial 1; ``reset()`` without a
    seed starts the next trial of the same task (the wrapped env is reset with the
    task's seed again, so its world and hidden rules are the same), and after the k-th
    trial a new task whose seed is drawn from the last one's. The first line of each
    trial's first ``obs["text"]`` says which trial this is; from trial 2 on, the second
    line says how the previous one ended (success, steps, return) and nothing more:
    what the agent learnt must come from its own memory, e.g. ``NotesMemory(Trials(env,
    k), persist=True)``, whose notes survive the resets (build a fresh stack per task:
    a lesson holds for one task's seed only). The harness that scores this is
    :func:`agentic_gym.evaluation.trials.evaluate_trials`.

    ``info`` of every reset and step adds ``trial`` (1..k), ``trials`` (k) and
    ``task_seed``. Observations without a ``"text"`` key pass through unchanged.

    Args:
        env: any agentic-gym env (or wrapper stack).
        k: trials per task, 1 to :data:`MAX_TRIALS`.
    """

    def __init__(self, env: gym.Env, k: int):
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= MAX_TRIALS:
            raise ValueError(f"k must be an integer in [1, {MAX_TRIALS}], got {k!r}")
        super().__init__(env)
        self.k = int(k)
        self.trial = 0
        self.task_seed: int | None = None
        self.previous: TrialOutcome | None = None
        self._steps = 0
        self._return = 0.0
        self._success = False
        space = env.observation_space
        text = space.spaces.get("text") if isinstance(space, spaces.Dict) else None
        if isinstance(space, spaces.Dict) and isinstance(text, spaces.Text):
            self.observation_space = spaces.Dict(
                {**space.spaces, "text": text_space(text.max_length + HEADER_CHARS)}
            )

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        if seed is not None or self.task_seed is None or self.trial >= self.k:
            if seed is None:
                seed = self._next_task_seed()
            self.task_seed, self.trial, self.previous = int(seed), 1, None
        else:
            self.trial += 1
        self._steps, self._return, self._success = 0, 0.0, False
        obs, info = self.env.reset(seed=self.task_seed, options=options)
        header = (
            f"Trial {self.trial} of {self.k} of the same task: the world and its hidden rules stay "
            f"the same in every trial."
        )
        if self.previous is not None:
            header += "\n" + self.previous.sentence(self.k)
        return self._with_header(obs, header), self._info(info)

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        self._steps += 1
        self._return += float(reward)
        self._success = self._success or bool(info.get("success", False))
        if terminated or truncated:
            self.previous = TrialOutcome(
                self.trial, self._success, self._steps, self._return, bool(truncated and not terminated)
            )
        return obs, reward, terminated, truncated, self._info(info)

    def _next_task_seed(self) -> int:
        """A new task's seed: drawn from the last task's seed, or fresh entropy before any."""
        if self.task_seed is None:
            return int(np.random.SeedSequence().generate_state(1)[0])
        return int(np.random.SeedSequence([self.task_seed, self.k]).generate_state(1)[0])

    def _info(self, info: dict[str, Any]) -> dict[str, Any]:
        return {**info, "trial": self.trial, "trials": self.k, "task_seed": self.task_seed}

    @staticmethod
    def _with_header(obs: Any, header: str) -> Any:
        if isinstance(obs, dict) and isinstance(obs.get("text"), str):
            return {**obs, "text": f"{header}\n{obs['text']}"}
        return obs
