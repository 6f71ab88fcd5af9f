"""Evaluate an agent on many environments: seeds, workers, resumable runs and their files.

:func:`evaluate` plays ``episodes`` episodes of every env id with seeds derived from
one ``seed`` (the same seeds for every agent, so agents are compared on the same
episodes), natively or through :func:`agentic_gym.chat` for LLM-style agents. Each
episode is played by :func:`~agentic_gym.evaluation.runner.run_episode` and becomes an
:class:`~agentic_gym.evaluation.report.EpisodeRow`; the report module aggregates them.

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

import fnmatch
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from agentic_gym.evaluation.report import (
    PICTURE_FILE,
    EpisodeRow,
    draw_capabilities,
    short_id,
    summarize,
    summary_markdown,
)
from agentic_gym.evaluation.runner import agent_name, build_agent, episode_seeds, run_episode

__all__ = [
    "DEFAULT_EPISODES",
    "DEFAULT_RECORD",
    "EPISODES_FILE",
    "INDEX_FILE",
    "RECORD_CHOICES",
    "RESULTS_FILE",
    "RESULTS_FORMAT",
    "SUMMARY_FILE",
    "RunStore",
    "env_stepped",
    "evaluate",
    "git_commit",
    "record_rule",
    "resolve_env_ids",
    "versions",
    "write_recordings_index",
]

#: Bumped when the layout of ``results.json`` or of an episode row changes.
RESULTS_FORMAT = 1

EPISODES_FILE = "episodes.jsonl"
RESULTS_FILE = "results.json"
SUMMARY_FILE = "summary.md"
RECORDINGS_DIR = "recordings"
INDEX_FILE = "index.html"

#: Defaults shared by :func:`evaluate` and ``agentic-gym eval``.
DEFAULT_EPISODES = 3
#: Which episodes are recorded when an output directory is given: the first of every env.
DEFAULT_RECORD = "first"
#: The named choices of ``record`` (a count per env is the other kind).
RECORD_CHOICES = ("first", "failures", "all")

#: Counters an agent may keep (``OpenAIAgent`` does) that an episode row records as they grow.
AGENT_COUNTERS = ("server_errors", "retries", "malformed_responses")

# Settings that must match for a run to resume: they decide which episodes are played.
_RESUME_KEYS = ("env_ids", "episodes", "seed", "max_steps", "chat", "chat_options")


def record_rule(record: int | str | None, out: Any) -> tuple[str, int]:
    """``(mode, count)`` for a ``record`` setting: ``("first", k)``, ``("all", 0)`` or ``("failures", 0)``.

    ``None`` is :data:`DEFAULT_RECORD` when there is an output directory, else nothing;
    an int ``k`` records the first ``k`` episodes of every env.

    Example:
        >>> record_rule("failures", "runs/x"), record_rule(2, "runs/x"), record_rule(None, None)
        (('failures', 0), ('first', 2), ('first', 0))
    """
    if record is None:
        record = DEFAULT_RECORD if out is not None else 0
    if isinstance(record, bool):
        raise ValueError(f"record must be {', '.join(RECORD_CHOICES)} or a count, got {record!r}")
    if isinstance(record, str):
        text = record.strip().lower()
        if text.isdigit():
            record = int(text)
        elif text == "first":
            record = 1
        elif text in RECORD_CHOICES:
            return text, 0
        else:
            raise ValueError(f"record must be {', '.join(RECORD_CHOICES)} or a count per env, got {record!r}")
    if not isinstance(record, int) or record < 0:
        raise ValueError(f"record must be 0 or more, got {record}")
    return "first", record


def _records(rule: tuple[str, int], episode: int) -> bool:
    mode, count = rule
    return mode in ("all", "failures") or episode < count


def git_commit(path: str | os.PathLike[str] | None = None) -> str | None:
    """The commit of the git checkout holding ``path`` (default: this package), or None."""
    import subprocess

    where = Path(path) if path is not None else Path(__file__).resolve().parents[2]
    try:
        done = subprocess.run(["git", "-C", str(where), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) == 40 else None


def _now() -> str:
    import datetime

    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


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


# ---- playing episodes in one process or many -------------------------------------------


@dataclass(frozen=True)
class Settings:
    """What every episode of one evaluation shares: the time limit and the chat layer."""

    max_steps: int | None
    chat: bool
    chat_options: dict[str, Any]


@dataclass(frozen=True)
class Task:
    """One episode to play: which env, which episode, its seeds and where to record it."""

    agent: str
    spec: Any
    episode: int
    env_seed: int
    agent_seed: int
    record_dir: str | None = None
    record_name: str = "episode"
    keep_recording: str = "all"


def env_stepped(info: dict[str, Any]) -> bool:
    """Whether a turn stepped the env: not a chat feedback turn (``parse_error`` set) nor a free turn.

    Notes and added tools answer without stepping the env (``info["free_turn"]``); an
    unusable reply under ``on_invalid="feedback"`` is answered by the language layer.
    """
    return not info.get("free_turn") and info.get("parse_error") is None


def recording_paths(directory: str | os.PathLike[str], name: str, remove: bool = False) -> dict[str, Path]:
    """The files of the recording ``name`` (its first episode) in ``directory`` by kind; ``remove`` deletes them."""
    found = {}
    for path in Path(directory).glob(f"{name}-0000.*"):
        kind = path.name[len(name) + 6:]
        if remove:
            path.unlink(missing_ok=True)
        elif kind in ("jsonl", "gif", "html"):
            found[kind] = path
    return found


class _EpisodeRunner:
    """Plays the tasks of one evaluation; keeps one env per id alive between episodes."""

    def __init__(self, agent: Any, settings: Settings):
        self.agent = agent
        self.settings = settings
        self._envs: dict[str, Any] = {}

    def _make_env(self, spec: Any, render_mode: str | None) -> Any:
        import gymnasium as gym

        kwargs: dict[str, Any] = {}
        if self.settings.max_steps is not None:
            kwargs["max_episode_steps"] = self.settings.max_steps
        if render_mode is not None:
            kwargs["render_mode"] = render_mode
        if not self.settings.chat:
            return gym.make(spec, **kwargs)
        from agentic_gym.wrappers import chat

        return chat(gym.make(spec, **kwargs), **self.settings.chat_options)

    def run(self, task: Task) -> EpisodeRow:
        env: Any
        if task.record_dir is not None:
            from agentic_gym.wrappers import RecordEpisode

            env = RecordEpisode(self._make_env(task.spec, "rgb_array"), task.record_dir, name_prefix=task.record_name)
        else:
            env = self._envs.get(task.spec.id)
            if env is None:
                env = self._envs[task.spec.id] = self._make_env(task.spec, None)
        agent = build_agent(self.agent, env, task.agent_seed)
        before = {name: int(getattr(agent, name, 0) or 0) for name in AGENT_COUNTERS}
        finished = False
        try:
            trajectory = run_episode(agent, env, task.env_seed)
            finished = True
        finally:
            if task.record_dir is not None:
                env.close()
                if not finished:  # an episode cut short (a dead server, Ctrl-C) leaves no recording behind
                    recording_paths(task.record_dir, task.record_name, remove=True)
        grown = {name: int(getattr(agent, name, 0) or 0) - before[name] for name in AGENT_COUNTERS}
        row = EpisodeRow.from_trajectory(trajectory, agent=task.agent, env_id=task.spec.id, episode=task.episode)
        row = replace(row, env_steps=sum(env_stepped(turn.info) for turn in trajectory.turns),
                      server_errors=grown["server_errors"] + grown["malformed_responses"], retries=grown["retries"])
        if task.record_dir is not None and task.keep_recording == "failures" and row.success:
            recording_paths(task.record_dir, task.record_name, remove=True)
        return row

    def close(self) -> None:
        for env in self._envs.values():
            env.close()
        self._envs.clear()


# One runner per worker process, built by the pool's initializer.
_WORKER: _EpisodeRunner | None = None


def _init_worker(agent: Any, settings: Settings) -> None:
    global _WORKER
    _WORKER = _EpisodeRunner(agent, settings)


def _run_in_worker(task: Task) -> EpisodeRow:
    assert _WORKER is not None, "worker used before its initializer ran"
    return _WORKER.run(task)


def _play_all(
    agent: Any, settings: Settings, tasks: list[Task], workers: int, on_row: Callable[[EpisodeRow], None],
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

    def rows(self) -> list[EpisodeRow]:
        """Every complete episode row (a trailing partial line is dropped from the file).

        Raises ``ValueError`` naming the line when a complete line is not an episode row.
        """
        if not self.episodes_path.exists():
            return []
        data = self.episodes_path.read_bytes()
        complete = data[: data.rfind(b"\n") + 1]
        if len(complete) != len(data):
            with open(self.episodes_path, "r+b") as handle:
                handle.truncate(len(complete))
        rows = []
        for number, line in enumerate(complete.decode("utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rows.append(EpisodeRow.from_json(json.loads(line)))
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"{self.episodes_path}:{number}: not an episode row ({error!r})") from None
        return rows

    def append(self, row: EpisodeRow) -> None:
        """Append one row with a single ``write`` (a kill cuts at most this line)."""
        line = (json.dumps(row.to_json(), sort_keys=True) + "\n").encode("utf-8")
        fd = os.open(self.episodes_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def results(self) -> dict[str, Any]:
        """The contents of ``results.json`` (empty before the first write)."""
        if not self.results_path.exists():
            return {}
        return json.loads(self.results_path.read_text(encoding="utf-8"))

    def write_text(self, name: str, text: str) -> Path:
        """Replace the file ``name`` atomically with ``text``."""
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


def _obs_mode_of(spec: Any) -> str | None:
    """What a grid env's text carries (``"text"``, ``"image"``, ``"both"``); None for other envs."""
    import gymnasium as gym

    env = gym.make(spec)
    try:
        mode = getattr(env.unwrapped, "obs_mode", None)
        return mode if isinstance(mode, str) else None
    finally:
        env.close()


def _sorted_rows(
    rows: Iterable[EpisodeRow], env_ids: Sequence[str], agents: Sequence[str] = (),
) -> list[EpisodeRow]:
    """Rows by agent (in ``agents`` order), then env (in ``env_ids`` order), then episode."""
    order = {env_id: i for i, env_id in enumerate(env_ids)}
    agent_order = {label: i for i, label in enumerate(agents)}
    return sorted(rows, key=lambda r: (
        agent_order.get(r.agent, len(agent_order)), r.agent,
        order.get(r.env_id, len(order)), r.env_id, r.episode,
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


def recording_name(env_id: str, episode: int) -> str:
    """The file name prefix of the recording of ``episode`` of ``env_id`` (``GridMaze-9x9-v0-ep0``)."""
    return f"{_safe_name(short_id(env_id))}-ep{episode}"


def _progress_text(label: str, env_id: str, rows: Sequence[EpisodeRow]) -> str:
    mine = [r for r in rows if r.agent == label]
    solved = sum(r.success for r in mine)
    rate = f"{solved}/{len(mine)} solved" if mine else "none played yet"
    return f"{short_id(env_id)} | {label} | {rate}"


def _run_info(
    previous: Any, started: str, command_line: str | None, cli_options: dict[str, Any] | None = None,
    resume: bool = False,
) -> dict[str, Any]:
    """The ``run`` record of ``results.json``: command, times, version, commit (the first start is kept)."""
    import shlex

    from agentic_gym import __version__

    previous = previous if isinstance(previous, dict) else {}
    first = previous.get("started")
    options = cli_options if cli_options is not None else previous.get("options")
    return {
        "command": command_line if command_line is not None else shlex.join([os.path.basename(sys.argv[0] or "python"),
                                                                              *sys.argv[1:]]),
        "started": first or started,
        "resumed": started if resume and first else previous.get("resumed"),
        "finished": None,
        "agentic_gym_version": __version__,
        "git_commit": git_commit(),
        **({"options": _jsonable(options)} if options is not None else {}),
    }


def write_recordings_index(directory: str | os.PathLike[str], rows: Sequence[EpisodeRow]) -> Path | None:
    """Write ``recordings/index.html``: one table row per recorded episode with its links and outcome."""
    import html

    recordings = Path(directory) / RECORDINGS_DIR
    if not recordings.is_dir():
        return None
    lines = []
    for row in rows:
        folder = recordings / _safe_name(row.agent)
        found = recording_paths(folder, recording_name(row.env_id, row.episode))
        if not found:
            continue
        links = " ".join(
            f'<a href="{html.escape(found[k].relative_to(recordings).as_posix())}">{k}</a>'
            for k in ("html", "gif", "jsonl") if k in found
        )
        outcome = "solved" if row.success else ("time limit" if row.truncated else "failed")
        steps = row.env_steps if row.env_steps is not None else row.steps
        lines.append(
            f"<tr class='{'ok' if row.success else 'fail'}'><td>{html.escape(short_id(row.env_id))}</td>"
            f"<td>{html.escape(row.agent)}</td><td>{row.episode}</td><td>{row.seed}</td><td>{outcome}</td>"
            f"<td>{row.episode_return:.3f}</td><td>{row.steps}</td><td>{steps}</td><td>{links}</td></tr>"
        )
    page = (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Recordings</title><style>"
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
        "tr.ok td:nth-child(5){color:#186a3b}tr.fail td:nth-child(5){color:#a93226}</style></head><body>\n"
        f"<h1>Recordings</h1><p>{len(lines)} recorded episode(s).</p>\n"
        "<table><tr><th>env</th><th>agent</th><th>episode</th><th>seed</th><th>outcome</th><th>return</th>"
        "<th>turns</th><th>env steps</th><th>files</th></tr>\n" + "\n".join(lines) + "\n</table></body></html>\n"
    )
    path = recordings / INDEX_FILE
    path.write_text(page, encoding="utf-8")
    return path


# ---- evaluate ---------------------------------------------------------------------------


def evaluate(
    agent_or_factory: Any,
    env_ids: str | Iterable[str] = "*",
    episodes: int = DEFAULT_EPISODES,
    seed: int = 0,
    max_steps: int | None = None,
    workers: int = 1,
    out: str | os.PathLike[str] | None = None,
    record: int | str | None = None,
    resume: bool = False,
    *,
    chat: bool | None = None,
    chat_options: dict[str, Any] | None = None,
    name: str | None = None,
    progress: bool = False,
    command_line: str | None = None,
    cli_options: dict[str, Any] | None = None,
    opponent: Any = None,
    self_play: bool = False,
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
        record: which episodes to record with :class:`~agentic_gym.wrappers.RecordEpisode`
            under ``out/recordings/``: ``"first"`` (the default when ``out`` is given: the
            first episode of every env), ``"failures"`` (every episode not solved),
            ``"all"``, or a count ``k`` (the first ``k`` of every env; 0 records nothing).
            ``out/recordings/index.html`` links every recording with its env, agent, seed
            and outcome.
        resume: continue the run of this agent in ``out``, playing only the episodes
            missing from ``episodes.jsonl``; without it, finding earlier results of the
            same agent there is an error.
        chat: play through :func:`agentic_gym.chat` (messages in, reply out); ``None``
            asks the agent (its ``uses_chat`` attribute).
        chat_options: keyword arguments for :func:`agentic_gym.chat` (``history``,
            ``format``, ``tools``, ...).
        name: the agent's label in results; defaults to its ``name`` or class name.
        progress: show a progress bar (tqdm) on stderr: the env playing, the agent and
            its success so far.
        command_line: the command that started the run, recorded in ``results.json``
            (default: this process's arguments).
        cli_options: the options of ``agentic-gym eval``, recorded so that
            ``--resume`` can restore them.
        opponent, self_play: for multi-agent ids (``"Negotiation-2p-v0"``, ``"CoopKeyDoor*"``;
            ``"*"`` means the single-agent envs): the agent plays each seat in turn against
            ``opponent`` (a name such as ``"greedy"``, default ``"oracle"``, or a factory), or
            every seat itself; see :func:`agentic_gym.evaluation.multi.evaluate_multi`.

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

    from agentic_gym.evaluation.multi import evaluate_multi, is_multi_request

    if is_multi_request(env_ids):
        # Multi-agent runs record the first ``k`` games per env: ``first`` (the default with
        # an ``out``) is one, ``all`` every game; ``failures`` is a single-agent choice.
        if record == "failures":
            raise ValueError("record='failures' applies to single-agent envs; give 'first', 'all' or a count")
        games = (0 if out is None else 1) if record is None else 1 if record == "first" else (
            episodes if record == "all" else int(record))
        return evaluate_multi(
            agent_or_factory, env_ids, episodes, seed, max_steps, workers, out, games, resume,
            opponent="oracle" if opponent is None else opponent, self_play=self_play, chat=chat,
            chat_options=chat_options, name=name, progress=progress,
        )
    if opponent is not None or self_play:
        raise ValueError("opponent and self_play apply to multi-agent envs only (e.g. 'Negotiation-2p-v0')")
    if episodes < 1:
        raise ValueError(f"episodes must be at least 1, got {episodes}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    rule = record_rule(record, out)
    if max_steps is not None and max_steps < 1:
        raise ValueError(f"max_steps must be at least 1, got {max_steps}")
    if record is not None and rule != ("first", 0) and out is None:
        raise ValueError("record needs an output directory (out=...)")
    started = _now()
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
        "record": rule[0] if rule[0] != "first" else rule[1],
    })
    specs = {env_id: gym.spec(env_id) for env_id in ids}
    capabilities = {env_id: _capabilities_of(specs[env_id]) for env_id in ids}
    obs_modes = {env_id: mode for env_id in ids if (mode := _obs_mode_of(specs[env_id])) is not None}

    store = RunStore(out) if out is not None else None
    done: dict[tuple[str, int], EpisodeRow] = {}
    stored: dict[str, Any] = {}
    if store is not None:
        store.directory.mkdir(parents=True, exist_ok=True)
        stored = store.results()
        previous = stored.get("agents", {}).get(label)
        mine = [r for r in store.rows() if r.agent == label]
        if (previous or mine) and not resume:
            raise ValueError(f"{store.directory} already holds results of agent {label!r}; resume or use another directory")
        if previous:
            changed = [k for k in _RESUME_KEYS if previous["config"].get(k) != config[k]]
            if changed:
                raise ValueError(f"cannot resume {label!r} in {store.directory}: settings differ ({', '.join(changed)})")
        done = {(r.env_id, r.episode): r for r in mine}
        stored.setdefault("agents", {})[label] = {"config": config, "complete": False}
        stored.update(format=RESULTS_FORMAT, versions=versions(), run=_run_info(stored.get("run"), started, command_line, cli_options, resume))
        store.write_text(RESULTS_FILE, json.dumps(stored, indent=1) + "\n")

    tasks: list[Task] = []
    for env_id in ids:
        for episode in range(episodes):
            if (env_id, episode) in done:
                continue
            env_seed, agent_seed = episode_seeds(seed, episode)
            record_dir = None
            if store is not None and _records(rule, episode):
                record_dir = str(store.directory / RECORDINGS_DIR / _safe_name(label))
            tasks.append(Task(
                agent=label, spec=specs[env_id], episode=episode, env_seed=env_seed, agent_seed=agent_seed,
                record_dir=record_dir, record_name=recording_name(env_id, episode), keep_recording=rule[0],
            ))

    from tqdm import tqdm

    rows = list(done.values())
    bar = tqdm(total=len(ids) * episodes, initial=len(done), desc=label, unit="episode",
               disable=not progress, file=sys.stderr, dynamic_ncols=True)
    if tasks:
        bar.set_postfix_str(_progress_text(label, tasks[0].spec.id, rows), refresh=False)

    def finished(row: EpisodeRow) -> None:
        rows.append(row)
        if store is not None:
            store.append(row)
        following = next((t.spec.id for t in tasks if (t.spec.id, t.episode) not in {(r.env_id, r.episode) for r in rows}),
                         row.env_id)
        bar.set_postfix_str(_progress_text(label, following, rows), refresh=False)
        bar.update(1)

    try:
        _play_all(agent_or_factory, Settings(max_steps, uses_chat, dict(chat_options or {})), tasks, workers, finished)
    finally:
        bar.close()

    rows = _sorted_rows(rows, ids)
    result: dict[str, Any] = {"agent": label, "config": config, "env_capabilities": capabilities, **summarize(rows, ids, capabilities, obs_modes)}
    if store is not None:
        stored = store.results()
        agents = stored.setdefault("agents", {})
        agents[label] = {**{k: v for k, v in result.items() if k != "agent"}, "complete": True}
        every_row = store.rows()
        everything = [r for r in every_row if r.agent != label] + rows
        order = [e for a in agents.values() for e in a["config"]["env_ids"]]
        stored["episodes"] = [r.to_json() for r in _sorted_rows(everything, list(dict.fromkeys(order)), list(agents))]
        run = _run_info(stored.get("run"), started, command_line, cli_options, resume)
        stored.update(format=RESULTS_FORMAT, versions=versions(), run={**run, "finished": _now()})
        _write_reports(store, stored)
        write_recordings_index(store.directory, [EpisodeRow.from_json(r) for r in stored["episodes"]])
    result["episodes"] = [r.to_json() for r in rows]
    return result
