"""Evaluate an agent on many environments: seeds, metrics, resumable runs and reports.

:func:`evaluate` plays ``episodes`` episodes of every env id with seeds derived from
one ``seed`` (the same seeds for every agent, so agents are compared on the same
episodes), natively or through :func:`agentic_gym.chat` for LLM-style agents, and
reports per env: success rate with its standard error, mean return, mean steps,
invalid-action rate, tool calls and tokens; then per capability and overall as the
mean over envs (like BALROG's progress score: every env weighs the same whatever
its episode count).

With ``out=DIR`` each finished episode is appended to ``DIR/episodes.jsonl`` at once,
so a run killed at any point resumes where it stopped (``resume=True``), and
``DIR`` receives ``results.json``, ``summary.md`` and ``capabilities.png``. Several
agents evaluated into the same ``DIR`` share these files (one series per agent).

Example:
    >>> from agentic_gym import evaluate
    >>> from agentic_gym.agents import OracleAgent
    >>> result = evaluate(OracleAgent, "agentic_gym/GridKeyDoor-8x8-v0", episodes=2, seed=0)
    >>> result["envs"]["agentic_gym/GridKeyDoor-8x8-v0"]["success_rate"]
    1.0
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

#: Bumped when the layout of ``results.json`` or of an episode row changes.
RESULTS_FORMAT = 1

EPISODES_FILE = "episodes.jsonl"
RESULTS_FILE = "results.json"
SUMMARY_FILE = "summary.md"
PICTURE_FILE = "capabilities.png"

# Settings that must match for a run to resume: they decide which episodes are played.
_RESUME_KEYS = ("env_ids", "episodes", "seed", "max_steps", "chat", "chat_options")


# ---- which envs, which seeds ---------------------------------------------------


def resolve_env_ids(env_ids: str | Iterable[str]) -> list[str]:
    """Registered single-agent ids matching ids or globs (``"Grid*"``, ``"agentic_gym/Recall-*"``).

    A string may hold several comma-separated patterns; a pattern matches the full
    id or the id without its ``agentic_gym/`` namespace. Order follows the registry;
    a pattern that matches nothing raises ``ValueError``.
    """
    from gymnasium.envs.registration import registry

    from agentic_gym.envs import registered_ids

    patterns = [p.strip() for p in env_ids.split(",")] if isinstance(env_ids, str) else [str(p) for p in env_ids]
    patterns = [p for p in patterns if p]
    if not patterns:
        raise ValueError("no env ids given")
    known = list(registered_ids())
    chosen: list[str] = []
    for pattern in patterns:
        if pattern in registry and pattern not in known:
            # An id registered outside the package (a user's own env) is taken as given.
            matches = [pattern]
        else:
            matches = [
                env_id for env_id in known
                if fnmatch.fnmatchcase(env_id, pattern) or fnmatch.fnmatchcase(env_id.split("/", 1)[-1], pattern)
            ]
        if not matches:
            raise ValueError(f"no registered env matches {pattern!r} (see `agentic-gym list`)")
        chosen.extend(m for m in matches if m not in chosen)
    return chosen


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
    import numpy as np

    env_seed, agent_seed = np.random.SeedSequence([seed, episode]).generate_state(2)
    return int(env_seed), int(agent_seed)


# ---- playing one episode ---------------------------------------------------------


def _is_factory(agent_or_factory: Any) -> bool:
    # A class is a factory even though it has an ``act`` attribute.
    return isinstance(agent_or_factory, type) or not callable(getattr(agent_or_factory, "act", None))


def agent_name(agent_or_factory: Any) -> str:
    """The label of an agent in results: its ``name``, else its class name in lower case."""
    name = getattr(agent_or_factory, "name", None)
    if isinstance(name, str) and name:
        return name
    kind = agent_or_factory if isinstance(agent_or_factory, type) else type(agent_or_factory)
    return getattr(kind, "__name__", "agent").lower()


def _action_name(action: Any, info: dict[str, Any], affordances: Sequence[Any]) -> str | None:
    """The affordance an action used, to count tool calls in envs that do not count them."""
    import numpy as np

    from agentic_gym.core import Command, InvalidAction, parse_command

    parsed = info.get("parsed_action")
    if isinstance(parsed, Command):
        return parsed.name
    if isinstance(parsed, str) and parsed:
        action = parsed
    if isinstance(action, int | np.integer) and not isinstance(action, bool):
        index = int(action)
        return affordances[index].name if 0 <= index < len(affordances) else None
    if isinstance(action, str) and affordances:
        try:
            return parse_command(action, affordances).name
        except InvalidAction:
            return None
    return None


class _EpisodeRunner:
    """Plays episodes of one evaluation; keeps one env per id alive between episodes."""

    def __init__(self, agent: Any, settings: dict[str, Any]):
        self.agent = agent
        self.settings = settings
        self._envs: dict[str, Any] = {}

    def _make_env(self, spec: Any, render_mode: str | None) -> Any:
        import gymnasium as gym

        kwargs: dict[str, Any] = {}
        if self.settings["max_steps"] is not None:
            kwargs["max_episode_steps"] = self.settings["max_steps"]
        if render_mode is not None:
            kwargs["render_mode"] = render_mode
        if not self.settings["chat"]:
            return gym.make(spec, **kwargs)
        from agentic_gym.wrappers import chat

        return chat(gym.make(spec, **kwargs), **self.settings["chat_options"])

    def run(self, task: dict[str, Any]) -> dict[str, Any]:
        spec = task["spec"]
        record_dir = task.get("record_dir")
        if record_dir is not None:
            from agentic_gym.wrappers import RecordEpisode

            env = RecordEpisode(self._make_env(spec, "rgb_array"), record_dir, name_prefix=task["record_name"])
        else:
            env = self._envs.get(spec.id)
            if env is None:
                env = self._envs[spec.id] = self._make_env(spec, None)
        try:
            return self._play(env, task)
        finally:
            if record_dir is not None:
                env.close()

    def _play(self, env: Any, task: dict[str, Any]) -> dict[str, Any]:
        agent = self.agent(env, task["agent_seed"]) if _is_factory(self.agent) else self.agent
        try:
            affordances = tuple(env.get_wrapper_attr("affordances"))
        except AttributeError:
            affordances = ()
        kinds = {a.name: a.kind for a in affordances}
        tokens_before = (getattr(agent, "prompt_tokens", 0), getattr(agent, "completion_tokens", 0))
        started = time.perf_counter()
        observation, info = env.reset(seed=task["env_seed"])
        agent.reset(info)
        total = 0.0
        steps = invalid = counted_tool_calls = 0
        terminated = truncated = False
        while not (terminated or truncated):
            action = agent.act(observation, info)
            observation, reward, terminated, truncated, info = env.step(action)
            total += float(reward)
            steps += 1
            if info.get("action_valid", True):
                counted_tool_calls += kinds.get(_action_name(action, info, affordances) or "") == "tool"
            else:
                invalid += 1
        tool_calls = info.get("tool_calls", counted_tool_calls)
        oracle_calls = info.get("oracle_tool_calls")
        return {
            "agent": task["agent"],
            "env_id": task["spec"].id,
            "episode": task["episode"],
            "seed": task["env_seed"],
            "success": bool(info.get("success", False)),
            "return": total,
            "steps": steps,
            "invalid": invalid,
            "truncated": bool(truncated),
            "tool_calls": int(tool_calls),
            "oracle_tool_calls": None if oracle_calls is None else int(oracle_calls),
            "tokens_in": int(getattr(agent, "prompt_tokens", 0) - tokens_before[0]),
            "tokens_out": int(getattr(agent, "completion_tokens", 0) - tokens_before[1]),
            "seconds": round(time.perf_counter() - started, 4),
        }

    def close(self) -> None:
        for env in self._envs.values():
            env.close()
        self._envs.clear()


# One runner per worker process, built by the pool's initializer.
_WORKER: _EpisodeRunner | None = None


def _init_worker(agent: Any, settings: dict[str, Any]) -> None:
    global _WORKER
    _WORKER = _EpisodeRunner(agent, settings)


def _run_in_worker(task: dict[str, Any]) -> dict[str, Any]:
    assert _WORKER is not None, "worker used before its initializer ran"
    return _WORKER.run(task)


def _play_all(
    agent: Any, settings: dict[str, Any], tasks: list[dict[str, Any]], workers: int,
    on_row: Callable[[dict[str, Any]], None],
) -> None:
    if workers <= 1 or len(tasks) <= 1:
        runner = _EpisodeRunner(agent, settings)
        try:
            for task in tasks:
                on_row(runner.run(task))
        finally:
            runner.close()
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # spawn: safe with threads, pygame and any start method the platform prefers.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(tasks)), mp_context=context,
        initializer=_init_worker, initargs=(agent, settings),
    )
    try:
        futures = [pool.submit(_run_in_worker, task) for task in tasks]
        for future in as_completed(futures):
            on_row(future.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# ---- metrics -----------------------------------------------------------------------


def _mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values)) if values else 0.0


def env_metrics(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Metrics of one agent on one env from its episode rows.

    ``success_rate`` is the fraction of episodes whose last ``info["success"]`` is
    True, ``success_se`` its binomial standard error. Steps are the agent's turns,
    including the chat layer's feedback turns after an unusable reply;
    ``invalid_rate`` is the share of all turns with ``info["action_valid"]`` False.
    ``tool_calls`` is the env's own count (``info["tool_calls"]``) when it keeps one,
    else the number of valid turns that used a ``tool`` affordance. Token counts
    and tool calls are means per episode.

    Example:
        >>> rows = [dict(success=True, steps=4, invalid=1, tool_calls=2, oracle_tool_calls=None,
        ...              tokens_in=0, tokens_out=0, **{"return": 1.0}),
        ...         dict(success=False, steps=6, invalid=0, tool_calls=0, oracle_tool_calls=None,
        ...              tokens_in=0, tokens_out=0, **{"return": 0.0})]
        >>> m = env_metrics(rows)
        >>> m["success_rate"], m["success_se"], m["invalid_rate"], m["mean_steps"]
        (0.5, 0.3535533905932738, 0.1, 5.0)
    """
    n = len(rows)
    rate = _mean([float(r["success"]) for r in rows])
    steps = sum(r["steps"] for r in rows)
    oracle_calls = [r["oracle_tool_calls"] for r in rows if r.get("oracle_tool_calls") is not None]
    return {
        "episodes": n,
        "success_rate": rate,
        # Binomial standard error of the success rate.
        "success_se": math.sqrt(rate * (1.0 - rate) / n) if n else 0.0,
        "mean_return": _mean([float(r["return"]) for r in rows]),
        "mean_steps": _mean([float(r["steps"]) for r in rows]),
        "invalid_rate": sum(r["invalid"] for r in rows) / steps if steps else 0.0,
        "tool_calls": _mean([float(r["tool_calls"]) for r in rows]),
        "oracle_tool_calls": _mean(oracle_calls) if oracle_calls else None,
        "tokens_in": _mean([float(r["tokens_in"]) for r in rows]),
        "tokens_out": _mean([float(r["tokens_out"]) for r in rows]),
    }


def _group(per_env: dict[str, dict[str, Any]], env_ids: Sequence[str]) -> dict[str, Any]:
    chosen = [per_env[e] for e in env_ids]
    k = len(chosen)
    return {
        "envs": k,
        "success_rate": _mean([m["success_rate"] for m in chosen]),
        # The standard error of a mean of independent per-env rates.
        "success_se": math.sqrt(sum(m["success_se"] ** 2 for m in chosen)) / k if k else 0.0,
        "mean_return": _mean([m["mean_return"] for m in chosen]),
        "invalid_rate": _mean([m["invalid_rate"] for m in chosen]),
    }


def summarize(
    rows: Sequence[dict[str, Any]], env_ids: Sequence[str], capabilities: dict[str, Sequence[str]],
) -> dict[str, Any]:
    """Per-env metrics, per-capability and overall means over envs, for one agent's rows."""
    from agentic_gym.core import CAPABILITIES

    per_env = {}
    for env_id in env_ids:
        env_rows = [r for r in rows if r["env_id"] == env_id]
        if env_rows:
            per_env[env_id] = env_metrics(env_rows)
    played = list(per_env)
    by_capability = {}
    for capability in CAPABILITIES:
        ids = [e for e in played if capability in capabilities.get(e, ())]
        if ids:
            by_capability[capability] = _group(per_env, ids)
    overall = _group(per_env, played)
    overall["episodes"] = len(rows)
    overall["tokens_in"] = int(sum(r["tokens_in"] for r in rows))
    overall["tokens_out"] = int(sum(r["tokens_out"] for r in rows))
    return {"envs": per_env, "capabilities": by_capability, "overall": overall}


# ---- the output directory -------------------------------------------------------------


class RunStore:
    """The files of an evaluation directory: the episode log and the reports.

    ``episodes.jsonl`` gets one line per finished episode, written with a single
    ``write`` on an append-only descriptor, so killing the process loses at most
    the episode in progress; a line cut short by the kill is dropped on resume.
    """

    def __init__(self, directory: str | os.PathLike[str]):
        self.directory = Path(directory)
        self.episodes_path = self.directory / EPISODES_FILE
        self.results_path = self.directory / RESULTS_FILE

    def rows(self) -> list[dict[str, Any]]:
        """Every complete episode row (a trailing partial line is dropped from the file)."""
        if not self.episodes_path.exists():
            return []
        data = self.episodes_path.read_bytes()
        complete = data[: data.rfind(b"\n") + 1]
        if len(complete) != len(data):
            with open(self.episodes_path, "r+b") as handle:
                handle.truncate(len(complete))
        return [json.loads(line) for line in complete.decode("utf-8").splitlines() if line.strip()]

    def append(self, row: dict[str, Any]) -> None:
        line = (json.dumps(row, sort_keys=True) + "\n").encode("utf-8")
        fd = os.open(self.episodes_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def results(self) -> dict[str, Any]:
        if not self.results_path.exists():
            return {}
        return json.loads(self.results_path.read_text(encoding="utf-8"))

    def write_text(self, name: str, text: str) -> Path:
        path = self.directory / name
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
        return path


def versions() -> dict[str, str]:
    """Versions of Python, the platform and the packages a result depends on."""
    import platform
    from importlib import metadata

    found = {"python": platform.python_version(), "platform": platform.platform()}
    for package in ("agentic-gym", "gymnasium", "numpy", "pygame", "openai"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return found


def _capabilities_of(spec: Any) -> list[str]:
    import gymnasium as gym

    env = gym.make(spec)
    try:
        return list(env.unwrapped.metadata.get("capabilities", ()))
    finally:
        env.close()


def _sorted_rows(
    rows: Iterable[dict[str, Any]], env_ids: Sequence[str], agents: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Rows by agent (in ``agents`` order), then env (in ``env_ids`` order), then episode."""
    order = {env_id: i for i, env_id in enumerate(env_ids)}
    agent_order = {label: i for i, label in enumerate(agents)}
    return sorted(rows, key=lambda r: (
        agent_order.get(r["agent"], len(agent_order)), r["agent"],
        order.get(r["env_id"], len(order)), r["env_id"], r["episode"],
    ))


def _write_reports(store: RunStore, results: dict[str, Any]) -> None:
    store.write_text(RESULTS_FILE, json.dumps(results, indent=1) + "\n")
    agents = results.get("agents", {})
    store.write_text(SUMMARY_FILE, summary_markdown(agents))
    if any(a.get("envs") for a in agents.values()):
        draw_capabilities({name: a for name, a in agents.items() if a.get("envs")}, store.directory / PICTURE_FILE)


def _label_of(value: Any) -> str:
    # Objects in settings (a chat Tool, a callable) are recorded by name: stable across processes.
    for holder in (value, getattr(value, "affordance", None)):
        name = getattr(holder, "name", None) or getattr(holder, "__name__", None)
        if isinstance(name, str):
            return name
    return type(value).__name__


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=_label_of))


def _safe_name(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


# ---- evaluate ---------------------------------------------------------------------------


def evaluate(
    agent_or_factory: Any,
    env_ids: str | Iterable[str] = "*",
    episodes: int = 5,
    seed: int = 0,
    max_steps: int | None = None,
    workers: int = 1,
    out: str | os.PathLike[str] | None = None,
    record: int = 0,
    resume: bool = False,
    *,
    chat: bool | None = None,
    chat_options: dict[str, Any] | None = None,
    name: str | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Play ``episodes`` episodes of every env in ``env_ids`` and report the agent's metrics.

    Args:
        agent_or_factory: an agent instance used for every episode (it must not depend
            on the env, like :class:`~agentic_gym.agents.OpenAIAgent`), or a factory
            ``factory(env, seed) -> agent`` called at the start of each episode with the
            env the agent plays and the episode's agent seed (the classes
            :class:`~agentic_gym.agents.RandomAgent` and
            :class:`~agentic_gym.agents.OracleAgent` are such factories).
        env_ids: ids or globs (see :func:`resolve_env_ids`); ``"*"`` is every registered env.
        episodes: episodes per env.
        seed: the run's seed; episode ``i`` of every env and every agent resets with the
            same derived seed (:func:`episode_seeds`).
        max_steps: overrides each env's registered time limit.
        workers: processes playing episodes in parallel (spawned, so the agent or factory
            must be picklable and scripts need the ``if __name__ == "__main__":`` guard).
            The results are the same for any number of workers.
        out: directory for ``episodes.jsonl``, ``results.json``, ``summary.md``,
            ``capabilities.png`` and recordings; other agents' results already there
            are kept and drawn alongside.
        record: record the first ``record`` episodes of each env with
            :class:`~agentic_gym.wrappers.RecordEpisode` under ``out/recordings/``.
        resume: continue the run of this agent in ``out``, playing only the episodes
            missing from ``episodes.jsonl``; without it, finding earlier results of the
            same agent there is an error.
        chat: play through :func:`agentic_gym.chat` (messages in, reply out); ``None``
            asks the agent (its ``uses_chat`` attribute).
        chat_options: keyword arguments for :func:`agentic_gym.chat` (``history``,
            ``format``, ``tools``, ...).
        name: the agent's label in results; defaults to its ``name`` or class name.
        progress: show a progress bar (tqdm) on stderr.

    Returns:
        A JSON-ready dict: ``agent``, ``config``, ``envs`` (per-env metrics),
        ``capabilities``, ``overall`` and ``episodes`` (the rows, in env then episode order).

    Raises:
        ValueError: a pattern matches no env, an argument is out of range, or ``out``
            holds results that do not fit (same agent without ``resume``, other settings).
        agentic_gym.agents.AgentError: the agent cannot go on (e.g. its server is down);
            the episodes finished before are kept in ``out`` for ``resume``.
    """
    import gymnasium as gym

    if episodes < 1:
        raise ValueError(f"episodes must be at least 1, got {episodes}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if record < 0:
        raise ValueError(f"record must be 0 or more, got {record}")
    if max_steps is not None and max_steps < 1:
        raise ValueError(f"max_steps must be at least 1, got {max_steps}")
    if record and out is None:
        raise ValueError("record needs an output directory (out=...)")
    ids = resolve_env_ids(env_ids)
    uses_chat = bool(getattr(agent_or_factory, "uses_chat", False)) if chat is None else bool(chat)
    label = name or agent_name(agent_or_factory)
    settings = getattr(agent_or_factory, "settings", None)
    # JSON-ready from the start (tuples as lists, Tool objects by name) so a resumed run compares equal.
    config = _jsonable({
        "agent": label,
        "agent_settings": settings() if callable(settings) and not isinstance(agent_or_factory, type) else {},
        "env_ids": ids,
        "episodes": episodes,
        "seed": seed,
        "max_steps": max_steps,
        "chat": uses_chat,
        "chat_options": dict(chat_options or {}),
        "record": record,
    })
    specs = {env_id: gym.spec(env_id) for env_id in ids}
    capabilities = {env_id: _capabilities_of(specs[env_id]) for env_id in ids}

    store = RunStore(out) if out is not None else None
    done: dict[tuple[str, int], dict[str, Any]] = {}
    stored: dict[str, Any] = {}
    if store is not None:
        store.directory.mkdir(parents=True, exist_ok=True)
        stored = store.results()
        previous = stored.get("agents", {}).get(label)
        mine = [r for r in store.rows() if r["agent"] == label]
        if (previous or mine) and not resume:
            raise ValueError(f"{store.directory} already holds results of agent {label!r}; resume or use another directory")
        if previous:
            changed = [k for k in _RESUME_KEYS if previous["config"].get(k) != config[k]]
            if changed:
                raise ValueError(f"cannot resume {label!r} in {store.directory}: settings differ ({', '.join(changed)})")
        done = {(r["env_id"], r["episode"]): r for r in mine}
        stored.setdefault("agents", {})[label] = {"config": config, "complete": False}
        stored.update(format=RESULTS_FORMAT, versions=versions())
        store.write_text(RESULTS_FILE, json.dumps(stored, indent=1) + "\n")

    tasks = []
    for env_id in ids:
        for episode in range(episodes):
            if (env_id, episode) in done:
                continue
            env_seed, agent_seed = episode_seeds(seed, episode)
            record_dir = None
            if store is not None and episode < record:
                record_dir = str(store.directory / "recordings" / _safe_name(label))
            tasks.append({
                "agent": label, "spec": specs[env_id], "episode": episode,
                "env_seed": env_seed, "agent_seed": agent_seed, "record_dir": record_dir,
                "record_name": f"{_safe_name(_short(env_id))}-ep{episode}",
            })

    from tqdm import tqdm

    rows = list(done.values())
    bar = tqdm(total=len(ids) * episodes, initial=len(done), desc=label, unit="episode",
               disable=not progress, file=sys.stderr, dynamic_ncols=True)

    def finished(row: dict[str, Any]) -> None:
        rows.append(row)
        if store is not None:
            store.append(row)
        bar.update(1)

    try:
        _play_all(agent_or_factory, {"max_steps": max_steps, "chat": uses_chat,
                                     "chat_options": dict(chat_options or {})}, tasks, workers, finished)
    finally:
        bar.close()

    rows = _sorted_rows(rows, ids)
    result = {"agent": label, "config": config, "env_capabilities": capabilities, **summarize(rows, ids, capabilities)}
    if store is not None:
        stored = store.results()
        agents = stored.setdefault("agents", {})
        agents[label] = {**{k: v for k, v in result.items() if k != "agent"}, "complete": True}
        every_row = store.rows()
        everything = [r for r in every_row if r["agent"] != label] + rows
        order = [e for a in agents.values() for e in a["config"]["env_ids"]]
        stored["episodes"] = _sorted_rows(everything, list(dict.fromkeys(order)), list(agents))
        stored.update(format=RESULTS_FORMAT, versions=versions())
        _write_reports(store, stored)
    result["episodes"] = rows
    return result


# ---- reports -----------------------------------------------------------------------------


def _rate(metrics: dict[str, Any]) -> str:
    return f"{metrics['success_rate']:.2f} +- {metrics['success_se']:.2f}"


def _short(env_id: str) -> str:
    return env_id.split("/", 1)[-1]


def results_table(agents: dict[str, dict[str, Any]]) -> str:
    """A fixed-width table of every agent's per-env, per-capability and overall metrics."""
    from agentic_gym.cli import format_table

    env_ids = list(dict.fromkeys(e for a in agents.values() for e in a.get("envs", {})))
    rows = []
    for env_id in env_ids:
        for label, result in agents.items():
            m = result.get("envs", {}).get(env_id)
            if m is None:
                continue
            rows.append({
                "env": _short(env_id), "agent": label, "success": _rate(m),
                "return": f"{m['mean_return']:.3f}", "steps": f"{m['mean_steps']:.1f}",
                "invalid": f"{m['invalid_rate']:.2f}", "tool calls": f"{m['tool_calls']:.1f}",
                "tokens in/out": f"{m['tokens_in']:.0f}/{m['tokens_out']:.0f}",
            })
    table = format_table(rows, ["env", "agent", "success", "return", "steps", "invalid", "tool calls", "tokens in/out"])
    labels = list(agents)
    groups = list(dict.fromkeys(c for a in agents.values() for c in a.get("capabilities", {})))
    profile = []
    for group in [*groups, "overall"]:
        row = {"capability": group}
        for label in labels:
            m = agents[label].get("overall" if group == "overall" else "capabilities", {})
            m = m if group == "overall" else m.get(group)
            row[label] = _rate(m) if m else "-"
        profile.append(row)
    return table + "\n\nsuccess rate (mean over envs +- standard error)\n" + format_table(profile, ["capability", *labels])


def summary_markdown(agents: dict[str, dict[str, Any]]) -> str:
    """``summary.md``: the settings and the results of every agent as Markdown tables."""
    lines = ["# Evaluation summary", ""]
    for label, result in agents.items():
        config = result.get("config", {})
        lines.append(
            f"- **{label}**: {config.get('episodes')} episodes per env, seed {config.get('seed')}, "
            f"{'through chat()' if config.get('chat') else 'native actions'}"
            f"{'' if result.get('complete') else ' (incomplete)'}"
        )
    lines += ["", "## Per environment", "",
              "| env | agent | success | return | steps | invalid | tool calls | tokens in/out |",
              "|---|---|---|---|---|---|---|---|"]
    env_ids = list(dict.fromkeys(e for a in agents.values() for e in a.get("envs", {})))
    for env_id in env_ids:
        for label, result in agents.items():
            m = result.get("envs", {}).get(env_id)
            if m is not None:
                lines.append(
                    f"| {_short(env_id)} | {label} | {_rate(m)} | {m['mean_return']:.3f} | {m['mean_steps']:.1f} "
                    f"| {m['invalid_rate']:.2f} | {m['tool_calls']:.1f} | {m['tokens_in']:.0f}/{m['tokens_out']:.0f} |"
                )
    labels = [label for label, result in agents.items() if result.get("envs")]
    groups = list(dict.fromkeys(c for a in agents.values() for c in a.get("capabilities", {})))
    lines += ["", "## Per capability (success rate, mean over envs)", "",
              "| capability | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
    for group in [*groups, "overall"]:
        cells = []
        for label in labels:
            m = agents[label]["overall"] if group == "overall" else agents[label]["capabilities"].get(group)
            cells.append(_rate(m) if m else "-")
        lines.append(f"| {group} | " + " | ".join(cells) + " |")
    lines += ["", f"![capability profile]({PICTURE_FILE})", ""]
    return "\n".join(lines)


_PALETTE = [(66, 133, 244), (234, 67, 53), (52, 168, 83), (251, 188, 5), (155, 81, 224), (0, 172, 193)]


def _font(size: int) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def draw_capabilities(agents: dict[str, dict[str, Any]], path: str | os.PathLike[str]) -> Path:
    """Draw the capability profile as grouped bars: one group per capability, one bar per agent.

    Bars are success rates (mean over the envs with that capability) with
    standard-error whiskers; the last group is the overall mean.
    """
    from PIL import Image, ImageDraw

    labels = list(agents)
    groups = list(dict.fromkeys(c for a in agents.values() for c in a.get("capabilities", {}))) + ["overall"]
    title, small, tiny = _font(18), _font(13), _font(10)
    legend_width = sum(40 + int(small.getlength(label)) for label in labels)
    width = max(640, 90 + len(groups) * max(70, 22 * len(labels) + 30), 80 + legend_width)
    height = 420
    left, right, top, bottom = 60, 20, 62, 80
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.text((left, 14), "Success rate by capability (mean over envs, +- s.e.)", fill=(20, 20, 20), font=title)
    plot_h = height - top - bottom
    for tick in range(5):
        value = tick / 4
        y = top + plot_h - value * plot_h
        draw.line([(left, y), (width - right, y)], fill=(225, 225, 225) if tick else (90, 90, 90))
        draw.text((left - 8, y), f"{value:.2f}", fill=(60, 60, 60), font=small, anchor="rm")
    group_w = (width - left - right) / len(groups)
    bar_w = min(28.0, (group_w - 16) / max(1, len(labels)))
    for g, group in enumerate(groups):
        x0 = left + g * group_w + (group_w - bar_w * len(labels)) / 2
        for a, label in enumerate(labels):
            result = agents[label]
            m = result.get("overall") if group == "overall" else result.get("capabilities", {}).get(group)
            if not m:
                continue
            colour = _PALETTE[a % len(_PALETTE)]
            x = x0 + a * bar_w
            y = top + plot_h - m["success_rate"] * plot_h
            draw.rectangle([x + 1, min(y, top + plot_h - 1), x + bar_w - 2, top + plot_h], fill=colour)
            if m["success_se"] > 0:
                centre = x + bar_w / 2 - 0.5
                low = top + plot_h - max(0.0, m["success_rate"] - m["success_se"]) * plot_h
                high = top + plot_h - min(1.0, m["success_rate"] + m["success_se"]) * plot_h
                draw.line([(centre, low), (centre, high)], fill=(30, 30, 30), width=2)
                draw.line([(centre - 4, high), (centre + 4, high)], fill=(30, 30, 30), width=2)
            top_of_bar = top + plot_h - min(1.0, m["success_rate"] + m["success_se"]) * plot_h
            draw.text((x + bar_w / 2, top_of_bar - 3), f"{m['success_rate']:.2f}", fill=(40, 40, 40),
                      font=tiny, anchor="mb")
        draw.text((left + g * group_w + group_w / 2, top + plot_h + 8), group.replace("_", " "),
                  fill=(30, 30, 30), font=small, anchor="mt")
    x = left
    for a, label in enumerate(labels):
        colour = _PALETTE[a % len(_PALETTE)]
        draw.rectangle([x, height - 30, x + 14, height - 16], fill=colour)
        draw.text((x + 20, height - 23), label, fill=(30, 30, 30), font=small, anchor="lm")
        x += 40 + int(draw.textlength(label, font=small))
    path = Path(path)
    image.save(path, format="PNG")
    return path


# ---- the `agentic-gym eval` command ---------------------------------------------------------------

AGENT_CHOICES = ("random", "oracle", "openai")


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``agentic-gym eval``."""
    parser.add_argument("--agent", nargs="+", choices=AGENT_CHOICES, default=["random", "oracle"],
                        help="agents to evaluate (default: random oracle)")
    parser.add_argument("--envs", default="*", metavar="GLOB", help="glob(s) over env ids, comma-separated (default: every env)")
    parser.add_argument("--episodes", type=int, default=3, metavar="N", help="episodes per env (default: 3)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="seed the episode seeds derive from (default: 0)")
    parser.add_argument("--max-steps", type=int, default=None, metavar="N", help="override every env's time limit")
    parser.add_argument("--workers", type=int, default=1, metavar="W", help="parallel worker processes (default: 1)")
    parser.add_argument("--out", default=None, metavar="DIR", help="output directory (default: runs/<UTC timestamp>)")
    parser.add_argument("--record", type=int, default=1, metavar="K",
                        help="record the first K episodes per env as JSONL, GIF and HTML, for every agent but "
                             "the random baseline unless it runs alone (default: 1)")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run in --out")
    parser.add_argument("--chat", action="store_true",
                        help="play the random and oracle agents through the language layer too")
    llm = parser.add_argument_group("openai agent (any OpenAI-compatible server: vLLM, Ollama, ...)")
    llm.add_argument("--model", metavar="M", help="model name as the server knows it")
    llm.add_argument("--base-url", metavar="URL", help="server URL, e.g. http://localhost:8000/v1 (default: OPENAI_BASE_URL or OpenAI)")
    llm.add_argument("--api-key", metavar="KEY", help="API key (default: OPENAI_API_KEY; local servers accept any)")
    llm.add_argument("--use-tools", action="store_true", help="send the env's tools; accept tool_calls replies")
    llm.add_argument("--temperature", type=float, default=0.0, help="sampling temperature (default: 0)")
    llm.add_argument("--max-tokens", type=int, default=512, help="cap on each reply (default: 512)")
    llm.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default: 60)")
    llm.add_argument("--max-retries", type=int, default=3, help="retries of transient failures (default: 3)")
    llm.add_argument("--history", type=int, default=None, metavar="K", help="chat turns kept in the prompt (default: all)")


def _fail(message: str) -> int:
    print(f"agentic-gym eval: error: {message}", file=sys.stderr)
    return 2


def run_eval_command(args: argparse.Namespace) -> int:
    """Run ``agentic-gym eval``: evaluate each agent, print the table, write the reports."""
    from agentic_gym.agents import AgentError, OpenAIAgent, OracleAgent, RandomAgent

    for option in ("episodes", "workers"):
        if getattr(args, option) < 1:
            return _fail(f"--{option} must be at least 1, got {getattr(args, option)}")
    if args.record < 0:
        return _fail(f"--record must be 0 or more, got {args.record}")
    if args.max_steps is not None and args.max_steps < 1:
        return _fail(f"--max-steps must be at least 1, got {args.max_steps}")
    if "openai" in args.agent and not args.model:
        return _fail("--agent openai needs --model (the model name as the server knows it)")
    if args.resume and not args.out:
        return _fail("--resume needs --out (the directory of the run to continue)")
    if args.resume and not Path(args.out).is_dir():
        return _fail(f"--resume: no run directory at {args.out}")
    try:
        resolve_env_ids(args.envs)
    except ValueError as error:
        return _fail(str(error))
    out = Path(args.out) if args.out else Path("runs") / time.strftime("%Y%m%d-%H%M%S", time.gmtime())

    results = {}
    choices = list(dict.fromkeys(args.agent))
    for choice in choices:
        # A random agent's episodes run to the time limit: thousands of frames that show nothing.
        record = 0 if choice == "random" and len(choices) > 1 else args.record
        chat_options = {} if args.history is None else {"history": args.history}
        if choice == "openai":
            agent: Any = OpenAIAgent(
                args.model, base_url=args.base_url, api_key=args.api_key, temperature=args.temperature,
                max_tokens=args.max_tokens, use_tools=args.use_tools, timeout=args.timeout,
                max_retries=args.max_retries,
            )
            chat = True
        else:
            agent = RandomAgent if choice == "random" else OracleAgent
            chat = args.chat
            chat_options = chat_options if chat else {}
        try:
            result = evaluate(
                agent, args.envs, episodes=args.episodes, seed=args.seed, max_steps=args.max_steps,
                workers=args.workers, out=out, record=record, resume=args.resume,
                chat=chat, chat_options=chat_options, progress=True,
            )
        except AgentError as error:
            return _fail(f"{error} (finished episodes are kept; continue with --resume --out {out})")
        except ValueError as error:
            return _fail(str(error))
        results[result["agent"]] = result
    print(results_table(results))
    print(f"\nresults: {out / RESULTS_FILE}\nsummary: {out / SUMMARY_FILE}\n"
          f"capability profile: {out / PICTURE_FILE}")
    if args.record:
        print(f"recordings: {out / 'recordings'}")
    return 0
