"""``agentic-gym eval`` on multi-agent envs: the ``--opponent`` and ``--self-play`` options and their run.

:mod:`agentic_gym.evaluation.command` hands the run here when ``--envs`` names
multi-agent variants (``Negotiation-2p-v0``, ``'CoopKeyDoor*'``). Each agent of
``--agent`` is evaluated against each opponent of ``--opponent`` (one series per pair,
``"oracle vs greedy"``) and, with ``--self-play``, against itself.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from agentic_gym.evaluation.multi import (
    OPPONENTS,
    evaluate_multi,
    multi_table,
    opponent_factory,
    resolve_multi_ids,
)

__all__ = ["add_multi_arguments", "run_multi_eval_command"]


def add_multi_arguments(parser: argparse.ArgumentParser) -> None:
    """The multi-agent options of ``agentic-gym eval``."""
    group = parser.add_argument_group(
        "multi-agent envs (name them in --envs, e.g. Negotiation-2p-v0 or 'CoopKeyDoor*'; '*' is the single-agent envs)")
    group.add_argument("--opponent", nargs="+", choices=OPPONENTS, default=None, metavar="NAME",
                       help="who plays the other seats, one series each: oracle, random, or a Negotiation opponent "
                            "(always_accept, fair_split, greedy, tough; weakest first). The agent plays every seat "
                            "in turn (default: oracle)")
    group.add_argument("--self-play", action="store_true", help="also let each agent play every seat itself")


def _fail(message: str) -> int:
    print(f"agentic-gym eval: error: {message}", file=sys.stderr)
    return 2


def _agent(choice: str, args: argparse.Namespace) -> tuple[Any, bool]:
    from agentic_gym.agents import OpenAIAgent
    from agentic_gym.evaluation.multi import SeatOracle, SeatRandom

    if choice == "openai":
        return OpenAIAgent(
            args.model, base_url=args.base_url, api_key=args.api_key, temperature=args.temperature,
            max_tokens=args.max_tokens, use_tools=args.use_tools, timeout=args.timeout, max_retries=args.max_retries,
        ), True
    return (SeatRandom if choice == "random" else SeatOracle), bool(args.chat)


def run_multi_eval_command(args: argparse.Namespace) -> int:
    """Run ``agentic-gym eval`` on multi-agent envs: every agent against every opponent, then the tables."""
    from agentic_gym.agents import AgentError
    from agentic_gym.evaluation.harness import RESULTS_FILE, SUMMARY_FILE
    from agentic_gym.evaluation.report import PICTURE_FILE, results_table

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
        ids = resolve_multi_ids(args.envs)
        opponents: list[str | None] = list(dict.fromkeys(args.opponent or ([] if args.self_play else ["oracle"])))
        for opponent in opponents:
            opponent_factory(opponent, ids)
    except ValueError as error:
        return _fail(str(error))
    if args.self_play:
        opponents.append(None)
    out = Path(args.out) if args.out else Path("runs") / time.strftime("%Y%m%d-%H%M%S", time.gmtime())

    results: dict[str, Any] = {}
    choices = list(dict.fromkeys(args.agent))
    for choice in choices:
        # A random agent's games run to the rounds limit: many frames that show nothing.
        record = 0 if choice == "random" and len(choices) > 1 else args.record
        chat_options = {} if args.history is None else {"history": args.history}
        for opponent in opponents:
            agent, chat = _agent(choice, args)
            try:
                result = evaluate_multi(
                    agent, ids, episodes=args.episodes, seed=args.seed, max_steps=args.max_steps,
                    workers=args.workers, out=out, record=record, resume=args.resume,
                    opponent=opponent or "oracle", self_play=opponent is None, chat=chat,
                    chat_options=chat_options if chat else {}, progress=True,
                )
            except AgentError as error:
                return _fail(f"{error} (finished games are kept; continue with --resume --out {out})")
            except ValueError as error:
                return _fail(str(error))
            results[result["agent"]] = result
    print(results_table(results))
    print("\nper seat (the agent's seat; scores are Negotiation's, at the end of each game)\n" + multi_table(results))
    print(f"\nresults: {out / RESULTS_FILE}\nsummary: {out / SUMMARY_FILE}\ncapability profile: {out / PICTURE_FILE}")
    if args.record:
        print(f"recordings: {out / 'recordings'}")
    return 0
