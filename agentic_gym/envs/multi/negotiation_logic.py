"""Negotiation rules: pools, private valuations, offers and exact solution concepts.

Pure logic (no gymnasium, no pettingzoo, no pygame), tested on its own.

A *pool* holds ``counts[i]`` units of each item type of :data:`ITEMS` (books, hats,
balls). Each agent has a private integer value per unit with the whole pool worth
exactly :data:`TOTAL_VALUE` to every agent (as in Lewis et al.'s "Deal or No Deal"),
so an agent's normalised utility for a share is ``value / TOTAL_VALUE`` in [0, 1].

An *allocation* is a tuple of one share per agent, each a tuple of counts per item,
that hands out the whole pool. The pools are small enough to enumerate every
allocation, so the exact Pareto frontier (utility vectors no other allocation weakly
improves for all and strictly for one) and the Nash bargaining solution (the largest
product of utilities, disagreement point 0) are computed per episode.

:class:`Bargain` holds one game's state and applies its rules: agents move in turn
order; a move is ``propose`` (a full allocation, which the proposer accepts),
``accept`` (the offer on the table, not one's own), ``reject`` (clears the offer) or
``say`` (a message to the others or to one agent); the deal is struck when every
agent has accepted the offer on the table; after ``max_turns`` moves without a deal
the game ends and pays 0 to all. A move that breaks the rules raises
:class:`RuleError` (the adapter turns it into feedback); :meth:`Bargain.forfeit`
spends the turn of an agent whose action was invalid.

Example:
    >>> import numpy as np
    >>> game = Bargain.new(np.random.default_rng(0), players=2, max_count=3, max_turns=10)
    >>> nash = game.solution.nash_allocation
    >>> game.propose(0, nash)
    >>> game.accept(1)
    >>> game.deal == nash, game.is_pareto_optimal(nash), game.nash_ratio(nash)
    (True, True, 1.0)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

#: Item types, in the order of every count and value vector.
ITEMS: tuple[str, ...] = ("books", "hats", "balls")
#: Singular item names for texts.
SINGULAR: tuple[str, ...] = ("book", "hat", "ball")
#: What the whole pool is worth to every agent.
TOTAL_VALUE = 10
#: Longest message ``say`` delivers (longer text is cut).
MESSAGE_LENGTH = 200
#: Draws of counts and valuations before :meth:`Bargain.new` gives up (never reached in practice).
_MAX_DRAWS = 1000

Share = tuple[int, ...]
Allocation = tuple[Share, ...]


class RuleError(ValueError):
    """A move the rules forbid now; the message says why and what is allowed."""


# ---- enumeration ------------------------------------------------------------------


@lru_cache(maxsize=64)
def value_vectors(counts: tuple[int, ...]) -> np.ndarray:
    """Every integer value vector ``v >= 0`` with ``counts . v == TOTAL_VALUE`` (rows, lexicographic)."""
    ranges = [range(TOTAL_VALUE // c + 1) for c in counts]
    rows = [v for v in itertools.product(*ranges) if sum(c * x for c, x in zip(counts, v)) == TOTAL_VALUE]
    table = np.array(rows, dtype=np.int64).reshape(-1, len(counts))
    table.setflags(write=False)
    return table


def _compositions(total: int, parts: int) -> list[tuple[int, ...]]:
    """Every way to write ``total`` as ``parts`` ordered non-negative integers."""
    if parts == 1:
        return [(total,)]
    return [(first, *rest) for first in range(total + 1) for rest in _compositions(total - first, parts - 1)]


@lru_cache(maxsize=256)
def allocations(counts: tuple[int, ...], players: int) -> np.ndarray:
    """Every allocation of the pool, as an ``(k, players, items)`` int array in a fixed order.

    The order is the product over item types of the ways to split that item's units
    among the agents, agent 0's share of each item varying slowest.
    """
    per_item = [_compositions(c, players) for c in counts]
    rows = [tuple(zip(*split)) for split in itertools.product(*per_item)]
    table = np.array(rows, dtype=np.int64).reshape(-1, players, len(counts))
    table.setflags(write=False)
    return table


def allocation_values(table: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``(k, players)`` integer value of each agent's share in each allocation of ``table``."""
    return np.einsum("kai,ai->ka", table, values)


def pareto_points(worth: np.ndarray) -> np.ndarray:
    """The distinct rows of ``worth`` (``(k, n)`` values in ``0..TOTAL_VALUE``) that no row dominates, sorted.

    A row is dominated when another is at least as large everywhere and larger once,
    that is when some row is at least ``row + e_i`` for an axis ``i``. On the value
    grid (``TOTAL_VALUE + 1`` per agent) a suffix-or over every axis says, for each
    cell, whether any row lies at or above it, so the test is one lookup per axis
    instead of a comparison of every pair.
    """
    players = worth.shape[1]
    side = TOTAL_VALUE + 2  # one spare cell per axis: row + e_i stays inside the grid
    occupied = np.zeros((side,) * players, dtype=bool)
    occupied[tuple(worth.T)] = True
    above = occupied
    for axis in range(players):
        above = np.flip(np.logical_or.accumulate(np.flip(above, axis), axis=axis), axis)
    points = np.argwhere(occupied)
    beaten = np.zeros(len(points), dtype=bool)
    for axis in range(players):
        shifted = points.copy()
        shifted[:, axis] += 1
        beaten |= above[tuple(shifted.T)]
    return points[~beaten]


@dataclass(frozen=True)
class Solution:
    """The exact solution concepts of one pool and valuation profile, in integer value units.

    Attributes:
        frontier: ``(f, players)`` distinct Pareto-optimal value vectors, sorted.
        nash_allocation: the first allocation (in :func:`allocations` order) with the
            largest product of values.
        nash_product: that product (integer; > 0 for every game :meth:`Bargain.new` makes).
    """

    frontier: np.ndarray
    nash_allocation: Allocation
    nash_product: int


def solve(counts: tuple[int, ...], values: np.ndarray) -> Solution:
    """The Pareto frontier and Nash bargaining solution of ``counts`` under ``values`` (``(players, items)``)."""
    key = tuple(tuple(int(v) for v in row) for row in values)
    return _solve(tuple(int(c) for c in counts), key)


@lru_cache(maxsize=4096)
def _solve(counts: tuple[int, ...], values: tuple[tuple[int, ...], ...]) -> Solution:
    # Cached: training resets draw the same (pool, valuations) pairs again and again.
    table = allocations(counts, len(values))
    worth = allocation_values(table, np.array(values, dtype=np.int64))
    frontier = pareto_points(worth)
    products = np.prod(worth, axis=1)
    best = int(np.argmax(products))
    nash = tuple(tuple(int(x) for x in share) for share in table[best])
    frontier.setflags(write=False)
    return Solution(frontier, nash, int(products[best]))


# ---- one game ---------------------------------------------------------------------


class Kind:
    """Event kinds of the game log."""

    PROPOSE = "propose"
    ACCEPT = "accept"
    REJECT = "reject"
    SAY = "say"
    INVALID = "invalid"
    DEAL = "deal"
    TIMEOUT = "timeout"


@dataclass
class Event:
    """One entry of the game log: who did what, and who perceives it (``None``: everyone)."""

    turn: int
    actor: int
    kind: str
    allocation: Allocation | None = None
    text: str = ""
    to: tuple[int, ...] | None = None


@dataclass
class Bargain:
    """The state of one negotiation (see the module docstring for the rules).

    Agents are numbered ``0 .. players - 1``; ``turn`` counts moves made so far and
    agent ``turn % players`` moves next.
    """

    counts: tuple[int, ...]
    values: np.ndarray
    max_turns: int
    solution: Solution
    turn: int = 0
    offer: Allocation | None = None
    offer_by: int = -1
    accepted: set[int] = field(default_factory=set)
    deal: Allocation | None = None
    log: list[Event] = field(default_factory=list)

    @classmethod
    def new(cls, rng: np.random.Generator, players: int = 2, max_count: int = 3, max_turns: int = 10) -> Bargain:
        """A random game: counts in ``1..max_count`` per item, valuations uniform among those worth 10.

        Draws again until every agent values the pool differently from some other agent
        and the Nash product is positive (a deal exists that gives every agent something).
        """
        if players < 2:
            raise ValueError(f"players must be at least 2, got {players}")
        if max_count < 1:
            raise ValueError(f"max_count must be at least 1, got {max_count}")
        if max_turns < 1:
            raise ValueError(f"max_turns must be at least 1, got {max_turns}")
        for _ in range(_MAX_DRAWS):
            counts = tuple(int(c) for c in rng.integers(1, max_count + 1, size=len(ITEMS)))
            table = value_vectors(counts)
            if len(table) < 2:
                continue
            values = table[rng.integers(len(table), size=players)]
            if all((values[0] == row).all() for row in values[1:]):
                continue
            solution = solve(counts, values)
            if solution.nash_product > 0:
                return cls(counts, values, max_turns, solution)
        raise RuntimeError("could not draw a negotiation game")  # pragma: no cover

    # ---- derived ----------------------------------------------------------------------

    @property
    def players(self) -> int:
        return int(self.values.shape[0])

    @property
    def current(self) -> int:
        """The agent who moves next."""
        return self.turn % self.players

    @property
    def over(self) -> bool:
        return self.deal is not None or self.turn >= self.max_turns

    def value_of(self, agent: int, share: Share) -> int:
        """What ``share`` is worth to ``agent`` (0..TOTAL_VALUE)."""
        row = self.values[agent]
        return int(sum(int(row[i]) * n for i, n in enumerate(share)))

    def worth(self, allocation: Allocation) -> tuple[int, ...]:
        """Each agent's value of its share of ``allocation``."""
        return tuple(self.value_of(a, share) for a, share in enumerate(allocation))

    def utilities(self, allocation: Allocation | None) -> tuple[float, ...]:
        """Normalised utilities in [0, 1] (all 0 for no deal)."""
        if allocation is None:
            return (0.0,) * self.players
        return tuple(v / TOTAL_VALUE for v in self.worth(allocation))

    def is_pareto_optimal(self, allocation: Allocation | None) -> bool:
        """Whether no allocation is at least as good for all and better for one (no deal: never)."""
        if allocation is None:
            return False
        point = np.array(self.worth(allocation))
        frontier = self.solution.frontier
        beats = (frontier >= point).all(axis=1) & (frontier > point).any(axis=1)
        return not bool(beats.any())

    def distance_to_frontier(self, allocation: Allocation | None) -> float:
        """Euclidean distance in normalised utility space to the nearest frontier point (0 when optimal)."""
        if self.is_pareto_optimal(allocation):
            return 0.0
        point = np.array(self.utilities(allocation))
        gaps = self.solution.frontier / TOTAL_VALUE - point
        return float(np.sqrt((gaps * gaps).sum(axis=1)).min())

    def nash_ratio(self, allocation: Allocation | None) -> float:
        """The deal's product of values over the Nash bargaining optimum, in [0, 1] (no deal: 0)."""
        if allocation is None:
            return 0.0
        product = 1
        for v in self.worth(allocation):
            product *= v
        return product / self.solution.nash_product

    def check_allocation(self, allocation: Allocation) -> None:
        """Raise :class:`RuleError` unless ``allocation`` hands out exactly the pool."""
        if len(allocation) != self.players or any(len(share) != len(ITEMS) for share in allocation):
            raise RuleError(f"an allocation gives each of the {self.players} agents a count of each item")
        for i, item in enumerate(ITEMS):
            given = [share[i] for share in allocation]
            if any(n < 0 for n in given):
                raise RuleError(f"counts cannot be negative ({item})")
            if sum(given) != self.counts[i]:
                raise RuleError(f"the {item} given out add up to {sum(given)}, but the pool has {self.counts[i]}")

    # ---- moves ----------------------------------------------------------------------

    def _start(self, agent: int) -> None:
        if self.over:
            raise RuleError("the negotiation is over")
        if agent != self.current:
            raise RuleError(f"it is agent {self.current}'s turn, not agent {agent}'s")

    def _end_turn(self) -> None:
        self.turn += 1
        if self.deal is None and self.turn >= self.max_turns:
            self.log.append(Event(self.turn, -1, Kind.TIMEOUT))

    def propose(self, agent: int, allocation: Allocation) -> None:
        """Put ``allocation`` on the table (replacing any offer); the proposer accepts it."""
        self._start(agent)
        self.check_allocation(allocation)
        self.offer = tuple(tuple(int(n) for n in share) for share in allocation)
        self.offer_by = agent
        self.accepted = {agent}
        self.log.append(Event(self.turn, agent, Kind.PROPOSE, self.offer))
        self._end_turn()

    def accept(self, agent: int) -> None:
        """Accept the offer on the table; the deal is struck once every agent has."""
        self._start(agent)
        if self.offer is None:
            raise RuleError("there is no offer to accept; propose one")
        if agent in self.accepted:
            raise RuleError("you have already accepted the offer on the table")
        self.accepted.add(agent)
        self.log.append(Event(self.turn, agent, Kind.ACCEPT, self.offer))
        if len(self.accepted) == self.players:
            self.deal = self.offer
            self.log.append(Event(self.turn, agent, Kind.DEAL, self.offer))
        self._end_turn()

    def reject(self, agent: int) -> None:
        """Reject the offer on the table (it is withdrawn)."""
        self._start(agent)
        if self.offer is None:
            raise RuleError("there is no offer to reject")
        if agent == self.offer_by:
            raise RuleError("you cannot reject your own offer; propose another instead")
        self.log.append(Event(self.turn, agent, Kind.REJECT, self.offer))
        self.offer, self.offer_by, self.accepted = None, -1, set()
        self._end_turn()

    def say(self, agent: int, text: str, to: int | None = None) -> None:
        """Send ``text`` (cut to :data:`MESSAGE_LENGTH`) to agent ``to``, or to all others."""
        self._start(agent)
        if to is not None and (to == agent or not 0 <= to < self.players):
            raise RuleError("a message goes to another agent")
        recipients = tuple(a for a in range(self.players) if a != agent) if to is None else (to,)
        self.log.append(Event(self.turn, agent, Kind.SAY, text=text[:MESSAGE_LENGTH], to=(agent, *recipients)))
        self._end_turn()

    def forfeit(self, agent: int, what: str = "") -> None:
        """Spend ``agent``'s turn on an invalid action (seen by ``agent`` alone)."""
        self._start(agent)
        self.log.append(Event(self.turn, agent, Kind.INVALID, text=what, to=(agent,)))
        self._end_turn()
