"""Answer checkers of every env with an ``answer`` affordance, table-driven.

The tool envs' number, unit and choice rules have their own tables in
``tests/envs/tool/test_answers.py``; these tables add Recall's rule and the cases the
validity cards (``agentic-gym validate``) showed to matter.
"""

from __future__ import annotations

import pytest

from agentic_gym.envs.text.recall_world import is_correct
from agentic_gym.envs.tool.answers import check_number, check_yes_no

RECALL = [
    # (answer, expected, accepted)
    ("4417", "4417", True),
    ("4,417", "4417", True),
    ("4417.0", "4417", True),
    ("  4417.  ", "4417", True),
    ("four thousand four hundred seventeen", "4417", True),
    ("Lisbon", "Lisbon", True),
    ("LISBON", "Lisbon", True),
    ("the Lisbon", "Lisbon", True),
    ("Agent Ortiz", "Ortiz", True),
    ("12th", "12", True),
    ("4418", "4417", False),  # a near miss: no numeric tolerance
    ("4416", "4417", False),
    ("441", "4417", False),
    ("Lisbo", "Lisbon", False),
    ("Lisbon or Oslo", "Lisbon", False),
    ("It is 4417", "4417", False),  # no sentence around the answer
    ("", "4417", False),
    ("I do not know", "4417", False),
]


@pytest.mark.parametrize(("answer", "expected", "accepted"), RECALL)
def test_recall_answers(answer, expected, accepted):
    assert is_correct(answer, expected) is accepted


YES_NO = [
    ("yes", True, True),
    ("Yes, it will.", True, True),
    ("no", False, True),
    ("No, it stays dry.", False, True),
    ("It will not rain", False, True),
    ("I do not know", False, False),  # evasions are neither answer, though they say "not" or "no"
    ("I don't know", False, False),
    ("No idea", False, False),
    ("not sure", True, False),
    ("not sure", False, False),
    ("yes and no", True, False),
    ("yes and no", False, False),
]


@pytest.mark.parametrize(("answer", "expected", "accepted"), YES_NO)
def test_yes_no_answers(answer, expected, accepted):
    assert check_yes_no(answer, expected) is accepted


NUMBERS = [
    # (answer, value, decimals, unit, accepted): rounding is within half a unit of the last place
    ("47,723.47", 47723.4731, 2, "usd", True),
    ("$47723.47", 47723.4731, 2, "usd", True),
    ("47723.470", 47723.4731, 2, "usd", True),
    ("The answer is $47,723.47.", 47723.4731, 2, "usd", True),
    ("47723.48", 47723.4731, 2, "usd", False),
    ("47723.49", 47723.4731, 2, "usd", False),
    ("47723", 47723.4731, 2, "usd", False),
    ("47723.47 C", 47723.4731, 2, "usd", False),
    ("1677", 1677, 0, None, True),
    ("1,677", 1677, 0, None, True),
    ("1679", 1677, 0, None, False),
    ("1675", 1677, 0, None, False),
]


@pytest.mark.parametrize(("answer", "value", "decimals", "unit", "accepted"), NUMBERS)
def test_number_answers(answer, value, decimals, unit, accepted):
    assert check_number(answer, value, decimals=decimals, unit=unit) is accepted
