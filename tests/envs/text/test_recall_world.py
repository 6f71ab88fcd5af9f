"""Recall's world model: briefing generation and the answer checker."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentic_gym.envs.text.recall_world import (
    ATTRIBUTES,
    CITIES,
    CODENAMES,
    DAYS,
    HANDLER,
    RecallConfig,
    generate_briefing,
    is_correct,
    normalize_answer,
    words_to_number,
)

CONFIGS = (
    RecallConfig(facts=5, questions=1),
    RecallConfig(facts=20, questions=3, corrections=4),
    RecallConfig(facts=60, questions=5, corrections=6, hops=2),
)


def latest_values(briefing) -> dict[tuple[int, int], str]:
    """What a perfect listener knows after the briefing: the last value read for each slot."""
    known: dict[tuple[int, int], str] = {}
    for item in briefing.items:
        known[item.slot] = item.value
    return known


@given(config=st.sampled_from(CONFIGS), seed=st.integers(0, 2**32 - 1))
def test_briefing_has_the_configured_shape_and_answerable_questions(config, seed):
    briefing = generate_briefing(config, np.random.default_rng(seed))
    assert len(briefing.items) == config.facts
    assert len(briefing.questions) == config.questions
    assert sum(item.correction for item in briefing.items) == config.corrections
    first_seen: dict[tuple[int, int], int] = {}
    for index, item in enumerate(briefing.items):
        if item.correction:
            # A correction only ever follows the fact it corrects.
            assert item.slot in first_seen, item.text
        else:
            assert item.slot not in first_seen, f"slot stated twice: {item.text}"
            first_seen[item.slot] = index
        agent, attribute = item.slot
        assert briefing.cast[agent] in item.text and item.value in item.text
    known = latest_values(briefing)
    for question in briefing.questions:
        for slot in question.needs:
            assert slot in known, f"{question.text} needs a fact that is never read"
        if config.hops == 2:
            link, target = question.needs
            assert link[1] == HANDLER
            # The link's latest value names the agent whose fact answers the question.
            assert briefing.cast.index(known[link]) == target[0]
            assert target[1] != HANDLER
        assert question.answer == known[question.needs[-1]]
        # The question never states its own answer.
        assert normalize_answer(question.answer) not in normalize_answer(question.text).split()


@given(seed=st.integers(0, 2**32 - 1))
def test_the_updates_variant_asks_about_a_corrected_fact(seed):
    config = CONFIGS[1]
    briefing = generate_briefing(config, np.random.default_rng(seed))
    corrected = {item.slot for item in briefing.items if item.correction}
    assert any(set(q.needs) & corrected for q in briefing.questions)


def test_generation_is_a_function_of_the_generator_state():
    for config in CONFIGS:
        a = generate_briefing(config, np.random.default_rng(7))
        b = generate_briefing(config, np.random.default_rng(7))
        c = generate_briefing(config, np.random.default_rng(8))
        assert a == b
        assert a != c


def test_a_configuration_that_cannot_hold_its_questions_is_rejected():
    with pytest.raises(ValueError):
        RecallConfig(facts=3, questions=2, corrections=2)
    with pytest.raises(ValueError):
        RecallConfig(facts=20, questions=1, hops=3)


def test_car_facts_use_the_right_article():
    texts = [item.text for seed in range(40) for item in
             generate_briefing(CONFIGS[2], np.random.default_rng(seed)).items if item.slot[1] == 2]
    assert texts
    for text in texts:
        assert " a orange" not in text and " a a" not in text and " an b" not in text


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("9902", "9902"),
        ("  9902. ", "9902"),
        ("9,902", "9902"),
        ("9902.0", "9902"),
        ("+9902", "9902"),
        ("nine thousand nine hundred two", "9902"),
        ("Nine thousand, nine hundred and two", "9902"),
        ("forty-four", "44"),
        ("12th", "12"),
        ("floor 12", "12"),
        ("the twelfth", "12"),
        ("LISBON", "Lisbon"),
        ('"Lisbon"', "Lisbon"),
        ("lisbon!", "Lisbon"),
        ("Agent Ortiz", "Ortiz"),
        ("agent   ortiz", "Ortiz"),
        ("every friday", "Friday"),
        ("a silver", "silver"),
        ("The Falcon", "Falcon"),
    ],
)
def test_accepted_answers(answer, expected):
    assert is_correct(answer, expected)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("9903", "9902"),
        ("99020", "9902"),
        ("9902 or 4417", "9902"),
        ("4417, 9902", "9902"),
        ("99.02", "9902"),
        ("9902.5", "9902"),
        ("", "9902"),
        ("   ", "9902"),
        ("Lisbon, Oslo", "Lisbon"),
        ("Lisbo", "Lisbon"),
        ("The safehouse is in Lisbon", "Lisbon"),
        ("Ortiz and Kim", "Ortiz"),
        ("Tuesday", "Friday"),
        ("twelve hundred", "12"),
        ("one two", "12"),
        ("the", "Falcon"),
        ("Agent", "Ortiz"),
        ("4417", "Lisbon"),
    ],
)
def test_rejected_answers(answer, expected):
    assert not is_correct(answer, expected)


@given(value=st.one_of(st.integers(0, 999_999).map(str), st.sampled_from(CITIES + DAYS + CODENAMES)))
def test_every_value_is_accepted_as_itself_and_in_other_case(value):
    assert is_correct(value, value)
    assert is_correct(value.upper(), value)
    assert is_correct(f" {value.lower()}. ", value)


@given(number=st.integers(0, 999_999))
def test_number_words_read_back(number):
    assert words_to_number(spell(number)) == number
    assert normalize_answer(f"{number:,}") == str(number)


@given(text=st.text(max_size=200))
def test_normalisation_is_total_and_idempotent(text):
    once = normalize_answer(text)
    assert normalize_answer(once) == once


def test_every_attribute_question_has_an_owner_slot():
    for attribute in ATTRIBUTES:
        assert "{owner}" in attribute.question
        assert "{who}" in attribute.fact and "{value}" in attribute.fact
        assert attribute.correction.startswith("Correction:")


_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spell(number: int) -> str:
    """English words for 0..999999 (a reference independent of the parser)."""
    def below_thousand(n: int) -> list[str]:
        words = []
        if n >= 100:
            words += [_ONES[n // 100], "hundred"]
            n %= 100
        if n >= 20:
            words.append(_TENS[n // 10] + ("-" + _ONES[n % 10] if n % 10 else ""))
        elif n or not words:
            words.append(_ONES[n])
        return words

    if number == 0:
        return "zero"
    words = []
    if number >= 1000:
        words += below_thousand(number // 1000) + ["thousand"]
        number %= 1000
        if number == 0:
            return " ".join(words)
    return " ".join(words + below_thousand(number))
