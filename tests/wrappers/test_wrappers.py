"""ParseAction, AddTools and PromptObservation on the small test envs and on registered ones."""

from __future__ import annotations

import base64

import gymnasium as gym
import pytest
from gymnasium import spaces

from agentic_gym.core import CommandSpace, InvalidAction
from agentic_gym.wrappers import AddTools, NotesMemory, ParseAction, PromptObservation, render_action

WORD_ID = "lang_test/Word-v0"
CORRIDOR_ID = "lang_test/Corridor-v0"


def solve_word(env, seed=0):
    """Follow the oracle through a ParseAction stack; returns the last step."""
    env.reset(seed=seed)
    for _ in range(10):
        result = env.step("Action: " + env.unwrapped.oracle_action())
        if result[2]:
            return result
    raise AssertionError("the oracle did not finish")


def test_parse_action_steps_a_text_env_and_reports_info(word_env):
    env = ParseAction(word_env)
    obs, reward, terminated, truncated, info = solve_word(env)
    assert terminated and reward == 1.0 and info["success"]
    assert info["action_valid"] is True and info["parse_error"] is None
    assert info["parsed_action"].startswith("say ")


def test_parse_action_maps_names_to_discrete_indices(corridor_env):
    env = ParseAction(corridor_env)
    env.reset(seed=3)
    assert isinstance(env.action_space, CommandSpace)
    names = [a.name for a in env.unwrapped.affordances]
    for _ in range(20):
        oracle = names[env.unwrapped.oracle_action()]
        obs, reward, terminated, truncated, info = env.step(render_action_text(oracle))
        assert info["parsed_action"] == oracle
        if terminated:
            break
    assert info["success"]


def render_action_text(name):
    return f'{{"name": "{name}", "arguments": {{}}}}'


def test_feedback_does_not_step_the_env_nor_the_time_limit(word_env):
    env = ParseAction(word_env, max_invalid=100)
    obs, _ = env.reset(seed=1)
    for _ in range(30):  # far more than max_episode_steps=12
        obs2, reward, terminated, truncated, info = env.step("hmm")
        assert not terminated and not truncated and reward == 0.0
        assert info["action_valid"] is False and info["parsed_action"] is None
        assert "No action found" in info["parse_error"]
        assert obs2["text"].startswith("Your reply was not a valid action")
        assert obs["text"] in obs2["text"]
        assert obs2 in env.observation_space
    assert word_env.get_wrapper_attr("_elapsed_steps") == 0
    # The first real step is step 1 of the time limit.
    env.step("look")
    assert word_env.get_wrapper_attr("_elapsed_steps") == 1


def test_max_invalid_in_a_row_truncates(word_env):
    env = ParseAction(word_env, max_invalid=3)
    env.reset(seed=0)
    assert not env.step("?")[3]
    env.step("look")  # a valid reply resets the count
    assert not env.step("?")[3] and not env.step("?")[3]
    obs, reward, terminated, truncated, info = env.step("?")
    assert truncated and not terminated and info["success"] is False


def test_penalty_raise_and_terminate(word_env):
    env = ParseAction(word_env, on_invalid="penalty", invalid_penalty=0.25)
    env.reset(seed=0)
    assert env.step("?")[1] == -0.25
    env = ParseAction(gym.make(WORD_ID), on_invalid="raise")
    env.reset(seed=0)
    with pytest.raises(InvalidAction):
        env.step("?")
    env = ParseAction(gym.make(WORD_ID), on_invalid="terminate")
    env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step("?")
    assert terminated and reward == 0.0 and not info["success"]
    with pytest.raises(ValueError):
        ParseAction(gym.make(WORD_ID), on_invalid="ignore")


def test_env_text_never_becomes_an_action(word_env):
    # The observation holds "Action: go <dir>" and an <action> tag; an empty reply stays invalid.
    env = PromptObservation(ParseAction(word_env))
    messages, _ = env.reset(seed=0)
    assert "Action: go" in messages[-1]["content"]
    messages, reward, terminated, truncated, info = env.step("")
    assert info["action_valid"] is False and info["parsed_action"] is None
    # Echoing the observation back as a user message is not a reply either.
    messages, *_, info = env.step(dict(messages[1]))
    assert info["action_valid"] is False and "assistant" in info["parse_error"]


def test_add_tools_over_a_discrete_env(corridor_env):
    env = AddTools(corridor_env)
    assert isinstance(env.action_space, CommandSpace)
    assert [a.name for a in env.affordances] == ["left", "right", "forward", "calculator"]
    obs, info = env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step("calculator 2 ** 100")
    assert info["tool_result"] == str(2 ** 100) and info["free_turn"] and info["action_valid"]
    assert obs["text"].startswith(str(2 ** 100)) and obs in env.observation_space
    obs, reward, terminated, truncated, info = env.step("calculator 1 / 0")
    assert info["action_valid"] is False and "division by zero" in info["tool_result"]
    obs, reward, terminated, truncated, info = env.step("calculator __import__('os')")
    assert info["action_valid"] is False
    env.step("forward")
    assert corridor_env.get_wrapper_attr("_elapsed_steps") == 1  # tool calls did not count
    obs, reward, terminated, truncated, info = env.step("jump")
    assert info["action_valid"] is False and "Unknown command" in info["tool_result"]
    with pytest.raises(ValueError, match="already has"):
        AddTools(AddTools(gym.make(CORRIDOR_ID)))


def test_free_turns_in_a_row_are_capped(word_env):
    env = AddTools(word_env, max_free_turns=4)
    env.reset(seed=0)
    results = [env.step("calculator 1 + 1") for _ in range(4)]
    assert [r[3] for r in results] == [False, False, False, True]


def test_prompt_history_window_and_reset(word_env):
    env = PromptObservation(ParseAction(word_env), history=2)
    messages, _ = env.reset(seed=0)
    assert [m["role"] for m in messages] == ["system", "user"]
    system = messages[0]["content"]
    assert "Find the spot" in system and "go <direction>" in system and "Action: " in system
    for step in range(5):
        messages, *_ = env.step(f"Action: say word{step}")
    roles = [m["role"] for m in messages]
    assert roles == ["system", "user", "assistant", "user", "assistant", "user"]
    assert messages[-2]["content"] == "Action: say word4"
    assert "word4" in messages[-1]["content"]
    messages, _ = env.reset(seed=1)
    assert len(messages) == 2  # no history leaks across resets
    full = PromptObservation(ParseAction(gym.make(WORD_ID)))
    full.reset(seed=0)
    for step in range(5):
        messages, *_ = full.step(f"say w{step}")
    assert len(messages) == 2 + 2 * 5


def test_prompt_tool_calls_get_tool_messages(word_env):
    env = PromptObservation(ParseAction(word_env), history=0)
    env.reset(seed=0)
    reply = render_action_call("look")
    messages, *_ = env.step(reply)
    assert messages[-1]["role"] == "user"  # history=0: the tool message became the first one shown
    env = PromptObservation(ParseAction(gym.make(WORD_ID)), history=3)
    env.reset(seed=0)
    messages, *_ = env.step(reply)
    assistant, answer = messages[-2], messages[-1]
    assert assistant["content"] == "look" and assistant["tool_calls"][0]["id"] == "call_0"
    assert answer == {"role": "tool", "tool_call_id": "call_0", "content": answer["content"]}
    assert "A path leads" in answer["content"]


def render_action_call(name):
    from agentic_gym.core import Command

    return render_action(Command(name), "tool_call")


def test_prompt_include_image_attaches_a_png():
    env = PromptObservation(ParseAction(gym.make(CORRIDOR_ID, render_mode="rgb_array")), include_image=True)
    messages, _ = env.reset(seed=0)
    parts = messages[-1]["content"]
    assert parts[0]["type"] == "text" and parts[1]["type"] == "image_url"
    url = parts[1]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert messages in env.observation_space
    with pytest.raises(ValueError, match="rgb_array"):
        PromptObservation(ParseAction(gym.make(CORRIDOR_ID)), include_image=True)


def test_registered_grid_env_through_the_stack():
    env = PromptObservation(ParseAction(NotesMemory(gym.make("agentic_gym/GridKeyDoor-6x6-v0"))), history=1)
    messages, _ = env.reset(seed=0)
    messages, *_, info = env.step("note key left")
    assert info["tool_result"].startswith("Saved") and "1. key left" in messages[-1]["content"]
    assert isinstance(env.observation_space, spaces.Sequence) and messages in env.observation_space


def test_parse_action_reads_free_text_against_the_env_listed_commands():
    env = ParseAction(gym.make("agentic_gym/TextAdventure-3rooms-v0"))
    obs, info = env.reset(seed=0)
    target = next(c for c in info["admissible_commands"] if c.startswith("take "))
    thing = target.removeprefix("take ")
    obs, reward, terminated, truncated, info = env.step(f"I think I will take the {thing} now.")
    assert info["parsed_action"] == target and info["action_valid"]


def test_a_window_never_starts_with_tool_messages(word_env):
    from agentic_gym.core import Command

    env = PromptObservation(ParseAction(word_env), history=0)
    env.reset(seed=0)
    call = render_action(Command("look"), "tool_call")["tool_calls"][0]
    reply = {"role": "assistant", "content": None, "tool_calls": [call, dict(call, id="call_1")]}
    messages, *_, info = env.step(reply)
    assert info["action_valid"] is False  # two calls in one turn
    assert [m["role"] for m in messages] == ["system", "user"]
    env = PromptObservation(ParseAction(gym.make(WORD_ID)), history=1)
    env.reset(seed=0)
    messages, *_ = env.step(reply)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "tool", "tool"]
    assert [m["tool_call_id"] for m in messages[-2:]] == ["call_0", "call_1"]
