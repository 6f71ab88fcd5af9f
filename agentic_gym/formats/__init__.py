"""Reply formats: how an LLM writes an action, one object per format, and :func:`parse_action`.

A reply is untrusted text (or an OpenAI-style assistant message). Parsing is total and
linear: every input gives a :class:`~agentic_gym.core.Command` or an
:class:`~agentic_gym.core.InvalidAction` whose message says what to do instead. Nothing is
evaluated; JSON is decoded only after a linear scan has bounded its nesting depth, and every
pattern is free of nested quantifiers.

:data:`REPLY_FORMATS` is the registry: one :class:`~agentic_gym.formats.base.ReplyFormat`
per format, each the single place its format lives (``read``, ``render``,
``instructions``), in the order ``auto`` tries them:

1. ``tool_call`` (:mod:`~agentic_gym.formats.tool_call_format`): a message's ``tool_calls``;
2. ``xml`` (:mod:`~agentic_gym.formats.xml_format`): an ``<action>`` or ``<tool_call>`` tag;
3. ``react`` (:mod:`~agentic_gym.formats.react_format`): an ``Action:`` line;
4. ``json`` (:mod:`~agentic_gym.formats.json_format`): an action-shaped JSON object;
5. ``text`` (:mod:`~agentic_gym.formats.text_format`): the command alone, else a fuzzy match.

The first format whose markers are present decides; if its action is wrong, its error is
reported rather than a guess from a later format. Before any format reads the reply,
:func:`~agentic_gym.formats.reasoning.read_markup` removes the model's reasoning (and notes the
last action tag on the way, for the xml format).

Example:
    >>> from agentic_gym.core import Affordance, params, enum_param
    >>> go = Affordance("go", "Walk.", params(direction=enum_param("Where.", ["north", "south"])))
    >>> affs = (go, Affordance("look", "Look around."))
    >>> str(parse_action("Thought: the exit is north.\\nAction: go north", affs))
    'go north'
    >>> str(parse_action('{"name": "go", "arguments": {"direction": "south"}}', affs))
    'go south'
    >>> str(parse_action("I think I will look around first.", affs))
    'look'
    >>> parse_action("<action>fly</action>", affs)
    Traceback (most recent call last):
    ...
    agentic_gym.core.command.InvalidAction: Unknown command "fly". Valid commands: go <direction>, look.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from agentic_gym.core import Affordance, Command, InvalidAction, Reason, message_text, quote
from agentic_gym.formats.base import (
    MAX_REPLY_CHARS,
    Reply,
    ReplyFormat,
    Vocabulary,
    example_command,
    vocabulary,
)
from agentic_gym.formats.json_format import JSON, MAX_JSON_DEPTH, MAX_JSON_DIGITS
from agentic_gym.formats.react_format import REACT
from agentic_gym.formats.reasoning import read_markup
from agentic_gym.formats.text_format import TEXT
from agentic_gym.formats.tool_call_format import TOOL_CALL
from agentic_gym.formats.xml_format import XML

#: The reply formats, in the order ``auto`` tries them.
REPLY_FORMATS: tuple[ReplyFormat, ...] = (TOOL_CALL, XML, REACT, JSON, TEXT)
# What ``auto`` tries on a reply without tool calls: each format's marker and reader.
_AUTO = tuple((f.marker, f.read) for f in REPLY_FORMATS if f is not TOOL_CALL)
# The affordance tuple parse_action read last and its vocabulary (a non-empty one): the
# usual caller passes the same tuple every step, and one identity test finds it.
_last_vocabulary: tuple[Any, Vocabulary] = (object(), Vocabulary(()))
#: The formats by name.
FORMATS_BY_NAME: dict[str, ReplyFormat] = {f.name: f for f in REPLY_FORMATS}
#: Every name ``format=`` takes: ``auto`` and each format's.
FORMAT_NAMES: tuple[str, ...] = ("auto", *FORMATS_BY_NAME)

__all__ = [
    "FORMATS_BY_NAME",
    "FORMAT_NAMES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_DIGITS",
    "MAX_REPLY_CHARS",
    "REPLY_FORMATS",
    "Reply",
    "ReplyFormat",
    "Vocabulary",
    "as_reply",
    "example_command",
    "format_instructions",
    "message_text",
    "parse_action",
    "render_action",
    "reply_format",
    "vocabulary",
]


def reply_format(name: str) -> ReplyFormat | None:
    """The format called ``name`` (``None`` for ``auto``), or ``ValueError``."""
    if name == "auto":
        return None
    found = FORMATS_BY_NAME.get(name)
    if found is None:
        raise ValueError(f"format must be one of {FORMAT_NAMES}, got {name!r}")
    return found


def as_reply(output: Any) -> Any:
    """A reply as ``str`` or ``dict``: message objects of OpenAI-style clients become their dict."""
    if type(output) is str or type(output) is dict or isinstance(output, Mapping):
        return output
    dump = getattr(output, "model_dump", None)
    if callable(dump):
        try:
            return dump(exclude_none=True)
        except Exception:  # an object that only looks like a message: parse it as what it is
            return output
    return output


def parse_action(output: Any, affordances: Iterable[Affordance], format: str = "auto", *,
                 commands: Sequence[str] = ()) -> Command:
    """Read one command from an LLM reply (a ``str``, an assistant message dict or message object).

    ``format`` is ``auto`` or a name in :data:`FORMATS_BY_NAME`. ``commands`` (e.g. an env's
    ``info["admissible_commands"]``) are further candidates for the fuzzy match of free
    text: "I'll take the red apple" -> ``take red apple``. Raises
    :class:`~agentic_gym.core.InvalidAction` with a message an LLM can act on when the
    reply holds no valid action. Total and linear in the size of the input.
    """
    global _last_vocabulary
    chosen = None if format == "auto" else reply_format(format)
    last = _last_vocabulary  # one read: a pair that belongs together, whatever other threads do
    if last[0] is affordances:
        vocab = last[1]
    else:
        vocab = vocabulary(affordances)
        if not vocab.affordances:
            raise InvalidAction("There is no action to take.", reason=Reason.REFUSED)
        if type(affordances) is tuple:  # a list could change under the remembered pair
            _last_vocabulary = (affordances, vocab)
    if type(output) is str or isinstance(output, str):
        if len(output) > MAX_REPLY_CHARS:
            raise InvalidAction(f"The reply is {len(output)} characters; the limit is {MAX_REPLY_CHARS}. "
                                f"Reply with one action, e.g. {vocab.example}.", reason=Reason.TOO_LONG)
        text = output if type(output) is str else str(output)
        is_message = False
    else:
        message = _read_message(output, chosen, vocab)
        if not isinstance(message, str):
            return message  # the command of a tool call
        text = message
        is_message = True
    if "<" in text:  # memchr-fast: a reply without "<" has no reasoning tag and no action tag
        kept, tag = read_markup(text)
        if kept is not text and not kept.strip():
            raise InvalidAction("Your reply holds only reasoning (a thinking block, or one left open). End it, "
                                f"then write the action, e.g. {vocab.example}. Valid commands: {vocab.usage}.",
                                reason=Reason.NO_ACTION)
        text = kept
    else:
        tag = None
    reply = Reply(text, None, is_message, commands, chosen is not None, tag)
    if chosen is not None:
        command = chosen.read(reply, vocab)
        if command is None:
            raise chosen.missing(vocab)
        return command
    # A reply without tool calls: the tool_call format would pass it on, so it is not asked;
    # nor is a format whose marker the reply lacks (a memchr-fast test; the text format's
    # marker is "", in every reply).
    for marker, read in _AUTO:
        if marker in text:
            command = read(reply, vocab)
            if command is not None:
                return command
    raise TEXT.missing(vocab)  # the text format always decides; kept for the type checker


def _read_message(output: Any, chosen: ReplyFormat | None, vocab: Vocabulary) -> str | Command:
    """The text of a reply that is not a ``str`` (a message), or the command of its tool call."""
    if type(output) is not dict:
        output = as_reply(output)
    if type(output) is dict or (type(output) is not str and isinstance(output, Mapping)):
        role = output.get("role", "assistant")
        if role != "assistant":
            raise InvalidAction(f"Expected an assistant message, got role {quote(str(role), 20)}.",
                                reason=Reason.WRONG_TYPE)
        tool_calls = output.get("tool_calls")
        if tool_calls:
            if chosen is not None and chosen is not TOOL_CALL:
                raise InvalidAction(f"Expected a {chosen.name} reply in the message text, got a tool call.",
                                    reason=Reason.WRONG_TYPE)
            return TOOL_CALL.read_calls(tool_calls, vocab)
        text = message_text(output.get("content"), MAX_REPLY_CHARS + 1)
        if text is None:
            raise InvalidAction("The message content must be text.", reason=Reason.WRONG_TYPE)
        if len(text) > MAX_REPLY_CHARS:
            raise InvalidAction(f"The reply is longer than {MAX_REPLY_CHARS} characters. "
                                f"Reply with one action, e.g. {vocab.example}.", reason=Reason.TOO_LONG)
        return text
    if not isinstance(output, str):
        raise InvalidAction(f"A reply must be text or an assistant message, got {type(output).__name__}.",
                            reason=Reason.WRONG_TYPE)
    if len(output) > MAX_REPLY_CHARS:
        raise InvalidAction(f"The reply is {len(output)} characters; the limit is {MAX_REPLY_CHARS}. "
                            f"Reply with one action, e.g. {vocab.example}.", reason=Reason.TOO_LONG)
    return str(output)


def render_action(command: Command, format: str = "text") -> str | dict[str, Any]:
    """``command`` written the way a model would write it in ``format`` (``auto`` means ``text``).

    ``parse_action(render_action(c, f), affordances) == c`` for every valid ``c`` and format.

    Example:
        >>> render_action(Command("go", {"direction": "north"}), "xml")
        '<action>go north</action>'
        >>> render_action(Command("go", {"direction": "north"}), "json")
        '{"name": "go", "arguments": {"direction": "north"}}'
    """
    return (reply_format(format) or TEXT).render(command)


def format_instructions(format: str, affordances: Sequence[Affordance]) -> str:
    """How to reply in ``format``, with one example, for a system prompt."""
    example = example_command(affordances)
    chosen = reply_format(format)
    if chosen is not None:
        return chosen.instructions(example)
    return (f"Think if you need to, then end your reply with one line 'Action: <command>', e.g. "
            f"Action: {example}. You may also call a tool (function calling).")
