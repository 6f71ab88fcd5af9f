r"""ASCII text by contract: the charset of every ``Text`` space and the one sanitiser.

Every string an environment emits, above all any echo of agent or LLM text, goes
through :func:`sanitize` so that it always lies in the observation space.

Example:
    >>> sanitize("caf\u00e9\tbar", 20)
    'caf? bar'
    >>> sanitize("x" * 10, 4)
    'xxxx'
"""

from __future__ import annotations

import copy
import re
import string
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
from gymnasium import spaces

#: Letters, digits, punctuation, space and newline: the charset of every Text space.
CHARSET: str = string.ascii_letters + string.digits + string.punctuation + " \n"

_CHARSET_BYTES = CHARSET.encode("ascii")


def in_charset(text: str) -> bool:
    """Whether every character of ``text`` is in :data:`CHARSET`.

    ASCII text is encoded and the charset's bytes deleted in C: what is left is outside it
    (several times faster than a set test, which hashes character by character).
    """
    return text.isascii() and not text.encode("ascii").translate(None, _CHARSET_BYTES)
_OUTSIDE = re.compile(r"[^A-Za-z0-9!-/:-@\[-`{-~ \n]")


def sanitize(text: str, max_length: int | None = None) -> str:
    """Clip ``text`` to ``max_length`` and map characters outside :data:`CHARSET` to ``?``.

    Tabs become a space and ``\\r\\n`` / ``\\r`` become ``\\n`` first, so ordinary
    formatting survives. Runs in time linear in the (clipped) input.
    """
    if not isinstance(text, str):
        text = str(text)
    if max_length is not None:
        # Clip twice: before the replacements (bounded work) and after (exact length).
        text = text[: max_length + 1]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\t" in text:
        text = text.replace("\t", " ")
    if not in_charset(text):
        text = _OUTSIDE.sub("?", text)
    if max_length is not None and len(text) > max_length:
        text = text[:max_length]
    return text


@lru_cache(maxsize=1)
def _charset_prototype() -> spaces.Text:
    return spaces.Text(max_length=0, min_length=0, charset=CHARSET)


def text_space(max_length: int) -> spaces.Text:
    """A ``spaces.Text`` over :data:`CHARSET` that also holds the empty string.

    Every such space shares one prototype's read-only character tables (a shallow
    copy): gymnasium builds a set, tuple, dict and string of the charset per ``Text``,
    about 15 KB that would otherwise dominate the size of a small env instance.
    """
    if isinstance(max_length, bool) or not isinstance(max_length, (int, np.integer)) or max_length < 0:
        raise ValueError(f"max_length must be a non-negative integer, got {max_length!r}")
    space = copy.copy(_charset_prototype())
    space.max_length = int(max_length)
    return space


def quote(text: str, limit: int = 40) -> str:
    """Quote at most ``limit`` sanitised characters of untrusted text for feedback messages."""
    text = sanitize(text, limit + 1).replace("\n", " ")
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return '"' + text + '"'


def message_text(content: Any, max_chars: int | None = None) -> str | None:
    """The text of a chat message's ``content``, the one reader every layer uses.

    A string is its own text; a list of parts gives its ``text`` parts joined by newlines
    (image and other parts are left out); ``None`` gives ``""``. Content that is not text
    (another type, or a text part whose ``text`` is not a string) gives ``None``: the caller
    decides whether that is an error (the parser) or shown as it is (a recording).
    With ``max_chars`` the result has at most that many characters, each part clipped
    before the join, so many huge parts never build one huge string.

    Example:
        >>> message_text([{"type": "text", "text": "go"}, {"type": "image_url"}, {"type": "text", "text": "north"}])
        'go\\nnorth'
        >>> message_text("a long reply", max_chars=6), message_text(42)
        ('a long', None)
    """
    if content is None:
        return ""
    if isinstance(content, str):
        return content if max_chars is None else content[:max_chars]
    if not isinstance(content, list):
        return None
    parts: list[str] = []
    room = max_chars
    for part in content:
        if not (isinstance(part, Mapping) and part.get("type") == "text"):
            continue
        text = part.get("text")
        if not isinstance(text, str):
            return None
        if room is not None:
            if room <= 0:
                break
            text = text[:room]
            room -= len(text) + 1
        parts.append(text)
    joined = "\n".join(parts)
    return joined if max_chars is None else joined[:max_chars]
