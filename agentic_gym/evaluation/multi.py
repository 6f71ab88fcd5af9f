"""Evaluate an agent on multi-agent envs: one agent per seat, against an opponent or itself.

:func:`run_multi_episode` plays one episode of a PettingZoo AEC env (or an
:func:`agentic_gym.chat_multi` env) with one agent per seat and returns a
:class:`MultiTrajectory`: every turn, each seat's return, success, tokens and the env's
end scores. :func:`evaluate_multi` (what :func:`agentic_gym.evaluate` runs for ids such as
``Negotiation-2p-v0``) plays every seed once per seat of the agent, the opponent in the
other seats, or once in self-play with the agent in every seat, and reports one
:class:`~agentic_gym.evaluation.report.EpisodeRow` per seat the agent played, labelled
``"<agent> vs <opponent>"`` or ``"<agent> self-play"`` so several opponents are
separate series of one results file.

Opponents are given by name (:data:`OPPONENTS`: ``oracle``, ``random`` and the
Negotiation opponents of :mod:`agentic_gym.agents.negotiators`) or as a factory
``factory(env, seed)``. The seat agents :class:`SeatOracle` and :class:`SeatRandom`
stand in for :class:`~agentic_gym.agents.OracleAgent` and
:class:`~agentic_gym.agents.RandomAgent`, which act in single-agent envs.

Example:
    >>> from agentic_gym.envs.multi import make
    >>> from agentic_gym.agents.negotiators import Greedy
    >>> env = make("Negotiation-2p-v0")
    >>> seats = {"player_0": SeatOracle(env), "player_1": Greedy(env, seed=0)}
    >>> trajectory = run_multi_episode(seats, env, seed=0)
    >>> trajectory.success["player_0"], sorted(trajectory.scores("player_0"))
    (True, ['distance_to_frontier', 'nash_ratio', 'opponent_return', 'pareto_optimal'])
"""

from __future__ import annotations

import copy
import fnmatch
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agentic_gym.evaluation.report import EpisodeRow, env_metrics, format_table, short_id, summarize
from agentic_gym.evaluation.runner import agent_name, build_agent, episode_seeds

__all__ = [
    "OPPONENTS",
    "MultiTrajectory",
    "MultiTurn",
    "SeatOracle",
    "SeatRandom",
    "evaluate_multi",
    "is_multi_request",
    "multi_table",
    "resolve_multi_ids",
    "run_multi_episode",
]

#: End-of-episode ``info`` keys reported as scores (Negotiation's solution concepts).
SCORE_KEYS = ("pareto_optimal", "distance_to_frontier", "nash_ratio")


# ---- seat agents ------------------------------------------------------------------------


def _is_chat(env: Any) -> bool:
    from agentic_gym.wrappers.multi_chat import MultiChatEnv

    return isinstance(env, MultiChatEnv)


class SeatOracle:
    """Plays the env oracle's action for whichever seat is to move.

    On a native AEC env that is ``env.unwrapped.oracle_action(seat)``; on a
    :func:`agentic_gym.chat_multi` env its command text, which the seat's parser reads
    back like any reply. Negotiation's oracle proposes the Nash bargaining solution and
    accepts it; CoopKeyDoor's follows the scripted cooperative plan.

    Args:
        env: the env the seat plays in.
        seed: accepted so that the class is a factory like the others; ignored.
    """

    uses_chat = False
    name = "oracle"

    def __init__(self, env: Any, seed: int | None = None):
        self.env = env

    def reset(self, info: dict[str, Any]) -> None:
        """The oracle reads the env's state each turn; it keeps none of its own."""

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        seat = self.env.agent_selection
        if _is_chat(self.env):
            return self.env.oracle_action(seat)
        return self.env.unwrapped.oracle_action(seat)


class SeatRandom:
    """Samples each turn from the moving seat's own action space, with its own seeded copies.

    On a command space (Negotiation, every chat seat) this is a random command of the
    seat's affordances; on CoopKeyDoor's ``Discrete`` space a random action.

    Args:
        env: the env the seat plays in.
        seed: seed of the agent's RNG.
    """

    uses_chat = False
    name = "random"

    def __init__(self, env: Any, seed: int | None = None):
        self.env = env
        self.seed = seed
        self._spaces: dict[str, Any] = {}

    def reset(self, info: dict[str, Any]) -> None:
        """Nothing to forget: every turn is drawn afresh."""

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        import gymnasium as gym

        seat = self.env.agent_selection
        space = self._spaces.get(seat)
        if space is None:
            space = self._spaces[seat] = copy.deepcopy(self.env.action_space(seat))
            space.seed(None if self.seed is None else int(np.random.SeedSequence([self.seed, len(self._spaces)])
                                                          .generate_state(1)[0]))
        action = space.sample()
        return int(action) if isinstance(space, gym.spaces.Discrete) else action


def _negotiator(name: str) -> Callable[[Any, int], Any]:
    from agentic_gym.agents.negotiators import NEGOTIATORS

    return NEGOTIATORS[name]


def _opponent_table() -> dict[str, tuple[Callable[..., Any], tuple[str, ...]]]:
    # name -> (factory, env names it can play; empty: every env)
    table: dict[str, tuple[Callable[..., Any], tuple[str, ...]]] = {
        "oracle": (SeatOracle, ()), "random": (SeatRandom, ()),
    }
    for name in ("always_accept", "fair_split", "greedy", "tough"):
        table[name] = (_negotiator(name), ("Negotiation",))
    return table


#: Opponent names: ``oracle`` and ``random`` for every env, the Negotiation opponents
#: (weakest first) for Negotiation only.
OPPONENTS = ("oracle", "random", "always_accept", "fair_split", "greedy", "tough")


def seat_factory(agent_or_factory: Any) -> Any:
    """The seat agent for ``agent_or_factory``: the single-agent baselines become their seat versions."""
    from agentic_gym.agents import OracleAgent, RandomAgent

    if agent_or_factory is OracleAgent:
        return SeatOracle
    if agent_or_factory is RandomAgent:
        return SeatRandom
    return agent_or_factory


def opponent_factory(opponent: Any, env_ids: Sequence[str] = ()) -> tuple[str, Any]:
    """The label and factory of an opponent given by name (:data:`OPPONENTS`) or as a factory/agent.

    Raises ``ValueError`` for an unknown name or one that cannot play one of ``env_ids``.
    """
    if not isinstance(opponent, str):
        return agent_name(opponent), seat_factory(opponent)
    table = _opponent_table()
    if opponent not in table:
        raise ValueError(f"unknown opponent {opponent!r}; known: {', '.join(OPPONENTS)}")
    factory, families = table[opponent]
    for env_id in env_ids:
        if families and short_id(env_id).split("-", 1)[0] not in families:
            raise ValueError(f"opponent {opponent!r} plays only {', '.join(families)}, not {env_id}")
    return opponent, factory


# ---- one episode ------------------------------------------------------------------------


class RewardTally:
    """An AEC env seen through a counter: each real ``step`` adds ``env.rewards`` to the returns.

    A chat seat's unusable reply or tool call does not step the env underneath, so
    summing the rewards per turn above it would count a step's rewards twice; the tally
    sits under the chat layer and counts only the env's own steps. Every other
    attribute is the env's.
    """

    def __init__(self, env: Any):
        self.env = env
        self.steps = 0
        self.returns: dict[str, float] = {}
        self.last_rewards: dict[str, float] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.env, name)

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        self.env.reset(seed=seed, options=options)
        self.steps = 0
        self.returns = {agent: 0.0 for agent in self.env.possible_agents}
        self.last_rewards = {}

    def step(self, action: Any) -> None:
        self.env.step(action)
        self.steps += 1
        self.last_rewards = {agent: float(reward) for agent, reward in self.env.rewards.items()}
        for agent, reward in self.last_rewards.items():
            self.returns[agent] = self.returns.get(agent, 0.0) + reward


@dataclass(frozen=True)
class MultiTurn:
    """One turn of one seat: what it sent and what became of it.

    ``stepped`` is False for a chat turn that did not step the env (an unusable reply
    asked again, a tool call); ``rewards`` are what every seat received from the env
    step the turn made (empty when it made none). Dead agents' ``None`` steps are
    turns too (``action`` None), as PettingZoo's loop requires them.
    """

    agent: str
    action: Any
    command: str | None
    valid: bool
    stepped: bool
    rewards: dict[str, float]
    info: dict[str, Any]


@dataclass(frozen=True)
class MultiTrajectory:
    """One multi-agent episode: its turns and, per seat, return, success, end info and tokens."""

    seed: int
    seats: tuple[str, ...]
    labels: dict[str, str]
    turns: tuple[MultiTurn, ...]
    returns: dict[str, float]
    success: dict[str, bool]
    final_infos: dict[str, dict[str, Any]]
    truncated_seats: frozenset[str]
    tool_calls: dict[str, int]
    tokens_in: dict[str, int]
    tokens_out: dict[str, int]
    seconds: float

    def acted(self, seat: str) -> list[MultiTurn]:
        """The turns in which ``seat`` acted (its dead step excluded)."""
        return [t for t in self.turns if t.agent == seat and t.action is not None]

    def truncated(self, seat: str) -> bool:
        """True when ``seat``'s episode ended by truncation (Negotiation: no deal in time)."""
        return seat in self.truncated_seats

    def scores(self, seat: str) -> dict[str, float]:
        """The env's end scores for ``seat`` (:data:`SCORE_KEYS` it reports) and the others' mean return."""
        info = self.final_infos.get(seat, {})
        scores = {key: float(info[key]) for key in SCORE_KEYS if info.get(key) is not None}
        others = [self.returns[s] for s in self.seats if s != seat]
        scores["opponent_return"] = float(np.mean(others)) if others else 0.0
        return scores


def _command_text(info: Mapping[str, Any], chat: bool) -> str | None:
    value = info.get("parsed_action") if chat else info.get("command")
    return None if value is None else str(value)


def run_multi_episode(
    agents_by_seat: Mapping[str, Any],
    env: Any,
    seed: int,
    *,
    options: dict[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    recorder: Any = None,
) -> MultiTrajectory:
    """Reset ``env`` with ``seed`` and play it with one agent per seat until every agent is done.

    Args:
        agents_by_seat: seat -> agent (built; the same instance may sit in several seats,
            as in self-play). Each is reset with its seat's info and acts on its seat's
            observation and info, like a single-agent agent.
        env: a PettingZoo AEC env (native actions) or an :func:`agentic_gym.chat_multi`
            env (replies; its own ``agent_iter`` asks a seat again after an unusable reply).
        seed: the reset seed.
        options: the reset options.
        labels: seat -> label written in the recording (defaults to the agents' names).
        recorder: a :class:`~agentic_gym.recording.multi.MultiEpisodeRecorder` for this
            episode, or None.

    Exceptions of the agents and the env propagate (the recorder is aborted first).
    """
    chat = _is_chat(env)
    seats = tuple(env.possible_agents)
    missing = [s for s in seats if s not in agents_by_seat]
    if missing:
        raise ValueError(f"no agent for seats {missing}; seats: {list(seats)}")
    labels = dict(labels or {seat: agent_name(agents_by_seat[seat]) for seat in seats})
    inner = env.env if chat else env
    tally = RewardTally(inner)
    if chat:
        env.env = tally
    stepper = env if chat else tally
    tokens_in = dict.fromkeys(seats, 0)
    tokens_out = dict.fromkeys(seats, 0)
    tool_calls = dict.fromkeys(seats, 0)
    final_infos: dict[str, dict[str, Any]] = {}
    truncated_seats: set[str] = set()
    turns: list[MultiTurn] = []
    started = time.perf_counter()
    try:
        stepper.reset(seed=seed, options=options)
        if recorder is not None:
            recorder.header(seed=seed, seats=labels, options=options)
        infos = env.infos
        for seat in seats:
            agents_by_seat[seat].reset(dict(infos.get(seat, {})))
        for seat in env.agent_iter():
            observation, _, terminated, truncated, info = env.last()
            agent = agents_by_seat[seat]
            seen = recorder.observation(seat, observation) if recorder is not None else {}
            if terminated or truncated:
                final_infos[seat] = dict(info)
                if truncated and not terminated:
                    truncated_seats.add(seat)
                action = None
            else:
                before = (getattr(agent, "prompt_tokens", 0), getattr(agent, "completion_tokens", 0))
                action = agent.act(observation, info)
                tokens_in[seat] += int(getattr(agent, "prompt_tokens", 0) - before[0])
                tokens_out[seat] += int(getattr(agent, "completion_tokens", 0) - before[1])
            steps_before = tally.steps
            stepper.step(action)
            stepped = tally.steps > steps_before
            after = dict(env.infos.get(seat, {})) if action is not None else {}
            after.pop("tools", None)
            valid = bool(after.get("action_valid", True))
            if chat and action is not None and valid and not stepped:
                tool_calls[seat] += 1  # a valid reply that did not step the env called a tool
            rewards = dict(tally.last_rewards) if stepped else {}
            turns.append(MultiTurn(seat, action, _command_text(after, chat) if action is not None else None,
                                   valid, stepped, rewards, after))
            if recorder is not None:
                recorder.step(seat, action, turns[-1].command, valid, seen, rewards,
                              dict(env.terminations), dict(env.truncations), after)
        returns = {seat: round(tally.returns.get(seat, 0.0), 12) for seat in seats}
        success = {seat: bool(final_infos.get(seat, {}).get("success", False)) for seat in seats}
        if recorder is not None:
            recorder.end(returns, any(success.values()))
    except BaseException:
        if recorder is not None:
            recorder.abort()
        raise
    finally:
        if chat:
            env.env = inner
    return MultiTrajectory(
        seed=int(seed), seats=seats, labels=labels, turns=tuple(turns), returns=returns, success=success,
        final_infos=final_infos, truncated_seats=frozenset(truncated_seats), tool_calls=tool_calls, tokens_in=tokens_in, tokens_out=tokens_out,
        seconds=round(time.perf_counter() - started, 4),
    )


def multi_rows(trajectory: MultiTrajectory, seats: Iterable[str], agent: str, opponent: str, env_id: str,
               episode: int) -> list[EpisodeRow]:
    """The episode rows of the seats ``agent`` played in ``trajectory``."""
    rows = []
    for seat in seats:
        acted = trajectory.acted(seat)
        rows.append(EpisodeRow(
            agent=agent, env_id=env_id, episode=episode, seed=trajectory.seed, success=trajectory.success[seat],
            episode_return=trajectory.returns[seat], steps=len(acted), invalid=sum(not t.valid for t in acted),
            truncated=trajectory.truncated(seat), tool_calls=trajectory.tool_calls[seat], oracle_tool_calls=None,
            tokens_in=trajectory.tokens_in[seat], tokens_out=trajectory.tokens_out[seat],
            seconds=trajectory.seconds, seat=seat, opponent=opponent, scores=trajectory.scores(seat),
        ))
    return rows


# ---- which envs ---------------------------------------------------------------------------


def _patterns(env_ids: str | Iterable[str]) -> list[str]:
    patterns = [p.strip() for p in env_ids.split(",")] if isinstance(env_ids, str) else [str(p) for p in env_ids]
    return [p for p in patterns if p]


def _multi_matches(pattern: str) -> list[str]:
    from agentic_gym.envs.multi import multi_agent_ids

    if pattern == "*":  # "every env" means every single-agent env; multi-agent ones are named
        return []
    from agentic_gym.envs.multi import MULTI_AGENT_ENVS

    bare = pattern.split("/", 1)[1] if pattern.startswith("agentic_gym/") else pattern
    # Listing the variants imports PettingZoo: skip it when the pattern's literal start rules out every name.
    literal = bare[: next((i for i, c in enumerate(bare) if c in "*?["), len(bare))]
    if not any(name.startswith(literal) or literal.startswith(name) for name in MULTI_AGENT_ENVS):
        return []
    return [i for i in multi_agent_ids() if fnmatch.fnmatchcase(i, bare)]


def is_multi_request(env_ids: str | Iterable[str]) -> bool:
    """True when a pattern of ``env_ids`` names multi-agent variants (``Negotiation*``, ``CoopKeyDoor-8x8-v0``).

    The pattern ``*`` alone stands for every single-agent env.
    """
    return any(_multi_matches(p) for p in _patterns(env_ids))


def resolve_multi_ids(env_ids: str | Iterable[str]) -> list[str]:
    """The multi-agent variant ids matching ``env_ids``; ``ValueError`` when a pattern names none of them.

    Example:
        >>> resolve_multi_ids("Negotiation-2p*,CoopKeyDoor-8x8-v0")
        ['Negotiation-2p-v0', 'Negotiation-2p-large-v0', 'CoopKeyDoor-8x8-v0']
    """
    from agentic_gym.envs import registered_ids
    from agentic_gym.envs.multi import multi_agent_ids

    chosen: list[str] = []
    for pattern in _patterns(env_ids):
        matches = _multi_matches(pattern)
        singles = [e for e in registered_ids()
                   if fnmatch.fnmatchcase(e, pattern) or fnmatch.fnmatchcase(short_id(e), pattern)]
        if matches and singles:
            raise ValueError(f"{pattern!r} matches single-agent and multi-agent envs; "
                             "evaluate single-agent and multi-agent envs in separate runs")
        if not matches:
            raise ValueError(f"no multi-agent env matches {pattern!r} (known: {', '.join(multi_agent_ids())}); "
                             "evaluate single-agent and multi-agent envs in separate runs")
        chosen.extend(m for m in matches if m not in chosen)
    if not chosen:
        raise ValueError("no env ids given")
    return chosen


# ---- many episodes ----------------------------------------------------------------------


@dataclass(frozen=True)
class MultiSettings:
    """What every episode of one multi-agent evaluation shares."""

    agent: Any
    opponent: Any
    opponent_label: str
    self_play: bool
    chat: bool
    chat_options: dict[str, Any]
    make_kwargs: dict[str, Any]


@dataclass(frozen=True)
class MultiTask:
    """One game: the env, the episode, the seat the agent plays (None: every seat) and the seeds."""

    label: str
    env_id: str
    episode: int
    seat: str | None
    env_seed: int
    agent_seed: int
    record_dir: str | None = None
    record_name: str = "episode"


def _seed_of(agent_seed: int, index: int) -> int:
    return int(np.random.SeedSequence([agent_seed, index]).generate_state(1)[0])


@dataclass
class _MultiRunner:
    settings: MultiSettings
    envs: dict[str, Any] = field(default_factory=dict)

    def make(self, env_id: str, render_mode: str | None) -> Any:
        kwargs = dict(self.settings.make_kwargs)
        if render_mode is not None:
            kwargs["render_mode"] = render_mode
        if self.settings.chat:
            from agentic_gym.wrappers.multi_chat import chat_multi

            return chat_multi(env_id, **self.settings.chat_options, **kwargs)
        from agentic_gym.envs.multi import make

        return make(env_id, **kwargs)

    def run(self, task: MultiTask) -> list[EpisodeRow]:
        s = self.settings
        recorder = None
        if task.record_dir is not None:
            from agentic_gym.recording.multi import MultiEpisodeRecorder

            env = self.make(task.env_id, "rgb_array")
            recorder = MultiEpisodeRecorder(task.record_dir, task.record_name, env, task.env_id, s.make_kwargs,
                                            s.chat_options if s.chat else None, episode=task.episode)
        else:
            env = self.envs.get(task.env_id)
            if env is None:
                env = self.envs[task.env_id] = self.make(task.env_id, None)
        seats = list(env.possible_agents)
        agents: dict[str, Any] = {}
        labels: dict[str, str] = {}
        mine = seats if task.seat is None else [task.seat]
        agent = build_agent(s.agent, env, task.agent_seed)
        for index, seat in enumerate(seats):
            if seat in mine:
                agents[seat], labels[seat] = agent, task.label
            else:
                agents[seat] = build_agent(s.opponent, env, _seed_of(task.agent_seed, index + 1))
                labels[seat] = s.opponent_label
        try:
            trajectory = run_multi_episode(agents, env, task.env_seed, labels=labels, recorder=recorder)
        finally:
            if recorder is not None:
                env.close()
        opponent = "self" if s.self_play else s.opponent_label
        return multi_rows(trajectory, mine, task.label, opponent, task.env_id, task.episode)

    def close(self) -> None:
        for env in self.envs.values():
            env.close()
        self.envs.clear()


_WORKER: _MultiRunner | None = None


def _init_worker(settings: MultiSettings) -> None:
    global _WORKER
    _WORKER = _MultiRunner(settings)


def _run_in_worker(task: MultiTask) -> list[EpisodeRow]:
    assert _WORKER is not None, "worker used before its initializer ran"
    return _WORKER.run(task)


def _play_all(settings: MultiSettings, tasks: list[MultiTask], workers: int,
              on_rows: Callable[[list[EpisodeRow]], None]) -> None:
    if workers <= 1 or len(tasks) <= 1:
        runner = _MultiRunner(settings)
        try:
            for task in tasks:
                on_rows(runner.run(task))
        finally:
            runner.close()
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(settings,))
    try:
        futures = [pool.submit(_run_in_worker, task) for task in tasks]
        for future in as_completed(futures):
            on_rows(future.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _score_means(rows: Sequence[EpisodeRow]) -> dict[str, float]:
    keys = list(dict.fromkeys(k for r in rows for k in (r.scores or {})))
    return {k: float(np.mean([r.scores[k] for r in rows if r.scores and k in r.scores])) for k in keys}


def multi_summary(rows: Sequence[EpisodeRow], env_ids: Sequence[str],
                  capabilities: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """:func:`~agentic_gym.evaluation.report.summarize` plus, per env, the score means and a ``seats`` breakdown."""
    summary = summarize(rows, env_ids, capabilities)
    for env_id, metrics in summary["envs"].items():
        env_rows = [r for r in rows if r.env_id == env_id]
        metrics.update(_score_means(env_rows))
        seats = list(dict.fromkeys(r.seat for r in env_rows if r.seat is not None))
        metrics["seats"] = {
            seat: {**env_metrics([r for r in env_rows if r.seat == seat]),
                   **_score_means([r for r in env_rows if r.seat == seat])}
            for seat in seats
        }
    return summary


def evaluate_multi(
    agent_or_factory: Any,
    env_ids: str | Iterable[str],
    episodes: int = 5,
    seed: int = 0,
    max_steps: int | None = None,
    workers: int = 1,
    out: str | os.PathLike[str] | None = None,
    record: int = 0,
    resume: bool = False,
    *,
    opponent: Any = "oracle",
    self_play: bool = False,
    chat: bool | None = None,
    chat_options: dict[str, Any] | None = None,
    name: str | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Play ``episodes`` seeds of every multi-agent env in ``env_ids``, the agent in each seat in turn.

    Against an opponent each seed is played once per seat: the agent in that seat, an
    opponent (built by ``factory(env, seed)`` with its own seed) in every other; in
    self-play (``self_play=True``) it is played once with the agent in every seat. Each
    game gives a row per seat the agent played (``seat``, ``opponent``, ``scores``: the
    env's ``pareto_optimal``, ``distance_to_frontier`` and ``nash_ratio`` when it reports
    them, and ``opponent_return``, the other seats' mean return).

    The arguments are those of :func:`agentic_gym.evaluate` and:

    Args:
        opponent: a name of :data:`OPPONENTS` or a factory ``factory(env, seed)``.
        self_play: the agent plays every seat (``opponent`` is ignored).
        max_steps: the rounds limit (``max_cycles``) instead of each variant's own.
        chat: play through :func:`agentic_gym.chat_multi` (every seat: a native opponent's
            command text goes through its seat's parser); ``None`` asks the agent.

    Returns:
        The dict of :func:`agentic_gym.evaluate`, labelled ``"<agent> vs <opponent>"`` or
        ``"<agent> self-play"``; each env's metrics add the score means and ``seats``
        (the same metrics per seat).
    """
    from agentic_gym.evaluation import harness
    from agentic_gym.evaluation.harness import RESULTS_FILE, RESULTS_FORMAT, RunStore

    for what, value, low in (("episodes", episodes, 1), ("workers", workers, 1), ("record", record, 0)):
        if value < low:
            raise ValueError(f"{what} must be at least {low}, got {value}")
    if max_steps is not None and max_steps < 1:
        raise ValueError(f"max_steps must be at least 1, got {max_steps}")
    if record and out is None:
        raise ValueError("record needs an output directory (out=...)")
    ids = resolve_multi_ids(env_ids)
    agent = seat_factory(agent_or_factory)
    uses_chat = bool(getattr(agent_or_factory, "uses_chat", False)) if chat is None else bool(chat)
    base = name or agent_name(agent_or_factory)
    if self_play:
        opponent_label, opponent_fn = "self", None
        label = f"{base} self-play"
    else:
        opponent_label, opponent_fn = opponent_factory(opponent, ids)
        label = f"{base} vs {opponent_label}"
    make_kwargs = {} if max_steps is None else {"max_cycles": max_steps}
    settings = MultiSettings(agent, opponent_fn, opponent_label, self_play, uses_chat, dict(chat_options or {}),
                             make_kwargs)
    # Building each env once checks the settings (a rounds limit out of range) before anything is played.
    runner = _MultiRunner(settings)
    seats_of: dict[str, list[str]] = {}
    capabilities: dict[str, list[str]] = {}
    try:
        for env_id in ids:
            env = runner.make(env_id, None)
            seats_of[env_id] = list(env.possible_agents)
            capabilities[env_id] = list(env.unwrapped.metadata.get("capabilities", ()))
            env.close()
    except (TypeError, ValueError) as error:
        raise ValueError(f"cannot build {env_id}: {error}") from None
    agent_settings = getattr(agent_or_factory, "settings", None)
    config = harness._jsonable({
        "agent": label, "agent_settings": agent_settings() if callable(agent_settings)
        and not isinstance(agent_or_factory, type) else {},
        "env_ids": ids, "episodes": episodes, "seed": seed, "max_steps": max_steps, "chat": uses_chat,
        "chat_options": dict(chat_options or {}), "record": record, "multi_agent": True,
        "opponent": opponent_label, "self_play": self_play,
    })
    resume_keys = (*harness._RESUME_KEYS, "opponent", "self_play")

    store = RunStore(out) if out is not None else None
    done: dict[tuple[str, int, str | None], EpisodeRow] = {}
    if store is not None:
        store.directory.mkdir(parents=True, exist_ok=True)
        stored = store.results()
        previous = stored.get("agents", {}).get(label)
        mine = [r for r in store.rows() if r.agent == label]
        if (previous or mine) and not resume:
            raise ValueError(f"{store.directory} already holds results of {label!r}; resume or use another directory")
        if previous:
            changed = [k for k in resume_keys if previous["config"].get(k) != config[k]]
            if changed:
                raise ValueError(f"cannot resume {label!r} in {store.directory}: settings differ ({', '.join(changed)})")
        done = {(r.env_id, r.episode, r.seat): r for r in mine}
        stored.setdefault("agents", {})[label] = {"config": config, "complete": False}
        stored.update(format=RESULTS_FORMAT, versions=harness.versions())
        store.write_text(RESULTS_FILE, json.dumps(stored, indent=1) + "\n")

    tasks: list[MultiTask] = []
    for env_id in ids:
        games = [None] if self_play else seats_of[env_id]
        for episode in range(episodes):
            env_seed, agent_seed = episode_seeds(seed, episode)
            for seat in games:
                wanted = seats_of[env_id] if seat is None else [seat]
                if all((env_id, episode, s) in done for s in wanted):
                    continue
                record_dir = None
                if store is not None and episode < record:
                    record_dir = str(store.directory / "recordings" / harness._safe_name(label))
                stem = f"{harness._safe_name(short_id(env_id))}-ep{episode}" + ("" if seat is None else f"-{seat}")
                tasks.append(MultiTask(label, env_id, episode, seat, env_seed, agent_seed, record_dir, stem))

    from tqdm import tqdm

    rows = list(done.values())
    total = sum(episodes * (1 if self_play else len(seats_of[e])) for e in ids)
    bar = tqdm(total=total, initial=total - len(tasks), desc=label, unit="game", disable=not progress,
               file=sys.stderr, dynamic_ncols=True)

    def finished(new: list[EpisodeRow]) -> None:
        for row in new:
            if (row.env_id, row.episode, row.seat) in done:
                continue
            rows.append(row)
            if store is not None:
                store.append(row)
        bar.update(1)

    try:
        _play_all(settings, tasks, workers, finished)
    finally:
        bar.close()

    env_order = {e: i for i, e in enumerate(ids)}
    seat_order = {e: {s: i for i, s in enumerate(seats_of[e])} for e in ids}
    rows.sort(key=lambda r: (env_order[r.env_id], r.episode, seat_order[r.env_id].get(r.seat or "", 0)))
    result: dict[str, Any] = {"agent": label, "config": config, "env_capabilities": capabilities,
                              **multi_summary(rows, ids, capabilities)}
    if store is not None:
        stored = store.results()
        agents = stored.setdefault("agents", {})
        agents[label] = {**{k: v for k, v in result.items() if k != "agent"}, "complete": True}
        others = [r for r in store.rows() if r.agent != label]
        order = list(dict.fromkeys(e for a in agents.values() for e in a["config"]["env_ids"]))
        stored["episodes"] = [r.to_json() for r in harness._sorted_rows(others, order, list(agents))] + \
            [r.to_json() for r in rows]
        stored.update(format=RESULTS_FORMAT, versions=harness.versions())
        harness._write_reports(store, stored)
    result["episodes"] = [r.to_json() for r in rows]
    return result


# ---- the table of ``agentic-gym eval`` ---------------------------------------------------


def multi_table(results: Mapping[str, Mapping[str, Any]]) -> str:
    """A fixed-width table of multi-agent results: one line per env, series and seat, with the scores."""
    lines = []
    for label, result in results.items():
        for env_id, metrics in result.get("envs", {}).items():
            for seat, m in metrics.get("seats", {}).items():
                lines.append({
                    "env": short_id(env_id), "agent": label, "seat": seat,
                    "success": f"{m['success_rate']:.2f}", "return": f"{m['mean_return']:.3f}",
                    "opponent return": f"{m.get('opponent_return', 0.0):.3f}",
                    "pareto": f"{m['pareto_optimal']:.2f}" if "pareto_optimal" in m else "-",
                    "nash ratio": f"{m['nash_ratio']:.3f}" if "nash_ratio" in m else "-",
                    "invalid": f"{m['invalid_rate']:.2f}", "steps": f"{m['mean_steps']:.1f}",
                })
    return format_table(lines, ["env", "agent", "seat", "success", "return", "opponent return", "pareto",
                                "nash ratio", "invalid", "steps"])
