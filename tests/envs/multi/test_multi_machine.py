"""A Hypothesis state machine stepping every multi-agent env seat by seat with garbage, sampled and oracle actions.

Invariants every step: nothing raises; each observation lies in its space; every
reward, and every agent's return, lies in [0, 1]; a garbage action is reported as
invalid; the episode ends within its round limit.
"""

from __future__ import annotations

import math

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from agentic_gym import MULTI_AGENT_ENVS
from agentic_gym.core import Command

CASES = [(name, variant) for name, module in MULTI_AGENT_ENVS.items() for variant in module.VARIANTS]

garbage = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=20),
    st.integers(-10**30, 10**30),
    st.floats(allow_nan=True),
    st.none(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.builds(Command, st.sampled_from(["propose", "accept", "say", "forward", "nope"]),
              st.dictionaries(st.text(max_size=8), st.one_of(st.integers(), st.text(max_size=8)), max_size=3)),
)


class MultiAgentMachine(RuleBasedStateMachine):
    @initialize(case=st.sampled_from(CASES), seed=st.integers(0, 10_000))
    def start(self, case, seed):
        name, variant = case
        self.env = MULTI_AGENT_ENVS[name].env(variant=variant, max_cycles=20)
        self.env.reset(seed=seed)
        for i, agent in enumerate(self.env.possible_agents):
            self.env.action_space(agent).seed(seed + i)
        self.returns = dict.fromkeys(self.env.possible_agents, 0.0)
        self.steps = 0

    def _step(self, action):
        if not self.env.agents:
            self.env.reset()
            self.returns = dict.fromkeys(self.env.possible_agents, 0.0)
            self.steps = 0
        agent = self.env.agent_selection
        obs, reward, terminated, truncated, info = self.env.last()
        self.returns[agent] += reward
        if terminated or truncated:
            self.env.step(None)
            return agent, None
        self.env.step(action)
        self.steps += 1
        return agent, self.env.infos.get(agent)

    @rule(action=garbage)
    def garbage_action(self, action):
        agent, info = self._step(action)
        if info is not None and not info["success"] and not isinstance(action, str | Command):
            if not isinstance(action, int) or isinstance(action, bool) or not 0 <= action < 20:
                assert info["action_valid"] is False

    @rule()
    def sampled(self):
        if self.env.agents:
            self._step(self.env.action_space(self.env.agent_selection).sample())

    @rule()
    def oracle(self):
        if self.env.agents:
            self._step(self.env.unwrapped.oracle_action(self.env.agent_selection))

    @invariant()
    def observations_rewards_and_limits(self):
        if not getattr(self, "env", None) or not self.env.agents:
            return
        for agent in self.env.agents:
            assert self.env.observation_space(agent).contains(self.env.observe(agent))
            assert 0.0 <= self.env.rewards[agent] <= 1.0
            assert 0.0 <= self.env._cumulative_rewards[agent] <= 1.0
        assert all(0.0 <= r <= 1.0 + 1e-12 and math.isfinite(r) for r in self.returns.values())
        assert self.steps <= 20 * len(self.env.possible_agents)


TestMultiAgentMachine = MultiAgentMachine.TestCase
