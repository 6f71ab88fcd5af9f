"""ParseAction: take raw LLM replies as actions, read once into a Command and passed down.

The formats and :func:`parse_action` live in :mod:`agentic_gym.formats`; the names below
stay importable from here as they always were.

Example:
    >>> from agentic_gym.core import Affordance, params, enum_param
    >>> go = Affordance("go", "Walk.", params(direction=enum_param("Where.", ["north", "south"])))
    >>> str(parse_action("Thought: the exit is north.\\nAction: go north", (go,)))
    'go north'
"""

from __future__ import annotations

from typing import Any, SupportsFloat

import gymnasium as gym

from agentic_gym.core import (
    LISTING_REASONS,
    Affordance,
    CommandSpace,
    InvalidAction,
    command_list,
    native_action,
    sanitize,
)
from agentic_gym.formats import (
    FORMAT_NAMES,
    MAX_JSON_DEPTH,
    MAX_JSON_DIGITS,
    MAX_REPLY_CHARS,
    as_reply,
    example_command,
    format_instructions,
    parse_action,
    render_action,
    reply_format,
)
from agentic_gym.formats.base import MAX_FUZZY_CHARS, MAX_TAG_PROBES
from agentic_gym.formats.react_format import MAX_COLON_PROBES
from agentic_gym.formats.text_format import MAX_CANDIDATES, SHORT_REPLY_WORDS
from agentic_gym.wrappers.observation import fresh, text_limit, with_text

#: ``format=`` names (``auto`` first), as :data:`agentic_gym.formats.FORMAT_NAMES`.
FORMATS = FORMAT_NAMES
ON_INVALID = ("feedback", "penalty", "raise", "terminate")

__all__ = [
    "FORMATS",
    "MAX_CANDIDATES",
    "MAX_COLON_PROBES",
    "MAX_FEEDBACK_CHARS",
    "MAX_FUZZY_CHARS",
    "MAX_JSON_DEPTH",
    "MAX_JSON_DIGITS",
    "MAX_REPLY_CHARS",
    "MAX_TAG_PROBES",
    "ON_INVALID",
    "SHORT_REPLY_WORDS",
    "ParseAction",
    "as_reply",
    "example_command",
    "format_instructions",
    "fresh",
    "native_action",
    "parse_action",
    "render_action",
    "text_limit",
    "with_text",
]


#: Characters of feedback a ParseAction puts before the repeated observation.
MAX_FEEDBACK_CHARS = 2000


class ParseAction(gym.Wrapper):
    """Take raw LLM replies as actions: parse them to commands, then to the env's native action.

    A reply that holds no valid action is handled as ``on_invalid`` says:

    * ``feedback`` (default): the env does not step (so its time limit does not
      advance); the observation repeats the last one with a note of what was wrong
      and what is valid in front of its text; reward 0. After ``max_invalid`` invalid
      replies in a row the episode is truncated (``success`` stays False).
    * ``penalty``: as ``feedback`` with reward ``-invalid_penalty``.
    * ``raise``: :class:`~agentic_gym.core.InvalidAction` propagates.
    * ``terminate``: the episode ends (``terminated=True``, reward 0).

    The reply is read once, by :func:`~agentic_gym.formats.parse_action`, and the
    :class:`~agentic_gym.core.Command` is what goes down: a ``CommandSpace`` env gets the
    command itself, a ``Discrete`` env the index of its affordance (see
    :func:`~agentic_gym.core.native_action`); no layer below reads the reply's text again.

    Every step's ``info`` has ``command`` (the :class:`~agentic_gym.core.Command` carried
    out, ``None`` when the reply held no valid action), ``action_valid``,
    ``parsed_action`` (the command's canonical text or ``None``) and ``parse_error``
    (``None`` or the message).

    Example:
        >>> import gymnasium as gym
        >>> import agentic_gym
        >>> env = ParseAction(gym.make("agentic_gym/GridKeyDoor-6x6-v0"))
        >>> _ = env.reset(seed=0)
        >>> obs, reward, terminated, truncated, info = env.step("Thought: a wall ahead.\\nAction: left")
        >>> info["command"], info["parsed_action"], info["action_valid"]
        (Command(name='left', args={}), 'left', True)
        >>> obs, reward, terminated, truncated, info = env.step("no idea")
        >>> info["action_valid"], info["parse_error"][:22]
        (False, 'No action found in you')
    """

    def __init__(self, env: gym.Env, format: str = "auto", on_invalid: str = "feedback", max_invalid: int = 3,
                 invalid_penalty: float = 0.0):
        super().__init__(env)
        reply_format(format)  # a ValueError for an unknown name
        if on_invalid not in ON_INVALID:
            raise ValueError(f"on_invalid must be one of {ON_INVALID}, got {on_invalid!r}")
        if max_invalid < 1:
            raise ValueError("max_invalid must be at least 1")
        self.format = format
        self.on_invalid = on_invalid
        self.max_invalid = max_invalid
        self.invalid_penalty = float(invalid_penalty)
        self.affordances: tuple[Affordance, ...] = tuple(env.get_wrapper_attr("affordances"))
        self._env_space = env.action_space  # what a command is turned into, fixed with the affordances
        # Any reply up to the parser's limit is a legal action; samples are valid commands.
        self.action_space = CommandSpace(self.affordances, max_length=MAX_REPLY_CHARS)
        self._text_limit = text_limit(env.observation_space) + MAX_FEEDBACK_CHARS
        self.observation_space = with_text(env.observation_space, self._text_limit)
        self._last: tuple[dict[str, Any], dict[str, Any]] | None = None
        self._invalid_streak = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        obs, info = self.env.reset(seed=seed, options=options)
        self._last = (obs, info)
        self._invalid_streak = 0
        return fresh(obs), fresh(info)

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        if self._last is None:
            raise gym.error.ResetNeeded("Call reset before step.")
        try:
            # The env's listed commands, if it lists them, help to read free text.
            listed = self._last[1].get("admissible_commands")
            command = parse_action(action, self.affordances, self.format,
                                   commands=listed if isinstance(listed, (list, tuple)) else ())
            native = native_action(command, self._env_space, self.affordances)
        except InvalidAction as error:
            return self._invalid(error)
        self._invalid_streak = 0
        obs, reward, terminated, truncated, info = self.env.step(native)
        self._last = (obs, info)
        info = fresh(info)
        info.setdefault("action_valid", True)
        info["command"] = command
        info["parsed_action"] = str(command)
        info["parse_error"] = None
        return fresh(obs), reward, terminated, truncated, info

    def _invalid(self, error: InvalidAction) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        if self.on_invalid == "raise":
            raise error
        self._invalid_streak += 1
        last_obs, last_info = self._last  # type: ignore[misc]
        message = sanitize(str(error), MAX_FEEDBACK_CHARS - 200)
        if error.reason not in LISTING_REASONS:
            message += f" Valid commands: {command_list(self.affordances)}."
        feedback = sanitize(f"Your reply was not a valid action: {message}", MAX_FEEDBACK_CHARS - 2)
        obs = fresh(last_obs)
        obs["text"] = sanitize(f"{feedback}\n\n{last_obs['text']}", self._text_limit)
        info = fresh(last_info)
        info.update(action_valid=False, command=None, parsed_action=None, parse_error=message)
        info["success"] = False
        terminated = self.on_invalid == "terminate"
        truncated = not terminated and self._invalid_streak >= self.max_invalid
        reward = -self.invalid_penalty if self.on_invalid == "penalty" else 0.0
        return obs, reward, terminated, truncated, info
