"""Two scripted "LLMs" negotiate a split of books, hats and balls through ``agentic_gym.chat_multi``.

Each stands in for a real model (swap ``alice``/``bob`` for calls to
``client.chat.completions.create(messages=messages, tools=tools)``) and reads only its
own messages: the pool and its private values from the text, never the env. Alice
writes ReAct replies, Bob JSON and OpenAI tool calls; once Bob rambles without an
action (the layer answers with feedback and does not step the env). At the end the
env scores the deal against the exact Pareto frontier and Nash bargaining solution.

Run: ``python examples/negotiation_llm.py``
"""

from __future__ import annotations

import json
import re
from typing import Any

import agentic_gym

ITEMS = ("books", "hats", "balls")
SINGULAR = ("book", "hat", "ball")


def read_view(messages: list[dict[str, Any]]) -> tuple[str, list[int], list[int], int | None]:
    """My name, the pool, my values and the worth to me of the offer on the table, from the latest message."""
    text = messages[-1]["content"]
    me = re.search(r"you are (player_\d)", text).group(1)
    pool_text = re.search(r"dividing (.*)\.\n", text).group(1)
    pool = [0, 0, 0]
    for count, word in re.findall(r"(\d+) (\w+)", pool_text):
        pool[SINGULAR.index(word.rstrip("s"))] = int(count)
    values = [int(re.search(rf"{name} (\d+)", text.split("Your private values:")[1]).group(1)) for name in SINGULAR]
    on_table = re.search(r"On the table: (\w+)'s offer, worth (\d+) of 10 to you", text)
    return me, pool, values, int(on_table.group(2)) if on_table else None


def demand(me: str, others: list[str], pool: list[int], values: list[int], target: int) -> dict[str, int]:
    """A full allocation: my most valued items until they are worth ``target`` to me, the rest to the first other."""
    mine, worth = [0, 0, 0], 0
    for i in sorted(range(3), key=lambda i: -values[i]):
        while mine[i] < pool[i] and worth < target and values[i] > 0:
            mine[i] += 1
            worth += values[i]
    args = {}
    for agent in [me, *others]:
        for i, item in enumerate(ITEMS):
            share = mine[i] if agent == me else (pool[i] - mine[i] if agent == others[0] else 0)
            args[f"{agent}_{item}"] = share
    return args


def alice(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> str:
    me, pool, values, offered = read_view(messages)
    if offered is not None and offered >= 3 and "accepted by you" not in messages[-1]["content"]:
        return f"The offer is worth {offered} to me: good enough.\nAction: accept"
    args = demand(me, ["player_1"], pool, values, target=6)
    call = ", ".join(f"{k}={v}" for k, v in args.items())
    return f"I will ask for what I value most.\nAction: propose({call})"


def bob(messages: list[dict[str, Any]], tools: list[dict[str, Any]], turn: int) -> str | dict[str, Any]:
    if turn == 0:
        return "Hmm, let me think about what I want here."  # no action: feedback, same turn
    me, pool, values, offered = read_view(messages)
    if offered is not None and offered >= 4:
        return {"role": "assistant", "content": None,
                "tool_calls": [{"id": "call_1", "type": "function",
                                "function": {"name": "accept", "arguments": "{}"}}]}
    if turn == 1:
        return json.dumps({"name": "say", "arguments": {"text": "I care about hats; you can have the books."}})
    args = demand(me, ["player_0"], pool, values, target=5)
    return json.dumps({"name": "propose", "arguments": args})


def main() -> None:
    env = agentic_gym.chat_multi("Negotiation-2p-v0", history=6, seats={"player_1": {"format": "auto"}})
    env.reset(seed=11)
    print("SYSTEM PROMPT (player_0)\n" + env.observe("player_0")[0]["content"] + "\n")
    bob_turns = 0
    for agent in env.agent_iter():
        messages, reward, terminated, truncated, info = env.last()
        if terminated or truncated:
            env.step(None)
            continue
        if agent == "player_0":
            reply = alice(messages, info["tools"])
        else:
            reply = bob(messages, info["tools"], bob_turns)
            bob_turns += 1
        env.step(reply)
        shown = reply if isinstance(reply, str) else f"[tool call] {reply['tool_calls'][0]['function']['name']}"
        status = env.infos.get(agent, {}) if env.agents else {}
        print(f"{agent}: {shown.splitlines()[-1]}")
        if status and not status["action_valid"]:
            print(f"  -> no action read: {status['parse_error'][:80]}")
    print("\nTRANSCRIPT")
    print(negotiation_summary(env))
    print(f"\nsuccess={info['success']} deal={info['deal']}")
    print(f"pareto_optimal={info['pareto_optimal']} distance_to_frontier={info['distance_to_frontier']:.3f} "
          f"nash_ratio={info['nash_ratio']:.2f}")


def negotiation_summary(env: Any) -> str:
    """The negotiation as people see it (the env's ansi rendering shows every private value)."""
    raw = env.unwrapped
    return "\n".join(text for _, text in raw.transcript())


if __name__ == "__main__":
    main()
