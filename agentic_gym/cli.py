"""The ``agentic-gym`` command: ``list`` the environments (and more subcommands).

Each subcommand is a ``(name, help, add_arguments, run)`` row of :data:`COMMANDS`;
heavier subcommands import their module only when they run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from agentic_gym.evaluation.command import add_eval_arguments, run_eval_command
from agentic_gym.evaluation.report import format_table
from agentic_gym.play import add_arguments as add_play_arguments
from agentic_gym.play import run as run_play
from agentic_gym.replay import add_arguments as add_replay_arguments
from agentic_gym.replay import run as run_replay
from agentic_gym.validation import add_validate_arguments, run_validate_command


def _space_summary(space: Any) -> str:
    from gymnasium import spaces

    from agentic_gym.core import CommandSpace

    if isinstance(space, CommandSpace):
        return f"Command({len(space.affordances)} affordances)"
    if isinstance(space, spaces.Discrete):
        return f"Discrete({space.n})"
    if isinstance(space, spaces.Dict):
        return "Dict(" + ", ".join(space.spaces) + ")"
    return type(space).__name__


def describe_envs(pattern: str = "*") -> list[dict[str, str]]:
    """One row per registered id matching the glob ``pattern``: id, capabilities, spaces."""
    import fnmatch

    import gymnasium as gym

    from agentic_gym.envs import registered_ids

    rows = []
    for env_id in registered_ids():
        if not fnmatch.fnmatch(env_id, pattern) and not fnmatch.fnmatch(env_id.split("/", 1)[1], pattern):
            continue
        env = gym.make(env_id)
        base = env.unwrapped
        rows.append({
            "id": env_id,
            "capabilities": ", ".join(base.metadata.get("capabilities", ())),
            "action": _space_summary(base.action_space),
            "observation": _space_summary(base.observation_space),
            "max_steps": str(env.spec.max_episode_steps if env.spec else ""),
        })
        env.close()
    return rows


def _add_list(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pattern", nargs="?", default="*", help="glob over env ids, e.g. 'Grid*'")


def _run_list(args: argparse.Namespace) -> int:
    rows = describe_envs(args.pattern)
    if not rows:
        print(f"agentic-gym: no registered env matches {args.pattern!r}", file=sys.stderr)
        return 2
    print(format_table(rows, ["id", "capabilities", "action", "observation", "max_steps"]))
    return 0


#: A subcommand: its name, its help line, the function adding its options and the one running it.
Subcommand = tuple[str, str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]

COMMANDS: list[Subcommand] = [
    ("list", "list the registered environments", _add_list, _run_list),
    ("play", "play an environment yourself (grid envs in a window, text envs in the terminal)",
     add_play_arguments, run_play),
    ("replay", "re-simulate a recorded episode, check it, and rebuild its GIF and HTML",
     add_replay_arguments, run_replay),
    ("eval", "evaluate agents on environments and report their capability profile",
     add_eval_arguments, run_eval_command),
    ("validate", "check every env's validity gates and write its card", add_validate_arguments, run_validate_command),
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="agentic-gym", description="Environments for LLM agents.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    runners = {}
    for name, help_text, add_arguments, run in COMMANDS:
        add_arguments(sub.add_parser(name, help=help_text, description=help_text))
        runners[name] = run
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return runners[args.command](args)
    except KeyboardInterrupt:
        print("agentic-gym: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
