"""The hidden world of TravelDesk: cities, a week of weather, a calendar, flights and hotels.

Pure logic (numpy only, no gymnasium): :func:`generate_task` draws a question
template, a world that fits it and the exact answer from one ``np.random.Generator``;
the ``*_report`` functions are the tools' answers (or :class:`ToolError`); and
:func:`check_answer` grades an agent's reply. Days are 1 (Monday) to 7 (Sunday).

Example:
    >>> import numpy as np
    >>> task = generate_task(np.random.default_rng(0), "easy", templates=("weather_condition",))
    >>> task.template, len(task.plan)
    ('weather_condition', 1)
    >>> name, args = task.plan[0]
    >>> weather_report(task.world, **args).startswith(f"{args['city']}, day {args['day']} (")
    True
    >>> check_answer(task.expected, task.answer), check_answer(task.expected, "no idea")
    (True, False)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from agentic_gym.envs.tool.answers import check_choice, check_number, check_yes_no, choice_pattern
from agentic_gym.envs.tool.cities import AIRLINES, CITIES, HOTEL_NAMES, MEETING_TITLES, WEEKDAYS

DAYS = 7
FLIGHTS_PER_ROUTE = 3
HOTELS_PER_CITY = 4
DIFFICULTIES = ("easy", "medium", "hard", "expert")
DEFAULT_CITIES = {"easy": 6, "medium": 8, "hard": 10, "expert": 12}

#: Weather conditions, by index.
CONDITIONS: tuple[str, ...] = ("sunny", "partly cloudy", "cloudy", "fog", "rain", "thunderstorms", "snow")
SUNNY, PARTLY_CLOUDY, CLOUDY, FOG, RAIN, THUNDERSTORMS, SNOW = range(len(CONDITIONS))
#: Conditions that count as rain in "Will it rain ...?" questions.
RAINY = (RAIN, THUNDERSTORMS)
#: Words accepted for each condition in an answer.
CONDITION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "sunny": ("sunny", "sun", "clear", "clear skies"),
    "partly cloudy": ("partly cloudy", "partly sunny", "partially cloudy"),
    "cloudy": ("cloudy", "overcast"),
    "fog": ("fog", "foggy", "mist", "misty"),
    "rain": ("rain", "rainy", "raining", "showers"),
    "thunderstorms": ("thunderstorms", "thunderstorm", "storms", "stormy", "thunder"),
    "snow": ("snow", "snowy", "snowing"),
}
_CONDITION_PATTERN = choice_pattern(CONDITION_SYNONYMS)

_LATITUDE = tuple(math.radians(c.latitude) for c in CITIES)
_LONGITUDE = tuple(math.radians(c.longitude) for c in CITIES)


class ToolError(Exception):
    """A tool's error reply (unknown city, bad day, ...): the message tells the caller what is valid."""


def day_label(day: int) -> str:
    """``day 3 (Wednesday)``."""
    return f"day {day} ({WEEKDAYS[day - 1]})"


def fahrenheit(celsius: int) -> int:
    """Celsius to Fahrenheit, rounded half up (exact integer arithmetic)."""
    return (18 * int(celsius) + 325) // 10


def clock(minutes: int) -> str:
    """Minutes after midnight as ``HH:MM``."""
    return f"{int(minutes) // 60:02d}:{int(minutes) % 60:02d}"


@dataclass(frozen=True)
class Meeting:
    """One calendar entry: day (1..7), start in minutes after midnight, title, city index in the world."""

    day: int
    minute: int
    title: str
    city: int


@dataclass(frozen=True)
class Flight:
    """One scheduled flight: code, departure (minutes after midnight), duration (minutes), price (USD), seats."""

    code: str
    departure: int
    duration: int
    price: int
    seats: int


@dataclass(frozen=True)
class Hotel:
    """One hotel for one night: name, stars (2..5), price per night (USD), rooms left."""

    name: str
    stars: int
    price: int
    rooms: int


_MASK64 = (1 << 64) - 1


def _mix(value: int) -> int:
    """SplitMix64's output function: a fixed bijection that scrambles a 64-bit counter."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)


@dataclass(frozen=True)
class Weather:
    """One forecast: condition index into :data:`CONDITIONS`, high and low (Celsius), precipitation (%)."""

    condition: int
    high_c: int
    low_c: int
    precipitation: int


@dataclass
class World:
    """One episode's hidden world: the cities (world indices into ``cities``), the home city,
    the calendar, and a ``seed`` from which each city's weather and each route's flights
    are derived on demand (:func:`city_weather`, :func:`route_flights`)."""

    cities: tuple[str, ...]
    table_index: tuple[int, ...]
    home: int
    seed: int
    meetings: tuple[Meeting, ...] = ()

    def __post_init__(self) -> None:
        self.index = {name.lower(): i for i, name in enumerate(self.cities)}
        # Derived facts, memoised; a question template may also fix a fact here (see set_weather).
        self._weather: dict[tuple[int, int], Weather] = {}
        self._flights: dict[tuple[int, int, int], tuple[Flight, ...]] = {}
        self._hotels: dict[tuple[int, int], tuple[Hotel, ...]] = {}

    def weather(self, city: int, day: int) -> Weather:
        """The forecast for world city ``city`` on ``day`` (1..7)."""
        key = (city, day)
        found = self._weather.get(key)
        if found is None:
            found = self._weather[key] = city_weather(self.seed, self.table_index[city], day)
        return found

    def set_weather(self, city: int, day: int, weather: Weather) -> None:
        """Fix a forecast (templates use it to make an answer unique or balanced)."""
        self._weather[(city, day)] = weather

    def meetings_on(self, day: int) -> list[Meeting]:
        return [m for m in self.meetings if m.day == day]

    def flights(self, origin: int, destination: int, day: int) -> tuple[Flight, ...]:
        """The flights from world city ``origin`` to ``destination`` on ``day``, by departure."""
        key = (origin, destination, day)
        found = self._flights.get(key)
        if found is None:
            found = self._flights[key] = route_flights(
                self.seed, self.table_index[origin], self.table_index[destination], day
            )
        return found

    def cheapest(self, origin: int, destination: int, day: int) -> int:
        return min(f.price for f in self.flights(origin, destination, day))

    def hotels(self, city: int, day: int) -> tuple[Hotel, ...]:
        """The hotels of world city ``city`` for the night of ``day``, by price."""
        key = (city, day)
        found = self._hotels.get(key)
        if found is None:
            found = self._hotels[key] = city_hotels(self.seed, self.table_index[city], day)
        return found


def _unit(bits: int) -> float:
    """16 bits as a number in [0, 1)."""
    return (bits & 0xFFFF) / 65536.0


def city_weather(seed: int, city: int, day: int) -> Weather:
    """The forecast of table city ``city`` on ``day``, a pure function of the world's ``seed``.

    Like flights, forecasts are derived on demand by a counter-based generator keyed by
    seed, city and day, so a reset draws only the seed and the result does not depend
    on the order of queries. Highs scatter around the city's typical high (standard
    deviation 3 C); wet days (probability: the city's wetness) bring rain, thunderstorms
    on warm days or snow at or below 1 C, with a precipitation chance of 60-95%.
    """
    state = _mix(seed ^ 0x5BD1E995 ^ ((city * 8 + day) * 0xD6E8FEB86659FD93 & _MASK64))
    second = _mix(state)
    # Sum of three uniforms: mean 1.5, standard deviation 0.5; scaled to 3 C.
    spread = (_unit(second) + _unit(second >> 16) + _unit(second >> 32) - 1.5) * 6.0
    info = CITIES[city]
    high = round(info.typical_high_c + spread)
    low = high - 5 - int(_unit(state) * 7)
    kind = _unit(state >> 32)
    steps = int(_unit(state >> 48) * 8) * 5
    if _unit(state >> 16) < info.wetness:
        condition = SNOW if high <= 1 else THUNDERSTORMS if high >= 20 and kind < 0.35 else RAIN
        return Weather(condition, high, low, 60 + steps)
    if kind < 0.45:
        return Weather(SUNNY, high, low, steps * 4 // 7 // 5 * 5)
    if kind < 0.7:
        return Weather(PARTLY_CLOUDY, high, low, steps * 4 // 7 // 5 * 5)
    return Weather(CLOUDY if kind < 0.92 else FOG, high, low, 10 + steps * 6 // 7 // 5 * 5)


def distance_km(a: int, b: int) -> float:
    """Great-circle distance between two cities of the table, by table index."""
    lat_a, lat_b = _LATITUDE[a], _LATITUDE[b]
    cos_angle = math.sin(lat_a) * math.sin(lat_b) + math.cos(lat_a) * math.cos(lat_b) * math.cos(
        _LONGITUDE[a] - _LONGITUDE[b]
    )
    return 6371.0 * math.acos(max(-1.0, min(1.0, cos_angle)))


def route_flights(seed: int, origin: int, destination: int, day: int) -> tuple[Flight, ...]:
    """One to three flights on a route and day, a pure function of the world's ``seed``.

    Flights are derived on demand (a counter-based generator keyed by seed, route and
    day) rather than drawn for every route at reset: a world of ten cities has 630
    route-days, and a reset must stay well under a millisecond. The result does not
    depend on the order of queries.
    """
    state = _mix(seed ^ (((origin * 64 + destination) * 8 + day) * 0x9E3779B97F4A7C15 & _MASK64))
    count = 1 + state % FLIGHTS_PER_ROUTE
    departure = 360 + (state >> 8) % 49 * 5
    base = distance_km(origin, destination) / 800.0 * 60.0 + 40.0
    flights = []
    for _ in range(count):
        state = _mix(state)
        duration = max(45, 5 * (round(base / 5.0) + (state >> 8) % 7 - 3))
        factor = 0.8 + 1.1 * ((state >> 16) & 0xFFFF) / 0xFFFF
        price = round(49.0 + distance_km(origin, destination) * 0.07 * factor)
        code = f"{AIRLINES[(state >> 42) % len(AIRLINES)]}{100 + (state >> 48) % 900}"
        flights.append(Flight(code, departure, duration, price, 1 + (state >> 32) % 179))
        departure += 5 * (30 + state % 37)
    return tuple(flights)


def city_hotels(seed: int, city: int, day: int) -> tuple[Hotel, ...]:
    """Two to four hotels of table city ``city`` for the night of ``day``, cheapest first; a pure
    function of the world's ``seed`` like :func:`route_flights`. Names are fixed per city, prices
    (about 45 USD a star, more in warm cities) and rooms left vary by night."""
    names = _mix(seed ^ 0x2545F4914F6CDD1D ^ (city * 0x9E3779B97F4A7C15 & _MASK64))
    count = 2 + names % (HOTELS_PER_CITY - 1)
    first = (names >> 8) % len(HOTEL_NAMES)
    state = _mix(names ^ day)
    hotels = []
    for k in range(count):
        state = _mix(state)
        stars = 2 + ((names >> (16 + 2 * k)) & 3)
        factor = 0.8 + 0.6 * _unit(state)
        price = round((35 + 45 * stars + 2 * max(CITIES[city].typical_high_c - 15, 0)) * factor)
        hotels.append(Hotel(HOTEL_NAMES[(first + 3 * k) % len(HOTEL_NAMES)], stars, price, 1 + (state >> 20) % 24))
    return tuple(sorted(hotels, key=lambda h: (h.price, h.name)))


def generate_world(rng: np.random.Generator, n_cities: int) -> World:
    """The cities, the home city and the seed of the weather and flights (the calendar
    comes from the question template)."""
    if not 4 <= n_cities <= len(CITIES):
        raise ValueError(f"n_cities must be in 4..{len(CITIES)}, got {n_cities}")
    pick = sorted(int(i) for i in rng.permutation(len(CITIES))[:n_cities])
    return World(
        cities=tuple(CITIES[i].name for i in pick),
        table_index=tuple(pick),
        home=int(rng.integers(n_cities)),
        seed=int(rng.integers(0, 2**63)),
    )


def generate_calendar(rng: np.random.Generator, n_cities: int, fixed: dict[int, int]) -> tuple[Meeting, ...]:
    """Zero to two meetings a day; each day in ``fixed`` (day -> city) has exactly one, in that city."""
    u = rng.random((DAYS, 7))
    meetings = []
    for d in range(DAYS):
        day = d + 1
        row = u[d]
        first = int(row[0] * 12)
        slots = (first, first + 2 + int(row[1] * 8))
        if day in fixed:
            meetings.append(Meeting(day, 480 + 30 * first, MEETING_TITLES[int(row[2] * len(MEETING_TITLES))], fixed[day]))
            continue
        for k in range(int(row[3] * 3)):
            title = MEETING_TITLES[int(row[4 + k] * len(MEETING_TITLES))]
            meetings.append(Meeting(day, 480 + 30 * slots[k], title, int(row[5 + k] * n_cities)))
    return tuple(meetings)


# ---- the tools -------------------------------------------------------------------------------------


def resolve_city(world: World, name: str) -> int:
    """The world index of ``name`` (case-insensitive), or a :class:`ToolError` listing close matches."""
    key = " ".join(str(name).split()).lower()
    index = world.index.get(key)
    if index is not None:
        return index
    close = close_matches(key[:60], world.cities)
    if close:
        return _raise(f"Unknown city {quote(str(name))}. Did you mean: {', '.join(close)}?")
    return _raise(f"Unknown city {quote(str(name))}. This service covers: {', '.join(sorted(world.cities))}.")


@functools.lru_cache(maxsize=256)
def _bigrams(text: str) -> frozenset[str]:
    padded = f" {text.lower()} "
    return frozenset(padded[i: i + 2] for i in range(len(padded) - 1))


def close_matches(name: str, candidates: Sequence[str], limit: int = 3, cutoff: float = 0.5) -> list[str]:
    """The ``candidates`` most like ``name``: letter-pair (Dice) similarity of at least ``cutoff``,
    or containing / contained in it; best first.

    Letter pairs catch typos, swapped and missing letters at a small fraction of the
    cost of edit distances, which matters because error replies are part of a step.

    Example:
        >>> close_matches("san fransisco", ["San Francisco", "Oslo", "Santiago"])
        ['San Francisco']
        >>> close_matches("francisco", ["San Francisco", "Oslo"])
        ['San Francisco']
    """
    lowered = name.lower()
    if len(lowered) < 3:
        return []
    pairs = _bigrams(name)
    scored = []
    for candidate in candidates:
        other = _bigrams(candidate)
        score = 2.0 * len(pairs & other) / (len(pairs) + len(other))
        if lowered in candidate.lower() or candidate.lower() in lowered:
            score = max(score, cutoff)
        if score >= cutoff:
            scored.append((-score, candidate))
    return [candidate for _, candidate in sorted(scored)[:limit]]


def quote(text: str, limit: int = 40) -> str:
    """At most ``limit`` characters of untrusted text, quoted (the env sanitises every reply)."""
    text = " ".join(text.split())
    return '"' + (text if len(text) <= limit else text[: limit - 3] + "...") + '"'


def _raise(message: str) -> Any:
    raise ToolError(message)


def _check_day(day: Any) -> int:
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= DAYS:
        raise ToolError(f"Day must be a whole number from 1 (Monday) to {DAYS} (Sunday), got {str(day)[:20]}.")
    return day


def weather_report(world: World, city: str, day: int) -> str:
    """The forecast for ``city`` on ``day``, e.g. ``Oslo, day 2 (Tuesday): rain, high 9 C (48 F), ...``."""
    c, day = resolve_city(world, city), _check_day(day)
    w = world.weather(c, day)
    return (
        f"{world.cities[c]}, {day_label(day)}: {CONDITIONS[w.condition]}, "
        f"high {w.high_c} C ({fahrenheit(w.high_c)} F), low {w.low_c} C ({fahrenheit(w.low_c)} F), "
        f"precipitation {w.precipitation}%."
    )


def calendar_report(world: World, day: int) -> str:
    """The user's meetings on ``day``."""
    day = _check_day(day)
    meetings = world.meetings_on(day)
    if not meetings:
        return f"Calendar, {day_label(day)}: no meetings."
    entries = "; ".join(f"{clock(m.minute)} {m.title} in {world.cities[m.city]}" for m in meetings)
    return f"Calendar, {day_label(day)}: {entries}."


def flights_report(world: World, origin: str, destination: str, day: int) -> str:
    """The flights from ``origin`` to ``destination`` on ``day``, by departure time."""
    a, b, day = resolve_city(world, origin), resolve_city(world, destination), _check_day(day)
    if a == b:
        raise ToolError(f"Origin and destination are both {world.cities[a]}; choose two different cities.")
    parts = [
        f"{f.code} dep {clock(f.departure)}, {f.duration // 60}h{f.duration % 60:02d}m, ${f.price}, "
        f"{f.seats} seat{'s' if f.seats != 1 else ''} left"
        for f in world.flights(a, b, day)
    ]
    return f"Flights {world.cities[a]} -> {world.cities[b]}, {day_label(day)}: {'; '.join(parts)}."


def hotels_report(world: World, city: str, day: int) -> str:
    """The hotels of ``city`` for the night of ``day``, cheapest first."""
    c, day = resolve_city(world, city), _check_day(day)
    parts = [
        f"{h.name} {h.stars}*, ${h.price} per night, {h.rooms} room{'s' if h.rooms != 1 else ''} left"
        for h in world.hotels(c, day)
    ]
    return f"Hotels in {world.cities[c]}, night of {day_label(day)}: {'; '.join(parts)}."


#: The world's tools by name: each takes the world and the call's arguments by keyword.
REPORTS: dict[str, Callable[..., str]] = {
    "weather": weather_report,
    "calendar": calendar_report,
    "flights": flights_report,
    "hotels": hotels_report,
}


# ---- questions ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """What a correct answer states: a number (with unit and decimals), a yes/no, or one of some choices."""

    kind: str
    value: Any
    unit: str | None = None
    decimals: int = 0
    words: bool = False
    choices: tuple[str, ...] = ()


def check_answer(expected: Expected, text: str) -> bool:
    """Grade ``text`` against ``expected`` with the rules of :mod:`agentic_gym.envs.tool.answers`."""
    if expected.kind == "number":
        return check_number(text, expected.value, expected.decimals, expected.unit, expected.words)
    if expected.kind == "yesno":
        return check_yes_no(text, expected.value)
    if expected.kind == "condition":
        return check_choice(text, expected.value, CONDITION_SYNONYMS, _CONDITION_PATTERN)
    if expected.kind == "city":
        return check_choice(text, expected.value, {c: (c,) for c in expected.choices})
    raise ValueError(f"unknown answer kind {expected.kind!r}")


Call = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Task:
    """One episode: the world, the question, the graded answer, and the oracle's calls and reply.

    ``plan`` is the shortest sequence of tool calls that answers the question (every
    fact looked up once, the arithmetic in one calculator call); ``cities`` and
    ``days`` are those the question names (what an agent knows before any call).
    """

    template: str
    world: World
    question: str
    expected: Expected
    plan: tuple[Call, ...]
    answer: str
    cities: tuple[str, ...]
    days: tuple[int, ...]


def _weather(world: World, city: int, day: int) -> Call:
    return ("weather", {"city": world.cities[city], "day": day})


def _flights(world: World, a: int, b: int, day: int) -> Call:
    return ("flights", {"origin": world.cities[a], "destination": world.cities[b], "day": day})


def _calendar(day: int) -> Call:
    return ("calendar", {"day": day})


def _hotels(world: World, city: int, day: int) -> Call:
    return ("hotels", {"city": world.cities[city], "day": day})


def _calculator(expression: str) -> Call:
    return ("calculator", {"expression": expression})


def _pair(rng: np.random.Generator, n: int, avoid: int | None = None) -> tuple[int, int]:
    pool = [i for i in range(n) if i != avoid]
    a, b = rng.permutation(len(pool))[:2]
    return pool[int(a)], pool[int(b)]


def _days(rng: np.random.Generator, count: int) -> list[int]:
    return sorted(int(d) + 1 for d in rng.permutation(DAYS)[:count])


def _separate_highs(world: World, a: tuple[int, int], b: tuple[int, int]) -> int:
    """Make the highs at (city, day) ``a`` and ``b`` differ, so "which is warmer" has one answer;
    return the warmer city."""
    first, second = world.weather(*a), world.weather(*b)
    if first.high_c == second.high_c:
        second = replace(second, high_c=second.high_c + 1)
        world.set_weather(*b, second)
    return a[0] if first.high_c > second.high_c else b[0]


def _weather_condition(world: World, rng: np.random.Generator) -> Task:
    city, day = int(rng.integers(len(world.cities))), int(rng.integers(1, DAYS + 1))
    world.meetings = generate_calendar(rng, len(world.cities), {})
    condition = CONDITIONS[world.weather(city, day).condition]
    name = world.cities[city]
    return Task("weather_condition", world,
                f"What's the weather like in {name} on {WEEKDAYS[day - 1]} (day {day})? "
                "Answer with the forecast condition.",
                Expected("condition", condition), (_weather(world, city, day),), condition, (name,), (day,))


def _high_fahrenheit(world: World, rng: np.random.Generator) -> Task:
    city, day = int(rng.integers(len(world.cities))), int(rng.integers(1, DAYS + 1))
    world.meetings = generate_calendar(rng, len(world.cities), {})
    value = fahrenheit(world.weather(city, day).high_c)
    name = world.cities[city]
    return Task("high_fahrenheit", world,
                f"What is the forecast high temperature in {name} on {WEEKDAYS[day - 1]} (day {day}), "
                "in degrees Fahrenheit?",
                Expected("number", value, unit="f"), (_weather(world, city, day),), f"{value} F", (name,), (day,))


def _meeting_count(world: World, rng: np.random.Generator) -> Task:
    day = int(rng.integers(1, DAYS + 1))
    world.meetings = generate_calendar(rng, len(world.cities), {})
    count = len(world.meetings_on(day))
    return Task("meeting_count", world, f"How many meetings do I have on {WEEKDAYS[day - 1]} (day {day})?",
                Expected("number", count, words=True), (_calendar(day),), str(count), (), (day,))


def _cheapest_flight(world: World, rng: np.random.Generator) -> Task:
    a, b = _pair(rng, len(world.cities))
    day = int(rng.integers(1, DAYS + 1))
    world.meetings = generate_calendar(rng, len(world.cities), {})
    price = world.cheapest(a, b, day)
    names = (world.cities[a], world.cities[b])
    return Task("cheapest_flight", world,
                f"What is the cheapest flight price from {names[0]} to {names[1]} on {WEEKDAYS[day - 1]} "
                f"(day {day}), in US dollars?",
                Expected("number", price, unit="usd"), (_flights(world, a, b, day),), f"${price}", names, (day,))


def _warmer_city(world: World, rng: np.random.Generator) -> Task:
    a, b = _pair(rng, len(world.cities))
    day = int(rng.integers(1, DAYS + 1))
    world.meetings = generate_calendar(rng, len(world.cities), {})
    warmer = _separate_highs(world, (a, day), (b, day))
    names = (world.cities[a], world.cities[b])
    return Task("warmer_city", world,
                f"Which will be warmer on {WEEKDAYS[day - 1]} (day {day}), {names[0]} or {names[1]}? "
                "Compare the forecast high temperatures.",
                Expected("city", world.cities[warmer], choices=names),
                (_weather(world, a, day), _weather(world, b, day)), world.cities[warmer], names, (day,))



def _meeting_somewhere(world: World, rng: np.random.Generator) -> tuple[int, int]:
    """Draw a city and a day and put the calendar's meeting there (the meeting-city templates)."""
    city, day = int(rng.integers(len(world.cities))), int(rng.integers(1, DAYS + 1))
    world.meetings = generate_calendar(rng, len(world.cities), {day: city})
    return city, day


def _rain_at_meeting(world: World, rng: np.random.Generator) -> Task:
    city, day = _meeting_somewhere(world, rng)
    # Balance the answers: a constant "no" must not score well.
    rain = bool(rng.integers(2))
    w = world.weather(city, day)
    if rain and w.condition not in RAINY:
        condition = THUNDERSTORMS if w.high_c >= 20 else RAIN
        world.set_weather(city, day, replace(w, condition=condition, precipitation=max(w.precipitation, 70)))
    elif not rain and w.condition in (*RAINY, SNOW):
        world.set_weather(city, day, replace(w, condition=CLOUDY, precipitation=30))
    answer = "yes" if rain else "no"
    return Task("rain_at_meeting", world,
                f"Will it rain in the city of my {WEEKDAYS[day - 1]} meeting (day {day}) on that day? "
                "Answer yes or no.",
                Expected("yesno", rain), (_calendar(day), _weather(world, city, day)), answer, (), (day,))


def _low_at_meeting(world: World, rng: np.random.Generator) -> Task:
    city, day = _meeting_somewhere(world, rng)
    value = world.weather(city, day).low_c
    return Task("low_at_meeting", world,
                f"What is the forecast low temperature, in degrees Celsius, in the city of my "
                f"{WEEKDAYS[day - 1]} meeting (day {day}) on that day?",
                Expected("number", value, unit="c"), (_calendar(day), _weather(world, city, day)), f"{value} C",
                (), (day,))


def _earliest_seats(world: World, rng: np.random.Generator) -> Task:
    home = world.home
    city = _pair(rng, len(world.cities), avoid=home)[0]
    day = int(rng.integers(1, DAYS + 1))
    world.meetings = generate_calendar(rng, len(world.cities), {day: city})
    seats = world.flights(home, city, day)[0].seats
    origin = world.cities[home]
    return Task("earliest_seats", world,
                f"How many seats are left on the earliest flight from {origin} to the city of my "
                f"{WEEKDAYS[day - 1]} meeting (day {day}) on that day?",
                Expected("number", seats), (_calendar(day), _flights(world, home, city, day)), str(seats),
                (origin,), (day,))


def _warmer_meeting_city(world: World, rng: np.random.Generator) -> Task:
    a, b = _pair(rng, len(world.cities))
    d1, d2 = _days(rng, 2)
    world.meetings = generate_calendar(rng, len(world.cities), {d1: a, d2: b})
    warmer = _separate_highs(world, (a, d1), (b, d2))
    return Task("warmer_meeting_city", world,
                f"I have one meeting on {WEEKDAYS[d1 - 1]} (day {d1}) and one on {WEEKDAYS[d2 - 1]} (day {d2}). "
                "Which of the two meeting cities will have the higher forecast high temperature on its "
                "meeting day? Answer with the city.",
                Expected("city", world.cities[warmer], choices=(world.cities[a], world.cities[b])),
                (_calendar(d1), _calendar(d2), _weather(world, a, d1), _weather(world, b, d2)),
                world.cities[warmer], (), (d1, d2))


def _price_difference(world: World, rng: np.random.Generator) -> Task:
    a, b = _pair(rng, len(world.cities))
    d1, d2 = _days(rng, 2)
    world.meetings = generate_calendar(rng, len(world.cities), {})
    p1, p2 = world.cheapest(a, b, d1), world.cheapest(a, b, d2)
    names = (world.cities[a], world.cities[b])
    return Task("price_difference", world,
                f"By how many US dollars does the cheapest flight from {names[0]} to {names[1]} on "
                f"{WEEKDAYS[d1 - 1]} (day {d1}) differ from the cheapest one on {WEEKDAYS[d2 - 1]} (day {d2})?",
                Expected("number", abs(p1 - p2), unit="usd"),
                (_flights(world, a, b, d1), _flights(world, a, b, d2), _calculator(f"{p1} - {p2}")),
                f"${abs(p1 - p2)}", names, (d1, d2))


def _round_trip(world: World, rng: np.random.Generator) -> Task:
    home = world.home
    city = _pair(rng, len(world.cities), avoid=home)[0]
    d1, d2 = _days(rng, 2)
    world.meetings = generate_calendar(rng, len(world.cities), {d1: city})
    p1, p2 = world.cheapest(home, city, d1), world.cheapest(city, home, d2)
    origin = world.cities[home]
    return Task("round_trip", world,
                f"I live in {origin}. What is the cheapest total price, in US dollars, to fly from {origin} to "
                f"the city of my {WEEKDAYS[d1 - 1]} meeting (day {d1}) on that day and back to {origin} on "
                f"{WEEKDAYS[d2 - 1]} (day {d2})?",
                Expected("number", p1 + p2, unit="usd"),
                (_calendar(d1), _flights(world, home, city, d1), _flights(world, city, home, d2),
                 _calculator(f"{p1} + {p2}")),
                f"${p1 + p2}", (origin,), (d1, d2))


def _average_high(world: World, rng: np.random.Generator) -> Task:
    a, b = _pair(rng, len(world.cities))
    d1, d2 = _days(rng, 2)
    world.meetings = generate_calendar(rng, len(world.cities), {d1: a, d2: b})
    h1, h2 = world.weather(a, d1).high_c, world.weather(b, d2).high_c
    value = (h1 + h2) / 2
    return Task("average_high", world,
                f"What is the average of the forecast high temperatures, in degrees Celsius, in the cities of "
                f"my {WEEKDAYS[d1 - 1]} meeting (day {d1}) and my {WEEKDAYS[d2 - 1]} meeting (day {d2}), each "
                "on its meeting day? Round to one decimal place.",
                Expected("number", value, unit="c", decimals=1),
                (_calendar(d1), _calendar(d2), _weather(world, a, d1), _weather(world, b, d2),
                 _calculator(f"({h1} + {h2}) / 2")),
                f"{value:.1f} C", (), (d1, d2))


def _multi_leg(world: World, rng: np.random.Generator) -> Task:
    home = world.home
    a, b = _pair(rng, len(world.cities), avoid=home)
    d1, d2, d3 = _days(rng, 3)
    world.meetings = generate_calendar(rng, len(world.cities), {d1: a, d2: b})
    p1, p2, p3 = world.cheapest(home, a, d1), world.cheapest(a, b, d2), world.cheapest(b, home, d3)
    origin = world.cities[home]
    return Task("multi_leg", world,
                f"I live in {origin}. I fly to the city of my {WEEKDAYS[d1 - 1]} meeting (day {d1}) on that day, "
                f"from there to the city of my {WEEKDAYS[d2 - 1]} meeting (day {d2}) on that day, and home to "
                f"{origin} on {WEEKDAYS[d3 - 1]} (day {d3}). Taking the cheapest flight on each leg, what is "
                "the total price in US dollars?",
                Expected("number", p1 + p2 + p3, unit="usd"),
                (_calendar(d1), _calendar(d2), _flights(world, home, a, d1), _flights(world, a, b, d2),
                 _flights(world, b, home, d3), _calculator(f"{p1} + {p2} + {p3}")),
                f"${p1 + p2 + p3}", (origin,), (d1, d2, d3))


def _hotel_at_meeting(world: World, rng: np.random.Generator) -> Task:
    city, day = _meeting_somewhere(world, rng)
    price = world.hotels(city, day)[0].price
    return Task("hotel_at_meeting", world,
                f"What is the cheapest hotel price per night in the city of my {WEEKDAYS[day - 1]} meeting "
                f"(day {day}), for the night of that day, in US dollars?",
                Expected("number", price, unit="usd"), (_calendar(day), _hotels(world, city, day)), f"${price}",
                (), (day,))


def _trip_with_hotel(world: World, rng: np.random.Generator) -> Task:
    home = world.home
    city = _pair(rng, len(world.cities), avoid=home)[0]
    day = int(rng.integers(1, DAYS))
    world.meetings = generate_calendar(rng, len(world.cities), {day: city})
    out, night, back = world.cheapest(home, city, day), world.hotels(city, day)[0].price, world.cheapest(
        city, home, day + 1)
    origin = world.cities[home]
    return Task("trip_with_hotel", world,
                f"I live in {origin}. I fly to the city of my {WEEKDAYS[day - 1]} meeting (day {day}) on that day, "
                f"stay the night in the cheapest hotel there, and fly home to {origin} the next day "
                f"({WEEKDAYS[day]}, day {day + 1}). Taking the cheapest flights, what does the trip cost in "
                "total, in US dollars?",
                Expected("number", out + night + back, unit="usd"),
                (_calendar(day), _flights(world, home, city, day), _hotels(world, city, day),
                 _flights(world, city, home, day + 1), _calculator(f"{out} + {night} + {back}")),
                f"${out + night + back}", (origin,), (day, day + 1))


def _fits(world: World, a: int, b: int, day: int, party: int, by: int | None) -> list[Flight]:
    """The flights from ``a`` to ``b`` on ``day`` with a seat for each of ``party`` that land by minute ``by``."""
    return [f for f in world.flights(a, b, day) if f.seats >= party and (by is None or f.departure + f.duration <= by)]


def _tour(world: World, rng: np.random.Generator) -> Task:
    """Two meeting cities on consecutive days, a night in each, for a party: every choice under constraints.

    Each outbound flight must land by the start of that day's meeting and have a seat for
    everyone, each hotel a room for everyone, the flight home a seat for everyone; the
    cheapest of each that qualifies is taken. A meeting that starts before any flight with
    enough seats lands is moved to the first half hour after the earliest such landing
    (up to 22:00; later, or a leg or night with no choice at all, draws again).
    """
    home = world.home
    while True:
        a, b = _pair(rng, len(world.cities), avoid=home)
        d1 = int(rng.integers(1, DAYS - 1))
        party = int(rng.integers(2, 5))
        meetings = list(generate_calendar(rng, len(world.cities), {d1: a, d1 + 1: b}))
        routes = {d1: (home, a), d1 + 1: (a, b)}
        feasible = True
        for i, meeting in enumerate(meetings):
            if meeting.day in routes:
                seated = _fits(world, *routes[meeting.day], meeting.day, party, None)
                if not seated:
                    feasible = False
                    break
                earliest = min(f.departure + f.duration for f in seated)
                if earliest > meeting.minute:
                    minute = -(-earliest // 30) * 30
                    if minute > 22 * 60:
                        feasible = False
                        break
                    meetings[i] = replace(meeting, minute=minute)
        world.meetings = tuple(meetings)
        if not feasible:
            continue
        starts = {m.day: m.minute for m in meetings if m.day in routes}
        legs = (_fits(world, home, a, d1, party, starts[d1]), _fits(world, a, b, d1 + 1, party, starts[d1 + 1]),
                _fits(world, b, home, d1 + 2, party, None))
        nights = ([h for h in world.hotels(a, d1) if h.rooms >= party],
                  [h for h in world.hotels(b, d1 + 1) if h.rooms >= party])
        if all(legs) and all(nights):
            break
    f1, f2, f3 = (min(f.price for f in leg) for leg in legs)
    h1, h2 = (night[0].price for night in nights)
    total = party * (f1 + h1 + f2 + h2 + f3)
    origin = world.cities[home]
    d2, d3 = d1 + 1, d1 + 2
    return Task("tour", world,
                f"I live in {origin}. We are {party} people travelling together. On {WEEKDAYS[d1 - 1]} (day {d1}) we fly to the city of my meeting "
                f"that day and stay the night there; on {WEEKDAYS[d2 - 1]} (day {d2}) we fly on to the city of "
                f"that day's meeting and stay the night; on {WEEKDAYS[d3 - 1]} (day {d3}) we fly home to {origin}. "
                "Each flight to a meeting must land no later than the meeting's start; every flight needs a seat "
                "for each of us and every hotel a room for each of us (one room per person). Taking the "
                "cheapest flight and the cheapest hotel that meet these conditions each time, what does the "
                "whole trip cost for all of us together, in US dollars?",
                Expected("number", total, unit="usd"),
                (_calendar(d1), _calendar(d2), _flights(world, home, a, d1), _hotels(world, a, d1),
                 _flights(world, a, b, d2), _hotels(world, b, d2), _flights(world, b, home, d3),
                 _calculator(f"{party} * ({f1} + {h1} + {f2} + {h2} + {f3})")),
                f"${total}", (origin,), (d1, d2, d3))


#: Question templates by difficulty: easy needs 1-2 tool calls, medium 2-4, hard 4-6 with arithmetic,
#: expert 8 with constraints checked against each other (arrival before a meeting, seats, rooms).
TEMPLATES: dict[str, dict[str, Callable[[World, np.random.Generator], Task]]] = {
    "easy": {
        "weather_condition": _weather_condition,
        "high_fahrenheit": _high_fahrenheit,
        "meeting_count": _meeting_count,
        "cheapest_flight": _cheapest_flight,
        "warmer_city": _warmer_city,
    },
    "medium": {
        "rain_at_meeting": _rain_at_meeting,
        "low_at_meeting": _low_at_meeting,
        "earliest_seats": _earliest_seats,
        "warmer_meeting_city": _warmer_meeting_city,
        "price_difference": _price_difference,
        "hotel_at_meeting": _hotel_at_meeting,
    },
    "hard": {
        "round_trip": _round_trip,
        "average_high": _average_high,
        "multi_leg": _multi_leg,
        "trip_with_hotel": _trip_with_hotel,
    },
    "expert": {
        "tour": _tour,
    },
}
ALL_TEMPLATES: dict[str, Callable[[World, np.random.Generator], Task]] = {
    name: build for group in TEMPLATES.values() for name, build in group.items()
}


def generate_task(
    rng: np.random.Generator,
    difficulty: str = "easy",
    n_cities: int | None = None,
    templates: Sequence[str] | None = None,
) -> Task:
    """A question, its world and its answer, all from ``rng``.

    ``templates`` restricts the draw to the named templates (any difficulty);
    otherwise a template of ``difficulty`` is drawn uniformly.
    """
    if difficulty not in TEMPLATES:
        raise ValueError(f"difficulty must be one of {DIFFICULTIES}, got {difficulty!r}")
    names = tuple(templates) if templates else tuple(TEMPLATES[difficulty])
    unknown = [t for t in names if t not in ALL_TEMPLATES]
    if unknown:
        raise ValueError(f"unknown templates {unknown}; valid: {sorted(ALL_TEMPLATES)}")
    name = names[int(rng.integers(len(names)))]
    world = generate_world(rng, n_cities or DEFAULT_CITIES[difficulty])
    return ALL_TEMPLATES[name](world, rng)
