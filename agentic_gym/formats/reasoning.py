"""Reasoning blocks: the part of a reply that is thinking, never the action.

Every format reads the reply after :func:`read_markup` (:func:`drop_reasoning` is its text
alone) has removed what a model wrote while thinking, so an action quoted in its reasoning is
never taken:

* ``<think>``, ``<thinking>`` and ``<reasoning>`` blocks (DeepSeek-R1, Qwen, Claude-style
  tags): everything up to the end of the last closing tag is dropped, in any ASCII case;
* a block left open (the model ran out of tokens while thinking): everything from its
  opening tag on is dropped, so such a reply usually holds no action;
* harmony-style channels (gpt-oss): only the text of the last ``final`` channel is read; a
  reply with an ``analysis`` channel and no ``final`` one holds no action.
"""

from __future__ import annotations

import re

from agentic_gym.formats.base import MAX_TAG_PROBES, UNSCANNED, ActionTag, Unscanned

#: The tag names of reasoning blocks.
REASONING_TAGS = ("think", "thinking", "reasoning")

_TAG = re.compile(r"<(/?)(think|thinking|reasoning)[ \t]*>", re.IGNORECASE | re.ASCII)
# Reasoning tags and the xml format's action tags, in one pattern for the walk over the "<";
# each kind of tag has its own group, so ``match.lastindex`` says which was met: 1 and 2 open
# and close reasoning, 5 and 6 a tool_call tag, 3 and 7 open an action tag, 4 and 8 close it.
_MARKUP = re.compile(r"<(?:(thinking|think|reasoning)|(/(?:thinking|think|reasoning))|(action)|(/action)"
                     r"|(tool_call)|(/tool_call))[ \t]*>|<\|(?:(action)|(/action|/?end))\|>",
                     re.IGNORECASE | re.ASCII)
_REASONING_OPEN, _REASONING_CLOSE, _TOOL_OPEN, _TOOL_CLOSE = 1, 2, 5, 6
_ACTION_OPEN = frozenset({3, 7})


_CHANNEL = "<|channel|>"
_FINAL = re.compile(r"<\|channel\|>[ \t]*final[ \t]*(?:<\|constrain\|>[^<]{0,40})?<\|message\|>",
                    re.IGNORECASE | re.ASCII)
_HARMONY_END = re.compile(r"<\|(?:end|return|call)\|>\s*\Z", re.IGNORECASE | re.ASCII)


def _harmony_final(text: str) -> str:
    """The text of the last ``final`` channel (its end marker dropped), or ``""`` if there is none."""
    start = -1
    for match in _FINAL.finditer(text):
        start = match.end()
    if start < 0:
        return ""
    final = text[start:]
    stop = final.find("<|start|>")
    if stop >= 0:
        final = final[:stop]
    end = _HARMONY_END.search(final)
    return final[:end.start()] if end else final


def drop_reasoning(text: str) -> str:
    """``text`` without its reasoning (see the module docstring for what counts as reasoning).

    ``<`` are looked for from the end with memchr-fast searches; a reply with more of them
    than :data:`~agentic_gym.formats.base.MAX_TAG_PROBES` is read by one regex pass instead.
    Linear either way.

    Example:
        >>> drop_reasoning("<think>Action: go south?</THINK>Action: go north")
        'Action: go north'
        >>> drop_reasoning("Action: go north\\n<reasoning>or south")
        'Action: go north\\n'
        >>> drop_reasoning("<|channel|>analysis<|message|>go south?<|end|>"
        ...                "<|start|>assistant<|channel|>final<|message|>Action: go north<|return|>")
        'Action: go north'
    """
    return read_markup(text)[0]


def read_markup(text: str) -> tuple[str, ActionTag | None | Unscanned]:
    """``text`` without its reasoning, and the last action tag of what is left.

    The tag is what :func:`~agentic_gym.formats.xml_format.last_tag` gives for the text that
    is left, found on the same walk from the end over the ``<`` (a reply ends with its
    action, and the reasoning before it): ``None`` if it has none, :data:`UNSCANNED` when
    the walk did not reach it (many ``<``, or reasoning left open), for the xml format to
    look itself.
    """
    if "<" not in text:  # memchr-fast; most replies have no tag at all
        return text, None
    # A multi-character search costs about a microsecond on 2 KB; the one-character test
    # before it is memchr-fast and rules out most replies.
    if "|" in text and _CHANNEL in text:
        text = _harmony_final(text)
        if "<" not in text:
            return text, None
    # From the end: the first reasoning tag met decides. A closing tag ends the reasoning
    # (what follows is read); an opening tag with no close after it starts reasoning that
    # runs to the end (what precedes it is read, up to the last closing tag before it).
    # Action tags met on the way are noted as last_tag notes them.
    probes = MAX_TAG_PROBES
    found: ActionTag | None = None
    close_action = close_tool = -1  # the last closing tag of each name seen so far (from the end)
    match_tag = _MARKUP.match
    pos = text.rfind("<")
    while pos >= 0:
        if not probes:
            return _drop_forward(text), UNSCANNED
        match = match_tag(text, pos)
        if match is not None:
            kind = match.lastindex  # which tag: one group per kind, see _MARKUP
            if kind == _REASONING_CLOSE:
                cut = match.end()
                if found is not None:
                    found = (found[0], found[1] - cut, found[2] - cut)
                return text[cut:], found
            if kind == _REASONING_OPEN:
                return _drop_forward(text), UNSCANNED  # a block left open: rare, and one pass decides
            if found is None:
                if kind == _TOOL_OPEN:
                    found = ("tool_call", match.end(), len(text) if close_tool < 0 else close_tool)
                elif kind == _TOOL_CLOSE:
                    if close_tool < 0:
                        close_tool = match.start()
                elif kind in _ACTION_OPEN:
                    found = ("action", match.end(), len(text) if close_action < 0 else close_action)
                elif close_action < 0:
                    close_action = match.start()
        probes -= 1
        pos = text.rfind("<", 0, pos)
    return text, found


def _drop_forward(text: str) -> str:
    """:func:`drop_reasoning` by one forward pass over every reasoning tag."""
    kept_from = 0  # start of the text after the last closed block
    open_at = -1  # the first opening tag after it, if it is never closed
    for match in _TAG.finditer(text):
        if match.group(1):
            kept_from, open_at = match.end(), -1
        elif open_at < 0:
            open_at = match.start()
    return text[kept_from:open_at] if open_at >= 0 else text[kept_from:]
