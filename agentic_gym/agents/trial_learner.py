"""A scripted learner for the self-improvement envs: explore, write the lesson down, exploit.

It is the baseline that shows what :class:`~agentic_gym.wrappers.trials.Trials` measures:
with notes that persist across trials its success rises from trial 1 to trial 2;
without them it stays where it started.
"""

from __future__ import annotations

import re
from typing import Any

import gymnasium as gym

#: Where :class:`~agentic_gym.wrappers.memory.NotesMemory` lists the notes in the text.
NOTES_HEADING = "Your notes ("
#: Between the sentences of a lesson.
_SENTENCE_END = re.compile(r"(?<=\.) +")
#: A numbered note as NotesMemory lists it.
_NOTE_LINE = re.compile(r"^(\d+)\. (.*)$", re.M)


class TrialLearner:
    """Plays a self-improvement env (one with ``read_lesson`` and ``rule_blind_action``).

    The env's ``rule_blind_action(lesson)`` is a solver that knows the world but not the
    hidden rule: it acts on the ``lesson`` it is given (its first guess without one).
    The learner reads lessons only from the observation text, through the env's
    ``read_lesson(text)``: from the env's own words when a wrong guess reveals the rule
    (then it saves the lesson with ``note <lesson>``, a free turn), and from its notes in
    later trials. A lesson of several sentences (the pairs of keys and locks seen in
    TextAdventure-HiddenRules) is noted sentence by sentence as they appear, and a note
    whose sentences the lesson no longer holds (a misfit made plain by a fit) is
    forgotten, so the notes stay within their capacity. So everything it knows of the rule at the start of a trial is what its
    notes carried over: with ``NotesMemory(..., persist=True)`` it exploits from trial 2,
    with notes that are cleared at each reset it guesses again every trial.

    Args:
        env: the env the agent acts in: a wrapper stack with
            :class:`~agentic_gym.wrappers.memory.NotesMemory` around a self-improvement env.
        seed: accepted so that the class is an agent factory; the learner is deterministic.

    Example:
        >>> import gymnasium as gym
        >>> import agentic_gym
        >>> from agentic_gym.wrappers import NotesMemory, Trials
        >>> env = NotesMemory(Trials(gym.make("agentic_gym/GridDecoyKeyDoor-6x6-v0"), k=2), persist=True)
        >>> wins = []
        >>> for trial in range(2):
        ...     obs, info = env.reset(seed=0 if trial == 0 else None)
        ...     agent = TrialLearner(env)
        ...     while True:
        ...         obs, reward, terminated, truncated, info = env.step(agent.act(obs, info))
        ...         if terminated or truncated:
        ...             break
        ...     wins.append(info["success"])
        >>> wins  # the nearer key was a decoy: noted in trial 1, avoided in trial 2
        [False, True]
    """

    uses_chat = False
    name = "trial_learner"

    def __init__(self, env: gym.Env, seed: int | None = None):
        self.env = env
        self.base: Any = env.unwrapped
        for hook in ("read_lesson", "rule_blind_action"):
            if not callable(getattr(self.base, hook, None)):
                raise TypeError(f"{type(self.base).__name__} has no {hook}(): it is not a self-improvement env")

    def reset(self, info: dict[str, Any]) -> None:
        """Nothing to reset: all the learner knows is in the observation and its notes."""

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        text = observation["text"] if isinstance(observation, dict) else str(observation)
        notes = text[text.find(NOTES_HEADING):] if NOTES_HEADING in text else ""
        lesson = self.base.read_lesson(text)
        if lesson is not None:
            # A lesson may be several sentences (one per key tried in TextAdventure-HiddenRules):
            # note the ones the notes lack, then forget notes the lesson has outgrown.
            new = [sentence for sentence in _SENTENCE_END.split(lesson) if sentence not in notes]
            if new:
                return f"note {' '.join(new)}"
            for index, note in _NOTE_LINE.findall(notes):
                old = self.base.read_lesson(note)
                if old is not None and not any(s in lesson for s in _SENTENCE_END.split(old)):
                    return f"forget {index}"
        return self.base.rule_blind_action(lesson)
