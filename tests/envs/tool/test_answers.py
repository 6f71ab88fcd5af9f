"""Answer checking: the normalisation rules of agentic_gym.envs.tool.answers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentic_gym.envs.tool.answers import (
    MAX_ANSWER_CHARS,
    check_choice,
    check_number,
    check_yes_no,
    numbers_with_units,
)


@pytest.mark.parametrize("text", ["$412", "412 USD", "412.00", "412 dollars", "The cheapest is $412.", "$ 412",
                                  "It costs 412.0 usd", "Flights: $380 and $412 -> $412"])
def test_money_forms_are_accepted(text):
    assert check_number(text, 412, unit="usd")


@pytest.mark.parametrize("text", ["$413", "412 C", "41.2", "", "no idea", "$4,120", "412 F"])
def test_wrong_money_is_rejected(text):
    assert not check_number(text, 412, unit="usd")


def test_thousands_separators_and_the_last_number_rule():
    assert check_number("$1,412.50", 1412.5, decimals=2, unit="usd")
    assert check_number("about 1412.499", 1412.5, decimals=2)
    assert not check_number("1412.49", 1412.5, decimals=2)
    assert check_number("3 + 4 = 7", 7)
    assert not check_number("7, or maybe 8", 7)


def test_units_must_not_contradict():
    assert check_number("70 F", 70, unit="f")
    assert check_number("70\u00b0F", 70, unit="f")
    assert check_number("70 degrees Fahrenheit (21 C)", 70, unit="f")
    assert check_number("21 C (70 F)", 70, unit="f")
    assert not check_number("21 C", 21, unit="f")
    assert check_number("-3 C", -3, unit="c")
    assert check_number("\u22123\u00b0C", -3, unit="c")
    assert not check_number("3 C", -3, unit="c")


def test_decimals_tolerance_is_half_a_unit_of_the_last_place():
    assert check_number("12.5", 12.5, decimals=1)
    assert check_number("12.54", 12.5, decimals=1)
    assert not check_number("12.6", 12.5, decimals=1)
    assert check_number("12", 12.0, decimals=1)
    # Large values get no extra slack beyond float rounding.
    assert not check_number("55890766.952", 55890766.941, decimals=2)
    assert check_number("55890766.94", 55890766.941, decimals=2)
    # A tie rounds either way.
    assert check_number("2.67", 2.665, decimals=2) and check_number("2.66", 2.665, decimals=2)


def test_days_times_and_precisions_are_not_answers():
    assert check_number("You have 2 meetings on day 3, at 10:00 and 14:30.", 2, words=True)
    assert check_number("47723.47 (rounded to 2 decimal places)", 47723.47, decimals=2)
    assert check_number("1,970,945.38 liters, to 2 decimals", 1970945.38, decimals=2, unit="liters")
    assert not check_number("on day 3", 3)


def test_quantity_units():
    assert check_number("55.17 h", 55.17, 2, "hours") and check_number("55.17 hours", 55.17, 2, "hours")
    assert not check_number("3310.2 minutes", 55.17, 2, "hours")
    assert check_number("3,310.2 min (55.17 hours)", 3310.2, 1, "minutes")
    assert check_number("4 barrels", 4, unit="barrels") and check_number("4 L", 4, unit="liters")
    assert not check_number("4 barrels", 4, unit="liters")


def test_count_words():
    assert check_number("two meetings", 2, words=True)
    assert check_number("None: zero.", 0, words=True)
    assert not check_number("two meetings", 2)
    assert not check_number("three", 2, words=True)


@pytest.mark.parametrize("text,expected", [("yes", True), ("Yes, it will rain.", True), ("Yep", True),
                                           ("No", False), ("no, it stays dry", False), ("It won't rain.", False),
                                           ("It will not rain", False)])
def test_yes_no_accepted(text, expected):
    assert check_yes_no(text, expected)


@pytest.mark.parametrize("text", ["maybe", "yes and no", "", "Yes. No."])
def test_yes_no_ambiguous_rejected(text):
    assert not check_yes_no(text, True) and not check_yes_no(text, False)


def test_choices_need_the_one_expected_name():
    synonyms = {"Lisbon": ("lisbon",), "New York": ("new york",)}
    assert check_choice("New York is warmer", "New York", synonyms)
    assert check_choice("LISBON", "Lisbon", synonyms)
    assert not check_choice("Lisbon or New York", "Lisbon", synonyms)
    assert not check_choice("Yorkshire", "New York", synonyms)
    assert not check_choice("", "Lisbon", synonyms)


def test_numbers_with_units():
    assert numbers_with_units("$1,200.50 then 70 F and -3\u00b0C, 5") == [
        (1200.5, "usd"), (70.0, "f"), (-3.0, "c"), (5.0, None)]
    assert numbers_with_units("8 hrs, 12 litres") == [(8.0, "hours"), (12.0, "liters")]


@given(st.text(max_size=300))
def test_checks_are_total(text):
    for check in (lambda t: check_number(t, 1.5, 1, "usd", True), lambda t: check_yes_no(t, True),
                  lambda t: check_choice(t, "a", {"a": ("alpha",), "b": ("beta",)})):
        assert check(text) in (True, False)


def test_only_a_bounded_prefix_is_read():
    assert not check_number("x" * MAX_ANSWER_CHARS + " 412", 412)
    assert check_number("412 " + "x" * 100_000, 412)
