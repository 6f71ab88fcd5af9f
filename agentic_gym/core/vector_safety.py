"""Refuse Gymnasium's shared-memory path for the suite's ``Text`` spaces.

``gymnasium.vector.AsyncVectorEnv`` (default ``shared_memory=True``) reads its
observation buffer once, when it is created: a ``Box`` comes back as a numpy view
that the workers keep writing into, but a ``Text`` comes back as a tuple of
strings decoded from the empty buffer. Every later observation is then that same
``'aaaa...'`` snapshot (Gymnasium 1.x), silently.

A correct shared buffer cannot be returned as the strings the space promises, so
instead the suite's ``Text`` spaces (those over :data:`~agentic_gym.core.CHARSET`,
``CommandSpace`` included) refuse shared memory at creation, with a message that
names the working setting. Importing :mod:`agentic_gym` registers this through
``create_shared_memory``'s documented ``singledispatch`` hook; any other ``Text``
space keeps Gymnasium's own handler.

Example:
    >>> import gymnasium as gym
    >>> import agentic_gym
    >>> from gymnasium.vector.utils import create_shared_memory
    >>> from agentic_gym.core import text_space
    >>> try:
    ...     create_shared_memory(text_space(16))
    ... except TypeError as error:
    ...     print('vector_kwargs={"shared_memory": False}' in str(error))
    True
"""

from __future__ import annotations

import multiprocessing
from types import ModuleType
from typing import Any

from gymnasium import spaces
from gymnasium.vector.utils import shared_memory

from agentic_gym.core.text import CHARSET

SHARED_MEMORY_HINT = (
    "agentic_gym text observations cannot travel through AsyncVectorEnv's shared memory "
    "(Gymnasium decodes a Text buffer once, at creation, so every observation would be the same "
    "empty string). Pass shared_memory=False: "
    'gym.make_vec(env_id, n, vectorization_mode="async", vector_kwargs={"shared_memory": False}) '
    "or AsyncVectorEnv(env_fns, shared_memory=False)."
)

_CHARSET = frozenset(CHARSET)
_gymnasium_text_handler = shared_memory.create_shared_memory.dispatch(spaces.Text)


def is_suite_text(space: spaces.Space[Any]) -> bool:
    """Whether ``space`` is one of the suite's ``Text`` spaces (its charset is ``CHARSET``)."""
    return isinstance(space, spaces.Text) and space.character_set == _CHARSET


def _create_text_shared_memory(space: spaces.Text, n: int = 1, ctx: ModuleType = multiprocessing) -> Any:
    if is_suite_text(space):
        raise TypeError(SHARED_MEMORY_HINT)
    return _gymnasium_text_handler(space, n=n, ctx=ctx)


def install() -> None:
    """Register the refusal for ``Text`` spaces (idempotent; called on ``import agentic_gym``)."""
    shared_memory.create_shared_memory.register(spaces.Text, _create_text_shared_memory)

