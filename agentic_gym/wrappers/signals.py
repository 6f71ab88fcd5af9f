"""Per-step signals from the privileged oracle: distance to success, progress, state hash.

:class:`OracleSignals` is opt-in: nothing on the default step path computes any of it.
It reads the env only through the public contract: ``env.unwrapped.oracle_action()``
(DESIGN item 10), ``step`` on a deep copy of ``env.unwrapped`` (item 9: episodes copy
and resume identically) and ``info["success"]``.

How ``oracle_steps_left`` is found: a deep copy of ``env.unwrapped`` follows its own
``oracle_action()`` until ``info["success"]``, counting steps. Every state met on the
way is cached by its :func:`state_hash` with its own count, so an agent that follows
the oracle pays one hash per step; a step off the oracle's path costs one rollout
(Sokoban's and Codebreaker's solvers are the expensive ones, see
``benchmarks/bench_signals.py``). ``-1`` means success is out of reach: the episode
was lost (a wrong answer, the wrong object touched) or the oracle cannot finish
within one full time limit from here.

Whether that count is the optimum, per env (:data:`ORACLE_OPTIMALITY`, shown in
``info["oracle_steps_exact"]``):

========================  =====  ==========================================================
env                       exact  why
========================  =====  ==========================================================
GridMaze                  yes    a perfect maze has one route; the solver walks it turning
                                 the short way, and the tools never shorten it
GridMemory                yes    one corridor; the start room is 3x3 and the solver's turn
                                 tie-break (straight, then the sides) is optimal there
                                 (checked against breadth-first search in the tests)
Recall                    yes    the length is forced: one ``continue`` per briefing item,
                                 one ``answer`` per question
GridKeyDoor               no     each leg (key, door, goal) is a shortest walk, but turns
                                 are not minimised jointly across legs: an upper bound
GridDecoyKeyDoor          no     as GridKeyDoor, fetching the key that fits
GridSokoban               no     fewest pushes, then few moves within a search budget
TextAdventure             no     goal by goal, greedy detours for keys: an upper bound
HiddenRulesAdventure      no     as TextAdventure, with the keys that really fit
Codebreaker               no     the minimax solver does not read the secret; the count is
                                 its guesses from here (a lucky guess can be shorter)
TravelDesk, ToolMath      no     the plan's tool calls, then the answer: the steps an agent
                                 needs to *know* the answer (answering blind could be one)
QuirkyTravelDesk          no     as TravelDesk, its calls asked at the providers' shifted days
========================  =====  ==========================================================

Example:
    >>> import gymnasium as gym
    >>> import agentic_gym
    >>> env = OracleSignals(gym.make("agentic_gym/GridMaze-9x9-v0"))
    >>> obs, info = env.reset(seed=0)
    >>> left = info["oracle_steps_left"]
    >>> obs, reward, terminated, truncated, info = env.step(env.unwrapped.oracle_action())
    >>> info["oracle_steps_left"] == left - 1, info["action_optimal"], info["oracle_steps_exact"]
    (True, True, True)
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import hashlib
import types
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np

#: Whether each env's oracle count is the optimum, and why (keyed by the env class name).
ORACLE_OPTIMALITY: dict[str, tuple[bool, str]] = {
    "GridMaze": (True, "a perfect maze has one route; the solver walks it turning the short way"),
    "GridMemory": (True, "one corridor and a 3x3 start room, where the solver's turn tie-break is optimal"),
    "Recall": (True, "the length is forced: one continue per briefing item, one answer per question"),
    "GridKeyDoor": (False, "each leg is a shortest walk, but turns are not minimised across legs"),
    "GridDecoyKeyDoor": (False, "as GridKeyDoor, fetching the key that fits"),
    "GridSokoban": (False, "fewest pushes, then few moves within a search budget"),
    "TextAdventure": (False, "goal by goal with greedy key detours"),
    "HiddenRulesAdventure": (False, "as TextAdventure, with the keys that really fit"),
    "Codebreaker": (False, "the minimax solver does not read the secret"),
    "TravelDesk": (False, "the plan's tool calls, then the answer (the steps needed to know it)"),
    "QuirkyTravelDesk": (False, "as TravelDesk, its calls asked at the providers' shifted days"),
    "ToolMath": (False, "the plan's calculator calls, then the answer (the steps needed to know it)"),
}

#: Attributes that never enter :func:`state_hash`: the registration record, the spaces and
#: affordances (fixed per env; affordances memoise Python hashes, which differ per process),
#: the render mode, the seed a reset was called with (the generator's state is hashed
#: instead) and the oracles' memo of their own plan (it changes no world rule).
UNHASHED_ATTRS = frozenset(
    {"spec", "observation_space", "action_space", "affordances", "render_mode", "_np_random_seed", "_plan", "_plan_at"}
)

#: Keys this wrapper adds to ``info``.
SIGNAL_KEYS = ("oracle_steps_left", "oracle_steps_exact", "progress", "action_optimal", "state_hash")


def oracle_optimality(env: gym.Env) -> tuple[bool, str]:
    """``(exact, reason)`` for ``env``'s oracle count (False for an env not in the table)."""
    name = type(env.unwrapped).__name__
    return ORACLE_OPTIMALITY.get(name, (False, f"{name} does not document its oracle's optimality"))


# ---- state hash --------------------------------------------------------------------------

_FUNCTION_TYPES = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.BuiltinMethodType)


_SCALARS = (type(None), bool, int, float, str, complex)


def _feed(hasher: Any, value: Any, seen: set[int]) -> None:
    """Feed a canonical, process-independent serialisation of ``value`` to ``hasher``."""
    update = hasher.update
    kind = type(value)
    if kind in _SCALARS:
        text = repr(value)
        update(b"%s%d:%s" % (kind.__name__.encode(), len(text), text.encode()))
        return
    if isinstance(value, enum.Enum):
        update(f"E{kind.__qualname__}.{value.name};".encode())
        return
    if isinstance(value, (bytes, bytearray)):
        update(b"B%d:" % len(value) + bytes(value))
        return
    if isinstance(value, _SCALARS):  # subclasses of the scalars hash as their scalar base
        base: Any = next(cls for cls in kind.__mro__ if cls in _SCALARS)
        _feed(hasher, base(value), seen)
        return
    if isinstance(value, np.ndarray):
        update(f"A{value.dtype.str}{value.shape}:".encode())
        update(np.ascontiguousarray(value).tobytes())
        return
    if isinstance(value, np.generic):
        _feed(hasher, value.item(), seen)
        return
    if isinstance(value, np.random.Generator):
        update(b"G")
        _feed(hasher, value.bit_generator.state, seen)
        return
    if isinstance(value, (list, tuple)):
        update(b"L%d[" % len(value) if isinstance(value, list) else b"T%d[" % len(value))
        for item in value:
            _feed(hasher, item, seen)
        update(b"]")
        return
    if isinstance(value, dict) and all(type(k) is str for k in value):
        # String keys sort the same in every process: feed the entries in key order.
        update(b"K%d{" % len(value))
        for key in sorted(value):
            _feed(hasher, key, seen)
            _feed(hasher, value[key], seen)
        update(b"}")
        return
    if isinstance(value, (dict, set, frozenset)):
        # Order-free: each entry hashed on its own, then the digests sorted.
        if isinstance(value, dict):
            parts = [_digest((k, v), seen) for k, v in value.items()]
        else:
            parts = [_digest(item, seen) for item in value]
        update(b"D%d{" % len(parts) if isinstance(value, dict) else b"S%d{" % len(parts))
        for part in sorted(parts):
            update(part)
        update(b"}")
        return
    if isinstance(value, _FUNCTION_TYPES):
        update(f"F{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')};".encode())
        return
    if id(value) in seen:
        update(b"R;")  # a cycle back to an object being hashed
        return
    seen.add(id(value))
    try:
        update(f"O{kind.__module__}.{kind.__qualname__}(".encode())
        _feed(hasher, _object_fields(value), seen)
        update(b")")
    finally:
        seen.discard(id(value))


def _object_fields(value: Any) -> dict[str, Any]:
    """An object's state as a dict: dataclass fields, ``__getstate__`` or slots and dict."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, type):
        return {"qualname": value.__qualname__}
    state = value.__getstate__() if hasattr(value, "__getstate__") else None
    if isinstance(state, dict):
        return state
    if state is not None:
        return {"state": state}
    fields: dict[str, Any] = {}
    for cls in type(value).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if hasattr(value, name):
                fields[name] = getattr(value, name)
    fields.update(getattr(value, "__dict__", {}))
    return fields


def _digest(value: Any, seen: set[int]) -> bytes:
    hasher = hashlib.blake2b(digest_size=16)
    _feed(hasher, value, seen)
    return hasher.digest()


def state_hash(env: gym.Env, exclude: Iterable[str] = ()) -> str:
    """A stable hex digest of ``env.unwrapped``'s full state, the same in every process.

    Every attribute enters it (the world, the step count, transcripts, the random
    generator's state) but render resources, the env's memo caches (``_cache_attrs``),
    :data:`UNHASHED_ATTRS` and ``exclude``.
    Dicts and sets are hashed order-free and strings by value, so ``PYTHONHASHSEED``
    cannot change it. Two envs with equal hashes behave identically under the same
    future actions.

    Example:
        >>> import gymnasium as gym
        >>> import agentic_gym
        >>> a, b = gym.make("agentic_gym/GridMaze-9x9-v0"), gym.make("agentic_gym/GridMaze-9x9-v0")
        >>> _ = a.reset(seed=1), b.reset(seed=1)
        >>> state_hash(a) == state_hash(b)
        True
    """
    base = env.unwrapped
    skip = (UNHASHED_ATTRS | set(getattr(base, "_render_attrs", ())) | set(getattr(base, "_cache_attrs", ()))
            | set(exclude))
    fields = {k: v for k, v in vars(base).items() if k not in skip}
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"{type(base).__module__}.{type(base).__qualname__}".encode())
    _feed(hasher, fields, set())
    return hasher.hexdigest()


# ---- oracle distance ---------------------------------------------------------------------


def step_limit(env: gym.Env) -> int:
    """The episode's time limit: the spec's ``max_episode_steps``, else ``max_steps``, else 1000."""
    for candidate in (env, env.unwrapped):
        spec = getattr(candidate, "spec", None)
        if spec is not None and spec.max_episode_steps:
            return int(spec.max_episode_steps)
    return int(getattr(env.unwrapped, "max_steps", 1000))


def oracle_rollout(env: gym.Env, limit: int, known: Mapping[str, int] | None = None) -> tuple[int, list[str]]:
    """Follow the oracle on a deep copy of ``env.unwrapped`` until success.

    Returns the number of steps (``-1`` if the copy terminates without success or
    takes ``limit`` steps) and the :func:`state_hash` of every state it passed
    through, starting with the current one (so ``hashes[i]`` is ``steps - i`` away).
    A state found in ``known`` (hash -> steps left) ends the walk there. The env
    itself is not touched.
    """
    world: Any = copy.deepcopy(env.unwrapped)
    hashes = [state_hash(world)]
    for steps in range(1, limit + 1):
        _, _, terminated, _, info = world.step(world.oracle_action())
        if info.get("success"):
            return steps, hashes
        if terminated:
            return -1, hashes
        key = state_hash(world)
        if known is not None and known.get(key, -1) >= 0:
            return steps + known[key], hashes
        hashes.append(key)
    return -1, hashes


class OracleSignals(gym.Wrapper):
    """Add the oracle's distance to success and a state hash to every ``info``.

    Keys added to every ``reset`` and ``step`` info (``action_optimal`` to steps only):

    * ``oracle_steps_left`` (int): the oracle's steps from here to success; 0 once
      solved; -1 when success is out of reach (see the module docstring).
    * ``oracle_steps_exact`` (bool): whether that count is provably the optimum for
      this env (:data:`ORACLE_OPTIMALITY`); otherwise it is the oracle's upper bound.
    * ``progress`` (float in [0, 1]): ``1 - steps_left / steps_left at reset``,
      clipped; 0 when out of reach, 1 once solved.
    * ``action_optimal`` (bool): the last action kept the agent on an optimal path:
      it solved the task, or ``oracle_steps_left`` fell by at least one (exactly one
      where the count is exact; more only where the oracle's count is a bound and the
      agent found a shortcut). An invalid action never is.
    * ``state_hash`` (str): :func:`state_hash` of the env's full state after the step.

    Put it directly on the env (under ``PromptObservation``/``ParseAction``): it only
    adds ``info`` keys and passes actions through. A feedback turn of ``ParseAction``
    does not step the env, so its info carries no signals.

    Args:
        env: a single-agent agentic-gym env (anything whose ``unwrapped`` has
            ``oracle_action()`` and deep-copies).
        cache_size: how many state hashes to remember with their counts (LRU).
    """

    def __init__(self, env: gym.Env, cache_size: int = 100_000):
        super().__init__(env)
        if not callable(getattr(env.unwrapped, "oracle_action", None)):
            raise TypeError(f"OracleSignals needs an env with oracle_action(), got {type(env.unwrapped).__name__}")
        if cache_size < 1:
            raise ValueError(f"cache_size must be positive, got {cache_size}")
        self.exact, self.exact_reason = oracle_optimality(env)
        self.limit = step_limit(env)
        self.cache_size = cache_size
        self._cache: OrderedDict[str, int] = OrderedDict()
        self._initial = 0
        self._left = 0

    def steps_left(self) -> tuple[int, str]:
        """``(oracle_steps_left, state_hash)`` of the current state, cached per hash."""
        key = state_hash(self.env)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached, key
        left, hashes = oracle_rollout(self.env, self.limit, self._cache)
        if left >= 0:
            for i, h in enumerate(hashes):
                self._remember(h, left - i)
        else:
            self._remember(key, -1)
        return left, key

    def _remember(self, key: str, left: int) -> None:
        self._cache[key] = left
        self._cache.move_to_end(key)
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def _signals(self, left: int, key: str) -> dict[str, Any]:
        if left == 0:
            progress = 1.0
        elif left < 0 or self._initial <= 0:
            progress = 0.0
        else:
            progress = float(min(1.0, max(0.0, 1.0 - left / self._initial)))
        return {
            "oracle_steps_left": left,
            "oracle_steps_exact": self.exact,
            "progress": progress,
            "state_hash": key,
        }

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        obs, info = self.env.reset(**kwargs)
        left, key = (0, state_hash(self.env)) if info.get("success") else self.steps_left()
        self._initial = self._left = left
        return obs, {**info, **self._signals(left, key)}

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        if info.get("success"):
            left, key = 0, state_hash(self.env)
        elif terminated:
            left, key = -1, state_hash(self.env)
        else:
            left, key = self.steps_left()
        before, self._left = self._left, left
        optimal = bool(info.get("action_valid", True)) and (
            left == 0 or (before > 0 and 0 <= left <= before - 1)
        )
        return obs, reward, terminated, truncated, {**info, **self._signals(left, key), "action_optimal": optimal}
