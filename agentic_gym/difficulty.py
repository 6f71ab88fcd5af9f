"""The difficulty of an env: a typed, read-only record of its validated knobs.

Every single-agent env class documents its difficulty knobs (a ``## Difficulty``
section of its docstring) and returns their validated values from
``difficulty_knobs()``. Each env keeps them as a typed record, ``env.knobs``: a frozen
dataclass (``GridMazeKnobs``, ``RecallKnobs``, ``TravelDeskKnobs``, ...; the class is
``type(env).Knobs``, see :class:`agentic_gym.core.arguments.Knobs`) whose fields are
the knobs with their documentation and whose construction validates them, with a
message naming the valid range; the constructor builds it first, so it is the one place
a range is stated. :func:`knobs_of` returns it. :class:`Difficulty` is the record of one env: the class name,
the knobs in a fixed order, and the step budget (the registered
``max_episode_steps``). It is a read-only mapping, hashable and comparable, so a
curriculum can use it as a level. Every env's reset ``info`` carries the same knobs as
a plain dict under ``info["difficulty"]`` (JSON-friendly: tuples become lists).

Example:
    >>> import gymnasium as gym
    >>> import agentic_gym
    >>> record = difficulty_of("agentic_gym/GridMaze-Easy-v0")
    >>> record.env, record["size"], record["max_episode_steps"]
    ('GridMaze', 9, 324)
    >>> env = gym.make("agentic_gym/GridMaze-Easy-v0")
    >>> env.reset(seed=0)[1]["difficulty"] == record.as_dict()
    True
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from agentic_gym.core.arguments import Knobs

__all__ = ["Difficulty", "difficulty_of", "knobs_of", "reset_difficulty"]


def _frozen(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _step_budget(base: Any) -> int | None:
    """The registered ``max_episode_steps`` of the id ``base`` was made from (the env's own
    spec has the time limit cleared by ``gymnasium.make``), or None."""
    spec = getattr(base, "spec", None)
    if spec is None:
        return None
    from gymnasium.envs.registration import registry

    registered = registry.get(spec.id)
    return registered.max_episode_steps if registered is not None else spec.max_episode_steps


@dataclass(frozen=True)
class Difficulty(Mapping[str, Any]):
    """The validated difficulty knobs of one env, in the order its class declares them.

    ``env`` is the env's class name; ``knobs`` the ``(name, value)`` pairs (sequences
    stored as tuples), the last one ``max_episode_steps`` (None when unregistered).
    """

    env: str
    knobs: tuple[tuple[str, Any], ...]

    @classmethod
    def of(cls, env: Any) -> Difficulty:
        """The record of a live env (any wrapper around it)."""
        base = getattr(env, "unwrapped", env)
        record = getattr(base, "knobs", None)
        if isinstance(record, Knobs):
            values = record.as_dict()
        else:
            knobs = getattr(base, "difficulty_knobs", None)
            if not callable(knobs):
                raise TypeError(f"{type(base).__name__} declares no difficulty knobs (difficulty_knobs())")
            values = knobs()
        pairs = [(name, _frozen(value)) for name, value in values.items()]
        pairs.append(("max_episode_steps", _step_budget(base)))
        return cls(type(base).__name__, tuple(pairs))

    def __getitem__(self, name: str) -> Any:
        for key, value in self.knobs:
            if key == name:
                return value
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self.knobs)

    def __len__(self) -> int:
        return len(self.knobs)

    def as_dict(self) -> dict[str, Any]:
        """The knobs as a plain dict of JSON values (what reset ``info["difficulty"]`` holds)."""
        return {key: _plain(value) for key, value in self.knobs}

    def __str__(self) -> str:
        return f"{self.env}(" + ", ".join(f"{k}={v!r}" for k, v in self.knobs) + ")"


def difficulty_of(env: Any) -> Difficulty:
    """The record of a registered id (made, read and closed) or of a live env."""
    if isinstance(env, str):
        import gymnasium as gym

        made = gym.make(env)
        try:
            return Difficulty.of(made)
        finally:
            made.close()
    return Difficulty.of(env)


def knobs_of(env: Any) -> Knobs:
    """The typed knobs record of a live env (any wrapper around it) or of a registered id.

    Raises ``TypeError`` when the env keeps no typed record.
    """
    if isinstance(env, str):
        import gymnasium as gym

        made = gym.make(env)
        try:
            return knobs_of(made)
        finally:
            made.close()
    base = getattr(env, "unwrapped", env)
    record = getattr(base, "knobs", None)
    if not isinstance(record, Knobs):
        raise TypeError(f"{type(base).__name__} keeps no typed knobs record (env.knobs)")
    return record


#: Per live env: (its knobs record, its spec, the reset dict built from them). An env's knobs
#: and spec do not change between resets, so the dict is built once and copied.
_RESET_MEMO: weakref.WeakKeyDictionary[Any, tuple[Any, Any, dict[str, Any], tuple[str, ...]]] = (
    weakref.WeakKeyDictionary())


def _copy(value: Any) -> Any:
    return [_copy(v) for v in value] if type(value) is list else value


def reset_difficulty(env: Any) -> dict[str, Any]:
    """``info["difficulty"]`` of a reset: :meth:`Difficulty.as_dict` of ``env`` (a fresh dict each time)."""
    base = getattr(env, "unwrapped", env)
    record, spec = getattr(base, "knobs", None), getattr(base, "spec", None)
    memo = _RESET_MEMO.get(base)
    if memo is None or memo[0] is not record or memo[1] is not spec or record is None:
        values = Difficulty.of(base).as_dict()
        memo = (record, spec, values, tuple(key for key, value in values.items() if type(value) is list))
        _RESET_MEMO[base] = memo
    values = memo[2].copy()
    for key in memo[3]:  # lists (a sequence knob) are copied too
        values[key] = _copy(values[key])
    return values
