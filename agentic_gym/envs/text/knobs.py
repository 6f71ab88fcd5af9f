"""The typed difficulty knobs of the text envs: one frozen record per env, validated when built.

``Recall`` and ``Codebreaker`` build their record in the constructor and read their
settings from it (``env.knobs``; ``difficulty_knobs()`` is its dict). :class:`TextAdventureKnobs`
is the record of ``TextAdventure``'s knobs (``size`` and what it stands for).

Example:
    >>> RecallKnobs(facts=20, questions=3, corrections=4, hops=1).as_dict()
    {'facts': 20, 'questions': 3, 'corrections': 4, 'hops': 1}
    >>> CodebreakerKnobs(pegs=9, colours=6, words=False, max_guesses=10)
    Traceback (most recent call last):
    ...
    ValueError: pegs must be an integer in 1..6, got 9
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from agentic_gym.core.arguments import Knobs, boolean, integer_in, knob, number_in, one_of
from agentic_gym.envs.text.adventure_world import HIDDEN_HOUSE_SIZES, HOUSE_SIZES, HouseSize
from agentic_gym.envs.text.codebreaker_logic import COLOURS, MAX_PEGS
from agentic_gym.envs.text.recall_world import MAX_FACTS, MAX_QUESTIONS

__all__ = ["MAX_CODES", "MAX_GUESSES", "CodebreakerKnobs", "RecallKnobs", "TextAdventureKnobs"]

#: Most guesses a Codebreaker episode may allow (the observation counts them in a Discrete space).
MAX_GUESSES = 100
#: Most possible codes (``colours ** pegs``): 8 colours x 5 pegs, where an oracle decision
#: still takes well under a second; 8 ** 6 took over 10 s for the opening guess.
MAX_CODES = 32_768


@dataclass(frozen=True)
class RecallKnobs(Knobs):
    """Recall's briefing: how many items, questions, corrections and hops."""

    facts: int = knob(f"briefing items, corrections included (1 to {MAX_FACTS})")
    questions: int = knob(f"questions after the briefing (1 to {MAX_QUESTIONS})")
    corrections: int = knob(f"items that overwrite an earlier fact (0 to {MAX_FACTS // 2}, at most half the facts)")
    hops: int = knob("facts each answer chains: 1, or 2 (\"the locker code of Agent Kim's handler\")")

    def __post_init__(self) -> None:
        self._set("facts", integer_in("facts", self.facts, 1, MAX_FACTS))
        self._set("questions", integer_in("questions", self.questions, 1, MAX_QUESTIONS))
        self._set("corrections", integer_in("corrections", self.corrections, 0, MAX_FACTS // 2))
        self._set("hops", integer_in("hops", self.hops, 1, 2))


@dataclass(frozen=True)
class CodebreakerKnobs(Knobs):
    """Codebreaker's game: the code's shape (or a hidden word) and the guesses allowed."""

    pegs: int = knob(f"pegs in the hidden code (1 to {MAX_PEGS}); with words, the word's letters")
    colours: int = knob(f"colours a peg may take (2 to {len(COLOURS)}); colours ** pegs at most {MAX_CODES}")
    words: bool = knob("hide an English word with per-letter feedback instead of a peg code")
    max_guesses: int = knob(f"guesses before the episode ends (1 to {MAX_GUESSES})")

    def __post_init__(self) -> None:
        self._set("words", boolean("words", self.words))
        self._set("pegs", integer_in("pegs", self.pegs, 1, MAX_PEGS))
        self._set("colours", integer_in("colours", self.colours, 2, len(COLOURS)))
        self._set("max_guesses", integer_in("max_guesses", self.max_guesses, 1, MAX_GUESSES))
        if not self.words and self.colours**self.pegs > MAX_CODES:
            raise ValueError(f"colours ** pegs must be at most {MAX_CODES} (the oracle's search space), "
                             f"got {self.colours} ** {self.pegs} = {self.colours**self.pegs}")


@dataclass(frozen=True)
class TextAdventureKnobs(Knobs):
    """TextAdventure's house: a named size and the generation parameters it stands for."""

    size: str = knob("the house, one of " + ", ".join(map(repr, HOUSE_SIZES)))
    rooms: int = knob("rooms in the house (set by size)")
    goals: int = knob("placements the quest asks for (set by size)")
    locks: int = knob("locked doors (set by size)")
    distractors: int = knob("objects no quest needs (set by size)")
    decoy_keys: int = knob("keys that open nothing (set by size)")
    progress_reward: float = knob("reward for each placement before the last, in [0, 1)")

    #: The houses ``size`` names (a variant with other houses overrides it).
    house_sizes: ClassVar[dict[str, HouseSize]] = HOUSE_SIZES

    def __post_init__(self) -> None:
        self._set("size", one_of("size", self.size, tuple(self.house_sizes)))
        house = self.house_sizes[self.size]
        for name in ("rooms", "goals", "locks", "distractors", "decoy_keys"):
            if getattr(self, name) != getattr(house, name):
                raise ValueError(f"{name} is set by size: {self.size!r} has {getattr(house, name)}, "
                                 f"got {getattr(self, name)!r}")
        self._set("progress_reward",
                  number_in("progress_reward", self.progress_reward, 0.0, 1.0, high_open=True))

    @classmethod
    def resolve(cls, size: Any = "6rooms", progress_reward: Any = 0.0) -> TextAdventureKnobs:
        """The record of TextAdventure's constructor arguments (the house parameters from ``size``)."""
        size = one_of("size", size, tuple(cls.house_sizes))
        house = cls.house_sizes[size]
        return cls(size=size, rooms=house.rooms, goals=house.goals, locks=house.locks,
                   distractors=house.distractors, decoy_keys=house.decoy_keys, progress_reward=progress_reward)


@dataclass(frozen=True)
class HiddenRulesKnobs(TextAdventureKnobs):
    """TextAdventure-HiddenRules' house: as TextAdventure's, over its own house sizes."""

    house_sizes: ClassVar[dict[str, HouseSize]] = HIDDEN_HOUSE_SIZES
