"""Word problems for ToolMath: multi-step arithmetic over numbers too large to do reliably in one's head.

Pure logic (numpy only for the generator, no gymnasium). A problem is a short story
in one of four domains (shopping, unit conversion, savings with interest, travel
time) whose quantity goes through ``steps`` arithmetic operations, one per sentence.
Values are exact fractions; the answer is the exact value, asked for to a stated
number of decimal places, and an answer is accepted within half a unit of that last
place (the rules of :mod:`agentic_gym.envs.tool.answers`).

Example:
    >>> import numpy as np
    >>> problem = generate_problem(np.random.default_rng(1), steps=4)
    >>> problem.steps
    4
    >>> check_answer(problem, problem.answer), check_answer(problem, "42")
    (True, False)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TypeVar

import numpy as np

from agentic_gym.envs.tool.answers import check_number

_T = TypeVar("_T")

STEP_COUNTS = (2, 4, 6, 8, 10)
#: The most operations a problem has (every domain's story holds 9 sentences of 10 operations).
MAX_STEPS = 10
DOMAINS = ("shopping", "conversion", "savings", "travel")

_ITEMS = (("laptops", "chargers"), ("desks", "chairs"), ("bicycles", "helmets"), ("tablets", "cases"),
          ("solar panels", "inverters"), ("printers", "toner cartridges"))
_BUYERS = ("A school district", "A hospital", "A city council", "A logistics firm", "A university", "A hotel chain")
_NAMES = ("Amara", "Bjorn", "Chen", "Dolores", "Emeka", "Farah", "Goran", "Hiro", "Ines", "Jonas")
_VEHICLES = ("A freight train", "A cargo ship", "A long-haul truck", "A river barge")


@dataclass(frozen=True)
class Problem:
    """One word problem: its text, exact value, requested precision and unit (one of
    :data:`~agentic_gym.envs.tool.answers.UNITS`), and the oracle's calculator call."""

    domain: str
    text: str
    steps: int
    value: Fraction
    decimals: int
    unit: str
    expression: str
    answer: str


@dataclass(frozen=True)
class _Step:
    sentence: str
    ops: int
    apply: Callable[[Fraction], Fraction]
    fragment: str
    shares: bool = False


def _money(value: Fraction | int) -> str:
    """Dollars and cents (story amounts are whole cents, printed exactly by a float)."""
    return f"${float(value):,.2f}"


def _decimal(value: Fraction, places: int) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _number(value: Fraction | int) -> str:
    """A number as the story prints it (thousands separators, no trailing zeros).

    Story numbers have at most three decimals and fewer than ten digits, so a float
    prints them exactly.
    """
    if isinstance(value, int) or value.denominator == 1:
        return f"{int(value):,}"
    return f"{float(value):,.3f}".rstrip("0").rstrip(".")


def _literal(value: Fraction | int) -> str:
    """A number as a calculator literal (no separators)."""
    return _number(value).replace(",", "")


class _Draw:
    """Number drawing helpers over one generator; uniforms are drawn in one batch (cheap resets)."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self._uniforms: list[float] = []

    def uniform(self) -> float:
        if not self._uniforms:
            self._uniforms = self.rng.random(16).tolist()
        return self._uniforms.pop()

    def integer(self, low: int, high: int) -> int:
        return low + int(self.uniform() * (high - low + 1))

    def cents(self, low: int, high: int) -> Fraction:
        return Fraction(self.integer(low * 100, high * 100), 100)

    def percent(self, low: int, high: int) -> Fraction:
        """A percentage with a quarter-point resolution, e.g. 8.25."""
        return Fraction(self.integer(low * 4, high * 4), 4)

    def pick(self, options: Sequence[_T]) -> _T:
        return options[int(self.uniform() * len(options))]


def _times(operand: Callable[[], Fraction]) -> Callable[[Fraction], Fraction]:
    # Operands are computed only for the steps a problem uses (Fraction arithmetic is slow).
    return lambda x: x * operand()


def _plus(operand: Callable[[], Fraction]) -> Callable[[Fraction], Fraction]:
    return lambda x: x + operand()


def _shopping(draw: _Draw) -> tuple[str, Fraction, str, list[_Step], str, int, str | None]:
    first, second = draw.pick(_ITEMS)
    quantity, price = draw.integer(1200, 9800), draw.cents(120, 990)
    q2, p2 = draw.integer(1500, 9900), draw.cents(11, 95)
    fee, coupon = draw.cents(1200, 8800), draw.cents(500, 2500)
    discount, tax = draw.percent(5, 18), draw.percent(4, 10)
    schools = draw.integer(7, 29)
    opening = f"{draw.pick(_BUYERS)} orders {quantity:,} {first} at {_money(price)} each."
    steps = [
        _Step(f"It also orders {q2:,} {second} at {_money(p2)} each.", 2, _plus(lambda: q2 * p2),
              f"+ {q2} * {_literal(p2)}"),
        _Step(f"The supplier adds a delivery fee of {_money(fee)}.", 1, _plus(lambda: fee), f"+ {_literal(fee)}"),
        _Step(f"A bulk discount of {_number(discount)}% is taken off the total.", 1,
              _times(lambda: 1 - discount / 100), f"* (1 - {_literal(discount)} / 100)"),
        _Step(f"Sales tax of {_number(tax)}% is then added.", 1, _times(lambda: 1 + tax / 100),
              f"* (1 + {_literal(tax)} / 100)"),
        _Step(f"A coupon then takes {_money(coupon)} off the bill.", 1, _plus(lambda: -coupon),
              f"- {_literal(coupon)}"),
        _Step(f"The bill is shared equally by {schools} branches.", 1, _times(lambda: Fraction(1, schools)),
              f"/ {schools}", shares=True),
    ]
    return (opening, quantity * price, f"{quantity} * {_literal(price)}", steps,
            "How much is the bill{share}, in dollars? Round to the nearest cent.", 2, "usd")


def _conversion(draw: _Draw) -> tuple[str, Fraction, str, list[_Step], str, int, str | None]:
    rate, days = draw.integer(1200, 9800), draw.integer(12, 97)
    extra = draw.integer(1500, 9500)
    loss = draw.percent(2, 9)
    tanks = draw.integer(12, 48)
    yield_ = draw.percent(38, 52)
    opening = f"A pipeline delivers {rate:,} barrels of crude oil per day for {days} days."
    steps = [
        _Step(f"A tanker then brings another {extra:,} barrels.", 1, _plus(lambda: Fraction(extra)), f"+ {extra}"),
        _Step(f"During storage {_number(loss)}% of the oil evaporates.", 1, _times(lambda: 1 - loss / 100),
              f"* (1 - {_literal(loss)} / 100)"),
        _Step(f"Refining turns {_number(yield_)}% of it into diesel, which is all that is kept.", 1,
              _times(lambda: yield_ / 100), f"* {_literal(yield_)} / 100"),
        _Step("One barrel holds 158.987 liters.", 1, _times(lambda: Fraction(158987, 1000)), "* 158.987"),
        _Step(f"It is shared equally among {tanks} storage tanks.", 1, _times(lambda: Fraction(1, tanks)),
              f"/ {tanks}", shares=True),
    ]
    return (opening, Fraction(rate * days), f"{rate} * {days}", steps,
            "How much is there{share}, in {unit}? Round to two decimal places.", 2, None)


def _savings(draw: _Draw) -> tuple[str, Fraction, str, list[_Step], str, int, str | None]:
    name = draw.pick(_NAMES)
    monthly, months = draw.cents(180, 950), draw.integer(18, 60)
    bonus, fee = draw.cents(800, 4800), draw.cents(40, 390)
    rate, years = draw.percent(2, 7), draw.integer(3, 9)
    tax = draw.percent(10, 30)
    children = draw.integer(3, 7)
    opening = f"{name} saves {_money(monthly)} a month for {months} months."
    steps = [
        _Step(f"An employer bonus of {_money(bonus)} is added to the savings.", 1, _plus(lambda: bonus),
              f"+ {_literal(bonus)}"),
        _Step(f"The balance then earns {_number(rate)}% interest, compounded yearly, for {years} years.", 1,
              _times(lambda: (1 + rate / 100) ** years), f"* (1 + {_literal(rate)} / 100) ** {years}"),
        _Step(f"A closing fee of {_money(fee)} is then charged.", 1, _plus(lambda: -fee), f"- {_literal(fee)}"),
        _Step(f"Tax of {_number(tax)}% is paid on the whole remaining balance.", 1, _times(lambda: 1 - tax / 100),
              f"* (1 - {_literal(tax)} / 100)"),
        _Step(f"{name} splits the money equally among {children} children.", 1,
              _times(lambda: Fraction(1, children)), f"/ {children}", shares=True),
    ]
    return (opening, monthly * months, f"{_literal(monthly)} * {months}", steps,
            "How much money is there{share}, in dollars? Round to the nearest cent.", 2, "usd")


def _travel(draw: _Draw) -> tuple[str, Fraction, str, list[_Step], str, int, str | None]:
    vehicle = draw.pick(_VEHICLES)
    distance, speed = draw.integer(1200, 4800), Fraction(draw.integer(355, 985), 10)
    d2, v2 = draw.integer(300, 1800), Fraction(draw.integer(255, 755), 10)
    stops = Fraction(draw.integer(5, 40), 4)
    delay = draw.percent(3, 15)
    opening = f"{vehicle} covers {distance:,} km at an average speed of {_number(speed)} km/h."
    steps = [
        _Step(f"It then covers another {d2:,} km at {_number(v2)} km/h.", 2, _plus(lambda: d2 / v2),
              f"+ {d2} / {_literal(v2)}"),
        _Step(f"Stops add {_number(stops)} hours in total.", 1, _plus(lambda: stops), f"+ {_literal(stops)}"),
        _Step(f"Bad weather makes the whole trip {_number(delay)}% longer.", 1, _times(lambda: 1 + delay / 100),
              f"* (1 + {_literal(delay)} / 100)"),
        _Step("There are 60 minutes in an hour.", 1, _times(lambda: Fraction(60)), "* 60"),
    ]
    return (opening, distance / speed, f"{distance} / {_literal(speed)}", steps,
            "How long does the whole trip take, in {unit}? Round to two decimal places.", 2, None)


_DOMAINS = {"shopping": _shopping, "conversion": _conversion, "savings": _savings, "travel": _travel}


def _extra_steps(domain: str, draw: _Draw) -> tuple[int, list[_Step]]:
    """More sentences for problems of 7..10 steps, and where in the domain's story they go.

    Drawn only for such problems, so the problems of 2..6 steps of every seed are unchanged.
    """
    if domain == "shopping":
        insurance, setup = draw.cents(300, 2400), draw.cents(150, 1800)
        return 2, [
            _Step(f"Insurance of {_money(insurance)} is added.", 1, _plus(lambda: insurance),
                  f"+ {_literal(insurance)}"),
            _Step(f"A setup charge of {_money(setup)} is added.", 1, _plus(lambda: setup), f"+ {_literal(setup)}"),
        ]
    if domain == "conversion":
        extra, test = draw.integer(1500, 9500), draw.integer(40, 380)
        spill, water = draw.percent(1, 6), draw.percent(1, 5)
        return 1, [
            _Step(f"A second tanker brings another {extra:,} barrels.", 1, _plus(lambda: Fraction(extra)),
                  f"+ {extra}"),
            _Step(f"{_number(spill)}% is lost while it is pumped ashore.", 1, _times(lambda: 1 - spill / 100),
                  f"* (1 - {_literal(spill)} / 100)"),
            _Step(f"Quality tests use up {test:,} barrels.", 1, _plus(lambda: Fraction(-test)), f"- {test}"),
            _Step(f"Separating the water removes another {_number(water)}%.", 1, _times(lambda: 1 - water / 100),
                  f"* (1 - {_literal(water)} / 100)"),
        ]
    if domain == "savings":
        gift, fee = draw.cents(300, 2900), draw.cents(25, 240)
        match, second = draw.percent(2, 12), draw.cents(500, 3900)
        return 1, [
            _Step(f"A second bonus of {_money(second)} is added.", 1, _plus(lambda: second), f"+ {_literal(second)}"),
            _Step(f"A grandparent adds a gift of {_money(gift)}.", 1, _plus(lambda: gift), f"+ {_literal(gift)}"),
            _Step(f"An account fee of {_money(fee)} is charged.", 1, _plus(lambda: -fee), f"- {_literal(fee)}"),
            _Step(f"A matching scheme then adds {_number(match)}% to the balance.", 1,
                  _times(lambda: 1 + match / 100), f"* (1 + {_literal(match)} / 100)"),
        ]
    d3, v3 = draw.integer(200, 1500), Fraction(draw.integer(255, 755), 10)
    border, fuel = Fraction(draw.integer(2, 16), 4), Fraction(draw.integer(1, 8), 4)
    return 1, [
        _Step(f"It then covers a final {d3:,} km at {_number(v3)} km/h.", 2, _plus(lambda: d3 / v3),
              f"+ {d3} / {_literal(v3)}"),
        _Step(f"A border check adds {_number(border)} hours.", 1, _plus(lambda: border), f"+ {_literal(border)}"),
        _Step(f"Refuelling adds {_number(fuel)} hours.", 1, _plus(lambda: fuel), f"+ {_literal(fuel)}"),
    ]


def _choose(draw: _Draw, steps: list[_Step], needed: int) -> list[_Step] | None:
    """A random subset of ``steps`` (kept in story order) whose operations add up to ``needed``."""
    order = [int(i) for i in draw.rng.permutation(len(steps))]
    chosen: list[int] = []
    total = 0
    for index in order:
        if total + steps[index].ops <= needed:
            chosen.append(index)
            total += steps[index].ops
        if total == needed:
            return [steps[i] for i in sorted(chosen)]
    return None


def generate_problem(rng: np.random.Generator, steps: int = 4, domains: tuple[str, ...] = DOMAINS) -> Problem:
    """A word problem with exactly ``steps`` arithmetic operations, drawn from ``rng``."""
    if not 2 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be in 2..{MAX_STEPS}, got {steps}")
    unknown = [d for d in domains if d not in _DOMAINS]
    if unknown or not domains:
        raise ValueError(f"domains must be a non-empty subset of {DOMAINS}, got {domains!r}")
    draw = _Draw(rng)
    while True:
        domain = str(draw.pick(tuple(domains)))
        opening, value, expression, pool, question, decimals, unit = _DOMAINS[domain](draw)
        if steps > 6:
            at, extra = _extra_steps(domain, draw)
            pool = pool[:at] + extra + pool[at:]
        chosen = _choose(draw, pool, steps - 1)
        if chosen is not None:
            break
    for step in chosen:
        value = step.apply(value)
        expression = f"({expression}) {step.fragment}"
    unit_name = _unit_name(domain, chosen)
    shared = any(s.shares for s in chosen)
    share = {"shopping": " for each branch", "conversion": " in each tank", "savings": " for each child"}
    question = question.format(share=share.get(domain, "") if shared else "", unit=unit_name)
    text = " ".join([opening, *(s.sentence for s in chosen), question])
    rounded = _decimal(value, decimals)
    answer = f"${rounded:,}" if unit == "usd" else f"{rounded:,} {unit_name}"
    return Problem(domain, text, steps, value, decimals, unit or unit_name, expression, answer)


def _unit_name(domain: str, chosen: list[_Step]) -> str:
    fragments = {s.fragment for s in chosen}
    if domain == "conversion":
        return "liters" if "* 158.987" in fragments else "barrels"
    if domain == "travel":
        return "minutes" if "* 60" in fragments else "hours"
    return "dollars"


def check_answer(problem: Problem, text: str) -> bool:
    """Whether ``text`` states the problem's value to its requested precision (last number rule)."""
    return check_number(text, float(problem.value), problem.decimals, problem.unit)
