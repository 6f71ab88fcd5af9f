"""Observation helpers the language-layer wrappers share: fresh copies and the widened text space."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from agentic_gym.core import text_space

_IMMUTABLE = frozenset({str, int, float, bool, type(None)})


def fresh(value: Any) -> Any:
    """A copy of observation or info data that shares no mutable object with ``value``.

    Commands (``info["command"]``) are immutable values and are shared, not copied.
    """
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) in _IMMUTABLE else fresh(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _IMMUTABLE else fresh(v) for v in value]
    if kind is np.ndarray:
        return value.copy()
    if isinstance(value, dict):
        return {k: fresh(v) for k, v in value.items()}
    return value


def text_limit(observation_space: spaces.Space) -> int:
    """``max_length`` of the observation's ``"text"`` space (the wrappers extend it)."""
    text = observation_space.spaces.get("text") if isinstance(observation_space, spaces.Dict) else None
    if isinstance(text, spaces.Text):
        return text.max_length
    raise TypeError("the language layer needs a Dict observation space with a 'text' Text space")


def with_text(observation_space: spaces.Dict, max_length: int) -> spaces.Dict:
    """``observation_space`` with its ``"text"`` space widened to ``max_length``."""
    return spaces.Dict({**observation_space.spaces, "text": text_space(max_length)})
