"""Reasoning blocks: the part of a reply that is thinking, never the action.

Every format reads the reply after :func:`drop_reasoning` has removed what a model wrote
while thinking, so an action quoted in its reasoning is never taken. Today that is
everything up to the end of the last ``</think>`` (DeepSeek-R1, Qwen and other reasoning
models close their thoughts so), in any ASCII case.
"""

from __future__ import annotations

from agentic_gym.formats.base import MAX_TAG_PROBES, casings, lower

_THINK_END = "</think>"
_THINK_NAMES = casings("/think>")


def drop_reasoning(text: str) -> str:
    """``text`` without its reasoning: what follows the last closed reasoning block.

    Tags are looked for from the end with memchr-fast searches for ``<``; a reply with more
    of them than :data:`~agentic_gym.formats.base.MAX_TAG_PROBES` is lower-cased once and
    searched instead. Linear either way.

    Example:
        >>> drop_reasoning("<think>Action: go south?</THINK>Action: go north")
        'Action: go north'
    """
    if "<" not in text:  # memchr-fast; most replies have no tag at all
        return text
    probes = MAX_TAG_PROBES
    end = text.rfind("<")
    while end >= 0:
        if text[end + 1:end + 8] in _THINK_NAMES:
            return text[end + 8:]
        probes -= 1
        if not probes:
            found = lower(text).rfind(_THINK_END, 0, end)
            return text[found + 8:] if found >= 0 else text
        end = text.rfind("<", 0, end)
    return text
