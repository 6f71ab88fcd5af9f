"""The per-seat chat layer: own prompts, histories, tools and parsers; one parse per reply."""

from __future__ import annotations

import pytest

import agentic_gym
from agentic_gym.core import ChatMessages, InvalidAction
from agentic_gym.envs.multi import coop_keydoor_v0, negotiation_v0
from agentic_gym.wrappers import multi_chat


def play_oracles(env, seed):
    env.reset(seed=seed)
    for agent in env.agent_iter():
        messages, reward, terminated, truncated, info = env.last()
        assert ChatMessages().contains(messages)
        env.step(None if terminated or truncated else f"Let me think.\nAction: {env.oracle_action(agent)}")
    return info


@pytest.mark.parametrize("env_id", ["Negotiation-2p-v0", "Negotiation-3p-v0", "CoopKeyDoor-8x8-v0"])
def test_oracle_replies_succeed_through_the_layer(env_id):
    env = agentic_gym.chat_multi(env_id)
    for seed in range(5):
        info = play_oracles(env, seed)
        assert info["success"] and info["action_valid"]


def test_seats_have_their_own_prompt_history_tools_and_format():
    env = agentic_gym.chat_multi(
        negotiation_v0, history=1, system_prompt={"player_0": "You are Alice."},
        seats={"player_1": {"format": "json", "tools": ["calculator"], "history": 0}},
    )
    env.reset(seed=1)
    messages, *_, info = env.last()
    assert messages[0]["content"] == "You are Alice."
    assert [t["function"]["name"] for t in info["tools"]] == ["propose", "accept", "reject", "say"]
    env.step("Action: say hello")
    env.step("Action: say again")  # a seat that reads JSON: no JSON object, so the same seat again
    assert env.agent_selection == "player_1" and not env.infos["player_1"]["action_valid"]
    messages, *_, info = env.last()
    assert "calculator" in [t["function"]["name"] for t in info["tools"]]
    assert "JSON" in messages[0]["content"]
    assert len(messages) == 2  # history 0: system and the current message
    assert "no valid action" in messages[-1]["content"]
    env.step('{"name": "calculator", "arguments": {"expression": "6 * 7"}}')
    assert env.agent_selection == "player_1"  # tools do not use the turn
    assert "-> 42" in env.last()[0][-1]["content"]
    env.step('{"name": "say", "arguments": {"text": "hi"}}')
    assert env.agent_selection == "player_0"
    messages, *_ = env.last()
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]  # history 1
    assert '"hi"' in messages[-1]["content"]


def test_a_reply_is_parsed_once(monkeypatch):
    calls = []
    original = multi_chat.parse_action

    def counting(reply, affordances, format="auto", **kwargs):
        calls.append(reply)
        return original(reply, affordances, format, **kwargs)

    monkeypatch.setattr(multi_chat, "parse_action", counting)

    def refuse(*args, **kwargs):
        raise AssertionError("the env re-parsed a command")

    monkeypatch.setattr(negotiation_v0, "parse_command", refuse)
    env = agentic_gym.chat_multi("Negotiation-2p-v0")
    env.reset(seed=0)
    env.step("Action: " + env.oracle_action("player_0"))
    env.step("Action: accept")
    assert len(calls) == 2 and env.infos["player_1"]["success"]


def test_invalid_replies_do_not_step_until_max_invalid():
    env = agentic_gym.chat_multi("Negotiation-2p-v0", max_invalid=2)
    env.reset(seed=0)
    env.step("I am not sure what to do.")
    assert env.agent_selection == "player_0" and env.unwrapped.game.turn == 0
    env.step({"role": "assistant", "content": None, "tool_calls": [{"function": {"name": "nope", "arguments": "{}"}}]})
    assert env.agent_selection == "player_1" and env.unwrapped.game.turn == 1
    assert not env.unwrapped.infos["player_0"]["action_valid"]


def test_free_text_reaches_the_partner_on_a_discrete_env():
    env = agentic_gym.chat_multi(coop_keydoor_v0, variant="8x8")
    env.reset(seed=0)
    assert "say" in [a.name for a in env.affordances("player_0")]
    env.step("Action: say Which colour is the door?")
    assert env.infos["player_0"]["parsed_action"] == "say Which colour is the door?"
    messages, *_ = env.last()
    assert 'player_0 said: "Which colour is the door?"' in messages[-1]["content"]
    assert "keeper" in messages[0]["content"]
    env.step("Action: say_green")
    assert env.unwrapped.infos["player_0"]["heard"] == ["green"]
    no_free = agentic_gym.chat_multi(coop_keydoor_v0, free_text=False)
    assert "say" not in [a.name for a in no_free.affordances("player_0")]


def test_options_are_validated():
    with pytest.raises(ValueError, match="format"):
        agentic_gym.chat_multi("Negotiation-2p-v0", format="yaml")
    with pytest.raises(ValueError, match="unknown tool"):
        agentic_gym.chat_multi("Negotiation-2p-v0", tools=["oracle"])
    with pytest.raises(ValueError, match="seats"):
        agentic_gym.chat_multi("Negotiation-2p-v0", seats={"player_9": {}})
    with pytest.raises(ValueError, match="unknown multi-agent env"):
        agentic_gym.chat_multi("Chess-v0")
    with pytest.raises(ValueError, match="max_invalid"):
        agentic_gym.chat_multi("Negotiation-2p-v0", max_invalid=0)


def test_garbage_replies_never_raise():
    env = agentic_gym.chat_multi("Negotiation-3p-v0", max_invalid=1)
    env.reset(seed=3)
    for reply in ["", "\x00" * 50, "{" * 5000, 42, None, {"role": "user", "content": "x"}, ["a"], "Action: propose(x=1)"]:
        if not env.agents:
            break
        try:
            env.step(reply)
        except InvalidAction as error:  # pragma: no cover - the layer must never raise
            pytest.fail(f"raised {error}")
    assert env.unwrapped.game.turn >= 1
