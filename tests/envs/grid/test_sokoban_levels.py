"""Sokoban level logic on its own: push rules, reverse-play generation and the solver."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentic_gym.envs.grid.engine import Direction
from agentic_gym.envs.grid.sokoban_levels import (
    Outcome,
    SokobanConfig,
    SokobanState,
    generate_level,
    live_cells,
    move_offsets,
    solve,
)

# The registered variants: (size, boxes, step limit).
VARIANTS = [(6, 1, 120), (8, 2, 160), (10, 3, 200)]


def config_of(size: int, boxes: int, limit: int) -> SokobanConfig:
    return SokobanConfig(size, size, boxes=boxes, max_moves=min(16 * size, limit))


# ---- push rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "before, move, outcome, after",
    [
        ("#####\n#@--#\n#####", Direction.EAST, Outcome.MOVED, "#####\n#-@-#\n#####"),
        ("#####\n#@$-#\n#####", Direction.EAST, Outcome.PUSHED, "#####\n#-@$#\n#####"),
        ("#####\n#-@$#\n#####", Direction.EAST, Outcome.BLOCKED, "#####\n#-@$#\n#####"),
        ("######\n#@$$-#\n######", Direction.EAST, Outcome.BLOCKED, "######\n#@$$-#\n######"),
        ("#####\n#@--#\n#####", Direction.WEST, Outcome.BLOCKED, "#####\n#@--#\n#####"),
        ("#####\n#$@-#\n#####", Direction.EAST, Outcome.MOVED, "#####\n#$-@#\n#####"),  # never a pull
        ("#####\n#@$.#\n#####", Direction.EAST, Outcome.PUSHED, "#####\n#-@*#\n#####"),
        ("######\n#@*-.#\n######", Direction.EAST, Outcome.PUSHED, "######\n#-+$.#\n######"),
        ("###\n#@#\n#$#\n#-#\n###", Direction.SOUTH, Outcome.PUSHED, "###\n#-#\n#@#\n#$#\n###"),
        ("###\n#-#\n#$#\n#@#\n###", Direction.NORTH, Outcome.PUSHED, "###\n#$#\n#@#\n#-#\n###"),
    ],
)
def test_push_rules(before: str, move: Direction, outcome: Outcome, after: str):
    state = SokobanState.from_text(before)
    assert state.outcome(move) is outcome
    assert state.to_text() == before, "outcome() must not change the state"
    assert state.move(move) is outcome
    assert state.to_text() == after


def test_text_round_trip_and_solved():
    text = "######\n#+$-.#\n#-*--#\n######"
    state = SokobanState.from_text(text)
    assert state.to_text() == text
    assert state.boxes_on_targets == 1 and not state.solved
    assert SokobanState.from_text("####\n#@*#\n####").solved
    with pytest.raises(ValueError):
        SokobanState.from_text("####\n#$.#\n####")


# ---- generation ----------------------------------------------------------------------


def _connected(width: int, walls: bytes, start: int) -> set[int]:
    seen, todo = {start}, [start]
    while todo:
        c = todo.pop()
        for o in move_offsets(width):
            if not walls[c + o] and c + o not in seen:
                seen.add(c + o)
                todo.append(c + o)
    return seen


def check_level(level, config: SokobanConfig) -> None:
    """Everything a generated level promises."""
    w, h, walls = level.width, level.height, level.walls
    assert len(walls) == w * h
    border = [c for c in range(w * h) if c % w in (0, w - 1) or c // w in (0, h - 1)]
    assert all(walls[c] for c in border), "the border must be wall"
    assert len(level.boxes) == len(level.targets) == config.boxes
    assert len(set(level.boxes)) == config.boxes and len(set(level.targets)) == config.boxes
    assert not any(walls[c] for c in (*level.boxes, *level.targets, level.player))
    assert level.player not in level.boxes
    assert not set(level.boxes) & set(level.targets), "a box starts on a target"
    floor = {c for c in range(w * h) if not walls[c]}
    assert _connected(w, walls, level.player) == floor, "every floor cell is in one room"
    bound = sum(min(abs(b % w - t % w) + abs(b // w - t // w) for t in level.targets) for b in level.boxes)
    assert bound >= config.n_min_pushes, "too few pushes"
    rows, cols = {t // w for t in level.targets}, {t % w for t in level.targets}
    assert any(b // w not in rows and b % w not in cols for b in level.boxes), "no box needs a turn"
    assert level.reverse_moves <= config.n_max_moves


def play(state: SokobanState, moves: list[Direction]) -> SokobanState:
    """Apply ``moves``, checking the state invariants after each one."""
    n_boxes = len(state.boxes)
    for move in moves:
        assert state.move(move) is not Outcome.BLOCKED, "a plan never bumps"
        boxes = state.boxes
        assert len(boxes) == n_boxes, "boxes are never lost or merged"
        assert not any(state.walls[b] for b in boxes), "a box overlaps a wall"
        assert all(0 <= b < state.width * state.height for b in boxes)
        assert state.player not in boxes and not state.walls[state.player]
    return state


@pytest.mark.parametrize("size, boxes, limit", VARIANTS)
def test_generated_levels_are_valid_and_solved_by_the_solver_and_the_reverse_play(size, boxes, limit):
    config = config_of(size, boxes, limit)
    rng = np.random.default_rng(1234)
    for _ in range(30):
        level = generate_level(rng, config)
        check_level(level, config)
        plan = solve(level)
        assert plan is not None and len(plan) <= limit
        assert level.reverse_moves <= limit
        assert play(level.state(), plan).solved
        backwards = level.reverse_solution()
        assert len(backwards) == level.reverse_moves
        assert play(level.state(), backwards).solved


@given(seed=st.integers(0, 2**63 - 1), variant=st.sampled_from(VARIANTS))
def test_any_seed_gives_a_level_the_solver_finishes_within_the_step_limit(seed, variant):
    size, boxes, limit = variant
    config = config_of(size, boxes, limit)
    level = generate_level(np.random.default_rng(seed), config)
    check_level(level, config)
    plan = solve(level)
    assert plan is not None and len(plan) <= limit
    assert play(level.state(), plan).solved


@given(seed=st.integers(0, 2**32 - 1), moves=st.lists(st.sampled_from(list(Direction)), max_size=80))
def test_random_play_keeps_boxes_inside_and_off_walls(seed, moves):
    level = generate_level(np.random.default_rng(seed), config_of(8, 2, 160))
    state = level.state()
    for move in moves:
        before = state.to_text()
        outcome = state.move(move)
        if outcome is Outcome.BLOCKED:
            assert state.to_text() == before
        boxes = state.boxes
        assert len(boxes) == 2 and not any(state.walls[b] for b in boxes)
        assert state.player not in boxes and not state.walls[state.player]
        assert state.to_text().count("#") == before.count("#"), "walls never move"


def test_generation_is_deterministic_by_seed():
    config = config_of(10, 3, 200)
    a = [generate_level(np.random.default_rng(s), config) for s in range(20)]
    b = [generate_level(np.random.default_rng(s), config) for s in range(20)]
    assert a == b
    assert len({level.to_text() for level in a}) == 20, "seeds should give different levels"


def test_config_rejects_impossible_rooms():
    with pytest.raises(ValueError):
        SokobanConfig(4, 4)
    with pytest.raises(ValueError):
        SokobanConfig(6, 6, boxes=3)
    with pytest.raises(ValueError):
        SokobanConfig(20, 20, boxes=7)
    with pytest.raises(ValueError):
        SokobanConfig(5, 8)


@pytest.mark.parametrize("size, boxes", [(6, 2), (7, 3), (9, 4), (12, 6), (20, 6)])
def test_the_densest_allowed_rooms_still_generate_solvable_levels(size, boxes):
    config = SokobanConfig(size, size, boxes=boxes)
    level = generate_level(np.random.default_rng(size), config)
    check_level(level, config)
    assert play(level.state(), level.reverse_solution()).solved
    with pytest.raises(ValueError):
        SokobanConfig(8, 8, obstacles=-1)


# ---- the solver ----------------------------------------------------------------------


def fewest_pushes(state: SokobanState) -> int | None:
    """Plain breadth-first search over pushes, no pruning: the reference for the solver."""
    width, walls = state.width, state.walls
    goal = tuple(sorted(state.targets))

    def region(player, boxes):
        seen, todo = {player}, [player]
        while todo:
            c = todo.pop()
            for o in move_offsets(width):
                if not walls[c + o] and c + o not in boxes and c + o not in seen:
                    seen.add(c + o)
                    todo.append(c + o)
        return seen

    start = (state.player, state.boxes)
    queue = deque([(start, 0)])
    seen = set()
    while queue:
        (player, boxes), pushes = queue.popleft()
        if boxes == goal:
            return pushes
        reach = region(player, set(boxes))
        key = (min(reach), boxes)
        if key in seen:
            continue
        seen.add(key)
        for i, b in enumerate(boxes):
            for o in move_offsets(width):
                to = b + o
                if b - o in reach and not walls[to] and to not in boxes:
                    queue.append(((b, tuple(sorted(boxes[:i] + (to,) + boxes[i + 1 :]))), pushes + 1))
    return None


def count_pushes(state: SokobanState, plan: list[Direction]) -> int:
    return sum(state.move(m) is Outcome.PUSHED for m in plan)


@pytest.mark.parametrize("size, boxes, limit", VARIANTS[:2])
def test_solver_uses_the_fewest_pushes(size, boxes, limit):
    rng = np.random.default_rng(7)
    for _ in range(8):
        level = generate_level(rng, config_of(size, boxes, limit))
        best = fewest_pushes(level.state())
        quick, short = solve(level), solve(level, fewest_moves=True)
        assert quick is not None and short is not None
        assert count_pushes(level.state(), quick) == count_pushes(level.state(), short) == best
        assert len(short) <= len(quick)


def test_solver_on_solved_lost_and_hand_made_positions():
    assert solve(SokobanState.from_text("####\n#@*#\n####")) == []
    # A box in a corner that is not a target can never move again.
    lost = SokobanState.from_text("#####\n#$-.#\n#-@-#\n#####")
    assert solve(lost) is None
    assert not live_cells(lost.width, lost.walls, lost.targets)[lost.boxes[0]]
    # Two boxes side by side against a wall freeze each other: pruned, yet the other route is found.
    state = SokobanState.from_text("#######\n#-----#\n#-$$--#\n#-@---#\n#..---#\n#######")
    plan = solve(state)
    assert plan is not None and play(state.copy(), plan).solved
    assert count_pushes(state.copy(), plan) == fewest_pushes(state.copy())


def test_solver_reports_unsolvable_and_budget():
    # Both boxes are live on their own, but the second can never turn the corner to its target.
    blocked = SokobanState.from_text("#######\n#@-$$.#\n####-.#\n#######")
    assert all(live_cells(blocked.width, blocked.walls, blocked.targets)[b] for b in blocked.boxes)
    assert solve(blocked) is None
    level = generate_level(np.random.default_rng(3), config_of(10, 3, 200))
    assert solve(level, max_states=1) is None
    assert solve(level) is not None


@given(st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_the_matching_bound_is_the_cheapest_assignment(n, seed):
    """The solver's bound (dynamic programming over target sets) equals the minimum over
    every assignment of boxes to targets, so the search and its plans are unchanged."""
    import itertools

    from agentic_gym.envs.grid.sokoban_levels import _matching_bound

    rng = np.random.default_rng(seed)
    cells = 40
    per_target = [rng.integers(0, 30, cells).tolist() for _ in range(n)]
    bound = _matching_bound(per_target)
    for _ in range(20):
        boxes = tuple(int(b) for b in rng.choice(cells, n, replace=False))
        expected = min(sum(dist[b] for dist, b in zip(assignment, boxes, strict=True))
                       for assignment in itertools.permutations(per_target))
        assert bound(boxes) == expected
