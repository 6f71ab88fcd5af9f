"""The episode loop shared by the tool worlds: question, tool calls, results log, answer.

A tool env shows a question; the agent calls tools (affordances of kind ``tool``)
and sees each result in its next observation, then replies with ``answer <text>``,
which ends the episode. This module keeps what every tool world does alike: command
parsing and feedback, the results log and its bounded text view, the ``info``
counters, transient faults and the call budget, the oracle's replay of a plan, and
the transcript rendering. A world only says how an episode is drawn, how a tool
answers and how a reply is graded (:meth:`ToolEnv._new_episode`,
:meth:`ToolEnv._run_tool`, :meth:`ToolEnv._is_correct`, :meth:`ToolEnv._admissible`).

Faults are drawn per call to a faultable tool, in call order, from ``np_random``
(a fixed schedule for the episode), so they do not depend on which arguments a call
carries, and the fewest calls that solve an episode (``info["oracle_tool_calls"]``)
is known at reset: the plan's calls, plus one retry for each fault met on the way.
"""

from __future__ import annotations

import abc
from collections import deque
from dataclasses import dataclass
from typing import Any, ClassVar, SupportsFloat

from gymnasium import spaces

from agentic_gym.core import (
    AgenticEnv,
    Command,
    CommandSpace,
    InvalidAction,
    TranscriptRendering,
    action_text,
    quote,
    sanitize,
    text_space,
)
from agentic_gym.core.arguments import integer_in, number_in
from agentic_gym.difficulty import reset_difficulty

#: Longest observation text; older results are trimmed first.
TEXT_CHARS = 4096
#: Longest question text.
QUESTION_CHARS = 1024
#: Longest single result line in the log.
RESULT_CHARS = 700
#: Longest command the action space samples (any longer string is read, clipped in echoes).
COMMAND_CHARS = 1024
#: Most commands listed in ``info["admissible_commands"]``.
MAX_ADMISSIBLE = 24
#: Largest ``tool_budget`` (None means no budget).
MAX_TOOL_BUDGET = 10_000
#: Most transcript entries kept for rendering, besides the question (always shown first).
MAX_TRANSCRIPT = 400

FAULT_MESSAGE = "error 503: service unavailable, please retry."
_FAULT_CHUNK = 64


@dataclass(frozen=True)
class Episode:
    """What a world draws at reset: the question, the oracle's tool calls, and its answer."""

    question: str
    plan: tuple[Command, ...]
    answer: Command


class ToolEnv(TranscriptRendering, AgenticEnv):
    """Base of the tool worlds (see the module docstring); subclasses set ``affordances``,
    ``faultable`` (names of tools that can fail transiently), ``title`` and ``intro``."""

    metadata: dict[str, Any] = {"render_modes": ["human", "rgb_array", "ansi"], "render_fps": 4,
                                          "capabilities": ("tool_use",)}
    _render_attrs: ClassVar[tuple[str, ...]] = ("_window", "_panel")
    faultable: ClassVar[frozenset[str]] = frozenset()
    title: ClassVar[str] = "Tools"
    intro: ClassVar[str] = ""

    def __init__(self, fault_rate: float = 0.0, tool_budget: int | None = None, render_mode: str | None = None):
        fault_rate = number_in("fault_rate", fault_rate, 0.0, 1.0, high_open=True)
        if tool_budget is not None:
            tool_budget = integer_in("tool_budget", tool_budget, 1, MAX_TOOL_BUDGET)
        super().__init__(render_mode)
        self.fault_rate = fault_rate
        self.tool_budget = tool_budget
        self.action_space = CommandSpace(self.affordances, max_length=COMMAND_CHARS)
        self.observation_space = spaces.Dict({"text": text_space(TEXT_CHARS), "question": text_space(QUESTION_CHARS)})
        self._tool_names = frozenset(a.name for a in self.affordances if a.kind == "tool")
        self._answer_name = next(a.name for a in self.affordances if a.kind == "answer")
        self.transcript_title = self.title
        self._transcript: deque[tuple[str, str]] = deque(maxlen=MAX_TRANSCRIPT)
        self._started = False

    # ---- what a world provides --------------------------------------------------------------

    @abc.abstractmethod
    def _new_episode(self) -> Episode:
        """Draw a new episode from ``self.np_random``."""

    @abc.abstractmethod
    def _run_tool(self, command: Command) -> str:
        """A valid tool call's result, or :class:`InvalidAction` with the tool's error message."""

    @abc.abstractmethod
    def _is_correct(self, text: str) -> bool:
        """Whether the agent's answer text is correct."""

    @abc.abstractmethod
    def _admissible(self) -> list[str]:
        """Sensible calls built only from what the agent knows now (the question, results so far)."""

    # ---- the loop ---------------------------------------------------------------------------

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[dict, dict]:
        super().reset(seed=seed)
        episode = self._new_episode()
        self._question = sanitize(episode.question, QUESTION_CHARS)
        self._episode = episode
        self._plan: tuple[str, ...] | None = None  # canonical texts, made when the oracle is first asked
        self._results: list[str] = []
        self._results_chars = 0
        self._head = f"{self.intro}\n\nQuestion: {self._question}"
        self._succeeded: set[str] = set()
        self._calls = self._errors = self._faults = self._faultable_calls = 0
        self._fault_schedule: list[bool] = []
        self._success = self._done = False
        self._feedback = ""
        self._started = True
        faultable_steps = sum(1 for c in episode.plan if c.name in self.faultable)
        self._ensure_a_fault(faultable_steps)
        self._oracle_calls = len(episode.plan) - faultable_steps + self._calls_for(faultable_steps)
        self._transcript.clear()
        self._admissible_now = self._admissible()[:MAX_ADMISSIBLE]
        return self._observation(), {**self._info(True), "difficulty": reset_difficulty(self)}

    def step(self, action: Any) -> tuple[dict, SupportsFloat, bool, bool, dict]:
        if not self._started:
            raise RuntimeError("call reset() before step()")
        self._feedback = ""
        if self._done:
            self._feedback = "The episode is over; reset to start a new one."
            info = self._info(False)
            info["command"] = None
            return self._observation(), 0.0, True, False, info
        reward = 0.0
        self._transcript.append(("agent", sanitize(action_text(action), 200).replace("\n", " ")))
        command: Command | None = None
        try:
            command = self.read_command(action)
        except InvalidAction as error:
            if error.affordance in self._tool_names:
                # The call reached the tool with arguments it could not read: echo them, clipped.
                valid = self._call(error.affordance, None, quote(action_text(action))[1:-1], error)
            else:
                valid = False
                self._feedback = sanitize(f"Invalid command: {error}", RESULT_CHARS)
        else:
            if command.name == self._answer_name:
                valid = True
                reward = self._answer(command)
            else:
                valid = self._call(command.name, command, None, None)
        self._transcript.append(("env", self._feedback or self._results[-1]))
        info = self._info(valid)
        info["command"] = command
        return self._observation(), reward, self._done, False, info

    def _answer(self, command: Command) -> float:
        text = str(next(iter(command.args.values())))
        self._done = True
        self._success = self._is_correct(text)
        expected = sanitize(str(next(iter(self._episode.answer.args.values()))), 200)
        verdict = "correct" if self._success else f"not correct; the expected answer was {expected}"
        self._feedback = sanitize(f"You answered {quote(text, 80)}: {verdict}.", RESULT_CHARS)
        return 1.0 if self._success else 0.0

    def _call(self, name: str, command: Command | None, label: str | None, error: InvalidAction | None) -> bool:
        """Carry out one tool call (``command`` None: its arguments were invalid, ``label`` echoes
        them); True when the call was valid."""
        if self.tool_budget is not None and self._calls >= self.tool_budget:
            self._done = True
            self._feedback = f"The tool budget of {self.tool_budget} calls is used up; the episode ends unanswered."
            return False
        self._calls += 1
        canonical = str(command) if command is not None else ""
        if label is None:
            label = canonical[:240]  # a command's text is already in the charset, on one line
        prefix = f"[{self._calls}] {label} -> "
        if name in self.faultable:
            index = self._faultable_calls
            self._faultable_calls += 1
            if self._fault_at(index):
                self._faults += 1
                self._log(prefix + FAULT_MESSAGE)
                return True
        if command is not None:
            try:
                result = self._run_tool(command)
            except InvalidAction as tool_error:
                error = tool_error
            else:
                self._log(prefix + result)
                self._succeeded.add(canonical)
                self._admissible_now = self._admissible()[:MAX_ADMISSIBLE]
                return True
        self._errors += 1
        assert error is not None  # every path that did not return set it
        self._log(f"{prefix}error: {self._describe_error(error)}")
        return False

    def _describe_error(self, error: InvalidAction) -> str:
        """A tool error as the agent reads it; worlds may add what the valid values are."""
        return str(error)

    def _log(self, line: str) -> None:
        line = sanitize(line, RESULT_CHARS).replace("\n", " ")
        self._results.append(line)
        self._results_chars += len(line) + 1

    def _fault_at(self, index: int) -> bool:
        """Whether the ``index``-th call to a faultable tool fails (the schedule grows in fixed chunks)."""
        if self.fault_rate == 0.0:
            return False
        while len(self._fault_schedule) <= index:
            self._fault_schedule.extend((self.np_random.random(_FAULT_CHUNK) < self.fault_rate).tolist())
        return self._fault_schedule[index]

    def _ensure_a_fault(self, faultable_steps: int) -> None:
        """With faults on, one of the plan's first ``faultable_steps`` faultable calls fails.

        An episode of a flaky env that meets no fault would not test retrying at all; where
        the drawn schedule spares every one of those calls, one drawn at random fails.
        """
        if self.fault_rate == 0.0 or faultable_steps == 0:
            return
        self._fault_at(faultable_steps - 1)  # draws the schedule that far
        if not any(self._fault_schedule[:faultable_steps]):
            self._fault_schedule[int(self.np_random.integers(faultable_steps))] = True

    def _calls_for(self, needed: int) -> int:
        """How many faultable calls it takes to get ``needed`` of them through."""
        calls = 0
        while needed:
            if not self._fault_at(calls):
                needed -= 1
            calls += 1
        return calls

    # ---- views ------------------------------------------------------------------------------

    def _observation(self) -> dict[str, str]:
        head = self._head
        if self.tool_budget is not None:
            head += f"\nTool calls left: {max(self.tool_budget - self._calls, 0)} of {self.tool_budget}."
        head += "\nResults so far:" if self._results else "\nNo tool calls yet."
        tail = "\n" + self._feedback if self._feedback else ""
        room = TEXT_CHARS - len(head) - len(tail) - 40
        kept = self._results
        if self._results_chars > room:
            # Keep the most recent results that fit, and say how many older ones were dropped.
            kept = []
            for line in reversed(self._results):
                room -= len(line) + 1
                if room < 0:
                    break
                kept.append(line)
            kept.reverse()
            trimmed = len(self._results) - len(kept)
            kept.insert(0, f"({trimmed} earlier result{'s were' if trimmed > 1 else ' was'} trimmed)")
        text = "\n".join([head, *kept]) + tail
        return {"text": text[:TEXT_CHARS], "question": self._question}

    def _info(self, valid: bool) -> dict[str, Any]:
        return {
            "success": self._success,
            "action_valid": valid,
            "tool_calls": self._calls,
            "tool_errors": self._errors,
            "tool_faults": self._faults,
            "oracle_tool_calls": self._oracle_calls,
            "admissible_commands": list(self._admissible_now),
        }

    def oracle_action(self) -> str:
        """The first plan call not yet answered (retried after a fault), then the answer."""
        if not self._started:
            raise RuntimeError("call reset() before oracle_action()")
        if self._plan is None:
            self._plan = tuple(str(c) for c in self._episode.plan)
        for call in self._plan:
            if call not in self._succeeded:
                return call
        return str(self._episode.answer)

    def transcript_entries(self) -> list[tuple[str, str]]:
        # The question stays on top however long the episode; the rest is the latest entries.
        return [("env", self._question), *self._transcript]


