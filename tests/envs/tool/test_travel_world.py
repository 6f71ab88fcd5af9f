"""TravelDesk's pure world: generation, the tools' replies and errors, and answer checking per template."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentic_gym.core import calculate
from agentic_gym.envs.tool import travel_world as tw
from agentic_gym.envs.tool.cities import CITY_BY_NAME

SEEDS = range(12)


def _task(template: str, seed: int) -> tw.Task:
    difficulty = next(d for d, group in tw.TEMPLATES.items() if template in group)
    return tw.generate_task(np.random.default_rng(seed), difficulty, templates=(template,))


def _replay(task: tw.Task) -> list[str]:
    """The replies to the task's plan, as a tool-using agent would see them."""
    replies = []
    for name, args in task.plan:
        if name == "calculator":
            replies.append(str(calculate(args["expression"])))
        else:
            replies.append(tw.REPORTS[name](task.world, **args))
    return replies


def test_san_francisco_is_in_the_table():
    assert "san francisco" in CITY_BY_NAME


@pytest.mark.parametrize("template", sorted(tw.ALL_TEMPLATES))
def test_the_plan_derives_the_answer_from_what_the_tools_say(template):
    """Each plan call is needed: later calls use what earlier replies revealed, and the answer follows."""
    for seed in SEEDS:
        task = _task(template, seed)
        replies = _replay(task)
        assert len(replies) == len(task.plan)
        text = "\n".join(replies)
        for name, args in task.plan:
            # Cities a call needs but the question does not name come from an earlier calendar reply.
            for key in ("city", "origin", "destination"):
                if key in args and args[key] not in task.cities:
                    assert f"in {args[key]}" in text, (template, seed, args)
            if name == "calculator":
                for number in re.findall(r"\d+", args["expression"]):
                    assert number in text or number == "2", (template, seed, args)
        assert tw.check_answer(task.expected, task.answer), (template, seed)


def test_difficulties_need_the_documented_number_of_calls():
    bounds = {"easy": (1, 2), "medium": (2, 4), "hard": (4, 6)}
    for difficulty, (low, high) in bounds.items():
        for name in tw.TEMPLATES[difficulty]:
            calls = len(_task(name, 0).plan)
            assert low <= calls <= high, (name, calls)
    # Hard questions need arithmetic.
    assert all(any(call[0] == "calculator" for call in _task(n, 0).plan) for n in tw.TEMPLATES["hard"])


ACCEPTED = {
    "weather_condition": lambda a: [a, a.upper(), f"It will be {a}."],
    "high_fahrenheit": lambda a: [a, a.replace(" F", "\u00b0F"), a.replace(" F", " degrees Fahrenheit"),
                                  a.split()[0]],
    "meeting_count": lambda a: [a, f"You have {a} meetings.", f"{a} meetings on day 7, the first at 09:00"],
    "cheapest_flight": lambda a: [a, a[1:] + " USD", a + ".00", a[1:] + " dollars"],
    "warmer_city": lambda a: [a, a.lower(), f"{a} will be warmer."],
    "rain_at_meeting": lambda a: [a, a.capitalize() + ".", f"{a}, I checked the forecast"],
    "low_at_meeting": lambda a: [a, a.replace(" C", "\u00b0C"), a.split()[0]],
    "earliest_seats": lambda a: [a, f"{a} seats"],
    "warmer_meeting_city": lambda a: [a, a.upper()],
    "price_difference": lambda a: [a, a[1:] + " USD", a + ".00"],
    "round_trip": lambda a: [a, f"The total is {a}.", a[1:] + ".00 USD"],
    "average_high": lambda a: [a, a.split()[0], a.split()[0] + "0 C"],
    "multi_leg": lambda a: [a, a[1:] + " dollars"],
    "hotel_at_meeting": lambda a: [a, a + " per night", a[1:] + " USD"],
    "trip_with_hotel": lambda a: [a, f"In total {a}.", a[1:] + ".00 dollars"],
    "tour": lambda a: [a, f"The whole trip costs {a}.", a[1:] + " USD"],
}


def _rejected(task: tw.Task) -> list[str]:
    expected = task.expected
    if expected.kind == "number":
        value = expected.value
        step = 10.0 ** -expected.decimals
        wrong = [f"{value + step:.{expected.decimals}f}", f"{value - 2 * step:.{expected.decimals}f}", "unknown"]
        if expected.unit == "f":
            wrong.append(f"{value} C")
        if expected.unit == "c":
            wrong.append(f"{value} F")
        return wrong
    if expected.kind == "yesno":
        return ["no" if expected.value else "yes", "maybe", "yes and no"]
    if expected.kind == "condition":
        other = next(c for c in tw.CONDITIONS if c != expected.value and expected.value not in c and c not in
                     expected.value)
        return [other, f"{expected.value} or {other}", ""]
    other = next(c for c in expected.choices if c != expected.value)
    return [other, f"{expected.value} or {other}", "both"]


@pytest.mark.parametrize("template", sorted(tw.ALL_TEMPLATES))
def test_answers_accepted_and_rejected_per_template(template):
    assert set(ACCEPTED) == set(tw.ALL_TEMPLATES)
    for seed in SEEDS:
        task = _task(template, seed)
        for text in ACCEPTED[template](task.answer):
            assert tw.check_answer(task.expected, text), (template, seed, text, task.expected)
        for text in _rejected(task):
            assert not tw.check_answer(task.expected, text), (template, seed, text, task.expected)


def test_yes_no_questions_are_balanced():
    answers = [_task("rain_at_meeting", seed).expected.value for seed in range(60)]
    assert 15 <= sum(answers) <= 45


def test_generation_is_a_function_of_the_seed():
    for difficulty in tw.DIFFICULTIES:
        a = tw.generate_task(np.random.default_rng(7), difficulty)
        b = tw.generate_task(np.random.default_rng(7), difficulty)
        assert (a.question, a.answer, a.plan, a.world.meetings) == (b.question, b.answer, b.plan, b.world.meetings)
        assert [_replay(a)] == [_replay(b)]


def test_flights_and_weather_do_not_depend_on_query_order():
    world = tw.generate_world(np.random.default_rng(3), 8)
    other = tw.generate_world(np.random.default_rng(3), 8)
    routes = [(a, b, d) for a in range(8) for b in range(8) if a != b for d in (1, 4, 7)]
    forward = {r: world.flights(*r) for r in routes}
    backward = {r: other.flights(*r) for r in reversed(routes)}
    assert forward == backward
    assert all(1 <= len(f) <= tw.FLIGHTS_PER_ROUTE for f in forward.values())
    for flights in forward.values():
        departures = [f.departure for f in flights]
        assert departures == sorted(departures) and len(set(departures)) == len(departures)
        assert all(f.price > 0 and 1 <= f.seats < 180 and f.duration >= 45 for f in flights)
    assert {(c, d): world.weather(c, d) for c in range(8) for d in range(1, 8)} == {
        (c, d): other.weather(c, d) for c in reversed(range(8)) for d in reversed(range(1, 8))}


def test_hotels_are_sorted_by_price_and_fixed_per_city():
    world = tw.generate_world(np.random.default_rng(4), 10)
    other = tw.generate_world(np.random.default_rng(4), 10)
    keys = [(c, d) for c in range(10) for d in range(1, 8)]
    assert {k: world.hotels(*k) for k in keys} == {k: other.hotels(*k) for k in reversed(keys)}
    for city in range(10):
        names = {tuple(sorted(h.name for h in world.hotels(city, d))) for d in range(1, 8)}
        assert len(names) == 1
        for day in range(1, 8):
            hotels = world.hotels(city, day)
            assert 2 <= len(hotels) <= tw.HOTELS_PER_CITY and len({h.name for h in hotels}) == len(hotels)
            assert [h.price for h in hotels] == sorted(h.price for h in hotels)
            assert all(2 <= h.stars <= 5 and h.price > 0 and 1 <= h.rooms <= 24 for h in hotels)


def test_weather_is_plausible():
    world = tw.generate_world(np.random.default_rng(11), 30)
    for c in range(30):
        typical = CITY_BY_NAME[world.cities[c].lower()].typical_high_c
        for d in range(1, 8):
            w = world.weather(c, d)
            assert w.low_c < w.high_c and abs(w.high_c - typical) <= 10
            assert 0 <= w.precipitation <= 95
            assert (w.condition in (*tw.RAINY, tw.SNOW)) == (w.precipitation >= 60)
            assert w.condition != tw.SNOW or w.high_c <= 1


def test_fahrenheit_rounds_half_up():
    assert [tw.fahrenheit(c) for c in (-40, -3, 0, 21, 37, 100)] == [-40, 27, 32, 70, 99, 212]


def test_tool_errors_are_instructive():
    world = tw.generate_world(np.random.default_rng(0), 6)
    name = world.cities[0]
    with pytest.raises(tw.ToolError, match="Did you mean: " + re.escape(name)):
        tw.weather_report(world, name[:-1] + "x" + name[-1], 2)
    with pytest.raises(tw.ToolError, match="This service covers: "):
        tw.weather_report(world, "Qqqqqqq", 2)
    with pytest.raises(tw.ToolError, match="1 .Monday. to 7 .Sunday."):
        tw.calendar_report(world, 8)
    with pytest.raises(tw.ToolError, match="both"):
        tw.flights_report(world, name, name.upper(), 3)
    assert tw.weather_report(world, f"  {name.lower()} ", 1).startswith(name + ", day 1 (Monday)")


@pytest.mark.parametrize("typo,city", [("rone", "Rome"), ("pariss", "Paris"), ("new yrok", "New York"),
                                       ("TOKIO", "Tokyo"), ("sanfrancisco", "San Francisco"),
                                       ("francisco", "San Francisco"), ("berlni", "Berlin")])
def test_close_matches_catch_typos(typo, city):
    names = [c.name for c in tw.CITIES]
    assert tw.close_matches(typo, names)[0] == city


def test_close_matches_stay_quiet_for_unrelated_names():
    names = [c.name for c in tw.CITIES]
    assert tw.close_matches("atlantis", names) == [] and tw.close_matches("o", names) == []
    assert len(tw.close_matches("london town", names)) <= 3


@given(st.text(max_size=200), st.integers(-5, 12))
def test_tools_raise_only_tool_errors(city, day):
    world = tw.generate_world(np.random.default_rng(1), 5)
    for call in (lambda: tw.weather_report(world, city, day), lambda: tw.calendar_report(world, day),
                 lambda: tw.flights_report(world, city, world.cities[0], day), lambda: tw.hotels_report(world, city, day)):
        try:
            reply = call()
        except tw.ToolError as error:
            assert len(str(error)) < 400
        else:
            assert reply.endswith(".")


def test_arguments_are_validated():
    with pytest.raises(ValueError):
        tw.generate_task(np.random.default_rng(0), "impossible")
    with pytest.raises(ValueError):
        tw.generate_task(np.random.default_rng(0), "easy", templates=("nope",))
    with pytest.raises(ValueError):
        tw.generate_world(np.random.default_rng(0), 2)
