"""Recall: remember a briefing read one fact per turn, then answer questions about it."""

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
from agentic_gym.envs.text.knobs import RecallKnobs
from agentic_gym.envs.text.recall_world import (
    EXAMPLE_ANSWERS,
    Briefing,
    RecallConfig,
    generate_briefing,
    is_correct,
)

OBS_LENGTH = 2048
ACTION_LENGTH = 256
ANSWER_LENGTH = 100
_TRANSCRIPT_ENTRIES = 64

AFFORDANCES: tuple[Affordance, ...] = (
    Affordance("continue", "Acknowledge the current briefing item and hear the next one.", kind="move"),
    Affordance(
        "answer",
        "Answer the current question with the value alone; ends the question.",
        params(text=string_param("The answer, e.g. 4417, Lisbon or Ortiz.", max_length=ANSWER_LENGTH,
                                 examples=["4417", "Lisbon", "Ortiz", "blue", "Friday",
                                           *(v for values in EXAMPLE_ANSWERS.values() for v in values)])),
        kind="answer",
    ),
)


class Recall(TranscriptRendering, AgenticEnv):
    """Remember facts read one per turn, some of them corrected later, and answer questions.

    ## Description
    A briefing about a cast of field agents arrives one item per turn: facts ("Agent
    Kim's locker code is 4417."), facts no question will need (distractors) and
    corrections that overwrite an earlier fact ("Correction: Agent Kim's locker code
    is now 9902."). The agent acknowledges each item with ``continue``. Only the
    current item is ever in the observation, so the agent must keep what matters in
    its own memory (its context, or the ``note`` tools of the ``NotesMemory``
    wrapper). After the last item come the questions, one at a time; each needs the
    latest value of one fact or, in the multi-hop variant, of two facts ("What is the
    locker code of Agent Kim's handler?" needs Kim's handler and that handler's code).

    Rendering (``ansi``, ``rgb_array``, ``human``) draws the transcript of commands and
    replies with every briefing item but the current one blanked out, because a frame
    can be given to the agent as an image and must not show what it should remember.

    ## Action Space
    A :class:`~agentic_gym.core.CommandSpace` (any text of at most 256 characters):

    | command | kind | effect |
    |---|---|---|
    | ``continue`` | move | acknowledge the current briefing item; the next one (or the first question) follows |
    | ``answer <text>`` | answer | answer the current question (at most 100 characters); the next question follows |

    ``continue`` during the questions and ``answer`` during the briefing are invalid.

    ## Observation Space
    ``Dict(text=Text(2048, charset=CHARSET))``. During the briefing: the item number,
    the current item only and how to go on; during the questions: the verdict on the
    previous answer, the current question and how to answer. After an invalid
    command the text says what was wrong (quoting at most 40 characters of it) and
    repeats the current item or question.

    ## Rewards
    Each correct answer pays ``1 / questions`` when it is given, so the return is the
    fraction of questions answered correctly (in [0, 1]). Everything else pays 0.
    Answers are compared after normalisation: case, surrounding whitespace and
    punctuation, a leading ``the``/``a``/``agent``/``floor``/``every`` do not matter,
    and numbers match by value (``4417``, ``4,417``, ``4417.0``, ``12th``, ``forty-four``).
    The answer must be the value alone: ``Lisbon``, not ``The safehouse is in Lisbon``.
    The verdict (correct or not) is shown; the expected answer is never revealed.

    ## Episode End
    Terminated after the last question is answered; ``info["success"]`` is True when
    every answer was correct. Truncated by the registered time limit
    (``max_episode_steps``, twice the items plus questions), which invalid commands
    also count towards.

    ``info`` also holds ``action_valid``, ``admissible_commands`` (``["continue"]``
    during the briefing; during the questions two well-formed answers of the asked
    kind, fixed per kind and the same in every episode, so they carry no hint),
    ``correct`` (answers right so far) and ``phase`` (``"briefing"``, ``"question"`` or
    ``"done"``).

    ## Arguments
    * ``facts``: briefing items, corrections included, up to 200 (default 5); at least
      one per question (three for two hops) plus the corrections and one distractor.
    * ``questions``: questions after the briefing, 1..10 (default 1).
    * ``corrections``: items that overwrite an earlier fact, at most half the facts
      (default 0); about half of them hit facts that questions need.
    * ``hops``: 1 (ask a fact) or 2 (ask a fact about an agent's handler).

    A wrong type or value raises ``TypeError``/``ValueError`` naming the argument and its
    range; at the limits a reset takes under 30 ms.
    * ``render_mode``: ``"human"``, ``"rgb_array"``, ``"ansi"`` or ``None``.

    ## Difficulty
    Knobs (``difficulty_knobs()``, reset ``info["difficulty"]``): ``facts``,
    ``questions``, ``corrections``, ``hops``, plus the registered ``max_episode_steps``.
    Tiers ``-Trivial`` to ``-Expert``: 1, 5, 20, 60 and 200 facts.

    ## Registered Configurations
    * ``agentic_gym/Recall-5facts-v0``: 5 items, 1 question (12 steps).
    * ``agentic_gym/Recall-20facts-updates-v0``: 20 items with 4 corrections, 3 questions (46 steps).
    * ``agentic_gym/Recall-60facts-multihop-v0``: 60 items with 6 corrections, 5 two-hop questions
      (130 steps).

    ## Prompt Format
    A briefing turn reads::

        Recall briefing, item 3 of 20 (3 questions follow the briefing).
        Agent Kim's locker code is 4417.
        Say continue for the next item.

    and a question turn::

        Your answer "9902" is correct.
        Question 2 of 3: What is the locker code of Agent Kim?
        Reply with: answer <text> (the value alone).

    ## Action Grammar
    ``continue`` | ``answer <text>`` | ``answer(text="<text>")`` (the canonical command forms
    of :func:`~agentic_gym.core.parse_command`; the command name is case-insensitive).

    ## Version History
    * v0: initial release.

    Example:
        >>> env = Recall(facts=5, questions=1)
        >>> obs, info = env.reset(seed=3)
        >>> print(obs["text"].splitlines()[0])
        Recall briefing, item 1 of 5 (1 question follows the briefing).
        >>> while True:
        ...     obs, reward, terminated, truncated, info = env.step(env.oracle_action())
        ...     if terminated:
        ...         break
        >>> reward, info["success"]
        (1.0, True)
    """

    metadata = {"render_modes": ["human", "rgb_array", "ansi"], "render_fps": 2, "capabilities": ("memory",)}
    _render_attrs = ("_window", "_panel")
    transcript_title = "Recall"

    #: The record type of the typed difficulty knobs (``self.knobs``).
    Knobs = RecallKnobs

    def __init__(self, render_mode: str | None = None, facts: int = 5, questions: int = 1, corrections: int = 0,
                 hops: int = 1):
        #: The typed difficulty knobs (the one place their ranges are stated).
        self.knobs = RecallKnobs(facts=facts, questions=questions, corrections=corrections, hops=hops)
        super().__init__(render_mode)
        self.config = RecallConfig(**self.knobs.as_dict())
        self.affordances = AFFORDANCES
        self.action_space = CommandSpace(self.affordances, max_length=ACTION_LENGTH)
        self.observation_space = spaces.Dict({"text": text_space(OBS_LENGTH)})
        self._briefing: Briefing | None = None
        self._item = 0  # index of the current briefing item; == facts once the questions start
        self._question = 0  # index of the current question
        self._correct = 0
        self._text = ""
        # (role, text, index of the briefing item the text shows or -1), for rendering.
        self._transcript: deque[tuple[str, str, int]] = deque(maxlen=_TRANSCRIPT_ENTRIES)

    # ---- state ------------------------------------------------------------------------

    @property
    def _briefing_over(self) -> bool:
        return self._item >= self.config.facts

    @property
    def _done(self) -> bool:
        return self._question >= self.config.questions

    def _phase(self) -> str:
        if not self._briefing_over:
            return "briefing"
        return "done" if self._done else "question"

    def _view(self) -> str:
        """What the agent perceives now: the current item or question, never an earlier item."""
        assert self._briefing is not None
        if not self._briefing_over:
            n = self.config.questions
            follow = f"{n} question{'s' if n != 1 else ''} follow{'s' if n == 1 else ''}"
            return (f"Recall briefing, item {self._item + 1} of {self.config.facts} ({follow} the briefing).\n"
                    f"{self._briefing.items[self._item].text}\nSay continue for the next item.")
        if self._done:
            return (f"The questions are over: {self._correct} of {self.config.questions} answered correctly. "
                    "The episode has ended; call reset() for a new briefing.")
        question = self._briefing.questions[self._question]
        return (f"Question {self._question + 1} of {self.config.questions}: {question.text}\n"
                "Reply with: answer <text> (the value alone).")

    def _admissible(self) -> list[str]:
        assert self._briefing is not None
        if not self._briefing_over:
            return ["continue"]
        if self._done:
            return []
        kind = self._briefing.questions[self._question].kind
        return [f"answer {value}" for value in EXAMPLE_ANSWERS[kind]]

    def _observe(self, valid: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        # The env's own text (the agent's words reach it only through quote() or the sanitised
        # error message), so it is only clipped.
        text = self._text[:OBS_LENGTH]
        config = self.config
        if self._item < config.facts:  # the briefing
            self._transcript.append(("env", text, self._item))
            admissible, phase, success = ["continue"], "briefing", False
        else:
            self._transcript.append(("env", text, -1))
            done = self._question >= config.questions
            admissible, phase = self._admissible(), "done" if done else "question"
            success = done and self._correct == config.questions
        info = {
            "success": success,
            "action_valid": valid,
            "admissible_commands": admissible,
            "correct": self._correct,
            "phase": phase,
        }
        return {"text": text}, info

    # ---- gymnasium API ---------------------------------------------------------------

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self._briefing = generate_briefing(self.config, self.np_random)
        self._item = 0
        self._question = 0
        self._correct = 0
        self._transcript.clear()
        self._text = self._view()
        observation, info = self._observe(True)
        info["difficulty"] = reset_difficulty(self)
        return observation, info

    def step(self, action: str | Command):
        if self._briefing is None:
            raise RuntimeError("call reset() before step()")
        self._transcript.append(("agent", sanitize(action_text(action), 200), -1))
        reward = 0.0
        valid = True
        command: Command | None = None
        try:
            command = self.read_command(action, max_length=ACTION_LENGTH)
            if self._done:
                raise InvalidAction("The episode has ended; call reset() for a new briefing.",
                                    affordance=command.name, reason=Reason.REFUSED)
            if command.name == "continue":
                if self._briefing_over:
                    raise InvalidAction("The briefing is over: answer the question with answer <text>.",
                                        affordance=command.name, reason=Reason.REFUSED)
                self._item += 1
                self._text = self._view()
            else:
                if not self._briefing_over:
                    raise InvalidAction("No question has been asked yet: say continue to hear the next item.",
                                        affordance=command.name, reason=Reason.REFUSED)
                given = command.args["text"]
                right = is_correct(given, self._briefing.questions[self._question].answer)
                self._question += 1
                if right:
                    self._correct += 1
                    reward = 1.0 / self.config.questions
                verdict = "is correct" if right else "is not correct"
                self._text = f"Your answer {quote(given)} {verdict}.\n{self._view()}"
        except InvalidAction as error:
            valid = False
            # The view below always ends with what to do now, so the valid commands are named.
            self._text = sanitize(f"Invalid command: {error}", OBS_LENGTH) + "\n" + self._view()
        observation, info = self._observe(valid)
        info["command"] = command
        return observation, reward, self._done, False, info

    # ---- oracle and rendering ---------------------------------------------------------

    def oracle_action(self) -> str:
        """``continue`` through the briefing, then the expected answer of each question."""
        if self._briefing is None:
            raise RuntimeError("call reset() before oracle_action()")
        if not self._briefing_over:
            return "continue"
        if self._done:
            return "continue"
        return f"answer {self._briefing.questions[self._question].answer}"

    def transcript_entries(self) -> list[tuple[str, str]]:
        """The transcript with every briefing item but the current one blanked out.

        A frame may reach the agent (``PromptObservation(include_image=True)``), so it
        shows no more than the observation: earlier items stay in the agent's memory only.
        """
        assert self._briefing is not None
        items = self._briefing.items
        current = self._item if not self._briefing_over else -1
        entries = []
        for role, text, shown in self._transcript:
            if shown not in (-1, current):
                text = text.replace(items[shown].text, "(heard earlier; no longer shown)")
            entries.append((role, text))
        return entries
