"""The language layer's per-step cost, side by side with TextArena's and GEM's default wrappers.

Run: ``python benchmarks/bench_language.py`` (``pip install -e ".[bench]"`` for the others).

What is measured, for the same observation texts (a recorded TextAdventure episode, replayed)
and the same replies (about 250 characters of reasoning, then ``Action: <command>``):

* agentic-gym: ``PromptObservation(ParseAction(env))``, i.e. parsing the reply into a command
  and building the chat messages, with ``history`` = the turn count (and ``None``: the whole
  episode). The replay env's own step time is measured alone and subtracted.
* TextArena (default wrappers of ``ta.make``): ``ActionFormattingWrapper.action(reply)`` plus
  ``LLMObservationWrapper.observation(player, new_messages)``, called directly (the env's step,
  where TextArena parses with regexes, is excluded; it has no history window).
* GEM: ``ObservationWrapper(include_action=True, include_chat_template=False,
  max_history_length=turns)`` over a replay env (subtracted likewise).

Each figure is the median over many episodes of the cost of one step at the given turn.
Then: parsing a 2 KB reply in ``auto`` format (median, per reply style) and the time to refuse
hostile replies (10 MB, and the worst 100 KB cases, which are read).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import gymnasium as gym
from gymnasium import spaces

import agentic_gym  # noqa: F401  (registers the environments)
from agentic_gym.core import CommandSpace, InvalidAction, parse_command, text_space
from agentic_gym.wrappers import ParseAction, PromptObservation, parse_action, render_action

ENV_ID = "agentic_gym/TextAdventure-12rooms-v0"
TURNS = (3, 30, 100)
EPISODES = 150
REASONING = ("The quest asks me to move an object to another room. I have looked at what is here and "
             "the exits; the oracle-like plan is to fetch the item first, then carry it along the "
             "shortest known path, opening doors on the way. ")


def record_episode(steps: int) -> tuple[list[str], list[str], tuple]:
    """Observation texts and oracle replies of ``steps`` turns (new episodes when one ends)."""
    env = gym.make(ENV_ID)
    affordances = env.unwrapped.affordances
    texts, replies = [], []
    seed = 0
    obs, _ = env.reset(seed=seed)
    texts.append(obs["text"])
    while len(replies) < steps:
        command = env.unwrapped.oracle_action()
        replies.append(f"Thought: {REASONING}\nAction: {command}")
        obs, _, terminated, truncated, _ = env.step(command)
        if terminated or truncated:
            seed += 1
            obs, _ = env.reset(seed=seed)
        texts.append(obs["text"])
    return texts, replies, affordances


class ReplayEnv(gym.Env):
    """Returns recorded observations in order, whatever the action: an env step that costs ~nothing."""

    metadata = {"render_modes": []}

    def __init__(self, texts: list[str], affordances: tuple):
        self.texts = texts
        self.affordances = affordances
        self.action_space = CommandSpace(affordances)
        self.observation_space = spaces.Dict({"text": text_space(8192)})
        self.index = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self.index = 0
        return {"text": self.texts[0]}, {"success": False}

    def step(self, action: Any):
        self.index += 1
        return {"text": self.texts[self.index]}, 0.0, False, False, {"success": False, "action_valid": True}


def per_turn(run_episode: Callable[[], list[float]]) -> dict[int, float]:
    """Median (over episodes) of the step time at each turn in TURNS, in microseconds."""
    samples: dict[int, list[float]] = {t: [] for t in TURNS}
    for _ in range(EPISODES):
        times = run_episode()
        for turn in TURNS:
            samples[turn].append(times[turn - 1])
    return {turn: statistics.median(values) * 1e6 for turn, values in samples.items()}


def replay_step_cost(texts: list[str], affordances: tuple, replies: list[str]) -> dict[int, float]:
    env = ReplayEnv(texts, affordances)

    def episode() -> list[float]:
        env.reset()
        times = []
        for reply in replies:
            started = time.perf_counter()
            env.step(reply)
            times.append(time.perf_counter() - started)
        return times

    return per_turn(episode)


def ours(texts: list[str], affordances: tuple, replies: list[str], history: int | None,
         baseline: dict[int, float]) -> dict[int, float]:
    """The stack's step cost at each turn; every reply is read afresh (the parser keeps no memo)."""
    env = PromptObservation(ParseAction(ReplayEnv(texts, affordances)), history=history)

    def episode() -> list[float]:
        env.reset()
        times = []
        for reply in replies:
            started = time.perf_counter()
            _, _, _, _, info = env.step(reply)
            times.append(time.perf_counter() - started)
            assert info["action_valid"], info["parse_error"]
        return times

    measured = per_turn(episode)
    return {turn: max(0.0, measured[turn] - baseline[turn]) for turn in TURNS}


def textarena(texts: list[str], replies: list[str]) -> dict[int, float] | str:
    try:
        import textarena as ta
    except ImportError as error:  # an optional dependency
        return f"not installed ({error})"
    env = ta.make("GuessTheNumber-v0")  # no data download; we only drive its default wrappers
    action_wrapper, observation_wrapper = env, env.env
    assert type(action_wrapper).__name__ == "ActionFormattingWrapper"
    assert type(observation_wrapper).__name__ == "LLMObservationWrapper"
    env.reset(num_players=1, seed=0)
    game, player = ta.GAME_ID, 0
    kinds = ta.ObservationType

    def episode() -> list[float]:
        observation_wrapper.full_observations = {}
        observation_wrapper.observation(player, [(game, texts[0], kinds.PROMPT)])
        times = []
        for index, reply in enumerate(replies):
            started = time.perf_counter()
            action = action_wrapper.action(reply)
            observation_wrapper.observation(player, [(player, action, kinds.PLAYER_ACTION),
                                                     (game, texts[index + 1], kinds.GAME_MESSAGE)])
            times.append(time.perf_counter() - started)
        return times

    return per_turn(episode)


def gem_wrapper(texts: list[str], replies: list[str]) -> dict[int, float] | str:
    try:
        from gem.core import Env as GemEnv
        from gem.wrappers.observation_wrapper import ObservationWrapper
    except ImportError as error:  # an optional dependency
        return f"not installed ({error})"

    class GemReplay(GemEnv):
        def __init__(self):
            super().__init__()
            self.index = 0

        def reset(self, seed: int | None = None):
            self.index = 0
            return texts[0], {}

        def step(self, action: str):
            self.index += 1
            return texts[self.index], 0.0, False, False, {}

    results: dict[int, float] = {}
    for turns in TURNS:
        env = ObservationWrapper(GemReplay(), include_action=True, include_chat_template=False,
                                 max_history_length=turns)
        bare = GemReplay()

        def episode(env: Any = env) -> list[float]:
            env.reset()
            times = []
            for reply in replies:
                started = time.perf_counter()
                env.step(reply)
                times.append(time.perf_counter() - started)
            return times

        def bare_episode(bare: Any = bare) -> list[float]:
            bare.reset()
            times = []
            for reply in replies:
                started = time.perf_counter()
                bare.step(reply)
                times.append(time.perf_counter() - started)
            return times

        results[turns] = max(0.0, per_turn(episode)[turns] - per_turn(bare_episode)[turns])
    return results


def parse_medians(affordances: tuple) -> dict[str, float]:
    """Median time to parse a 2 KB reply in ``auto`` format, per reply style, in microseconds.

    The parser remembers nothing between replies, so each parse costs what a new reply does.
    """
    command = parse_command("take red apple", affordances)
    body = (REASONING * 10)[:1900]
    replies = {
        "react": f"Thought: {body}\nAction: take red apple",
        "json": f"{body}\n{render_action(command, 'json')}",
        "xml": f"{body}\n{render_action(command, 'xml')}",
        "text (last line)": f"{body}\ntake red apple",
        "tool_call": dict(render_action(command, "tool_call"), content=body),
    }
    medians = {}
    for name, reply in replies.items():
        times = []
        for _ in range(3000):
            started = time.perf_counter()
            parse_action(reply, affordances)
            times.append(time.perf_counter() - started)
        medians[name] = statistics.median(times) * 1e6
    return medians


def hostile_times(affordances: tuple) -> dict[str, float]:
    """Seconds to answer hostile replies (each must give an InvalidAction)."""
    cases = {
        "10 MB of '{\"name\": \"go\", \"arguments\": '": '{"name": "go", "arguments": ' * 400_000,
        "10 MB of unclosed <action>": "<action>" * 1_250_000,
        "100 KB of '{'": "{" * 100_000,
        "100 KB of unclosed <tool_call>{": "<tool_call>{" * 8_333,
        "100 KB of 'action:'": "action:" * 14_285,
        "100 KB object with 5,000-digit number": '{"name": "take", "arguments": {"object": ' + "9" * 99_000 + "}}",
    }
    results = {}
    for name, reply in cases.items():
        started = time.perf_counter()
        try:
            parse_action(reply, affordances)
        except InvalidAction:
            pass
        else:
            raise AssertionError(f"{name} was accepted")
        results[name] = time.perf_counter() - started
    return results


def main() -> None:
    texts, replies, affordances = record_episode(max(TURNS))
    baseline = replay_step_cost(texts, affordances, replies)
    rows: list[tuple[str, dict[int, float] | str]] = [
        ("agentic-gym PromptObservation+ParseAction, history=turns", None),  # filled below
        ("agentic-gym PromptObservation+ParseAction, history=None", ours(texts, affordances, replies, None, baseline)),
        ("TextArena LLMObservationWrapper+ActionFormattingWrapper", textarena(texts, replies)),
        ("GEM ObservationWrapper (string mode), max_history=turns", gem_wrapper(texts, replies)),
    ]
    windowed = {turns: ours(texts, affordances, replies, turns, baseline)[turns] for turns in TURNS}
    rows[0] = (rows[0][0], windowed)

    print(f"Per-step cost of prompt building + parsing (env step excluded), median of {EPISODES} episodes, us")
    header = f"{'wrapper stack':<60}" + "".join(f"{f'turn {t}':>12}" for t in TURNS)
    print(header)
    print("-" * len(header))
    for name, result in rows:
        if isinstance(result, str):
            print(f"{name:<60}{result}")
        else:
            print(f"{name:<60}" + "".join(f"{result[t]:>12.1f}" for t in TURNS))
    print()
    print("Parsing a 2 KB reply, format=auto, median of 3000, us")
    for name, median in parse_medians(affordances).items():
        print(f"  {name:<20}{median:>10.2f}")
    print()
    print("Hostile replies (all refused with InvalidAction), s")
    for name, value in hostile_times(affordances).items():
        print(f"  {name:<45}{value:>10.4f}")


if __name__ == "__main__":
    main()
