"""OpenAIAgent against a real HTTP server on 127.0.0.1, through the real openai client."""

from __future__ import annotations

import json
import pickle
import socket
import time

import pytest

pytest.importorskip("openai")

from agentic_gym.agents import AgentError, OpenAIAgent  # noqa: E402
from tests.agents.chat_server import ChatServer, Raw, Stall, completion, tool_call  # noqa: E402

MESSAGES = [{"role": "system", "content": "Play."}, {"role": "user", "content": "You see a door."}]
TOOLS = [{"type": "function", "function": {"name": "weather", "description": "Weather.", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
# Fast retries: the server asks for a 10 ms back-off on errors it sends.
FAST = {"retry-after-ms": "10"}


def agent_for(server: ChatServer, **kwargs) -> OpenAIAgent:
    options = {"timeout": 2.0, "max_retries": 2, "api_key": "test-key"} | kwargs
    return OpenAIAgent("test-model", base_url=server.url, **options)


def test_plain_reply_sends_the_messages_and_counts_tokens():
    with ChatServer([completion("go north", prompt_tokens=20, completion_tokens=4)]) as server:
        agent = agent_for(server, temperature=0.3, max_tokens=77)
        agent.reset({"tools": TOOLS})
        assert agent.act(MESSAGES, {}) == "go north"
        assert agent.act(MESSAGES, {}) == "go north"
    request = server.requests[0]
    assert request["messages"] == MESSAGES
    assert request["model"] == "test-model"
    assert request["temperature"] == 0.3 and request["max_tokens"] == 77
    assert "tools" not in request  # use_tools=False sends plain chat
    assert (agent.prompt_tokens, agent.completion_tokens, agent.requests) == (40, 8, 2)


def test_tool_call_reply_is_returned_as_an_assistant_message():
    call = tool_call("weather", '{"city": "San Francisco"}')
    with ChatServer([completion(None, tool_calls=[call])]) as server:
        agent = agent_for(server, use_tools=True)
        agent.reset({"tools": TOOLS})
        reply = agent.act(MESSAGES, {})
    assert server.requests[0]["tools"] == TOOLS
    assert reply == {"role": "assistant", "content": "", "tool_calls": [call]}


def test_malformed_tool_arguments_are_passed_on_untouched():
    call = tool_call("weather", '{"city": "San Fr')
    with ChatServer([completion("", tool_calls=[call])]) as server:
        agent = agent_for(server, use_tools=True)
        agent.reset({"tools": TOOLS})
        reply = agent.act(MESSAGES, {})
    assert reply["tool_calls"][0]["function"]["arguments"] == '{"city": "San Fr'


def test_tool_calls_are_ignored_without_use_tools():
    with ChatServer([completion("look", tool_calls=[tool_call("weather", "{}")])]) as server:
        agent = agent_for(server)
        agent.reset({"tools": TOOLS})
        assert agent.act(MESSAGES, {}) == "look"


def test_empty_content_becomes_an_empty_reply():
    with ChatServer([completion(None)]) as server:
        agent = agent_for(server)
        agent.reset({})
        assert agent.act(MESSAGES, {}) == ""
        assert agent.requests == 1


@pytest.mark.parametrize("body", [b'{"id": "x", "choices": [{"index": 0, "mess', b"<html>bad gateway</html>",
                                  json.dumps({"id": "x", "choices": []}).encode()])
def test_a_malformed_body_is_an_unusable_reply_not_a_crash(body):
    with ChatServer([Raw(200, body), completion("wait")]) as server:
        agent = agent_for(server)
        agent.reset({})
        assert agent.act(MESSAGES, {}) == ""
        assert agent.malformed_responses == 1
        assert agent.act(MESSAGES, {}) == "wait"


OVERLOADED = json.dumps({"error": {"message": "overloaded"}}).encode()


@pytest.mark.parametrize("failures", [
    [Raw(500, OVERLOADED, FAST), Raw(503, OVERLOADED, FAST)],
    [Raw(429, b'{"error": {"message": "slow down"}}', FAST)],
], ids=["5xx", "429"])
def test_server_errors_and_rate_limits_are_retried_then_succeed(failures):
    with ChatServer([*failures, completion("go east")]) as server:
        agent = agent_for(server)
        agent.reset({})
        assert agent.act(MESSAGES, {}) == "go east"
    assert len(server.requests) == len(failures) + 1


def test_a_timeout_is_retried_then_succeeds():
    with ChatServer([Stall(1.5), completion("take key")]) as server:
        agent = agent_for(server, timeout=0.3, max_retries=1)
        agent.reset({})
        started = time.monotonic()
        assert agent.act(MESSAGES, {}) == "take key"
        assert time.monotonic() - started < 5
    assert len(server.requests) == 2


def test_persistent_5xx_gives_one_line_naming_url_and_status():
    with ChatServer([Raw(502, b'{"error": {"message": "upstream down"}}', FAST)]) as server:
        agent = agent_for(server, max_retries=2)
        agent.reset({})
        with pytest.raises(AgentError) as caught:
            agent.act(MESSAGES, {})
    message = str(caught.value)
    assert "\n" not in message
    assert server.url in message and "502" in message and "upstream down" in message and "2 retries" in message
    assert len(server.requests) == 3


def test_a_rejected_request_is_not_retried():
    body = json.dumps({"error": {"message": "The model `nope` does not exist"}}).encode()
    with ChatServer([Raw(404, body)]) as server:
        agent = agent_for(server)
        agent.reset({})
        with pytest.raises(AgentError, match=r"rejected the request: HTTP 404: The model `nope` does not exist"):
            agent.act(MESSAGES, {})
    assert len(server.requests) == 1


def test_an_unreachable_server_gives_one_line_naming_the_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    agent = OpenAIAgent("m", base_url=url, api_key="k", timeout=1.0, max_retries=1)
    agent.reset({})
    with pytest.raises(AgentError) as caught:
        agent.act(MESSAGES, {})
    message = str(caught.value)
    assert message.startswith(f"cannot reach {url}") and "\n" not in message
    assert "refused" in message.lower()


def test_a_server_that_never_answers_times_out_with_a_clear_error():
    with ChatServer([Stall(2.0)]) as server:
        agent = agent_for(server, timeout=0.2, max_retries=1)
        agent.reset({})
        with pytest.raises(AgentError, match=r"did not answer within 0.2 s"):
            agent.act(MESSAGES, {})


def test_the_agent_pickles_without_its_client_and_works_after():
    with ChatServer([completion("ok")]) as server:
        agent = agent_for(server)
        agent.reset({})
        agent.act(MESSAGES, {})
        copy = pickle.loads(pickle.dumps(agent))
        assert copy.act(MESSAGES, {}) == "ok"
        assert copy.prompt_tokens == 22
        assert "api_key" not in json.dumps(copy.settings())


def test_tool_calls_play_a_tool_env_end_to_end():
    from agentic_gym import evaluate
    from agentic_gym.envs import registered_ids

    tool_envs = [e for e in registered_ids() if "ToolMath" in e]
    if not tool_envs:
        pytest.skip("no tool env registered")
    call = tool_call("calculator", '{"expression": "1234 * 5678"}', call_id="call_7")
    with ChatServer([completion(None, tool_calls=[call])]) as server:
        agent = agent_for(server, use_tools=True)
        result = evaluate(agent, tool_envs[0], episodes=1, seed=0, max_steps=4)
    (row,) = result["episodes"]
    assert row["steps"] == 4 and row["invalid"] == 0 and row["tool_calls"] == 4
    assert (row["tokens_in"], row["tokens_out"]) == (44, 12)
    assert all(r["tools"] and r["tools"] == server.requests[0]["tools"] for r in server.requests)
    names = {t["function"]["name"] for t in server.requests[0]["tools"]}
    assert {"calculator", "answer"} <= names
    # The next prompt answers the call as a tool message tied to its id.
    follow_up = server.requests[1]["messages"]
    assert follow_up[-2]["role"] == "assistant" and follow_up[-2]["tool_calls"][0]["id"] == "call_7"
    assert follow_up[-1]["role"] == "tool" and follow_up[-1]["tool_call_id"] == "call_7"
    assert "7006652" in follow_up[-1]["content"]
