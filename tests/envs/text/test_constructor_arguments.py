"""Every constructor argument of the text and tool envs is checked up front.

A wrong type or value fails in the constructor with a ``TypeError`` or ``ValueError``
naming the argument and its valid range, never as a crash inside ``reset``; at the
documented limits a reset stays under 50 ms.
"""

from __future__ import annotations

import time

import pytest

from agentic_gym.envs.text.adventure import TextAdventure
from agentic_gym.envs.text.codebreaker import Codebreaker
from agentic_gym.envs.text.recall import Recall
from agentic_gym.envs.tool.tool_math import ToolMath
from agentic_gym.envs.tool.travel_desk import TravelDesk

RESET_LIMIT = 0.050

BAD_ARGUMENTS = [
    (TextAdventure, {"size": "8rooms"}, ValueError, "size must be one of '1room', '3rooms', '6rooms', '12rooms', '24rooms'"),
    (TextAdventure, {"size": ["3rooms"]}, ValueError, "size must be one of"),
    (TextAdventure, {"progress_reward": "0.5"}, TypeError, "progress_reward must be a number in [0.0, 1.0)"),
    (TextAdventure, {"progress_reward": 1.0}, ValueError, "progress_reward must be a number in [0.0, 1.0)"),
    (TextAdventure, {"progress_reward": float("nan")}, ValueError, "progress_reward"),
    (TextAdventure, {"render_mode": "video"}, ValueError, "render_mode must be one of"),
    (Recall, {"facts": "8"}, TypeError, "facts must be an integer in 1..200"),
    (Recall, {"facts": 1000}, ValueError, "facts must be an integer in 1..200"),
    (Recall, {"facts": 5.0}, TypeError, "facts must be an integer"),
    (Recall, {"questions": 0}, ValueError, "questions must be an integer in 1..10"),
    (Recall, {"questions": 30, "facts": 100}, ValueError, "questions must be an integer in 1..10"),
    (Recall, {"corrections": -1}, ValueError, "corrections must be an integer in 0..100"),
    (Recall, {"corrections": 4, "facts": 6}, ValueError, "corrections must be at most half the facts (0..3)"),
    (Recall, {"hops": True}, TypeError, "hops must be an integer in 1..2"),
    (Recall, {"hops": 3}, ValueError, "hops must be an integer in 1..2"),
    (Recall, {"facts": 5, "questions": 2, "hops": 2}, ValueError, "facts must be in 6..200"),
    (Codebreaker, {"pegs": "4"}, TypeError, "pegs must be an integer in 1..6"),
    (Codebreaker, {"pegs": 9}, ValueError, "pegs must be an integer in 1..6"),
    (Codebreaker, {"colours": 1}, ValueError, "colours must be an integer in 2..8"),
    (Codebreaker, {"max_guesses": 0}, ValueError, "max_guesses must be an integer in 1..100"),
    (Codebreaker, {"max_guesses": 10**9}, ValueError, "max_guesses must be an integer in 1..100"),
    (Codebreaker, {"words": "yes"}, TypeError, "words must be True or False"),
    (Codebreaker, {"pegs": 6, "colours": 8}, ValueError, "colours ** pegs must be at most 32768"),
    (ToolMath, {"steps": "4"}, TypeError, "steps must be an integer in 2..10"),
    (ToolMath, {"steps": 11}, ValueError, "steps must be an integer in 2..10"),
    (ToolMath, {"domains": "shopping"}, TypeError, "domains must be a list or tuple of some of 'shopping'"),
    (ToolMath, {"domains": ()}, ValueError, "domains must name at least one of"),
    (ToolMath, {"domains": ("cooking",)}, ValueError, "domains must name at least one of"),
    (ToolMath, {"fault_rate": 1}, ValueError, "fault_rate must be a number in [0.0, 1.0)"),
    (ToolMath, {"fault_rate": "0.1"}, TypeError, "fault_rate must be a number in [0.0, 1.0)"),
    (ToolMath, {"tool_budget": 0}, ValueError, "tool_budget must be an integer in 1..10000"),
    (ToolMath, {"tool_budget": 2.5}, TypeError, "tool_budget must be an integer in 1..10000"),
    (ToolMath, {"tool_budget": False}, TypeError, "tool_budget must be an integer"),
    (TravelDesk, {"difficulty": "extreme"}, ValueError, "difficulty must be one of 'easy', 'medium', 'hard'"),
    (TravelDesk, {"difficulty": None}, ValueError, "difficulty must be one of"),
    (TravelDesk, {"n_cities": 3}, ValueError, "n_cities must be an integer in 4..42"),
    (TravelDesk, {"n_cities": "10"}, TypeError, "n_cities must be an integer in 4..42"),
    (TravelDesk, {"templates": "cheapest_flight"}, TypeError, "templates must be a list or tuple of some of"),
    (TravelDesk, {"templates": ["no_such_template"]}, ValueError, "templates must name at least one of"),
    (TravelDesk, {"fault_rate": -0.1}, ValueError, "fault_rate must be a number in [0.0, 1.0)"),
]


@pytest.mark.parametrize(("env_class", "kwargs", "error", "message"), BAD_ARGUMENTS,
                         ids=[f"{c.__name__}-{'-'.join(k)}-{i}" for i, (c, k, _, _) in enumerate(BAD_ARGUMENTS)])
def test_a_bad_argument_fails_in_the_constructor_naming_its_range(env_class, kwargs, error, message):
    with pytest.raises(error) as raised:
        env_class(**kwargs)
    assert message in str(raised.value)


LIMITS = [
    (TextAdventure, {"size": "12rooms", "progress_reward": 0.99}),
    (Recall, {"facts": 200, "questions": 10, "corrections": 50, "hops": 2}),
    (Recall, {"facts": 200, "questions": 1, "corrections": 100}),
    (Recall, {"facts": 31, "questions": 10, "corrections": 0, "hops": 2}),
    (Recall, {"facts": 21, "questions": 10, "corrections": 10}),
    (Codebreaker, {"pegs": 5, "colours": 8, "max_guesses": 100}),
    (Codebreaker, {"pegs": 6, "colours": 5}),
    (Codebreaker, {"pegs": 1, "colours": 2, "max_guesses": 1}),
    (Codebreaker, {"words": True}),
    (ToolMath, {"steps": 10, "fault_rate": 0.99, "tool_budget": 10_000}),
    (ToolMath, {"steps": 2, "domains": ["travel"], "tool_budget": 1}),
    (TravelDesk, {"difficulty": "hard", "n_cities": 42, "fault_rate": 0.5, "tool_budget": 10_000}),
    (TravelDesk, {"difficulty": "easy", "n_cities": 4, "templates": {"cheapest_flight"}}),
]


@pytest.mark.parametrize(("env_class", "kwargs"), LIMITS, ids=[f"{c.__name__}-{i}" for i, (c, _) in enumerate(LIMITS)])
def test_the_documented_limits_work_and_reset_fast(env_class, kwargs):
    env = env_class(**kwargs)
    env.reset(seed=0)  # first use builds the shared tables of a variant
    for seed in range(1, 11):
        # The best of three: a shared machine can pause any single reset.
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            obs, info = env.reset(seed=seed)
            best = min(best, time.perf_counter() - start)
            if best < RESET_LIMIT:
                break
        assert best < RESET_LIMIT, f"{env_class.__name__}({kwargs}) reset took {1000 * best:.1f} ms"
        assert env.observation_space.contains(obs)
        env.step(env.oracle_action())
