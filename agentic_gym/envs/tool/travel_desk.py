"""TravelDesk: answer travel questions about a hidden world reachable only through tools."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from agentic_gym.core import (
    Affordance,
    Command,
    InvalidAction,
    Reason,
    calculate,
    format_number,
    int_param,
    params,
    string_param,
)
from agentic_gym.envs.tool import travel_world as tw
from agentic_gym.envs.tool.knobs import TravelDeskKnobs
from agentic_gym.envs.tool.tool_env import Episode, ToolEnv

_DAY = int_param("Day of the week: 1 (Monday) to 7 (Sunday).", minimum=1, maximum=tw.DAYS)
_CITY_EXAMPLES = ["San Francisco", "Oslo", "Rome", "Tokyo", "Lisbon", "New York"]

TRAVEL_AFFORDANCES: tuple[Affordance, ...] = (
    Affordance(
        "weather",
        "Forecast for a city on a day: condition, high and low temperature (C and F), chance of precipitation.",
        params(city=string_param("City name.", max_length=60, examples=_CITY_EXAMPLES), day=_DAY),
        kind="tool",
    ),
    Affordance(
        "calendar",
        "The user's meetings on a day: time, title and city of each.",
        params(day=_DAY),
        kind="tool",
    ),
    Affordance(
        "flights",
        "Flights from one city to another on a day: code, departure, duration, price in USD, seats left.",
        params(
            origin=string_param("Departure city.", max_length=60, examples=_CITY_EXAMPLES),
            destination=string_param("Arrival city.", max_length=60, examples=_CITY_EXAMPLES),
            day=_DAY,
        ),
        kind="tool",
    ),
    Affordance(
        "hotels",
        "Hotels in a city for the night of a day: name, stars, price per night in USD, rooms left.",
        params(city=string_param("City name.", max_length=60, examples=_CITY_EXAMPLES), day=_DAY),
        kind="tool",
    ),
    Affordance(
        "calculator",
        "Evaluate arithmetic: numbers, + - * / // % **, parentheses, sqrt, round, min, max, ...",
        params(expression=string_param("An arithmetic expression.", max_length=1000,
                                       examples=["(412 + 385) * 2", "21 * 9 / 5 + 32", "(14 + 19) / 2"])),
        kind="tool",
    ),
    Affordance(
        "answer",
        "Give the final answer to the question; this ends the episode.",
        params(text=string_param("The answer.", max_length=500, examples=["sunny", "yes", "$412", "Lisbon"])),
        kind="answer",
    ),
)


class TravelDesk(ToolEnv):
    """Answer a travel question about a hidden world reachable only through tools.

    ## Description
    Each episode draws, from the seed alone, a hidden world: six to ten cities from a
    table shipped with the package (San Francisco among them), a week of weather per
    city (condition, high and low in Celsius and Fahrenheit, chance of precipitation),
    the user's calendar (meetings with time, title and city), one to three flights
    per route and day (code, departure, duration, price in USD, seats left) and two to
    four hotels per city and night (name, stars, price per night, rooms left), plus a
    question from one of the difficulty's templates. Nothing of the world is visible
    until a tool shows it: the observation is the question and the results of the
    calls made so far. Days are numbered 1 (Monday) to 7 (Sunday).

    | difficulty | templates | tool calls needed |
    |---|---|---|
    | easy | weather condition, high in F, number of meetings, cheapest flight, warmer of two cities | 1-2 |
    | medium | rain at a meeting, low at a meeting, seats on the earliest flight there, warmer meeting city, price difference between days, cheapest hotel at a meeting | 2-4 |
    | hard | round trip total, average high of two meeting cities, three-leg trip total, trip with a hotel night | 4-6 (with arithmetic) |

    Tools answer like real APIs, errors included: an unknown city gets the closest
    matching names (or the list of covered cities), a day outside 1..7 the valid range,
    a missing or malformed argument the name of the argument and the usage. With
    ``fault_rate`` > 0, ``weather``, ``calendar``, ``flights`` and ``hotels`` calls fail transiently
    ("error 503: service unavailable, please retry") with that probability, drawn from
    the env's RNG, and at least one call of the episode's shortest plan fails, so every
    episode tests retrying; ``calculator`` is local and never fails so. With ``tool_budget``,
    a tool call after the budget is spent ends the episode unanswered.

    ## Action Space
    A :class:`~agentic_gym.core.CommandSpace` (text, at most 1024 characters sampled;
    any string is a legal action):

    | command | kind | effect |
    |---|---|---|
    | `weather(city="Oslo", day=2)` | tool | the forecast for a city and day |
    | `calendar(day=3)` or `calendar 3` | tool | the user's meetings that day |
    | `flights(origin="Oslo", destination="Rome", day=3)` | tool | the flights on a route and day |
    | `hotels(city="Rome", day=3)` | tool | the hotels of a city for that night, cheapest first |
    | `calculator <expression>` | tool | the value of an arithmetic expression (safe evaluator) |
    | `answer <text>` | answer | the final answer; ends the episode |

    An invalid command costs a step and changes nothing but the counters: the next
    observation says what was wrong, quoting at most 40 characters of it.

    ## Observation Space
    ``Dict(text=Text(4096), question=Text(1024))`` over :data:`~agentic_gym.core.CHARSET`.
    ``text`` is a short instruction, the question, the calls left (with a budget), the
    numbered log of tool calls with their results (``[2] calendar(day=3) -> Calendar,
    day 3 (Wednesday): 10:00 Board meeting in Lisbon.``; when the log would overflow, the
    oldest results are dropped and a line says how many) and feedback on the last
    command if it was invalid or an answer. ``question`` is the question alone.

    ## Rewards
    1 for a correct answer, 0 for everything else (tool calls, errors, a wrong answer,
    running out of budget or time). Answers are graded by
    :mod:`agentic_gym.envs.tool.answers`: case, spacing, thousands separators, ``$`` /
    ``USD`` / ``dollars``, ``C`` / ``F`` and trailing zeros are normalized; a number is
    the last one stated in the expected unit (or without a unit; a day, a clock time or
    a precision it mentions does not count) and must equal the value to the requested
    decimals (``$412``, ``412 USD`` and ``412.00`` all match 412;
    ``21 C`` does not answer a question in Fahrenheit); yes/no must be one of the two
    clearly; a city or a weather condition (with synonyms: ``clear`` for ``sunny``,
    ``overcast`` for ``cloudy``) must be named without naming the alternatives.

    ## Episode End
    Terminates on ``answer`` (success when correct) and when a tool call finds the
    ``tool_budget`` spent. Truncated by the registered ``max_episode_steps``.

    ``info``: ``success``, ``action_valid`` (False for an unreadable command, a tool call
    with invalid arguments or an error reply, and the call refused by the budget; a
    transient fault is not the agent's fault and stays valid), the cumulative counters
    ``tool_calls`` (every call that reached a tool, errors and faults included),
    ``tool_errors`` and ``tool_faults``, ``oracle_tool_calls`` (the fewest calls that
    solve the episode: every fact looked up once, the arithmetic in one calculator call,
    plus one retry per fault on the way) and ``admissible_commands`` (calendar, weather,
    hotels and flights calls for the days of the question and the cities known so far,
    from the question and from calendar results).

    ## Arguments
    * ``difficulty``: ``"easy"``, ``"medium"`` or ``"hard"`` (the templates above).
    * ``n_cities``: cities in the world (4..42); default 6, 8 or 10 by difficulty.
    * ``templates``: names of the templates to draw from (any difficulty), e.g.
      ``("weather_condition",)``; default all of ``difficulty``'s.
    * ``fault_rate``: probability in [0, 1) that a weather/calendar/flights/hotels call fails.
    * ``tool_budget``: the most tool calls allowed (1..10000), or None.

    A wrong type or value raises ``TypeError``/``ValueError`` naming the argument and its
    range; a reset with 42 cities takes a few milliseconds.
    * ``render_mode``: ``"human"``, ``"rgb_array"`` (a 640x480 transcript panel) or ``"ansi"``.

    ## Difficulty
    Knobs (``difficulty_knobs()``, reset ``info["difficulty"]``): ``difficulty``,
    ``n_cities`` (resolved), ``templates`` (None: all of the difficulty's), ``fault_rate``,
    ``tool_budget``, plus the registered ``max_episode_steps``. Tiers ``-Trivial`` (one
    lookup) to ``-Expert`` (the two-city tour with checked constraints).

    ## Registered Configurations
    * ``agentic_gym/TravelDesk-Easy-v0``: ``difficulty="easy"``, 20 steps.
    * ``agentic_gym/TravelDesk-Medium-v0``: ``difficulty="medium"``, 30 steps.
    * ``agentic_gym/TravelDesk-Hard-v0``: ``difficulty="hard"``, ``tool_budget=12``, 40 steps.
    * ``agentic_gym/TravelDesk-Flaky-v0``: ``difficulty="medium"``, ``fault_rate=0.2``, 50 steps.

    ## Prompt Format
    The first observation's ``text`` reads::

        You are a travel desk. Look facts up with the tools, then reply with answer <text>.
        Days are numbered 1 (Monday) to 7 (Sunday).

        Question: Will it rain in the city of my Wednesday meeting (day 3) on that day? Answer yes or no.
        No tool calls yet.

    and after two calls::

        Results so far:
        [1] calendar(day=3) -> Calendar, day 3 (Wednesday): 10:00 Board meeting in Lisbon.
        [2] weather(city="Lisbon", day=3) -> Lisbon, day 3 (Wednesday): rain, high 18 C (64 F), ...

    ## Action Grammar
    One command per step, in the suite's canonical text form: ``name(key=<JSON>, ...)``
    for every tool (``flights(origin="Oslo", destination="Rome", day=3)``; positional
    JSON values fill parameters in order), and ``name value`` for a tool with a single
    value parameter (``calendar 3``, ``calculator (412 + 385) / 2``, ``answer $797``).
    City names are matched case-insensitively. Through ``agentic_gym.chat`` the same
    tools are OpenAI function schemas (``info["tools"]``) and a ``tool_calls`` reply works.

    ## Version History
    * v0: initial release.

    Example:
        >>> env = TravelDesk(difficulty="easy", templates=("cheapest_flight",))
        >>> obs, info = env.reset(seed=3)
        >>> "Flights" in obs["text"], info["oracle_tool_calls"]
        (False, 1)
        >>> obs, reward, terminated, truncated, info = env.step(env.oracle_action())
        >>> obs["text"].splitlines()[-1].startswith("[1] flights(")
        True
        >>> env.step(env.oracle_action())[1:3]
        (1.0, True)
    """

    metadata: dict[str, Any] = {
        "render_modes": ["human", "rgb_array", "ansi"],
        "render_fps": 4,
        "capabilities": ("tool_use", "planning", "reasoning"),
    }
    affordances = TRAVEL_AFFORDANCES
    faultable = frozenset({"weather", "calendar", "flights", "hotels"})
    title = "TravelDesk"
    intro = (
        "You are a travel desk. Look facts up with the tools, then reply with answer <text>.\n"
        "Days are numbered 1 (Monday) to 7 (Sunday)."
    )

    #: The record type of the typed difficulty knobs (``self.knobs``).
    Knobs: type[TravelDeskKnobs] = TravelDeskKnobs

    def __init__(
        self,
        difficulty: str = "easy",
        n_cities: int | None = None,
        templates: Sequence[str] | None = None,
        fault_rate: float = 0.0,
        tool_budget: int | None = None,
        render_mode: str | None = None,
    ):
        #: The typed difficulty knobs (the one place their ranges are stated); ``n_cities`` resolved.
        self.knobs = self.Knobs.resolve(difficulty, n_cities, templates, fault_rate, tool_budget)
        super().__init__(fault_rate=self.knobs.fault_rate, tool_budget=self.knobs.tool_budget, render_mode=render_mode)

    @property
    def difficulty(self) -> str:
        """The ``difficulty`` knob (``self.knobs.difficulty``)."""
        return self.knobs.difficulty

    @property
    def n_cities(self) -> int:
        """The ``n_cities`` knob (``self.knobs.n_cities``)."""
        return self.knobs.n_cities

    @property
    def templates(self) -> tuple[str, ...] | None:
        """The ``templates`` knob (``self.knobs.templates``)."""
        return self.knobs.templates

    def _new_episode(self) -> Episode:
        self._task = task = tw.generate_task(self.np_random, self.difficulty, self.n_cities, self.templates)
        world = task.world
        self._known = sorted(world.index[c.lower()] for c in task.cities)
        self._admissible_key: tuple[int, ...] | None = None
        plan = tuple(Command(name, args) for name, args in task.plan)
        return Episode(task.question, plan, Command("answer", {"text": task.answer}))

    def _run_tool(self, command: Command) -> str:
        world, args = self._task.world, command.args
        report = tw.REPORTS.get(command.name)
        if report is None:
            return format_number(calculate(args["expression"]))
        try:
            reply = report(world, **args)
        except tw.ToolError as error:
            raise InvalidAction(str(error), affordance=command.name, reason=Reason.REFUSED) from None
        if command.name == "calendar":
            self._learn(m.city for m in world.meetings_on(args["day"]))
        return reply

    def _describe_error(self, error: InvalidAction) -> str:
        message = str(error)
        if error.argument == "day":
            # The schema's own message names the range; agents also need the day names.
            message += " Days are numbered 1 (Monday) to 7 (Sunday)."
        return message

    def _learn(self, cities: Iterable[int]) -> None:
        known = set(self._known)
        known.update(cities)
        self._known = sorted(known)

    def _is_correct(self, text: str) -> bool:
        return tw.check_answer(self._task.expected, text)

    def _admissible(self) -> list[str]:
        # Only a calendar result can add a city; rebuild the list only then.
        key = tuple(self._known)
        if key != self._admissible_key:
            self._admissible_key, self._admissible_list = key, self._example_calls()
        return self._admissible_list

    def _example_calls(self) -> list[str]:
        # Canonical command texts written out directly (reset is hot): `name(key=<JSON>, ...)`.
        world, days = self._task.world, self._task.days
        names = [json.dumps(world.cities[i]) for i in self._known]
        calls = [f"calendar(day={d})" for d in days]
        calls += [f"weather(city={c}, day={d})" for c in names for d in days]
        calls += [f"hotels(city={c}, day={d})" for c in names for d in days]
        calls += [
            f"flights(origin={a}, destination={b}, day={d})" for a in names for b in names if a != b for d in days
        ]
        return calls
