"""A complete chat episode: a scripted "LLM" plays TextAdventure through ``agentic_gym.chat``.

The scripted model stands in for a real one (swap ``scripted_llm`` for a call to
``client.chat.completions.create(messages=messages, tools=tools)``). It knows the right
move from the env's oracle and writes it in a different reply format each turn: plain text,
JSON, an XML tag, a ReAct ``Action:`` line, and an OpenAI tool call. Once it also sends an
unreadable reply (the env answers with feedback and does not step) and once it writes a
note (answered by the notes wrapper without stepping the env).

Run: ``python examples/chat_loop.py``
"""

from __future__ import annotations

import itertools
from typing import Any

import agentic_gym
from agentic_gym.core import parse_command
from agentic_gym.wrappers import render_action

FORMATS = ("text", "json", "xml", "react", "tool_call")


def scripted_llm(messages: list[dict[str, Any]], tools: list[dict[str, Any]], move: str, turn: int,
                 affordances: tuple) -> str | dict[str, Any]:
    """Reply to ``messages`` the way a model would, in the format of this turn."""
    if turn == 1:
        return "Hmm, I am not sure what to do here."  # unreadable: the env gives feedback
    if turn == 2:
        return "Let me remember the quest.\n<action>note(text=\"quest: see the first message\")</action>"
    command = parse_command(move, affordances)
    return render_action(command, FORMATS[turn % len(FORMATS)])


def show(reply: str | dict[str, Any]) -> str:
    if isinstance(reply, dict):
        call = reply["tool_calls"][0]["function"]
        return f"[tool call] {call['name']}({call['arguments']})"
    return reply.replace("\n", " | ")


def main() -> None:
    env = agentic_gym.chat("agentic_gym/TextAdventure-6rooms-v0", history=6, notes=True)
    messages, info = env.reset(seed=7)
    print("SYSTEM PROMPT\n" + messages[0]["content"] + "\n")
    print("OBSERVATION\n" + messages[-1]["content"] + "\n")
    total = 0.0
    used = set()
    for turn in itertools.count():
        reply = scripted_llm(messages, info.get("tools", []), env.oracle_action(), turn, env.affordances)
        used.add(FORMATS[turn % len(FORMATS)] if turn > 2 else None)
        messages, reward, terminated, truncated, info = env.step(reply)
        total += float(reward)
        status = info["parsed_action"] if info["action_valid"] else f"invalid: {info['parse_error'][:70]}..."
        print(f"turn {turn:2d}  reply: {show(reply)[:90]}")
        print(f"         -> {status}   reward {reward}   [{messages[-1]['role']}] "
              f"{messages[-1]['content'].splitlines()[0][:80]}")
        if terminated or truncated:
            break
    print(f"\nEpisode over after {turn + 1} turns: success={info['success']}, return={total}")
    assert info["success"], "the scripted model follows the oracle, so it must succeed"
    assert used >= set(FORMATS), f"only these formats were used: {sorted(f for f in used if f)}"
    env.close()


if __name__ == "__main__":
    main()
