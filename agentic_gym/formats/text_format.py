"""The ``text`` format: the command itself, else a fuzzy match of free text to one command.

The canonical command is looked for as the whole reply, its last line or its last inline
code span; then free text is matched against the commands that can be listed
(argument-free ones, enum values, and the env's ``info["admissible_commands"]`` when the
reply comes with them): "I'll go north now" -> ``go north``, only when exactly one command
matches (articles are ignored; a bare enum value counts only in a reply of a few words).
"""

from __future__ import annotations

from collections.abc import Sequence

from agentic_gym.core import Command, InvalidAction, Reason
from agentic_gym.core.command import MAX_COMMAND_CHARS
from agentic_gym.formats.base import (
    LINE_DECORATION,
    MAX_FUZZY_CHARS,
    WORD,
    Reply,
    ReplyFormat,
    Vocabulary,
    command_text,
    lower,
    safe_text,
)

#: Replies of at most this many words may name just an enum value ("north" -> ``go north``).
SHORT_REPLY_WORDS = 6
#: Most listed commands (e.g. ``info["admissible_commands"]``) the fuzzy match reads.
MAX_CANDIDATES = 256

_ARTICLES = frozenset({"the", "a", "an"})


def _phrase(text: str) -> str:
    """`` word word `` without articles: the form the fuzzy match compares."""
    return " " + " ".join(w for w in WORD.findall(lower(text)) if w not in _ARTICLES) + " "


def fuzzy_command(lowered: str, vocab: Vocabulary, listed: Sequence[str] = ()) -> Command:
    """The one command that lower-cased free text names, else :class:`~agentic_gym.core.InvalidAction`."""
    words = [w for w in WORD.findall(lowered) if w not in _ARTICLES]
    joined = " " + " ".join(words) + " "
    matches = [(phrase, command) for phrase, command in vocab.phrases if phrase in joined]
    for text in listed[:MAX_CANDIDATES]:
        if isinstance(text, str) and len(text) <= 200:
            phrase = _phrase(text)
            if phrase.strip() and phrase in joined:
                try:
                    matches.append((phrase, vocab.command(text)))
                except InvalidAction:
                    continue
    # Keep the longest reading: "go north" beats a bare "go" inside it.
    matches = [(p, c) for p, c in matches if not any(p != q and p in q for q, _ in matches)]
    # A command mentioned only after a negation is not chosen ("I should not answer 42 yet").
    negated = [c for p, c in matches if _negated(p, joined)]
    if negated:
        matches = [(p, c) for p, c in matches if c not in negated]
        if not matches:
            raise InvalidAction(f"Your reply mentions {negated[0]} but does not commit to it. Reply with the "
                                f"one action to take, alone or after 'Action:', e.g. {vocab.example}.",
                                reason=Reason.NO_ACTION)
    if not matches and len(words) <= SHORT_REPLY_WORDS:
        matches = [(p, c) for p, c in vocab.values if p in joined]
    commands = list(dict.fromkeys(str(c) for _, c in matches))
    if len(commands) == 1:
        return matches[0][1]
    if len(commands) > 1:
        shown = ", ".join(commands[:5])
        raise InvalidAction(f"Your reply names several actions ({shown}); reply with exactly one, "
                            f"e.g. {commands[0]}.", reason=Reason.SEVERAL_ACTIONS)
    raise InvalidAction(f"No action found in your reply. Reply with one action, e.g. {vocab.example}. "
                        f"Valid commands: {vocab.usage}.", reason=Reason.NO_ACTION)


#: Words that, just before a command phrase, turn a mention into the opposite of a commitment.
NEGATIONS = frozenset({"not", "never", "no", "nor", "t", "cannot", "avoid", "instead", "without"})
#: Words before a phrase that the negation check looks at.
NEGATION_WINDOW = 3


def _refuse_a_plan(stripped: str, vocab: Vocabulary) -> None:
    """Refuse a reply whose last line is a command when other lines are commands alone too.

    ``turn right\ngo forward\npick up`` is a plan of several actions, not one: executing
    its last line would be a guess.
    """
    named = 1
    end = stripped.rfind("\n")  # the last line is the command being read
    pos = 0
    while pos < end:
        stop = stripped.find("\n", pos, end)
        if stop < 0:
            stop = end
        # A command alone is short: longer lines (reasoning) are skipped without being copied.
        if stop - pos <= 200:
            line = stripped[pos:stop].strip(LINE_DECORATION)
            if line and vocab.starts_command(line):
                try:
                    command_text(line, vocab)
                except InvalidAction:
                    pass
                else:
                    named += 1
        pos = stop + 1
    if named > 1:
        raise InvalidAction(f"One action per turn; your reply names {named} on lines of their own. "
                            f"Reply with the one action to take now, e.g. {vocab.example}.",
                            reason=Reason.SEVERAL_ACTIONS)


def _negated(phrase: str, joined: str) -> bool:
    """Whether every mention of ``phrase`` in ``joined`` follows a negation ("I should not go north")."""
    start = joined.find(phrase)
    while start >= 0:
        # A bounded look back keeps this linear however often the phrase occurs.
        before = joined[max(0, start - 120):start].split()[-NEGATION_WINDOW:]
        if not any(word in NEGATIONS for word in before):
            return False
        start = joined.find(phrase, start + 1)
    return True


class TextFormat(ReplyFormat):
    """The command alone (whole reply, last line, last code span), else one fuzzy match; always decides."""

    name = "text"

    def read(self, reply: Reply, vocab: Vocabulary) -> Command:
        """A candidate that starts with a command name but does not parse ("go north quickly")
        leaves the decision to the fuzzy match; if that finds nothing, the candidate's own
        error is reported, being the most specific."""
        stripped = reply.text.strip()
        if not stripped:
            raise InvalidAction(f"Empty reply. Reply with one action, e.g. {vocab.example}. "
                                f"Valid commands: {vocab.usage}.", reason=Reason.EMPTY)
        first_error: InvalidAction | None = None
        # The candidates in order: the whole reply, its last line, its last inline code span.
        if len(stripped) <= MAX_COMMAND_CHARS and vocab.leading_command(stripped):
            try:
                return command_text(stripped, vocab)
            except InvalidAction as error:
                first_error = error
        last_line = stripped[stripped.rfind("\n") + 1:].strip(LINE_DECORATION)
        if (last_line != stripped and last_line and len(last_line) <= MAX_COMMAND_CHARS
                and vocab.leading_command(last_line)):
            try:
                command = command_text(last_line, vocab)
            except InvalidAction as error:
                first_error = first_error or error
            else:
                _refuse_a_plan(stripped, vocab)
                return command
        close = stripped.rfind("`")
        if close > 0:
            opening = stripped.rfind("`", 0, close)
            if opening >= 0:
                span = stripped[opening + 1:close].strip()
                if span and len(span) <= MAX_COMMAND_CHARS and vocab.leading_command(span):
                    try:
                        return command_text(span, vocab)
                    except InvalidAction as error:
                        first_error = first_error or error
        try:
            return fuzzy_command(lower(stripped[-MAX_FUZZY_CHARS:]), vocab, reply.listed)
        except InvalidAction:
            if first_error is not None:
                raise first_error from None
            raise

    def render(self, command: Command) -> str:
        return safe_text(command)

    def instructions(self, example: Command) -> str:
        return f"Reply with the command only, e.g. {self.render(example)}"


TEXT = TextFormat()
