"""Play an environment yourself: grid envs in a pygame window, text and tool envs in the terminal.

``agentic-gym play <env-id> [--seed N] [--record DIR]``. Envs with a ``Discrete``
action space open a window: arrow keys for the moves, a letter for each other action
(the keys are listed under the picture), ``Enter`` for a new episode once one ends,
``Esc`` to leave. Text and tool envs read typed commands (with history and tab
completion when ``readline`` is available); ``help`` lists the affordances, ``reset``
starts a new episode, ``quit`` leaves. ``--record DIR`` wraps the env in
:class:`~agentic_gym.wrappers.RecordEpisode`, so a played episode can be replayed.

Both loops take their input from an argument (a stream of lines, or the pygame event
queue), which is how the tests drive them.
"""

from __future__ import annotations

import argparse
import os
import string
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from agentic_gym.core import Affordance, TranscriptPanel, sanitize

#: Arrow keys and the action names they stand for, first match wins.
ARROW_KEYS: dict[str, tuple[str, ...]] = {
    "up": ("forward", "up", "north", "move_up"),
    "down": ("backward", "back", "down", "south", "move_down"),
    "left": ("left", "turn_left", "west", "move_left"),
    "right": ("right", "turn_right", "east", "move_right"),
}
_QUIT_WORDS = ("quit", "exit")
_LEGEND_NAMES = {"up": "Up", "down": "Down", "left": "Left", "right": "Right"}


@dataclass
class EpisodeSummary:
    """How one played episode went."""

    steps: int = 0
    total_reward: float = 0.0
    success: bool = False
    ended: bool = False


def key_bindings(names: Sequence[str]) -> dict[str, int]:
    """Keys for the actions ``names`` (a ``Discrete`` env's affordance names): key -> action index.

    Arrow keys (``"up"``, ``"down"``, ``"left"``, ``"right"``) take the moves they
    name; every other action gets the first free letter of its name, then the first
    free letter of the alphabet, then a digit.

    Example:
        >>> key_bindings(["left", "right", "forward", "pickup", "drop", "toggle", "done"])
        {'up': 2, 'left': 0, 'right': 1, 'p': 3, 'd': 4, 't': 5, 'o': 6}
    """
    bindings: dict[str, int] = {}
    bound: set[int] = set()
    for key, candidates in ARROW_KEYS.items():
        for candidate in candidates:
            if candidate in names and names.index(candidate) not in bound:
                bindings[key] = names.index(candidate)
                bound.add(bindings[key])
                break
    for index, name in enumerate(names):
        if index in bound:
            continue
        options = [c for c in name.lower() if c in string.ascii_lowercase]
        options += list(string.ascii_lowercase) + list("123456789")
        letter = next((c for c in options if c not in bindings), None)
        if letter is not None:
            bindings[letter] = index
            bound.add(index)
    return bindings


def help_text(affordances: Sequence[Affordance], discrete: bool = False) -> str:
    """The ``help`` listing: every affordance with its usage, then the session commands."""
    lines = ["Commands:"]
    for affordance in affordances:
        usage = affordance.name if discrete else affordance.usage()
        lines.append(f"  {usage:<28} {affordance.description}")
    lines.append("Session: help (this list), hint (the oracle's next move), reset (new episode), quit")
    return "\n".join(lines)


def _observation_text(observation: Any) -> str:
    if isinstance(observation, dict) and isinstance(observation.get("text"), str):
        return observation["text"]
    return str(observation)


def make_play_env(env_id: str, render_mode: str | None, record: str | None) -> gym.Env:
    """The env to play, wrapped in RecordEpisode when ``record`` names a directory."""
    if record is None:
        return gym.make(env_id, render_mode=render_mode)
    from agentic_gym.wrappers.record import RecordEpisode

    return RecordEpisode(gym.make(env_id, render_mode="rgb_array"), record)


# ---------------------------------------------------------------------------------------
# Terminal play (text and tool envs)


def _terminal_lines(stream: TextIO | None, output: TextIO, words: Sequence[str]) -> Iterator[str]:
    """Typed lines: ``input()`` with readline history on a terminal, else lines of ``stream``."""
    interactive = stream is None and sys.stdin.isatty()
    if interactive:
        line_editor: Any = None
        try:
            import readline

            line_editor = readline
        except ImportError:  # Windows without pyreadline: plain input() still works
            pass
        if line_editor is not None:
            choices = sorted(set(words))

            def complete(prefix: str, state: int) -> str | None:
                matches = [w for w in choices if w.startswith(prefix)]
                return matches[state] if state < len(matches) else None

            line_editor.set_completer(complete)
            line_editor.parse_and_bind("tab: complete")
        while True:
            try:
                yield input("> ")
            except EOFError:
                print(file=output)
                return
    source = sys.stdin if stream is None else stream
    for line in source:
        line = line.rstrip("\n")
        # Echo scripted input so the session reads like a typed one.
        print(f"> {line}", file=output)
        yield line


def play_terminal(
    env: gym.Env, seed: int | None = None, input_stream: TextIO | None = None, output: TextIO | None = None
) -> list[EpisodeSummary]:
    """Play ``env`` with typed commands until ``quit`` or the end of input; one summary per episode."""
    output = output or sys.stdout
    affordances = tuple(env.get_wrapper_attr("affordances"))
    space = env.action_space
    discrete = isinstance(space, spaces.Discrete)
    start = int(space.start) if isinstance(space, spaces.Discrete) else 0  # action i is affordances[i - start]
    names = [a.name for a in affordances]

    def say(text: str) -> None:
        print(text, file=output, flush=True)

    title = env.spec.id if env.spec is not None else type(env.unwrapped).__name__
    say(f"== {title} == type a command; 'help' lists them, 'quit' leaves.")
    observation, _ = env.reset(seed=seed)
    say(_observation_text(observation))
    episodes = [EpisodeSummary()]
    for raw in _terminal_lines(input_stream, output, names + ["help", "hint", "reset", "quit"]):
        line = raw.strip()
        episode = episodes[-1]
        if not line:
            continue
        word = line.lower()
        if word in _QUIT_WORDS:
            break
        if word == "help":
            say(help_text(affordances, discrete))
            continue
        if word == "reset":
            observation, _ = env.reset()
            episodes.append(EpisodeSummary())
            say(_observation_text(observation))
            continue
        if episode.ended:
            say("The episode is over: 'reset' starts a new one, 'quit' leaves.")
            continue
        if word == "hint":
            hint = env.get_wrapper_attr("oracle_action")()
            say(f"hint: {names[int(hint) - start] if discrete else hint}")
            continue
        if discrete:
            if word not in names:
                say(f"Unknown action {sanitize(line, 40)!r}; one of: {', '.join(names)} (or help).")
                continue
            action: Any = names.index(word) + start
        else:
            action = line
        observation, reward, terminated, truncated, info = env.step(action)
        episode.steps += 1
        episode.total_reward += float(reward)
        episode.success = bool(info.get("success", False))
        say(_observation_text(observation))
        status = [f"reward {float(reward):g}"]
        if info.get("action_valid") is False:
            status.append("invalid action")
        say("[" + ", ".join(status) + "]")
        if terminated or truncated:
            episode.ended = True
            how = "solved" if episode.success else ("time is up" if truncated else "over")
            say(f"Episode {how}: {episode.steps} steps, return {episode.total_reward:g}. "
                "'reset' for another, 'quit' to leave.")
    return episodes


# ---------------------------------------------------------------------------------------
# Window play (grid envs)


def _legend(bindings: dict[str, int], names: Sequence[str]) -> str:
    keys = [f"{_LEGEND_NAMES.get(key, key)}={names[index]}" for key, index in bindings.items()]
    return "Keys: " + "  ".join(keys) + "  Enter=new episode  Esc=quit"


def play_window(env: gym.Env, seed: int | None = None, max_events: int | None = None) -> list[EpisodeSummary]:
    """Play a ``Discrete`` env in a pygame window until ``Esc`` or the window closes.

    The env must render ``rgb_array`` frames. ``max_events`` bounds the number of
    events handled (for scripted sessions); by default the loop runs until quit.
    """
    import pygame

    affordances = tuple(env.get_wrapper_attr("affordances"))
    names = [a.name for a in affordances]
    bindings = key_bindings(names)
    arrows = {"up": pygame.K_UP, "down": pygame.K_DOWN, "left": pygame.K_LEFT, "right": pygame.K_RIGHT}
    legend = _legend(bindings, names)
    space = env.action_space
    if not isinstance(space, spaces.Discrete):
        raise ValueError(f"a window plays Discrete actions, not {space}; play this env in the terminal")
    start = int(space.start)  # action i is affordances[i - start]

    pygame.display.init()
    pygame.font.init()
    codes = {arrows.get(k) or getattr(pygame, f"K_{k}"): index for k, index in bindings.items()}
    observation, _ = env.reset(seed=seed)
    frame = np.asarray(env.render(), dtype=np.uint8)
    height, width = frame.shape[:2]
    scale = max(1, -(-480 // max(width, 1)))  # the picture at least 480 pixels wide
    width_px = max(width * scale, 480)
    panel = TranscriptPanel(width_px, 150, 13, title="")
    title = env.spec.id if env.spec is not None else type(env.unwrapped).__name__
    pygame.display.set_caption(title)
    screen = pygame.display.set_mode((width_px, height * scale + panel.height))
    episodes = [EpisodeSummary()]
    status = "new episode"

    def draw() -> None:
        picture = pygame.surfarray.make_surface(np.ascontiguousarray(frame.transpose(1, 0, 2)))
        screen.fill((0, 0, 0))
        screen.blit(pygame.transform.scale(picture, (width * scale, height * scale)), ((width_px - width * scale) // 2, 0))
        text = panel.frame([("note", legend), ("env", _observation_text(observation)), ("agent", status)])
        screen.blit(pygame.surfarray.make_surface(np.ascontiguousarray(text.transpose(1, 0, 2))), (0, height * scale))
        pygame.display.flip()

    draw()
    handled = 0
    try:
        while max_events is None or handled < max_events:
            event = pygame.event.wait(250)
            if event.type == pygame.NOEVENT:
                continue
            handled += 1
            if event.type == pygame.QUIT:
                break
            if event.type in (pygame.VIDEOEXPOSE, pygame.WINDOWEXPOSED):
                draw()  # some window managers drop the picture when the window is covered
                continue
            if event.type != pygame.KEYDOWN:
                continue
            if event.key == pygame.K_ESCAPE:
                break
            episode = episodes[-1]
            if event.key == pygame.K_RETURN:
                observation, _ = env.reset()
                episodes.append(EpisodeSummary())
                status = "new episode"
            elif event.key in codes and not episode.ended:
                index = codes[event.key]
                observation, reward, terminated, truncated, info = env.step(index + start)
                episode.steps += 1
                episode.total_reward += float(reward)
                episode.success = bool(info.get("success", False))
                status = f"{names[index]}: reward {float(reward):g}, return {episode.total_reward:g}"
                if terminated or truncated:
                    episode.ended = True
                    status += (" - solved!" if episode.success else " - episode over") + " Enter for another."
            else:
                continue
            frame = np.asarray(env.render(), dtype=np.uint8)
            draw()
    finally:
        pygame.display.quit()
    return episodes


# ---------------------------------------------------------------------------------------
# The ``agentic-gym play`` subcommand


def _display_available() -> bool:
    """Whether pygame can open a window here; if not (no display), say so and play in the terminal."""
    import pygame

    try:
        pygame.display.init()
    except pygame.error as error:
        print(f"agentic-gym play: no window available ({error}); playing in the terminal instead",
              file=sys.stderr)
        return False
    return True


def play(
    env_id: str,
    seed: int | None = None,
    record: str | None = None,
    terminal: bool | None = None,
    input_stream: TextIO | None = None,
    output: TextIO | None = None,
) -> list[EpisodeSummary]:
    """Play ``env_id``: in a window when its actions are ``Discrete`` (unless ``terminal``), else typed."""
    probe = gym.make(env_id)
    discrete = isinstance(probe.unwrapped.action_space, spaces.Discrete)
    probe.close()
    windowed = discrete and not terminal and _display_available()
    env = make_play_env(env_id, "rgb_array" if windowed else None, record)
    try:
        if windowed:
            return play_window(env, seed=seed)
        return play_terminal(env, seed=seed, input_stream=input_stream, output=output)
    finally:
        env.close()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``agentic-gym play``."""
    parser.add_argument("env_id", help="a registered id, e.g. agentic_gym/GridKeyDoor-8x8-v0 (the prefix is optional)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the first episode")
    parser.add_argument("--record", metavar="DIR", default=None, help="record the episodes (JSONL, GIF, HTML) into DIR")
    parser.add_argument("--terminal", action="store_true", help="play a grid env with typed action names")


def run(args: argparse.Namespace) -> int:
    """Run ``agentic-gym play``."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    env_id = args.env_id if "/" in args.env_id else f"agentic_gym/{args.env_id}"
    if env_id not in gym.registry:
        print(f"agentic-gym play: unknown env {args.env_id!r} (see 'agentic-gym list')", file=sys.stderr)
        return 2
    episodes = play(env_id, seed=args.seed, record=args.record, terminal=args.terminal)
    played = [e for e in episodes if e.steps]
    if played:
        solved = sum(e.success for e in played)
        print(f"{len(played)} episode(s) played, {solved} solved.")
    if args.record:
        print(f"recorded into {args.record}")
    return 0
