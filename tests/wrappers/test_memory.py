"""NotesMemory against a model list, step by step, plus persistence and limits."""

from __future__ import annotations

import gymnasium as gym
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from agentic_gym.core import sanitize
from agentic_gym.wrappers import NotesMemory

WORD_ID = "lang_test/Word-v0"
CAPACITY = 4
MAX_CHARS = 30

note_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=40)


class NotesMachine(RuleBasedStateMachine):
    """note/read/forget through ``step`` must keep the notes equal to a plain list."""

    def __init__(self):
        super().__init__()
        self.env = NotesMemory(gym.make(WORD_ID), capacity=CAPACITY, max_note_chars=MAX_CHARS, max_free_turns=10_000)
        self.obs, _ = self.env.reset(seed=0)
        self.model: list[str] = []
        self.info: dict = {}

    def step(self, command: str):
        self.obs, reward, terminated, truncated, self.info = self.env.step(command)
        assert reward == 0.0 and not terminated and not truncated
        assert self.info["free_turn"] is True

    @rule(text=note_text)
    def note(self, text):
        from agentic_gym.core import Command

        self.step(str(Command("note", {"text": text})))
        clean = sanitize(text, MAX_CHARS).strip()
        fits = len(text) <= MAX_CHARS and clean and len(self.model) < CAPACITY
        if fits:
            self.model.append(clean)
        assert self.info["action_valid"] == bool(fits)
        if len(text) > MAX_CHARS:
            assert "limit" in self.info["tool_result"]
        elif len(self.model) == CAPACITY and not fits and clean:
            assert "full" in self.info["tool_result"]

    @rule()
    def read(self):
        self.step("read_notes")
        for number, note in enumerate(self.model, 1):
            assert f"{number}. {note.splitlines()[0] if note else ''}" in self.info["tool_result"]
        if not self.model:
            assert self.info["tool_result"] == "You have no notes."

    @rule(index=st.integers(min_value=-1, max_value=CAPACITY + 1))
    def forget(self, index):
        self.step(f"forget {index}")
        valid = 1 <= index <= len(self.model)
        assert self.info["action_valid"] == valid
        if valid:
            del self.model[index - 1]

    @invariant()
    def notes_match_the_model_and_are_shown(self):
        assert self.env.notes == self.model
        assert len(self.env.notes) <= CAPACITY
        if self.model:
            assert f"Your notes ({len(self.model)}/{CAPACITY}):" in self.obs["text"]
        assert self.obs in self.env.observation_space


TestNotesMachine = NotesMachine.TestCase


def test_notes_persist_only_when_asked():
    env = NotesMemory(gym.make(WORD_ID), persist=True)
    env.reset(seed=0)
    env.step("note the password was hello")
    obs, _ = env.reset(seed=1)
    assert "1. the password was hello" in obs["text"]
    plain = NotesMemory(gym.make(WORD_ID))
    plain.reset(seed=0)
    plain.step("note something")
    obs, _ = plain.reset(seed=1)
    assert "something" not in obs["text"] and plain.notes == []


def test_memory_commands_do_not_advance_the_time_limit():
    base = gym.make(WORD_ID)
    env = NotesMemory(base, max_free_turns=100)
    env.reset(seed=0)
    for index in range(20):
        obs, reward, terminated, truncated, info = env.step(f"note n{index}")
        env.step("read_notes")
        env.step("forget 1")
        assert not truncated
    assert base.get_wrapper_attr("_elapsed_steps") == 0


def test_non_ascii_is_reported_not_silently_changed():
    env = NotesMemory(gym.make(WORD_ID))
    env.reset(seed=0)
    obs, *_, info = env.step("note caf\u00e9")
    assert env.notes == ["caf?"] and "outside ASCII" in info["tool_result"]


def test_bad_arguments():
    with pytest.raises(ValueError):
        NotesMemory(gym.make(WORD_ID), capacity=0)
    env = NotesMemory(gym.make(WORD_ID))
    env.reset(seed=0)
    obs, *_, info = env.step("forget(index=\"two\")")
    assert info["action_valid"] is False and "integer" in info["tool_result"]
