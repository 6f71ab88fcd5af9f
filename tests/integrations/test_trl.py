"""TRL's environment protocol: the oracle plays whole episodes through the generated tool methods."""

from __future__ import annotations

import inspect

import pytest

import agentic_gym
from agentic_gym.core import parse_command, tool_schemas
from agentic_gym.evaluation import episode_seeds
from agentic_gym.integrations.trl import AgenticToolEnvironment, dataset_rows, environment_class, state_of

IDS = ["agentic_gym/ToolMath-2step-v0", "agentic_gym/TravelDesk-Easy-v0", "agentic_gym/GridKeyDoor-6x6-v0",
       "agentic_gym/TextAdventure-6rooms-v0"]


def direct_return(env_id: str, seed: int) -> tuple[float, int]:
    """The oracle's return and steps playing the chat env with text replies."""
    env = agentic_gym.chat(env_id)
    env.reset(seed=seed)
    total, steps, done = 0.0, 0, False
    while not done:
        _, reward, terminated, truncated, _ = env.step(env.oracle_action())
        total, steps, done = total + float(reward), steps + 1, terminated or truncated
    return total, steps


@pytest.mark.parametrize("env_id", IDS)
def test_the_oracle_plays_whole_episodes_through_the_tool_methods(env_id):
    environment = environment_class(env_id)()
    for row in dataset_rows(env_id, episodes=2, seed=1):
        first = environment.reset(**row)
        state = state_of(environment)
        assert first and not state.done
        calls = 0
        while not state.done:
            command = parse_command(state.env.oracle_action(), state.env.affordances)
            answer = getattr(environment, command.name)(**command.args)
            assert isinstance(answer, str) and answer
            calls += 1
        expected, steps = direct_return(env_id, row["seed"])
        assert state.success and calls == steps
        assert environment.get_reward() == pytest.approx(expected) and expected > 0
        assert answer.endswith("The episode is over: solved.")
        assert getattr(environment, command.name)(**command.args) == "The episode is over: no more actions."


@pytest.mark.parametrize("env_id", IDS)
def test_the_tool_methods_are_what_trl_exposes_and_match_the_tool_schemas(env_id):
    cls = environment_class(env_id)
    assert issubclass(cls, AgenticToolEnvironment)
    # TRL takes every public function of the class except reset and get_reward as a tool.
    public = {name for name, _ in inspect.getmembers(cls, inspect.isfunction) if not name.startswith("_")}
    environment = cls()
    schemas = {s["function"]["name"]: s["function"] for s in tool_schemas(state_of(environment).env.affordances)}
    assert public - {"reset", "get_reward"} == set(schemas)
    for name, schema in schemas.items():
        signature = inspect.signature(getattr(environment, name))
        properties, required = schema["parameters"]["properties"], set(schema["parameters"].get("required", ()))
        assert set(signature.parameters) == set(properties)
        assert {p for p, v in signature.parameters.items() if v.default is inspect.Parameter.empty} == required


@pytest.mark.parametrize("env_id", IDS)
def test_transformers_renders_the_methods_as_the_same_tools(env_id):
    utils = pytest.importorskip("transformers.utils")
    environment = environment_class(env_id)()
    for schema in tool_schemas(state_of(environment).env.affordances):
        function = schema["function"]
        rendered = utils.get_json_schema(getattr(environment, function["name"]))["function"]
        assert rendered["name"] == function["name"]
        parameters = rendered["parameters"]
        assert set(parameters.get("properties", {})) == set(function["parameters"]["properties"])
        assert set(parameters.get("required", ())) == set(function["parameters"].get("required", ()))
        for key, prop in function["parameters"]["properties"].items():
            kind = prop.get("type")
            if isinstance(kind, str) and kind in ("string", "integer", "number", "boolean"):
                assert parameters["properties"][key]["type"] == kind


def test_resets_without_a_seed_walk_the_episode_seeds():
    environment = environment_class("agentic_gym/GridKeyDoor-6x6-v0", seed=5)()
    first = environment.reset()
    second = environment.reset()
    chat = agentic_gym.chat("agentic_gym/GridKeyDoor-6x6-v0", format="tool_call")
    expected = [chat.reset(seed=episode_seeds(5, i)[0])[0][-1]["content"] for i in range(2)]
    assert [first, second] == expected


def test_rows_hold_the_system_prompt_and_the_seed():
    rows = dataset_rows("agentic_gym/ToolMath-2step-v0", episodes=3, seed=2)
    assert [r["seed"] for r in rows] == [episode_seeds(2, i)[0] for i in range(3)]
    assert all(r["prompt"][0]["role"] == "system" and r["prompt"][1] == {"role": "user", "content": ""} for r in rows)
    assert "function" in rows[0]["prompt"][0]["content"].lower() or "tool" in rows[0]["prompt"][0]["content"].lower()
    with pytest.raises(ValueError, match="episodes must be at least 1"):
        dataset_rows("agentic_gym/ToolMath-2step-v0", episodes=0)


# ---- curricula -----------------------------------------------------------------------------

MATH_TIERS = ("agentic_gym/ToolMath-Trivial-v0", "agentic_gym/ToolMath-Easy-v0", "agentic_gym/ToolMath-Medium-v0")


def play_episode(environment, solve: bool) -> tuple[str, int, float]:
    """Reset, then play the oracle to the end (``solve``) or stop after one call; the level, seed and reward."""
    text = environment.reset()
    state = state_of(environment)
    assert text.startswith("You are") and state.curriculum is not None
    while not state.done:
        command = parse_command(state.env.oracle_action(), state.env.affordances)
        getattr(environment, command.name)(**command.args)
        if not solve:
            break
    return state.curriculum.level, state.curriculum.seed, environment.get_reward()


def test_a_curriculum_chooses_each_episode_and_hears_its_outcome():
    from agentic_gym.curriculum import ThresholdSchedule

    sampler = ThresholdSchedule(MATH_TIERS, seed=0, window=1, bar=1.0)
    environment = environment_class(curriculum=sampler)()
    played = [play_episode(environment, solve=True) for _ in range(4)]
    assert [level for level, _, _ in played] == [*MATH_TIERS, MATH_TIERS[-1]]
    assert all(reward > 0 for _, _, reward in played) and sampler.episodes == 4
    # A rollout the trainer cuts short is reported once, as a failure, when its reward is read.
    sampler = ThresholdSchedule(MATH_TIERS, seed=0, window=1, bar=1.0)
    environment = environment_class(curriculum=sampler)()
    play_episode(environment, solve=False)
    environment.get_reward()
    environment.reset()
    assert sampler.episodes == 1 and sampler.current == 0
    rows = dataset_rows(None, episodes=3, curriculum=True)
    assert rows == [{"prompt": [{"role": "user", "content": ""}]}] * 3


def test_the_sampler_pickles_into_a_checkpoint_and_resumes_the_same_sequence():
    import pickle

    from agentic_gym.curriculum import LearnabilitySampler

    def go_on(sampler, episodes):
        environment = environment_class(curriculum=sampler)()
        return [play_episode(environment, solve=level_solved) for level_solved in [True, False, True, True][:episodes]]

    sampler = LearnabilitySampler(MATH_TIERS, seed=4, window=8)
    go_on(sampler, 3)
    checkpoint = pickle.dumps(sampler)
    first = go_on(sampler, 4)
    again = go_on(pickle.loads(checkpoint), 4)
    assert first == again and len({level for level, _, _ in first}) > 1


def test_levels_must_share_their_tools():
    from agentic_gym.curriculum import UniformSampler

    with pytest.raises(ValueError, match="every level must share them"):
        environment_class(curriculum=UniformSampler([MATH_TIERS[0], "agentic_gym/GridMaze-Trivial-v0"], seed=0))
    with pytest.raises(ValueError, match="needs an env_id or a curriculum"):
        environment_class()
