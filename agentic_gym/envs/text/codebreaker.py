"""Codebreaker: find a hidden code from graded feedback (Mastermind, or Wordle over a word list)."""

from __future__ import annotations

from collections import deque
from typing import Any

from gymnasium import spaces

from agentic_gym.core import (
    Affordance,
    AgenticEnv,
    Command,
    CommandSpace,
    InvalidAction,
    Reason,
    TranscriptRendering,
    action_text,
    params,
    quote,
    sanitize,
    string_param,
    text_space,
)
from agentic_gym.difficulty import reset_difficulty
from agentic_gym.envs.text.codebreaker_logic import (
    WORD_LENGTH,
    CodeGame,
    decode_feedback,
    format_marks,
    index_of,
    parse_code,
    score,
    solver_guess,
    universe,
    word_list,
)
from agentic_gym.envs.text.knobs import MAX_CODES as MAX_CODES  # the bounds, where they were
from agentic_gym.envs.text.knobs import MAX_GUESSES as MAX_GUESSES
from agentic_gym.envs.text.knobs import CodebreakerKnobs

OBS_LENGTH = 2048
ACTION_LENGTH = 256
_EXAMPLES = 6
_TRANSCRIPT_ENTRIES = 32


def example_codes(game: CodeGame) -> list[str]:
    """A few fixed well-formed guesses of ``game`` (the same every episode; no hint of the secret)."""
    if game.words:
        words = word_list()
        return [words[(i * len(words)) // _EXAMPLES] for i in range(_EXAMPLES)]
    codes = []
    for i in range(_EXAMPLES):
        code = tuple((i + p * (i % 3 + 1)) % game.colours for p in range(game.pegs))
        codes.append(game.format(code))
    return codes


class Codebreaker(TranscriptRendering, AgenticEnv):
    """Find a hidden code from graded feedback, improving each guess on the history of the last ones.

    ## Description
    Mastermind: the env hides a code of ``pegs`` coloured pegs over ``colours`` colours
    (repeats allowed); each guess is graded with how many pegs are the right colour in
    the right place and how many are a right colour in the wrong place. The word
    variant hides a five-letter English word from the list shipped with the package
    (``agentic_gym/data/codebreaker_words.txt``) and grades each guess Wordle-style,
    one mark per letter. The observation always shows every guess so far with its
    feedback, so the agent can reason over the whole history (``reasoning``: this is
    deduction inside one episode, not learning across episodes, so it does not claim
    ``self_improve``).

    ## Action Space
    A :class:`~agentic_gym.core.CommandSpace` (any text of at most 256 characters):

    | command | kind | effect |
    |---|---|---|
    | ``guess <code>`` | move | guess the code: colour letters (``RGBY``, ``r g b y``, ``R-G-B-Y``) or colour names (``red green blue yellow``); in the word variant one listed word (``crane``) |

    A guess of the wrong length, with an unknown colour or (word variant) a word not
    in the list is invalid: it uses no guess, only a step of the time limit.

    ## Observation Space
    ``Dict(text=Text(2048, charset=CHARSET), guesses_left=Discrete(max_guesses + 1))``.
    The text names the symbols and the feedback rules, lists every guess so far with
    its feedback, says what happened to the last command and how to guess.

    Feedback: pegs read ``right 2, misplaced 1`` (Mastermind's black and white pegs:
    each secret peg is counted at most once). Words read one mark per letter: ``G``
    right letter in the right place, ``Y`` in the word but elsewhere, ``-`` not in the
    word (a repeated letter is marked ``Y`` only as often as it is unmatched in the
    secret, left to right after the ``G`` marks).

    ## Rewards
    1 for finding the code, 0 otherwise (every step pays 0 until then).

    ## Episode End
    Terminated when the code is found (``info["success"]`` True) or when the guesses
    run out (the secret is then shown; success False). Truncated by the registered
    time limit (``max_episode_steps``, three steps per guess), which invalid guesses
    also count towards.

    ``info`` also holds ``action_valid``, ``admissible_commands`` (six fixed example
    guesses, the same in every episode: there are too many codes to list) and
    ``guesses`` (guesses used).

    ## Arguments
    * ``pegs``: code length, 1..6 (default 4; the word variant uses 5 letters).
    * ``colours``: number of colours, 2..8 (default 6).
    * ``max_guesses``: guesses allowed, 1..100 (default 10).
    * ``colours ** pegs`` (the number of possible codes) is at most 32768, which keeps
      the oracle's decisions under a second.
    * ``words``: hide a word from the shipped list instead of a peg code (default False;
      ``pegs`` and ``colours`` are then ignored).

    A wrong type or value raises ``TypeError``/``ValueError`` naming the argument and its
    range. Reset only draws the secret, so it is fast at every size (the oracle builds its
    tables on its first call).
    * ``render_mode``: ``"human"``, ``"rgb_array"``, ``"ansi"`` or ``None``.

    ## Difficulty
    Knobs (``difficulty_knobs()``, reset ``info["difficulty"]``): ``pegs``, ``colours``,
    ``words``, ``max_guesses``, plus the registered ``max_episode_steps``. Tiers
    ``-Trivial`` to ``-Expert``: 1x3 in 3 guesses, 3x4 in 8, 4x6 in 10, 5x8 in 12, 5x8 in 8.

    ## Registered Configurations
    * ``agentic_gym/Codebreaker-4x6-v0``: 4 pegs, 6 colours, 10 guesses (30 steps).
    * ``agentic_gym/Codebreaker-5x8-v0``: 5 pegs, 8 colours, 12 guesses (36 steps).
    * ``agentic_gym/Codebreaker-words-v0``: a five-letter word, 6 guesses (18 steps).

    The oracle plays Knuth's minimax rule (the guess whose largest class of codes still
    possible after its feedback is smallest, preferring codes that could be the
    secret); it needs at most 5 guesses for 4x6, 8 for 5x8 and 5 for the words.

    ## Prompt Format
    ::

        Codebreaker: find the hidden code of 4 pegs. Colours: R (red), G (green), B (blue),
        Y (yellow), O (orange), P (purple); colours may repeat.
        Feedback: right = right colour in the right place; misplaced = right colour, wrong place.
        Guesses so far (2 of 10 used):
          1. RRGG  right 1, misplaced 1
          2. RBYO  right 0, misplaced 2
        Guess 2: RBYO gives right 0, misplaced 2.
        Reply with: guess <code>, e.g. guess RGBY.

    ## Action Grammar
    ``guess <code>`` | ``guess(code="<code>")``; ``<code>`` is ``pegs`` colour letters or
    names separated by nothing, spaces, commas or dashes (case-insensitive), or one
    listed five-letter word.

    ## Version History
    * v0: initial release.

    Example:
        >>> env = Codebreaker(pegs=4, colours=6, max_guesses=10)
        >>> obs, info = env.reset(seed=0)
        >>> obs, reward, terminated, truncated, info = env.step("guess RGBX")
        >>> info["action_valid"], obs["guesses_left"]
        (False, 10)
        >>> while not terminated:
        ...     obs, reward, terminated, truncated, info = env.step(env.oracle_action())
        >>> reward, info["success"]
        (1.0, True)
    """

    metadata = {"render_modes": ["human", "rgb_array", "ansi"], "render_fps": 2,
                "capabilities": ("reasoning",)}
    _render_attrs = ("_window", "_panel")
    transcript_title = "Codebreaker"

    #: The record type of the typed difficulty knobs (``self.knobs``).
    Knobs = CodebreakerKnobs

    def __init__(self, render_mode: str | None = None, pegs: int = 4, colours: int = 6, max_guesses: int = 10,
                 words: bool = False):
        #: The typed difficulty knobs (the one place their ranges are stated).
        self.knobs = CodebreakerKnobs(pegs=pegs, colours=colours, words=words, max_guesses=max_guesses)
        pegs, colours, words = self.knobs.pegs, self.knobs.colours, self.knobs.words
        max_guesses = self.knobs.max_guesses
        super().__init__(render_mode)
        self.game = CodeGame(pegs=pegs, colours=colours, words=words)
        self._examples = example_codes(self.game)
        self._header = self._describe_rules()
        what = "One listed five-letter word" if words else f"{self.game.pegs} colour letters or names"
        self.affordances = (
            Affordance("guess", "Guess the hidden code; the feedback grades it.",
                       params(code=string_param(f"{what}.", max_length=120, examples=self._examples)),
                       kind="move"),
        )
        self.action_space = CommandSpace(self.affordances, max_length=ACTION_LENGTH)
        self.observation_space = spaces.Dict(
            {"text": text_space(OBS_LENGTH), "guesses_left": spaces.Discrete(max_guesses + 1)}
        )
        self._secret: tuple[int, ...] = ()
        self._history: list[tuple[tuple[int, ...], int]] = []
        self._lines: list[str] = []  # the history as shown, one line per guess (built once per guess)
        self._solved = False
        self._over = False
        self._message = ""
        self._transcript: deque[tuple[str, str]] = deque(maxlen=_TRANSCRIPT_ENTRIES)

    # ---- text --------------------------------------------------------------------------

    def _feedback_text(self, value: int) -> str:
        feedback = decode_feedback(value, self.game)
        if self.game.words:
            return format_marks(feedback)
        return f"right {feedback[0]}, misplaced {feedback[1]}"

    def _describe_rules(self) -> str:
        if self.game.words:
            return (f"Codebreaker: find the hidden {WORD_LENGTH}-letter English word; guesses must be words "
                    f"from the list of {len(word_list())}.\n"
                    "Feedback per letter: G = right letter in the right place; Y = in the word but elsewhere; "
                    "- = not in the word.")
        return (f"Codebreaker: find the hidden code of {self.game.pegs} pegs. Colours: "
                f"{self.game.describe_symbols()}; colours may repeat.\n"
                "Feedback: right = right colour in the right place; misplaced = right colour, wrong place.")

    def _view(self) -> str:
        lines = [self._header]
        if self._history:
            lines.append(f"Guesses so far ({len(self._history)} of {self.max_guesses} used):")
            lines.extend(self._lines)
        else:
            lines.append(f"No guesses yet ({self.max_guesses} allowed).")
        if self._message:
            lines.append(self._message)
        if not self._over:
            lines.append(f"Reply with: guess <code>, e.g. guess {self._examples[0]}.")
        return "\n".join(lines)

    def _observe(self, valid: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        # The view is the env's own text (the agent's words reach it only through quote() or
        # the sanitised error message below), so it is only clipped.
        text = self._view()[:OBS_LENGTH]
        self._transcript.append(("env", text))
        observation = {"text": text, "guesses_left": self.max_guesses - len(self._history)}
        info = {
            "success": self._solved,
            "action_valid": valid,
            "admissible_commands": [] if self._over else [f"guess {code}" for code in self._examples],
            "guesses": len(self._history),
        }
        return observation, info

    # ---- gymnasium API -------------------------------------------------------------------

    @property
    def max_guesses(self) -> int:
        """The ``max_guesses`` knob (``self.knobs.max_guesses``)."""
        return self.knobs.max_guesses

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        codes = universe(self.game)
        self._secret = tuple(int(x) for x in codes[int(self.np_random.integers(len(codes)))])
        self._history = []
        self._lines = []
        self._solved = False
        self._over = False  # solved, or no guesses left
        self._message = ""
        self._transcript.clear()
        observation, info = self._observe(True)
        info["difficulty"] = reset_difficulty(self)
        return observation, info

    def step(self, action: str | Command):
        if not self._secret:
            raise RuntimeError("call reset() before step()")
        self._transcript.append(("agent", sanitize(action_text(action), 200)))
        reward = 0.0
        valid = True
        command: Command | None = None
        try:
            command = self.read_command(action, max_length=ACTION_LENGTH)
            if self._over:
                raise InvalidAction("The game is over; call reset() for a new code.", affordance=command.name,
                                    reason=Reason.REFUSED)
            try:
                code = parse_code(command.args["code"], self.game)
            except ValueError as error:
                raise InvalidAction(f"{quote(command.args['code'])} is not a valid guess: {error}. "
                                    "It did not use a guess.", affordance=command.name, argument="code",
                                    reason=Reason.BAD_VALUE) from None
            value = score(code, self._secret, self.game)
            self._history.append((code, value))
            number = len(self._history)
            shown, feedback = self.game.format(code), self._feedback_text(value)
            self._lines.append(f"  {number}. {shown}  {feedback}")
            self._message = f"Guess {number}: {shown} gives {feedback}."
            if code == self._secret:
                self._solved = True
                reward = 1.0
                self._message += f" Solved in {number} guess{'es' if number != 1 else ''}!"
            elif number >= self.max_guesses:
                self._message += f" No guesses left: the code was {self.game.format(self._secret)}."
            self._over = self._solved or number >= self.max_guesses
        except InvalidAction as error:
            valid = False
            self._message = sanitize(f"Invalid command: {error}", OBS_LENGTH)
        observation, info = self._observe(valid)
        info["command"] = command
        return observation, reward, self._over, False, info

    # ---- oracle and rendering ------------------------------------------------------------

    def oracle_action(self) -> str:
        """The minimax solver's next guess, from the history of guesses and feedback alone."""
        if not self._secret:
            raise RuntimeError("call reset() before oracle_action()")
        history = tuple((index_of(self.game, code), value) for code, value in self._history)
        choice = solver_guess(self.game, history)
        code = tuple(int(x) for x in universe(self.game)[choice])
        return f"guess {self.game.format(code)}"

    def transcript_entries(self) -> list[tuple[str, str]]:
        return list(self._transcript)
