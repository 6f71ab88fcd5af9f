"""Collect rollouts for training: many episodes of one env, in one process, many, or on Ray.

:func:`collect` plays ``episodes`` start states of an env, ``group_size`` times each, with
the evaluation's episode runner (:func:`agentic_gym.evaluation.run_episode`) and returns
one :class:`Rollout` per played episode: the prompt the agent saw at every turn, its raw
reply, the parsed command, the reward, the flags, per-turn token counts when the agent
keeps them, and the oracle signals when the env carries the ``OracleSignals`` wrapper.
The members of a group reset with the same seed, so they start from identical states
(what GRPO-style trainers compare); their agents get different seeds.

Seeds come from :func:`agentic_gym.evaluation.episode_seeds`, so episode ``i`` of a run
seeded ``s`` starts from the same state as episode ``i`` of ``evaluate(..., seed=s)``,
whatever the backend and the number of workers: ``backend="ray"`` returns the same
rollouts as ``backend="local"``.

:func:`write_jsonl` writes one JSON object per rollout (schema below) and
:func:`read_jsonl` reads it back with every prompt rebuilt.

With ``curriculum=sampler`` (:mod:`agentic_gym.curriculum`) each group's level and seed
come from ``sampler.next()`` instead, and every rollout's outcome goes back through
``sampler.update(...)``; the rollout records its ``level`` (see :func:`collect`).

JSONL schema (``"format": 2``), one line per rollout:

``format``, ``env_id``, ``episode`` (the group), ``member`` (its index in the group),
``seed`` (the reset seed), ``agent_seed``, ``chat`` (played through :func:`agentic_gym.chat`),
``success``, ``return``, ``steps``, ``truncated``, ``tool_calls``, ``tokens_in``,
``tokens_out``, ``seconds``, ``tools`` (the OpenAI tool schemas of a chat env, else null),
``messages``, ``turns``, ``final``, ``level`` (the curriculum's level as JSON: an env id, or
``[env_id, [[knob, value], ...]]``; null without a curriculum) and ``oracle_steps`` (the
oracle's steps to success from the reset state when the env reported them, as under a
curriculum; else null). Format 2 added ``level`` and ``oracle_steps``;
:func:`read_jsonl` reads format 1 lines with both null.

``messages`` holds every distinct chat message of the episode once, in order of first
appearance; a prompt is given as ``prompt_ids``, runs ``[first, count]`` of indices into
``messages`` (the encoding of episode recordings), so a line grows linearly with the
episode even though each prompt repeats the conversation. Each entry of ``turns`` has:

``observation``
    the text the agent read before acting (``obs["text"]`` or the last message's text);
``prompt_ids``
    the whole prompt the agent answered (chat envs; absent otherwise);
``reply``
    what the agent sent to ``step``: the raw reply (a string or an assistant message
    dict), or a native action;
``command``
    the canonical text of the command the reply was parsed into, null when it was invalid;
``reward``, ``terminated``, ``truncated``, ``valid``, ``success``
    the step's outcome (``valid`` is ``info["action_valid"]``);
``tokens_in``, ``tokens_out``
    the growth of the agent's ``prompt_tokens``/``completion_tokens`` over this turn,
    null when the agent keeps no counters;
``signals``
    the oracle signals in ``info`` (``oracle_steps_left``, ``oracle_steps_exact``,
    ``progress``, ``action_optimal``, ``state_hash``), empty without the ``OracleSignals``
    wrapper (and on feedback turns, which do not step the env);
``info``
    the rest of the step's ``info``, JSON-safe, without the repeated ``tools``.

``final`` has the ``observation`` (and ``prompt_ids``) after the last step.

Example:
    >>> from agentic_gym.agents import OracleAgent
    >>> rollouts = collect("agentic_gym/GridKeyDoor-6x6-v0", OracleAgent, episodes=2, seed=0, group_size=2)
    >>> [(r.episode, r.member, r.success) for r in rollouts]
    [(0, 0, True), (0, 1, True), (1, 0, True), (1, 1, True)]
    >>> rollouts[0].seed == rollouts[1].seed != rollouts[2].seed
    True
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from agentic_gym.core import Affordance, Command, InvalidAction, parse_command
from agentic_gym.evaluation.runner import build_agent, episode_seeds, run_episode

__all__ = [
    "JSONL_FORMAT",
    "SIGNAL_KEYS",
    "Rollout",
    "RolloutTurn",
    "Rollouts",
    "collect",
    "member_seeds",
    "read_jsonl",
    "write_jsonl",
]

#: Bumped when the layout of a JSONL line changes (2 added ``level`` and ``oracle_steps``).
JSONL_FORMAT = 2
#: The formats :func:`read_jsonl` reads (a format 1 line reads with ``level`` and ``oracle_steps`` null).
READABLE_FORMATS = (1, 2)

#: The ``info`` keys of the ``OracleSignals`` wrapper, copied into each turn's ``signals``.
SIGNAL_KEYS = ("oracle_steps_left", "oracle_steps_exact", "progress", "action_optimal", "state_hash")

_BACKENDS = ("local", "ray")


@dataclass(frozen=True)
class RolloutTurn:
    """One turn of a rollout: what the agent saw, what it replied, and what came of it.

    ``prompt`` is the chat prompt the agent answered (a list of message dicts, shared
    with the env's history: treat it as read-only), None for a native env;
    ``observation`` is the text it read. ``command`` is the canonical command text,
    None for an invalid reply.
    """

    prompt: list[dict[str, Any]] | None
    observation: Any
    reply: Any
    command: str | None
    reward: float
    terminated: bool
    truncated: bool
    valid: bool
    success: bool
    tokens_in: int | None
    tokens_out: int | None
    signals: dict[str, Any]
    info: dict[str, Any]


@dataclass(frozen=True)
class Rollout:
    """One played episode of a group: its seeds, its turns and its outcome."""

    env_id: str
    episode: int
    member: int
    seed: int
    agent_seed: int
    chat: bool
    turns: tuple[RolloutTurn, ...]
    success: bool
    tool_calls: int
    tokens_in: int
    tokens_out: int
    seconds: float
    tools: list[dict[str, Any]] | None = None
    final_prompt: list[dict[str, Any]] | None = None
    final_observation: Any = None
    reset_info: dict[str, Any] = field(default_factory=dict)
    level: Any = None

    @property
    def oracle_steps(self) -> int | None:
        """The oracle's steps to success from the start (``oracle_steps_left`` at reset), None when unknown."""
        from agentic_gym.curriculum import oracle_steps_of

        return oracle_steps_of(self.reset_info)

    @property
    def steps(self) -> int:
        """Agent turns, feedback turns of the language layer included."""
        return len(self.turns)

    @property
    def total_return(self) -> float:
        """The sum of the turns' rewards."""
        return float(sum(turn.reward for turn in self.turns))

    @property
    def rewards(self) -> list[float]:
        """The per-turn rewards."""
        return [turn.reward for turn in self.turns]

    @property
    def truncated(self) -> bool:
        """True when the episode ended by truncation (a time limit, too many invalid replies)."""
        return bool(self.turns) and self.turns[-1].truncated

    def to_json(self) -> dict[str, Any]:
        """The rollout as one JSONL object (see the module docstring for the schema)."""
        from agentic_gym.recording.log import PromptEncoder, json_safe, observation_text

        encoder = PromptEncoder()
        messages: list[Any] = []

        def prompt_fields(prompt: list[dict[str, Any]] | None, observation: Any) -> dict[str, Any]:
            fields: dict[str, Any] = {"observation": json_safe(observation_text(observation))}
            if prompt is not None:
                new, runs = encoder.encode(prompt)
                messages.extend(new)
                fields["prompt_ids"] = runs
            return fields

        turns = []
        for turn in self.turns:
            line = prompt_fields(turn.prompt, turn.observation)
            line.update({
                "reply": json_safe(turn.reply), "command": turn.command, "reward": turn.reward,
                "terminated": turn.terminated, "truncated": turn.truncated, "valid": turn.valid,
                "success": turn.success, "tokens_in": turn.tokens_in, "tokens_out": turn.tokens_out,
                "signals": json_safe(turn.signals),
                "info": json_safe({k: v for k, v in turn.info.items() if k != "tools" and k not in SIGNAL_KEYS}),
            })
            turns.append(line)
        final = prompt_fields(self.final_prompt, self.final_observation)
        return {
            "format": JSONL_FORMAT, "env_id": self.env_id, "episode": self.episode, "member": self.member,
            "seed": self.seed, "agent_seed": self.agent_seed, "chat": self.chat, "success": self.success,
            "return": self.total_return, "steps": self.steps, "truncated": self.truncated,
            "tool_calls": self.tool_calls, "tokens_in": self.tokens_in, "tokens_out": self.tokens_out,
            "seconds": self.seconds, "tools": json_safe(self.tools), "messages": messages, "turns": turns,
            "final": final, "level": json_safe(self.level), "oracle_steps": self.oracle_steps,
        }


class Rollouts(list[Rollout]):
    """The rollouts :func:`collect` returns, in (episode, member) order."""

    def write_jsonl(self, path: str | os.PathLike[str]) -> Path:
        """Write them to ``path``, one JSON object per line (see :func:`write_jsonl`)."""
        return write_jsonl(self, path)

    def groups(self) -> dict[int, list[Rollout]]:
        """The rollouts by episode: each group shares its start state."""
        grouped: dict[int, list[Rollout]] = {}
        for rollout in self:
            grouped.setdefault(rollout.episode, []).append(rollout)
        return grouped


def member_seeds(seed: int, episode: int, member: int) -> tuple[int, int]:
    """The reset seed and the agent seed of member ``member`` of group ``episode``.

    Every member resets with episode ``episode``'s seed of :func:`episode_seeds` (one start
    state per group); member 0 keeps that episode's agent seed (so a group of one is what
    ``evaluate`` plays), the others draw theirs from ``SeedSequence([seed, episode, member])``.

    Example:
        >>> member_seeds(0, 3, 0) == episode_seeds(0, 3)
        True
        >>> member_seeds(0, 3, 1)[0] == member_seeds(0, 3, 0)[0]
        True
    """
    env_seed, agent_seed = episode_seeds(seed, episode)
    if member:
        agent_seed = int(np.random.SeedSequence([seed, episode, member]).generate_state(1)[0])
    return env_seed, agent_seed


# ---- playing ---------------------------------------------------------------------------


class _Metered:
    """Passes an agent through and notes its token counters after every ``act``."""

    def __init__(self, agent: Any):
        self._agent = agent
        self.counts: list[tuple[int, int] | None] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._agent, name)

    def _counters(self) -> tuple[int, int] | None:
        prompt, completion = getattr(self._agent, "prompt_tokens", None), getattr(self._agent, "completion_tokens", None)
        if prompt is None and completion is None:
            return None
        return int(prompt or 0), int(completion or 0)

    def reset(self, info: dict[str, Any]) -> None:
        self._agent.reset(info)
        self.counts = [self._counters()]

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        action = self._agent.act(observation, info)
        self.counts.append(self._counters())
        return action


def _command_text(action: Any, info: Mapping[str, Any], affordances: Sequence[Affordance]) -> str | None:
    """The canonical text of the command a turn used, None when it could not be read."""
    if not info.get("action_valid", True):
        return None
    for key in ("command", "parsed_action"):
        value = info.get(key)
        if isinstance(value, Command):
            return str(value)
        if isinstance(value, str) and value:
            return value
    if isinstance(action, Command):
        return str(action)
    if isinstance(action, int | np.integer) and not isinstance(action, bool):
        index = int(action)
        return affordances[index].name if 0 <= index < len(affordances) else None
    if isinstance(action, str) and affordances:
        try:
            return str(parse_command(action, affordances))
        except InvalidAction:
            return None
    return None


def _is_prompt(observation: Any) -> bool:
    return isinstance(observation, list)


@dataclass(frozen=True)
class _Plan:
    """What every rollout of one collection shares: the env, the agent and the chat layer."""

    env_id: str | None
    agent_factory: Any
    chat: bool | None
    chat_options: dict[str, Any]
    env_options: dict[str, Any]


@dataclass(frozen=True)
class _Job:
    episode: int
    member: int
    env_seed: int
    agent_seed: int


#: The level of a group played without a curriculum.
_NO_LEVEL = object()


def _make_env(plan: _Plan, level: Any = _NO_LEVEL) -> tuple[Any, bool]:
    """The env of the plan, or of a curriculum's ``level`` (counting the oracle's steps at reset)."""
    import gymnasium as gym

    from agentic_gym.curriculum import make_level_env

    chat = plan.chat
    if chat is None:
        chat = bool(getattr(plan.agent_factory, "uses_chat", False))
    if level is _NO_LEVEL:
        assert plan.env_id is not None  # collect() requires an env id without a curriculum
        env = gym.make(plan.env_id, **plan.env_options)
    else:
        env = make_level_env(level, plan.env_id, **plan.env_options)
    if chat:
        from agentic_gym.wrappers import chat as make_chat

        env = make_chat(env, **plan.chat_options)
    return env, chat


def _affordances(env: Any) -> tuple[Affordance, ...]:
    try:
        return tuple(env.get_wrapper_attr("affordances"))
    except AttributeError:
        return ()


def _play(plan: _Plan, jobs: Sequence[_Job], level: Any = _NO_LEVEL) -> list[Rollout]:
    """Play ``jobs`` in one env (made once): the unit of work of every backend."""
    env, chat = _make_env(plan, level)
    try:
        return _play_in(plan, env, chat, _affordances(env), jobs, level)
    finally:
        env.close()


def _play_in(plan: _Plan, env: Any, chat: bool, affordances: tuple[Affordance, ...], jobs: Sequence[_Job],
             level: Any) -> list[Rollout]:
    from agentic_gym.curriculum import level_env

    env_id = plan.env_id if level is _NO_LEVEL else level_env(level, plan.env_id)[0]
    recorded = None if level is _NO_LEVEL else level
    return [_play_one(plan, env, chat, affordances, job, str(env_id), recorded) for job in jobs]


def _play_one(plan: _Plan, env: Any, chat: bool, affordances: tuple[Affordance, ...], job: _Job,
              env_id: str, level: Any) -> Rollout:
    from agentic_gym.recording.log import observation_text

    agent = _Metered(build_agent(plan.agent_factory, env, job.agent_seed))
    trajectory = run_episode(agent, env, job.env_seed, keep_observations=True)
    seen = [trajectory.initial_observation] + [turn.observation for turn in trajectory.turns]
    turns = []
    for index, turn in enumerate(trajectory.turns):
        before, after = agent.counts[index], agent.counts[index + 1]
        tokens_in = tokens_out = None
        if before is not None and after is not None:
            tokens_in, tokens_out = after[0] - before[0], after[1] - before[1]
        observation = seen[index]
        turns.append(RolloutTurn(
            prompt=observation if _is_prompt(observation) else None,
            observation=observation_text(observation),
            reply=turn.action,
            command=_command_text(turn.action, turn.info, affordances),
            reward=turn.reward, terminated=turn.terminated, truncated=turn.truncated, valid=turn.valid,
            success=bool(turn.info.get("success", False)),
            tokens_in=tokens_in, tokens_out=tokens_out,
            signals={key: turn.info[key] for key in SIGNAL_KEYS if key in turn.info},
            info=turn.info,
        ))
    final = seen[-1]
    tools = trajectory.reset_info.get("tools")
    return Rollout(
        env_id=env_id, episode=job.episode, member=job.member, seed=job.env_seed, agent_seed=job.agent_seed,
        chat=chat, turns=tuple(turns), success=trajectory.success, tool_calls=trajectory.tool_calls,
        tokens_in=trajectory.tokens_in, tokens_out=trajectory.tokens_out, seconds=trajectory.seconds,
        tools=list(tools) if isinstance(tools, list) else None,
        final_prompt=final if _is_prompt(final) else None, final_observation=observation_text(final),
        reset_info={k: v for k, v in trajectory.reset_info.items() if k != "tools"},
        level=level,
    )


def _chunks(jobs: Sequence[_Job], parts: int) -> list[list[_Job]]:
    """``jobs`` cut into at most ``parts`` contiguous runs of nearly equal length."""
    parts = max(1, min(parts, len(jobs)))
    size, extra = divmod(len(jobs), parts)
    chunks, start = [], 0
    for part in range(parts):
        end = start + size + (part < extra)
        chunks.append(list(jobs[start:end]))
        start = end
    return chunks


def _spawn_pool(workers: int) -> Any:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn: safe with threads and pygame, like the evaluation's workers.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def _play_local(plan: _Plan, jobs: list[_Job], workers: int) -> list[Rollout]:
    if workers <= 1 or len(jobs) <= 1:
        return _play(plan, jobs)
    chunks = _chunks(jobs, workers)
    with _spawn_pool(len(chunks)) as pool:
        return [rollout for part in pool.map(_play, [plan] * len(chunks), chunks) for rollout in part]


def _ray(address: str | None, ray_options: Mapping[str, Any]) -> Any:
    try:
        import ray
    except ImportError:
        raise ImportError("backend='ray' needs Ray: pip install 'agentic-gym[ray]'") from None
    if not ray.is_initialized():
        # An existing cluster when an address is given (or RAY_ADDRESS is set), else a local instance.
        ray.init(address=address, **dict(ray_options))
    return ray


def _play_ray(plan: _Plan, jobs: list[_Job], workers: int, address: str | None,
              ray_options: Mapping[str, Any]) -> list[Rollout]:
    ray = _ray(address, ray_options)
    play = ray.remote(num_cpus=1)(_play)
    plan_ref = ray.put(plan)
    futures = [play.remote(plan_ref, chunk) for chunk in _chunks(jobs, workers)]
    return [rollout for part in ray.get(futures) for rollout in part]


# ---- curricula ---------------------------------------------------------------------------


class _Sequential:
    """Plays each group at once in this process, one env per level kept for the whole run."""

    def __init__(self, plan: _Plan):
        self.plan = plan
        self.envs: dict[Any, tuple[Any, bool, tuple[Affordance, ...]]] = {}
        self.done: list[tuple[int, list[Rollout]]] = []

    def submit(self, level: Any, jobs: list[_Job]) -> None:
        if level not in self.envs:
            env, chat = _make_env(self.plan, level)
            self.envs[level] = (env, chat, _affordances(env))
        env, chat, affordances = self.envs[level]
        self.done.append((jobs[0].episode, _play_in(self.plan, env, chat, affordances, jobs, level)))

    def wait(self) -> list[tuple[int, list[Rollout]]]:
        done, self.done = self.done, []
        return done

    def close(self) -> None:
        for env, _, _ in self.envs.values():
            env.close()


class _Pool:
    """Plays groups in spawned processes; results come back as they finish."""

    def __init__(self, plan: _Plan, workers: int):
        self.plan = plan
        self.pool = _spawn_pool(workers)
        self.pending: dict[Any, int] = {}

    def submit(self, level: Any, jobs: list[_Job]) -> None:
        self.pending[self.pool.submit(_play, self.plan, jobs, level)] = jobs[0].episode

    def wait(self) -> list[tuple[int, list[Rollout]]]:
        from concurrent.futures import FIRST_COMPLETED, wait

        done, _ = wait(list(self.pending), return_when=FIRST_COMPLETED)
        return [(self.pending.pop(future), future.result()) for future in done]

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


class _RayTasks:
    """Plays groups as Ray tasks; results come back as they finish."""

    def __init__(self, plan: _Plan, address: str | None, ray_options: Mapping[str, Any]):
        self.ray = _ray(address, ray_options)
        self.play = self.ray.remote(num_cpus=1)(_play)
        self.plan_ref = self.ray.put(plan)
        self.pending: dict[Any, int] = {}

    def submit(self, level: Any, jobs: list[_Job]) -> None:
        self.pending[self.play.remote(self.plan_ref, jobs, level)] = jobs[0].episode

    def wait(self) -> list[tuple[int, list[Rollout]]]:
        done, _ = self.ray.wait(list(self.pending), num_returns=1)
        return [(self.pending.pop(ref), self.ray.get(ref)) for ref in done]

    def close(self) -> None:
        for ref in self.pending:
            self.ray.cancel(ref)


def _collect_curriculum(plan: _Plan, sampler: Any, episodes: int, seed: int, group_size: int,
                        runner: _Sequential | _Pool | _RayTasks, workers: int) -> list[Rollout]:
    """Draw each group's level and seed from ``sampler`` as a worker frees up; report outcomes as they arrive."""
    from agentic_gym.curriculum import level_env

    results: dict[int, list[Rollout]] = {}
    started = in_flight = 0
    try:
        while started < episodes or in_flight:
            while started < episodes and in_flight < workers:
                level, env_seed = sampler.next()
                level_env(level, plan.env_id)
                if isinstance(env_seed, bool) or not isinstance(env_seed, int | np.integer) or env_seed < 0:
                    raise ValueError(f"the curriculum's next() gave the seed {env_seed!r}; a seed is an integer >= 0")
                jobs = [_Job(started, member, int(env_seed), member_seeds(seed, started, member)[1])
                        for member in range(group_size)]
                runner.submit(level, jobs)
                started += 1
                in_flight += 1
            for episode, rollouts in sorted(runner.wait(), key=lambda done: done[0]):
                in_flight -= 1
                results[episode] = rollouts
                for rollout in rollouts:
                    sampler.update(rollout.level, rollout.seed, rollout.success, rollout.steps, rollout.oracle_steps)
    finally:
        runner.close()
    return [rollout for episode in sorted(results) for rollout in results[episode]]


def collect(
    env_id: str | None = None,
    agent_factory: Any = None,
    episodes: int | None = None,
    seed: int = 0,
    *,
    curriculum: Any = None,
    backend: str = "local",
    num_workers: int = 1,
    group_size: int = 1,
    chat: bool | Mapping[str, Any] | None = None,
    address: str | None = None,
    ray_options: Mapping[str, Any] | None = None,
    **env_options: Any,
) -> Rollouts:
    """Play ``episodes`` start states of ``env_id`` (or of the levels a curriculum picks), ``group_size`` rollouts each.

    Args:
        env_id: a registered id; optional with a ``curriculum`` whose levels name their ids.
        agent_factory: a factory ``factory(env, seed) -> agent`` called per rollout (the agent
            classes of :mod:`agentic_gym.agents` are factories), or an agent instance used for
            every rollout (it must not depend on the env). Workers receive a pickled copy.
        episodes: groups to play; group ``i`` starts from episode ``i``'s seed (or from the
            seed the curriculum chose for it).
        seed: the collection's seed (:func:`member_seeds` derives every rollout's seeds; with a
            curriculum, the agents' seeds).
        curriculum: a sampler of :mod:`agentic_gym.curriculum` (anything with ``next()`` and
            ``update(...)``). Each group's ``level, seed = curriculum.next()`` is drawn when
            a worker is free to play it; its level is a registered id, an ``(id, kwargs)``
            pair (:func:`agentic_gym.curriculum.level`) or, with ``env_id``, the kwargs of
            ``env_id``; every member of the group plays that level from that seed, and each
            member's outcome is reported with ``curriculum.update(level, seed, success,
            steps, oracle_steps)`` as it arrives (``oracle_steps`` is the oracle's count at
            reset, :class:`~agentic_gym.curriculum.OracleStepsAtReset`). The sampler stays
            in this process. With ``num_workers=1`` the run is a deterministic function of
            the sampler's seed and ``seed``; with more workers, groups start as workers free
            up and their outcomes reach the sampler in the order they finish, so which
            levels are drawn depends on timing (each group's rollouts are still those of
            its level and seed, and the rollouts come back in group order).
        backend: ``"local"`` (this process, or ``num_workers`` spawned processes) or
            ``"ray"`` (``num_workers`` Ray tasks).
        num_workers: processes or Ray tasks sharing the rollouts; without a curriculum the
            results do not depend on it.
        group_size: rollouts per start state (the members of a GRPO group).
        chat: play through :func:`agentic_gym.chat`: ``True``, ``False``, a dict of its
            options (``history``, ``format``, ``tools``, ...), or ``None`` to ask the
            factory's ``uses_chat`` attribute.
        address: the Ray cluster to join (``ray.init(address=...)``) when Ray is not
            initialised yet; ``None`` joins the cluster named by ``RAY_ADDRESS``, else starts
            a local instance. A Ray already initialised by the caller is used as it is.
        ray_options: more keyword arguments for ``ray.init`` (e.g. ``num_cpus``).
        env_options: keyword arguments for ``gym.make`` (``max_episode_steps``, env kwargs);
            a level's own kwargs take precedence.

    Returns:
        :class:`Rollouts`, ordered by episode then member.

    Raises:
        ValueError: an argument is out of range.
        ImportError: ``backend="ray"`` without Ray installed.
    """
    import gymnasium as gym

    if backend not in _BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(_BACKENDS)}, got {backend!r}")
    if agent_factory is None:
        raise ValueError("agent_factory is required (an agent class such as OracleAgent, a factory or an agent)")
    if isinstance(episodes, bool) or not isinstance(episodes, int) or episodes < 1:
        raise ValueError(f"episodes must be at least 1, got {episodes}")
    if group_size < 1:
        raise ValueError(f"group_size must be at least 1, got {group_size}")
    if num_workers < 1:
        raise ValueError(f"num_workers must be at least 1, got {num_workers}")
    if curriculum is None and env_id is None:
        raise ValueError("env_id is required without a curriculum")
    if env_id is not None and env_id not in gym.registry:
        raise ValueError(f"{env_id!r} is not a registered env id (see `agentic-gym list`)")
    chat_options: dict[str, Any] = {}
    if isinstance(chat, Mapping):
        chat_options, chat = dict(chat), True
    plan = _Plan(env_id=env_id, agent_factory=agent_factory, chat=chat, chat_options=chat_options,
                 env_options=dict(env_options))
    if curriculum is not None:
        if not (callable(getattr(curriculum, "next", None)) and callable(getattr(curriculum, "update", None))):
            raise ValueError(f"curriculum must have next() and update(...), got {type(curriculum).__name__}")
        from agentic_gym.curriculum import level_env

        for level in getattr(curriculum, "levels", ()):
            level_env(level, env_id)
        runner: _Sequential | _Pool | _RayTasks
        if backend == "ray":
            runner = _RayTasks(plan, address, ray_options or {})
        elif num_workers > 1:
            runner = _Pool(plan, num_workers)
        else:
            runner = _Sequential(plan)
        return Rollouts(_collect_curriculum(plan, curriculum, episodes, seed, group_size, runner, num_workers))
    jobs = [
        _Job(episode, member, *member_seeds(seed, episode, member))
        for episode in range(episodes) for member in range(group_size)
    ]
    if backend == "ray":
        rollouts = _play_ray(plan, jobs, num_workers, address, ray_options or {})
    else:
        rollouts = _play_local(plan, jobs, num_workers)
    return Rollouts(rollouts)


# ---- files -----------------------------------------------------------------------------


def write_jsonl(rollouts: Sequence[Rollout], path: str | os.PathLike[str]) -> Path:
    """Write ``rollouts`` to ``path`` (replacing it), one :meth:`Rollout.to_json` object per line."""
    target = Path(path)
    temporary = target.with_name(target.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        for rollout in rollouts:
            handle.write(json.dumps(rollout.to_json(), sort_keys=True) + "\n")
    os.replace(temporary, target)
    return target


def read_jsonl(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """The lines of a rollouts file, each turn's ``prompt`` (and ``final["prompt"]``) rebuilt.

    Raises ``ValueError`` naming the line when a line is not a rollout of a known format.
    """
    from agentic_gym.recording.log import expand_runs

    with open(path, encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                line = json.loads(text)
                if line.get("format") not in READABLE_FORMATS:
                    raise ValueError(f"format {line.get('format')!r}, expected one of {READABLE_FORMATS}")
                line.setdefault("level", None)
                line.setdefault("oracle_steps", None)
                messages = line["messages"]
                for part in [*line["turns"], line["final"]]:
                    if "prompt_ids" in part:
                        part["prompt"] = [messages[i] for i in expand_runs(part["prompt_ids"])]
            except (ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
                raise ValueError(f"{path}:{number}: not a rollout line ({error!r})") from None
            yield line
