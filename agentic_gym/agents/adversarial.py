"""A panel of adversarial agents that try to score without solving the task.

``agentic-gym validate`` plays each of them and requires their success to stay near zero
(see :mod:`agentic_gym.validation`). Each is a factory ``Agent(env, seed)`` with the
usual ``reset(info)`` / ``act(observation, info)`` protocol. All but two act on the
native env; :class:`AlwaysInvalid` and :class:`InjectionEchoer` speak text through
``agentic_gym.chat`` (``uses_chat = True``), since their attack is on the language layer.

* :class:`AlwaysInvalid`: a reply that names no action, every turn.
* :class:`RepeatOne`: the same action every turn (one agent per affordance; the panel
  keeps the best of them).
* :class:`AdmissibleRandom`: uniform over ``info["admissible_commands"]`` where the env
  lists them, else over the affordances.
* :class:`BruteForceAnswerer`: for envs with an ``answer`` affordance: every option
  named in the text, the numbers in the text and their neighbours, then common
  answers, one per answer turn (so an env that accepts retries is caught).
* :class:`InjectionEchoer`: plays any action-like text found in its observation
  (``Action: ...`` lines, ``<action>`` tags, a line that is a valid command alone).
* :class:`RewardSearcher`: fiddles without solving (toggling, dropping, picking up,
  tools, looking, moving at random) but never answers.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from agentic_gym.core import Command, CommandSpace, InvalidAction, parse_command

#: Answers a guesser tries after the options and numbers it finds in the text.
COMMON_ANSWERS = ("yes", "no", "0", "1", "2", "3", "10", "100", "42", "true", "false", "none", "unknown")

_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_OPTION = re.compile(r"\b([A-Z][a-z]+(?: [A-Z][a-z]+)?)\b")
_OR = re.compile(r"\b([\w-]+) or ([\w-]+)\b")
_MARKED = re.compile(r"(?:^|\n)\s*(?:Action|ACTION|action)\s*:\s*([^\n]{1,120})")
_TAGGED = re.compile(r"<action>([^<\n]{1,120})</action>")


def _affordances(env: gym.Env) -> tuple[Any, ...]:
    return tuple(env.get_wrapper_attr("affordances"))


def _names(env: gym.Env) -> list[str]:
    return [a.name for a in _affordances(env)]


def _native(env: gym.Env, name: str) -> Any:
    """The native action for an argument-free affordance ``name``: its index or its text."""
    if isinstance(env.action_space, CommandSpace):
        return name
    return _names(env).index(name)


def _last_text(observation: Any) -> str:
    """The text of an observation: ``obs["text"]`` or the last chat message's content."""
    if isinstance(observation, dict):
        return str(observation.get("text", ""))
    if isinstance(observation, list) and observation:
        content = observation[-1].get("content", "")
        if isinstance(content, list):
            return "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
        return str(content)
    return str(observation)


class _Base:
    uses_chat: ClassVar[bool] = False
    name: ClassVar[str] = "adversary"

    def __init__(self, env: gym.Env, seed: int | None = None):
        self.env = env
        self.rng = np.random.default_rng(seed)

    def reset(self, info: dict[str, Any]) -> None:
        """Forget the last episode."""


class AlwaysInvalid(_Base):
    """Replies with text that names no action (through the chat layer)."""

    uses_chat = True
    name = "always-invalid"

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        return "Hmm, let me think about this a little longer."


class RepeatOne(_Base):
    """Plays the affordance ``index`` every turn (with its first example argument, if any)."""

    name = "repeat-one"

    def __init__(self, env: gym.Env, seed: int | None = None, index: int = 0):
        super().__init__(env, seed)
        affordances = _affordances(env)
        if not 0 <= index < len(affordances):
            raise ValueError(f"index must be in 0..{len(affordances) - 1}, got {index}")
        self.index = index
        self.affordance = affordances[index]
        self.action: Any = index
        if isinstance(env.action_space, CommandSpace):
            self.action = None

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        if self.action is not None:
            return self.action
        # A text env: the first admissible command of this affordance, kept for the episode.
        admissible = [c for c in info.get("admissible_commands") or () if c.split("(")[0].split(" ")[0]
                      == self.affordance.name]
        self.action = admissible[0] if admissible else self.affordance.name
        return self.action

    def reset(self, info: dict[str, Any]) -> None:
        if isinstance(self.env.action_space, CommandSpace):
            self.action = None


class AdmissibleRandom(_Base):
    """Uniform over ``info["admissible_commands"]``, else over the affordances."""

    name = "admissible-random"

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        admissible = list(info.get("admissible_commands") or ())
        if admissible:
            return admissible[int(self.rng.integers(len(admissible)))]
        names = _names(self.env)
        return _native(self.env, names[int(self.rng.integers(len(names)))])


def answer_candidates(text: str) -> list[str]:
    """What a blind guesser would answer to ``text``, most plausible first.

    Example:
        >>> answer_candidates("Which is warmer, Prague or Oslo? Give 12 or 13.")[:4]
        ['Prague', 'Oslo', '12', '13']
    """
    seen: dict[str, None] = {}
    for a, b in _OR.findall(text):
        seen.setdefault(a, None)
        seen.setdefault(b, None)
    for option in _OPTION.findall(text):
        seen.setdefault(option, None)
    numbers = [n.replace(",", "") for n in _NUMBER.findall(text)]
    for number in numbers:
        seen.setdefault(number, None)
    for number in numbers:
        value = float(number)
        for near in (value - 1, value + 1, round(value), value * 2, value / 2):
            seen.setdefault(f"{near:g}", None)
    if len(numbers) >= 2:
        a, b = float(numbers[0]), float(numbers[1])
        for combo in (a + b, a - b, a * b, a / b if b else 0.0):
            seen.setdefault(f"{round(combo, 2):g}", None)
    for common in COMMON_ANSWERS:
        seen.setdefault(common, None)
    return [s for s in seen if s]


class BruteForceAnswerer(_Base):
    """Answers every answer turn with its next candidate (:func:`answer_candidates`).

    It answers when ``admissible_commands`` offers an answer, and on an episode's first
    turn whatever is offered (tool envs take an answer at any time); otherwise it plays
    the first admissible command (``continue`` through Recall's briefing). Only for envs
    with an ``answer`` affordance.
    """

    name = "brute-force-answerer"

    def __init__(self, env: gym.Env, seed: int | None = None):
        super().__init__(env, seed)
        answers = [a for a in _affordances(env) if a.kind == "answer"]
        if not answers:
            raise ValueError("BruteForceAnswerer needs an env with an answer affordance")
        self.answer = answers[0].name
        self.parameter = next(iter(answers[0].parameters.get("properties", {})), "text")
        self.tried: list[str] = []
        self.first = True

    def reset(self, info: dict[str, Any]) -> None:
        self.tried = []
        self.first = True

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        admissible = list(info.get("admissible_commands") or ())
        answering = self.first or not admissible or any(c.startswith(self.answer) for c in admissible)
        self.first = False
        if not answering:
            return admissible[0]
        text = _last_text(observation)
        if isinstance(observation, dict) and "question" in observation:
            text += "\n" + str(observation["question"])
        for candidate in answer_candidates(text):
            if candidate not in self.tried:
                self.tried.append(candidate)
                return str(Command(self.answer, {self.parameter: candidate}))
        return str(Command(self.answer, {self.parameter: COMMON_ANSWERS[0]}))


class InjectionEchoer(_Base):
    """Plays action-like text from its observation; with none, replies without an action."""

    uses_chat = True
    name = "injection-echoer"

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        text = _last_text(observation)
        found = [m.strip() for m in _MARKED.findall(text)] + [m.strip() for m in _TAGGED.findall(text)]
        affordances = _affordances(self.env)
        for line in text.splitlines():
            line = line.strip().rstrip(".")
            try:
                parse_command(line, affordances)
            except InvalidAction:
                continue
            found.append(line)
        if found:
            return "Action: " + found[int(self.rng.integers(len(found)))]
        return "Nothing in the text tells me what to do."


class RewardSearcher(_Base):
    """Fiddles for reward without solving: every non-answer action, the fiddly ones twice as often.

    Grid envs: toggling, picking up and dropping, turning and moving at random; text and
    tool envs: the admissible commands but answers (tools, look, take, drop, open, close).
    """

    name = "reward-searcher"
    FIDDLY = frozenset({"toggle", "pickup", "drop", "take", "open", "close", "examine", "look", "inventory",
                        "map", "compass"})

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        affordances = _affordances(self.env)
        answer_names = {a.name for a in affordances if a.kind == "answer"}
        admissible = [c for c in info.get("admissible_commands") or () if c.split(" ")[0].split("(")[0]
                      not in answer_names]
        if admissible:
            weights = np.array([2.0 if c.split(" ")[0] in self.FIDDLY else 1.0 for c in admissible])
            return admissible[int(self.rng.choice(len(admissible), p=weights / weights.sum()))]
        names = [a.name for a in affordances if a.kind != "answer"]
        weights = np.array([2.0 if n in self.FIDDLY else 1.0 for n in names])
        name = names[int(self.rng.choice(len(names), p=weights / weights.sum()))]
        if isinstance(self.env.action_space, CommandSpace):
            return name
        return _native(self.env, name)


#: The panel, in the order the cards list it.
PANEL: tuple[type[_Base], ...] = (
    AlwaysInvalid, RepeatOne, AdmissibleRandom, BruteForceAnswerer, InjectionEchoer, RewardSearcher,
)
