"""What every reply format shares: the reply being read, the vocabulary of an affordance set, limits.

A reply format (:class:`ReplyFormat`) is one object that knows one way an LLM writes an
action: how to find it in a reply (:meth:`ReplyFormat.read`), how to write a command that
way (:meth:`ReplyFormat.render`) and how to ask for it in a prompt
(:meth:`ReplyFormat.instructions`). The formats themselves live in the sibling modules.
"""

from __future__ import annotations

import abc
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from agentic_gym.core import Affordance, Command, InvalidAction, Reason, command_list, parse_command
from agentic_gym.core.spaces import sample_args

#: Longest reply read at all; longer replies are rejected before any scan.
MAX_REPLY_CHARS = 100_000
#: Characters of free text the fuzzy matcher reads (the end of the reply, where the decision is).
MAX_FUZZY_CHARS = 4000
#: ``<`` matched one by one (from the end of the reply) before one regex pass over it decides.
MAX_TAG_PROBES = 8

#: Characters readers strip from the ends of a command written on a line of its own.
LINE_DECORATION = " \t`*\"'>-"

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
WORD = re.compile(r"[a-z0-9]+")
_LEADING_WORD = re.compile(r"[a-z0-9_]{1,64}")  # a lower-case word a command can start with


def lower(text: str) -> str:
    """ASCII lower-casing that keeps every index (``str.lower`` may change the length)."""
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


def casings(word: str) -> frozenset[str]:
    """Every ASCII upper/lower spelling of ``word``: ``s in casings(w)`` iff ``lower(s) == w``."""
    spellings = [""]
    for char in word:
        spellings = [s + c for s in spellings for c in dict.fromkeys((char, char.upper()))]
    return frozenset(spellings)


class Unscanned:
    """The type of :data:`UNSCANNED`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSCANNED"


#: A :class:`Reply`'s ``tag`` when its walk did not reach the action tag.
UNSCANNED = Unscanned()
#: An action tag: ``(name, content start, content end)``.
ActionTag = tuple[str, int, int]


@dataclass(slots=True)
class Reply:
    """A reply as the formats read it.

    ``text`` is the message text with reasoning blocks dropped, ``tool_calls`` the
    message's ``tool_calls`` (``None`` for a plain string), ``is_message`` whether the
    reply came as a message dict, ``listed`` further commands for the fuzzy match (an
    env's ``info["admissible_commands"]``) and ``strict`` whether one format was asked
    for (then a format whose markers are absent says so instead of passing). ``tag`` is
    the last action tag of ``text`` as the walk that dropped the reasoning found it
    (:func:`~agentic_gym.formats.reasoning.read_markup`), ``None`` if it has none, or
    :data:`UNSCANNED` when that walk did not reach it.
    """

    text: str
    tool_calls: Any = None
    is_message: bool = False
    listed: Sequence[str] = ()
    strict: bool = False
    tag: ActionTag | None | Unscanned = UNSCANNED


class Vocabulary:
    """What the readers need to know about one affordance tuple, worked out once.

    The names, the phrases the fuzzy match compares (each argument-free command and each
    enum value, with and without its command name), the usage list and an example
    command for error messages.
    """

    __slots__ = ("affordances", "names", "aliases", "alias_starts", "starts", "leading_command", "phrases", "values",
                 "usage", "example")

    def __init__(self, affordances: tuple[Affordance, ...]):
        self.affordances = affordances
        self.names = {a.name: a for a in reversed(affordances)}  # the first of a name wins, as in parse_command
        # Aliases that do not collide with a name, longest first: ("pick up", "pickup").
        self.aliases: list[tuple[str, str]] = sorted(
            {(alias, a.name) for a in affordances for alias in a.aliases if alias not in self.names},
            key=lambda pair: (-len(pair[0]), pair))
        self.alias_starts = frozenset(alias.split(" ")[0] for alias, _ in self.aliases)
        self.starts = frozenset(self.names) | self.alias_starts  # lower-case words a command may start with
        # One regex says whether a text's leading word (at most 64 word characters, in any
        # ASCII case) is in `starts`: one C call instead of a match, a lower-casing and a look-up.
        leading = sorted((w for w in self.starts if _LEADING_WORD.fullmatch(w)), key=lambda w: (-len(w), w))
        pattern = "|".join(re.escape(w) + ("" if len(w) == 64 else "(?![A-Za-z0-9_])") for w in leading)
        self.leading_command = re.compile(f"(?:{pattern})" if leading else "(?!)", re.IGNORECASE | re.ASCII).match
        # Fuzzy-matchable commands: (" phrase words ", command) for the full phrase and the bare value.
        self.phrases: list[tuple[str, Command]] = []
        self.values: list[tuple[str, Command]] = []
        for aff in affordances:
            spoken = [" ".join(aff.name.split("_")), *aff.aliases]
            if not aff.required:
                for words in spoken:
                    self.phrases.append((f" {words} ", Command(aff.name, {})))
            key = aff.value_parameter
            if key is not None and len(aff.required) == 1 and "enum" in aff.properties[key]:
                for option in aff.properties[key]["enum"]:
                    words = " ".join(WORD.findall(lower(str(option))))
                    if not words:
                        continue
                    command = Command(aff.name, {key: option})
                    for name_words in spoken:
                        self.phrases.append((f" {name_words} {words} ", command))
                    self.values.append((f" {words} ", command))
        self.usage = command_list(affordances)
        self.example = example_command(affordances) if affordances else Command("none")

    def starts_command(self, text: str) -> bool:
        """Whether ``text`` begins with an affordance's name or the first word of an alias."""
        return self.leading_command(text) is not None

    def unalias(self, text: str) -> str | None:
        """``text`` with a leading alias replaced by its affordance's name, ``None`` if it starts with none.

        For an affordance without parameters the alias may be followed by a few words that
        name its object ("pick up the red key" -> ``pickup``), unless they name another action.
        """
        words = text.split()
        if len(words) > 64:
            return None
        lowered = [lower(word) for word in words]
        for alias, name in self.aliases:
            alias_words = alias.split(" ")
            if lowered[:len(alias_words)] != alias_words:
                continue
            rest = words[len(alias_words):]
            if not rest:
                return name
            if self.names[name].properties:
                return f"{name} {' '.join(rest)}"
            rest_lowered = lowered[len(alias_words):]
            if len(rest) <= 4 and not any(w in self.names or w in self.alias_starts for w in rest_lowered):
                return name
            return None
        return None
        return None

    def command(self, text: str) -> Command:
        """``text`` as a command of these affordances (:func:`~agentic_gym.core.parse_command`)."""
        return parse_command(text, self.affordances)


_VOCABULARIES: dict[int, Vocabulary] = {}


def vocabulary(affordances: Iterable[Affordance]) -> Vocabulary:
    """The :class:`Vocabulary` of ``affordances``, kept per tuple (keyed by identity).

    Wrappers and envs pass the same tuple on every step, and building the tables costs
    more than reading a reply, so they are built once per tuple.
    """
    if not isinstance(affordances, tuple):
        affordances = tuple(affordances)
    vocab = _VOCABULARIES.get(id(affordances))
    if vocab is None or vocab.affordances is not affordances:
        if len(_VOCABULARIES) >= 256:
            _VOCABULARIES.clear()
        vocab = Vocabulary(affordances)
        _VOCABULARIES[id(affordances)] = vocab
    return vocab


def example_command(affordances: Sequence[Affordance]) -> Command:
    """A deterministic example command: an env move with arguments if there is one, else the first move."""
    moves = [a for a in affordances if a.kind in ("move", "answer")] or list(affordances)
    chosen = next((a for a in moves if a.required), moves[0])
    args = sample_args(chosen, np.random.default_rng(0))
    return Command(chosen.name, {k: v for k, v in args.items() if k in chosen.required})


_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "{": "\\u007b", "}": "\\u007d"})


def safe_text(command: Command) -> str:
    """The canonical text, or its call form with ``< > { }`` escaped inside JSON strings.

    The escaped form reads back to the same command in every format, and no marker of
    another format can appear in it. A short form ending in a character that readers strip
    as line decoration (``take 0*``) also takes the call form, which ends in ``)``.
    """
    text = str(command)
    if text[-1] not in LINE_DECORATION and not any(c in text for c in "<>{}"):
        return text
    inner = ", ".join(f"{k}={json.dumps(v, ensure_ascii=True).translate(_ESCAPES)}" for k, v in command.args.items())
    return f"{command.name}({inner})"


def command_text(text: str, vocab: Vocabulary) -> Command:
    """``text`` as a command, forgiving a final full stop, ``[...]`` brackets around it and an
    alias in place of the name ("pick up" for ``pickup``)."""
    try:
        # The text as it is first: no name starts with "[", so bracketed text never reads here.
        return parse_command(text, vocab.affordances)
    except InvalidAction as error:
        return forgiven_command(text, vocab, error)


def forgiven_command(text: str, vocab: Vocabulary, failure: InvalidAction) -> Command:
    """:func:`command_text` for ``text`` that ``parse_command`` refused with ``failure`` (raised
    again when nothing is forgiven)."""
    affordances = vocab.affordances
    if text[:1] == "[" and text.endswith("]"):
        text = text[1:-1].strip()
        try:
            return parse_command(text, affordances)
        except InvalidAction as error:
            failure = error
    trimmed = text.rstrip(".!")
    for candidate in (trimmed, vocab.unalias(trimmed) if vocab.aliases else None):
        if candidate and candidate != text:
            try:
                return parse_command(candidate, affordances)
            except InvalidAction:
                pass
    raise failure


class ReplyFormat(abc.ABC):
    """One way of writing an action in a reply: the single place that format lives.

    ``read`` finds the action in a :class:`Reply` and returns its command, ``None`` when
    the reply has none of this format's markers (in ``auto`` the next format then
    tries), or raises :class:`~agentic_gym.core.InvalidAction` when the markers are
    there but what they hold is not a valid action (a wrong action is reported, never
    guessed around). ``render`` writes a command the way a model would in this format,
    so that ``read`` gives it back; ``instructions`` asks for the format in a prompt.
    """

    #: The name ``ParseAction(format=...)`` and ``chat(format=...)`` take.
    name: ClassVar[str]
    #: Text every reply in this format holds (``auto`` does not ask a format whose marker
    #: the reply lacks: ``read`` would return ``None``); ``""`` for none.
    marker: ClassVar[str] = ""

    @abc.abstractmethod
    def read(self, reply: Reply, vocab: Vocabulary) -> Command | None:
        """The command in ``reply``, ``None`` if this format's markers are absent."""

    def missing(self, vocab: Vocabulary) -> InvalidAction:
        """The error when this format was asked for and its markers are absent."""
        return InvalidAction(f"No {self.name} action found. Write e.g. {self.render(vocab.example)}. "
                             f"Valid commands: {vocab.usage}.", reason=Reason.NO_ACTION)

    @abc.abstractmethod
    def render(self, command: Command) -> str | dict[str, Any]:
        """``command`` written in this format (``read`` gives it back)."""

    @abc.abstractmethod
    def instructions(self, example: Command) -> str:
        """How to reply in this format, with ``example``, for a system prompt."""
