"""A state machine that calls the tool worlds' tools with random and garbage arguments.

Invariants checked after every step: the observation lies in its space, rewards lie
in [0, 1], the counters only grow within an episode (calls >= errors + faults, never
beyond the budget), and no hidden fact (a plan call's reply, the forecasts of the
cities on the question's days) shows in the text before a command asking for it.
"""

from __future__ import annotations

import contextlib
import json

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from agentic_gym.core import InvalidAction, parse_command
from agentic_gym.envs.tool import travel_world as tw
from agentic_gym.envs.tool.cities import CITIES
from agentic_gym.envs.tool.tool_math import ToolMath
from agentic_gym.envs.tool.travel_desk import TravelDesk

VARIANTS = [
    (TravelDesk, {"difficulty": "easy"}),
    (TravelDesk, {"difficulty": "medium", "fault_rate": 0.3}),
    (TravelDesk, {"difficulty": "hard", "tool_budget": 5}),
    (ToolMath, {"steps": 2}),
    (ToolMath, {"steps": 6, "fault_rate": 0.2, "tool_budget": 3}),
]
COUNTERS = ("tool_calls", "tool_errors", "tool_faults")
garbage = st.one_of(st.text(max_size=60), st.binary(max_size=30).map(lambda b: b.decode("latin-1")),
                    st.sampled_from(["", " ", "\x00", "weather(", "flights(,,)", "calendar(day=)", "answer",
                                     'weather(city="Oslo", day=2, extra=1)', "calculator " + "(" * 40, "((((",
                                     "calculator 9**9**9", "calendar(day=1e400)", "weather([1], {})"]))
days = st.one_of(st.integers(-3, 11), st.sampled_from(["3", "Wednesday", "2.0", "x", None, True]))


class ToolWorldMachine(RuleBasedStateMachine):
    @initialize(variant=st.sampled_from(range(len(VARIANTS))), seed=st.integers(0, 2**31 - 1))
    def start(self, variant, seed):
        cls, kwargs = VARIANTS[variant]
        self.env = cls(**kwargs)
        self.seed = seed
        self._reset()

    def _reset(self):
        self.obs, self.info = self.env.reset(seed=self.seed)
        self.seed += 1
        self.reward, self.done = 0.0, False
        self.asked: set[tuple] = set()
        self.previous = dict.fromkeys(COUNTERS, 0)

    def _step(self, action):
        if self.done:
            self._reset()
        self.previous = {k: self.info[k] for k in COUNTERS}
        with contextlib.suppress(InvalidAction):
            self.asked.add(_key(parse_command(action, self.env.affordances)))
        self.obs, self.reward, self.done, truncated, self.info = self.env.step(action)
        assert not truncated

    def _city(self, data):
        world_cities = self.env._task.world.cities if isinstance(self.env, TravelDesk) else ("Oslo",)
        return data.draw(st.one_of(st.sampled_from(world_cities), st.sampled_from([c.name for c in CITIES]),
                                   st.sampled_from(world_cities).map(str.upper), st.text(max_size=20)))

    @rule(data=st.data(), day=days)
    def weather(self, data, day):
        self._step(f"weather(city={json.dumps(self._city(data))}, day={json.dumps(day)})")

    @rule(day=days)
    def calendar(self, day):
        self._step(f"calendar {day}")

    @rule(data=st.data(), day=days)
    def flights(self, data, day):
        self._step(f"flights({json.dumps(self._city(data))}, {json.dumps(self._city(data))}, {json.dumps(day)})")

    @rule(data=st.data(), day=days)
    def hotels(self, data, day):
        self._step(f"hotels(city={json.dumps(self._city(data))}, day={json.dumps(day)})")

    @rule(expression=st.one_of(st.text(max_size=40), st.sampled_from(["1 + 2", "10 / 0", "2 ** 0.5", "sqrt(-1)"])))
    def calculator(self, expression):
        self._step(f"calculator {expression}")

    @rule(text=garbage)
    def garbage(self, text):
        self._step(text)

    @rule(text=st.text(max_size=30))
    def answer(self, text):
        self._step(f"answer {text}")

    @rule()
    def oracle(self):
        self._step(self.env.oracle_action())

    @invariant()
    def observation_is_in_its_space(self):
        assert self.env.observation_space.contains(self.obs)
        assert 0.0 <= self.reward <= 1.0
        assert self.info["success"] == (self.reward == 1.0 and self.done)

    @invariant()
    def counters_only_grow(self):
        info = self.info
        assert all(info[k] >= self.previous[k] for k in COUNTERS)
        assert info["tool_calls"] >= info["tool_errors"] + info["tool_faults"]
        if self.env.tool_budget is not None:
            assert info["tool_calls"] <= self.env.tool_budget
        assert info["oracle_tool_calls"] >= 1

    @invariant()
    def nothing_hidden_shows_before_it_is_asked_for(self):
        if not isinstance(self.env, TravelDesk):
            return
        task = self.env._task
        text = self.obs["text"]
        facts = [(f"{name}({', '.join(f'{k}={json.dumps(v)}' for k, v in args.items())})", _reply(task, name, args))
                 for name, args in task.plan if name != "calculator"]
        facts += [(f"weather(city={json.dumps(task.world.cities[c])}, day={d})",
                   tw.weather_report(task.world, task.world.cities[c], d))
                  for c in range(len(task.world.cities)) for d in task.days]
        for command, reply in facts:
            if reply in text:
                assert _key(parse_command(command, self.env.affordances)) in self.asked, (command, text)


def _key(command):
    """A call as the world reads it: city names are matched case- and space-insensitively."""
    norm = {k: " ".join(v.split()).lower() if isinstance(v, str) else v for k, v in command.args.items()}
    return command.name, tuple(sorted(norm.items()))


def _reply(task, name, args):
    return tw.REPORTS[name](task.world, **args)


TestToolWorldMachine = ToolWorldMachine.TestCase
