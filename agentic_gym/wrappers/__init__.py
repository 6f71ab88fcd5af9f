"""The language layer: prompts, parsers, memory and tool wrappers.

``PromptObservation`` turns observations into chat messages, ``ParseAction`` turns
raw LLM replies into actions (``parse_action`` is the pure function behind it),
``NotesMemory`` and ``AddTools`` add memory and tool affordances to any env, and
``agentic_gym.chat()`` stacks them into one ``ChatEnv``.
"""

from __future__ import annotations

from agentic_gym.wrappers.chat import ChatEnv, chat
from agentic_gym.wrappers.memory import NotesMemory
from agentic_gym.wrappers.parse import ParseAction, parse_action, render_action
from agentic_gym.wrappers.prompt import PromptObservation
from agentic_gym.wrappers.record import RecordEpisode
from agentic_gym.wrappers.shaping import PotentialShaping
from agentic_gym.wrappers.signals import OracleSignals
from agentic_gym.wrappers.tools import AddTools, Tool

__all__ = [
    "AddTools",
    "ChatEnv",
    "NotesMemory",
    "OracleSignals",
    "ParseAction",
    "PotentialShaping",
    "PromptObservation",
    "RecordEpisode",
    "Tool",
    "chat",
    "parse_action",
    "render_action",
]
