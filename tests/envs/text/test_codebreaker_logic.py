"""Codebreaker rules: feedback against brute-force references, guess parsing and the solver."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentic_gym.envs.text.codebreaker_logic import (
    CodeGame,
    decode_feedback,
    feedback_rows,
    feedback_table,
    index_of,
    parse_code,
    score,
    score_pegs,
    score_word,
    solver_guess,
    universe,
    word_list,
)
from tests.helpers import profile_name

GAMES = {"4x6": CodeGame(4, 6), "5x8": CodeGame(5, 8), "words": CodeGame(words=True)}
LIMITS = {"4x6": 10, "5x8": 12, "words": 6}


def reference_pegs(guess: tuple[int, ...], secret: tuple[int, ...]) -> tuple[int, int]:
    """Black pegs, then the largest matching of the other pegs by colour, tried over every pairing."""
    black = sum(g == s for g, s in zip(guess, secret))
    rest_g = [g for g, s in zip(guess, secret) if g != s]
    rest_s = [s for g, s in zip(guess, secret) if g != s]
    white = max((sum(a == b for a, b in zip(rest_g, order)) for order in itertools.permutations(rest_s)),
                default=0)
    return black, white


def reference_word(guess: str, secret: str) -> str:
    """Wordle: greens, then for each letter its min(unmatched in guess, unmatched in secret) leftmost yellows."""
    marks = ["G" if g == s else "-" for g, s in zip(guess, secret)]
    free_secret = Counter(s for s, m in zip(secret, marks) if m != "G")
    free_guess_positions: dict[str, list[int]] = {}
    for i, (g, m) in enumerate(zip(guess, marks)):
        if m != "G":
            free_guess_positions.setdefault(g, []).append(i)
    for letter, positions in free_guess_positions.items():
        for i in positions[: free_secret[letter]]:
            marks[i] = "Y"
    return "".join(marks)


@given(data=st.data(), pegs=st.integers(1, 6), colours=st.integers(2, 8))
def test_peg_feedback_matches_the_brute_force_reference(data, pegs, colours):
    code = st.tuples(*[st.integers(0, colours - 1)] * pegs)
    guess, secret = data.draw(code), data.draw(code)
    assert score_pegs(guess, secret) == reference_pegs(guess, secret)
    game = CodeGame(pegs, colours)
    assert decode_feedback(score(guess, secret, game), game) == reference_pegs(guess, secret)


@given(guess=st.text("abcdez", min_size=5, max_size=5), secret=st.text("abcdez", min_size=5, max_size=5))
def test_word_feedback_matches_the_reference(guess, secret):
    game = GAMES["words"]
    marks = score_word(game.encode(guess), game.encode(secret))
    assert "".join("-YG"[m] for m in marks) == reference_word(guess, secret)


@pytest.mark.parametrize(("guess", "secret", "marks"), [
    ("crane", "cabin", "G-YY-"),
    ("speed", "abide", "--Y-Y"),  # the first e takes the secret's only e; the second is grey
    ("eerie", "sheep", "YY---"),
    ("apple", "apple", "GGGGG"),
    ("llama", "hello", "YY---"),
])
def test_known_wordle_marks(guess, secret, marks):
    game = GAMES["words"]
    assert "".join("-YG"[m] for m in score_word(game.encode(guess), game.encode(secret))) == marks


@pytest.mark.parametrize("name", GAMES)
@given(data=st.data())
def test_vectorised_feedback_equals_the_scalar_rule(name, data):
    game = GAMES[name]
    codes = universe(game)
    indices = st.lists(st.integers(0, len(codes) - 1), min_size=1, max_size=8)
    guesses, secrets = np.array(data.draw(indices)), np.array(data.draw(indices))
    rows = feedback_rows(game, guesses, secrets)
    for i, g in enumerate(guesses):
        for j, s in enumerate(secrets):
            assert rows[i, j] == score(tuple(codes[g]), tuple(codes[s]), game)
    table = feedback_table(game)
    if table is not None:
        assert (table[np.ix_(guesses, secrets)] == rows).all()


def test_universe_order_matches_index_of():
    for game in GAMES.values():
        codes = universe(game)
        for i in (0, 1, len(codes) // 3, len(codes) - 1):
            assert index_of(game, tuple(int(x) for x in codes[i])) == i


def test_word_list_is_clean():
    words = word_list()
    assert len(words) >= 500
    assert all(len(w) == 5 and w.isascii() and w.isalpha() and w.islower() for w in words)
    assert list(words) == sorted(set(words))


@pytest.mark.parametrize(("text", "code"), [
    ("RGBY", "RGBY"), ("rgby", "RGBY"), (" r g b y ", "RGBY"), ("R-G-B-Y", "RGBY"), ("r,g,b,y", "RGBY"),
    ("red green blue yellow", "RGBY"), ("Purple, orange, RED, r", "PORR"), ("PPPP", "PPPP"),
])
def test_accepted_peg_guesses(text, code):
    game = GAMES["4x6"]
    assert game.format(parse_code(text, game)) == code


@pytest.mark.parametrize(("text", "why"), [
    ("RGB", "has 3"), ("RGBYO", "has 5"), ("RGBW", "unknown colour 'W'"), ("red green blue pink", "'pink'"),
    ("", "has 0"), ("R G B Y R", "has 5"), ("1234", "unknown colour '1'"),
])
def test_rejected_peg_guesses(text, why):
    with pytest.raises(ValueError, match=why):
        parse_code(text, GAMES["4x6"])


def test_word_guesses():
    game = GAMES["words"]
    assert game.format(parse_code(" Crane ", game)) == "crane"
    for bad, why in (("cran", "5-letter"), ("cranes", "5-letter"), ("zzzzz", "not in the word list"),
                     ("cr4ne", "5-letter")):
        with pytest.raises(ValueError, match=why):
            parse_code(bad, game)


def solved_within(game: CodeGame, secrets: np.ndarray, limit: int) -> int:
    """Play the solver against every secret at once (one walk of its decision tree); the most guesses used."""
    worst = 0
    stack = [((), secrets)]
    while stack:
        history, group = stack.pop()
        guess = solver_guess(game, history)
        rows = feedback_rows(game, np.array([guess]), group)[0]
        for value in np.unique(rows):
            members = group[rows == value]
            depth = len(history) + 1
            if guess in members:
                worst = max(worst, depth)
                members = members[members != guess]
            if len(members):
                assert depth < limit, f"{game}: {len(members)} secrets unsolved after {depth} guesses"
                stack.append((history + ((guess, int(value)),), members))
    return worst


@pytest.mark.parametrize("name", ["4x6", "words"])
def test_solver_finds_every_secret_within_the_limit(name):
    game = GAMES[name]
    worst = solved_within(game, np.arange(len(universe(game))), LIMITS[name])
    assert worst <= 5  # Knuth's bound for 4x6; the word list needs no more


def test_solver_finds_5x8_secrets_within_the_limit():
    game = GAMES["5x8"]
    size = len(universe(game))
    # The whole tree (32768 secrets, at most 8 guesses) takes about a minute: dev runs it, ci a spread.
    secrets = np.arange(size) if profile_name() == "dev" else np.arange(0, size, 256)
    assert solved_within(game, secrets, LIMITS["5x8"]) <= LIMITS["5x8"]
