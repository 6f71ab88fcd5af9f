"""Play one episode: an agent and an env in, a typed :class:`Trajectory` out.

:func:`run_episode` is the one loop every consumer shares: :func:`agentic_gym.evaluate`
turns each trajectory into an :class:`EpisodeRow`, and rollout collection for training
keeps the turns themselves. It knows nothing of files, workers or reports.

Example:
    >>> import gymnasium as gym
    >>> import agentic_gym
    >>> from agentic_gym.agents import OracleAgent
    >>> env = gym.make("agentic_gym/GridKeyDoor-6x6-v0")
    >>> trajectory = run_episode(OracleAgent(env, seed=0), env, seed=0)
    >>> trajectory.success, trajectory.turns[-1].terminated
    (True, True)
    >>> len(trajectory.turns) == trajectory.steps
    True
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from agentic_gym.core import Affordance, Command

__all__ = [
    "Trajectory", "Turn", "action_name", "agent_name", "build_agent", "episode_seeds", "is_factory", "run_episode",
]


@dataclass(frozen=True)
class Turn:
    """One agent turn: the action it sent and what the env answered.

    ``action`` is what was passed to ``env.step`` (a native action, a reply string or an
    assistant message dict); ``command`` is the name of the affordance it used, or None
    when it could not be told (an invalid reply). ``observation`` is the observation the
    turn produced, kept only when :func:`run_episode` is asked to keep observations.
    """

    action: Any
    command: str | None
    reward: float
    terminated: bool
    truncated: bool
    valid: bool
    info: dict[str, Any]
    observation: Any = None


@dataclass(frozen=True)
class Trajectory:
    """One played episode: its seed, its turns and the totals an evaluation reports.

    ``tool_calls`` is the env's own count (``info["tool_calls"]``) when it keeps one, else
    the number of valid turns that used a ``kind="tool"`` affordance. Token counts are the
    growth of the agent's ``prompt_tokens`` / ``completion_tokens`` over the episode.
    """

    seed: int
    reset_info: dict[str, Any]
    turns: tuple[Turn, ...]
    success: bool
    tool_calls: int
    oracle_tool_calls: int | None
    tokens_in: int
    tokens_out: int
    seconds: float
    initial_observation: Any = None

    @property
    def steps(self) -> int:
        """Agent turns, feedback turns of the language layer included."""
        return len(self.turns)

    @property
    def total_return(self) -> float:
        """The sum of the turns' rewards."""
        return float(sum(turn.reward for turn in self.turns))

    @property
    def invalid(self) -> int:
        """Turns whose ``info["action_valid"]`` was False."""
        return sum(not turn.valid for turn in self.turns)

    @property
    def truncated(self) -> bool:
        """True when the episode ended by truncation (a time limit, too many invalid replies)."""
        return bool(self.turns) and self.turns[-1].truncated


def episode_seeds(seed: int, episode: int) -> tuple[int, int]:
    """The env's reset seed and the agent's seed for episode ``episode`` of a run seeded ``seed``.

    Derived with ``numpy.random.SeedSequence`` so they do not depend on the env, the
    agent, the episode count or the worker that plays the episode.

    Example:
        >>> episode_seeds(0, 3) == episode_seeds(0, 3)
        True
        >>> episode_seeds(0, 3) != episode_seeds(1, 3)
        True
    """
    env_seed, agent_seed = np.random.SeedSequence([seed, episode]).generate_state(2)
    return int(env_seed), int(agent_seed)


def is_factory(agent_or_factory: Any) -> bool:
    """True for a factory ``factory(env, seed) -> agent``, False for an agent instance."""
    # A class is a factory even though it has an ``act`` attribute.
    return isinstance(agent_or_factory, type) or not callable(getattr(agent_or_factory, "act", None))


def build_agent(agent_or_factory: Any, env: Any, seed: int) -> Any:
    """The agent for one episode: ``factory(env, seed)`` for a factory, else the instance itself."""
    return agent_or_factory(env, seed) if is_factory(agent_or_factory) else agent_or_factory


def agent_name(agent_or_factory: Any) -> str:
    """The label of an agent in results: its ``name``, else its class name in lower case."""
    name = getattr(agent_or_factory, "name", None)
    if isinstance(name, str) and name:
        return name
    kind = agent_or_factory if isinstance(agent_or_factory, type) else type(agent_or_factory)
    return str(getattr(kind, "__name__", "agent")).lower()


def action_name(action: Any, info: dict[str, Any], affordances: Sequence[Affordance]) -> str | None:
    """The affordance an action used, to count tool calls in envs that do not count them.

    Read from ``info["command"]`` (the :class:`~agentic_gym.core.Command` every env and the
    language layer report), never by parsing text again; an env outside the suite that
    reports no command is read through its ``Discrete`` index.
    """
    command = info.get("command")
    if isinstance(command, Command):
        return command.name
    if "command" not in info and isinstance(action, int | np.integer) and not isinstance(action, bool):
        index = int(action)
        return affordances[index].name if 0 <= index < len(affordances) else None
    return None


def _affordances_of(env: Any) -> tuple[Affordance, ...]:
    try:
        return tuple(env.get_wrapper_attr("affordances"))
    except AttributeError:
        return ()


def run_episode(
    agent: Any,
    env: Any,
    seed: int,
    *,
    options: dict[str, Any] | None = None,
    keep_observations: bool = False,
) -> Trajectory:
    """Reset ``env`` with ``seed``, let ``agent`` act until the episode ends, return its trajectory.

    Args:
        agent: an agent following the protocol of :mod:`agentic_gym.agents` (``reset(info)``,
            ``act(observation, info)``); build it from a factory before calling.
        env: a Gymnasium env (native actions) or an :func:`agentic_gym.chat` env (replies).
        seed: the reset seed.
        options: the reset options.
        keep_observations: keep every observation in the trajectory (a chat prompt is a new
            list each turn, so this costs memory in proportion to the prompts' lengths).

    Exceptions of the agent (:class:`~agentic_gym.agents.AgentError`) and of the env
    propagate; nothing is caught.
    """
    affordances = _affordances_of(env)
    kinds = {a.name: a.kind for a in affordances}
    tokens_before = (getattr(agent, "prompt_tokens", 0), getattr(agent, "completion_tokens", 0))
    started = time.perf_counter()
    observation, info = env.reset(seed=seed, options=options)
    reset_info = info
    initial = observation if keep_observations else None
    agent.reset(info)
    turns: list[Turn] = []
    counted_tool_calls = 0
    terminated = truncated = False
    while not (terminated or truncated):
        action = agent.act(observation, info)
        observation, reward, terminated, truncated, info = env.step(action)
        valid = bool(info.get("action_valid", True))
        name = action_name(action, info, affordances)
        if valid and kinds.get(name or "") == "tool":
            counted_tool_calls += 1
        turns.append(Turn(
            action=action, command=name, reward=float(reward), terminated=bool(terminated),
            truncated=bool(truncated), valid=valid, info=info,
            observation=observation if keep_observations else None,
        ))
    oracle_calls = info.get("oracle_tool_calls")
    return Trajectory(
        seed=int(seed),
        reset_info=reset_info,
        turns=tuple(turns),
        success=bool(info.get("success", False)),
        tool_calls=int(info.get("tool_calls", counted_tool_calls)),
        oracle_tool_calls=None if oracle_calls is None else int(oracle_calls),
        tokens_in=int(getattr(agent, "prompt_tokens", 0) - tokens_before[0]),
        tokens_out=int(getattr(agent, "completion_tokens", 0) - tokens_before[1]),
        seconds=round(time.perf_counter() - started, 4),
        initial_observation=initial,
    )
