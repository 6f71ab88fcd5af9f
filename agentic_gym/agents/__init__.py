"""Built-in agents and the protocol :func:`agentic_gym.evaluate` drives.

``RandomAgent`` and ``OracleAgent`` are the lower and upper baselines; ``OpenAIAgent``
plays through any OpenAI-compatible server (the ``llm`` extra); ``LocalLLMAgent``
runs a local Hugging Face model in-process (the ``local-llm`` extra).
"""

from __future__ import annotations

from agentic_gym.agents.base import Agent, AgentError
from agentic_gym.agents.local import LocalLLMAgent
from agentic_gym.agents.openai_agent import OpenAIAgent
from agentic_gym.agents.oracle import OracleAgent
from agentic_gym.agents.random_agent import RandomAgent

__all__ = ["Agent", "AgentError", "LocalLLMAgent", "OpenAIAgent", "OracleAgent", "RandomAgent"]
