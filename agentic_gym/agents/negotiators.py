"""Built-in Negotiation opponents of graded strength, for fixed and reproducible seats.

Each plays one seat of :mod:`agentic_gym.envs.multi.negotiation_v0` natively: it
reads only that seat's ``info`` (``agent``, ``players``, ``pool``, its own
``values``, ``offer``, ``accepted``, ``turn``, ``turns_left``), never another
agent's values, and answers with a canonical command string. Ties are broken by
the agent's own seeded RNG, so a seed fixes its play.

From weakest to strongest, by how much of the pool it secures:

* :class:`AlwaysAccept` accepts any offer and proposes an even split of the items.
* :class:`FairSplit` accepts an offer worth at least its fair share (``10 / players``)
  and proposes the allocation that gives the others the most items while keeping
  its fair share.
* :class:`Greedy` demands everything it values (giving away what it does not) and
  accepts only offers worth at least 8 of 10.
* :class:`ToughBargainer` starts by demanding everything it values and concedes slowly
  (a Boulware curve from 10 down to 5 of 10 as the turns run out), accepting any offer
  that meets its current aspiration, and any offer worth something on its last move.

Example:
    >>> from agentic_gym.envs.multi import negotiation_v0
    >>> env = negotiation_v0.env(variant="2p")
    >>> env.reset(seed=0)
    >>> seats = {"player_0": FairSplit(seed=0), "player_1": AlwaysAccept(seed=1)}
    >>> for agent in env.agent_iter():
    ...     obs, reward, terminated, truncated, info = env.last()
    ...     env.step(None if terminated or truncated else seats[agent].act(obs, info))
    >>> info["success"]
    True
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from agentic_gym.core import Command
from agentic_gym.envs.multi.negotiation_logic import ITEMS, TOTAL_VALUE, allocations


class Negotiator:
    """The shared machinery: reading a seat's info, valuing and choosing allocations.

    A subclass implements :meth:`decide`. Instances are agent factories too:
    ``Negotiator(env, seed)`` (``env`` is accepted and ignored).

    Args:
        env: ignored (the factory signature ``factory(env, seed)``).
        seed: seed of the tie-breaking RNG.
    """

    uses_chat = False
    name = "negotiator"

    def __init__(self, env: Any = None, seed: int | None = None):
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    def reset(self, info: dict[str, Any]) -> None:
        """Nothing to forget: every decision is made from the current info."""

    def act(self, observation: Any, info: dict[str, Any]) -> str:
        if info.get("turns_left", 1) <= 0:
            return "accept"
        return self.decide(Seat(info))

    def decide(self, seat: Seat) -> str:
        """The command for the seat's current view."""
        raise TypeError(f"{type(self).__name__} must define decide()")

    # ---- helpers ----------------------------------------------------------------------

    def propose_best(self, seat: Seat, floor: float) -> str:
        """Propose, among allocations worth at least ``floor`` to the seat, one giving the others the most items.

        Ties go to the higher own value, then to the RNG. With no allocation that good,
        the seat's best allocation is proposed.
        """
        own, given = seat.own_values, seat.items_given
        ok = np.flatnonzero(own >= floor - 1e-9)
        if len(ok) == 0:
            ok = np.flatnonzero(own == own.max())
        best_given = given[ok].max()
        ok = ok[given[ok] == best_given]
        ok = ok[own[ok] == own[ok].max()]
        choice = int(ok[int(self.rng.integers(len(ok)))])
        return seat.propose(choice)


class Seat:
    """One seat's view of the game, read from its ``info`` (see the module docstring)."""

    def __init__(self, info: dict[str, Any]):
        self.agent: str = info["agent"]
        self.players: list[str] = list(info["players"])
        self.me = self.players.index(self.agent)
        self.counts = tuple(int(info["pool"][item]) for item in ITEMS)
        self.values = np.array([int(info["values"][item]) for item in ITEMS])
        self.offer = info.get("offer")
        self.accepted = set(info.get("accepted") or ())
        self.turn = int(info.get("turn", 0))
        self.turns_left = int(info.get("turns_left", 1))
        self.table = allocations(self.counts, len(self.players))
        self.own_values = self.table[:, self.me, :] @ self.values
        self.items_given = self.table.sum(axis=2).sum(axis=1) - self.table[:, self.me, :].sum(axis=1)

    @property
    def has_open_offer(self) -> bool:
        """An offer is on the table that this seat has not yet accepted."""
        return self.offer is not None and self.agent not in self.accepted

    def offered_value(self) -> int:
        """What the offer on the table gives this seat (0 with no offer)."""
        if self.offer is None:
            return 0
        share = self.offer[self.agent]
        return int(sum(int(share[item]) * int(v) for item, v in zip(ITEMS, self.values)))

    def propose(self, index: int) -> str:
        """The canonical ``propose`` command of allocation ``index`` of :attr:`table`."""
        row = self.table[index]
        args = {f"{agent}_{item}": int(row[a, i]) for a, agent in enumerate(self.players) for i, item in enumerate(ITEMS)}
        return str(Command("propose", args))


class AlwaysAccept(Negotiator):
    """Accepts every offer; proposes an even split of the items (the weakest opponent)."""

    name = "always_accept"

    def decide(self, seat: Seat) -> str:
        if seat.has_open_offer:
            return "accept"
        n = len(seat.players)
        # Each item type split as evenly as possible; the odd units go to the others first.
        order = [a for a in range(n) if a != seat.me] + [seat.me]
        share = np.zeros((n, len(ITEMS)), dtype=np.int64)
        for i, count in enumerate(seat.counts):
            for k in range(count):
                share[order[k % n], i] += 1
        index = int(np.flatnonzero((seat.table == share).all(axis=(1, 2)))[0])
        return seat.propose(index)


class FairSplit(Negotiator):
    """Accepts its fair share (``10 / players``) and offers the others as many items as it can beside it."""

    name = "fair_split"

    def decide(self, seat: Seat) -> str:
        fair = math.ceil(TOTAL_VALUE / len(seat.players))
        if seat.has_open_offer and seat.offered_value() >= fair:
            return "accept"
        return self.propose_best(seat, fair)


class Greedy(Negotiator):
    """Demands everything it values and accepts only offers worth at least 8 of 10."""

    name = "greedy"
    threshold = 8

    def decide(self, seat: Seat) -> str:
        if seat.has_open_offer and seat.offered_value() >= self.threshold:
            return "accept"
        return self.propose_best(seat, float(seat.own_values.max()))


class ToughBargainer(Negotiator):
    """Concedes slowly (10 down to 5 of 10 along a Boulware curve); on its last move any offer worth something will do."""

    name = "tough"
    floor = 5.0
    exponent = 3.0

    def aspiration(self, seat: Seat) -> float:
        total = seat.turn + seat.turns_left
        progress = seat.turn / total if total else 1.0
        return TOTAL_VALUE - (TOTAL_VALUE - self.floor) * progress**self.exponent

    def decide(self, seat: Seat) -> str:
        target = self.aspiration(seat)
        if seat.turns_left <= len(seat.players):
            target = 1.0  # its last move: any deal beats no deal
        if seat.has_open_offer and seat.offered_value() >= target - 1e-9:
            return "accept"
        return self.propose_best(seat, target)


#: Opponents by name, weakest first.
NEGOTIATORS: dict[str, type[Negotiator]] = {
    cls.name: cls for cls in (AlwaysAccept, FairSplit, Greedy, ToughBargainer)
}

__all__ = ["NEGOTIATORS", "AlwaysAccept", "FairSplit", "Greedy", "Negotiator", "Seat", "ToughBargainer"]
