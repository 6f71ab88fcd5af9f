"""Up-front checks of constructor arguments, each failing with a message that names the valid range.

An env validates every keyword argument before it builds anything, so a wrong value
(``steps="4"``, ``fault_rate=2``, ``templates="cheapest_flight"``) fails at once with
a ``TypeError`` or ``ValueError`` naming the argument, never deep inside ``reset``.

Example:
    >>> integer_in("steps", 4, 2, 6)
    4
    >>> integer_in("steps", "4", 2, 6)
    Traceback (most recent call last):
    ...
    TypeError: steps must be an integer in 2..6, got '4' (str)
    >>> number_in("fault_rate", 1.0, 0.0, 1.0, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: fault_rate must be a number in [0.0, 1.0), got 1.0
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import MISSING, dataclass, field, fields
from typing import Any


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def integer_in(name: str, value: Any, low: int, high: int) -> int:
    """``value`` as an ``int`` in ``low..high`` (bools and strings are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer in {low}..{high}, got {_shown(value)} ({type(value).__name__})")
    number = int(value)
    if not low <= number <= high:
        raise ValueError(f"{name} must be an integer in {low}..{high}, got {_shown(value)}")
    return number


def number_in(name: str, value: Any, low: float, high: float, *, high_open: bool = False) -> float:
    """``value`` as a ``float`` in ``[low, high]`` (or ``[low, high)``); bools, strings and NaN are refused."""
    interval = f"[{low}, {high}{')' if high_open else ']'}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in {interval}, got {_shown(value)} ({type(value).__name__})")
    number = float(value)
    if math.isnan(number) or number < low or number > high or (high_open and number == high):
        raise ValueError(f"{name} must be a number in {interval}, got {_shown(value)}")
    return number


def boolean(name: str, value: Any) -> bool:
    """``value`` as a ``bool`` (only ``True`` and ``False``; ``"false"`` would read as true)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {_shown(value)} ({type(value).__name__})")
    return value


def one_of(name: str, value: Any, options: Sequence[str]) -> str:
    """``value`` when it is one of the ``options`` strings."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {_shown(value)}")
    return value


def subset_of(name: str, values: Any, options: Iterable[str]) -> tuple[str, ...]:
    """``values`` (a list or tuple of strings, not one bare string) as a non-empty tuple of ``options``."""
    valid = tuple(options)
    listed = ", ".join(map(repr, valid))
    if isinstance(values, str) or not isinstance(values, (list, tuple, set, frozenset)):
        raise TypeError(f"{name} must be a list or tuple of some of {listed}; got {_shown(values)}")
    chosen = tuple(sorted(values) if isinstance(values, (set, frozenset)) else values)
    unknown = [v for v in chosen if not isinstance(v, str) or v not in valid]
    if not chosen or unknown:
        raise ValueError(f"{name} must name at least one of {listed}; got {_shown(values)}")
    return chosen


# ---- typed difficulty knobs ----------------------------------------------------------------


def knob(doc: str, default: Any = MISSING) -> Any:
    """A field of a :class:`Knobs` record with its documentation (``fields(record)[i].metadata["doc"]``)."""
    if default is MISSING:
        return field(metadata={"doc": doc})
    return field(default=default, metadata={"doc": doc})


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


@dataclass(frozen=True)
class Knobs:
    """The base of every env's typed difficulty record: a frozen dataclass whose fields are the knobs.

    A subclass declares its knobs with :func:`knob` (each with its documentation), in the
    order ``info["difficulty"]`` lists them, and validates them in ``__post_init__`` with
    the validators of this module, so a wrong value fails with a ``TypeError`` or
    ``ValueError`` naming the knob and its range. The env's constructor builds its record
    first and reads its settings from it: the record is the one place a range is stated.

    Example:
        >>> @dataclass(frozen=True)
        ... class Example(Knobs):
        ...     steps: int = knob("operations in the problem")
        ...     def __post_init__(self):
        ...         self._set("steps", integer_in("steps", self.steps, 2, 6))
        >>> Example(4).as_dict(), Example.documentation()
        ({'steps': 4}, {'steps': 'operations in the problem'})
        >>> Example(9)
        Traceback (most recent call last):
        ...
        ValueError: steps must be an integer in 2..6, got 9
    """

    def _set(self, name: str, value: Any) -> None:
        """Store a knob's validated (normalised) value (the record is frozen once built)."""
        object.__setattr__(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        """The knobs by name, in declaration order."""
        names = _FIELD_NAMES.get(type(self))
        if names is None:  # every reset reports the knobs: look the fields up once per class
            names = _FIELD_NAMES[type(self)] = tuple(f.name for f in fields(self))
        return {name: getattr(self, name) for name in names}

    @classmethod
    def documentation(cls) -> dict[str, str]:
        """Each knob's documentation, in declaration order."""
        return {f.name: str(f.metadata.get("doc", "")) for f in fields(cls)}
