"""HiddenRulesAdventure: TextAdventure whose keys open locks of other colours by a per-seed rule."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from agentic_gym.core import Affordance
from agentic_gym.envs.text.adventure import AFFORDANCES, TextAdventure
from agentic_gym.envs.text.adventure_world import (
    COLOURS,
    HIDDEN_HOUSE_SIZES,
    HiddenRulesHouse,
    HouseSize,
    blind_command,
    generate_hidden,
)
from agentic_gym.envs.text.knobs import HiddenRulesKnobs, TextAdventureKnobs

_COLOUR = "(" + "|".join(COLOURS) + ")"
#: A lesson sentence, as the house words the outcome of a try (or a note quotes it).
_LESSON = re.compile(rf"The {_COLOUR} key (fits|does not fit) the {_COLOUR} lock\.")
#: Said when the quest is carried out after the alarm rang.
SPOILT_TEXT = "The quest is carried out, but the alarm rang: this attempt does not count."


def _unlock_affordance(affordance: Affordance) -> Affordance:
    if affordance.name != "unlock":
        return affordance
    return dataclasses.replace(
        affordance,
        description="Unlock a locked door or container with a key you carry: 'unlock wooden chest with red "
                    "key'. No key opens the lock of its own colour; a wrong key rings an alarm.",
    )


#: TextAdventure's affordances, with the unlock description that states this house's rule.
HIDDEN_AFFORDANCES: tuple[Affordance, ...] = tuple(_unlock_affordance(a) for a in AFFORDANCES)


class HiddenRulesAdventure(TextAdventure):
    """TextAdventure whose keys open locks of other colours, by a per-seed rule no text states.

    ## Description
    The house, quest and commands of :class:`~agentic_gym.envs.text.adventure.TextAdventure`,
    with one rule changed: a key does not open the lock of its own colour but the lock
    of another colour, by a mapping drawn from the seed (a derangement of the eight
    colours, :func:`~agentic_gym.envs.text.adventure_world.draw_key_rule`). The quest
    (``obs["mission"]``) says that no key opens the lock of its own colour, and nothing
    says more: examining a key says only that trying tells, the admissible commands
    offer an ``unlock ... with ...`` for every carried key of another colour, and the
    house is generated so that the key that really opens each lock lies where it can be
    reached before that lock (:func:`~agentic_gym.envs.text.adventure_world.generate_hidden`),
    with decoy keys (colours no lock here takes) reachable before any lock, so the first
    lock is a choice between several keys. Every house needs at least one of its locks.

    A try is an ordinary, valid step whose outcome is the lesson: ``You unlock the north
    door with the green key. The green key fits the blue lock.`` or ``The red key does
    not fit the blue lock.``. A wrong key costs more than the step: the first one rings
    an alarm, and from then on the quest no longer counts. The house stays as it was,
    so the rest of the attempt can be spent learning which keys open which locks;
    carrying out the quest after the alarm ends the episode, unsolved.

    ## What there is to learn
    Which key opens each lock of this seed's house. A house states no more than the
    colours, and the mapping is drawn per seed, so one episode can only guess at a
    first lock (the first try is right about one time in two or three on the smaller
    houses, far less often over the several locks of the larger ones); every try,
    right or wrong, shows one pair. An agent that notes the pairs it saw and reads them
    in the next :class:`~agentic_gym.wrappers.trials.Trials` trial of the same seed
    opens every lock with the right key at once.

    ## Action Space
    As TextAdventure; the ``unlock`` affordance says that no key opens the lock of its
    own colour and that a wrong key rings the alarm.

    ## Observation Space
    As TextAdventure. ``mission`` is the quest followed by the house's rule.

    ## Rewards
    As TextAdventure while the alarm is silent: 1 when the last placement holds (with
    ``progress_reward`` its shares as the placements first hold). After the alarm every
    step pays 0.

    ## Episode End
    Terminates when every placement of the quest holds: with ``info["success"]`` True
    when no wrong key was tried, False after the alarm. Truncates at the registered
    ``max_episode_steps``.

    ## Arguments
    ``size`` (``"1room"``, ``"3rooms"``, ``"6rooms"``, ``"12rooms"`` or ``"24rooms"``,
    the sizes of :data:`~agentic_gym.envs.text.adventure_world.HIDDEN_HOUSE_SIZES`),
    ``progress_reward`` (a number in [0, 1)), ``render_mode``.

    ## Difficulty
    Knobs (``difficulty_knobs()``, reset ``info["difficulty"]``): ``size`` and what it
    sets, ``rooms``, ``goals`` (objects to place), ``locks`` (locked doors and containers,
    each opened by the key of another colour), ``distractors`` (items), ``decoy_keys``
    (keys no lock here takes, reachable before any lock); ``progress_reward``; plus the
    registered ``max_episode_steps``. Tiers ``-Trivial`` to ``-Expert``: 1, 3, 6, 12 and 24
    rooms.

    ## Registered Configurations
    | id | rooms | placements | locks | decoy keys | max_episode_steps |
    |---|---|---|---|---|---|
    | ``agentic_gym/TextAdventure-HiddenRules-Trivial-v0`` | 1 | 1 | 1 | 2 | 30 |
    | ``agentic_gym/TextAdventure-HiddenRules-3rooms-v0``, ``-Easy-v0`` | 3 | 1 | 1 | 2 | 60 |
    | ``agentic_gym/TextAdventure-HiddenRules-6rooms-v0``, ``-Medium-v0`` | 6 | 3 | 3 | 2 | 150 |
    | ``agentic_gym/TextAdventure-HiddenRules-Hard-v0`` | 12 | 6 | 6 | 2 | 400 |
    | ``agentic_gym/TextAdventure-HiddenRules-Expert-v0`` | 24 | 8 | 8 | 0 | 1000 |

    ## Prompt Format
    As TextAdventure; the mission ends in ``In this house no key opens the lock of its
    own colour; which key opens which lock you find out only by trying, and a wrong key
    rings an alarm that spoils the attempt.``

    ## Action Grammar
    As TextAdventure.

    ## Version History
    * v0: initial version.

    Example:
        >>> env = HiddenRulesAdventure(size="3rooms")
        >>> obs, info = env.reset(seed=0)
        >>> "no key opens the lock of its own colour" in obs["mission"]
        True
        >>> while not info["success"]:
        ...     obs, reward, terminated, truncated, info = env.step(env.oracle_action())
        >>> terminated, reward
        (True, 1.0)
    """

    metadata: dict[str, Any] = {
        **TextAdventure.metadata,
        "capabilities": ("planning", "memory", "reasoning", "self_improve"),
    }
    affordances = HIDDEN_AFFORDANCES
    house_sizes: dict[str, HouseSize] = HIDDEN_HOUSE_SIZES
    Knobs: type[TextAdventureKnobs] = HiddenRulesKnobs

    def __init__(self, size: str = "3rooms", progress_reward: float = 0.0, render_mode: str | None = None):
        super().__init__(size=size, progress_reward=progress_reward, render_mode=render_mode)
        self.house: HiddenRulesHouse | None = None
        self._spoilt = False
        self.transcript_title = f"TextAdventure-HiddenRules {self.size}"

    def new_house(self) -> HiddenRulesHouse:
        return generate_hidden(self.np_random, self.house_sizes[self.size])

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self._spoilt = False
        return super().reset(seed=seed, options=options)

    def step(self, action: Any):
        obs, reward, terminated, truncated, info = super().step(action)
        return obs, reward, terminated or self._spoilt, truncated, info

    def _score(self) -> float:
        house = self.house
        assert house is not None
        if not house.alarm:
            return super()._score()
        self._spoilt = house.solved()
        return 0.0

    def _observe(self, message: str) -> dict[str, str]:
        if self._spoilt:
            message = f"{message} {SPOILT_TEXT}"
        return super()._observe(message)

    # ---- solvers --------------------------------------------------------------------

    @staticmethod
    def read_lesson(text: str) -> str | None:
        """Every lesson sentence in ``text`` (``The red key fits the blue lock.``, ``The red key
        does not fit the green lock.``: the house's words after a try, or notes quoting
        them), each once, in order, but for a misfit that a fit makes plain (a key opens
        one lock and a lock takes one key); None when there is none. Reads only the text."""
        matches = list(_LESSON.finditer(text))
        keys = {m.group(1) for m in matches if m.group(2) == "fits"}
        locks = {m.group(3) for m in matches if m.group(2) == "fits"}
        found = dict.fromkeys(m.group(0) for m in matches
                              if m.group(2) == "fits" or not (m.group(1) in keys or m.group(3) in locks))
        return " ".join(found) if found else None

    def rule_blind_action(self, lesson: str | None) -> str:
        """The next command of a solver that knows the house but not which key opens which
        lock: it acts on the pairs the ``lesson`` (:meth:`read_lesson`) names
        (:func:`~agentic_gym.envs.text.adventure_world.blind_command`), trying keys in
        colour order where it knows none. Navigation is privileged; the rule is not."""
        if self.house is None:
            raise RuntimeError("call reset() before rule_blind_action()")
        fits: dict[str, str] = {}
        fails: set[tuple[str, str]] = set()
        for key, verdict, lock in _LESSON.findall(lesson or ""):
            if verdict == "fits":
                fits[lock] = key
            else:
                fails.add((key, lock))
        return blind_command(self.house, fits, fails)
