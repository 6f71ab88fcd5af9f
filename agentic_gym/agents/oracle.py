"""The privileged scripted solver of each env, as an agent: the upper baseline."""

from __future__ import annotations

from typing import Any

import gymnasium as gym


class OracleAgent:
    """Plays the env's ``oracle_action()``: the next move of a solver that sees the hidden state.

    Natively this is the env's native action (an ``int`` on grid envs, a command
    string on text and tool envs). Through :func:`agentic_gym.chat` the chat env's
    ``oracle_action()`` gives the canonical command text, which the language layer
    parses back like any LLM reply, so the oracle also checks that layer end to end.

    Args:
        env: the env the agent acts in (native or a chat env).
        seed: accepted so that the class is an agent factory like the others; the
            oracle is deterministic and ignores it.

    Example:
        >>> import gymnasium as gym
        >>> import agentic_gym
        >>> env = gym.make("agentic_gym/GridKeyDoor-8x8-v0")
        >>> agent = OracleAgent(env)
        >>> obs, info = env.reset(seed=0)
        >>> agent.reset(info)
        >>> while True:
        ...     obs, reward, terminated, truncated, info = env.step(agent.act(obs, info))
        ...     if terminated or truncated:
        ...         break
        >>> info["success"]
        True
    """

    uses_chat = False
    name = "oracle"

    def __init__(self, env: gym.Env, seed: int | None = None):
        self.env = env

    def reset(self, info: dict[str, Any]) -> None:
        """The oracle reads the env's state each step; it keeps none of its own."""

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        # get_wrapper_attr walks down the wrappers (Gymnasium 1.x does not forward
        # attributes) and stops at a chat env, which answers in command text.
        return self.env.get_wrapper_attr("oracle_action")()
