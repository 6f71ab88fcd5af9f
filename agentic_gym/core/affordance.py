"""Affordances: what an agent can do in an environment, described once.

An :class:`Affordance` is the single source for prompts, OpenAI tool schemas,
parsers, ``CommandSpace.sample()`` and the index of a ``Discrete`` action.

Example:
    >>> go = Affordance("go", "Walk through an exit.", params(direction=enum_param(
    ...     "Compass direction.", ["north", "south", "east", "west"])), kind="move")
    >>> go.required
    ('direction',)
    >>> tool_schemas([go])[0]["function"]["name"]
    'go'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Literal

#: The kinds of affordance. ``answer`` ends an episode with a reply to be checked.
KINDS: tuple[str, ...] = ("move", "tool", "memory", "answer")

#: The capability names an env may list in ``metadata["capabilities"]``.
CAPABILITIES: tuple[str, ...] = (
    "planning",
    "tool_use",
    "memory",
    "reasoning",
    "perception",
    "multi_agent",
    "self_improve",
)

Kind = Literal["move", "tool", "memory", "answer"]

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_ALIAS = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*\Z")
_SCALAR_TYPES = ("string", "integer", "number", "boolean")


def _empty_schema() -> dict[str, Any]:
    return {"type": "object", "properties": {}, "required": []}


@dataclass(frozen=True)
class Affordance:
    """One thing an agent can do: a move, a tool, a memory operation or an answer.

    ``parameters`` is a JSON Schema object (``{"type": "object", "properties":
    {...}, "required": [...]}``) whose properties are scalars: ``string`` (optionally
    with ``enum``, ``minLength``, ``maxLength``, ``examples``), ``integer`` / ``number``
    (optionally with ``minimum`` / ``maximum``) or ``boolean``. Property order is the
    order of the canonical command text. A required string without ``enum`` gets
    ``minLength: 1`` (validation also refuses one that is only whitespace).
    """

    name: str
    description: str
    parameters: Mapping[str, Any] = field(default_factory=_empty_schema)
    kind: Kind = "move"
    #: Natural phrases that name it ("pick up" for ``pickup``), read by the reply parser and
    #: never shown as separate actions; lower-case words separated by single spaces.
    aliases: tuple[str, ...] = ()
    # Worked out once in __post_init__ (parsing reads them on every command); not arguments.
    _required: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _value_parameter: str | None = field(init=False, repr=False, compare=False)
    _checks: tuple[tuple[str, bool, _Check, Any, Any, Any], ...] = field(init=False, repr=False, compare=False)
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ValueError(f"affordance name must match [a-z][a-z0-9_]*, got {self.name!r}")
        if self.kind not in KINDS:
            raise ValueError(f"affordance kind must be one of {KINDS}, got {self.kind!r}")
        aliases = tuple(self.aliases) if not isinstance(self.aliases, str) else (self.aliases,)
        for alias in aliases:
            if not isinstance(alias, str) or not _ALIAS.match(alias) or alias == self.name:
                raise ValueError(f"{self.name}: an alias must be lower-case words separated by single spaces "
                                 f"(and not the name itself), got {alias!r}")
        object.__setattr__(self, "aliases", aliases)
        schema = dict(self.parameters)
        schema.setdefault("type", "object")
        schema.setdefault("properties", {})
        schema.setdefault("required", [])
        if schema["type"] != "object":
            raise ValueError(f"{self.name}: parameters must be a JSON Schema object")
        for key, prop in schema["properties"].items():
            if not _NAME.match(key):
                raise ValueError(f"{self.name}: parameter name {key!r} must match [a-z][a-z0-9_]*")
            if prop.get("type") not in _SCALAR_TYPES:
                raise ValueError(f"{self.name}.{key}: type must be one of {_SCALAR_TYPES}")
        unknown = set(schema["required"]) - set(schema["properties"])
        if unknown:
            raise ValueError(f"{self.name}: required names unknown parameters {sorted(unknown)}")
        if not schema["required"] and len(schema["properties"]) > 1:
            # With nothing required, `name value` could not tell which parameter a value sets.
            raise ValueError(f"{self.name}: with several parameters, at least one must be required")
        # A required free string is never empty: `Action: answer` with nothing after it is no answer.
        properties = dict(schema["properties"])
        for key in schema["required"]:
            prop = properties[key]
            if prop.get("type") == "string" and "enum" not in prop and "minLength" not in prop:
                properties[key] = {**prop, "minLength": 1}
        schema["properties"] = properties
        object.__setattr__(self, "parameters", schema)
        # Parsing reads these on every command: compute them once (the affordance is frozen).
        required = set(schema["required"])
        object.__setattr__(self, "_required", tuple(k for k in schema["properties"] if k in required))
        value = None
        if len(self._required) == 1:
            value = self._required[0]
        elif not self._required and len(schema["properties"]) == 1:
            value = next(iter(schema["properties"]))
        object.__setattr__(self, "_value_parameter", value)
        object.__setattr__(self, "_checks", _argument_checks(schema["properties"], required))
        object.__setattr__(self, "_hash", hash((self.name, self.kind, self.description, aliases,
                                                json.dumps(schema, sort_keys=True))))

    def __hash__(self) -> int:
        return self._hash

    @property
    def properties(self) -> dict[str, dict[str, Any]]:
        """The parameter schemas by name, in canonical order."""
        return self.parameters["properties"]

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the required parameters, in canonical order."""
        return self._required

    @property
    def value_parameter(self) -> str | None:
        """The parameter that the short form ``name value`` sets, if there is one.

        It is the single required parameter when exactly one is required, or the only
        parameter when none is required. Strings, enums, integers, numbers and booleans
        qualify; the canonical text uses the short form only for strings.
        """
        return self._value_parameter

    def usage(self) -> str:
        """A one-line usage string, e.g. ``go <direction>`` or ``flights(origin=..., day=...)``."""
        props = self.properties
        if not props:
            return self.name
        value = self.value_parameter
        if value is not None and len(props) == 1:
            return f"{self.name} <{value}>"
        parts = []
        for key in props:
            part = f"{key}=<{props[key]['type']}>"
            parts.append(part if key in self.required else f"[{part}]")
        return f"{self.name}(" + ", ".join(parts) + ")"

    def describe(self) -> str:
        """Usage, description and argument constraints, for a prompt."""
        lines = [f"{self.usage()}: {self.description}"]
        for key, prop in self.properties.items():
            detail = prop.get("description", "")
            if "enum" in prop:
                detail += (" " if detail else "") + "One of: " + ", ".join(map(str, prop["enum"])) + "."
            if "minimum" in prop or "maximum" in prop:
                detail += f" Range {prop.get('minimum', '-inf')}..{prop.get('maximum', 'inf')}."
            if key not in self.required:
                detail += " Optional."
            lines.append(f"    {key} ({prop['type']}): {detail.strip()}")
        return "\n".join(lines)


class _Check(IntEnum):
    """How ``validate_args`` may accept a value without the general coercion (see :func:`_argument_checks`)."""

    FREE = 0
    LIMITED = 1
    ENUM = 2
    INTEGER = 3
    NUMBER = 4
    BOOLEAN = 5
    SLOW = 6


def _argument_checks(properties: Mapping[str, Mapping[str, Any]],
                     required: set[str]) -> tuple[tuple[str, bool, _Check, Any, Any, Any], ...]:
    """Per property, in canonical order: ``(key, required, check, limit, minimum, maximum)``.

    ``validate_args`` uses them to accept, in one pass, arguments whose values already
    have their schema's type: a free string (``_Check.FREE``), a string within
    ``maxLength`` (``_Check.LIMITED``, ``limit`` the length) (for both, ``minimum`` is the
    ``minLength``, and a string with one that is only whitespace takes the general path), an enum value (``_Check.ENUM``,
    ``limit`` maps each lower-cased option to the first option spelt so), an ``int``
    (``_Check.INTEGER``) or ``int``/finite ``float`` (``_Check.NUMBER``) within the bounds,
    a ``bool`` (``_Check.BOOLEAN``). Anything else, and any schema detail these do not
    cover (``_Check.SLOW``), takes the general path, which also words every error.
    """
    checks: list[tuple[str, bool, _Check, Any, Any, Any]] = []
    for key, prop in properties.items():
        kind = prop.get("type")
        check: _Check = _Check.SLOW
        limit: Any = None
        low: Any = prop.get("minimum")
        high: Any = prop.get("maximum")
        bounds_ok = all(b is None or type(b) in (int, float) for b in (low, high))
        if kind == "string":
            low = prop.get("minLength", 0)
            if type(low) is not int:
                checks.append((key, key in required, _Check.SLOW, None, None, None))
                continue
            if "enum" in prop:
                options = prop["enum"]
                if isinstance(options, list) and all(type(o) is str for o in options):
                    limit = {}
                    for option in options:
                        limit.setdefault(option.lower(), option)
                    check = _Check.ENUM
            elif "maxLength" in prop:
                if type(prop["maxLength"]) is int:
                    check, limit = _Check.LIMITED, prop["maxLength"]
            else:
                check = _Check.FREE
        elif kind == "integer" and bounds_ok:
            check = _Check.INTEGER
        elif kind == "number" and bounds_ok:
            check = _Check.NUMBER
        elif kind == "boolean":
            check = _Check.BOOLEAN
        checks.append((key, key in required, check, limit, low, high))
    return tuple(checks)


def params(required: Sequence[str] | None = None, **properties: Mapping[str, Any]) -> dict[str, Any]:
    """A parameters schema; every property is required unless ``required`` says otherwise."""
    names = list(properties) if required is None else list(required)
    return {"type": "object", "properties": {k: dict(v) for k, v in properties.items()}, "required": names}


def string_param(description: str, *, max_length: int | None = None, examples: Iterable[str] = ()) -> dict:
    """A free string parameter; ``examples`` feed ``CommandSpace.sample()``."""
    prop: dict[str, Any] = {"type": "string", "description": description}
    if max_length is not None:
        prop["maxLength"] = max_length
    examples = list(examples)
    if examples:
        prop["examples"] = examples
    return prop


def enum_param(description: str, values: Iterable[str]) -> dict:
    """A string parameter restricted to ``values`` (matched case-insensitively)."""
    return {"type": "string", "description": description, "enum": list(values)}


def int_param(description: str, *, minimum: int | None = None, maximum: int | None = None) -> dict:
    """An integer parameter with optional bounds."""
    prop: dict[str, Any] = {"type": "integer", "description": description}
    if minimum is not None:
        prop["minimum"] = minimum
    if maximum is not None:
        prop["maximum"] = maximum
    return prop


def tool_schemas(affordances: Iterable[Affordance]) -> list[dict[str, Any]]:
    """OpenAI function-calling tool dicts (``{"type": "function", "function": {...}}``)."""
    tools = []
    for aff in affordances:
        schema = {
            "type": "object",
            "properties": {
                k: {key: val for key, val in v.items() if key != "examples"} for k, v in aff.properties.items()
            },
            "required": list(aff.required),
            "additionalProperties": False,
        }
        tools.append(
            {"type": "function", "function": {"name": aff.name, "description": aff.description, "parameters": schema}}
        )
    return tools
