"""``agentic_gym.chat_multi()``: a PettingZoo env played seat by seat through chat messages.

Each seat (agent) has its own system prompt, history, tools and reply parser. The
loop is PettingZoo's AEC loop, with message lists for observations and raw LLM
replies (a ``str`` or an assistant message dict with ``tool_calls``) for actions::

    env = agentic_gym.chat_multi("Negotiation-2p-v0")
    env.reset(seed=0)
    for agent in env.agent_iter():
        messages, reward, terminated, truncated, info = env.last()
        reply = None if terminated or truncated else llm[agent](messages, tools=info["tools"])
        env.step(reply)

A reply is parsed once, for its seat, into a :class:`~agentic_gym.core.Command`
(:func:`agentic_gym.wrappers.parse_action`); that value is what reaches the env (its
affordance index on a ``Discrete`` seat, the ``Command`` itself on a text seat) and
``info["parsed_action"]`` is its canonical text. A reply that holds no valid action
does not step the env: the same seat is asked again, its next user message says
what was wrong; after ``max_invalid`` such replies in a row the seat's turn is spent
as an invalid action of the env. A tool command (``tools=["calculator"]``) is
answered in the seat's next message without stepping the env either.

Seats whose env has no ``say`` command (CoopKeyDoor speaks through ``say_<word>``)
get a free-text ``say(text)`` command (``free_text=True``): the text is delivered to
the other seats' next messages and the env is stepped with the seat's ``done``
(wait) command.

Example:
    >>> env = chat_multi("Negotiation-2p-v0", history=4)
    >>> env.reset(seed=0)
    >>> messages, reward, terminated, truncated, info = env.last()
    >>> env.agent_selection, messages[0]["role"], info["tools"][0]["function"]["name"]
    ('player_0', 'system', 'propose')
    >>> env.step("Thinking about it.\\nAction: say I want the books.")
    >>> env.agent_selection, env.infos["player_0"]["parsed_action"]
    ('player_1', 'say I want the books.')
    >>> messages, *_ = env.last()
    >>> 'player_0 said: "I want the books."' in messages[-1]["content"]
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from gymnasium import spaces

from agentic_gym.core import (
    Affordance,
    Command,
    InvalidAction,
    action_text,
    message_text,
    params,
    sanitize,
    string_param,
    tool_schemas,
)
from agentic_gym.wrappers import parse_action

#: Characters of a reply kept in a seat's history.
MAX_REPLY_CHARS = 8000
#: Characters of free text one ``say`` delivers.
SAY_LENGTH = 300
FORMATS = ("auto", "json", "xml", "react", "tool_call", "text")

FREE_SAY = Affordance(
    "say", "Say something to the other agents in your own words (it costs your turn; you wait meanwhile).",
    params(text=string_param(f"What to say (at most {SAY_LENGTH} characters).", examples=["The door is red."])),
    kind="move",
)


def format_instructions(format: str, example: Command) -> str:
    """How to reply in ``format``, with one example command."""
    if format == "json":
        return f'Reply with one JSON object naming the action and its arguments, e.g. {{"name": "{example.name}", ' \
               '"arguments": {...}}.'
    if format == "xml":
        return f"Write your action inside an <action> tag, e.g. <action>{example}</action>"
    if format == "tool_call":
        return f"Call exactly one of the provided tools (function calling) per turn, e.g. {example.name}."
    if format == "text":
        return f"Reply with the command only, e.g. {example}"
    return (f"Think if you need to, then end your reply with one line 'Action: <command>', e.g. Action: {example}."
            + (" You may also call a tool (function calling)." if format == "auto" else ""))


@dataclass
class Seat:
    """One seat's language layer: its prompt, history, tools, parser and pending notes."""

    agent: str
    base: tuple[Affordance, ...]
    affordances: tuple[Affordance, ...]
    tools: dict[str, Any]
    format: str
    history: int | None
    system_prompt: str
    turns: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    invalid_in_a_row: int = 0
    info: dict[str, Any] = field(default_factory=dict)


class MultiChatEnv:
    """A PettingZoo AEC env whose seats speak chat (see the module docstring).

    Attributes mirror the AEC API: ``possible_agents``, ``agents``, ``agent_selection``,
    ``terminations``, ``truncations``, ``infos``, ``agent_iter()``, ``last()``,
    ``step(reply)``, ``observe(agent)`` (the seat's message list), ``render()``,
    ``close()``; ``affordances(agent)`` are the seat's commands (the env's, the
    free-text ``say`` and its tools) and ``oracle_action(agent)`` the env oracle's
    action as a reply.
    """

    def __init__(self, env: Any, *, format: str = "auto", history: int | None = None,
                 tools: Iterable[Any] = (), system_prompt: str | Mapping[str, str] | None = None,
                 max_invalid: int = 3, free_text: bool = True, seats: Mapping[str, Mapping[str, Any]] | None = None,
                 name: str | None = None):
        if max_invalid < 1:
            raise ValueError(f"max_invalid must be at least 1, got {max_invalid}")
        self.env = env
        self.name = name or env.unwrapped.metadata.get("name", type(env.unwrapped).__name__)
        self.max_invalid = max_invalid
        self.possible_agents = list(env.possible_agents)
        seats = dict(seats or {})
        unknown = set(seats) - set(self.possible_agents)
        if unknown:
            raise ValueError(f"seats names unknown agents {sorted(unknown)}; agents: {self.possible_agents}")
        self._seats: dict[str, Seat] = {}
        for agent in self.possible_agents:
            options = {"format": format, "history": history, "tools": tools, "system_prompt": system_prompt,
                       "free_text": free_text, **seats.get(agent, {})}
            self._seats[agent] = self._make_seat(agent, **options)

    # ---- seats ------------------------------------------------------------------------

    def _make_seat(self, agent: str, format: str, history: int | None, tools: Iterable[Any],
                   system_prompt: str | Mapping[str, str] | None, free_text: bool) -> Seat:
        if format not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, got {format!r}")
        if history is not None and (isinstance(history, bool) or not isinstance(history, int) or history < 0):
            raise ValueError(f"history must be None or a non-negative integer, got {history!r}")
        base = tuple(self.env.unwrapped.affordances(agent))
        names = {a.name for a in base}
        extra: list[Affordance] = []
        if free_text and "say" not in names and "done" in names:
            extra.append(FREE_SAY)
        tool_table: dict[str, Any] = {}
        for tool in tools:
            if isinstance(tool, str):
                from agentic_gym.wrappers.tools import TOOLS

                if tool not in TOOLS:
                    raise ValueError(f"unknown tool {tool!r}; known: {sorted(TOOLS)}")
                tool = TOOLS[tool]
            if tool.affordance.name in names or tool.affordance.name in tool_table:
                raise ValueError(f"tool {tool.affordance.name!r} clashes with another command")
            tool_table[tool.affordance.name] = tool
            extra.append(tool.affordance)
        affordances = base + tuple(extra)
        if isinstance(system_prompt, Mapping):
            prompt = system_prompt.get(agent)
        else:
            prompt = system_prompt
        if prompt is None:
            prompt = self._default_prompt(agent, affordances, format)
        return Seat(agent, base, affordances, tool_table, format, history, prompt)

    def _default_prompt(self, agent: str, affordances: tuple[Affordance, ...], format: str) -> str:
        others = ", ".join(a for a in self.possible_agents if a != agent)
        bare = [a for a in affordances if not a.required]
        example = Command(bare[0].name if bare else affordances[0].name)
        lines = [
            f'You are {agent}, one of the agents in the multi-agent environment "{self.name}" (the others: {others}). '
            "You act in turn, one action per turn; the others act between your turns.",
            "The user and tool messages come from the environment: they describe what you perceive now "
            "and are never your own words.",
            "",
            "Actions:",
            "\n".join("- " + a.describe() for a in affordances),
            "",
            "Reply format: " + format_instructions(format, example),
        ]
        return "\n".join(lines)

    def affordances(self, agent: str) -> tuple[Affordance, ...]:
        """The seat's commands: the env's, then the free-text ``say`` and the tools it was given."""
        return self._seats[agent].affordances

    # ---- the AEC API ------------------------------------------------------------------

    @property
    def agents(self) -> list[str]:
        return self.env.agents

    @property
    def agent_selection(self) -> str:
        return self.env.agent_selection

    @property
    def terminations(self) -> dict[str, bool]:
        return self.env.terminations

    @property
    def truncations(self) -> dict[str, bool]:
        return self.env.truncations

    @property
    def rewards(self) -> dict[str, float]:
        return self.env.rewards

    @property
    def infos(self) -> dict[str, dict[str, Any]]:
        return {agent: self._info(agent) for agent in self.env.agents}

    def observation_space(self, agent: str) -> spaces.Space:
        from agentic_gym.core import ChatMessages

        return ChatMessages()

    def action_space(self, agent: str) -> spaces.Space:
        from agentic_gym.core import CommandSpace

        return CommandSpace(self._seats[agent].affordances, max_length=MAX_REPLY_CHARS)

    def agent_iter(self, max_iter: int = 2**63) -> Iterator[str]:
        """The seat to reply next, until every agent is done (a seat whose reply did not step
        the env, a feedback or tool turn, comes again)."""
        for _ in range(max_iter):
            if not self.env.agents:
                return
            yield self.env.agent_selection

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        self.env.reset(seed=seed, options=options)
        for seat in self._seats.values():
            seat.turns, seat.notes, seat.invalid_in_a_row = [], [], 0
            seat.info = {"action_valid": True, "parsed_action": None, "parse_error": None}

    def _info(self, agent: str) -> dict[str, Any]:
        seat = self._seats[agent]
        info = dict(self.env.infos.get(agent, {}))
        info.update(seat.info)
        info["tools"] = tool_schemas(seat.affordances)
        return info

    def _user_message(self, agent: str) -> str:
        seat = self._seats[agent]
        observation = self.env.observe(agent)
        parts = list(seat.notes)
        if isinstance(observation, Mapping):
            parts.append(str(observation.get("text", "")))
        else:
            parts.append(str(observation))
        return sanitize("\n".join(p for p in parts if p))

    def observe(self, agent: str) -> list[dict[str, Any]]:
        """The seat's messages: its system prompt (with its mission), kept turns, and what it perceives now."""
        seat = self._seats[agent]
        system = seat.system_prompt
        observation = self.env.observe(agent)
        mission = observation.get("mission") if isinstance(observation, Mapping) else None
        if mission:
            system = f"{system}\n\nYour goal: {mission}"
        messages: list[dict[str, Any]] = [{"role": "system", "content": system}]
        for user, assistant in seat.turns:
            messages.append({"role": "user", "content": user})
            messages.append({"role": "assistant", "content": assistant})
        messages.append({"role": "user", "content": self._user_message(agent)})
        return messages

    def last(self, observe: bool = True) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        agent = self.env.agent_selection
        _, reward, terminated, truncated, _ = self.env.last(observe=False)
        return (self.observe(agent) if observe else None), reward, terminated, truncated, self._info(agent)

    def step(self, reply: Any) -> None:
        """Parse ``reply`` once for the selected seat and act on the value (see the module docstring)."""
        agent = self.env.agent_selection
        if self.env.terminations[agent] or self.env.truncations[agent]:
            self.env.step(None)
            return
        seat = self._seats[agent]
        shown = self._reply_text(reply)
        user = self._user_message(agent)
        try:
            command = parse_action(reply, seat.affordances, seat.format)
        except InvalidAction as error:
            seat.invalid_in_a_row += 1
            seat.info = {"action_valid": False, "parsed_action": None, "parse_error": sanitize(str(error), 500)}
            self._record(seat, user, shown)
            if seat.invalid_in_a_row >= self.max_invalid:
                seat.notes = [f"Your reply had no valid action {self.max_invalid} times in a row: your turn was lost."]
                seat.invalid_in_a_row = 0
                self.env.step(None)
            else:
                seat.notes = [f"Your last reply had no valid action: {sanitize(str(error), 500)}"]
            return
        seat.invalid_in_a_row = 0
        seat.info = {"action_valid": True, "parsed_action": str(command), "parse_error": None}
        self._record(seat, user, shown)
        seat.notes = []
        tool = seat.tools.get(command.name)
        if tool is not None:
            try:
                result = tool.run(command.args)
            except InvalidAction as error:
                result = f"error: {error}"
            seat.notes = [sanitize(f"{command} -> {result}", 2000)]
            return
        if command.name == FREE_SAY.name and all(a.name != FREE_SAY.name for a in seat.base):
            text = sanitize(command.args["text"], SAY_LENGTH).replace("\n", " ")
            for other, other_seat in self._seats.items():
                if other != agent:
                    other_seat.notes.append(f'{agent} said: "{text}"')
            seat.notes = [f'You said: "{text}"']
            command = Command("done")
        self.env.step(self._native(seat, command))

    def _native(self, seat: Seat, command: Command) -> Any:
        space = self.env.action_space(seat.agent)
        if isinstance(space, spaces.Discrete):
            names = [a.name for a in seat.base]
            return int(space.start) + names.index(command.name)
        return command

    @staticmethod
    def _reply_text(reply: Any) -> str:
        if isinstance(reply, str):
            return sanitize(reply, MAX_REPLY_CHARS)
        if isinstance(reply, Mapping):
            calls = reply.get("tool_calls")
            text = message_text(reply.get("content"), MAX_REPLY_CHARS) or ""
            if calls:
                text = (text + "\n" if text else "") + sanitize(str(calls), 2000)
            return sanitize(text, MAX_REPLY_CHARS)
        return sanitize(repr(reply), 200)

    @staticmethod
    def _record(seat: Seat, user: str, reply: str) -> None:
        seat.turns.append((user, reply))
        if seat.history is not None and len(seat.turns) > seat.history:
            del seat.turns[: len(seat.turns) - seat.history]

    # ---- oracle and rendering ---------------------------------------------------------

    def oracle_action(self, agent: str | None = None) -> str:
        """The env oracle's next action for ``agent`` as canonical command text (a reply that takes it)."""
        agent = agent or self.env.agent_selection
        native = self.env.unwrapped.oracle_action(agent)
        seat = self._seats[agent]
        if isinstance(self.env.action_space(agent), spaces.Discrete):
            return seat.base[int(native)].name
        return action_text(native)

    def render(self) -> Any:
        return self.env.render()

    def close(self) -> None:
        self.env.close()

    @property
    def unwrapped(self) -> Any:
        return self.env.unwrapped


def chat_multi(env_id_or_module: Any, **options: Any) -> MultiChatEnv:
    """A multi-agent env played seat by seat through chat (see :class:`MultiChatEnv`).

    Args:
        env_id_or_module: a variant id (``"Negotiation-3p-v0"``), a module of
            :data:`agentic_gym.MULTI_AGENT_ENVS`, or an AEC env.
        options: the chat options ``format``, ``history``, ``tools``, ``system_prompt``
            (a string, or a dict per agent), ``max_invalid``, ``free_text`` and ``seats``
            (per-agent overrides of those, e.g. ``{"player_1": {"format": "json"}}``);
            every other option goes to the env constructor (``render_mode``, ``max_cycles``...).
    """
    chat_keys = ("format", "history", "tools", "system_prompt", "max_invalid", "free_text", "seats")
    chat_options = {k: options.pop(k) for k in chat_keys if k in options}
    name = None
    if isinstance(env_id_or_module, str):
        from agentic_gym.envs.multi import make

        env = make(env_id_or_module, **options)
        name = env_id_or_module
    elif hasattr(env_id_or_module, "raw_env") and callable(getattr(env_id_or_module, "env", None)):
        env = env_id_or_module.env(**options)
    else:
        if options:
            raise TypeError(f"env arguments {sorted(options)} need an env id or module, not an env")
        env = env_id_or_module
    return MultiChatEnv(env, name=name, **chat_options)
