"""Answer checking for the tool worlds: numbers with units, yes/no, and named choices.

Answers are free text from an agent, so checking normalizes before it compares:
case and whitespace do not matter, thousands separators and trailing zeros do not
matter (``$1,412``, ``1412 USD``, ``1412.00`` are the same), and a stated unit must
not contradict the expected one (``21 C`` is not an answer in Fahrenheit). Every
function clips its input first, so checking takes time linear in a bounded prefix.

Rules, documented once here and referred to by the env docstrings:

* **numbers**: the answer's number is the last number it states in the expected
  unit (``$`` / ``USD`` / ``dollars``, ``C`` / ``Celsius``, ``F`` / ``Fahrenheit``,
  ``liters`` / ``L``, ``barrels``, ``hours`` / ``h``, ``minutes`` / ``min``) or, if
  none carries that unit, the last number with no unit; a number in another unit
  does not count, and neither do mentions of a day (``day 3``), a clock time
  (``14:30``) or a precision (``2 decimal places``). It is accepted when it lies
  within half a unit of the requested last decimal place of the exact value
  (``decimals=2``: within 0.005). Counts also accept the words ``zero`` to ``twelve``.
* **yes/no**: accepted when the answer says yes (``yes``, ``yeah``, ``yep``,
  ``true``) or no (``no``, ``nope``, ``false``, ``not``, ``won't``, ``doesn't``)
  as expected and not the other; admitting not to know (``I do not know``, ``no
  idea``, ``not sure``) is neither.
* **choices** (a city, a weather condition): accepted when the answer names the
  expected choice (or one of its synonyms) and no other choice.

Example:
    >>> check_number("The total is $1,412.00", 1412, unit="usd")
    True
    >>> check_number("21 C", 70, unit="f")
    False
    >>> check_yes_no("No, it will stay dry.", False)
    True
    >>> check_choice("Lisbon is warmer", "Lisbon", {"Lisbon": ("lisbon",), "Oslo": ("oslo",)})
    True
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

#: Longest answer prefix that is read; the rest is ignored.
MAX_ANSWER_CHARS = 2000

_NUMBER = re.compile(r"(?<![\w.])(-?)(\d{1,3}(?:,\d{3})+(?!\d)|\d+)(\.\d+)?")
_UNITS = {
    "c": "c", "celsius": "c", "f": "f", "fahrenheit": "f", "usd": "usd", "dollar": "usd", "dollars": "usd",
    "liters": "liters", "liter": "liters", "litres": "liters", "litre": "liters", "l": "liters",
    "barrels": "barrels", "barrel": "barrels", "hours": "hours", "hour": "hours", "hrs": "hours", "hr": "hours",
    "h": "hours", "minutes": "minutes", "minute": "minutes", "mins": "minutes", "min": "minutes",
}
#: Units an answer's number may carry (the values of ``_UNITS``).
UNITS = tuple(sorted(set(_UNITS.values())))
_UNIT_AFTER = re.compile(
    r"\s*(?:\u00b0|\u00ba|deg\.?|degrees?)?\s*("
    + "|".join(sorted(_UNITS, key=lambda u: (-len(u), u)))
    + r")\b"
)
# Numbers that are not answers: a day, a clock time, a precision.
_NOT_ANSWERS = re.compile(r"\bday\s+\d+\b|\b\d{1,2}:\d{2}\b|\b\d+\s*(?:decimal places?|decimals?|places?|d\.p\.)")
_WORD_NUMBERS = {
    word: str(index)
    for index, word in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
    )
}
_WORD_NUMBER = re.compile(r"\b(" + "|".join(_WORD_NUMBERS) + r")\b")
_YES = re.compile(r"\b(yes|yeah|yep|true)\b")
_NO = re.compile(r"\b(no|nope|false|not|won't|wont|doesn't|isn't|will not)\b")
#: Admitting not to know is neither answer, though it contains "not" or "no".
_UNSURE = re.compile(r"\b(do not know|don't know|dont know|not sure|unsure|no idea|cannot tell|can't tell)\b")


def normalize(text: str) -> str:
    """Lower-case, unify minus signs and apostrophes, collapse whitespace; clip first."""
    if not isinstance(text, str):
        text = str(text)
    text = text[:MAX_ANSWER_CHARS].lower()
    text = text.replace("\u2212", "-").replace("\u2013", "-").replace("\u2019", "'")
    return " ".join(text.split())


def numbers_with_units(text: str, words: bool = False) -> list[tuple[float, str | None]]:
    """Every number in ``text`` with the unit stated next to it (one of :data:`UNITS`, or None).

    Example:
        >>> numbers_with_units("from $1,200.50 to 70 F")
        [(1200.5, 'usd'), (70.0, 'f')]
    """
    text = _NOT_ANSWERS.sub(" ", normalize(text))
    if words:
        text = _WORD_NUMBER.sub(lambda m: _WORD_NUMBERS[m.group(1)], text)
    found: list[tuple[float, str | None]] = []
    for match in _NUMBER.finditer(text):
        sign, whole, fraction = match.groups()
        value = float(sign + whole.replace(",", "") + (fraction or ""))
        unit = None
        after = _UNIT_AFTER.match(text, match.end())
        if after:
            unit = _UNITS[after.group(1)]
        else:
            before = text[max(0, match.start() - 2): match.start()].rstrip()
            if before.endswith("$"):
                unit = "usd"
        found.append((value, unit))
    return found


def check_number(text: str, value: float, decimals: int = 0, unit: str | None = None, words: bool = False) -> bool:
    """Whether ``text`` states ``value`` (see the module rules); ``unit`` is one of :data:`UNITS` or None."""
    found = numbers_with_units(text, words=words)
    tagged = [v for v, u in found if unit is not None and u == unit]
    if tagged:
        answer = tagged[-1]
    else:
        untagged = [v for v, u in found if u is None]
        if not untagged:
            return False
        answer = untagged[-1]
    unit_of_last_place = 10.0 ** (-decimals)
    # Half a unit of the last place, plus a sliver for the float rounding of a calculator's result.
    tolerance = 0.5 * unit_of_last_place + min(1e-12 * max(1.0, abs(value)), 0.05 * unit_of_last_place)
    return abs(answer - value) <= tolerance


def check_yes_no(text: str, expected: bool) -> bool:
    """Whether ``text`` clearly says yes (``expected`` True) or no (False)."""
    text = normalize(text)
    if _UNSURE.search(text):
        return False
    says_yes = _YES.search(text) is not None
    says_no = _NO.search(text) is not None
    return (says_yes and not says_no) if expected else (says_no and not says_yes)


def choice_pattern(synonyms: Mapping[str, Sequence[str]]) -> re.Pattern[str]:
    """One regex matching any synonym of any choice, longest first, on word boundaries."""
    phrases = sorted({s.lower() for options in synonyms.values() for s in options}, key=lambda s: (-len(s), s))
    return re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(p) for p in phrases) + r")(?![a-z0-9])")


def mentioned_choices(text: str, synonyms: Mapping[str, Sequence[str]],
                      pattern: re.Pattern[str] | None = None) -> set[str]:
    """The choices whose name or synonym appears in ``text`` (longer phrases win overlaps)."""
    pattern = pattern or choice_pattern(synonyms)
    owner = {s.lower(): choice for choice, options in synonyms.items() for s in options}
    return {owner[m.group(1)] for m in pattern.finditer(normalize(text))}


def check_choice(text: str, expected: str, synonyms: Mapping[str, Sequence[str]],
                 pattern: re.Pattern[str] | None = None) -> bool:
    """Whether ``text`` names ``expected`` and no other of the ``synonyms``' choices."""
    return mentioned_choices(text, synonyms, pattern) == {expected}
