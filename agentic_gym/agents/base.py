"""The agent protocol that :func:`agentic_gym.evaluate` drives.

An agent is anything with ``reset(info)`` and ``act(observation, info)``. It plays
either natively (the env's own observation dict and action space) or through the
language layer (``uses_chat = True``: the observation is the chat message list of
:func:`agentic_gym.chat` and the action is the raw reply, a ``str`` or an
assistant message dict with ``tool_calls``).

Agents that need the env itself (a random agent samples its action space, the
oracle asks the env for the next move) are built per episode by a *factory*,
``factory(env, seed) -> Agent``; the agent classes of this package are their own
factories, so ``evaluate(RandomAgent, ...)`` works. Agents that need no env
(an LLM behind an API) are passed as instances.

Example:
    >>> class AlwaysLeft:
    ...     uses_chat = False
    ...     def reset(self, info): pass
    ...     def act(self, observation, info): return 0
    >>> isinstance(AlwaysLeft(), Agent)
    True
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Agent(Protocol):
    """What :func:`agentic_gym.evaluate` needs from an agent.

    ``uses_chat`` says whether the agent plays through :func:`agentic_gym.chat`
    (LLM-style: messages in, reply text out) or natively. Optional attributes
    that the evaluation reads when present: ``name`` (the label in results) and
    ``prompt_tokens`` / ``completion_tokens`` (running token counts).
    """

    uses_chat: bool

    def reset(self, info: dict[str, Any]) -> None:
        """Start an episode; ``info`` is what the env's ``reset`` returned."""

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        """The action for ``observation`` (``info`` is the latest step's info)."""


class AgentError(RuntimeError):
    """An agent cannot go on (e.g. its server stays unreachable); the message is one line."""
