"""PromptObservation: observations as chat messages for an LLM.

Example:
    >>> import gymnasium as gym
    >>> import agentic_gym
    >>> from agentic_gym.wrappers import ParseAction
    >>> env = PromptObservation(ParseAction(gym.make("agentic_gym/GridKeyDoor-6x6-v0")), history=2)
    >>> messages, info = env.reset(seed=0)
    >>> [m["role"] for m in messages]
    ['system', 'user']
    >>> messages, reward, terminated, truncated, info = env.step("Action: left")
    >>> [m["role"] for m in messages]
    ['system', 'user', 'assistant', 'user']
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from typing import Any, SupportsFloat

import gymnasium as gym

from agentic_gym.core import Affordance, ChatMessages, Command, message_text, sanitize
from agentic_gym.formats import as_reply, format_instructions, reply_format
from agentic_gym.recording import png_data_url
from agentic_gym.wrappers.observation import text_limit

#: Characters of an assistant reply kept in the history (replies are untrusted text too).
MAX_ASSISTANT_CHARS = 8000
#: The default prompt size budget in characters: about 6,000 tokens at ~4 characters a
#: token, so prompt and reply fit an 8k-token context.
DEFAULT_PROMPT_CHARS = 24_000


def describe_affordances(affordances: Sequence[Affordance]) -> str:
    """The action list of a system prompt: usage, description and argument constraints."""
    return "\n".join("- " + a.describe() for a in affordances)


def default_system_prompt(affordances: Sequence[Affordance], format: str, env_name: str | None,
                          mission: str | None) -> str:
    """The system prompt: the task, the actions with their arguments and the reply format with an example."""
    where = f'the environment "{env_name}"' if env_name else "an environment"
    lines = [f"You are an agent acting in {where}, one action per turn."]
    if mission:
        mission = mission.strip()
        lines.append(f"Your goal: {mission}" + ("" if mission.endswith((".", "!", "?")) else "."))
    lines += [
        "The user and tool messages come from the environment: they describe what you perceive now "
        "and are never your own words.",
        "",
        "Actions:",
        describe_affordances(affordances),
        "",
        "Reply format: " + format_instructions(format, affordances),
    ]
    return "\n".join(lines)


def _tool_call_ids(reply: Any) -> list[str]:
    """The ids of a reply's tool calls, if every call has one (then each gets a ``tool`` answer)."""
    if not isinstance(reply, Mapping):
        return []
    calls = reply.get("tool_calls")
    if not isinstance(calls, list) or not calls or len(calls) > 64:
        return []
    ids = [c.get("id") if isinstance(c, Mapping) else None for c in calls]
    if not all(isinstance(i, str) and i for i in ids):
        return []
    return [sanitize(str(i), 128) for i in ids]


def _clean_tool_calls(reply: Mapping[str, Any]) -> list[dict[str, Any]]:
    calls = []
    for call in reply["tool_calls"]:
        function = call.get("function") if isinstance(call.get("function"), Mapping) else {}
        name, arguments = function.get("name"), function.get("arguments")
        calls.append({
            "id": sanitize(call["id"], 128),
            "type": "function",
            "function": {
                "name": sanitize(name if isinstance(name, str) else "", 64),
                "arguments": sanitize(arguments if isinstance(arguments, str) else "", MAX_ASSISTANT_CHARS),
            },
        })
    return calls


def _reply_text(reply: Any) -> str:
    """The text of a reply: a message's content (clipped, each part before the join)."""
    if isinstance(reply, str):
        return reply[:MAX_ASSISTANT_CHARS]
    if isinstance(reply, Mapping):
        return message_text(reply.get("content"), MAX_ASSISTANT_CHARS) or ""
    return repr(reply)[:200]


def _has_agent_view(env: gym.Env) -> bool:
    try:
        env.get_wrapper_attr("agent_view_frame")
    except AttributeError:
        return False
    return True


class PromptObservation(gym.Wrapper):
    """Turn each observation into the chat messages an LLM sees next.

    The observation becomes a list of ``{"role", "content"}`` dicts that
    ``tokenizer.apply_chat_template`` and the OpenAI client accept as they are: a system
    prompt (the goal from ``obs["mission"]`` when there is one, the actions with their
    argument schemas, the reply format with one example), then the episode so far, then
    the current observation. Environment text only ever appears in ``user`` and ``tool``
    messages (its role marks it as the environment's), and the agent's replies only in
    ``assistant`` messages, sanitised; a reply given as tool calls is recorded as its
    canonical command text with the calls, and the environment answers each call id with
    a ``tool`` message.

    ``history=k`` keeps the last ``k`` turns (an observation and the reply to it) before
    the current observation; ``None`` keeps every turn that fits. The prompt has a size
    budget, ``max_prompt_chars`` characters of message text (default
    :data:`DEFAULT_PROMPT_CHARS`, about 6k tokens, so prompt and reply fit an 8k-token
    context; ``None``: no budget): the oldest turns leave first, while the system prompt
    and the current observation (which carries the notes of ``NotesMemory``) always stay.
    A reset starts a new history. Each step appends to the history and finds the first
    turn that fits by bisection over running character counts, then slices: no message is
    rebuilt, and with a budget the cost of a step is bounded by the budget, not by the
    length of the episode (``history=None, max_prompt_chars=None`` copies the whole
    episode's list of message references on every step). The returned list is new on
    every call but its message dicts are shared with later calls: copy one before
    changing it.

    ``include_image=True`` adds a picture of what the agent perceives to the current
    observation as a base64 PNG ``image_url`` part: a grid env's own egocentric view
    (``agent_view_frame()``, drawn from ``obs["image"]`` alone, never the full map), or
    for other envs their ``rgb_array`` frame (the env must then render in that mode).

    The wrapped env takes raw replies (a :class:`~agentic_gym.wrappers.ParseAction`
    below this wrapper) and reports ``info["command"]``.
    """

    def __init__(self, env: gym.Env, system_prompt: str | None = None, history: int | None = None,
                 include_image: bool = False, format_hint: str = "auto",
                 max_prompt_chars: int | None = DEFAULT_PROMPT_CHARS):
        super().__init__(env)
        if history is not None and history < 0:
            raise ValueError("history must be None or at least 0")
        if max_prompt_chars is not None and (type(max_prompt_chars) is not int or max_prompt_chars < 1):
            raise ValueError(f"max_prompt_chars must be None or a positive int, got {max_prompt_chars!r}")
        self.max_prompt_chars = max_prompt_chars
        reply_format(format_hint)  # a ValueError for an unknown name
        if include_image and env.render_mode != "rgb_array" and not _has_agent_view(env):
            raise ValueError(f"include_image needs the env to render in 'rgb_array' mode, not {env.render_mode!r}")
        self.system_prompt = system_prompt
        self.history = history
        self.include_image = include_image
        self.format_hint = format_hint
        self.affordances: tuple[Affordance, ...] = tuple(env.get_wrapper_attr("affordances"))
        self.observation_space = ChatMessages(max_length=text_limit(env.observation_space))
        spec = getattr(env, "spec", None)
        self._env_name = spec.id if spec is not None else None
        self._system: dict[str, Any] = {"role": "system", "content": ""}
        self._system_key: str | None = None
        self._flat: list[dict[str, Any]] = []
        self._env_starts: list[int] = []
        self._user_form: dict[int, dict[str, Any]] = {}
        # Running character counts: _chars[i] is the text size of _flat[:i]; _start_chars[j]
        # is _chars[_env_starts[j]] (non-decreasing, so the budget is found by bisection).
        self._chars: list[int] = [0]
        self._start_chars: list[int] = []

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        obs, info = self.env.reset(seed=seed, options=options)
        mission = obs.get("mission") if isinstance(obs, Mapping) else None
        mission = mission if isinstance(mission, str) and mission else None
        if self._system_key != mission or not self._system["content"]:
            content = self.system_prompt if self.system_prompt is not None else default_system_prompt(
                self.affordances, self.format_hint, self._env_name, mission)
            self._system = {"role": "system", "content": content}
            self._system_key = mission
        self._flat = []
        self._chars = [0]
        self._push({"role": "user", "content": obs["text"]})
        self._env_starts = [0]
        self._start_chars = [0]
        self._user_form = {}
        return self._messages(), info

    def step(self, action: Any) -> tuple[list[dict[str, Any]], SupportsFloat, bool, bool, dict[str, Any]]:
        if not self._env_starts:
            raise gym.error.ResetNeeded("Call reset before step.")
        if type(action) is not str:
            action = as_reply(action)
        obs, reward, terminated, truncated, info = self.env.step(action)
        flat, chars = self._flat, self._chars
        if type(action) is str:
            ids: list[str] = []
            content = sanitize(action, MAX_ASSISTANT_CHARS)
            flat.append({"role": "assistant", "content": content})  # what _push does, inlined
            chars.append(chars[-1] + len(content))
        else:
            ids = self._assistant(action, info.get("command"))
        self._env_starts.append(len(flat))
        self._start_chars.append(chars[-1])
        text = obs["text"]
        if not ids:
            flat.append({"role": "user", "content": text})
            chars.append(chars[-1] + len(text))
        else:
            first = len(self._flat)
            self._push({"role": "tool", "tool_call_id": ids[0], "content": text})
            self._user_form[first] = {"role": "user", "content": text}
            for other in ids[1:]:
                self._push({"role": "tool", "tool_call_id": other,
                                   "content": "Not run: call one tool per turn."})
        return self._messages(), reward, terminated, truncated, info

    def _assistant(self, action: Any, command: Any) -> list[str]:
        """Record a non-text reply; returns the ids of its tool calls (each gets a ``tool`` answer).

        A tool-call turn keeps the model's own words when it wrote any (a trainer learns
        from them); a bare call is recorded with the canonical text of the command it was
        read as (``info["command"]``), so no assistant turn is empty.
        """
        ids = _tool_call_ids(action)
        if ids:
            own = _reply_text(action)
            shown = own if own.strip() or type(command) is not Command else str(command)
            assistant = {"role": "assistant", "content": sanitize(shown, MAX_ASSISTANT_CHARS),
                         "tool_calls": _clean_tool_calls(action)}
        else:
            assistant = {"role": "assistant", "content": sanitize(_reply_text(action), MAX_ASSISTANT_CHARS)}
        self._push(assistant)
        return ids

    def _view_frame(self) -> Any:
        """The picture of what the agent perceives now: a grid env's own egocentric view
        (``agent_view_frame``, never the full map), else the env's frame (a text env draws
        its transcript, which holds only what the agent was shown)."""
        try:
            agent_view = self.env.get_wrapper_attr("agent_view_frame")
        except AttributeError:
            return self.env.render()
        return agent_view()

    def _push(self, message: dict[str, Any]) -> None:
        """Append one message to the history and count its characters."""
        size = len(message["content"])
        for call in message.get("tool_calls") or ():
            function = call.get("function") or {}
            size += len(str(function.get("name", ""))) + len(str(function.get("arguments", "")))
        self._flat.append(message)
        self._chars.append(self._chars[-1] + size)

    def _messages(self) -> list[dict[str, Any]]:
        starts = self._env_starts
        first = 0 if self.history is None or len(starts) <= self.history else len(starts) - 1 - self.history
        if self.max_prompt_chars is not None:
            # The first turn whose messages, with the system prompt, fit the budget; the
            # current observation's turn stays whatever its size.
            room = self.max_prompt_chars - len(self._system["content"])
            fits = bisect.bisect_left(self._start_chars, self._chars[-1] - room)
            first = min(max(first, fits), len(starts) - 1)
        start = starts[first]
        window = self._flat[start:]
        if window[0]["role"] == "tool":
            # Its tool call fell out of the window: a tool message may not come first, and the
            # answers to the other calls of that turn ("not run") have nothing to answer.
            window[0] = self._user_form[start]
            while len(window) > 1 and window[1]["role"] == "tool":
                del window[1]
        messages = [self._system, *window]
        if self.include_image:
            image = {"type": "image_url", "image_url": {"url": png_data_url(self._view_frame())}}
            current = messages[-1]
            if current["role"] == "user":
                messages[-1] = {"role": "user", "content": [{"type": "text", "text": current["content"]}, image]}
            else:
                messages.append({"role": "user", "content": [{"type": "text", "text": "Current view:"}, image]})
        return messages
