"""The typed difficulty knobs of the tool envs: one frozen record per env, validated when built.

Each constructor builds its record and reads its settings from it (``env.knobs``;
``difficulty_knobs()`` is its dict). ``QuirkyTravelDeskKnobs`` lives beside its env in
:mod:`agentic_gym.envs.tool.quirky_desk`.

Example:
    >>> ToolMathKnobs(steps=4, domains=("savings",), fault_rate=0.0, tool_budget=None).as_dict()
    {'steps': 4, 'domains': ('savings',), 'fault_rate': 0.0, 'tool_budget': None}
    >>> TravelDeskKnobs.resolve(difficulty="hard").n_cities
    10
    >>> ToolMathKnobs(steps=4, domains=("savings",), fault_rate=1.0, tool_budget=None)
    Traceback (most recent call last):
    ...
    ValueError: fault_rate must be a number in [0.0, 1.0), got 1.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agentic_gym.core.arguments import Knobs, integer_in, knob, number_in, one_of, subset_of
from agentic_gym.envs.tool import math_world as mw
from agentic_gym.envs.tool import travel_world as tw
from agentic_gym.envs.tool.tool_env import MAX_TOOL_BUDGET

__all__ = ["ToolMathKnobs", "TravelDeskKnobs"]


def _faults_and_budget(record: Knobs, fault_rate: Any, tool_budget: Any) -> None:
    record._set("fault_rate", number_in("fault_rate", fault_rate, 0.0, 1.0, high_open=True))
    if tool_budget is not None:
        record._set("tool_budget", integer_in("tool_budget", tool_budget, 1, MAX_TOOL_BUDGET))


@dataclass(frozen=True)
class ToolMathKnobs(Knobs):
    """ToolMath's problems: their length and domains, and how unreliable the calculator is."""

    steps: int = knob(f"dependent operations in a problem (2 to {mw.MAX_STEPS})")
    domains: tuple[str, ...] = knob("problem domains drawn from, some of " + ", ".join(map(repr, mw.DOMAINS)))
    fault_rate: float = knob("chance in [0, 1) that a calculator call fails transiently")
    tool_budget: int | None = knob(f"the most tool calls allowed (1 to {MAX_TOOL_BUDGET}); None: no limit")

    def __post_init__(self) -> None:
        self._set("steps", integer_in("steps", self.steps, 2, mw.MAX_STEPS))
        self._set("domains", subset_of("domains", self.domains, mw.DOMAINS))
        _faults_and_budget(self, self.fault_rate, self.tool_budget)


@dataclass(frozen=True)
class TravelDeskKnobs(Knobs):
    """TravelDesk's questions: their difficulty, the world's size, the templates and the tools' faults."""

    difficulty: str = knob("question difficulty, one of " + ", ".join(map(repr, tw.DIFFICULTIES)))
    n_cities: int = knob(f"cities in the world (4 to {len(tw.CITIES)}); default by difficulty "
                         + ", ".join(f"{d} {n}" for d, n in tw.DEFAULT_CITIES.items()))
    templates: tuple[str, ...] | None = knob("question templates drawn from; None: all of the difficulty's")
    fault_rate: float = knob("chance in [0, 1) that a weather, calendar, flights or hotels call fails")
    tool_budget: int | None = knob(f"the most tool calls allowed (1 to {MAX_TOOL_BUDGET}); None: no limit")

    def __post_init__(self) -> None:
        self._set("difficulty", one_of("difficulty", self.difficulty, tw.DIFFICULTIES))
        self._set("n_cities", integer_in("n_cities", self.n_cities, 4, len(tw.CITIES)))
        if self.templates is not None:
            self._set("templates", tuple(subset_of("templates", self.templates, sorted(tw.ALL_TEMPLATES))))
        _faults_and_budget(self, self.fault_rate, self.tool_budget)

    @classmethod
    def resolve(cls, difficulty: Any = "easy", n_cities: Any = None, templates: Any = None, fault_rate: Any = 0.0,
                tool_budget: Any = None) -> Any:
        """The record of constructor arguments; ``n_cities`` None: the difficulty's default."""
        difficulty = one_of("difficulty", difficulty, tw.DIFFICULTIES)
        if n_cities is not None:
            n_cities = integer_in("n_cities", n_cities, 4, len(tw.CITIES))
        if templates is not None:
            templates = subset_of("templates", templates, sorted(tw.ALL_TEMPLATES))
        return cls(difficulty=difficulty, n_cities=n_cities or tw.DEFAULT_CITIES[difficulty],
                   templates=tuple(templates) if templates else None, fault_rate=fault_rate, tool_budget=tool_budget)
