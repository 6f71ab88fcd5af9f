"""The ``agentic-gym`` command: ``list``, ``info``, ``play``, ``replay`` and ``eval``.

Each subcommand is a ``(name, help, add_arguments, run)`` row of :data:`COMMANDS`;
heavier subcommands import their module only when they run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from agentic_gym.evaluation.command import add_eval_arguments, run_eval_command
from agentic_gym.evaluation.report import format_table as format_table
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


def matching_ids(pattern: str = "*") -> list[str]:
    """Registered ids matching the glob ``pattern``, case-insensitive, with or without the prefix."""
    import fnmatch

    from agentic_gym.envs import registered_ids

    wanted = pattern.lower()
    if "*" not in wanted and "?" not in wanted and "[" not in wanted:
        wanted = f"*{wanted}*"  # a bare word matches ids containing it
    return [
        env_id for env_id in registered_ids()
        if fnmatch.fnmatchcase(env_id.lower(), wanted) or fnmatch.fnmatchcase(env_id.split("/", 1)[1].lower(), wanted)
    ]


def suggest_ids(name: str, limit: int = 3) -> list[str]:
    """The registered ids nearest to ``name`` (for "did you mean" hints)."""
    import difflib

    from agentic_gym.envs import registered_ids

    key = name.split("/", 1)[-1].lower().strip("*?")

    def score(env_id: str) -> float:
        short = env_id.split("/", 1)[1].lower()
        family = short.split("-", 1)[0]
        names = [short, family, family.removeprefix("grid"), short.removesuffix("-v0")]
        return max(difflib.SequenceMatcher(None, key, n).ratio() for n in names)

    scored = sorted(((score(i), i) for i in registered_ids()), key=lambda pair: -pair[0])
    return [env_id for value, env_id in scored[:limit] if value >= 0.6]


def did_you_mean(name: str) -> str:
    """`` (did you mean X or Y?)`` for the ids nearest to ``name``, or ``""``."""
    near = [i.split("/", 1)[1] for i in suggest_ids(name)]
    return f" (did you mean {' or '.join(near)}?)" if near else ""


def describe_envs(pattern: str = "*") -> list[dict[str, str]]:
    """One row per registered id matching ``pattern``: id, capabilities, spaces and what the task is."""
    import gymnasium as gym

    from agentic_gym.catalogue import DESCRIPTIONS

    rows = []
    for env_id in matching_ids(pattern):
        env = gym.make(env_id)
        base = env.unwrapped
        rows.append({
            "id": env_id,
            "description": DESCRIPTIONS.get(env_id, ""),
            "capabilities": ", ".join(base.metadata.get("capabilities", ())),
            "action": _space_summary(base.action_space),
            "observation": _space_summary(base.observation_space),
            "max_steps": str(env.spec.max_episode_steps if env.spec else ""),
        })
        env.close()
    return rows


def _add_list(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pattern", nargs="?", default="*",
                        help="glob or word over env ids, any case, e.g. 'grid*' or 'maze'")


def _run_list(args: argparse.Namespace) -> int:
    rows = describe_envs(args.pattern)
    if not rows:
        print(f"agentic-gym list: no registered env matches {args.pattern!r}{did_you_mean(args.pattern)}; "
              "run 'agentic-gym list' for every id", file=sys.stderr)
        return 2
    for row in rows:
        print(f"{row['id']}\n    {row['description']}\n    capabilities: {row['capabilities']}; "
              f"action {row['action']}; observation {row['observation']}; max steps {row['max_steps']}")
    print(f"\n{len(rows)} env(s); 'agentic-gym info <id>' shows one in full.")
    return 0


def resolve_env_id(name: str) -> str | None:
    """The registered id ``name`` stands for (prefix optional, any case), or None."""
    import gymnasium as gym

    from agentic_gym.envs import registered_ids

    if name in gym.registry:
        return name
    wanted = name.lower() if "/" in name else f"agentic_gym/{name}".lower()
    return next((env_id for env_id in registered_ids() if env_id.lower() == wanted), None)


def _add_info(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("env_id", help="a registered id, e.g. GridMaze-9x9-v0 (the prefix is optional)")


def env_info(env_id: str) -> str:
    """What ``agentic-gym info`` prints: spec, variants, affordances, a sample observation, the first prompt."""
    import inspect

    import gymnasium as gym

    from agentic_gym.catalogue import DESCRIPTIONS
    from agentic_gym.envs import registered_ids
    from agentic_gym.wrappers import chat

    env = gym.make(env_id)
    base = env.unwrapped
    spec = env.spec
    entry = spec.entry_point if spec is not None else None
    variants = [i for i in registered_ids() if gym.spec(i).entry_point == entry]
    affordances = tuple(env.get_wrapper_attr("affordances"))
    observation, _ = env.reset(seed=0)
    env.close()
    chat_env = chat(env_id)
    messages, _ = chat_env.reset(seed=0)
    chat_env.close()
    rule = "-" * 72
    lines = [env_id, f"    {DESCRIPTIONS.get(env_id, '')}",
             f"    capabilities: {', '.join(base.metadata.get('capabilities', ()))}; "
             f"max steps {spec.max_episode_steps if spec else ''}",
             "", "Variants:"]
    for variant in variants:
        kwargs = gym.spec(variant).kwargs
        lines.append(f"  {variant}  {', '.join(f'{k}={v!r}' for k, v in kwargs.items())}")
    lines += ["", "Affordances (the actions):"]
    lines += [f"  {a.usage():<34} [{a.kind}] {a.description}" for a in affordances]
    lines += ["", "Specification:", rule, inspect.cleandoc(type(base).__doc__ or "(no docstring)"), rule,
              "", "Sample observation (seed 0):", rule,
              observation["text"] if isinstance(observation, dict) else str(observation), rule,
              "", "The first prompt an LLM receives (agentic_gym.chat(id).reset(seed=0)):"]
    for message in messages:
        content = message["content"]
        if not isinstance(content, str):
            content = "\n".join(part.get("text", f"[{part.get('type')}]") for part in content)
        lines += [f"--- {message['role']} ---", content]
    return "\n".join(lines)


def _run_info(args: argparse.Namespace) -> int:
    env_id = resolve_env_id(args.env_id)
    if env_id is None:
        print(f"agentic-gym info: unknown env {args.env_id!r}{did_you_mean(args.env_id)}; "
              "run 'agentic-gym list' for every id", file=sys.stderr)
        return 2
    print(env_info(env_id))
    return 0


#: A subcommand: its name, its help line, the function adding its options and the one running it.
Subcommand = tuple[str, str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]

COMMANDS: list[Subcommand] = [
    ("list", "list the registered environments", _add_list, _run_list),
    ("info", "show one environment in full: spec, variants, actions, a sample observation, its first prompt",
     _add_info, _run_info),
    ("play", "play an environment yourself (grid envs in a window, text envs in the terminal)",
     add_play_arguments, run_play),
    ("replay", "re-simulate a recorded episode, check it, and rebuild its GIF and HTML",
     add_replay_arguments, run_replay),
    ("eval", "evaluate agents on environments and report their capability profile",
     add_eval_arguments, run_eval_command),
    ("validate", "check every env's validity gates and write its card", add_validate_arguments, run_validate_command),
]


def main(argv: Sequence[str] | None = None) -> int:
    from agentic_gym import __version__

    parser = argparse.ArgumentParser(prog="agentic-gym", description="Environments for LLM agents.")
    parser.add_argument("--version", action="version", version=f"agentic-gym {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    runners = {}
    for name, help_text, add_arguments, run in COMMANDS:
        add_arguments(sub.add_parser(name, help=help_text, description=help_text))
        runners[name] = run
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
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
