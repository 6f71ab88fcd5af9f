"""Play a TextAdventure episode through ``agentic_gym.chat`` with replies in free text.

The "model" here is the env's oracle: each of its commands is wrapped in a chatty
sentence ("I think I should go north now."), as an LLM would write it, and the chat
env's parser finds the command in the sentence. Swap ``phrase(oracle_action())`` for a
call to your model (the messages are ready for an OpenAI-compatible client) to play
for real.

Run with ``python examples/text_adventure_chat.py`` (``--env`` picks another variant,
``--seed`` another house, ``--quiet`` prints only the outcome).
"""

from __future__ import annotations

import argparse

import agentic_gym

TEMPLATES = (
    "I think I should {command} now.",
    "Let me {command}.",
    "The quest needs this, so: {command}",
    "Next I will {command} and see what happens.",
    "OK, {command}.",
)


def phrase(command: str, turn: int) -> str:
    """A free-text reply that carries ``command`` somewhere in a sentence."""
    return TEMPLATES[turn % len(TEMPLATES)].format(command=command)


def play(env_id: str, seed: int, verbose: bool = True) -> tuple[bool, int]:
    """Play one episode; returns (success, turns)."""
    env = agentic_gym.chat(env_id, format="text")
    messages, info = env.reset(seed=seed)
    if verbose:
        print(messages[-1]["content"], end="\n\n")
    turn = 0
    terminated = truncated = False
    while not (terminated or truncated):
        reply = phrase(env.oracle_action(), turn)
        messages, reward, terminated, truncated, info = env.step(reply)
        turn += 1
        if verbose:
            print(f"[assistant] {reply}")
            print(f"            -> {info['parsed_action']}\n")
            print(messages[-1]["content"], end="\n\n")
    env.close()
    return bool(info["success"]), turn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--env", default="agentic_gym/TextAdventure-6rooms-v0")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    success, turns = play(args.env, args.seed, verbose=not args.quiet)
    print(f"{args.env} seed {args.seed}: {'solved' if success else 'not solved'} in {turns} turns")


if __name__ == "__main__":
    main()
