"""TravelDesk and ToolMath as environments: oracle, faults, budget, feedback, views, chat end to end."""

from __future__ import annotations

import copy
import importlib.util
import json
import pickle
import warnings
from pathlib import Path

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env, data_equivalence

import agentic_gym
from agentic_gym.core import parse_command, tool_schemas
from agentic_gym.envs import registered_ids
from agentic_gym.envs.tool import travel_world as tw
from agentic_gym.envs.tool.tool_env import TEXT_CHARS
from agentic_gym.envs.tool.tool_math import ToolMath
from agentic_gym.envs.tool.travel_desk import TravelDesk
from tests.helpers import oracle_episodes

TOOL_IDS = [i for i in registered_ids() if "/TravelDesk-" in i or "/ToolMath-" in i]
ROOT = Path(__file__).resolve().parents[3]


def _run_oracle(env: gym.Env, seed: int) -> tuple[dict, dict, float, bool]:
    _, first = env.reset(seed=seed)
    while True:
        obs, reward, terminated, truncated, info = env.step(env.unwrapped.oracle_action())
        if terminated or truncated:
            return first, info, reward, terminated


def test_every_variant_is_registered():
    assert {"agentic_gym/TravelDesk-Easy-v0", "agentic_gym/TravelDesk-Medium-v0", "agentic_gym/TravelDesk-Hard-v0",
            "agentic_gym/ToolMath-2step-v0", "agentic_gym/ToolMath-4step-v0",
            "agentic_gym/ToolMath-6step-v0"} <= set(TOOL_IDS)


@pytest.mark.slow
@pytest.mark.parametrize("env_id", TOOL_IDS)
def test_oracle_solves_every_seed_with_exactly_the_fewest_calls(env_id):
    env = gym.make(env_id)
    faults = 0
    for episode in oracle_episodes(env_id):
        seed, first, info = episode.seed, episode.reset_info, episode.info
        assert episode.terminated and info["success"] and episode.reward == 1.0, (env_id, seed)
        assert info["tool_calls"] == first["oracle_tool_calls"] == info["oracle_tool_calls"], (env_id, seed, info)
        assert info["tool_errors"] == 0
        faults += info["tool_faults"]
    assert (faults > 0) == (env.unwrapped.fault_rate > 0)


def test_call_counts_match_the_difficulty():
    counts = {d: set() for d in tw.DIFFICULTIES}
    for difficulty in tw.DIFFICULTIES:
        env = TravelDesk(difficulty=difficulty)
        for seed in range(30):
            counts[difficulty].add(env.reset(seed=seed)[1]["oracle_tool_calls"])
    assert counts["easy"] == {1, 2} and counts["medium"] <= {2, 3, 4} and counts["hard"] <= {4, 5, 6}
    assert 4 in counts["medium"] and 6 in counts["hard"]


def test_nothing_hidden_is_shown_before_its_call():
    for difficulty in tw.DIFFICULTIES:
        env = TravelDesk(difficulty=difficulty)
        for seed in range(10):
            obs, _ = env.reset(seed=seed)
            task = env._task
            replies = [_reply(task, name, args) for name, args in task.plan if name != "calculator"]
            assert not any(r in obs["text"] for r in replies)
            seen = []
            for reply in replies:
                obs = env.step(env.oracle_action())[0]
                seen.append(reply)
                assert all(r in obs["text"] for r in seen)
                assert not any(r in obs["text"] for r in replies[len(seen):])


def _reply(task: tw.Task, name: str, args: dict) -> str:
    return tw.REPORTS[name](task.world, **args)


def test_faults_are_transient_valid_and_independent_of_arguments():
    env = TravelDesk(difficulty="medium", fault_rate=0.5)
    other = TravelDesk(difficulty="medium", fault_rate=0.5)
    env.reset(seed=4)
    other.reset(seed=4)
    pattern, other_pattern = [], []
    for _ in range(12):
        obs, _, _, _, info = env.step("calendar 1")
        pattern.append("503" in obs["text"].splitlines()[-1])
        assert info["action_valid"]
        obs, _, _, _, other_info = other.step('weather(city="Nowhere", day=2)')
        other_pattern.append("503" in obs["text"].splitlines()[-1])
    assert pattern == other_pattern and any(pattern) and not all(pattern)
    assert info["tool_faults"] == sum(pattern) == other_info["tool_faults"]
    assert other_info["tool_errors"] == 12 - sum(pattern)
    # The calculator is local: it never fails transiently.
    for _ in range(10):
        assert env.step("calculator 6 * 7")[4]["tool_faults"] == sum(pattern)


def test_oracle_retries_faults_and_counts_them():
    env = TravelDesk(difficulty="hard", fault_rate=0.4)
    for seed in range(10):
        first, info, reward, _ = _run_oracle(env, seed)
        assert info["success"] and info["tool_calls"] == first["oracle_tool_calls"]
        plan_calls = len(env._task.plan)
        assert info["tool_calls"] == plan_calls + info["tool_faults"]


def test_fault_rate_and_budget_are_validated():
    for bad in (-0.1, 1.0, 2):
        with pytest.raises(ValueError):
            TravelDesk(fault_rate=bad)
    for bad in (0, -3):
        with pytest.raises(ValueError):
            ToolMath(tool_budget=bad)
    with pytest.raises(TypeError, match="tool_budget must be an integer"):
        ToolMath(tool_budget=True)
    with pytest.raises(ValueError):
        TravelDesk(difficulty="extreme")
    with pytest.raises(ValueError):
        TravelDesk(templates=("no_such_template",))
    with pytest.raises(ValueError):
        ToolMath(steps=11)


def test_tool_budget_ends_the_episode_when_spent():
    env = TravelDesk(difficulty="hard", tool_budget=2)
    obs, info = env.reset(seed=0)
    assert "Tool calls left: 2 of 2." in obs["text"]
    env.step("calendar 1")
    obs, reward, terminated, _, info = env.step("calculator 1 + 1")
    assert not terminated and "Tool calls left: 0 of 2." in obs["text"]
    obs, reward, terminated, _, info = env.step("calendar 2")
    assert terminated and reward == 0.0 and not info["success"] and not info["action_valid"]
    assert info["tool_calls"] == 2 and "budget of 2 calls is used up" in obs["text"]
    # With the budget spent, answering is still possible.
    env.reset(seed=0)
    env.step("calendar 1")
    env.step("calendar 2")
    assert env.step("answer 1")[2]


def test_invalid_commands_cost_a_step_and_explain():
    env = TravelDesk(difficulty="easy")
    obs, info = env.reset(seed=1)
    for action in ("hello world", "", "x" * 5000, "answer", "forecast Oslo", 42, None):
        obs, reward, terminated, truncated, info = env.step(action)
        assert not info["action_valid"] and reward == 0.0 and not terminated
        assert info["tool_calls"] == 0 and env.observation_space.contains(obs)
        assert "x" * 41 not in obs["text"]
    assert "Invalid command" in obs["text"] or "Could not read" in obs["text"]


def test_bad_tool_arguments_are_tool_errors():
    env = TravelDesk(difficulty="easy")
    env.reset(seed=2)
    cases = [
        ('weather(city="Oslo", day=9)', "1..7"),
        ('flights(origin="Oslo")', "missing arguments destination, day"),
        ('weather(city="Atlantis", day=2)', "Unknown city"),
        ("calendar Wednesday", "Days are numbered 1 (Monday) to 7 (Sunday)."),
        ("calculator 2 ^ 3", "**"),
        ('weather(city="Oslo"', "missing ')'"),
        ('weather(city="Z\u00fcrich \u2603", day=2)', "Unknown city"),
    ]
    for count, (action, message) in enumerate(cases, start=1):
        obs, _, _, _, info = env.step(action)
        assert not info["action_valid"] and info["tool_calls"] == count == info["tool_errors"]
        assert message in obs["text"].splitlines()[-1], (action, obs["text"])
        assert env.observation_space.contains(obs)


def test_the_episode_ends_on_an_answer():
    env = ToolMath(steps=2)
    env.reset(seed=0)
    obs, reward, terminated, _, info = env.step("answer 12")
    assert terminated and reward == 0.0 and not info["success"]
    assert "not correct; the expected answer was" in obs["text"]
    obs, reward, terminated, _, again = env.step("answer 13")
    assert terminated and reward == 0.0 and not again["action_valid"]
    assert "episode is over" in obs["text"]


def test_observation_text_stays_bounded_and_keeps_the_latest_results():
    env = TravelDesk(difficulty="hard", n_cities=12)
    env.reset(seed=5)
    names = env._task.world.cities
    for i in range(60):
        action = f'flights(origin="{names[i % 12]}", destination="{names[(i + 1) % 12]}", day={i % 7 + 1})'
        obs = env.step(action)[0]
        assert len(obs["text"]) <= TEXT_CHARS and env.observation_space.contains(obs)
    assert "earlier results were trimmed" in obs["text"]
    assert obs["text"].splitlines()[-1].startswith("[60] flights(")
    assert "Question: " in obs["text"]


def test_admissible_commands_parse_and_use_only_known_cities():
    env = TravelDesk(difficulty="medium", templates=("earliest_seats",))
    obs, info = env.reset(seed=3)
    task = env._task
    for command in info["admissible_commands"]:
        assert str(parse_command(command, env.affordances)) == command
        for city in task.world.cities:
            if f'"{city}"' in command:
                assert city in obs["text"]
    meeting_city = task.plan[1][1]["destination"]
    assert not any(meeting_city in c for c in info["admissible_commands"])
    info = env.step(env.oracle_action())[4]
    assert any(f'destination="{meeting_city}"' in c for c in info["admissible_commands"])
    math_env = ToolMath()
    command = math_env.reset(seed=0)[1]["admissible_commands"][0]
    assert str(parse_command(command, math_env.affordances)) == command


def test_determinism_with_faults_and_pickling_mid_episode():
    def rollout(env, actions):
        out = [env.reset(seed=9)]
        out += [env.step(a) for a in actions]
        return out

    actions = ["calendar 2", 'weather(city="Oslo", day=1)', "calculator 3 * 4", "calendar 5", "calendar 6"] * 2
    a = rollout(TravelDesk(difficulty="medium", fault_rate=0.3), actions)
    b = rollout(TravelDesk(difficulty="medium", fault_rate=0.3), actions)
    assert all(data_equivalence(x, y, exact=True) for x, y in zip(a, b))
    env = TravelDesk(difficulty="medium", fault_rate=0.3, render_mode="rgb_array")
    env.reset(seed=9)
    for action in actions[:4]:
        env.step(action)
    env.render()
    clones = [pickle.loads(pickle.dumps(env)), copy.deepcopy(env)]
    rest = [env.step(action) for action in actions[4:]]
    for clone in clones:
        assert all(data_equivalence(x, clone.step(action), exact=True) for x, action in zip(rest, actions[4:]))


def test_rendering_shows_the_transcript():
    env = TravelDesk(difficulty="easy", render_mode="ansi")
    env.reset(seed=0)
    env.step(env.oracle_action())
    text = env.render()
    assert text.startswith("== TravelDesk ==") and "> " in text and env._question.split()[0] in text
    frames = TravelDesk(difficulty="easy", render_mode="rgb_array")
    frames.reset(seed=0)
    first = frames.render()
    frames.step("calendar 3")
    second = frames.render()
    assert first.shape == second.shape == (480, 640, 3) and (first != second).any()


@pytest.mark.parametrize("env_id", ["agentic_gym/TravelDesk-Hard-v0", "agentic_gym/TravelDesk-Flaky-v0",
                                    "agentic_gym/ToolMath-6step-v0"])
def test_chat_tool_calls_work_end_to_end(env_id):
    env = agentic_gym.chat(env_id)
    messages, info = env.reset(seed=3)
    assert info["tools"] == tool_schemas(env.affordances)
    names = [tool["function"]["name"] for tool in info["tools"]]
    assert names[-1] == "answer" and ("weather" in names or names == ["calculator", "answer"])
    fewest = info["oracle_tool_calls"]
    for turn in range(40):
        command = parse_command(env.oracle_action(), env.affordances)
        reply = {"role": "assistant", "content": None, "tool_calls": [{
            "id": f"call_{turn}", "type": "function",
            "function": {"name": command.name, "arguments": json.dumps(command.args)}}]}
        messages, reward, terminated, truncated, info = env.step(reply)
        assert env.observation_space.contains(messages)
        if terminated or truncated:
            break
    assert terminated and info["success"] and reward == 1.0
    assert info["tool_calls"] == fewest
    assert any(m["role"] == "tool" and m.get("tool_call_id") == "call_0" for m in messages)


def test_chat_env_passes_the_checker():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(agentic_gym.chat("agentic_gym/TravelDesk-Easy-v0"))


def test_weather_example_answers_san_francisco():
    spec = importlib.util.spec_from_file_location("weather_agent", ROOT / "examples" / "weather_agent.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    env = TravelDesk(templates=("weather_condition",))
    assert "San Francisco" in env.reset(seed=module.find_seed())[0]["question"]
    assert module.main(verbose=False) is True


@pytest.mark.parametrize("module", ["answers", "cities", "math_world", "travel_world", "tool_math", "travel_desk"])
def test_docstring_examples_run(module):
    import doctest

    imported = importlib.import_module(f"agentic_gym.envs.tool.{module}")
    result = doctest.testmod(imported, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_every_flaky_episode_meets_a_fault_and_the_oracle_still_solves_it():
    import gymnasium as gym

    env = gym.make("agentic_gym/TravelDesk-Flaky-v0")
    for seed in range(60):
        env.reset(seed=seed)
        terminated = truncated = False
        info: dict = {}
        while not (terminated or truncated):
            _, _, terminated, truncated, info = env.step(env.unwrapped.oracle_action())
        assert info["success"] and info["tool_faults"] >= 1, seed
    calm = gym.make("agentic_gym/TravelDesk-Medium-v0")
    calm.reset(seed=0)
    _, _, _, _, info = calm.step(calm.unwrapped.oracle_action())
    assert info["tool_faults"] == 0  # without a fault rate nothing is forced
