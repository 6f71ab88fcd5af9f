"""TRL: any agentic-gym env as an ``environment_factory`` for ``GRPOTrainer``.

TRL's environment protocol is a class whose public methods are the tools the model may
call (typed parameters, a Google-style docstring), a ``reset(**row)`` that returns the text
appended to the prompt's last user message, and a ``get_reward()`` read once per finished
rollout. :func:`environment_class` builds that class for one env: one method per
affordance (its JSON Schema as Python type hints, its description and the parameters'
descriptions as the docstring). Calling a method steps the :func:`agentic_gym.chat` env
with that tool call and returns what the env answered, so the tool-calling loop of the
trainer plays whole episodes; ``get_reward()`` is the episode's return.

:func:`dataset_rows` gives the rows of a training set: one per start state, with the chat
env's system prompt and the reset ``seed`` (the same start states as ``evaluate`` with the
same seed); ``reset(seed=...)`` replays that start and returns its first observation.

The module needs neither TRL nor torch; the trainer does (``pip install torch==2.13.0``
first for the CPU build, then ``pip install -e ".[trl]"``).

Example:
    >>> Env = environment_class("agentic_gym/ToolMath-2step-v0")
    >>> env = Env()
    >>> rows = dataset_rows("agentic_gym/ToolMath-2step-v0", episodes=1)
    >>> env.reset(**rows[0]).startswith("Solve the problem.")
    True
    >>> env.calculator(expression="2 * 21").splitlines()[-1]
    '[1] calculator 2 * 21 -> 42'
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from agentic_gym.core import Affordance
from agentic_gym.evaluation.runner import episode_seeds
from agentic_gym.wrappers.chat import ChatEnv, chat

__all__ = ["AgenticToolEnvironment", "EpisodeState", "dataset_rows", "environment_class", "state_of"]

_JSON_TYPES: dict[str, type] = {"string": str, "integer": int, "number": float, "boolean": bool}
_RESERVED = ("reset", "get_reward")


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return "" if content is None else str(content)


def _since_reply(messages: list[dict[str, Any]]) -> str:
    start = 0
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].get("role") == "assistant":
            start = index + 1
            break
    return "\n\n".join(_content_text(m.get("content")) for m in messages[start:] if m.get("role") != "system")


@dataclass
class EpisodeState:
    """What a TRL environment holds: its chat env and the episode so far."""

    env: ChatEnv
    total_return: float = 0.0
    success: bool = False
    done: bool = True
    episodes: int = 0


class AgenticToolEnvironment:
    """The base of the classes :func:`environment_class` builds; it exposes no tool itself.

    Everything it keeps is under names starting with ``_`` (TRL hides those, and an
    action may be called ``done`` or ``env``); read it with :func:`state_of`.
    """

    _env_id: str = ""
    _chat_options: dict[str, Any] = {}
    _make_kwargs: dict[str, Any] = {}
    _seed: int = 0

    def __init__(self) -> None:
        self._state = EpisodeState(env=chat(self._env_id, **self._chat_options, **self._make_kwargs))

    def reset(self, seed: int | None = None, **row: Any) -> str:
        """Start an episode (``seed`` from the dataset row, else the next of this env's own) and return its first observation."""
        state = self._state
        if seed is None:
            seed = episode_seeds(self._seed, state.episodes)[0]
        state.episodes += 1
        messages, _ = state.env.reset(seed=int(seed))
        state.total_return, state.success, state.done = 0.0, False, False
        return _since_reply([m for m in messages if m["role"] != "system"])

    def get_reward(self) -> float:
        """The episode's return so far (what the trainer scores the rollout with)."""
        return self._state.total_return

    def _act(self, name: str, arguments: dict[str, Any]) -> str:
        state = self._state
        if state.done:
            return "The episode is over: no more actions."
        call = {"role": "assistant", "content": "", "tool_calls": [
            {"id": f"call_{name}", "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}]}
        messages, reward, terminated, truncated, info = state.env.step(call)
        state.total_return += float(reward)
        state.success = bool(info.get("success", False))
        state.done = bool(terminated or truncated)
        text = _since_reply(messages)
        if state.done:
            text += "\n\nThe episode is over" + (": solved." if state.success else ".")
        return text


def state_of(environment: AgenticToolEnvironment) -> EpisodeState:
    """The chat env and the episode so far of a TRL environment (its return, success, whether it ended)."""
    return environment._state


def _annotation(schema: Mapping[str, Any]) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "array":
        return list
    if kind == "object":
        return dict
    return _JSON_TYPES.get(str(kind), str)


def _docstring(affordance: Affordance) -> str:
    lines = [affordance.description.strip() or affordance.name, ""]
    properties = affordance.parameters.get("properties", {})
    if properties:
        lines.append("Args:")
        for name, schema in properties.items():
            text = str(schema.get("description") or name).replace("\n", " ")
            if "enum" in schema:
                text += " One of: " + ", ".join(map(str, schema["enum"])) + "."
            lines.append(f"    {name}: {text}")
        lines.append("")
    lines += ["Returns:", "    What the environment answers."]
    return "\n".join(lines)


def _tool(affordance: Affordance) -> Callable[..., str]:
    properties: dict[str, Any] = dict(affordance.parameters.get("properties", {}))
    required = set(affordance.parameters.get("required", ()))
    order = sorted(properties, key=lambda p: p not in required)  # required first: a signature needs it
    name = affordance.name

    def tool(self: AgenticToolEnvironment, *args: Any, **kwargs: Any) -> str:
        arguments = dict(zip(order, args))
        arguments.update({k: v for k, v in kwargs.items() if v is not None})
        return self._act(name, arguments)

    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    annotations: dict[str, Any] = {}
    for parameter in order:
        annotation = _annotation(properties[parameter])
        if parameter in required:
            parameters.append(inspect.Parameter(parameter, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                                annotation=annotation))
        else:
            annotation = annotation | None
            parameters.append(inspect.Parameter(parameter, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                                annotation=annotation, default=None))
        annotations[parameter] = annotation
    annotations["return"] = str
    tool.__name__ = tool.__qualname__ = name
    tool.__doc__ = _docstring(affordance)
    tool.__annotations__ = annotations
    tool.__dict__["__signature__"] = inspect.Signature(parameters, return_annotation=str)
    return tool


def environment_class(env_id: str, *, seed: int = 0, chat_options: Mapping[str, Any] | None = None,
                      **make_kwargs: Any) -> type[AgenticToolEnvironment]:
    """The TRL environment class of ``env_id``: pass it as ``GRPOTrainer(environment_factory=...)``.

    Args:
        env_id: a registered id.
        seed: the run's seed, for resets whose dataset row has no ``seed``.
        chat_options: :func:`agentic_gym.chat` options; ``format`` defaults to ``"tool_call"``,
            since the trainer acts only through tool calls.
        make_kwargs: keyword arguments for ``gym.make``.

    Raises:
        ValueError: an affordance is named like a method TRL reserves (``reset``, ``get_reward``)
            or starts with an underscore (TRL would not expose it).
    """
    options = {"format": "tool_call", **dict(chat_options or {})}
    probe = chat(env_id, **options, **make_kwargs)
    try:
        affordances = probe.affordances
    finally:
        probe.close()
    namespace: dict[str, Any] = {
        "_env_id": env_id, "_chat_options": options, "_make_kwargs": dict(make_kwargs), "_seed": int(seed),
        "__doc__": f"{env_id} for TRL: its actions are the tools; get_reward() is the episode's return.",
        "__module__": __name__,
    }
    for affordance in affordances:
        if affordance.name in _RESERVED or affordance.name.startswith("_"):
            raise ValueError(f"{env_id}: the action {affordance.name!r} cannot be a TRL tool "
                             f"(TRL reserves {', '.join(_RESERVED)} and hides names starting with '_')")
        namespace[affordance.name] = _tool(affordance)
    name = "".join(part for part in env_id.split("/")[-1].replace("-", "_").split("_") if part) + "Environment"
    return type(name, (AgenticToolEnvironment,), namespace)


def dataset_rows(env_id: str, episodes: int, seed: int = 0, *, chat_options: Mapping[str, Any] | None = None,
                 **make_kwargs: Any) -> list[dict[str, Any]]:
    """One training row per start state: ``{"prompt": [system, user], "seed": reset seed}``.

    The user message is left empty: ``reset(seed=...)`` returns the first observation and
    the trainer appends it there. ``datasets.Dataset.from_list(rows)`` makes the dataset.
    """
    if episodes < 1:
        raise ValueError(f"episodes must be at least 1, got {episodes}")
    options = {"format": "tool_call", **dict(chat_options or {})}
    env = chat(env_id, **options, **make_kwargs)
    rows = []
    try:
        for episode in range(episodes):
            env_seed, _ = episode_seeds(seed, episode)
            messages, _ = env.reset(seed=env_seed)
            system = "\n\n".join(_content_text(m["content"]) for m in messages if m["role"] == "system")
            rows.append({"prompt": [{"role": "system", "content": system}, {"role": "user", "content": ""}],
                         "seed": env_seed})
    finally:
        env.close()
    return rows
