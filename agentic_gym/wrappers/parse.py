"""Reading LLM replies as commands: :func:`parse_action`, :func:`render_action` and :class:`ParseAction`.

A reply is untrusted text (or an OpenAI-style assistant message dict). Parsing is
total and linear: every input gives a :class:`~agentic_gym.core.Command` or an
:class:`~agentic_gym.core.InvalidAction` whose message says what to do instead, in
time linear in the input. Nothing is evaluated; JSON is decoded only after a linear
scan has bounded its nesting depth, and every pattern is free of nested quantifiers.

Formats (``format=``):

* ``json``: ``{"name": "go", "arguments": {"direction": "north"}}`` anywhere in the
  reply, fenced in a code block or not; also ``{"action": "go north"}``,
  ``{"function": {"name": ..., "arguments": "<JSON string>"}}``. The last action
  object wins.
* ``xml``: ``<action>go north</action>`` or ``<tool_call>{...JSON...}</tool_call>``;
  the last tag wins and a missing closing tag at the end is tolerated (a stop sequence).
* ``react``: a line ``Action: go north``, or ``Action: go`` followed by
  ``Action Input: {"direction": "north"}`` (or a bare value); the last one wins.
* ``tool_call``: an assistant message dict with ``tool_calls`` (exactly one call).
* ``text``: the canonical command (the whole reply, its last line or its last
  inline code span), then a fuzzy match of free text against the commands that can
  be listed (argument-free ones, enum values, and the env's
  ``info["admissible_commands"]`` when :class:`ParseAction` has them): "I'll go north
  now" -> ``go north``, only when exactly one command matches (articles are ignored; a
  bare enum value counts only in a reply of a few words).
* ``auto``: a message dict with ``tool_calls`` is a tool call; otherwise the first of
  xml, react, json, text whose marker is present in the reply decides (an ``<action>``
  or ``<tool_call>`` tag; a line starting with ``Action:``; a JSON object naming an
  action; anything else). A reasoning block ending in ``</think>`` is dropped first.

Example:
    >>> from agentic_gym.core import Affordance, params, enum_param
    >>> go = Affordance("go", "Walk.", params(direction=enum_param("Where.", ["north", "south"])))
    >>> affs = (go, Affordance("look", "Look around."))
    >>> str(parse_action("Thought: the exit is north.\\nAction: go north", affs))
    'go north'
    >>> str(parse_action('{"name": "go", "arguments": {"direction": "south"}}', affs))
    'go south'
    >>> str(parse_action("I think I will look around first.", affs))
    'look'
    >>> parse_action("<action>fly</action>", affs)
    Traceback (most recent call last):
    ...
    agentic_gym.core.command.InvalidAction: Unknown command "fly". Valid commands: go <direction>, look.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from agentic_gym.core import (
    Affordance,
    Command,
    CommandSpace,
    InvalidAction,
    command_list,
    find_affordance,
    make_command,
    parse_command,
    quote,
    sanitize,
    text_space,
    validate_args,
)
from agentic_gym.core.command import MAX_COMMAND_CHARS, _adopt
from agentic_gym.core.spaces import sample_args

#: Longest reply read at all; longer replies are rejected before any scan.
MAX_REPLY_CHARS = 100_000
#: Deepest JSON nesting decoded (deeper objects are rejected before ``json`` sees them).
MAX_JSON_DEPTH = 32
#: Longest integer literal decoded from JSON (``int()`` of huge literals is slow or raises).
MAX_JSON_DIGITS = 100
#: Characters of free text the fuzzy matcher reads (the end of the reply, where the decision is).
MAX_FUZZY_CHARS = 4000
#: Replies of at most this many words may name just an enum value ("north" -> ``go north``).
SHORT_REPLY_WORDS = 6

FORMATS = ("auto", "json", "xml", "react", "tool_call", "text")
ON_INVALID = ("feedback", "penalty", "raise", "terminate")

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# A JSON string (the unrolled-loop pattern: one way to match, so an unclosed string costs one
# linear pass and then matches as a lone quote) or a bracket.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]"]', re.DOTALL)
# Markers are matched in any ASCII case (re.ASCII: no Unicode case folding), as on _lower's text,
# and only where a cheap str.find/rfind has located them, so the reply is never lower-cased whole.
_MARKUP = re.compile(r"<(?:/think>|(/?)(action|tool_call)[ \t]*>)", re.IGNORECASE | re.ASCII)
_REACT_INPUT = re.compile(r"[ \t>#*-]*action[ \t_]*input\**:", re.IGNORECASE | re.ASCII)
#: Colons read from the end in search of an ``Action:`` marker before one pass over the lower-cased reply.
MAX_COLON_PROBES = 8
#: ``<`` matched one by one before the rest of the reply is left to one regex pass.
MAX_TAG_PROBES = 8


def _casings(word: str) -> frozenset[str]:
    """Every ASCII upper/lower spelling of ``word``: ``s in _casings(w)`` iff ``_lower(s) == w``."""
    spellings = [""]
    for char in word:
        spellings = [s + c for s in spellings for c in dict.fromkeys((char, char.upper()))]
    return frozenset(spellings)


_ACTION = _casings("action")
_WORD = re.compile(r"[a-z0-9]+")
_LEADING_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")
_LINE_DECORATION = " \t`*\"'>-"


def _lower(text: str) -> str:
    """ASCII lower-casing that keeps every index (``str.lower`` may change the length)."""
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


# ---------------------------------------------------------------------------------------------
# Per-affordance-set tables, cached by identity (hashing affordances is not cheap).


class _Table:
    __slots__ = ("affordances", "names", "phrases", "values", "usage", "example", "_commands", "json_commands")

    def __init__(self, affordances: tuple[Affordance, ...]):
        self.affordances = affordances
        self.names = {a.name: a for a in affordances}
        # Fuzzy-matchable commands: (" phrase words ", command) for the full phrase and the bare value.
        self.phrases: list[tuple[str, Command]] = []
        self.values: list[tuple[str, Command]] = []
        for aff in affordances:
            name_words = " ".join(aff.name.split("_"))
            if not aff.required:
                self.phrases.append((f" {name_words} ", Command(aff.name, {})))
            key = aff.value_parameter
            if key is not None and len(aff.required) == 1 and "enum" in aff.properties[key]:
                for option in aff.properties[key]["enum"]:
                    words = " ".join(_WORD.findall(_lower(str(option))))
                    if not words:
                        continue
                    command = Command(aff.name, {key: option})
                    self.phrases.append((f" {name_words} {words} ", command))
                    self.values.append((f" {words} ", command))
        self.usage = command_list(affordances)
        self.example = str(example_command(affordances)) if affordances else ""
        self._commands: dict[str, Command] = {}
        self.json_commands: dict[str, Command] = {}

    def remember_json(self, span: str, command: Command) -> None:
        if len(span) <= 1024:
            if len(self.json_commands) >= 4096:
                self.json_commands.clear()
            self.json_commands[span] = command

    def command(self, text: str) -> Command:
        """``parse_command(text)``, remembering the commands read so far (agents repeat themselves).

        Commands are immutable values, so the remembered one is returned as it is.
        """
        command = self._commands.get(text)
        if command is None:
            command = parse_command(text, self.affordances)
            if len(self._commands) >= 4096:
                self._commands.clear()
            self._commands[text] = command
        return command


_TABLES: dict[int, _Table] = {}


def _table(affordances: Iterable[Affordance]) -> _Table:
    if not isinstance(affordances, tuple):
        affordances = tuple(affordances)
    table = _TABLES.get(id(affordances))
    if table is None or table.affordances is not affordances:
        if len(_TABLES) >= 256:
            _TABLES.clear()
        table = _Table(affordances)
        _TABLES[id(affordances)] = table
    return table


def example_command(affordances: Sequence[Affordance]) -> Command:
    """A deterministic example command: an env move with arguments if there is one, else the first move."""
    moves = [a for a in affordances if a.kind in ("move", "answer")] or list(affordances)
    chosen = next((a for a in moves if a.required), moves[0])
    args = sample_args(chosen, np.random.default_rng(0))
    return Command(chosen.name, {k: v for k, v in args.items() if k in chosen.required})


# ---------------------------------------------------------------------------------------------
# Bounded JSON.


def _object_end(text: str, start: int) -> tuple[int, bool]:
    """End (exclusive) of the JSON object starting at ``text[start] == "{"``, and if its depth is allowed.

    Returns ``(-1, ...)`` when it never closes. A string is one token, so the scan visits
    only structural characters, and an unterminated string (the lone ``"`` token) ends
    it: nothing after it can close the object. Linear time.
    """
    depth = 0
    deepest = 0
    for match in _JSON_TOKEN.finditer(text, start):
        token = match.group()
        if token[0] == '"':
            if len(token) == 1:
                break
        elif token in "{[":
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
            if depth == 0:
                return match.end(), deepest <= MAX_JSON_DEPTH
    return -1, deepest <= MAX_JSON_DEPTH


def _parse_int(literal: str) -> int:
    if len(literal) > MAX_JSON_DIGITS:
        raise ValueError("integer literal too long")
    return int(literal)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(parse_int=_parse_int, parse_constant=_reject_constant)
# The decoder's C scanner, called directly (``raw_decode`` minus a Python frame). Unlike
# ``raw_decode`` it raises StopIteration for a value that does not start where one must (even
# nested: ``{"a": }``); callers turn that into raw_decode's JSONDecodeError.
_scan_json = _DECODER.scan_once
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _decode_object(text: str) -> Any:
    """Decode ``text`` as exactly one JSON object or raise :class:`InvalidAction`."""
    stripped = text.strip()
    if not stripped.startswith("{"):
        raise InvalidAction("the arguments must be a JSON object such as {\"key\": \"value\"}.")
    # Fast path: a flat object that the C decoder reads to the very end is what the checks
    # below would accept (depth 1, nothing after it); anything else takes them.
    try:
        value, end = _scan_json(stripped, 0)
    except (ValueError, RecursionError, StopIteration):
        pass
    else:
        if end == len(stripped) and type(value) is dict:
            for item in value.values():
                if type(item) not in _SCALARS:
                    break
            else:
                return value
    end, shallow = _object_end(stripped, 0)
    if end < 0:
        raise InvalidAction("the JSON object is not closed.")
    if not shallow:
        raise InvalidAction(f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels.")
    if stripped[end:].strip():
        raise InvalidAction("unexpected text after the JSON object.")
    try:
        return _DECODER.decode(stripped[:end])
    except (ValueError, RecursionError) as error:
        raise InvalidAction(f"could not read the JSON ({_json_problem(error)}).") from None


def _json_problem(error: BaseException) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at character {error.pos}"
    return sanitize(str(error), 80)


_NAME_KEYS = ("name", "action", "tool", "tool_name", "command")
_ARG_KEYS = ("arguments", "args", "parameters", "params", "action_input", "tool_input", "input")


def _call_from_json(obj: Any, affordances: tuple[Affordance, ...]) -> Command | None:
    """The command an action-shaped JSON value names, ``None`` if it names none."""
    if type(obj) is list:
        if len(obj) == 1:
            return _call_from_json(obj[0], affordances)
        return None
    if type(obj) is not dict:  # JSON decodes objects to plain dicts
        return None
    if type(obj.get("tool_calls")) is list:
        return _call_from_tool_calls(obj["tool_calls"], affordances)
    if type(obj.get("function")) is dict:
        return _call_from_json(obj["function"], affordances)
    for key in _NAME_KEYS:
        name = obj.get(key)
        if isinstance(name, str):
            break
    else:
        return None
    for key in _ARG_KEYS:
        if key in obj:
            return _call(name, obj[key], affordances)
    # {"action": "go north"}: the value is a whole command.
    return parse_command(name, affordances)


def _call(name: str, args: Any, affordances: tuple[Affordance, ...]) -> Command:
    """A command from a tool-call name and its arguments (an object, a JSON string, or null)."""
    aff = find_affordance(name, affordances)
    if isinstance(args, str):
        if not args.strip() and not aff.properties:
            args = {}
        else:
            if len(args) > MAX_COMMAND_CHARS:
                raise InvalidAction(f"{aff.name}: the arguments are {len(args)} characters; the limit is "
                                    f"{MAX_COMMAND_CHARS}.")
            try:
                args = _decode_object(args)
            except InvalidAction as error:
                raise InvalidAction(f"{aff.name}: {error} Usage: {aff.usage()}") from None
    return _adopt(aff.name, validate_args(aff, args))


def _call_from_tool_calls(calls: Any, affordances: tuple[Affordance, ...]) -> Command:
    if not isinstance(calls, list) or not calls:
        raise InvalidAction("tool_calls must be a non-empty list of function calls.")
    if len(calls) > 1:
        names = ", ".join(quote(str(_tool_call_name(c)), 20) for c in calls[:5])
        raise InvalidAction(f"Call one tool per turn; got {len(calls)} calls ({names}"
                            f"{', ...' if len(calls) > 5 else ''}).")
    call = calls[0]
    function = call.get("function") if type(call) is dict or isinstance(call, Mapping) else None
    if not (type(function) is dict or isinstance(function, Mapping)) or not isinstance(function.get("name"), str):
        raise InvalidAction('A tool call needs {"type": "function", "function": {"name": ..., "arguments": ...}}.')
    return _call(function["name"], function.get("arguments"), affordances)


def _tool_call_command(calls: Any, table: _Table) -> Command:
    """:func:`_call_from_tool_calls`, remembering well-formed single calls by their text."""
    key = None
    if type(calls) is list and len(calls) == 1 and type(calls[0]) is dict:
        function = calls[0].get("function")
        if type(function) is dict and type(function.get("name")) is str and type(function.get("arguments")) is str:
            key = function["name"] + "\x00" + function["arguments"]
            command = table.json_commands.get(key)
            if command is not None:
                return command
    command = _call_from_tool_calls(calls, table.affordances)
    if key is not None:
        table.remember_json(key, command)
    return command


def _tool_call_name(call: Any) -> Any:
    function = call.get("function") if isinstance(call, Mapping) else None
    return function.get("name") if isinstance(function, Mapping) else "?"


# ---------------------------------------------------------------------------------------------
# The readers. Each returns None when its marker is absent, a Command, or raises InvalidAction.


def _read_json(text: str, table: _Table, required: bool) -> Command | None:
    """The last action-shaped JSON object in ``text``."""
    affordances = table.affordances
    problem = None
    found: Command | None = None
    error: InvalidAction | None = None
    pos = 0
    while True:
        start = text.find("{", pos)
        if start < 0:
            break
        # Fast path: the C decoder reads a well-formed object and says where it ends. It stops
        # at the first error, inside the span the structural scan below would skip, so every
        # character is still read a bounded number of times.
        try:
            value, end = _scan_json(text, start)
        except (ValueError, RecursionError, StopIteration) as exc:
            if isinstance(exc, StopIteration):
                exc = json.JSONDecodeError("Expecting value", text, exc.value)
            end, shallow = _object_end(text, start)
            if end < 0:
                problem = problem or "a JSON object is not closed"
                break
            pos = end
            problem = (f"could not read the JSON ({_json_problem(exc)})" if shallow
                       else f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels")
            continue
        pos = end
        span = text[start:end]
        command = table.json_commands.get(span)
        if command is not None:
            found, error = command, None
            continue
        try:
            command = _call_from_json(value, affordances)
        except InvalidAction as exc:
            found, error = None, exc
            continue
        if command is not None:
            found, error = command, None
            table.remember_json(span, command)
    if found is not None:
        return found
    if error is not None:
        raise error
    if required or text.lstrip().startswith(("{", "[", "```")):
        detail = f": {problem}" if problem else ""
        raise InvalidAction(f'No action object found in the JSON{detail}. Write {{"name": "<command>", '
                            f'"arguments": {{...}}}}, e.g. {render_action(_example(table), "json")}.')
    return None


def _markup(text: str) -> Iterator[re.Match[str]]:
    """The ``</think>``, ``<action>`` and ``<tool_call>`` tags of ``text`` (opening or closing), in order.

    The first few ``<`` are found with memchr-fast ``find`` and matched where they are; a
    reply with more ``<`` than that is left to one ``finditer`` pass, which skips other
    ``<`` in C (and is not held in memory). Tags never overlap, so both give the same matches.
    """
    found = []
    probes = MAX_TAG_PROBES
    pos = text.find("<")
    while pos >= 0:
        if not probes:
            return chain(found, _MARKUP.finditer(text, pos))
        match = _MARKUP.match(text, pos)
        if match is not None:
            found.append(match)
        probes -= 1
        pos = text.find("<", pos + 1)
    return iter(found)


def _scan_tags(text: str) -> tuple[int, tuple[str, int, int] | None]:
    """One pass over the ``<`` of ``text``: the end of its last ``</think>`` (0 if none) and the last
    ``<action>`` or ``<tool_call>`` tag after it, as ``(name, content start, content end)`` (the
    content runs to the end of the text when the tag is not closed), or ``None``.

    Tags are matched only where a ``<`` is (a memchr-fast find) and never overlap.
    """
    think_end = 0
    name = None
    open_end = close_start = -1
    for match in _markup(text):
        closing, tag = match.groups()
        if tag is None:
            # A </think>: what the reasoning block said is dropped, tags included.
            think_end, name, open_end, close_start = match.end(), None, -1, -1
        elif not closing:
            name, open_end, close_start = tag.lower(), match.end(), -1
        elif tag.lower() == name:
            close_start = match.start()
    if name is None:
        return think_end, None
    return think_end, (name, open_end, close_start if close_start >= 0 else len(text))


def _read_xml(name: str, content: str, table: _Table) -> Command:
    """The command in the content of an ``<action>`` or ``<tool_call>`` tag called ``name``."""
    content = content.strip()
    if not content:
        raise InvalidAction(f"The <{name}> tag is empty. Write e.g. "
                            f"{render_action(_example(table), 'xml')}.")
    if content.startswith("{"):
        command = _call_from_json(_decode_object(content), table.affordances)
        if command is None:
            raise InvalidAction('The JSON in the tag names no action; write {"name": ..., "arguments": {...}}.')
        return command
    return _command_text(content, table)


def _line_start_ok(text: str, index: int) -> bool:
    """True if only a little decoration (spaces, ``>``, ``#``, ``*``, ``-``) precedes ``index`` on its line.

    The walk back is capped, so checking every occurrence of a word stays linear overall.
    """
    pos = index - 1
    while pos >= 0 and index - pos <= 16:
        char = text[pos]
        if char == "\n":
            return True
        if char not in " \t>#*-":
            return False
        pos -= 1
    return pos < 0


def _react_marker(text: str) -> int:
    """Index of the colon of the last ``Action:`` marker (``action``, any stars, ``:`` at a line start), or -1.

    Every marker ends in a colon, so the last few colons are read first (a typical reply
    ends with its marker); a reply with more colons than that (JSON, hostile text) is
    lower-cased once and searched for ``action`` instead. Both find the same marker.
    """
    probes = MAX_COLON_PROBES
    colon = text.rfind(":")
    while colon >= 0:
        # One character turns most colons (JSON's, after a quote) away: a marker's colon
        # follows the "n" of "action" or a star.
        if text[colon - 1] in "nN*":
            index = colon
            while index > 0 and text[index - 1] == "*":  # each run of stars precedes one colon: linear
                index -= 1
            if index >= 6 and text[index - 6:index] in _ACTION:
                index -= 6
                if index == 0 or text[index - 1] == "\n" or _line_start_ok(text, index):
                    return colon
        probes -= 1
        if not probes:
            break
        colon = text.rfind(":", 0, colon)
    else:
        return -1
    # No marker ends at or after `colon`: search before it.
    lowered = _lower(text)
    index = colon
    while True:
        index = lowered.rfind("action", 0, index)
        if index < 0:
            return -1
        after = index + 6
        while after < len(lowered) and lowered[after] == "*":
            after += 1
        if after < len(lowered) and lowered[after] == ":" and _line_start_ok(lowered, index):
            return after


def _read_react(text: str, table: _Table) -> Command | None:
    after = _react_marker(text)
    if after < 0:
        return None
    line_end = text.find("\n", after)
    line_end = len(text) if line_end < 0 else line_end
    action = text[after + 1:line_end].strip(_LINE_DECORATION)
    if not action:
        raise InvalidAction(f"The Action line is empty. Write e.g. {render_action(_example(table), 'react')}.")
    # An "Action Input:" on one of the next non-empty lines carries the arguments.
    pos = line_end + 1
    while pos < len(text):
        next_end = text.find("\n", pos)
        next_end = len(text) if next_end < 0 else next_end
        if text[pos:next_end].strip():
            break
        pos = next_end + 1
    marker = _REACT_INPUT.match(text, pos) if pos < len(text) else None
    if marker is None:
        return _command_text(action, table)
    aff = find_affordance(action, table.affordances)
    rest = text[marker.end():].lstrip()
    if rest.startswith("{"):
        end, _ = _object_end(rest, 0)
        blob = rest if end < 0 else rest[:end]
        return _call(aff.name, blob, table.affordances)
    value_end = rest.find("\n")
    value = (rest if value_end < 0 else rest[:value_end]).strip(_LINE_DECORATION)
    key = aff.value_parameter
    if key is None:
        raise InvalidAction(f'{aff.name}: write the Action Input as a JSON object, e.g. {{"key": "value"}}. '
                            f"Usage: {aff.usage()}")
    return make_command(aff.name, {key: value}, table.affordances)


def _leading_name(text: str) -> str:
    match = _LEADING_NAME.match(text)
    return match.group().lower() if match else ""


def _read_text(text: str, table: _Table, listed: Sequence[str] = ()) -> Command:
    """The whole reply, its last line or its last inline code span as a command; else a fuzzy match.

    A candidate that starts with a command name but does not parse ("go north quickly")
    leaves the decision to the fuzzy match; if that finds nothing, the candidate's own
    error is reported, being the most specific.
    """
    stripped = text.strip()
    if not stripped:
        raise InvalidAction(f"Empty reply. Reply with one action, e.g. {table.example}. "
                            f"Valid commands: {table.usage}.")
    first_error: InvalidAction | None = None
    candidates = [stripped]
    last_line = stripped[stripped.rfind("\n") + 1:].strip(_LINE_DECORATION)
    if last_line != stripped:
        candidates.append(last_line)
    close = stripped.rfind("`")
    if close > 0:
        opening = stripped.rfind("`", 0, close)
        if opening >= 0:
            candidates.append(stripped[opening + 1:close].strip())
    for candidate in candidates:
        if not candidate or len(candidate) > MAX_COMMAND_CHARS or _leading_name(candidate) not in table.names:
            continue
        try:
            return _command_text(candidate, table)
        except InvalidAction as error:
            first_error = first_error or error
    try:
        return _fuzzy(_lower(stripped[-MAX_FUZZY_CHARS:]), table, listed)
    except InvalidAction:
        if first_error is not None:
            raise first_error from None
        raise


def _command_text(text: str, table: _Table) -> Command:
    """``text`` as a command, forgiving a final full stop and ``[...]`` brackets around it."""
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1].strip()
    try:
        return table.command(text)
    except InvalidAction:
        trimmed = text.rstrip(".!")
        if trimmed == text or not trimmed:
            raise
        try:
            return table.command(trimmed)
        except InvalidAction:
            pass
        raise


_ARTICLES = frozenset({"the", "a", "an"})
#: Most listed commands (e.g. ``info["admissible_commands"]``) the fuzzy match reads.
MAX_CANDIDATES = 256


def _phrase(text: str) -> str:
    """`` word word `` without articles: the form the fuzzy match compares."""
    return " " + " ".join(w for w in _WORD.findall(_lower(text)) if w not in _ARTICLES) + " "


def _fuzzy(lowered: str, table: _Table, listed: Sequence[str] = ()) -> Command:
    words = [w for w in _WORD.findall(lowered) if w not in _ARTICLES]
    joined = " " + " ".join(words) + " "
    matches = [(phrase, command) for phrase, command in table.phrases if phrase in joined]
    for text in listed[:MAX_CANDIDATES]:
        if isinstance(text, str) and len(text) <= 200:
            phrase = _phrase(text)
            if phrase.strip() and phrase in joined:
                try:
                    matches.append((phrase, table.command(text)))
                except InvalidAction:
                    continue
    # Keep the longest reading: "go north" beats a bare "go" inside it.
    matches = [(p, c) for p, c in matches if not any(p != q and p in q for q, _ in matches)]
    if not matches and len(words) <= SHORT_REPLY_WORDS:
        matches = [(p, c) for p, c in table.values if p in joined]
    commands = list(dict.fromkeys(str(c) for _, c in matches))
    if len(commands) == 1:
        return matches[0][1]
    if len(commands) > 1:
        shown = ", ".join(commands[:5])
        raise InvalidAction(f"Your reply names several actions ({shown}); reply with exactly one, "
                            f"e.g. {commands[0]}.")
    raise InvalidAction(f"No action found in your reply. Reply with one action, e.g. {table.example}. "
                        f"Valid commands: {table.usage}.")


def _example(table: _Table) -> Command:
    return example_command(table.affordances)


# ---------------------------------------------------------------------------------------------
# Public functions.


def _message_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text") for p in content if isinstance(p, Mapping) and p.get("type") == "text"]
        if all(isinstance(p, str) for p in parts) and sum(map(len, parts)) <= MAX_REPLY_CHARS:
            return "\n".join(parts)
        raise InvalidAction(f"The reply is longer than {MAX_REPLY_CHARS} characters.")
    raise InvalidAction("The message content must be text.")


def as_reply(output: Any) -> Any:
    """A reply as ``str`` or ``dict``: message objects of OpenAI-style clients become their dict."""
    if type(output) is str or type(output) is dict or isinstance(output, Mapping):
        return output
    dump = getattr(output, "model_dump", None)
    if callable(dump):
        try:
            return dump(exclude_none=True)
        except Exception:  # an object that only looks like a message: parse it as what it is
            return output
    return output


def parse_action(output: Any, affordances: Iterable[Affordance], format: str = "auto", *,
                 commands: Sequence[str] = ()) -> Command:
    """Read one command from an LLM reply (a ``str``, an assistant message dict or message object).

    ``commands`` (e.g. an env's ``info["admissible_commands"]``) are further candidates for
    the fuzzy match of free text: "I'll take the red apple" -> ``take red apple``.
    Raises :class:`~agentic_gym.core.InvalidAction` with a message an LLM can act on
    when the reply holds no valid action. Total and linear in the size of the input.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {format!r}")
    table = _table(affordances)
    if not table.affordances:
        raise InvalidAction("There is no action to take.")
    if type(output) is not str:
        output = as_reply(output)
    if type(output) is dict or (type(output) is not str and isinstance(output, Mapping)):
        role = output.get("role", "assistant")
        if role != "assistant":
            raise InvalidAction(f"Expected an assistant message, got role {quote(str(role), 20)}.")
        calls = output.get("tool_calls")
        if calls:
            if format not in ("auto", "tool_call"):
                raise InvalidAction(f"Expected a {format} reply in the message text, got a tool call.")
            return _tool_call_command(calls, table)
        if format == "tool_call":
            raise InvalidAction(f"Call one of the provided tools (function calling), e.g. {table.example}.")
        output = _message_text(output.get("content"))
    if format == "tool_call" and isinstance(output, str):
        # A tool call serialised as JSON text.
        format = "json"
    if not isinstance(output, str):
        raise InvalidAction(f"A reply must be text or an assistant message, got {type(output).__name__}.")
    if len(output) > MAX_REPLY_CHARS:
        raise InvalidAction(f"The reply is {len(output)} characters; the limit is {MAX_REPLY_CHARS}. "
                            f"Reply with one action, e.g. {table.example}.")
    # Single-character checks (memchr-fast) decide which scans run at all.
    tag = None
    if "<" in output:
        think_end, tag = _scan_tags(output)
        if tag is not None:
            tag_name, tag_content = tag[0], output[tag[1]:tag[2]]
        if think_end:
            output = output[think_end:]
    if format != "auto":
        if format == "json":
            return _read_json(output, table, required=True)  # type: ignore[return-value]
        if format == "xml":
            if tag is None:
                raise InvalidAction(f"No <action> tag found. Write e.g. {render_action(_example(table), 'xml')}.")
            return _read_xml(tag_name, tag_content, table)
        if format == "react":
            command = _read_react(output, table) if ":" in output else None
            if command is None:
                raise InvalidAction(f"No 'Action:' line found. Write e.g. "
                                    f"{render_action(_example(table), 'react')}.")
            return command
        return _read_text(output, table, commands)
    if tag is not None:
        return _read_xml(tag_name, tag_content, table)
    if ":" in output:
        command = _read_react(output, table)
        if command is not None:
            return command
    if "{" in output:
        command = _read_json(output, table, required=False)
        if command is not None:
            return command
    return _read_text(output, table, commands)


_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "{": "\\u007b", "}": "\\u007d"})


def _safe_text(command: Command) -> str:
    """The canonical text, or its call form with ``< > { }`` escaped inside JSON strings.

    The escaped form reads back to the same command in every format, and no marker of
    another format can appear in it. A short form ending in a character that readers strip
    as line decoration (``take 0*``) also takes the call form, which ends in ``)``.
    """
    text = str(command)
    if text[-1] not in _LINE_DECORATION and not any(c in text for c in "<>{}"):
        return text
    inner = ", ".join(f"{k}={json.dumps(v, ensure_ascii=True).translate(_ESCAPES)}" for k, v in command.args.items())
    return f"{command.name}({inner})"


def render_action(command: Command, format: str = "text") -> str | dict[str, Any]:
    """``command`` written the way a model would write it in ``format`` (``auto`` means ``text``).

    ``parse_action(render_action(c, f), affordances) == c`` for every valid ``c`` and format.

    Example:
        >>> render_action(Command("go", {"direction": "north"}), "xml")
        '<action>go north</action>'
        >>> render_action(Command("go", {"direction": "north"}), "json")
        '{"name": "go", "arguments": {"direction": "north"}}'
    """
    if format in ("text", "auto"):
        return _safe_text(command)
    if format == "xml":
        return f"<action>{_safe_text(command)}</action>"
    if format == "react":
        return f"Thought: I choose my next step.\nAction: {_safe_text(command)}"
    if format == "json":
        return json.dumps({"name": command.name, "arguments": dict(command.args)}).translate(_ESCAPES_JSON)
    if format == "tool_call":
        return {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "call_0", "type": "function",
                            "function": {"name": command.name, "arguments": json.dumps(dict(command.args))}}],
        }
    raise ValueError(f"format must be one of {FORMATS}, got {format!r}")


# In JSON text ``<`` and ``>`` occur only inside strings, so escaping them there is exact.
_ESCAPES_JSON = str.maketrans({"<": "\\u003c", ">": "\\u003e"})


def format_instructions(format: str, affordances: Sequence[Affordance]) -> str:
    """How to reply in ``format``, with one example, for a system prompt."""
    example = example_command(affordances)
    if format == "json":
        return f"Reply with one JSON object naming the action and its arguments, e.g. {render_action(example, 'json')}"
    if format == "xml":
        return f"Write your action inside an <action> tag, e.g. {render_action(example, 'xml')}"
    if format == "tool_call":
        return f"Call exactly one of the provided tools (function calling) per turn, e.g. {example.name}."
    if format == "text":
        return f"Reply with the command only, e.g. {render_action(example, 'text')}"
    if format == "react":
        return f"Think step by step, then end your reply with one line 'Action: <command>', e.g. Action: {example}"
    return (f"Think if you need to, then end your reply with one line 'Action: <command>', e.g. "
            f"Action: {example}. You may also call a tool (function calling).")


# ---------------------------------------------------------------------------------------------
# The wrapper.


def native_action(command: Command, action_space: spaces.Space, affordances: Sequence[Affordance]) -> Any:
    """``command`` as the inner env's action: its index for ``Discrete``, its canonical text otherwise."""
    if isinstance(action_space, spaces.Discrete):
        for index, aff in enumerate(affordances):
            if aff.name == command.name:
                if command.args:
                    raise InvalidAction(f"{aff.name} takes no arguments here.")
                return int(action_space.start) + index
        raise InvalidAction(f"Unknown command {quote(command.name)}.")
    return str(command)


_IMMUTABLE = frozenset({str, int, float, bool, type(None)})


def fresh(value: Any) -> Any:
    """A copy of observation or info data that shares no mutable object with ``value``."""
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) in _IMMUTABLE else fresh(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _IMMUTABLE else fresh(v) for v in value]
    if kind is np.ndarray:
        return value.copy()
    if isinstance(value, dict):
        return {k: fresh(v) for k, v in value.items()}
    return value


def text_limit(observation_space: spaces.Space) -> int:
    """``max_length`` of the observation's ``"text"`` space (the wrappers extend it)."""
    if isinstance(observation_space, spaces.Dict) and isinstance(observation_space.spaces.get("text"), spaces.Text):
        return observation_space["text"].max_length
    raise TypeError("the language layer needs a Dict observation space with a 'text' Text space")


def with_text(observation_space: spaces.Dict, max_length: int) -> spaces.Dict:
    """``observation_space`` with its ``"text"`` space widened to ``max_length``."""
    return spaces.Dict({**observation_space.spaces, "text": text_space(max_length)})


#: Characters of feedback a ParseAction puts before the repeated observation.
MAX_FEEDBACK_CHARS = 2000


class ParseAction(gym.Wrapper):
    """Take raw LLM replies as actions: parse them to commands, then to the env's native action.

    A reply that holds no valid action is handled as ``on_invalid`` says:

    * ``feedback`` (default): the env does not step (so its time limit does not
      advance); the observation repeats the last one with a note of what was wrong
      and what is valid in front of its text; reward 0. After ``max_invalid`` invalid
      replies in a row the episode is truncated (``success`` stays False).
    * ``penalty``: as ``feedback`` with reward ``-invalid_penalty``.
    * ``raise``: :class:`~agentic_gym.core.InvalidAction` propagates.
    * ``terminate``: the episode ends (``terminated=True``, reward 0).

    Every step's ``info`` has ``action_valid``, ``parsed_action`` (canonical command
    text or ``None``) and ``parse_error`` (``None`` or the message).

    Example:
        >>> import gymnasium as gym
        >>> import agentic_gym
        >>> env = ParseAction(gym.make("agentic_gym/GridKeyDoor-6x6-v0"))
        >>> _ = env.reset(seed=0)
        >>> obs, reward, terminated, truncated, info = env.step("Thought: a wall ahead.\\nAction: left")
        >>> info["parsed_action"], info["action_valid"]
        ('left', True)
        >>> obs, reward, terminated, truncated, info = env.step("no idea")
        >>> info["action_valid"], info["parse_error"][:22]
        (False, 'No action found in you')
    """

    def __init__(self, env: gym.Env, format: str = "auto", on_invalid: str = "feedback", max_invalid: int = 3,
                 invalid_penalty: float = 0.0):
        super().__init__(env)
        if format not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, got {format!r}")
        if on_invalid not in ON_INVALID:
            raise ValueError(f"on_invalid must be one of {ON_INVALID}, got {on_invalid!r}")
        if max_invalid < 1:
            raise ValueError("max_invalid must be at least 1")
        self.format = format
        self.on_invalid = on_invalid
        self.max_invalid = max_invalid
        self.invalid_penalty = float(invalid_penalty)
        self.affordances: tuple[Affordance, ...] = tuple(env.get_wrapper_attr("affordances"))
        # Any reply up to the parser's limit is a legal action; samples are valid commands.
        self.action_space = CommandSpace(self.affordances, max_length=MAX_REPLY_CHARS)
        self._text_limit = text_limit(env.observation_space) + MAX_FEEDBACK_CHARS
        self.observation_space = with_text(env.observation_space, self._text_limit)
        self._last: tuple[dict[str, Any], dict[str, Any]] | None = None
        self._invalid_streak = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        obs, info = self.env.reset(seed=seed, options=options)
        self._last = (obs, info)
        self._invalid_streak = 0
        return fresh(obs), fresh(info)

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        if self._last is None:
            raise gym.error.ResetNeeded("Call reset before step.")
        try:
            # The env's listed commands, if it lists them, help to read free text.
            listed = self._last[1].get("admissible_commands")
            command = parse_action(action, self.affordances, self.format,
                                   commands=listed if isinstance(listed, (list, tuple)) else ())
            native = native_action(command, self.env.action_space, self.affordances)
        except InvalidAction as error:
            return self._invalid(error)
        self._invalid_streak = 0
        obs, reward, terminated, truncated, info = self.env.step(native)
        self._last = (obs, info)
        info = fresh(info)
        info.setdefault("action_valid", True)
        info["parsed_action"] = native if type(native) is str else str(command)
        info["parse_error"] = None
        return fresh(obs), reward, terminated, truncated, info

    def _invalid(self, error: InvalidAction) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        if self.on_invalid == "raise":
            raise error
        self._invalid_streak += 1
        last_obs, last_info = self._last  # type: ignore[misc]
        message = sanitize(str(error), MAX_FEEDBACK_CHARS - 200)
        if "Valid commands" not in message:
            message += f" Valid commands: {command_list(self.affordances)}."
        feedback = sanitize(f"Your reply was not a valid action: {message}", MAX_FEEDBACK_CHARS - 2)
        obs = fresh(last_obs)
        obs["text"] = sanitize(f"{feedback}\n\n{last_obs['text']}", self._text_limit)
        info = fresh(last_info)
        info.update(action_valid=False, parsed_action=None, parse_error=message)
        info["success"] = False
        terminated = self.on_invalid == "terminate"
        truncated = not terminated and self._invalid_streak >= self.max_invalid
        reward = -self.invalid_penalty if self.on_invalid == "penalty" else 0.0
        return obs, reward, terminated, truncated, info
