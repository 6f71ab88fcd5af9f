"""The suite's shared language: affordances, commands, spaces, text rules and the env base.

``core`` knows no environment and no wrapper.
"""

from __future__ import annotations

from agentic_gym.core.affordance import (
    CAPABILITIES,
    KINDS,
    Affordance,
    enum_param,
    int_param,
    params,
    string_param,
    tool_schemas,
)
from agentic_gym.core.calculator import CalculatorError, calculate, format_number
from agentic_gym.core.command import (
    LISTING_REASONS,
    Command,
    InvalidAction,
    Reason,
    action_text,
    check_command,
    command_list,
    find_affordance,
    make_command,
    parse_command,
    validate_args,
)
from agentic_gym.core.env import RENDER_MODES, AgenticEnv
from agentic_gym.core.spaces import ChatMessages, CommandSpace, is_message, native_action
from agentic_gym.core.text import CHARSET, message_text, quote, sanitize, text_space
from agentic_gym.core.transcript import TranscriptPanel, TranscriptRendering

__all__ = [
    "CAPABILITIES",
    "CHARSET",
    "KINDS",
    "LISTING_REASONS",
    "RENDER_MODES",
    "Affordance",
    "AgenticEnv",
    "CalculatorError",
    "ChatMessages",
    "Command",
    "CommandSpace",
    "InvalidAction",
    "Reason",
    "TranscriptPanel",
    "TranscriptRendering",
    "action_text",
    "calculate",
    "check_command",
    "command_list",
    "enum_param",
    "find_affordance",
    "format_number",
    "int_param",
    "is_message",
    "make_command",
    "message_text",
    "native_action",
    "params",
    "parse_command",
    "quote",
    "sanitize",
    "string_param",
    "text_space",
    "tool_schemas",
    "validate_args",
]
