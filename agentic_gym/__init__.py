"""agentic-gym: partially observable text, tool and grid environments for LLM agents.

Importing the package registers every environment with Gymnasium:

    >>> import gymnasium as gym
    >>> import agentic_gym
    >>> "agentic_gym/GridKeyDoor-8x8-v0" in gym.registry
    True
"""

from __future__ import annotations

from typing import Any

from agentic_gym import envs as envs
from agentic_gym.core import Affordance, Command, CommandSpace, InvalidAction
from agentic_gym.core.vector_safety import install as _refuse_text_shared_memory
from agentic_gym.envs import ENV_IDS, MULTI_AGENT_ENVS

_refuse_text_shared_memory()

__version__ = "0.1.0"

# Heavier layers load on first use so that ``import agentic_gym`` stays cheap.
_LAZY = {
    "chat": ("agentic_gym.wrappers.chat", "chat"),
    "chat_multi": ("agentic_gym.wrappers.multi_chat", "chat_multi"),
    "evaluate": ("agentic_gym.evaluation", "evaluate"),
}

__all__ = [
    "ENV_IDS",
    "MULTI_AGENT_ENVS",
    "Affordance",
    "Command",
    "CommandSpace",
    "InvalidAction",
    "chat",
    "chat_multi",
    "evaluate",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'agentic_gym' has no attribute {name!r}")
