"""What's the weather like in San Francisco? An agent that calls a weather tool instead of guessing.

TravelDesk is wrapped by ``agentic_gym.chat``: each turn gives OpenAI-style chat
messages and ``info["tools"]`` (function schemas), and the reply may be an assistant
message with ``tool_calls``, exactly as a chat-completions API returns it. A scripted
policy stands in for the model here, so the example runs offline; swap
:func:`scripted_reply` for ``client.chat.completions.create(messages=messages,
tools=info["tools"]).choices[0].message`` to use a real one.

Run: ``python examples/weather_agent.py``
"""

from __future__ import annotations

import json
import re
from typing import Any

import agentic_gym

ENV_ID = "agentic_gym/TravelDesk-Easy-v0"
CITY = "San Francisco"
_QUESTION = re.compile(r"What's the weather like in (.+?) on \w+ \(day (\d)\)\?")
_FORECAST = re.compile(r"-> [^,\n]+, day \d \(\w+\): ([a-z ]+),")


def find_seed(city: str = CITY, limit: int = 2000) -> int:
    """The first seed whose question asks for the weather in ``city`` (questions come from the seed)."""
    env = agentic_gym.chat(ENV_ID, templates=("weather_condition",))
    for seed in range(limit):
        messages, _ = env.reset(seed=seed)
        match = _QUESTION.search(messages[-1]["content"])
        if match and match.group(1) == city:
            return seed
    raise LookupError(f"no seed below {limit} asks about {city}")


def scripted_reply(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
    """What a tool-using model would reply: call ``weather`` for the asked city and day, then answer."""
    names = {tool["function"]["name"] for tool in tools}
    latest = messages[-1]["content"]
    forecast = _FORECAST.search(latest)
    if forecast:
        return {"role": "assistant", "content": f"The forecast says {forecast.group(1)}.",
                "tool_calls": [_tool_call("answer", {"text": forecast.group(1)}, len(messages))]}
    question = _QUESTION.search(latest)
    if question is None or "weather" not in names:
        return {"role": "assistant", "content": "Action: answer I do not know"}
    city, day = question.group(1), int(question.group(2))
    return {"role": "assistant", "content": None,
            "tool_calls": [_tool_call("weather", {"city": city, "day": day}, len(messages))]}


def _tool_call(name: str, arguments: dict[str, Any], index: int) -> dict[str, Any]:
    return {"id": f"call_{index}", "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments)}}


def main(verbose: bool = True) -> bool:
    """Run one episode; return whether the answer was right."""
    env = agentic_gym.chat(ENV_ID, templates=("weather_condition",))
    messages, info = env.reset(seed=find_seed())
    tools = info["tools"]
    if verbose:
        print("tools:", ", ".join(tool["function"]["name"] for tool in tools))
        print("user:", messages[-1]["content"].split("Question: ")[-1].splitlines()[0])
    while True:
        reply = scripted_reply(messages, tools)
        messages, reward, terminated, truncated, info = env.step(reply)
        if verbose:
            call = reply["tool_calls"][0]["function"] if reply.get("tool_calls") else {"name": "text"}
            print(f"assistant: {call['name']}({call.get('arguments', '')})")
            print("environment:", messages[-1]["content"].splitlines()[-1])
        if terminated or truncated:
            break
    if verbose:
        print(f"reward {reward}, success {info['success']}, tool calls {info['tool_calls']} "
              f"(fewest possible: {info['oracle_tool_calls']})")
    env.close()
    return bool(info["success"])


if __name__ == "__main__":
    main()
