"""NotesMemory: a notepad the agent writes to and reads from, shown in every observation.

Example:
    >>> import gymnasium as gym
    >>> import agentic_gym
    >>> env = NotesMemory(gym.make("agentic_gym/GridKeyDoor-6x6-v0"), capacity=4)
    >>> _ = env.reset(seed=0)
    >>> obs, reward, terminated, truncated, info = env.step("note the key is behind me")
    >>> info["tool_result"]
    'Saved as note 1 (1/4 notes used).'
    >>> print(obs["text"].split("\\n\\n")[-1])
    Your notes (1/4):
    1. the key is behind me
"""

from __future__ import annotations

import gymnasium as gym

from agentic_gym.core import Affordance, Command, int_param, params, sanitize, string_param
from agentic_gym.wrappers.extension import CommandExtension


class NotesMemory(CommandExtension):
    """Adds the memory affordances ``note <text>``, ``read_notes`` and ``forget <index>`` to any env.

    The notes are listed after every observation's text, so an agent keeps them even
    with a short prompt ``history``. The three commands are answered by the wrapper
    without stepping the env: they do not advance the env's time limit (and so do not
    count toward ``max_episode_steps``); ``max_free_turns`` of them in a row truncate the
    episode. Limits give errors, never silent loss: a note longer than
    ``max_note_chars`` or a note when ``capacity`` notes exist is refused with a message
    (``info["action_valid"]`` False), and characters outside the ASCII charset are
    replaced with ``?`` and reported.

    ``persist=True`` keeps the notes across episodes of the same wrapper instance, so an
    agent can write a lesson after a failure and read it in the next attempt
    (Reflexion-style self-improvement)::

        env = NotesMemory(gym.make("agentic_gym/GridMaze-9x9-v0"), persist=True)
        env.reset(seed=1)
        ...  # the episode fails
        env.step("note mazes: follow the left wall; map costs a step")
        env.reset(seed=2)  # the lesson is still listed in the first observation

    Args:
        env: any agentic-gym env (or wrapper stack).
        capacity: the most notes kept at once.
        max_note_chars: the longest note accepted.
        persist: keep the notes across resets.
        max_free_turns: memory commands in a row before the episode is truncated.
    """

    def __init__(self, env: gym.Env, capacity: int = 32, max_note_chars: int = 2000, persist: bool = False,
                 max_free_turns: int = 16):
        if capacity < 1 or max_note_chars < 1:
            raise ValueError("capacity and max_note_chars must be at least 1")
        self.capacity = capacity
        self.max_note_chars = max_note_chars
        self.persist = persist
        self.notes: list[str] = []
        extra = (
            Affordance("note", "Save a note that stays visible in every observation.",
                       params(text=string_param("What to remember.", max_length=max_note_chars,
                                                examples=["the key is in the kitchen"])), kind="memory"),
            Affordance("read_notes", "List your notes with their numbers.", kind="memory"),
            Affordance("forget", "Delete a note by its number (later notes move up).",
                       params(index=int_param("The note's number.", minimum=1, maximum=capacity)), kind="memory"),
        )
        notes_chars = capacity * (max_note_chars + 8) + 32
        super().__init__(env, extra, extra_text_chars=notes_chars, max_free_turns=max_free_turns)

    def on_reset(self) -> None:
        if not self.persist:
            self.notes = []

    def answer(self, command: Command) -> tuple[str, bool]:
        if command.name == "note":
            if len(self.notes) >= self.capacity:
                return (f"Your notes are full ({self.capacity}/{self.capacity}); forget one first "
                        f"(forget <index>)."), False
            text = command.args["text"]
            clean = sanitize(text, self.max_note_chars).strip()
            if not clean:
                return "An empty note was not saved.", False
            self.notes.append(clean)
            replaced = " Characters outside ASCII were saved as ?." if clean != text.strip() else ""
            return f"Saved as note {len(self.notes)} ({len(self.notes)}/{self.capacity} notes used).{replaced}", True
        if command.name == "read_notes":
            return (self.extra_text() if self.notes else "You have no notes."), True
        index = command.args["index"]
        if index > len(self.notes):
            have = f"1..{len(self.notes)}" if self.notes else "none"
            return f"There is no note {index}; your notes are numbered {have}.", False
        del self.notes[index - 1]
        return f"Forgot note {index}; {len(self.notes)} notes left.", True

    def extra_text(self) -> str:
        if not self.notes:
            return ""
        lines = [f"Your notes ({len(self.notes)}/{self.capacity}):"]
        for number, note in enumerate(self.notes, 1):
            lines.append(f"{number}. " + note.replace("\n", "\n   "))
        return "\n".join(lines)
