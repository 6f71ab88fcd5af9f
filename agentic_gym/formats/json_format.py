"""The ``json`` format, and the bounded JSON decoding every format that carries JSON uses.

``{"name": "go", "arguments": {"direction": "north"}}`` anywhere in the reply, fenced in a
code block or not; also ``{"action": "go north"}``, ``{"tool": ..., "tool_input": ...}`` and
``{"function": {"name": ..., "arguments": "<JSON string>"}}``. The last action object wins.

JSON is decoded only after a linear scan has bounded its nesting depth (``json`` recurses and
raises ``RecursionError`` on deep input), integers are limited in length and NaN and
Infinity are refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from agentic_gym.core import (
    Affordance,
    Command,
    InvalidAction,
    Reason,
    find_affordance,
    quote,
    sanitize,
)
from agentic_gym.core.command import MAX_COMMAND_CHARS, command_of
from agentic_gym.formats.base import Reply, ReplyFormat, Vocabulary, command_text

#: Deepest JSON nesting decoded (deeper objects are rejected before ``json`` sees them).
MAX_JSON_DEPTH = 32
#: Longest integer literal decoded from JSON (``int()`` of huge literals is slow or raises).
MAX_JSON_DIGITS = 100

# A JSON string (the unrolled-loop pattern: one way to match, so an unclosed string costs one
# linear pass and then matches as a lone quote) or a bracket.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]"]', re.DOTALL)


#: What :func:`object_end` returns for an object nested deeper than :data:`MAX_JSON_DEPTH`.
TOO_DEEP = -2


def object_end(text: str, start: int) -> int:
    """End (exclusive) of the JSON object starting at ``text[start] == "{"``.

    ``-1`` when it never closes, :data:`TOO_DEEP` as soon as its nesting passes
    :data:`MAX_JSON_DEPTH` (the scan stops there). A string is one token, so the scan
    visits only structural characters, and an unterminated string (the lone ``"`` token)
    ends it: nothing after it can close the object. Linear time, and no recursion.
    """
    depth = 0
    for match in _JSON_TOKEN.finditer(text, start):
        token = match.group()
        if token[0] == '"':
            if len(token) == 1:
                break
        elif token in "{[":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return TOO_DEEP
        else:
            depth -= 1
            if depth == 0:
                return match.end()
    return -1


#: Text shorter than this holds no complete JSON value deeper than :data:`MAX_JSON_DEPTH` (each
#: level takes two brackets), and the decoder's recursion on it is bounded by its length.
SHORT_JSON = 2 * MAX_JSON_DEPTH + 2


def shallow_enough(text: str, start: int = 0) -> bool:
    """True when no JSON value in ``text[start:]`` can nest deeper than :data:`MAX_JSON_DEPTH`.

    Short text (:data:`SHORT_JSON`) cannot; otherwise counting brackets is a bound on the
    depth that costs two fast passes, so the recursive decoder sees a typical reply at
    once. Anything with more brackets is measured by :func:`object_end` before it is decoded.
    """
    return len(text) - start < SHORT_JSON or text.count("{", start) + text.count("[", start) <= MAX_JSON_DEPTH


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
_scan_json = vars(_DECODER)["scan_once"]
_SCALARS = frozenset({str, int, float, bool, type(None)})


def decode_object(text: str) -> Any:
    """Decode ``text`` as exactly one JSON object or raise :class:`~agentic_gym.core.InvalidAction`."""
    stripped = text.strip()
    if not stripped.startswith("{"):
        raise InvalidAction("the arguments must be a JSON object such as {\"key\": \"value\"}.",
                            reason=Reason.UNREADABLE)
    # The depth is bounded before the (recursive) decoder runs: by counting brackets, or by
    # the structural scan, which also finds where the object ends.
    if shallow_enough(stripped):
        try:
            value, end = _scan_json(stripped, 0)
        except (ValueError, RecursionError, StopIteration):
            pass
        else:
            # A flat object that the decoder reads to the very end is what the checks below accept.
            if end == len(stripped) and type(value) is dict:
                for item in value.values():
                    if type(item) not in _SCALARS:
                        break
                else:
                    return value
    end = object_end(stripped, 0)
    if end == TOO_DEEP:
        raise InvalidAction(f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels.", reason=Reason.UNREADABLE)
    if end < 0:
        raise InvalidAction("the JSON object is not closed.", reason=Reason.UNREADABLE)
    if stripped[end:].strip():
        raise InvalidAction("unexpected text after the JSON object.", reason=Reason.UNREADABLE)
    try:
        return _DECODER.decode(stripped[:end])
    except (ValueError, RecursionError) as error:
        raise InvalidAction(f"could not read the JSON ({json_problem(error)}).", reason=Reason.UNREADABLE) from None


def json_problem(error: BaseException) -> str:
    """A decode error in a few words, for feedback."""
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at character {error.pos}"
    return sanitize(str(error), 80)


_NAME_KEYS = ("name", "action", "tool", "tool_name", "command")
_ARG_KEYS = ("arguments", "args", "parameters", "params", "action_input", "tool_input", "input")


def command_from_json(obj: Any, vocab: Vocabulary) -> Command | None:
    """The command an action-shaped JSON value names, ``None`` if it names none."""
    if type(obj) is not dict:  # JSON decodes objects to plain dicts
        if type(obj) is list and len(obj) == 1:
            return command_from_json(obj[0], vocab)
        return None
    affordances = vocab.affordances
    if len(obj) == 2 and "arguments" in obj:
        # {"name": ..., "arguments": {...}}, the usual object: what the general reading below gives.
        name, args = obj.get("name"), obj["arguments"]
        if type(name) is str:
            aff = vocab.names.get(name) if type(args) is dict else None
            return command_of(aff, args) if aff is not None else command_from_call(name, args, affordances)
    if type(obj.get("tool_calls")) is list:
        return command_from_tool_calls(obj["tool_calls"], affordances)
    if type(obj.get("function")) is dict:
        return command_from_json(obj["function"], vocab)
    for key in _NAME_KEYS:
        name = obj.get(key)
        if isinstance(name, str):
            break
    else:
        return None
    for key in _ARG_KEYS:
        if key in obj:
            return command_from_call(name, obj[key], affordances)
    # {"action": "go north"}: the value is a whole command (an alias may name it).
    return command_text(name, vocab)


def command_from_call(name: str, args: Any, affordances: tuple[Affordance, ...]) -> Command:
    """A command from a tool-call name and its arguments (an object, a JSON string, or null)."""
    aff = find_affordance(name, affordances)
    if isinstance(args, str):
        if not args.strip() and not aff.properties:
            args = {}
        else:
            if len(args) > MAX_COMMAND_CHARS:
                raise InvalidAction(f"{aff.name}: the arguments are {len(args)} characters; the limit is "
                                    f"{MAX_COMMAND_CHARS}.", affordance=aff.name, reason=Reason.TOO_LONG)
            try:
                args = decode_object(args)
            except InvalidAction as error:
                raise InvalidAction(f"{aff.name}: {error} Usage: {aff.usage()}", affordance=aff.name,
                                    reason=error.reason) from None
    return command_of(aff, args)


def tool_call_name(call: Any) -> Any:
    """The function name of one tool call, ``"?"`` when it has none."""
    function = call.get("function") if isinstance(call, Mapping) else None
    return function.get("name") if isinstance(function, Mapping) else "?"


def command_from_tool_calls(calls: Any, affordances: tuple[Affordance, ...]) -> Command:
    """The command of a ``tool_calls`` list holding exactly one function call."""
    if not isinstance(calls, list) or not calls:
        raise InvalidAction("tool_calls must be a non-empty list of function calls.", reason=Reason.UNREADABLE)
    if len(calls) > 1:
        names = ", ".join(quote(str(tool_call_name(c)), 20) for c in calls[:5])
        raise InvalidAction(f"Call one tool per turn; got {len(calls)} calls ({names}"
                            f"{', ...' if len(calls) > 5 else ''}).", reason=Reason.SEVERAL_ACTIONS)
    call = calls[0]
    function = call.get("function") if type(call) is dict or isinstance(call, Mapping) else None
    if not (type(function) is dict or isinstance(function, Mapping)) or not isinstance(function.get("name"), str):
        raise InvalidAction('A tool call needs {"type": "function", "function": {"name": ..., "arguments": ...}}.',
                            reason=Reason.UNREADABLE)
    return command_from_call(function["name"], function.get("arguments"), affordances)


# In JSON text ``<`` and ``>`` occur only inside strings, so escaping them there is exact.
_ESCAPES_JSON = str.maketrans({"<": "\\u003c", ">": "\\u003e"})


class JsonFormat(ReplyFormat):
    """The last action-shaped JSON object in the reply."""

    name = "json"
    marker = "{"

    def read(self, reply: Reply, vocab: Vocabulary) -> Command | None:
        text = reply.text
        start = text.find("{")
        if start < 0 and not reply.strict:
            return None
        problem = None
        found: Command | None = None
        error: InvalidAction | None = None
        # Bound the depth once for the whole reply (from its first brace) when its bracket count
        # allows; else per object.
        bounded = start < 0 or shallow_enough(text, start)
        while start >= 0:
            if not bounded:
                end = object_end(text, start)
                if end == TOO_DEEP:
                    # Where such an object ends is not worth finding: the reply is refused.
                    problem = f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels"
                    break
                if end < 0:
                    problem = problem or "a JSON object is not closed"
                    break
            # The C decoder reads a well-formed object and says where it ends. It stops at the
            # first error, inside the object's span, so every character is still read a
            # bounded number of times.
            try:
                value, end = _scan_json(text, start)
            except (ValueError, RecursionError, StopIteration) as exc:
                if isinstance(exc, StopIteration):
                    exc = json.JSONDecodeError("Expecting value", text, exc.value)
                end = object_end(text, start)
                if end == TOO_DEEP:
                    problem = f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels"
                    break
                if end < 0:
                    problem = problem or "a JSON object is not closed"
                    break
                start = text.find("{", end)
                problem = f"could not read the JSON ({json_problem(exc)})"
                continue
            try:
                command = command_from_json(value, vocab)
            except InvalidAction as exc:
                found, error = None, exc
            else:
                if command is not None:
                    found, error = command, None
            start = text.find("{", end)
        if found is not None:
            return found
        if error is not None:
            raise error
        if reply.strict or text.lstrip().startswith(("{", "[", "```")):
            detail = f": {problem}" if problem else ""
            raise InvalidAction(f'No action object found in the JSON{detail}. Write {{"name": "<command>", '
                                f'"arguments": {{...}}}}, e.g. {self.render(vocab.example)}. '
                                f"Valid commands: {vocab.usage}.", reason=Reason.NO_ACTION)
        return None

    def render(self, command: Command) -> str:
        return json.dumps({"name": command.name, "arguments": dict(command.args)}).translate(_ESCAPES_JSON)

    def instructions(self, example: Command) -> str:
        return f"Reply with one JSON object naming the action and its arguments, e.g. {self.render(example)}"


JSON = JsonFormat()
