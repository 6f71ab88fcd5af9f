"""Score self-improvement: success per trial of one hidden task, with and without memory.

:func:`evaluate_trials` plays ``episodes`` tasks of an env, each ``k`` times in a row
under :class:`~agentic_gym.wrappers.trials.Trials`, with the agent's notes
(:class:`~agentic_gym.wrappers.memory.NotesMemory`) persisting across the trials of a
task; then the same again with notes cleared at every reset: the no-memory ablation.
What the agent gains from trial 1 to trial k with memory, and not without, is learning
that memory carried.

Example:
    >>> from agentic_gym.agents.trial_learner import TrialLearner
    >>> report = evaluate_trials(TrialLearner, "agentic_gym/GridDecoyKeyDoor-6x6-v0", k=3, episodes=20, seed=0)
    >>> report["memory"]["success_per_trial"]
    [0.5, 1.0, 1.0]
    >>> report["memory"]["gain"], report["no_memory"]["gain"]
    (0.5, 0.0)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

from agentic_gym.evaluation.runner import build_agent, episode_seeds
from agentic_gym.wrappers.memory import NotesMemory
from agentic_gym.wrappers.trials import Trials


def trial_curve_metrics(success_per_trial: list[float]) -> dict[str, float]:
    """``gain`` (success at the last trial minus the first) and ``auc`` (the area under the
    trial curve, by the trapezoid rule over trials 1..k, divided by k - 1 so it lies in
    [0, 1]; the one success rate when k is 1).

    Example:
        >>> trial_curve_metrics([0.5, 1.0, 1.0])
        {'gain': 0.5, 'auc': 0.875}
    """
    rates = [float(r) for r in success_per_trial]
    if len(rates) == 1:
        return {"gain": 0.0, "auc": rates[0]}
    area = sum((a + b) / 2 for a, b in zip(rates, rates[1:])) / (len(rates) - 1)
    return {"gain": round(rates[-1] - rates[0], 6), "auc": round(area, 6)}


def _trial_stack(env_id: str, k: int, persist: bool, env_kwargs: dict[str, Any],
                 chat_options: dict[str, Any] | None) -> gym.Env:
    """One task's env: notes around ``Trials`` natively, or the chat layer with notes around it."""
    trials = Trials(gym.make(env_id, **env_kwargs), k)
    if chat_options is None:
        return NotesMemory(trials, persist=persist)
    from agentic_gym.wrappers.chat import chat

    notes = chat_options.get("notes")
    notes = dict(notes) if isinstance(notes, dict) else {}
    return chat(trials, **{**chat_options, "notes": {**notes, "persist": persist}})


def _play_trials(agent: Any, env_id: str, k: int, episodes: int, seed: int, persist: bool,
                 env_kwargs: dict[str, Any], chat_options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Success per trial (and per task) of ``agent`` with notes that persist or not."""
    wins = np.zeros((episodes, k), dtype=bool)
    steps = np.zeros((episodes, k), dtype=np.int64)
    for episode in range(episodes):
        task_seed, agent_seed = episode_seeds(seed, episode)
        # A fresh stack per task: notes persist across the trials of one task only.
        env = _trial_stack(env_id, k, persist, env_kwargs, chat_options)
        try:
            for trial in range(k):
                observation, info = env.reset(seed=task_seed if trial == 0 else None)
                player = build_agent(agent, env, agent_seed)
                player.reset(info)
                terminated = truncated = False
                while not (terminated or truncated):
                    observation, _, terminated, truncated, info = env.step(player.act(observation, info))
                    steps[episode, trial] += 1
                wins[episode, trial] = bool(info.get("success", False))
        finally:
            env.close()
    rates = [round(float(r), 6) for r in wins.mean(axis=0)]
    return {
        "success_per_trial": rates,
        **trial_curve_metrics(rates),
        "steps_per_trial": [round(float(s), 3) for s in steps.mean(axis=0)],
        "episodes": [[bool(w) for w in row] for row in wins],
    }


def evaluate_trials(
    agent: Any | Callable[..., Any],
    env_id: str,
    k: int = 3,
    episodes: int = 20,
    seed: int = 0,
    ablation: bool = True,
    env_kwargs: dict[str, Any] | None = None,
    chat: bool = False,
    chat_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Play ``episodes`` tasks of ``env_id`` ``k`` times each and report learning across trials.

    Task ``e`` is seeded as episode ``e`` of :func:`~agentic_gym.evaluation.evaluate`
    (:func:`~agentic_gym.evaluation.runner.episode_seeds`); its k trials replay that seed.
    A factory ``agent(env, seed)`` is called anew for every trial (so whatever an agent
    knows at a trial's start came through the env: the trial header and its notes); an
    agent instance is reset before each trial.

    Args:
        agent: an agent (native actions; ``note <text>`` saves a note) or an agent factory.
        env_id: a registered id, best one with ``self_improve`` in its capabilities.
        k: trials per task.
        episodes: tasks.
        seed: the run's seed.
        ablation: also play with notes cleared at every reset (the no-memory ablation).
        env_kwargs: passed to ``gym.make``.
        chat: play through :func:`agentic_gym.chat` (an LLM agent: messages in, replies
            out), with its notes persisting (or not) across trials.
        chat_options: further options of :func:`agentic_gym.chat` (with ``chat``).

    Returns:
        ``{"env_id", "k", "episodes", "memory": {...}, "no_memory": {...} (with ablation),
        "gain_from_memory"}``; each condition has ``success_per_trial`` (k rates), ``gain``
        (trial k minus trial 1), ``auc`` (see :func:`trial_curve_metrics`),
        ``steps_per_trial`` and ``episodes`` (per task, success per trial).
        ``gain_from_memory`` is the memory gain minus the ablation's.
    """
    if not isinstance(episodes, int) or isinstance(episodes, bool) or episodes < 1:
        raise ValueError(f"episodes must be a positive integer, got {episodes!r}")
    kwargs = dict(env_kwargs or {})
    report: dict[str, Any] = {"env_id": env_id, "k": k, "episodes": episodes, "seed": seed}
    options = dict(chat_options or {}) if chat else None
    report["memory"] = _play_trials(agent, env_id, k, episodes, seed, True, kwargs, options)
    if ablation:
        report["no_memory"] = _play_trials(agent, env_id, k, episodes, seed, False, kwargs, options)
        report["gain_from_memory"] = round(report["memory"]["gain"] - report["no_memory"]["gain"], 6)
    return report
