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
from agentic_gym.curriculum import make_level_env
from agentic_gym.evaluation.runner import episode_seeds
from agentic_gym.integrations.levels import CurriculumChat, check_curriculum, new_messages_text
from agentic_gym.recording import shown_text
from agentic_gym.wrappers.chat import ChatEnv, chat

__all__ = ["AgenticToolEnvironment", "EpisodeState", "dataset_rows", "environment_class", "state_of"]

_JSON_TYPES: dict[str, type] = {"string": str, "integer": int, "number": float, "boolean": bool}
_RESERVED = ("reset", "get_reward")


@dataclass
class EpisodeState:
    """What a TRL environment holds: its chat env and the episode so far.

    Under a curriculum ``env`` is the current level's chat env (None before the first
    reset) and ``curriculum`` the :class:`~agentic_gym.integrations.levels.CurriculumChat`
    that draws the levels.
    """

    env: ChatEnv | None
    total_return: float = 0.0
    success: bool = False
    done: bool = True
    episodes: int = 0
    curriculum: CurriculumChat | None = None


class AgenticToolEnvironment:
    """The base of the classes :func:`environment_class` builds; it exposes no tool itself.

    Everything it keeps is under names starting with ``_`` (TRL hides those, and an
    action may be called ``done`` or ``env``); read it with :func:`state_of`.
    """

    _env_id: str = ""
    _chat_options: dict[str, Any] = {}
    _make_kwargs: dict[str, Any] = {}
    _seed: int = 0
    #: The sampler every instance of the class draws its episodes from (None: the dataset's seeds).
    _curriculum: Any = None

    def __init__(self) -> None:
        if self._curriculum is not None:
            episodes = CurriculumChat(self._curriculum, self._env_id or None, self._chat_options, **self._make_kwargs)
            self._state = EpisodeState(env=None, curriculum=episodes)
        else:
            self._state = EpisodeState(env=chat(self._env_id, **self._chat_options, **self._make_kwargs))

    def reset(self, seed: int | None = None, **row: Any) -> str:
        """Start an episode and return its first observation.

        Without a curriculum the episode is the dataset row's ``seed`` (else the next of
        this env's own seeds). Under a curriculum the level and seed come from
        ``curriculum.next()`` (a row's ``seed`` replaces the drawn seed), and the text
        starts with the level's system prompt, which a row cannot know in advance.
        """
        state = self._state
        state.episodes += 1
        state.total_return, state.success, state.done = 0.0, False, False
        if state.curriculum is not None:
            messages, _ = state.curriculum.reset(None if seed is None else int(seed))
            state.env = state.curriculum.env
            system = "\n\n".join(shown_text(m["content"]) for m in messages if m["role"] == "system")
            return "\n\n".join(part for part in (system, new_messages_text(messages)) if part)
        if seed is None:
            seed = episode_seeds(self._seed, state.episodes - 1)[0]
        if state.env is None:
            raise RuntimeError("this environment was built without an env or a curriculum")
        messages, _ = state.env.reset(seed=int(seed))
        return new_messages_text([m for m in messages if m["role"] != "system"])

    def get_reward(self) -> float:
        """The episode's return so far (what the trainer scores the rollout with).

        Under a curriculum this is where a rollout the trainer cut short is reported
        (as a failure unless solved); an ended episode was reported when it ended.
        """
        if self._state.curriculum is not None:
            self._state.curriculum.finish()
        return self._state.total_return

    def _act(self, name: str, arguments: dict[str, Any]) -> str:
        state = self._state
        if state.done:
            return "The episode is over: no more actions."
        call = {"role": "assistant", "content": "", "tool_calls": [
            {"id": f"call_{name}", "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}]}
        if state.curriculum is not None:
            messages, reward, terminated, truncated, info = state.curriculum.step(call)
        elif state.env is not None:
            messages, reward, terminated, truncated, info = state.env.step(call)
        else:
            return "Reset before acting."
        state.total_return += float(reward)
        state.success = bool(info.get("success", False))
        state.done = bool(terminated or truncated)
        text = new_messages_text(messages)
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


def _level_affordances(curriculum: Any, env_id: str | None, options: dict[str, Any],
                       make_kwargs: dict[str, Any]) -> tuple[Affordance, ...]:
    """The tools every level shares (a TRL class has one set of methods)."""
    levels = tuple(getattr(curriculum, "levels", ()))
    if not levels:
        raise ValueError("a TRL environment's curriculum must list its levels (a `levels` attribute)")
    found: tuple[Affordance, ...] | None = None
    for level in levels:
        probe = chat(make_level_env(level, env_id, **make_kwargs), **options)
        try:
            affordances = tuple(probe.affordances)
        finally:
            probe.close()
        if found is not None and affordances != found:
            raise ValueError(f"level {level!r} has other actions than {levels[0]!r}: a TRL environment's tools "
                             f"are its methods, so every level must share them")
        found = affordances
    return found or ()


def environment_class(env_id: str | None = None, *, seed: int = 0, chat_options: Mapping[str, Any] | None = None,
                      curriculum: Any = None, **make_kwargs: Any) -> type[AgenticToolEnvironment]:
    """The TRL environment class of ``env_id``: pass it as ``GRPOTrainer(environment_factory=...)``.

    Args:
        env_id: a registered id; optional with a ``curriculum`` whose levels name their ids.
        seed: the run's seed, for resets whose dataset row has no ``seed``.
        chat_options: :func:`agentic_gym.chat` options; ``format`` defaults to ``"tool_call"``,
            since the trainer acts only through tool calls.
        curriculum: a sampler of :mod:`agentic_gym.curriculum` shared by every instance:
            each ``reset`` plays ``curriculum.next()``'s level and seed, and each episode's
            outcome goes to ``curriculum.update(...)`` when it ends (or, cut short, when the
            trainer reads ``get_reward()``). Its levels must share their actions. Pickle it
            into the trainer's checkpoint; build the class again with the unpickled one to
            resume the same sequence.
        make_kwargs: keyword arguments for ``gym.make``.

    Raises:
        ValueError: an affordance is named like a method TRL reserves (``reset``, ``get_reward``)
            or starts with an underscore (TRL would not expose it); no ``env_id`` and no
            curriculum; levels whose actions differ.
    """
    options = {"format": "tool_call", **dict(chat_options or {})}
    if curriculum is not None:
        check_curriculum(curriculum, env_id)
        affordances = _level_affordances(curriculum, env_id, options, dict(make_kwargs))
    elif env_id is None:
        raise ValueError("environment_class needs an env_id or a curriculum")
    else:
        probe = chat(env_id, **options, **make_kwargs)
        try:
            affordances = probe.affordances
        finally:
            probe.close()
    title = env_id or "a curriculum"
    namespace: dict[str, Any] = {
        "_env_id": env_id or "", "_chat_options": options, "_make_kwargs": dict(make_kwargs), "_seed": int(seed),
        "_curriculum": curriculum,
        "__doc__": f"{title} for TRL: its actions are the tools; get_reward() is the episode's return.",
        "__module__": __name__,
    }
    for affordance in affordances:
        if affordance.name in _RESERVED or affordance.name.startswith("_"):
            raise ValueError(f"{title}: the action {affordance.name!r} cannot be a TRL tool "
                             f"(TRL reserves {', '.join(_RESERVED)} and hides names starting with '_')")
        namespace[affordance.name] = _tool(affordance)
    stem = env_id.split("/")[-1] if env_id else "Curriculum"
    name = "".join(part for part in stem.replace("-", "_").split("_") if part) + "Environment"
    return type(name, (AgenticToolEnvironment,), namespace)


def dataset_rows(env_id: str | None, episodes: int, seed: int = 0, *, chat_options: Mapping[str, Any] | None = None,
                 curriculum: bool = False, **make_kwargs: Any) -> list[dict[str, Any]]:
    """One training row per start state: ``{"prompt": [system, user], "seed": reset seed}``.

    The user message is left empty: ``reset(seed=...)`` returns the first observation and
    the trainer appends it there. ``datasets.Dataset.from_list(rows)`` makes the dataset.

    With ``curriculum=True`` (for a class built with a curriculum) the rows are
    ``episodes`` placeholders ``{"prompt": [user]}`` without a seed or system prompt:
    the environment's ``reset`` draws the level and seed when the trainer reaches the
    row, and returns the level's system prompt with its first observation.
    """
    if episodes < 1:
        raise ValueError(f"episodes must be at least 1, got {episodes}")
    if curriculum:
        return [{"prompt": [{"role": "user", "content": ""}]} for _ in range(episodes)]
    if env_id is None:
        raise ValueError("dataset_rows needs an env_id (or curriculum=True)")
    options = {"format": "tool_call", **dict(chat_options or {})}
    env = chat(env_id, **options, **make_kwargs)
    rows = []
    try:
        for episode in range(episodes):
            env_seed, _ = episode_seeds(seed, episode)
            messages, _ = env.reset(seed=env_seed)
            system = "\n\n".join(shown_text(m["content"]) for m in messages if m["role"] == "system")
            rows.append({"prompt": [{"role": "system", "content": system}, {"role": "user", "content": ""}],
                         "seed": env_seed})
    finally:
        env.close()
    return rows
