"""PettingZoo's own conformance tests for every multi-agent env and variant."""

from __future__ import annotations

import functools
import warnings

import pytest
from pettingzoo.test import (
    api_test,
    max_cycles_test,
    parallel_api_test,
    parallel_seed_test,
    render_test,
    seed_test,
)

from agentic_gym import MULTI_AGENT_ENVS

CASES = [(name, variant) for name, module in MULTI_AGENT_ENVS.items() for variant in module.VARIANTS]


#: What api_test may warn about our envs: Dict/Text spaces "should be" Box or Discrete (expected).
EXPECTED = (
    "Observation is not a NumPy array",
    "Observation space for each agent probably should be gymnasium.spaces.box or gymnasium.spaces.discrete",
    "Action space for each agent probably should be gymnasium.spaces.box or gymnasium.spaces.discrete",
)


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_api(name, variant):
    module = MULTI_AGENT_ENVS[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        api_test(module.env(variant=variant), num_cycles=200)
        parallel_api_test(module.parallel_env(variant=variant), num_cycles=200)
    unexpected = {str(w.message) for w in caught if not any(e in str(w.message) for e in EXPECTED)}
    assert not unexpected


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_seeds(name, variant):
    module = MULTI_AGENT_ENVS[name]
    seed_test(functools.partial(module.env, variant=variant), num_cycles=100)
    parallel_seed_test(functools.partial(module.parallel_env, variant=variant), num_cycles=100)


@pytest.mark.parametrize("name", sorted(MULTI_AGENT_ENVS))
def test_max_cycles(name):
    max_cycles_test(MULTI_AGENT_ENVS[name])


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_render(name, variant):
    module = MULTI_AGENT_ENVS[name]
    render_test(functools.partial(module.env, variant=variant))


def test_every_module_follows_the_convention():
    for module in MULTI_AGENT_ENVS.values():
        assert callable(module.env) and callable(module.parallel_env) and isinstance(module.raw_env, type)
        assert module.raw_env.metadata["is_parallelizable"]
        assert "multi_agent" in module.raw_env.metadata["capabilities"]
        assert module.raw_env.metadata["render_modes"] == ["human", "rgb_array", "ansi"]
