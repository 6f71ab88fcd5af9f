"""The ``react`` format: a line ``Action: go north``, or ``Action: go`` then ``Action Input: ...``.

The marker may carry Markdown decoration (``**Action:**``, ``> Action:``). The last marker
is read; a reply whose earlier ``Action:`` lines name other commands is a plan of several
actions (often with made-up observations between them) and is refused, while an earlier line
that repeats the same command or names no command (prose) does not count.
``Action Input`` on one of the next non-empty lines holds the arguments as a JSON object or,
for an affordance with one value parameter, a bare value.
"""

from __future__ import annotations

import re

from agentic_gym.core import Command, InvalidAction, Reason, find_affordance, parse_command
from agentic_gym.core.command import command_of
from agentic_gym.formats.base import (
    LINE_DECORATION,
    Reply,
    ReplyFormat,
    Vocabulary,
    casings,
    command_text,
    forgiven_command,
    lower,
    safe_text,
)
from agentic_gym.formats.json_format import command_from_call, object_end

#: Colons read from the end in search of an ``Action:`` marker before one pass over the lower-cased reply.
MAX_COLON_PROBES = 8

_REACT_INPUT = re.compile(r"[ \t>#*-]*action[ \t_]*input\**:", re.IGNORECASE | re.ASCII)


_ACTION = casings("action")
# The first characters of a line that can hold a marker: decoration, or the "a" of "action".
_MARKER_LINE_STARTS = frozenset(" \t>#*-aA")
# "\naction" in every casing: a marker with nothing before it on its line, told at once.
_ACTION_COLON = frozenset("\n" + spelling for spelling in _ACTION)


def _line_start_ok(text: str, index: int) -> bool:
    """True if only a little decoration (spaces, ``>``, ``#``, ``*``, ``-``) precedes ``index`` on its line.

    The walk back is capped, so checking every occurrence of a word stays linear overall.
    """
    pos = index - 1
    while pos >= 0 and index - pos <= 16:
        char = text[pos]
        if char == "\n":
            return True
        if char not in " \t>#*-":
            return False
        pos -= 1
    return pos < 0


def _is_marker(text: str, colon: int) -> bool:
    """Whether the colon at ``colon`` ends an ``Action:`` marker (``action``, any stars, at a line start)."""
    index = colon
    while index > 0 and text[index - 1] == "*":  # each run of stars precedes one colon: linear
        index -= 1
    if index >= 6 and text[index - 6:index] in _ACTION:
        index -= 6
        return index == 0 or text[index - 1] == "\n" or _line_start_ok(text, index)
    return False


def _marker_lowered(text: str, end: int, before: int) -> int:
    """The colon of the last marker whose ``action`` starts before ``before`` and colon before ``end``, or -1.

    One pass over the lower-cased text: for replies with many colons (JSON, hostile text).
    """
    lowered = lower(text[:end])
    index = before
    while True:
        index = lowered.rfind("action", 0, index)
        if index < 0:
            return -1
        after = index + 6
        while after < len(lowered) and lowered[after] == "*":
            after += 1
        if after < len(lowered) and lowered[after] == ":" and _line_start_ok(lowered, index):
            return after


def action_marker(text: str, end: int | None = None) -> int:
    """Index of the colon of the last ``Action:`` marker (``action``, any stars, ``:`` at a line start), or -1.

    Every marker ends in a colon, so the last few colons are read first (a typical reply
    ends with its marker); a reply with more colons than that (JSON, hostile text) is
    lower-cased once and searched for ``action`` instead. Both find the same marker.
    """
    end = len(text) if end is None else end
    probes = MAX_COLON_PROBES
    colon = text.rfind(":", 0, end)
    while colon >= 0:
        # One character turns most colons (JSON's, after a quote) away: a marker's colon
        # follows the "n" of "action" or a star.
        if text[colon - 1] in "nN*" and _is_marker(text, colon):
            return colon
        probes -= 1
        if not probes:
            return _marker_lowered(text, end, colon)  # no marker ends at or after `colon`
        colon = text.rfind(":", 0, colon)
    return -1


def action_markers(text: str) -> tuple[int, int]:
    """The colons of the last ``Action:`` marker and of the marker before it (-1 for none).

    ``(action_marker(text), action_marker(text, <that colon>))`` in one walk over the last
    colons of a typical reply. The marker before is on an earlier line: a marker starts its
    line, and the decoration before it holds no colon.
    """
    probes = MAX_COLON_PROBES
    last = -1
    colon = text.rfind(":")
    if colon > 0 and text[colon - 1] not in "nN*":
        # The last colon is no marker's (a JSON object or prose ends the reply). A marker
        # starts its line, so a line that starts with neither decoration nor "a" holds none:
        # its other colons are skipped at once.
        start = text.rfind("\n", 0, colon) + 1
        if text[start] not in _MARKER_LINE_STARTS:
            colon = text.rfind(":", 0, start)
    while colon >= 0:
        # One character turns most colons (JSON's, after a quote) away; a marker alone at
        # the start of its line is told by one look-up.
        if text[colon - 1] in "nN*" and (text[colon - 7:colon] in _ACTION_COLON or _is_marker(text, colon)):
            if last >= 0:
                return last, colon
            last = colon
        else:
            probes -= 1
            if not probes:
                break
        colon = text.rfind(":", 0, colon)
    else:
        return last, -1
    # No marker ends between `colon` and `last` (or the end): search before `colon`.
    found = _marker_lowered(text, len(text) if last < 0 else last, colon)
    if last >= 0 or found < 0:
        return (last, found) if last >= 0 else (-1, -1)
    return found, action_marker(text, found)


#: Earlier ``Action:`` lines read before a reply is taken as naming one action (bounds the work).
MAX_EARLIER_MARKERS = 16


def _refuse_several(text: str, earlier: int, command: Command, vocab: Vocabulary) -> None:
    """Refuse ``text`` if an ``Action:`` line before the last one names another command.

    ``earlier`` is the colon of the marker on the last line before the last marker's (-1 if
    none). At most :data:`MAX_EARLIER_MARKERS` earlier markers are read, each search linear,
    so the check stays linear. A line naming no valid command, or ``command`` again, does
    not count.
    """
    others: list[Command] = []
    for _ in range(MAX_EARLIER_MARKERS):
        if earlier < 0:
            break
        line_end = text.find("\n", earlier)  # there is one: a later marker's line follows
        line = text[earlier + 1:line_end].strip(LINE_DECORATION)
        end = text.rfind("\n", 0, earlier) + 1
        earlier = action_marker(text, end) if end > 0 else -1
        if not line or len(line) > 200:
            continue
        try:
            other = command_text(line, vocab)
        except InvalidAction:
            continue
        if other != command and other not in others:
            others.append(other)
    if others:
        shown = ", ".join(str(c) for c in [*reversed(others), command])
        raise InvalidAction(f"One action per turn; your reply's Action lines name {len(others) + 1} ({shown}). "
                            f"Reply with the one action to take now, e.g. Action: {command}.",
                            reason=Reason.SEVERAL_ACTIONS)


class ReactFormat(ReplyFormat):
    """The last ``Action:`` line, with its ``Action Input`` if one follows."""

    name = "react"
    marker = ":"

    def read(self, reply: Reply, vocab: Vocabulary) -> Command | None:
        text = reply.text
        after, earlier = action_markers(text)  # (-1, -1) for text without a colon
        if after < 0:
            return None
        line_end = text.find("\n", after)
        if line_end < 0:  # the marker's line ends the reply (the usual case): nothing follows it
            action = text[after + 1:].strip(LINE_DECORATION)
            marker = None
        else:
            action = text[after + 1:line_end].strip(LINE_DECORATION)
            if not action:
                # "Action:" alone on its line: the command is the next non-empty line, if any.
                pos = line_end + 1
                while pos < len(text) and not action:
                    line_end = text.find("\n", pos)
                    line_end = len(text) if line_end < 0 else line_end
                    action = text[pos:line_end].strip(LINE_DECORATION)
                    pos = line_end + 1
            # An "Action Input:" on one of the next non-empty lines carries the arguments.
            pos = line_end + 1
            while pos < len(text):
                next_end = text.find("\n", pos)
                next_end = len(text) if next_end < 0 else next_end
                if text[pos:next_end].strip():
                    break
                pos = next_end + 1
            marker = _REACT_INPUT.match(text, pos) if pos < len(text) else None
        if not action:
            raise InvalidAction(f"The Action line is empty. Write e.g. {self.render(vocab.example)}. "
                                f"Valid commands: {vocab.usage}.", reason=Reason.EMPTY)
        if marker is None:
            try:  # command_text, without its call
                command = parse_command(action, vocab.affordances)
            except InvalidAction as error:
                command = forgiven_command(action, vocab, error)
            if earlier >= 0:
                _refuse_several(text, earlier, command, vocab)
            return command
        aff = find_affordance(action, vocab.affordances)
        rest = text[marker.end():].lstrip()
        if rest.startswith("{"):
            end = object_end(rest, 0)
            blob = rest if end < 0 else rest[:end]  # not closed or too deep: decode_object says which
            return command_from_call(aff.name, blob, vocab.affordances)
        value_end = rest.find("\n")
        value = (rest if value_end < 0 else rest[:value_end]).strip(LINE_DECORATION)
        key = aff.value_parameter
        if key is None:
            raise InvalidAction(f'{aff.name}: write the Action Input as a JSON object, e.g. {{"key": "value"}}. '
                                f"Usage: {aff.usage()}", affordance=aff.name, reason=Reason.UNREADABLE)
        command = command_of(aff, {key: value})
        if earlier >= 0:
            _refuse_several(text, earlier, command, vocab)
        return command

    def missing(self, vocab: Vocabulary) -> InvalidAction:
        return InvalidAction(f"No 'Action:' line found. Write e.g. {self.render(vocab.example)}. "
                             f"Valid commands: {vocab.usage}.", reason=Reason.NO_ACTION)

    def render(self, command: Command) -> str:
        return f"Thought: I choose my next step.\nAction: {safe_text(command)}"

    def instructions(self, example: Command) -> str:
        return f"Think step by step, then end your reply with one line 'Action: <command>', e.g. Action: {example}"


REACT = ReactFormat()
