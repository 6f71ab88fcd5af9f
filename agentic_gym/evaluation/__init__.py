"""Evaluate agents on environments: the episode runner, the harness and the reports.

- :mod:`~agentic_gym.evaluation.runner`: :func:`run_episode` plays one episode of an agent
  in an env and returns a typed :class:`Trajectory` (reused by rollout collection).
- :mod:`~agentic_gym.evaluation.harness`: :func:`evaluate` plays many episodes with
  derived seeds, in worker processes if asked, into a resumable output directory.
- :mod:`~agentic_gym.evaluation.report`: :class:`EpisodeRow` records, their metrics, the
  results table, ``summary.md`` and the capability picture.
- :mod:`~agentic_gym.evaluation.multi`: :func:`run_multi_episode` plays a multi-agent env with
  one agent per seat; :func:`evaluate_multi` (what :func:`evaluate` runs for ids such as
  ``Negotiation-2p-v0``) scores an agent seat by seat against an opponent or itself.

The ``agentic-gym eval`` command lives in :mod:`agentic_gym.evaluation.command`, which
only :mod:`agentic_gym.cli` imports.
"""

from __future__ import annotations

from typing import Any

from agentic_gym.evaluation.harness import (
    EPISODES_FILE,
    RESULTS_FILE,
    RESULTS_FORMAT,
    SUMMARY_FILE,
    RunStore,
    evaluate,
    resolve_env_ids,
    versions,
)
from agentic_gym.evaluation.multi import MultiTrajectory, MultiTurn, evaluate_multi, run_multi_episode
from agentic_gym.evaluation.report import (
    PICTURE_FILE,
    EpisodeRow,
    draw_capabilities,
    env_metrics,
    format_table,
    results_table,
    summarize,
    summary_markdown,
)
from agentic_gym.evaluation.runner import (
    Trajectory,
    Turn,
    agent_name,
    build_agent,
    episode_seeds,
    run_episode,
)

__all__ = [
    "EPISODES_FILE",
    "PICTURE_FILE",
    "RESULTS_FILE",
    "RESULTS_FORMAT",
    "SUMMARY_FILE",
    "EpisodeRow",
    "MultiTrajectory",
    "MultiTurn",
    "RunStore",
    "Trajectory",
    "Turn",
    "agent_name",
    "build_agent",
    "draw_capabilities",
    "env_metrics",
    "episode_seeds",
    "evaluate",
    "evaluate_multi",
    "format_table",
    "resolve_env_ids",
    "results_table",
    "run_episode",
    "run_multi_episode",
    "summarize",
    "summary_markdown",
    "versions",
]

# The command-line glue stays importable from here as before, loaded only when asked for.
_COMMAND_NAMES = ("AGENT_CHOICES", "add_eval_arguments", "run_eval_command")


def __getattr__(name: str) -> Any:
    if name in _COMMAND_NAMES:
        from agentic_gym.evaluation import command

        return getattr(command, name)
    raise AttributeError(f"module 'agentic_gym.evaluation' has no attribute {name!r}")
