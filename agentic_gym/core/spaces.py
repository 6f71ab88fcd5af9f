"""Spaces for text actions and chat observations.

Example:
    >>> from agentic_gym.core.affordance import Affordance, params, enum_param
    >>> go = Affordance("go", "Walk.", params(direction=enum_param("Where.", ["north", "south"])))
    >>> space = CommandSpace([go], max_length=64, seed=0)
    >>> space.sample() in ("go north", "go south")
    True
    >>> space.contains("anything at all, even nonsense")
    True
    >>> space.contains(Command("go", {"direction": "north"})), space.contains(Command("fly"))
    (True, False)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from gymnasium import spaces

from agentic_gym.core.affordance import Affordance
from agentic_gym.core.command import Command, InvalidAction, Reason, check_command, command_list
from agentic_gym.core.text import CHARSET, in_charset, quote

_WORDS = ("red", "blue", "key", "door", "box", "north", "note", "seven", "yes", "no")


def sample_args(aff: Affordance, rng: np.random.Generator) -> dict[str, Any]:
    """Random valid arguments for ``aff``: enums and ``examples`` first, bounded numbers, short words."""
    args: dict[str, Any] = {}
    required = set(aff.required)
    for key, prop in aff.properties.items():
        if key not in required and rng.random() < 0.5:
            continue
        kind = prop["type"]
        if kind == "string":
            options = prop.get("enum") or prop.get("examples") or _WORDS
            value = str(options[int(rng.integers(len(options)))])
            if "maxLength" in prop:
                value = value[: prop["maxLength"]]
            args[key] = value
        elif kind == "boolean":
            args[key] = bool(rng.integers(2))
        else:
            low = int(prop.get("minimum", 0))
            high = int(prop.get("maximum", low + 9))
            number = int(rng.integers(low, high + 1))
            args[key] = number if kind == "integer" else float(number)
    return args


def native_action(command: Command, action_space: spaces.Space, affordances: Sequence[Affordance]) -> Any:
    """``command`` as the action an env with ``action_space`` takes.

    A ``Discrete`` env takes the index of the command's affordance (argument-free only); a
    ``CommandSpace`` env takes the :class:`~agentic_gym.core.Command` itself, never its text;
    any other space (a foreign ``Text`` env) gets the canonical command text.

    Example:
        >>> from agentic_gym.core.affordance import Affordance
        >>> affs = (Affordance("left", "Turn left."), Affordance("right", "Turn right."))
        >>> native_action(Command("right"), spaces.Discrete(2), affs)
        1
    """
    if type(action_space) is CommandSpace:  # the usual case, told by one test
        return command
    if isinstance(action_space, spaces.Discrete):
        for index, aff in enumerate(affordances):
            if aff.name == command.name:
                if command.args:
                    raise InvalidAction(f"{aff.name} takes no arguments here.", affordance=aff.name,
                                        reason=Reason.UNKNOWN_ARGUMENT)
                return int(action_space.start) + index
        raise InvalidAction(f"Unknown command {quote(command.name)}. Valid commands: {command_list(affordances)}.",
                            reason=Reason.UNKNOWN_COMMAND)
    if isinstance(action_space, CommandSpace):
        return command
    return str(command)


class CommandSpace(spaces.Text):
    """A ``Text`` action space whose samples are valid commands of the given affordances.

    ``contains`` accepts any string of at most ``max_length`` characters over
    :data:`~agentic_gym.core.text.CHARSET` (an invalid command is a legal action that
    the env answers with feedback) and any :class:`~agentic_gym.core.Command` that is
    valid for the affordances (what the language layer passes down). ``sample()`` draws an affordance uniformly and
    valid arguments for it from the space's own RNG; ``sample(mask=commands)`` draws
    uniformly from a sequence of command strings instead (e.g. an env's
    ``info["admissible_commands"]``). Two spaces are equal when their affordances and
    ``max_length`` are.
    """

    def __init__(self, affordances: Iterable[Affordance], max_length: int = 512, seed: Any = None):
        self.affordances: tuple[Affordance, ...] = tuple(affordances)
        if not self.affordances:
            raise ValueError("CommandSpace needs at least one affordance")
        super().__init__(max_length=max_length, min_length=0, charset=CHARSET, seed=seed)

    def contains(self, x: Any) -> bool:
        if type(x) is Command:
            try:
                check_command(x, self.affordances)
            except InvalidAction:
                return False
            return True
        if type(x) is str:  # what Text.contains decides, with one C-fast charset test
            return self.min_length <= len(x) <= self.max_length and in_charset(x)
        return super().contains(x)

    def sample(self, mask: Sequence[str] | None = None, probability: Any = None) -> str:  # type: ignore[override]
        if isinstance(mask, list | tuple) and mask and all(isinstance(m, str) for m in mask):
            return mask[int(self.np_random.integers(len(mask)))][: self.max_length]
        aff = self.affordances[int(self.np_random.integers(len(self.affordances)))]
        text = str(Command(aff.name, sample_args(aff, self.np_random)))
        return text[: self.max_length]

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, CommandSpace)
            and self.affordances == other.affordances
            and self.max_length == other.max_length
        )

    def __hash__(self) -> int:
        return hash((self.affordances, self.max_length))

    def __repr__(self) -> str:
        names = ", ".join(a.name for a in self.affordances)
        return f"CommandSpace([{names}], max_length={self.max_length})"


ROLES = ("system", "user", "assistant", "tool")


def _is_content_part(part: Any) -> bool:
    if not isinstance(part, dict):
        return False
    kind = part.get("type")
    if kind == "text":
        return isinstance(part.get("text"), str)
    if kind == "image_url":
        url = part.get("image_url")
        return isinstance(url, dict) and isinstance(url.get("url"), str)
    return False


def is_message(message: Any) -> bool:
    """True for a chat message dict: a known ``role`` and ``content`` text or content parts."""
    if not isinstance(message, dict) or message.get("role") not in ROLES:
        return False
    content = message.get("content")
    if isinstance(content, str):
        return True
    return isinstance(content, list) and all(_is_content_part(p) for p in content)


class ChatMessages(spaces.Sequence):
    """The observation space of a chat env: lists of ``{"role", "content"}`` message dicts.

    ``content`` is a string or a list of OpenAI content parts (``{"type": "text",
    "text": ...}`` / ``{"type": "image_url", "image_url": {"url": ...}}``). Extra keys
    (``tool_call_id``, ``name``) are allowed. Gymnasium's ``Sequence`` accepts only
    tuples, which chat templates and the OpenAI client do not take.
    """

    def __init__(self, max_length: int = 4096, seed: Any = None):
        self.max_length = max_length
        super().__init__(spaces.Text(max_length=max_length, min_length=0, charset=CHARSET), seed=seed)

    def contains(self, x: Any) -> bool:
        return isinstance(x, list | tuple) and all(is_message(m) for m in x)

    def sample(self, mask: Any = None, probability: Any = None) -> list[dict[str, Any]]:
        count = int(self.np_random.integers(1, 4))
        roles = ("system",) + ("user",) * (count - 1)
        return [{"role": role, "content": self.feature_space.sample()} for role in roles]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChatMessages) and self.max_length == other.max_length

    def __repr__(self) -> str:
        return f"ChatMessages(max_length={self.max_length})"
