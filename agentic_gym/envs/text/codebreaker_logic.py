"""Codebreaker rules: codes, graded feedback and a minimax solver (no gymnasium, no pygame).

A *game* (:class:`CodeGame`) is either a Mastermind-style peg code (``pegs``
positions over ``colours`` colours, repeats allowed) or a hidden five-letter word
from the word list shipped in ``agentic_gym/data``. Codes are tuples of symbol
indices; the *universe* of a game is the array of every possible secret, in a fixed
order, so an index into it names a code.

Feedback for pegs is ``(right place, right colour but wrong place)`` (Mastermind's
black and white pegs). Feedback for words is Wordle's, one mark per letter:
``G`` right letter in the right place, ``Y`` letter in the word elsewhere, ``-``
letter not (or not again) in the word; repeated letters are marked left to right
after the greens, so a letter is marked ``Y`` at most as often as it is unmatched
in the secret.

Example:
    >>> game = CodeGame(pegs=4, colours=6)
    >>> game.format(parse_code("r g b y", game))
    'RGBY'
    >>> score_pegs((0, 0, 1, 1), (0, 1, 1, 2))
    (2, 1)
    >>> words = CodeGame(words=True)
    >>> format_marks(score_word(words.encode("crane"), words.encode("cabin")))
    'G-YY-'
"""

from __future__ import annotations

import functools
import importlib.resources
import itertools
import re
from dataclasses import dataclass

import numpy as np

#: Peg colours: (letter, name), in the order variants take them.
COLOURS: tuple[tuple[str, str], ...] = (
    ("R", "red"),
    ("G", "green"),
    ("B", "blue"),
    ("Y", "yellow"),
    ("O", "orange"),
    ("P", "purple"),
    ("W", "white"),
    ("K", "black"),
)
WORD_LENGTH = 5
ALPHABET = "abcdefghijklmnopqrstuvwxyz"
#: Wordle marks by feedback digit: 0 absent, 1 elsewhere, 2 right place.
MARKS = "-YG"
MAX_PEGS = 6

# A full feedback table is built when the universe is at most this big (4096^2 bytes = 16 MiB);
# bigger universes (5 pegs of 8 colours: 32768 codes) compute feedback rows on demand.
_FULL_TABLE_LIMIT = 4096
# Most feedback cells the solver scores for one decision when it works without a full table.
_CELL_BUDGET = 2_000_000
_SEPARATORS = re.compile(r"[\s,;/|\-]+")


@functools.cache
def word_list() -> tuple[str, ...]:
    """The shipped five-letter words (hidden words and valid guesses), sorted."""
    text = importlib.resources.files("agentic_gym").joinpath("data/codebreaker_words.txt").read_text("ascii")
    words = {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}
    return tuple(sorted(words))


@dataclass(frozen=True)
class CodeGame:
    """One Codebreaker variant: peg codes (``pegs`` x ``colours``) or words (``words=True``)."""

    pegs: int = 4
    colours: int = 6
    words: bool = False

    def __post_init__(self) -> None:
        if self.words:
            object.__setattr__(self, "pegs", WORD_LENGTH)
            object.__setattr__(self, "colours", len(ALPHABET))
            return
        if not 1 <= self.pegs <= MAX_PEGS:
            raise ValueError(f"pegs must be in 1..{MAX_PEGS}, got {self.pegs}")
        if not 2 <= self.colours <= len(COLOURS):
            raise ValueError(f"colours must be in 2..{len(COLOURS)}, got {self.colours}")

    @property
    def letters(self) -> str:
        """The symbols of a code, in index order (``RGBYOP`` or ``a..z``)."""
        return _letters(self.colours, self.words)

    def encode(self, text: str) -> tuple[int, ...]:
        """Symbol indices of a canonical code text (no checks; see :func:`parse_code`)."""
        letters = self.letters
        return tuple(letters.index(ch) for ch in text)

    def format(self, code: tuple[int, ...]) -> str:
        """The canonical text of a code: ``RGBY`` or ``crane``."""
        letters = self.letters
        return "".join(letters[i] for i in code)

    def describe_symbols(self) -> str:
        """``R (red), G (green), ...`` for prompts."""
        return ", ".join(f"{letter} ({name})" for letter, name in COLOURS[: self.colours])


@functools.cache
def _letters(colours: int, words: bool) -> str:
    return ALPHABET if words else "".join(letter for letter, _ in COLOURS[:colours])


@functools.cache
def _symbols(colours: int) -> dict[str, int]:
    """Index of each colour's letter (either case) and name (lower case)."""
    table = {}
    for i, (letter, name) in enumerate(COLOURS[:colours]):
        table[letter] = table[letter.lower()] = table[name] = i
    return table


def parse_code(text: str, game: CodeGame) -> tuple[int, ...]:
    """Read a guess: letters (``RGBY``, ``r g b y``, ``R-G-B-Y``) or colour names.

    Word guesses must be five letters and in :func:`word_list`. Raises
    ``ValueError`` with a message that says what is wrong and what is valid.
    """
    text = text.strip()
    if game.words:
        word = text.lower()
        if len(word) != WORD_LENGTH or not all(ch in ALPHABET for ch in word):
            raise ValueError(f"a guess is one {WORD_LENGTH}-letter word (letters a-z only)")
        if word not in _word_index():
            raise ValueError("that word is not in the word list")
        return game.encode(word)
    symbols = _symbols(game.colours)
    if len(text) == game.pegs:  # the canonical form, RGBY: one look-up per letter
        try:
            return tuple(symbols[ch] for ch in text)
        except KeyError:
            pass  # a colour name such as "blue" has as many letters as some codes
    tokens = [t for t in _SEPARATORS.split(text) if t]
    if len(tokens) == 1:
        tokens = list(tokens[0])
    code = []
    for token in tokens:
        index = symbols.get(token if len(token) == 1 else token.lower())
        if index is not None:
            code.append(index)
        else:
            shown = token if len(token) <= 12 else token[:9] + "..."
            raise ValueError(f"unknown colour {shown!r}; use {game.describe_symbols()}")
    if len(code) != game.pegs:
        raise ValueError(f"the code has {game.pegs} pegs, the guess has {len(code)}")
    return tuple(code)


@functools.cache
def _word_index() -> dict[str, int]:
    return {word: i for i, word in enumerate(word_list())}


def score_pegs(guess: tuple[int, ...], secret: tuple[int, ...]) -> tuple[int, int]:
    """Mastermind feedback: (right colour in the right place, right colour in the wrong place)."""
    black = sum(g == s for g, s in zip(guess, secret, strict=True))
    common = sum(min(guess.count(c), secret.count(c)) for c in set(guess))
    return black, common - black


def score_word(guess: tuple[int, ...], secret: tuple[int, ...]) -> tuple[int, ...]:
    """Wordle marks per letter: 2 right place, 1 elsewhere in the word, 0 absent."""
    marks = [2 if g == s else 0 for g, s in zip(guess, secret, strict=True)]
    unmatched: dict[int, int] = {}
    for s, mark in zip(secret, marks, strict=True):
        if mark != 2:
            unmatched[s] = unmatched.get(s, 0) + 1
    for i, g in enumerate(guess):
        if marks[i] != 2 and unmatched.get(g, 0) > 0:
            marks[i] = 1
            unmatched[g] -= 1
    return tuple(marks)


def format_marks(marks: tuple[int, ...]) -> str:
    """``GY-Y-``: one Wordle mark per letter."""
    return "".join(MARKS[m] for m in marks)


def score(guess: tuple[int, ...], secret: tuple[int, ...], game: CodeGame) -> int:
    """Feedback as one integer (the encoding of :func:`feedback_rows`)."""
    if game.words:
        return sum(m * 3**i for i, m in enumerate(score_word(guess, secret)))
    black, white = score_pegs(guess, secret)
    return black * (game.pegs + 1) + white


def decode_feedback(value: int, game: CodeGame) -> tuple[int, ...]:
    """The feedback tuple of an encoded value: (black, white) or the Wordle marks."""
    if game.words:
        return tuple((value // 3**i) % 3 for i in range(WORD_LENGTH))
    return divmod(value, game.pegs + 1)


# ---- the universe and vectorised feedback ------------------------------------------


@functools.cache
def universe(game: CodeGame) -> np.ndarray:
    """Every possible secret as a ``(N, pegs)`` ``uint8`` array (fixed order)."""
    if game.words:
        codes = np.array([game.encode(w) for w in word_list()], dtype=np.uint8)
    else:
        codes = np.array(list(itertools.product(range(game.colours), repeat=game.pegs)), dtype=np.uint8)
    codes.setflags(write=False)  # shared by every env of the game
    return codes


@functools.cache
def _symbol_counts(game: CodeGame) -> np.ndarray:
    codes = universe(game)
    counts = np.stack([(codes == c).sum(axis=1) for c in range(game.colours)], axis=1).astype(np.uint8)
    counts.setflags(write=False)
    return counts


def feedback_rows(game: CodeGame, guesses: np.ndarray, secrets: np.ndarray) -> np.ndarray:
    """Encoded feedback of every guess against every secret: ``(len(guesses), len(secrets))`` ``int16``.

    ``guesses`` and ``secrets`` are index arrays into :func:`universe`.
    """
    codes = universe(game)
    g = codes[guesses][:, None, :]
    s = codes[secrets][None, :, :]
    green = g == s
    if not game.words:
        black = green.sum(axis=2, dtype=np.int16)
        counts = _symbol_counts(game)
        common = np.minimum(counts[guesses][:, None, :], counts[secrets][None, :, :]).sum(axis=2, dtype=np.int16)
        return black * (game.pegs + 1) + (common - black)
    # For each guess position i: how often its letter stands in the secret where no green is.
    same_letter = g[:, :, :, None] == s[:, :, None, :]
    unmatched = (same_letter & ~green[:, :, None, :]).sum(axis=3)
    yellow = np.zeros(green.shape, dtype=bool)
    codes_g = codes[guesses]
    for i in range(WORD_LENGTH):
        # Yellows go left to right: earlier yellows of the same letter use up the unmatched ones.
        used = np.zeros(green.shape[:2], dtype=np.int16)
        for k in range(i):
            repeat = (codes_g[:, k] == codes_g[:, i])[:, None]
            used += yellow[:, :, k] & repeat
        yellow[:, :, i] = ~green[:, :, i] & (unmatched[:, :, i] > used)
    marks = 2 * green.astype(np.int16) + yellow
    return (marks * (3 ** np.arange(WORD_LENGTH, dtype=np.int16))).sum(axis=2, dtype=np.int16)


@functools.cache
def feedback_table(game: CodeGame) -> np.ndarray | None:
    """The full ``(N, N)`` feedback table when the universe is small enough, else ``None``."""
    size = len(universe(game))
    if size > _FULL_TABLE_LIMIT:
        return None
    everything = np.arange(size)
    # Build in row blocks so the temporary arrays stay small.
    block = max(1, _CELL_BUDGET // (size * max(game.colours, WORD_LENGTH)))
    parts = [feedback_rows(game, everything[i : i + block], everything) for i in range(0, size, block)]
    table = np.concatenate(parts).astype(np.uint8)
    table.setflags(write=False)
    return table


def _rows(game: CodeGame, guesses: np.ndarray, secrets: np.ndarray) -> np.ndarray:
    table = feedback_table(game)
    if table is not None:
        return table[np.ix_(guesses, secrets)]
    return feedback_rows(game, guesses, secrets)


def consistent(game: CodeGame, history: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Indices of the secrets that agree with every ``(guess index, encoded feedback)`` so far."""
    candidates = np.arange(len(universe(game)))
    for guess, value in history:
        row = _rows(game, np.array([guess]), candidates)[0]
        candidates = candidates[row == value]
    return candidates


def index_of(game: CodeGame, code: tuple[int, ...]) -> int:
    """The position of ``code`` in :func:`universe`."""
    if game.words:
        return _word_index()[game.format(code)]
    index = 0
    for symbol in code:
        index = index * game.colours + symbol
    return index


# ---- the solver ----------------------------------------------------------------------


def _minimax_choice(game: CodeGame, pool: np.ndarray, candidates: np.ndarray) -> int:
    """Knuth's rule: the guess whose largest feedback class is smallest.

    Ties go to more classes, then to a guess that could itself be the secret, then
    to the lowest index, so the choice is a pure function of its inputs.
    """
    rows = _rows(game, pool, candidates).astype(np.int64)
    classes = 3**WORD_LENGTH if game.words else (game.pegs + 1) ** 2
    flat = rows + classes * np.arange(len(pool))[:, None]
    counts = np.bincount(flat.ravel(), minlength=len(pool) * classes).reshape(len(pool), classes)
    worst = counts.max(axis=1)
    parts = (counts > 0).sum(axis=1)
    is_candidate = np.isin(pool, candidates)
    order = np.lexsort((pool, ~is_candidate, -parts, worst))
    return int(pool[order[0]])


@functools.cache
def opening(game: CodeGame) -> int:
    """The first guess: the best minimax choice among one code per repetition pattern."""
    size = len(universe(game))
    if game.words or size <= _FULL_TABLE_LIMIT:
        pool = np.arange(size)
    else:
        # Codes like 0012 and 3345 split the universe alike; score one of each pattern.
        patterns = []
        for code in itertools.product(range(game.colours), repeat=game.pegs):
            if all(code[i] <= max(code[:i], default=-1) + 1 for i in range(len(code))):
                patterns.append(index_of(game, code))
        pool = np.array(patterns)
    everything = np.arange(size)
    best = None
    for start in range(0, len(pool), max(1, _CELL_BUDGET // size)):
        chunk = pool[start : start + max(1, _CELL_BUDGET // size)]
        choice = _minimax_choice(game, chunk, everything)
        best = choice if best is None else _minimax_choice(game, np.array([best, choice]), everything)
    assert best is not None
    return best


# Decisions are a pure function of (game, history); many seeds share the early ones.
_DECISIONS: dict[tuple[CodeGame, tuple[tuple[int, int], ...]], int] = {}
_DECISION_CACHE_LIMIT = 200_000


def solver_guess(game: CodeGame, history: tuple[tuple[int, int], ...]) -> int:
    """The solver's next guess (a universe index) after ``history`` of (guess index, feedback)."""
    key = (game, history)
    cached = _DECISIONS.get(key)
    if cached is not None:
        return cached
    if not history:
        choice = opening(game)
    else:
        candidates = consistent(game, history)
        if len(candidates) <= 2:
            choice = int(candidates[0])
        else:
            size = len(universe(game))
            if feedback_table(game) is not None:
                pool = np.arange(size)
            else:
                # Without a full table, score candidates only (a deterministic even spread of
                # them when there are many), keeping one decision within the cell budget.
                room = max(16, _CELL_BUDGET // len(candidates))
                step = max(1, -(-len(candidates) // room))
                pool = candidates[::step]
            choice = _minimax_choice(game, pool, candidates)
    if len(_DECISIONS) >= _DECISION_CACHE_LIMIT:
        _DECISIONS.clear()
    _DECISIONS[key] = choice
    return choice
