"""Negotiation rules: move tables, and the solution concepts against brute force on small pools."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentic_gym.envs.multi.negotiation_logic import (
    TOTAL_VALUE,
    Bargain,
    Kind,
    RuleError,
    allocations,
    solve,
    value_vectors,
)


def brute_allocations(counts: tuple[int, ...], players: int) -> list[tuple[tuple[int, ...], ...]]:
    """Every allocation, by nested loops over each agent's count of each item."""
    found = []
    for flat in itertools.product(*[range(c + 1) for c in counts for _ in range(players)]):
        shares = [[flat[i * players + a] for i in range(len(counts))] for a in range(players)]
        if all(sum(s[i] for s in shares) == counts[i] for i in range(len(counts))):
            found.append(tuple(tuple(s) for s in shares))
    return found


def brute_solution(counts, values):
    allocs = brute_allocations(counts, len(values))
    worth = [tuple(sum(v * n for v, n in zip(values[a], share)) for a, share in enumerate(al)) for al in allocs]
    frontier = set()
    for p in worth:
        if not any(all(q[i] >= p[i] for i in range(len(p))) and q != p for q in worth):
            frontier.add(p)
    best = max(math.prod(p) for p in worth)
    return allocs, worth, frontier, best


def game(counts, values, max_turns=10) -> Bargain:
    values = np.array(values)
    return Bargain(tuple(counts), values, max_turns, solve(tuple(counts), values))


@pytest.mark.parametrize("counts", [(1, 1, 1), (3, 2, 1), (2, 2, 2), (1, 3, 4)])
@pytest.mark.parametrize("players", [2, 3])
def test_allocations_match_brute_force(counts, players):
    table = allocations(counts, players)
    got = sorted(tuple(tuple(int(x) for x in share) for share in row) for row in table)
    assert got == sorted(brute_allocations(counts, players))
    assert len(set(got)) == len(got)


@pytest.mark.parametrize("counts", [(1, 1, 1), (3, 2, 1), (2, 1, 4), (5, 1, 1)])
def test_value_vectors_are_all_worth_ten(counts):
    table = value_vectors(counts)
    brute = [v for v in itertools.product(range(11), repeat=3) if sum(c * x for c, x in zip(counts, v)) == TOTAL_VALUE]
    assert sorted(map(tuple, table.tolist())) == sorted(brute)


small_games = st.tuples(
    st.tuples(*[st.integers(1, 3)] * 3),
    st.integers(2, 3),
    st.integers(0, 2**32 - 1),
)


@given(small_games)
def test_solution_matches_brute_force(params):
    counts, players, seed = params
    table = value_vectors(counts)
    if len(table) == 0:
        return
    rng = np.random.default_rng(seed)
    values = table[rng.integers(len(table), size=players)]
    solution = solve(counts, values)
    allocs, worth, frontier, best = brute_solution(counts, values.tolist())
    assert {tuple(int(x) for x in p) for p in solution.frontier} == frontier
    assert solution.nash_product == best
    assert math.prod(worth[allocs.index(solution.nash_allocation)]) == best
    g = Bargain(counts, values, 10, solution)
    for al, p in zip(allocs, worth):
        assert g.is_pareto_optimal(al) == (p in frontier)
        distance = g.distance_to_frontier(al)
        expected = min(math.dist([x / 10 for x in p], [x / 10 for x in f]) for f in frontier)
        assert distance == pytest.approx(expected)
        assert (distance == 0) == (p in frontier)
        if best:
            assert g.nash_ratio(al) == pytest.approx(math.prod(p) / best)


# Table: (counts, values, allocation, pareto, nash_ratio)
CASES = [
    # Disjoint interests: each takes what it values; the unique frontier point is (10, 10).
    ((2, 1, 1), [[5, 0, 0], [0, 5, 5]], ((2, 0, 0), (0, 1, 1)), True, 1.0),
    ((2, 1, 1), [[5, 0, 0], [0, 5, 5]], ((1, 0, 0), (1, 1, 1)), False, 0.5),
    ((2, 1, 1), [[5, 0, 0], [0, 5, 5]], ((2, 1, 1), (0, 0, 0)), False, 0.0),
    # Identical interests: every split is Pareto optimal; the Nash solution halves the value.
    ((2, 2, 2), [[1, 2, 2], [1, 2, 2]], ((1, 1, 1), (1, 1, 1)), True, 1.0),
    ((2, 2, 2), [[1, 2, 2], [1, 2, 2]], ((2, 2, 2), (0, 0, 0)), True, 0.0),
    ((2, 2, 2), [[1, 2, 2], [1, 2, 2]], ((2, 2, 0), (0, 0, 2)), True, 24 / 25),
]


@pytest.mark.parametrize(("counts", "values", "allocation", "pareto", "ratio"), CASES)
def test_solution_concept_table(counts, values, allocation, pareto, ratio):
    g = game(counts, values)
    assert g.is_pareto_optimal(allocation) is pareto
    assert g.nash_ratio(allocation) == pytest.approx(ratio)
    assert (g.distance_to_frontier(allocation) == 0.0) is pareto


def test_no_deal_scores_zero_and_is_off_the_frontier():
    g = game((2, 1, 1), [[5, 0, 0], [0, 5, 5]])
    assert g.utilities(None) == (0.0, 0.0)
    assert g.nash_ratio(None) == 0.0
    assert not g.is_pareto_optimal(None)
    assert g.distance_to_frontier(None) == pytest.approx(math.sqrt(2))


# Move table: (moves, error or None, deal reached)
MOVE_CASES = [
    ([("propose", 0, ((2, 0, 0), (0, 1, 1))), ("accept", 1)], None, True),
    ([("accept", 0)], "no offer to accept", False),
    ([("reject", 0)], "no offer to reject", False),
    ([("propose", 0, ((2, 0, 0), (0, 1, 1))), ("reject", 1), ("accept", 0)], "no offer to accept", False),
    ([("propose", 0, ((2, 0, 0), (0, 0, 1)))], "hats given out add up to 0", False),
    ([("propose", 0, ((3, 0, 0), (-1, 1, 1)))], "cannot be negative", False),
    ([("propose", 0, ((2, 0, 0),))], "each of the 2 agents", False),
    ([("accept", 1)], "turn", False),
    ([("propose", 0, ((2, 0, 0), (0, 1, 1))), ("say", 1, "hi"), ("accept", 0)], "already accepted", False),
    ([("propose", 0, ((2, 0, 0), (0, 1, 1))), ("say", 1, "hi"), ("reject", 0)], "own offer", False),
    ([("say", 0, "hello", 0)], "another agent", False),
]


def play(g: Bargain, move) -> None:
    kind, agent, *rest = move
    if kind == "propose":
        g.propose(agent, rest[0])
    elif kind == "say":
        g.say(agent, rest[0], *rest[1:])
    else:
        getattr(g, kind)(agent)


@pytest.mark.parametrize(("moves", "error", "deal"), MOVE_CASES)
def test_move_table(moves, error, deal):
    g = game((2, 1, 1), [[5, 0, 0], [0, 5, 5]])
    if error is None:
        for move in moves:
            play(g, move)
    else:
        for move in moves[:-1]:
            play(g, move)
        turn = g.turn
        with pytest.raises(RuleError, match=error):
            play(g, moves[-1])
        assert g.turn == turn  # a refused move changes nothing
    assert (g.deal is not None) is deal
    assert g.over is deal


def test_turn_limit_ends_without_deal_and_forfeit_spends_a_turn():
    g = game((2, 1, 1), [[5, 0, 0], [0, 5, 5]], max_turns=3)
    g.say(0, "x" * 500)
    assert len(g.log[-1].text) == 200
    g.forfeit(1, "bad")
    assert g.log[-1].to == (1,)
    g.propose(0, ((2, 0, 0), (0, 1, 1)))
    assert g.over and g.deal is None and g.log[-1].kind == Kind.TIMEOUT
    with pytest.raises(RuleError, match="over"):
        g.accept(1)


def test_three_agents_need_unanimity():
    g = game((1, 1, 1), [[10, 0, 0], [0, 10, 0], [0, 0, 10]])
    offer = ((1, 0, 0), (0, 1, 0), (0, 0, 1))
    g.propose(0, offer)
    g.accept(1)
    assert g.deal is None
    g.accept(2)
    assert g.deal == offer and g.nash_ratio(offer) == 1.0


@pytest.mark.parametrize("players", [2, 3])
def test_new_games_are_reproducible_and_have_a_positive_nash_product(players):
    for seed in range(30):
        a = Bargain.new(np.random.default_rng(seed), players=players, max_count=3)
        b = Bargain.new(np.random.default_rng(seed), players=players, max_count=3)
        assert a.counts == b.counts and (a.values == b.values).all()
        assert a.solution.nash_product > 0
        assert (a.values @ np.array(a.counts) == TOTAL_VALUE).all()
        assert a.is_pareto_optimal(a.solution.nash_allocation)


@pytest.mark.parametrize(("kwargs", "message"), [({"players": 1}, "players"), ({"max_count": 0}, "max_count"),
                                                 ({"max_turns": 0}, "max_turns")])
def test_new_validates_its_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Bargain.new(np.random.default_rng(0), **kwargs)
