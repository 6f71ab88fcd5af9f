"""agentic_gym.chat(): check_env on every registered id, rebuilding, and whole episodes."""

from __future__ import annotations

import copy
import pickle
import warnings

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import agentic_gym
from agentic_gym.core import ChatMessages, Command, CommandSpace, parse_command
from agentic_gym.envs import registered_ids
from agentic_gym.wrappers import ChatEnv, render_action
from tests.helpers import largest_per_class

WORD_ID = "lang_test/Word-v0"
CORRIDOR_ID = "lang_test/Corridor-v0"
IDS = (*registered_ids(), WORD_ID, CORRIDOR_ID)


@pytest.mark.parametrize("env_id", largest_per_class(IDS))
def test_chat_env_passes_check_env(env_id):
    env = agentic_gym.chat(env_id)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env)
    assert isinstance(env, gym.Env) and not isinstance(env, gym.Wrapper)
    assert isinstance(env.observation_space, ChatMessages) and isinstance(env.action_space, CommandSpace)
    messages, info = env.reset(seed=0)
    assert [t["function"]["name"] for t in info["tools"]] == [a.name for a in env.affordances]
    env.close()


@pytest.mark.parametrize("env_id", IDS)
def test_the_oracle_replies_in_every_format(env_id):
    """Each turn the scripted model replies in the next format; the oracle still solves the episode."""
    env = agentic_gym.chat(env_id, history=3)
    messages, info = env.reset(seed=0)
    formats = ["text", "json", "xml", "react", "tool_call"]
    for turn in range(1000):
        oracle = env.oracle_action()
        command = parse_command(oracle, env.affordances)
        reply = render_action(command, formats[turn % len(formats)])
        messages, reward, terminated, truncated, info = env.step(reply)
        assert info["parsed_action"] == str(command), (reply, info["parse_error"])
        assert info["parse_error"] is None
        assert messages in env.observation_space
        if terminated or truncated:
            break
    assert info["success"] and terminated


def test_spec_rebuilds_the_same_stack_in_every_render_mode():
    env = agentic_gym.chat(WORD_ID, history=2, notes=True, tools=("calculator",), format="react")
    assert env.spec.id == WORD_ID
    for mode in ("ansi", "rgb_array"):
        again = env.spec.make(render_mode=mode)
        assert isinstance(again, ChatEnv) and again.render_mode == mode
        assert [a.name for a in again.affordances] == [a.name for a in env.affordances]
        again.reset(seed=0)
        assert again.render() is not None
    rebuilt = agentic_gym.chat(WORD_ID, **env.chat_options)
    assert rebuilt.chat_options == env.chat_options
    first, _ = env.reset(seed=4)
    second, _ = rebuilt.reset(seed=4)
    assert first == second


def test_chat_over_an_env_instance_and_pickling():
    env = agentic_gym.chat(gym.make(CORRIDOR_ID, length=2), notes=2)
    assert env.spec.kwargs["length"] == 2
    messages, _ = env.reset(seed=0)
    env.step("note facing matters")
    clone = pickle.loads(pickle.dumps(env))
    twin = copy.deepcopy(env)
    for reply in ("right", "forward", "read_notes", "forward"):
        expected = env.step(reply)
        for other in (clone, twin):
            got = other.step(reply)
            assert got[0] == expected[0] and got[1:4] == expected[1:4]
            assert got[4]["parsed_action"] == expected[4]["parsed_action"] == reply


def test_tool_calls_and_feedback_in_one_episode():
    env = agentic_gym.chat(WORD_ID, tools=("calculator",), history=None, max_invalid=5)
    messages, info = env.reset(seed=0)
    assert "calculator" in [t["function"]["name"] for t in info["tools"]]
    reply = render_action(Command("calculator", {"expression": "6 * 7"}), "tool_call")
    messages, reward, terminated, truncated, info = env.step(reply)
    assert info["tool_result"] == "42" and messages[-1]["role"] == "tool" and messages[-1]["content"].startswith("42")
    messages, reward, terminated, truncated, info = env.step("I am not sure.")
    assert info["action_valid"] is False and messages[-1]["role"] == "user"
    assert messages[-1]["content"].startswith("Your reply was not a valid action")
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "tool", "assistant", "user"]


def test_a_tool_call_turn_keeps_the_models_own_words():
    env = agentic_gym.chat(WORD_ID, tools=("calculator",), history=None)
    env.reset(seed=0)
    call = render_action(Command("calculator", {"expression": "6 * 7"}), "tool_call")
    messages, *_ = env.step({**call, "content": "First I multiply the two numbers."})
    assert messages[-2]["role"] == "assistant" and messages[-2]["content"] == "First I multiply the two numbers."
    assert messages[-2]["tool_calls"][0]["function"]["name"] == "calculator"
    # A bare call (no words of its own) is recorded as the command it was read as.
    messages, *_ = env.step({**call, "content": None})
    assert messages[-2]["content"] == "calculator 6 * 7"


def test_invalid_options_are_refused():
    with pytest.raises(ValueError):
        agentic_gym.chat(WORD_ID, format="yaml")
    with pytest.raises(ValueError):
        agentic_gym.chat(WORD_ID, include_image=True, render_mode="ansi")


def test_include_image_chat_passes_check_env():
    env = agentic_gym.chat(CORRIDOR_ID, include_image=True, render_mode="rgb_array")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env)
    messages, _ = env.reset(seed=0)
    assert messages[-1]["content"][1]["type"] == "image_url"


def test_a_time_limit_set_at_make_time_survives_a_rebuild():
    env = agentic_gym.chat(gym.make(WORD_ID, max_episode_steps=3))
    again = env.spec.make()
    again.reset(seed=0)
    results = [again.step("look") for _ in range(3)]
    assert [r[3] for r in results] == [False, False, True]


def test_a_cut_off_answer_does_not_end_a_travel_desk_episode():
    env = agentic_gym.chat("agentic_gym/TravelDesk-Easy-v0")
    _, reset_info = env.reset(seed=0)
    for reply in ("Action: answer\nAction Input:", "Action: answer\nAction Input: {}", "answer", "<action>answer"):
        _, _, terminated, truncated, info = env.step(reply)
        assert info["action_valid"] is False and not terminated, reply
        assert info["command"] is None and "text" in info["parse_error"]
    schemas = {t["function"]["name"]: t["function"]["parameters"] for t in reset_info["tools"]}
    assert schemas["answer"]["properties"]["text"]["minLength"] == 1
