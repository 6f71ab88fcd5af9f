"""ToolMath's pure problem generator and answer checker."""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentic_gym.core import calculate
from agentic_gym.envs.tool import math_world as mw


@pytest.mark.parametrize("steps", [2, 3, 4, 5, 6])
def test_problems_have_the_requested_steps_and_a_matching_expression(steps):
    domains = set()
    for seed in range(60):
        problem = mw.generate_problem(np.random.default_rng(seed), steps)
        domains.add(problem.domain)
        # One sentence per operation after the opening one, plus the question.
        assert problem.text.count(". ") + 1 >= steps, problem.text
        operators = len(re.findall(r" [-+*/] |\*\*", problem.expression))
        assert operators >= steps, problem.expression
        value = calculate(problem.expression)
        assert abs(value - float(problem.value)) <= 1e-9 * abs(float(problem.value)), problem
        assert problem.value > 0
        assert mw.check_answer(problem, problem.answer), problem
        # Every number of the expression is stated in the text (with or without separators).
        plain = problem.text.replace(",", "")
        for number in re.findall(r"\d+(?:\.\d+)?", problem.expression):
            assert number in plain or number in ("1", "100", "60"), (number, problem.text)
    assert domains == set(mw.DOMAINS)


def test_numbers_are_large_enough_to_need_a_calculator():
    for seed in range(40):
        problem = mw.generate_problem(np.random.default_rng(seed), 2)
        digits = [len(n.replace(",", "").replace(".", "")) for n in re.findall(r"\d[\d,.]*\d", problem.text)]
        assert max(digits) >= 4, problem.text


def test_answers_accepted_within_half_a_unit_and_rejected_beyond():
    for seed in range(40):
        problem = mw.generate_problem(np.random.default_rng(seed), 4)
        exact = float(problem.value)
        assert problem.decimals == 2
        assert mw.check_answer(problem, f"{exact:.2f}")
        assert mw.check_answer(problem, f"{exact:,.4f}")
        assert mw.check_answer(problem, f"The answer is {exact:,.2f}.")
        assert not mw.check_answer(problem, f"{exact + 0.011:.3f}")
        assert not mw.check_answer(problem, f"{round(exact) + 1}")
        assert not mw.check_answer(problem, "I cannot tell")
        assert mw.check_answer(problem, f"{exact:,.2f} {problem.unit} (rounded to 2 decimal places)")
        assert problem.unit in ("usd", "liters", "barrels", "hours", "minutes")
        if problem.unit in ("hours", "minutes"):
            other = "minutes" if problem.unit == "hours" else "hours"
            assert not mw.check_answer(problem, f"{exact:.2f} {other}")
        if problem.unit == "usd":
            assert mw.check_answer(problem, f"${exact:,.2f}") and mw.check_answer(problem, f"{exact:.2f} USD")
            assert not mw.check_answer(problem, f"{exact:.2f} C")


def test_the_answer_rounds_half_up_from_the_exact_value():
    assert mw._decimal(Fraction(1, 8), 2) == mw._decimal(Fraction(13, 100), 2)
    assert str(mw._decimal(Fraction(-5, 1000), 2)) == "-0.01"


def test_generation_is_a_function_of_the_seed_and_domains_filter():
    a = mw.generate_problem(np.random.default_rng(5), 6)
    b = mw.generate_problem(np.random.default_rng(5), 6)
    assert a == b
    only = {mw.generate_problem(np.random.default_rng(s), 3, ("savings",)).domain for s in range(20)}
    assert only == {"savings"}


def test_arguments_are_validated():
    with pytest.raises(ValueError):
        mw.generate_problem(np.random.default_rng(0), 1)
    with pytest.raises(ValueError):
        mw.generate_problem(np.random.default_rng(0), mw.MAX_STEPS + 1)
    with pytest.raises(ValueError):
        mw.generate_problem(np.random.default_rng(0), 3, ("astrology",))


@given(st.integers(0, 2**32 - 1), st.sampled_from(mw.STEP_COUNTS))
def test_any_seed_gives_a_consistent_problem(seed, steps):
    problem = mw.generate_problem(np.random.default_rng(seed), steps)
    assert mw.check_answer(problem, problem.answer)
    assert abs(calculate(problem.expression) - float(problem.value)) <= 1e-9 * float(problem.value)
    assert problem.text.isascii() and len(problem.text) < 1024
