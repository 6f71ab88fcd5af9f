"""The ``tool_call`` format: an assistant message whose ``tool_calls`` hold exactly one function call.

OpenAI-style function calling (``{"role": "assistant", "content": None, "tool_calls": [{"id":
..., "type": "function", "function": {"name": ..., "arguments": "<JSON string>"}}]}``).
Several calls in one turn are refused: one action per turn. Asked for explicitly, a plain
string is read as a tool call written out as JSON text.
"""

from __future__ import annotations

import json
from typing import Any

from agentic_gym.core import Command, InvalidAction, Reason
from agentic_gym.formats.base import Reply, ReplyFormat, Vocabulary
from agentic_gym.formats.json_format import JSON, command_from_tool_calls


class ToolCallFormat(ReplyFormat):
    """The one function call of a message's ``tool_calls``."""

    name = "tool_call"

    def read(self, reply: Reply, vocab: Vocabulary) -> Command | None:
        if reply.tool_calls:
            return self.read_calls(reply.tool_calls, vocab)
        if not reply.strict:
            return None
        if reply.is_message:
            raise InvalidAction(f"Call one of the provided tools (function calling), e.g. {vocab.example}. "
                                f"Valid commands: {vocab.usage}.", reason=Reason.NO_ACTION)
        return JSON.read(reply, vocab)  # a tool call written out as JSON text

    def read_calls(self, calls: Any, vocab: Vocabulary) -> Command:
        """The command of a message's (non-empty) ``tool_calls``: what ``read`` gives for a reply with them."""
        return command_from_tool_calls(calls, vocab.affordances)

    def render(self, command: Command) -> dict[str, Any]:
        return {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "call_0", "type": "function",
                            "function": {"name": command.name, "arguments": json.dumps(dict(command.args))}}],
        }

    def instructions(self, example: Command) -> str:
        return f"Call exactly one of the provided tools (function calling) per turn, e.g. {example.name}."


TOOL_CALL = ToolCallFormat()
