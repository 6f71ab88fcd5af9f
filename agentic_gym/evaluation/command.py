"""The ``agentic-gym eval`` subcommand: its options and the run that evaluates each agent.

Only :mod:`agentic_gym.cli` imports this module; the evaluation itself knows nothing of
the command line. Every option defaults to ``None`` here and takes its value in
:data:`DEFAULTS`, so a resumed run can tell the options given again (which must match
the run's) from those left out (which come from the run's ``results.json``).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from agentic_gym.evaluation.harness import (
    DEFAULT_EPISODES,
    DEFAULT_RECORD,
    RECORD_CHOICES,
    RESULTS_FILE,
    SUMMARY_FILE,
    evaluate,
    record_rule,
    resolve_env_ids,
)
from agentic_gym.evaluation.report import PICTURE_FILE, results_table

AGENT_CHOICES = ("random", "oracle", "openai", "local")
#: What ``--trials`` writes into the run directory.
TRIALS_FILE = "trials.json"
FORMAT_CHOICES = ("auto", "json", "xml", "react", "tool_call", "text")

#: The value of every option left out (``None`` there means "not set").
DEFAULTS: dict[str, Any] = {
    "agent": ["random", "oracle"], "envs": "*", "episodes": DEFAULT_EPISODES, "seed": 0, "max_steps": None,
    "workers": 1, "record": DEFAULT_RECORD, "chat": False, "trials": 0,
    "format": None, "notes": False, "tools": None, "include_image": False, "history": None, "system_prompt": None,
    "model": None, "base_url": None, "use_tools": False, "temperature": 0.0, "max_tokens": 512,
    "extra_body": None, "timeout": 60.0, "max_retries": 3,
}
#: Options that do not change which episodes are played or how: never compared on resume.
_NOT_SETTINGS = ("workers",)


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``agentic-gym eval`` (defaults in :data:`DEFAULTS`)."""
    parser.add_argument("--agent", nargs="+", default=None, metavar="AGENT",
                        help="agents to evaluate: random, oracle, openai, local (a Hugging Face model run "
                             "in-process: --model smollm2-135m), or your own as module:Class or "
                             "path/to/file.py:Class (default: random oracle)")
    parser.add_argument("--envs", default=None, metavar="GLOB", help="glob(s) over env ids, comma-separated (default: every env)")
    parser.add_argument("--episodes", type=int, default=None, metavar="N",
                        help=f"episodes per env (default: {DEFAULT_EPISODES})")
    parser.add_argument("--seed", type=int, default=None, metavar="S", help="seed the episode seeds derive from (default: 0)")
    parser.add_argument("--max-steps", type=int, default=None, metavar="N", help="override every env's time limit")
    parser.add_argument("--workers", type=int, default=None, metavar="W", help="parallel worker processes (default: 1)")
    parser.add_argument("--out", default=None, metavar="DIR", help="output directory (default: runs/<UTC timestamp>)")
    parser.add_argument("--record", default=None, metavar="WHICH",
                        help="which episodes to record as JSONL, GIF and HTML (listed in recordings/index.html): "
                             "first, failures, all, or a count per env; the random baseline is recorded only "
                             f"when it runs alone (default: {DEFAULT_RECORD})")
    parser.add_argument("--resume", action="store_true",
                        help="continue the interrupted run in --out with its own settings")
    parser.add_argument("--trials", type=int, default=None, metavar="K",
                        help="also play every self_improve env K times per task under Trials, with notes "
                             "that persist and without (the ablation); the scripted trial learner joins "
                             "as a baseline; writes trials.json (default: 0, off)")
    parser.add_argument("--chat", action="store_true", default=None,
                        help="play the random and oracle agents through the language layer too")
    stack = parser.add_argument_group("chat stack (how LLM agents see the env: agentic_gym.chat options)")
    stack.add_argument("--format", choices=FORMAT_CHOICES, default=None, help="reply format (default: auto)")
    stack.add_argument("--notes", action="store_true", default=None, help="add the note/read_notes/forget memory")
    stack.add_argument("--tools", default=None, metavar="NAMES", help="extra tools, comma-separated, e.g. calculator")
    stack.add_argument("--include-image", action="store_true", default=None,
                       help="attach the agent's view as an image to each observation")
    stack.add_argument("--history", type=int, default=None, metavar="K", help="chat turns kept in the prompt (default: all)")
    stack.add_argument("--system-prompt", default=None, metavar="TEXT", help="replace the default system prompt")
    llm = parser.add_argument_group("openai agent (any OpenAI-compatible server: vLLM, Ollama, ...)")
    llm.add_argument("--model", metavar="M", help="model name as the server knows it")
    llm.add_argument("--base-url", metavar="URL", help="server URL, e.g. http://localhost:8000/v1 (default: OPENAI_BASE_URL or OpenAI)")
    llm.add_argument("--api-key", metavar="KEY", help="API key (default: OPENAI_API_KEY; local servers accept any; never recorded)")
    llm.add_argument("--use-tools", action="store_true", default=None, help="send the env's tools; accept tool_calls replies")
    llm.add_argument("--temperature", type=float, default=None, help="sampling temperature (default: 0)")
    llm.add_argument("--max-tokens", type=int, default=None, help="cap on each reply (default: 512)")
    llm.add_argument("--extra-body", default=None, metavar="JSON",
                     help='further request fields as a JSON object, e.g. \'{"top_k": 20}\'')
    llm.add_argument("--timeout", type=float, default=None, help="seconds per request (default: 60)")
    llm.add_argument("--max-retries", type=int, default=None, help="retries of transient failures (default: 3)")
    from agentic_gym.evaluation.multi_command import add_multi_arguments

    add_multi_arguments(parser)


class UsageError(ValueError):
    """A command-line problem: printed as one line, exit status 2."""


def _fail(message: str) -> int:
    print(f"agentic-gym eval: error: {message}", file=sys.stderr)
    return 2


def given_options(args: argparse.Namespace) -> dict[str, Any]:
    """The options set on this command line (those not left at ``None``)."""
    return {k: getattr(args, k) for k in DEFAULTS if getattr(args, k, None) is not None}


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _show(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "(not set)" if value is None else str(value)


def resume_options(args: argparse.Namespace, out: Path) -> dict[str, Any]:
    """The options of the run in ``out``; options given again must match them (else :class:`UsageError`)."""
    path = out / RESULTS_FILE
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"--resume: cannot read {path} ({error}); is {out} a run directory?") from None
    options = (stored.get("run") or {}).get("options")
    if not isinstance(options, dict):
        raise UsageError(f"--resume: {path} does not record the options of an 'agentic-gym eval' run; "
                         "give every option again without --resume")
    options = {**DEFAULTS, **options}
    differences = [
        f"{_flag(k)} {_show(v)} (the run used {_show(options.get(k))})"
        for k, v in given_options(args).items() if k not in _NOT_SETTINGS and v != options.get(k)
    ]
    if differences:
        raise UsageError(f"--resume continues the run with its own settings, but {'; '.join(differences)}: "
                         "drop those options or start a new --out")
    return {**options, **{k: v for k, v in given_options(args).items() if k in _NOT_SETTINGS}}


def _check(options: dict[str, Any]) -> None:
    for name in ("episodes", "workers"):
        if options[name] < 1:
            raise UsageError(f"{_flag(name)} must be at least 1, got {options[name]}")
    try:
        record_rule(options["record"], "out")
    except ValueError:
        raise UsageError(f"--record must be {', '.join(RECORD_CHOICES)} or a count per env (0 or more), "
                         f"got {options['record']!r}") from None
    if not 0 <= options["trials"] <= 100:
        raise UsageError(f"--trials must be 0 to 100, got {options['trials']}")
    if options["max_steps"] is not None and options["max_steps"] < 1:
        raise UsageError(f"--max-steps must be at least 1, got {options['max_steps']}")
    if options["history"] is not None and options["history"] < 1:
        raise UsageError(f"--history must be at least 1, got {options['history']}")
    if "openai" in options["agent"] and not options["model"]:
        raise UsageError("--agent openai needs --model (the model name as the server knows it)")
    if options["base_url"] is not None:
        from agentic_gym.agents.openai_agent import check_base_url

        try:
            check_base_url(options["base_url"])
        except ValueError as error:
            raise UsageError(f"--base-url: {error}") from None
    if options["extra_body"] is not None:
        try:
            body = json.loads(options["extra_body"])
        except ValueError as error:
            raise UsageError(f"--extra-body is not JSON ({error}); give an object such as '{{\"top_k\": 20}}'") from None
        if not isinstance(body, dict):
            raise UsageError("--extra-body must be a JSON object such as '{\"top_k\": 20}'")
    for choice in options["agent"]:
        if choice not in AGENT_CHOICES and ":" not in choice:
            raise UsageError(f"unknown agent {choice!r}: use {', '.join(AGENT_CHOICES)}, or module:Class or "
                             "path/to/file.py:Class for your own")
    try:
        resolve_env_ids(options["envs"])
    except ValueError as error:
        raise UsageError(str(error)) from None


def load_agent(reference: str) -> Any:
    """The agent named ``module:Class`` or ``path/to/file.py:Class`` (a class, factory or instance).

    A class whose constructor takes ``(env, seed)`` is used as a factory (one agent per
    episode, like :class:`~agentic_gym.agents.RandomAgent`); one that takes no arguments is
    instantiated once. The agent must have ``act(observation, info)`` and ``reset(info)``.
    Raises :class:`UsageError` naming what is missing.
    """
    where, _, attribute = reference.rpartition(":")
    if not where or not attribute:
        raise UsageError(f"--agent {reference!r}: write module:Class or path/to/file.py:Class")
    try:
        if where.endswith(".py"):
            path = Path(where)
            if not path.is_file():
                raise UsageError(f"--agent {reference!r}: no file {where}")
            spec = importlib.util.spec_from_file_location(path.stem, path)
            if spec is None or spec.loader is None:
                raise UsageError(f"--agent {reference!r}: cannot load {where} as a Python module")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(where)
    except UsageError:
        raise
    except Exception as error:  # the user's module failed to import: say so in one line
        raise UsageError(f"--agent {reference!r}: importing {where} failed: {type(error).__name__}: {error}") from None
    found = getattr(module, attribute, None)
    if found is None:
        raise UsageError(f"--agent {reference!r}: {where} has no {attribute!r}")
    missing = [m for m in ("reset", "act") if not callable(getattr(found, m, None))]
    if missing:
        raise UsageError(f"--agent {reference!r}: an agent needs reset(info) and act(observation, info); "
                         f"{attribute} lacks {' and '.join(missing)}")
    if not isinstance(found, type):
        return found
    signature = inspect.signature(found)
    try:
        signature.bind(None, 0)
        return found
    except TypeError:
        pass
    try:
        signature.bind()
    except TypeError:
        raise UsageError(f"--agent {reference!r}: {attribute}() must take no arguments or (env, seed)") from None
    try:
        return found()
    except Exception as error:  # the user's constructor failed
        raise UsageError(f"--agent {reference!r}: {attribute}() failed: {type(error).__name__}: {error}") from None


def chat_options(options: dict[str, Any]) -> dict[str, Any]:
    """The :func:`agentic_gym.chat` options the command line sets."""
    chosen: dict[str, Any] = {}
    if options["format"] is not None:
        chosen["format"] = options["format"]
    if options["notes"]:
        chosen["notes"] = True
    if options["tools"]:
        chosen["tools"] = [t.strip() for t in str(options["tools"]).split(",") if t.strip()]
    if options["include_image"]:
        chosen["include_image"] = True
    if options["history"] is not None:
        chosen["history"] = options["history"]
    if options["system_prompt"] is not None:
        chosen["system_prompt"] = options["system_prompt"]
    return chosen


def _hint(out: Path) -> str:
    return f"finished episodes are kept; continue with: agentic-gym eval --resume --out {shlex.quote(str(out))}"


def run_eval_command(args: argparse.Namespace) -> int:
    """Run ``agentic-gym eval``: evaluate each agent, print the table, write the reports."""
    from agentic_gym.agents import AgentError, OpenAIAgent, OracleAgent, RandomAgent
    from agentic_gym.evaluation.multi import is_multi_request
    from agentic_gym.evaluation.multi_command import run_multi_eval_command

    argv = getattr(args, "argv", None)
    command_line = shlex.join(["agentic-gym", *argv]) if argv is not None else None
    if is_multi_request(args.envs or "*"):
        try:
            multi_args = _multi_namespace(args)
        except UsageError as error:
            return _fail(str(error))
        return run_multi_eval_command(multi_args)
    if getattr(args, "opponent", None) or getattr(args, "self_play", False):
        return _fail("--opponent and --self-play apply to multi-agent envs (e.g. --envs Negotiation-2p-v0)")
    try:
        if args.out is not None and Path(args.out).exists() and not Path(args.out).is_dir():
            raise UsageError(f"--out {args.out} is a file; give a directory (new or a run's) for the results")
        if args.resume:
            if not args.out:
                raise UsageError("--resume needs --out (the directory of the run to continue)")
            if not Path(args.out).is_dir():
                raise UsageError(f"--resume: no run directory at {args.out}")
            options = resume_options(args, Path(args.out))
        else:
            options = {**DEFAULTS, **given_options(args)}
        _check(options)
        agents = {choice: load_agent(choice) for choice in dict.fromkeys(options["agent"]) if choice not in AGENT_CHOICES}
        tools = chat_options(options)
        extra_body = json.loads(options["extra_body"]) if options["extra_body"] else None
    except UsageError as error:
        return _fail(str(error))
    out = Path(args.out) if args.out else Path("runs") / time.strftime("%Y%m%d-%H%M%S", time.gmtime())

    results = {}
    players: dict[str, tuple[Any, bool, dict[str, Any]]] = {}
    choices = list(dict.fromkeys(options["agent"]))
    for choice in choices:
        # A random agent's episodes run to the time limit: thousands of frames that show nothing.
        record = 0 if choice == "random" and len(choices) > 1 else options["record"]
        chat: bool | None
        if choice == "openai":
            agent: Any = OpenAIAgent(
                options["model"], base_url=options["base_url"], api_key=args.api_key,
                temperature=options["temperature"], max_tokens=options["max_tokens"], use_tools=options["use_tools"],
                timeout=options["timeout"], max_retries=options["max_retries"], extra_body=extra_body,
            )
            chat = True
        elif choice == "local":
            from agentic_gym.agents.local import LocalLLMAgent

            agent = LocalLLMAgent(
                options["model"] or "smollm2-135m", temperature=options["temperature"],
                max_tokens=options["max_tokens"], use_tools=options["use_tools"],
            )
            chat = True
        elif choice in AGENT_CHOICES:
            agent = RandomAgent if choice == "random" else OracleAgent
            chat = bool(options["chat"])
        else:
            agent = agents[choice]
            chat = None  # the agent's own ``uses_chat`` decides
        uses_chat = bool(getattr(agent, "uses_chat", False)) if chat is None else chat
        try:
            result = evaluate(
                agent, options["envs"], episodes=options["episodes"], seed=options["seed"],
                max_steps=options["max_steps"], workers=options["workers"], out=out, record=record,
                resume=args.resume, chat=chat, chat_options=tools if uses_chat else {}, progress=True,
                command_line=command_line, cli_options=options,
            )
        except AgentError as error:
            return _fail(f"{error} ({_hint(out)})")
        except KeyboardInterrupt:
            print(f"\nagentic-gym eval: interrupted; {_hint(out)}", file=sys.stderr)
            return 130
        except ValueError as error:
            return _fail(str(error))
        results[result["agent"]] = result
        players[result["agent"]] = (agent, uses_chat, tools if uses_chat else {})
    print(results_table(results))
    if options["trials"]:
        _run_trials(options, out, players, results)
    print(f"\nresults: {out / RESULTS_FILE}\nsummary: {out / SUMMARY_FILE}\n"
          f"capability profile: {out / PICTURE_FILE}")
    index = out / "recordings" / "index.html"
    if index.exists():
        print(f"recordings: {index}")
    return 0


def _run_trials(options: dict[str, Any], out: Path, players: dict[str, tuple[Any, bool, dict[str, Any]]],
                results: dict[str, Any]) -> None:
    """``--trials K``: per-trial success, gain and area under the curve, with and without notes."""
    import json

    from agentic_gym.agents.trial_learner import TrialLearner
    from agentic_gym.evaluation.report import format_table, short_id
    from agentic_gym.evaluation.trials import evaluate_trials

    capabilities = {e: c for r in results.values() for e, c in r.get("env_capabilities", {}).items()}
    env_ids = [e for e in resolve_env_ids(options["envs"]) if "self_improve" in capabilities.get(e, ())]
    if not env_ids:
        print("\n--trials: no self_improve env among the selected ones")
        return
    agents = {**players, "trial_learner": (TrialLearner, False, {})}
    reports, rows = [], []
    for env_id in env_ids:
        for label, (agent, chat, chat_options) in agents.items():
            report = evaluate_trials(agent, env_id, k=options["trials"], episodes=options["episodes"], seed=options["seed"],
                                     chat=chat, chat_options=chat_options)
            reports.append({"agent": label, **report})
            memory, ablation = report["memory"], report["no_memory"]
            rows.append({
                "env": short_id(env_id), "agent": label,
                "success per trial": " ".join(f"{r:.2f}" for r in memory["success_per_trial"]),
                "gain": f"{memory['gain']:+.2f}", "auc": f"{memory['auc']:.2f}",
                "no-memory gain": f"{ablation['gain']:+.2f}",
            })
    out.mkdir(parents=True, exist_ok=True)
    (out / TRIALS_FILE).write_text(json.dumps(reports, indent=1))
    print(f"\nself-improvement: {options['trials']} trials per task, notes kept across trials (and not, for the "
          f"no-memory gain)\n" + format_table(rows, ["env", "agent", "success per trial", "gain", "auc",
                                                     "no-memory gain"]))
    print(f"trials: {out / TRIALS_FILE}")


def _multi_namespace(args: argparse.Namespace) -> argparse.Namespace:
    """``args`` with every option left out set to its default, as the multi-agent command reads them.

    Multi-agent runs record the first ``--record`` games per env (``first`` is one, ``all``
    every game); ``failures`` is a single-agent choice.
    """
    options = {**DEFAULTS, **given_options(args)}
    record = options["record"]
    if record == "failures":
        raise UsageError("--record failures applies to single-agent envs; give first, all or a count")
    count = 1 if record == "first" else 10**6 if record == "all" else int(record)
    multi = argparse.Namespace(**vars(args))
    for key, value in options.items():
        setattr(multi, key, value)
    multi.record = count
    return multi
