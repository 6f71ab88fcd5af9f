"""Reasoning blocks: the part of a reply that is thinking, never the action.

Every format reads the reply after :func:`drop_reasoning` has removed what a model wrote
while thinking, so an action quoted in its reasoning is never taken:

* ``<think>``, ``<thinking>`` and ``<reasoning>`` blocks (DeepSeek-R1, Qwen, Claude-style
  tags): everything up to the end of the last closing tag is dropped, in any ASCII case;
* a block left open (the model ran out of tokens while thinking): everything from its
  opening tag on is dropped, so such a reply usually holds no action;
* harmony-style channels (gpt-oss): only the text of the last ``final`` channel is read; a
  reply with an ``analysis`` channel and no ``final`` one holds no action.
"""

from __future__ import annotations

import re

from agentic_gym.formats.base import MAX_TAG_PROBES

#: The tag names of reasoning blocks.
REASONING_TAGS = ("think", "thinking", "reasoning")

_TAG = re.compile(r"<(/?)(think|thinking|reasoning)[ \t]*>", re.IGNORECASE | re.ASCII)
_NAME_STARTS = frozenset("tTrR")
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
    if "<" not in text:  # memchr-fast; most replies have no tag at all
        return text
    # A multi-character search costs about a microsecond on 2 KB; the one-character test
    # before it is memchr-fast and rules out most replies.
    if "|" in text and _CHANNEL in text:
        text = _harmony_final(text)
        if "<" not in text:
            return text
    # From the end: the first reasoning tag met decides. A closing tag ends the reasoning
    # (what follows is read); an opening tag with no close after it starts reasoning that
    # runs to the end (what precedes it is read, up to the last closing tag before it).
    probes = MAX_TAG_PROBES
    pos = text.rfind("<")
    while pos >= 0:
        if not probes:
            return _drop_forward(text)
        # A reasoning tag's name starts with t or r: most other tags are turned away by one
        # character, without the regex.
        name = text[pos + 2:pos + 3] if text[pos + 1:pos + 2] == "/" else text[pos + 1:pos + 2]
        match = _TAG.match(text, pos) if name in _NAME_STARTS else None
        if match is not None:
            if match.group(1):
                return text[match.end():]
            return _drop_forward(text)  # a block left open: rare, and one pass decides
        probes -= 1
        pos = text.rfind("<", 0, pos)
    return text


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
