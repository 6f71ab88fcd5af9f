"""The ``xml`` format: ``<action>go north</action>`` or ``<tool_call>{...JSON...}</tool_call>``.

Special-token markers count as tags too: ``<|ACTION|>go north<|END|>`` (or ``<|/ACTION|>``).
The last tag wins, and a missing closing tag at the end is tolerated (a stop sequence ate
it). A tag's content is a command in canonical text or a JSON action object.
"""

from __future__ import annotations

import re

from agentic_gym.core import Command, InvalidAction, Reason
from agentic_gym.formats.base import (
    MAX_TAG_PROBES,
    Reply,
    ReplyFormat,
    Unscanned,
    Vocabulary,
    command_text,
    safe_text,
)
from agentic_gym.formats.json_format import command_from_json, decode_object

# Tags are matched in any ASCII case (re.ASCII: no Unicode case folding), and only where a
# cheap find has located a ``<``, so the reply is never lower-cased whole.
_TAG_STARTS = frozenset("aAtT|")
_TAG = re.compile(r"<(?:(/?)(action|tool_call)[ \t]*|\|(/?)(action|end)\|)>", re.IGNORECASE | re.ASCII)


def _tag(match: re.Match[str]) -> tuple[bool, str]:
    """``(closing, name)`` of a tag match: ``<|END|>`` closes an action."""
    slash, name, pipe_slash, pipe_name = match.groups()
    if name is not None:
        return bool(slash), name.lower()
    return bool(pipe_slash) or pipe_name.lower() == "end", "action"


def last_tag(text: str) -> tuple[str, int, int] | None:
    """The last ``<action>`` or ``<tool_call>`` tag of ``text`` as ``(name, content start, content end)``.

    The content runs to the last closing tag of the same name after it, or to the end of
    the text when there is none; ``None`` when there is no such tag. The ``<`` are visited
    from the end with memchr-fast searches, as a reply ends with its action; after
    :data:`~agentic_gym.formats.base.MAX_TAG_PROBES` of them, one forward pass over all tags decides.
    """
    closes: dict[str, int] = {}
    probes = MAX_TAG_PROBES
    pos = text.rfind("<")
    while pos >= 0:
        if not probes:
            return _last_tag_forward(text)
        # One character turns most other "<" away without the regex: a tag's name (after an
        # optional "/") starts with a or t, a special token with "|".
        lead = text[pos + 1:pos + 2]
        if lead == "/":
            lead = text[pos + 2:pos + 3]
        match = _TAG.match(text, pos) if lead in _TAG_STARTS else None
        if match is not None:
            closing, name = _tag(match)
            if not closing:
                return name, match.end(), closes.get(name, len(text))
            closes.setdefault(name, match.start())
        probes -= 1
        pos = text.rfind("<", 0, pos)
    return None


def _last_tag_forward(text: str) -> tuple[str, int, int] | None:
    """:func:`last_tag` by one forward pass over every tag of ``text``."""
    name = None
    open_end = close_start = -1
    for match in _TAG.finditer(text):
        closing, tag = _tag(match)
        if not closing:
            name, open_end, close_start = tag, match.end(), -1
        elif tag == name:
            close_start = match.start()
    if name is None:
        return None
    return name, open_end, close_start if close_start >= 0 else len(text)


class XmlFormat(ReplyFormat):
    """The content of the last ``<action>`` or ``<tool_call>`` tag."""

    name = "xml"
    marker = "<"

    def read(self, reply: Reply, vocab: Vocabulary) -> Command | None:
        text = reply.text
        noted = reply.tag  # noted by the walk that dropped the reasoning (None: the text has no "<")
        tag = last_tag(text) if isinstance(noted, Unscanned) else noted
        if tag is None:
            return None
        name, start, end = tag
        content = text[start:end].strip()
        if not content:
            raise InvalidAction(f"The <{name}> tag is empty. Write e.g. {self.render(vocab.example)}. "
                                f"Valid commands: {vocab.usage}.", reason=Reason.EMPTY)
        if content.startswith("{"):
            command = command_from_json(decode_object(content), vocab)
            if command is None:
                raise InvalidAction('The JSON in the tag names no action; write {"name": ..., "arguments": {...}}. '
                                    f"Valid commands: {vocab.usage}.", reason=Reason.NO_ACTION)
            return command
        return command_text(content, vocab)

    def missing(self, vocab: Vocabulary) -> InvalidAction:
        return InvalidAction(f"No <action> tag found. Write e.g. {self.render(vocab.example)}. "
                             f"Valid commands: {vocab.usage}.", reason=Reason.NO_ACTION)

    def render(self, command: Command) -> str:
        return f"<action>{safe_text(command)}</action>"

    def instructions(self, example: Command) -> str:
        return f"Write your action inside an <action> tag, e.g. {self.render(example)}"


XML = XmlFormat()
