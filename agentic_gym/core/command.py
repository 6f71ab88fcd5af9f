"""Commands: the one text form of an action, and the strict parser that reads it back.

The canonical text of a :class:`Command` depends on its ``args`` alone:

* no args: ``name`` (``look``)
* exactly one arg whose value is a non-empty single-line string without
  surrounding whitespace: ``name value`` (``take red key``, ``go north``)
* otherwise ``name(key=<JSON>, ...)`` in argument order, no space before ``(``
  (``flights(origin="Oslo", destination="Rome", day=3)``)

Example:
    >>> from agentic_gym.core.affordance import Affordance, params, enum_param
    >>> go = Affordance("go", "Walk.", params(direction=enum_param("Where.", ["north", "south"])))
    >>> cmd = parse_command("go North", [go])
    >>> cmd
    Command(name='go', args={'direction': 'north'})
    >>> str(cmd)
    'go north'
    >>> parse_command('go(direction="south")', [go]) == Command("go", {"direction": "south"})
    True
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Any

from agentic_gym.core.affordance import Affordance, _Check
from agentic_gym.core.text import quote

#: Longest command text :func:`parse_command` reads; longer input is rejected before any scan.
MAX_COMMAND_CHARS = 8192

_NAME_AT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEY_AT = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*")
_BARE_AT = re.compile(r"[A-Za-z0-9_.+\-]+")
_SPACE_AT = re.compile(r"\s*")
_DECODER = json.JSONDecoder()
_FREE, _LIMITED, _ENUM, _INTEGER, _NUMBER, _BOOLEAN = (_Check.FREE, _Check.LIMITED, _Check.ENUM, _Check.INTEGER,
                                                       _Check.NUMBER, _Check.BOOLEAN)


class Reason(str, Enum):
    """Why an action was refused: :attr:`InvalidAction.reason`, for code that must tell cases apart.

    The messages of :data:`LISTING_REASONS` end with the valid commands (the agent named
    none it can use), so feedback does not list them twice.
    """

    #: Not text, not a ``Command``, not a message dict: a value of the wrong type.
    WRONG_TYPE = "wrong_type"
    #: Nothing to read (an empty reply, command, tag or ``Action:`` line).
    EMPTY = "empty"
    #: Longer than the reader's limit.
    TOO_LONG = "too_long"
    #: No command could be read (no name, bad syntax, undecodable JSON).
    UNREADABLE = "unreadable"
    #: The reply holds no action (none in the expected format, no command name in the text).
    NO_ACTION = "no_action"
    #: The reply names several actions.
    SEVERAL_ACTIONS = "several_actions"
    #: The name is not one of the affordances.
    UNKNOWN_COMMAND = "unknown_command"
    #: An argument the affordance does not have.
    UNKNOWN_ARGUMENT = "unknown_argument"
    #: A required argument is missing (or empty).
    MISSING_ARGUMENT = "missing_argument"
    #: An argument of the wrong type, out of range, too long, or not one of its enum values.
    BAD_VALUE = "bad_value"
    #: The command is well formed but cannot be carried out now (the env or a tool refuses it).
    REFUSED = "refused"


#: Reasons whose messages already name the valid commands.
LISTING_REASONS: frozenset[Reason] = frozenset({Reason.EMPTY, Reason.NO_ACTION, Reason.UNKNOWN_COMMAND})


class InvalidAction(ValueError):
    """An action that cannot be carried out; the message tells an agent what to do instead.

    Code reads the structured fields, never the message: ``affordance`` (the name of the
    affordance the action was read as, if it got that far), ``argument`` (the argument at
    fault, if one is) and ``reason`` (a :class:`Reason`).

    Example:
        >>> error = InvalidAction("go: argument 'direction' is missing.", affordance="go",
        ...                       argument="direction", reason=Reason.MISSING_ARGUMENT)
        >>> error.affordance, error.argument, error.reason == "missing_argument"
        ('go', 'direction', True)
    """

    def __init__(self, message: str, *, affordance: str | None = None, argument: str | None = None,
                 reason: Reason = Reason.UNREADABLE) -> None:
        super().__init__(message)
        self.message = message
        self.affordance = affordance
        self.argument = argument
        self.reason = reason

    def __reduce__(self) -> Any:
        # Keyword fields survive pickling (an exception pickles its positional args only).
        return (_rebuild_invalid_action, (self.message, self.affordance, self.argument, self.reason))


def _rebuild_invalid_action(message: str, affordance: str | None, argument: str | None,
                            reason: Reason) -> InvalidAction:
    return InvalidAction(message, affordance=affordance, argument=argument, reason=reason)


#: The default ``args`` of a :class:`Command` (read-only; every command gets its own dict).
_NO_ARGS: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, init=False, slots=True)
class Command:
    """A parsed action: an affordance name and its arguments (JSON scalars).

    A command is a value: it is what crosses the layers once a reply has been read. Its
    ``args`` dict is its own copy; treat it as read-only.
    """

    name: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, name: str, args: Mapping[str, Any] = _NO_ARGS) -> None:
        _set_name(self, name)
        _set_args(self, dict(args))

    def __hash__(self) -> int:
        return hash((self.name, json.dumps(self.args, sort_keys=True)))

    def __str__(self) -> str:
        args = self.args
        if not args:
            return self.name
        if len(args) == 1:
            (value,) = args.values()
            # Only plain single-line ASCII goes bare (printable ASCII is CHARSET without "\n");
            # anything else is JSON-escaped in the call form, so a command's text always lies in CHARSET.
            if isinstance(value, str) and value and value.isascii() and value.isprintable() and value == value.strip():
                return f"{self.name} {value}"
        inner = ", ".join(f"{k}={_json_scalar(v)}" for k, v in args.items())
        return f"{self.name}({inner})"


_encode_string = json.encoder.encode_basestring_ascii  # what json.dumps uses for a str, in C


def _json_scalar(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=True)`` for a command argument, without its dispatch for the usual types."""
    kind = type(value)
    if kind is str:
        return _encode_string(value)
    if kind is int:
        return int.__repr__(value)
    if kind is bool:
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=True)


_new_object = object.__new__
# The slots' own setters: what object.__setattr__ does for a frozen dataclass, minus the lookup.
_set_name = vars(Command)["name"].__set__
_set_args = vars(Command)["args"].__set__


def _adopt(name: str, args: dict[str, Any]) -> Command:
    """``Command(name, args)`` without the copy, for an ``args`` dict made for it and held by no one else."""
    command = _new_object(Command)
    _set_name(command, name)
    _set_args(command, args)
    return command


def action_text(action: Any) -> str:
    """How an action reads in a transcript or an echo: text as it is, a command as its canonical text.

    For display only (clip and sanitise it before showing it); never parse the result.
    """
    if isinstance(action, str):
        return action
    if type(action) is Command:
        return str(action)
    return f"<{type(action).__name__}>"


def command_list(affordances: Iterable[Affordance]) -> str:
    """``go <direction>, take <object>, ...``: the valid forms, for error messages."""
    return ", ".join(a.usage() for a in affordances)


#: Per affordance tuple: ``(the tuple, {name: affordance}, {name: short-form reader})``.
_INDEXES: dict[int, tuple[tuple[Affordance, ...], dict[str, Affordance], dict[str, tuple[Any, ...]]]] = {}


def _index_entry(affordances: tuple[Affordance, ...]) -> tuple[tuple[Affordance, ...], dict[str, Affordance],
                                                            dict[str, tuple[Any, ...]]]:
    # Envs pass the same affordance tuple on every step: index it once, keyed by identity
    # (the entry holds the tuple, so its id cannot be reused while cached).
    entry = _INDEXES.get(id(affordances))
    if entry is not None and entry[0] is affordances:
        return entry
    if len(_INDEXES) >= 256:
        _INDEXES.clear()
    table = {aff.name: aff for aff in reversed(affordances)}
    # How parse_command reads `name` and `name value` for each affordance: (affordance, whether
    # `name` alone is valid, value parameter, then the check, limit and minLength with which
    # validate_args would accept a string value as it is, or a None check).
    shorts: dict[str, tuple[Any, ...]] = {}
    for aff in table.values():
        key = aff._value_parameter
        spec = next(((check, limit, low) for k, _, check, limit, low, _ in aff._checks
                     if k == key and check in (_FREE, _LIMITED, _ENUM)), (None, None, None))
        shorts[aff.name] = (aff, not aff._required, key, *spec)
    entry = (affordances, table, shorts)
    _INDEXES[id(affordances)] = entry
    return entry


def _index(affordances: tuple[Affordance, ...]) -> dict[str, Affordance]:
    """The affordances of ``affordances`` by name (the first of a name wins)."""
    return _index_entry(affordances)[1]


def find_affordance(name: str, affordances: Iterable[Affordance]) -> Affordance:
    """The affordance called ``name`` (case-insensitive), or :class:`InvalidAction`."""
    if type(affordances) is not tuple:
        affordances = tuple(affordances)
    table = _index(affordances)
    aff = table.get(name) or table.get(name.lower())
    if aff is None:
        raise InvalidAction(f"Unknown command {quote(name)}. Valid commands: {command_list(affordances)}.",
                            reason=Reason.UNKNOWN_COMMAND)
    return aff


def _coerce(aff: Affordance, key: str, value: Any) -> Any:
    prop = aff.properties[key]
    kind = prop["type"]
    if (kind == "string" and type(value) is str and "enum" not in prop and "maxLength" not in prop
            and "minLength" not in prop):
        return value  # the common case: a free string
    if kind == "string":
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise _bad_value(aff, key, f"must be a string, got {_type_name(value)}.")
        if not isinstance(value, str):
            value = json.dumps(value)
        if "enum" in prop:
            wanted = value.strip().lower()
            for option in prop["enum"]:
                if option.lower() == wanted:
                    return option
            raise _bad_value(aff, key, f"must be one of {', '.join(prop['enum'])}; got {quote(value)}.")
        if "maxLength" in prop and len(value) > prop["maxLength"]:
            raise _bad_value(aff, key, f"is {len(value)} characters; the limit is {prop['maxLength']}.")
        shortest = prop.get("minLength", 0)
        if shortest and (len(value) < shortest or value.isspace()):
            if not value.strip():
                raise InvalidAction(f"{aff.name}: argument {key!r} is empty; write what it should be. "
                                    f"Usage: {aff.usage()}", affordance=aff.name, argument=key,
                                    reason=Reason.MISSING_ARGUMENT)
            raise _bad_value(aff, key, f"is {len(value)} characters; it needs at least {shortest}.")
        return value
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise _bad_value(aff, key, f"must be true or false, got {_type_name(value)}.")
    # integer or number
    number = value
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        if len(text) > 40:
            raise _bad_value(aff, key, f"must be a {kind}; {quote(value)} is too long.")
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise _bad_value(aff, key, f"must be a {kind}, got {quote(value)}.") from None
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        raise _bad_value(aff, key, f"must be a {kind}, got {_type_name(value)}.")
    if isinstance(number, float) and not math.isfinite(number):
        raise _bad_value(aff, key, f"must be a finite {kind}.")
    if kind == "integer":
        if isinstance(number, float):
            if not number.is_integer():
                raise _bad_value(aff, key, f"must be a whole number, got {number}.")
            number = int(number)
    low, high = prop.get("minimum"), prop.get("maximum")
    if (low is not None and number < low) or (high is not None and number > high):
        bounds = f"{low if low is not None else '-inf'}..{high if high is not None else 'inf'}"
        raise _bad_value(aff, key, f"must be in {bounds}, got {quote(str(number))}.")
    return number


def _bad_value(aff: Affordance, key: str, problem: str) -> InvalidAction:
    """The error for argument ``key`` of ``aff``: ``"<name>: argument '<key>' <problem>"``."""
    return InvalidAction(f"{aff.name}: argument {key!r} {problem}", affordance=aff.name, argument=key,
                         reason=Reason.BAD_VALUE)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", str: "a string", int: "an integer", float: "a number", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def validate_args(aff: Affordance, args: Any) -> dict[str, Any]:
    """Check ``args`` against the affordance's schema; return them coerced, in schema order.

    Strings holding numbers are accepted for integer/number parameters, whole floats
    for integers, enum values case-insensitively. Anything else raises
    :class:`InvalidAction` naming the argument and what it must be.
    """
    if type(args) is dict:
        # Fast path: values that already have their schema's type are accepted as they are
        # (an enum value canonicalised). Any doubt (a missing, unknown or ill-typed argument,
        # a bound or length exceeded) falls through to the general path, which decides and
        # words the error; both give the same result wherever the fast path answers.
        out = {}
        for key, required, check, limit, low, high in aff._checks:
            value = args.get(key)
            if value is None:
                if required:
                    break
                continue
            kind = type(value)
            if check is _FREE:
                if kind is not str or (low and (len(value) < low or value.isspace())):
                    break
            elif check is _LIMITED:
                if kind is not str or len(value) > limit or (low and (len(value) < low or value.isspace())):
                    break
            elif check is _ENUM:
                if kind is not str:
                    break
                value = limit.get(value.strip().lower())
                if value is None:
                    break
            elif check is _INTEGER or check is _NUMBER:
                if kind is not int and (check is _INTEGER or kind is not float or not math.isfinite(value)):
                    break
                if (low is not None and value < low) or (high is not None and value > high):
                    break
            elif check is not _BOOLEAN or kind is not bool:
                break
            out[key] = value
        else:
            if len(out) == len(args):
                return out
    if args is None:
        args = {}
    if type(args) is not dict and not isinstance(args, Mapping):
        raise InvalidAction(f"{aff.name}: arguments must be an object of named values, got {_type_name(args)}. "
                            f"Usage: {aff.usage()}", affordance=aff.name, reason=Reason.UNREADABLE)
    props = aff.properties
    for key in args:
        if key not in props:
            valid = ", ".join(props) or "none"
            raise InvalidAction(f"{aff.name}: unknown argument {quote(str(key))}; valid arguments: {valid}. "
                                f"Usage: {aff.usage()}", affordance=aff.name, argument=str(key),
                                reason=Reason.UNKNOWN_ARGUMENT)
    missing = [k for k in aff.required if k not in args or args[k] is None]
    if missing:
        noun = "argument" if len(missing) == 1 else "arguments"
        raise InvalidAction(f"{aff.name}: missing {noun} {', '.join(missing)}. Usage: {aff.usage()}",
                            affordance=aff.name, argument=missing[0], reason=Reason.MISSING_ARGUMENT)
    out = {}
    for key in props:
        if key in args and args[key] is not None:
            out[key] = _coerce(aff, key, args[key])
    return out


def make_command(name: str, args: Any, affordances: Iterable[Affordance]) -> Command:
    """A validated :class:`Command` from a name and an argument mapping (e.g. a tool call)."""
    return command_of(find_affordance(name, affordances), args)


def command_of(aff: Affordance, args: Any) -> Command:
    """A validated :class:`Command` of ``aff`` with the arguments ``args`` (see :func:`validate_args`)."""
    return _adopt(aff.name, validate_args(aff, args))


def check_command(command: Command, affordances: Iterable[Affordance]) -> Command:
    """``command`` itself when it is valid for ``affordances``, else its canonical form, else :class:`InvalidAction`.

    A :class:`Command` is a value: nothing is read from text. Its name must be an
    affordance's (exactly) and its arguments must validate; a command whose arguments
    validate to other values (an enum in another case, ``"3"`` for an integer) comes back
    as the validated command.

    Example:
        >>> from agentic_gym.core.affordance import Affordance, params, enum_param
        >>> go = Affordance("go", "Walk.", params(direction=enum_param("Where.", ["north", "south"])))
        >>> command = Command("go", {"direction": "north"})
        >>> check_command(command, [go]) is command
        True
        >>> check_command(Command("go", {"direction": "NORTH"}), [go])
        Command(name='go', args={'direction': 'north'})
    """
    if type(affordances) is not tuple:
        affordances = tuple(affordances)
    aff = _index(affordances).get(command.name)
    if aff is None:
        raise InvalidAction(f"Unknown command {quote(command.name)}. Valid commands: {command_list(affordances)}.",
                            reason=Reason.UNKNOWN_COMMAND)
    given = command.args
    args = validate_args(aff, given)
    # The same values of the same types in the same (schema) order: the command is canonical as it is.
    if list(args) == list(given) and all(type(value) is type(given[key]) and value == given[key]
                                         for key, value in args.items()):
        return command
    return _adopt(aff.name, args)


def _skip_space(text: str, pos: int) -> int:
    """The first position at or after ``pos`` that is not whitespace."""
    match = _SPACE_AT.match(text, pos)
    return match.end() if match is not None else pos


def _parse_call_args(aff: Affordance, text: str) -> dict[str, Any]:
    """Read ``key=<JSON>, ...`` (positional JSON values fill parameters in order)."""
    args: dict[str, Any] = {}
    order = list(aff.properties)
    pos = 0
    end = len(text)
    index = 0
    while True:
        pos = _skip_space(text, pos)
        if pos >= end:
            break
        key_match = _KEY_AT.match(text, pos)
        if key_match:
            key = key_match.group(1)
            pos = key_match.end()
        else:
            if index >= len(order):
                raise InvalidAction(f"{aff.name}: too many arguments. Usage: {aff.usage()}", affordance=aff.name,
                                    reason=Reason.UNKNOWN_ARGUMENT)
            key = order[index]
        index += 1
        if key in args:
            raise InvalidAction(f"{aff.name}: argument {quote(key)} given twice.", affordance=aff.name, argument=key,
                                reason=Reason.UNREADABLE)
        if pos < end and text[pos] in "[{":
            # Arguments are scalars; a list or object is refused before the (recursive) decoder sees it.
            if key not in aff.properties:
                valid = ", ".join(aff.properties) or "none"
                raise InvalidAction(f"{aff.name}: unknown argument {quote(key)}; valid arguments: {valid}. "
                                    f"Usage: {aff.usage()}", affordance=aff.name, argument=key,
                                    reason=Reason.UNKNOWN_ARGUMENT)
            kind = aff.properties[key]["type"]
            raise _bad_value(aff, key, f"must be {'an' if kind[0] in 'aeiou' else 'a'} {kind}, got "
                                       f"{'a list' if text[pos] == '[' else 'an object'}.")
        try:
            value, pos = _DECODER.raw_decode(text, pos)
        except ValueError:
            bare = _BARE_AT.match(text, pos)
            if not bare:
                raise InvalidAction(
                    f"{aff.name}: could not read the value of {key!r}; write it as JSON, "
                    f'e.g. {key}="text" or {key}=3. Usage: {aff.usage()}',
                    affordance=aff.name, argument=key, reason=Reason.UNREADABLE) from None
            value, pos = bare.group(0), bare.end()
        args[key] = value
        pos = _skip_space(text, pos)
        if pos >= end:
            break
        if text[pos] != ",":
            raise InvalidAction(f"{aff.name}: expected ',' between arguments. Usage: {aff.usage()}",
                                affordance=aff.name, reason=Reason.UNREADABLE)
        pos += 1
    return args


def parse_command(text: str, affordances: Iterable[Affordance], max_length: int = MAX_COMMAND_CHARS) -> Command:
    """Read one command in canonical text form, validated against ``affordances``.

    Accepts ``name``, ``name value`` (for an affordance with a
    :attr:`~Affordance.value_parameter`; enums case-insensitive) and
    ``name(key=<JSON>, ...)`` for every affordance. ``parse_command(str(c), affs) == c``
    for every valid command ``c``. Raises :class:`InvalidAction` otherwise; never
    evaluates anything. Time is linear in ``len(text)``.
    """
    entry = _INDEXES.get(id(affordances))
    if entry is None or entry[0] is not affordances:
        if type(affordances) is not tuple:
            affordances = tuple(affordances)
        entry = _index_entry(affordances)
    if type(text) is not str and not isinstance(text, str):
        raise InvalidAction(f"A command must be text, got {_type_name(text)}.", reason=Reason.WRONG_TYPE)
    if len(text) > max_length:
        raise InvalidAction(f"The command {quote(text)} is {len(text)} characters; the limit is {max_length}.",
                            reason=Reason.TOO_LONG)
    stripped = text.strip()
    # Fast path for the short forms `name` and `name value`: a word before the first space that
    # is exactly an affordance name is what the general path below would read as the name.
    name, _, value = stripped.partition(" ")
    short = entry[2].get(name)
    if short is not None:
        aff, bare, key, check, limit, low = short
        if not value:
            return _adopt(name, {} if bare else validate_args(aff, {}))
        if key is not None:
            value = value.strip()
            # A string value is checked here as validate_args's fast path would (`value` is
            # stripped and not empty); anything else goes to validate_args.
            if check is _ENUM:
                option = limit.get(value.lower())
                if option is not None:
                    return _adopt(name, {key: option})
            elif check is not None and len(value) >= low and (check is _FREE or len(value) <= limit):
                command = _new_object(Command)  # _adopt without its call: the usual command
                _set_name(command, name)
                _set_args(command, {key: value})
                return command
            return _adopt(name, validate_args(aff, {key: value}))
    if not stripped:
        raise InvalidAction(f"Empty command. Valid commands: {command_list(affordances)}.", reason=Reason.EMPTY)
    match = _NAME_AT.match(stripped)
    if not match:
        raise InvalidAction(
            f"Could not read a command from {quote(stripped)}. Valid commands: {command_list(affordances)}.",
            reason=Reason.NO_ACTION)
    aff = find_affordance(match.group(0), affordances)
    rest = stripped[match.end():]
    if not rest:
        return _adopt(aff.name, validate_args(aff, {}))
    if rest[0] == "(":
        if not rest.endswith(")"):
            raise InvalidAction(f"{aff.name}: missing ')' at the end. Usage: {aff.usage()}", affordance=aff.name,
                                reason=Reason.UNREADABLE)
        return _adopt(aff.name, validate_args(aff, _parse_call_args(aff, rest[1:-1])))
    if not rest[0].isspace():
        raise InvalidAction(
            f"Could not read a command from {quote(stripped)}. Valid commands: {command_list(affordances)}.",
            affordance=aff.name, reason=Reason.UNREADABLE)
    key = aff.value_parameter
    if key is None:
        raise InvalidAction(f"{aff.name} takes {'no arguments' if not aff.properties else 'named arguments'}. "
                            f"Usage: {aff.usage()}", affordance=aff.name, reason=Reason.UNREADABLE)
    return _adopt(aff.name, validate_args(aff, {key: rest.strip()}))
