"""The ``agentic-gym eval`` subcommand: its options and the run that evaluates each agent.

Only :mod:`agentic_gym.cli` imports this module; the evaluation itself knows nothing of
the command line.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from agentic_gym.evaluation.harness import RESULTS_FILE, SUMMARY_FILE, evaluate, resolve_env_ids
from agentic_gym.evaluation.report import PICTURE_FILE, results_table

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
    from agentic_gym.evaluation.multi_command import add_multi_arguments

    add_multi_arguments(parser)


def _fail(message: str) -> int:
    print(f"agentic-gym eval: error: {message}", file=sys.stderr)
    return 2


def run_eval_command(args: argparse.Namespace) -> int:
    """Run ``agentic-gym eval``: evaluate each agent, print the table, write the reports."""
    from agentic_gym.agents import AgentError, OpenAIAgent, OracleAgent, RandomAgent
    from agentic_gym.evaluation.multi import is_multi_request
    from agentic_gym.evaluation.multi_command import run_multi_eval_command

    if is_multi_request(args.envs):
        return run_multi_eval_command(args)
    if getattr(args, "opponent", None) or getattr(args, "self_play", False):
        return _fail("--opponent and --self-play apply to multi-agent envs (e.g. --envs Negotiation-2p-v0)")
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
