"""Recall's world: briefings of facts, corrections and questions, and the answer checker.

Pure model (no gymnasium, no pygame). A *briefing* is a list of items read one per
turn: facts about agents ("Agent Kim's locker code is 4417."), corrections that
overwrite an earlier fact ("Correction: Agent Kim's locker code is now 9902.") and
facts no question needs (distractors). Questions come after the last item; each
asks for the current value of one fact, or (multi-hop) of a fact about another
agent's handler.

Example:
    >>> import numpy as np
    >>> briefing = generate_briefing(RecallConfig(facts=5, questions=1), np.random.default_rng(0))
    >>> len(briefing.items), len(briefing.questions)
    (5, 1)
    >>> is_correct("  Nine thousand nine hundred two. ", "9902")
    True
    >>> is_correct("4417 or 9902", "9902")
    False
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

AGENT_NAMES: tuple[str, ...] = (
    "Kim", "Ortiz", "Novak", "Haddad", "Silva", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Brennan",
    "Petrov", "Mensah", "Castillo", "Nakamura", "Fischer", "Osei", "Quinn", "Duarte", "Varga", "Holm",
    "Reyes", "Adler", "Kowalski", "Marsh", "Ibarra", "Sato", "Keller", "Dumont", "Yilmaz", "Byrne",
)
CITIES: tuple[str, ...] = (
    "Lisbon", "Oslo", "Cairo", "Lima", "Vienna", "Dublin", "Nairobi", "Hanoi", "Quito", "Riga",
    "Tunis", "Porto", "Seoul", "Havana", "Prague", "Bergen", "Dakar", "Perth", "Malmo", "Zagreb",
)
CAR_COLOURS: tuple[str, ...] = (
    "red", "blue", "green", "black", "white", "silver", "yellow", "orange", "purple", "brown",
)
DAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CODENAMES: tuple[str, ...] = (
    "Falcon", "Otter", "Heron", "Lynx", "Badger", "Cobra", "Raven", "Marten", "Ibis", "Jackal",
    "Osprey", "Viper", "Condor", "Puma", "Stoat", "Gecko", "Kestrel", "Mongoose", "Bison", "Wren",
)


class ValueKind(IntEnum):
    """What kind of value an attribute holds, and so how answers to it are drawn and read."""

    CODE = 0  # four digits
    EXTENSION = 1  # three digits
    FLOOR = 2  # 2..60
    CITY = 3
    COLOUR = 4
    DAY = 5
    CODENAME = 6
    PERSON = 7  # another agent of the briefing


@dataclass(frozen=True)
class Attribute:
    """One kind of fact: how it is stated, corrected and asked.

    ``fact`` and ``correction`` take ``{who}`` (an agent's name), ``{value}`` and
    ``{article}`` (``a`` or ``an`` for the value);
    ``question`` takes ``{owner}``, a noun phrase such as ``Agent Kim`` or
    ``Agent Kim's handler``.
    """

    name: str
    kind: ValueKind
    fact: str
    correction: str
    question: str


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("locker code", ValueKind.CODE, "Agent {who}'s locker code is {value}.",
              "Correction: Agent {who}'s locker code is now {value}.", "What is the locker code of {owner}?"),
    Attribute("safehouse", ValueKind.CITY, "Agent {who}'s safehouse is in {value}.",
              "Correction: Agent {who}'s safehouse is now in {value}.",
              "In which city is the safehouse of {owner}?"),
    Attribute("car", ValueKind.COLOUR, "Agent {who} drives {article} {value} car.",
              "Correction: Agent {who} now drives {article} {value} car.", "What colour is the car of {owner}?"),
    Attribute("meeting day", ValueKind.DAY, "Agent {who} meets the courier every {value}.",
              "Correction: Agent {who} now meets the courier every {value}.",
              "On which day of the week does {owner} meet the courier?"),
    Attribute("office floor", ValueKind.FLOOR, "Agent {who}'s office is on floor {value}.",
              "Correction: Agent {who}'s office is now on floor {value}.",
              "On which floor is the office of {owner}?"),
    Attribute("codename", ValueKind.CODENAME, "Agent {who}'s codename is {value}.",
              "Correction: Agent {who}'s codename is now {value}.", "What is the codename of {owner}?"),
    Attribute("phone extension", ValueKind.EXTENSION, "Agent {who}'s phone extension is {value}.",
              "Correction: Agent {who}'s phone extension is now {value}.",
              "What is the phone extension of {owner}?"),
    Attribute("handler", ValueKind.PERSON, "Agent {who}'s handler is Agent {value}.",
              "Correction: Agent {who}'s handler is now Agent {value}.", "Who is the handler of {owner}?"),
)
#: The attribute whose values are agents: the link of multi-hop questions.
HANDLER = len(ATTRIBUTES) - 1

#: Two well-formed answers per kind, for admissible-command lists (fixed, so never a hint).
EXAMPLE_ANSWERS: dict[ValueKind, tuple[str, ...]] = {
    ValueKind.CODE: ("1234", "5080"),
    ValueKind.EXTENSION: ("100", "321"),
    ValueKind.FLOOR: ("3", "12"),
    ValueKind.CITY: (CITIES[0], CITIES[1]),
    ValueKind.COLOUR: (CAR_COLOURS[0], CAR_COLOURS[1]),
    ValueKind.DAY: (DAYS[0], DAYS[4]),
    ValueKind.CODENAME: (CODENAMES[0], CODENAMES[1]),
    ValueKind.PERSON: (AGENT_NAMES[0], AGENT_NAMES[1]),
}


#: Most briefing items: 30 agents x 8 attributes hold 240 first statements; 200 keeps reset
#: (about 25 ms at the limit) well under 50 ms.
MAX_FACTS = 200
#: Most questions: two-hop questions need distinct askers among at most 30 agents.
MAX_QUESTIONS = 10


@dataclass(frozen=True)
class RecallConfig:
    """Size of a briefing: ``facts`` items (corrections included), ``questions``, ``hops`` per question."""

    facts: int = 5
    questions: int = 1
    corrections: int = 0
    hops: int = 1

    def __post_init__(self) -> None:
        for name, low, high in (("facts", 1, MAX_FACTS), ("questions", 1, MAX_QUESTIONS), ("hops", 1, 2),
                                ("corrections", 0, MAX_FACTS // 2)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be an integer in {low}..{high}, got {value!r}")
        if self.corrections > self.facts // 2:
            raise ValueError(f"corrections must be at most half the facts (0..{self.facts // 2}), "
                             f"got {self.corrections}")
        # Each question needs its facts (and, multi-hop, up to a third for a changed handler);
        # corrections beyond the questions' own need at least one distractor to correct.
        needed = self.questions * (3 if self.hops == 2 else 1) + self.corrections + (1 if self.corrections else 0)
        if self.facts < needed:
            raise ValueError(f"facts must be in {needed}..{MAX_FACTS} for {self.questions} question(s), "
                             f"{self.hops} hop(s) and {self.corrections} correction(s), got {self.facts}")


@dataclass(frozen=True)
class Item:
    """One briefing line; ``slot`` is the (agent, attribute) it sets."""

    text: str
    slot: tuple[int, int]
    value: str
    correction: bool


@dataclass(frozen=True)
class Question:
    """A question, its expected answer and the slots whose final values it needs."""

    text: str
    answer: str
    kind: ValueKind
    needs: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Briefing:
    """A generated episode: the cast, the items in reading order, the questions in asking order."""

    cast: tuple[str, ...]
    items: tuple[Item, ...]
    questions: tuple[Question, ...]


def _draw_value(kind: ValueKind, rng: np.random.Generator, cast: tuple[str, ...], who: str,
                avoid: str | None = None) -> str:
    """A random value of ``kind`` different from ``avoid`` (and never ``who`` for a person)."""
    while True:
        if kind == ValueKind.CODE:
            value = str(int(rng.integers(1000, 10000)))
        elif kind == ValueKind.EXTENSION:
            value = str(int(rng.integers(100, 1000)))
        elif kind == ValueKind.FLOOR:
            value = str(int(rng.integers(2, 61)))
        else:
            options = {ValueKind.CITY: CITIES, ValueKind.COLOUR: CAR_COLOURS, ValueKind.DAY: DAYS,
                       ValueKind.CODENAME: CODENAMES, ValueKind.PERSON: cast}[kind]
            value = options[int(rng.integers(len(options)))]
        if value != avoid and value != who:
            return value


class _Builder:
    """Collects slots (agent, attribute) -> value history while a briefing is drawn."""

    def __init__(self, cast: tuple[str, ...], rng: np.random.Generator):
        self.cast = cast
        self.rng = rng
        self.values: dict[tuple[int, int], list[str]] = {}
        self.order: list[tuple[int, int]] = []

    def free_slot(self, agent: int | None = None, exclude: tuple[int, ...] = ()) -> tuple[int, int]:
        """A random slot not yet set (of ``agent`` if given, attribute not in ``exclude``)."""
        total = len(self.cast) * len(ATTRIBUTES)
        if agent is None and 2 * len(self.values) <= total:
            # Mostly free: rejection sampling is uniform over free slots and avoids listing them all.
            while True:
                slot = divmod(int(self.rng.integers(total)), len(ATTRIBUTES))
                if slot not in self.values and slot[1] not in exclude:
                    return slot
        agents = range(len(self.cast)) if agent is None else (agent,)
        free = [(a, t) for a in agents for t in range(len(ATTRIBUTES))
                if (a, t) not in self.values and t not in exclude]
        if not free:
            raise ValueError("the cast is too small for this briefing")
        return free[int(self.rng.integers(len(free)))]

    def set(self, slot: tuple[int, int], value: str | None = None) -> str:
        agent, attribute = slot
        if value is None:
            value = _draw_value(ATTRIBUTES[attribute].kind, self.rng, self.cast, self.cast[agent])
        self.values[slot] = [value]
        self.order.append(slot)
        return value

    def correct(self, slot: tuple[int, int], value: str | None = None) -> str:
        agent, attribute = slot
        if value is None:
            value = _draw_value(ATTRIBUTES[attribute].kind, self.rng, self.cast, self.cast[agent],
                                avoid=self.values[slot][-1])
        self.values[slot].append(value)
        return value


def generate_briefing(config: RecallConfig, rng: np.random.Generator) -> Briefing:
    """Draw a briefing: question facts first, then distractors, corrections, then the reading order.

    Every question's answer follows from the items (the latest value of each slot it
    needs); a correction always comes after the fact it corrects.
    """
    cast_size = min(len(AGENT_NAMES), max(3, config.facts // 4, 2 * config.questions + 1))
    picks = rng.choice(len(AGENT_NAMES), size=cast_size, replace=False)
    cast = tuple(AGENT_NAMES[int(i)] for i in picks)
    build = _Builder(cast, rng)
    # Questions whose facts get a correction: half of the correction budget, at most one each.
    corrected_questions = min(config.questions, (config.corrections + 1) // 2)
    corrections: list[tuple[int, int]] = []
    questions: list[Question] = []
    asked: set[int] = set()
    for q in range(config.questions):
        correct_this = q < corrected_questions
        if config.hops == 1:
            slot = build.free_slot()
            build.set(slot)
            if correct_this:
                build.correct(slot)
                corrections.append(slot)
            agent, attribute = slot
            owner = f"Agent {cast[agent]}"
            needs: tuple[tuple[int, int], ...] = (slot,)
        else:
            # The asker's handler link, then the asked fact about the handler.
            agent = next(a for a in (int(i) for i in rng.permutation(cast_size)) if a not in asked)
            asked.add(agent)
            link = (agent, HANDLER)
            handler = cast.index(build.set(link)) if link not in build.values else None
            if handler is None:
                raise ValueError("the cast is too small for this briefing")
            target = build.free_slot(handler, exclude=(HANDLER,))
            build.set(target)
            attribute = target[1]
            if correct_this and rng.random() < 0.5:
                # The asker changes handler: the old handler's value becomes the trap.
                new_handler = cast.index(build.correct(link))
                target = (new_handler, attribute)
                if target not in build.values:
                    build.set(target)
                corrections.append(link)
            elif correct_this:
                build.correct(target)
                corrections.append(target)
            owner = f"Agent {cast[agent]}'s handler"
            needs = (link, target)
        final = build.values[needs[-1]][-1]
        spec = ATTRIBUTES[attribute]
        questions.append(Question(spec.question.format(owner=owner), final, spec.kind, needs))
    question_slots = {slot for question in questions for slot in question.needs}
    corrections_made = len(corrections)
    while len(build.order) + config.corrections < config.facts:
        build.set(build.free_slot())
    distractors = [slot for slot in build.order if slot not in question_slots]
    for _ in range(config.corrections - corrections_made):
        slot = distractors[int(rng.integers(len(distractors)))]
        build.correct(slot)
        corrections.append(slot)
    return Briefing(cast, _reading_order(build, corrections, rng), tuple(questions))


def _reading_order(build: _Builder, corrections: list[tuple[int, int]], rng: np.random.Generator) -> tuple[Item, ...]:
    """Shuffle the first statements, then insert each correction somewhere after what it corrects."""
    cast = build.cast
    order = [build.order[int(i)] for i in rng.permutation(len(build.order))]
    lines: list[tuple[tuple[int, int], int]] = [(slot, 0) for slot in order]
    seen: dict[tuple[int, int], int] = {}
    for slot in corrections:
        seen[slot] = seen.get(slot, 0) + 1
        version = seen[slot]
        after = next(i for i, line in enumerate(lines) if line == (slot, version - 1))
        position = int(rng.integers(after + 1, len(lines) + 1))
        lines.insert(position, (slot, version))
    items = []
    for slot, version in lines:
        agent, attribute = slot
        spec = ATTRIBUTES[attribute]
        value = build.values[slot][version]
        template = spec.correction if version else spec.fact
        article = "an" if value[0].lower() in "aeiou" else "a"
        text = template.format(who=cast[agent], value=value, article=article)
        items.append(Item(text, slot, value, bool(version)))
    return tuple(items)


# ---- answers --------------------------------------------------------------------------

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_ORDINALS = {
    "first": "one", "second": "two", "third": "three", "fourth": "four", "fifth": "five", "sixth": "six",
    "seventh": "seven", "eighth": "eight", "ninth": "nine", "tenth": "ten", "eleventh": "eleven",
    "twelfth": "twelve", "twentieth": "twenty", "thirtieth": "thirty", "fortieth": "forty",
    "fiftieth": "fifty", "sixtieth": "sixty",
}
_EDGE = " \t\n.,;:!?\"'`()[]{}"
_DIGITS = re.compile(r"[+]?\d{1,3}(?:,\d{3})+(?:\.0+)?|[+]?\d+(?:\.0+)?(?:st|nd|rd|th)?")
_LEADING_WORDS = ("the ", "a ", "an ", "agent ", "floor ", "city of ", "every ")


def words_to_number(text: str) -> int | None:
    """``four thousand four hundred seventeen`` -> 4417 (English number words up to 999999).

    Only well-formed numbers are read (``one two`` is not a number), so a string of
    words can never add up to someone else's answer by accident.
    """
    tokens = [t for t in re.split(r"[\s\-,]+", text) if t and t != "and"]
    if not tokens:
        return None
    if tokens[-1] in _ORDINALS:
        tokens[-1] = _ORDINALS[tokens[-1]]
    elif tokens[-1] in ("hundredth", "thousandth"):
        tokens[-1] = tokens[-1][:-2]
    if tokens == ["zero"]:
        return 0
    total = 0
    current = 0
    last = ""  # the kind of the previous token: "", unit, teen, tens, hundred, thousand
    for token in tokens:
        value = _UNITS.get(token)
        if value is not None and 1 <= value <= 9 and last in ("", "tens", "hundred", "thousand"):
            current += value
            last = "unit"
        elif value is not None and value >= 10 and last in ("", "hundred", "thousand"):
            current += value
            last = "teen"
        elif token in _TENS and last in ("", "hundred", "thousand"):
            current += _TENS[token]
            last = "tens"
        elif token == "hundred" and last == "unit" and current < 10:
            current *= 100
            last = "hundred"
        elif token == "thousand" and last in ("unit", "teen", "tens", "hundred") and total == 0:
            total, current = current * 1000, 0
            last = "thousand"
        else:
            return None
    return total + current


def normalize_answer(text: str) -> str:
    """The comparable form of an answer.

    Case, surrounding whitespace and punctuation, inner runs of spaces, a leading
    article or title (``the``, ``a``, ``agent``, ``floor``, ``every``) do not
    matter; numbers compare by value whether written ``4417``, ``4,417``,
    ``4417.0``, ``12th`` or in words (``forty-four``).
    """
    text = " ".join(text.lower().split()).strip(_EDGE)
    changed = True
    while changed:
        changed = False
        for word in _LEADING_WORDS:
            if text.startswith(word):
                text = text[len(word):].strip(_EDGE)
                changed = True
    if _DIGITS.fullmatch(text):
        digits = text.lstrip("+").replace(",", "")
        digits = re.sub(r"(st|nd|rd|th)\Z", "", digits)
        return str(int(float(digits))) if "." in digits else str(int(digits))
    number = words_to_number(text)
    if number is not None:
        return str(number)
    return text


def is_correct(answer: str, expected: str) -> bool:
    """Whether ``answer`` names ``expected`` (see :func:`normalize_answer`)."""
    given = normalize_answer(answer)
    return bool(given) and given == normalize_answer(expected)
