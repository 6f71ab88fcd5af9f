"""``agentic_gym.chat()``: any env as a chat env that takes raw LLM replies.

Example:
    >>> import agentic_gym
    >>> env = agentic_gym.chat("agentic_gym/GridKeyDoor-6x6-v0", history=4, notes=True)
    >>> messages, info = env.reset(seed=0)
    >>> messages[0]["role"], info["tools"][0]["function"]["name"]
    ('system', 'left')
    >>> messages, reward, terminated, truncated, info = env.step("Thought: the wall is ahead.\\nAction: left")
    >>> str(info["command"]), info["action_valid"], info["parse_error"]
    ('left', True, None)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, SupportsFloat

import gymnasium as gym
from gymnasium import spaces
from gymnasium.envs.registration import EnvSpec

from agentic_gym.core import RENDER_MODES, Affordance, CommandSpace, action_text, tool_schemas
from agentic_gym.formats import MAX_REPLY_CHARS
from agentic_gym.wrappers.memory import NotesMemory
from agentic_gym.wrappers.parse import ParseAction
from agentic_gym.wrappers.prompt import DEFAULT_PROMPT_CHARS, PromptObservation
from agentic_gym.wrappers.tools import AddTools, Tool


class ChatEnv(gym.Env):
    """An env that speaks chat: observations are message lists, actions are raw LLM replies.

    It owns the standard stack ``env -> NotesMemory -> AddTools -> ParseAction ->
    PromptObservation`` (the memory and tool layers only when asked for) and is a plain
    ``gymnasium.Env``, so ``check_env`` applies to it as it is.

    * ``reset(seed=...)`` returns ``(messages, info)`` with ``info["tools"]``, the OpenAI
      tool schemas of every affordance (the env's and the added ones), ready for
      ``client.chat.completions.create(messages=messages, tools=info["tools"])``.
    * ``step(reply)`` takes the reply as a ``str`` or as an OpenAI-style assistant
      message dict (``{"role": "assistant", "content": ..., "tool_calls": [...]}``) and
      returns the next messages; the reply is read once and ``info["command"]`` is the
      :class:`~agentic_gym.core.Command` carried out (``None`` when the reply held no valid
      action); ``info`` also has ``action_valid``, ``parsed_action`` (the command's text),
      ``parse_error`` and everything the env's info has.
    * ``observation_space`` is :class:`~agentic_gym.core.ChatMessages`; ``action_space``
      is a :class:`~agentic_gym.core.CommandSpace` over :attr:`affordances` (its samples
      are valid replies in every format).
    * ``spec`` has the underlying id and rebuilds the same chat stack
      (``env.spec.make(render_mode=...)``); ``chat_options`` are the options that
      ``agentic_gym.chat(env_id, **chat_options, **make_kwargs)`` takes to rebuild it.
    * ``render()`` is the base env's rendering (``render_mode`` is forwarded to it). With
      ``include_image=True`` the base env renders ``rgb_array`` frames for the prompt, so
      ``rgb_array`` (or ``None``) is the only render mode. ``include_image=None`` (the
      default) attaches the agent's view exactly when the base env's ``obs_mode`` is
      ``"image"`` (the ``-Vision`` grid variants, whose text names no cell); a grid env's
      picture is always its own view (``agent_view_frame()``), never the full map.

    Build it with :func:`chat`.
    """

    metadata: dict[str, Any] = {"render_modes": list(RENDER_MODES), "render_fps": 4}

    def __init__(self, env: str | gym.Env, *, format: str = "auto", on_invalid: str = "feedback",
                 history: int | None = None, notes: bool | int | Mapping[str, Any] = False,
                 tools: Iterable[str | Tool] = (), include_image: bool | None = None, max_invalid: int = 3,
                 invalid_penalty: float = 0.0, system_prompt: str | None = None,
                 max_prompt_chars: int | None = DEFAULT_PROMPT_CHARS, **make_kwargs: Any):
        tools = tuple(tools)
        self.chat_options: dict[str, Any] = {
            "format": format, "on_invalid": on_invalid, "history": history,
            "notes": dict(notes) if isinstance(notes, Mapping) else notes, "tools": tools,
            "include_image": include_image, "max_invalid": max_invalid, "invalid_penalty": invalid_penalty,
            "system_prompt": system_prompt, "max_prompt_chars": max_prompt_chars,
        }
        check_make_kwargs(env, make_kwargs)
        render_mode = make_kwargs.get("render_mode")
        if include_image and render_mode not in (None, "rgb_array"):
            raise ValueError(f"include_image needs render_mode None or 'rgb_array', got {render_mode!r}")
        if isinstance(env, str):
            env_id: str | None = env
            base_kwargs = dict(make_kwargs)
            if include_image:
                base_kwargs["render_mode"] = "rgb_array"
            base = gym.make(env, **base_kwargs)
        else:
            base = env
            env_id = env.spec.id if env.spec is not None else None
            if env.spec is not None:
                make_kwargs = {**env.spec.kwargs, **make_kwargs}
                # A time limit set at make time must survive a rebuild from the spec.
                registered = gym.registry.get(env.spec.id)
                if registered is not None and env.spec.max_episode_steps != registered.max_episode_steps:
                    make_kwargs.setdefault("max_episode_steps", env.spec.max_episode_steps)
            render_mode = base.render_mode
        self.render_mode = render_mode
        self.base_env = base
        # A grid env that names no cell in its text (obs_mode "image") is seen through the image.
        explicit_image = include_image is True
        if include_image is None:
            include_image = getattr(base.unwrapped, "obs_mode", None) == "image"
        stack: gym.Env = base
        if notes:
            options = dict(notes) if isinstance(notes, Mapping) else {}
            if not isinstance(notes, (bool, Mapping)):
                options["capacity"] = int(notes)
            stack = NotesMemory(stack, **options)
        if tools:
            stack = AddTools(stack, tools)
        stack = ParseAction(stack, format=format, on_invalid=on_invalid, max_invalid=max_invalid,
                            invalid_penalty=invalid_penalty)
        self.affordances: tuple[Affordance, ...] = stack.affordances
        # One list, handed out in every info: the tools do not change within an env.
        self._tools = tool_schemas(self.affordances)
        self._stack = PromptObservation(stack, system_prompt=system_prompt, history=history,
                                        max_prompt_chars=max_prompt_chars,
                                        include_image=include_image, format_hint=format)
        self.observation_space = self._stack.observation_space
        self.action_space = CommandSpace(self.affordances, max_length=MAX_REPLY_CHARS)
        base_metadata = base.unwrapped.metadata
        # With images in the prompt the base env renders rgb_array frames, so that is the one mode.
        render_modes = ["rgb_array"] if explicit_image else list(base_metadata.get("render_modes", RENDER_MODES))
        self.metadata = {**type(self).metadata, "render_fps": base_metadata.get("render_fps", 4),
                         "render_modes": render_modes}
        self.spec = None
        if env_id is not None:
            self.spec = EnvSpec(
                id=env_id, entry_point=_chat_entry_point, kwargs={"env": env_id, **self.chat_options, **make_kwargs},
                max_episode_steps=None, order_enforce=False, disable_env_checker=True,
            )

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        messages, info = self._stack.reset(seed=seed, options=options)
        info["tools"] = self._tools
        return messages, info

    def step(self, action: Any) -> tuple[list[dict[str, Any]], SupportsFloat, bool, bool, dict[str, Any]]:
        messages, reward, terminated, truncated, info = self._stack.step(action)
        info["tools"] = self._tools  # as in reset, so a loop can pass tools=info["tools"] every turn
        return messages, reward, terminated, truncated, info

    def render(self) -> Any:
        if self.render_mode is None:
            gym.logger.warn("You are calling render method without specifying any render mode.")
            return None
        return self._stack.render()

    def close(self) -> None:
        self._stack.close()

    def oracle_action(self) -> str:
        """The base env's oracle action as a reply that takes it (the command's text, or its name).

        The oracle's own value is passed on, never read back: a ``Discrete`` index becomes its
        affordance's name, a :class:`~agentic_gym.core.Command` its canonical text, and
        command text is the reply as it is.
        """
        native = self.base_env.unwrapped.oracle_action()  # type: ignore[attr-defined]
        space = self.base_env.action_space
        if isinstance(space, spaces.Discrete):
            base_affordances = tuple(self.base_env.get_wrapper_attr("affordances"))
            return base_affordances[int(native) - int(space.start)].name
        return action_text(native)


def _chat_entry_point(**kwargs: Any) -> ChatEnv:
    """The spec's entry point: ``gym.make(chat_env.spec)`` builds the same chat env again."""
    return ChatEnv(**kwargs)


#: Keywords ``gym.make`` itself takes (besides the env's own constructor arguments).
_MAKE_KEYWORDS = ("render_mode", "max_episode_steps", "autoreset", "apply_api_compatibility",
                  "disable_env_checker")
#: The keywords of :func:`chat` itself.
CHAT_OPTIONS = ("format", "on_invalid", "history", "notes", "tools", "include_image", "max_invalid",
                "invalid_penalty", "system_prompt", "max_prompt_chars")


def check_make_kwargs(env: str | gym.Env, make_kwargs: Mapping[str, Any]) -> None:
    """Refuse a keyword that is neither a chat option, a ``gym.make`` keyword nor an argument of the env.

    Raises ``TypeError`` naming the nearest valid keyword and every valid one, instead of a
    traceback from deep inside ``gym.make`` (or, worse, a typo silently ignored).
    """
    import difflib
    import inspect

    if not make_kwargs:
        return
    spec = gym.spec(env) if isinstance(env, str) else env.spec
    accepted: list[str] = []
    if spec is not None:
        creator: Any = spec.entry_point
        if isinstance(creator, str):
            from gymnasium.envs.registration import load_env_creator

            creator = load_env_creator(creator)
        if not callable(creator):
            return
        try:
            parameters = inspect.signature(creator).parameters.values()
        except (TypeError, ValueError):
            return  # a creator that cannot be inspected takes what it takes
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
            return
        accepted = [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
                    and p.name not in ("self", "render_mode")]
    elif not isinstance(env, str):
        return  # an env without a spec: nothing is rebuilt from these keywords
    for key in make_kwargs:
        if key in accepted or key in _MAKE_KEYWORDS:
            continue
        known = [*CHAT_OPTIONS, *accepted, *_MAKE_KEYWORDS]
        near = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        env_name = spec.id if spec is not None else "the env"
        raise TypeError(
            f"chat() got an unexpected keyword {key!r}{hint}; chat options: {', '.join(CHAT_OPTIONS)}; "
            f"arguments of {env_name}: {', '.join(accepted) or '(none)'}; gym.make: {', '.join(_MAKE_KEYWORDS)}"
        )


def chat(env_or_id: str | gym.Env, *, format: str = "auto", on_invalid: str = "feedback", history: int | None = None,
         notes: bool | int | Mapping[str, Any] = False, tools: Iterable[str | Tool] = (), include_image: bool | None = None,
         max_invalid: int = 3, invalid_penalty: float = 0.0, system_prompt: str | None = None,
         max_prompt_chars: int | None = DEFAULT_PROMPT_CHARS, **make_kwargs: Any) -> ChatEnv:
    """The standard chat stack over an env id (made with ``make_kwargs``) or an env.

    Args:
        env_or_id: a registered id or an env (``gym.make(...)``).
        format: how replies are read: ``auto``, ``json``, ``xml``, ``react``, ``tool_call``, ``text``.
        on_invalid: ``feedback``, ``penalty``, ``raise`` or ``terminate`` (see ``ParseAction``).
        history: turns kept in the prompt (``None``: every turn that fits the budget).
        max_prompt_chars: the prompt's size budget in characters (default about 6k tokens,
            fitting an 8k-token context with the reply); the oldest turns leave first, the
            system prompt and the current observation (with the notes) stay; ``None``: no budget.
        notes: add ``NotesMemory`` (``True``, a capacity, or a dict of its arguments).
        tools: names in ``agentic_gym.wrappers.tools.TOOLS`` or ``Tool`` objects (``AddTools``).
        include_image: attach a picture of what the agent perceives to each observation as a PNG
            (a grid env's own view, else the env's frame); ``None`` (default): exactly when
            the env's ``obs_mode`` is ``"image"``.
        max_invalid: invalid replies in a row before the episode is truncated.
        invalid_penalty: the reward of an invalid reply under ``on_invalid="penalty"`` is its negative.
        system_prompt: replaces the default system prompt.
        make_kwargs: passed to ``gym.make`` (e.g. ``render_mode``, env arguments).
    """
    return ChatEnv(env_or_id, format=format, on_invalid=on_invalid, history=history, notes=notes, tools=tools,
                   include_image=include_image, max_invalid=max_invalid, invalid_penalty=invalid_penalty,
                   system_prompt=system_prompt, max_prompt_chars=max_prompt_chars, **make_kwargs)
