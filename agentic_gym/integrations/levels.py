"""Where the trainer adapters meet a curriculum: a chat env per level, episodes drawn and reported.

Every adapter (:mod:`~agentic_gym.integrations.trl`, :mod:`~agentic_gym.integrations.gem`,
:mod:`~agentic_gym.integrations.verifiers`, :mod:`~agentic_gym.integrations.openenv`)
takes ``curriculum=sampler`` (any sampler of :mod:`agentic_gym.curriculum`) and plays
its episodes through a :class:`CurriculumChat`: ``reset()`` draws ``level, seed =
sampler.next()`` and resets that level's :func:`agentic_gym.chat` env (one per level,
made on first use, counting the oracle's steps at reset); ``step`` passes replies on
and counts them; when the episode ends (or is abandoned by the next ``reset``, or
closed) ``sampler.update(level, seed, success, steps, oracle_steps)`` is called once.

One sampler may feed many adapter instances (TRL makes one per rollout, GEM one per
vector slot, OpenEnv one per session); its calls go through one lock, so threads may
share it. The sampler is a plain object: pickle it into the trainer's checkpoint
and pass the unpickled one to the adapter to resume the same sequence.

Example:
    >>> from agentic_gym.curriculum import ThresholdSchedule
    >>> sampler = ThresholdSchedule(["agentic_gym/GridMaze-Trivial-v0", "agentic_gym/GridMaze-Easy-v0"],
    ...                             seed=0, window=1, bar=1.0)
    >>> episodes = CurriculumChat(sampler)
    >>> messages, info = episodes.reset()
    >>> episodes.level
    'agentic_gym/GridMaze-Trivial-v0'
    >>> while not episodes.done:
    ...     messages, reward, terminated, truncated, info = episodes.step(episodes.env.oracle_action())
    >>> sampler.current, episodes.reset()[1]["difficulty"]["size"]
    (1, 9)
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any, SupportsFloat

from agentic_gym.curriculum import level_env, make_level_env, oracle_steps_of
from agentic_gym.recording import shown_text
from agentic_gym.wrappers.chat import ChatEnv, chat

__all__ = ["CurriculumChat", "SAMPLER_LOCK", "check_curriculum", "new_messages_text"]


def new_messages_text(messages: Sequence[dict[str, Any]]) -> str:
    """The text of the messages after the last assistant message (what the env said since the
    reply), system messages left out: what every trainer adapter hands the model next.

    Example:
        >>> new_messages_text([{"role": "user", "content": "A hall."}, {"role": "assistant", "content": "look"},
        ...                    {"role": "tool", "content": "4"}, {"role": "user", "content": "A door."}])
        '4\\n\\nA door.'
    """
    start = 0
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].get("role") == "assistant":
            start = index + 1
            break
    return "\n\n".join(shown_text(m.get("content")) for m in messages[start:] if m.get("role") != "system")

#: Serialises every adapter's calls to a sampler (samplers are not thread-safe by themselves).
SAMPLER_LOCK = threading.RLock()


def check_curriculum(curriculum: Any, env_id: str | None = None) -> Any:
    """``curriculum`` when it is a sampler whose levels all name registered envs.

    Raises:
        ValueError: it lacks ``next()``/``update(...)``, or a level is not a level of ``env_id``.
    """
    if not (callable(getattr(curriculum, "next", None)) and callable(getattr(curriculum, "update", None))):
        raise ValueError(f"curriculum must have next() and update(...), got {type(curriculum).__name__}")
    for level in getattr(curriculum, "levels", ()):
        level_env(level, env_id)
    return curriculum


class CurriculumChat:
    """Chat episodes whose level and seed a curriculum chooses, each outcome reported to it once.

    Args:
        curriculum: the sampler (see :func:`check_curriculum`).
        env_id: the env whose knobs a level may give alone (see
            :func:`agentic_gym.curriculum.level_env`); optional when levels name their ids.
        chat_options: keyword arguments for :func:`agentic_gym.chat`.
        make_kwargs: keyword arguments for ``gym.make`` (a level's own take precedence).
    """

    def __init__(self, curriculum: Any, env_id: str | None = None, chat_options: Mapping[str, Any] | None = None,
                 **make_kwargs: Any):
        self.curriculum = check_curriculum(curriculum, env_id)
        self.env_id = env_id
        self.chat_options = dict(chat_options or {})
        self.make_kwargs = dict(make_kwargs)
        self._envs: dict[Any, ChatEnv] = {}
        self.level: Any = None
        self.seed: int | None = None
        self.env: ChatEnv | None = None
        self.steps = 0
        self.success = False
        self.done = True
        self.oracle_steps: int | None = None
        self._pending = False

    def env_of(self, level: Any) -> ChatEnv:
        """The chat env of ``level`` (made on first use)."""
        if level not in self._envs:
            self._envs[level] = chat(make_level_env(level, self.env_id, **self.make_kwargs), **self.chat_options)
        return self._envs[level]

    def reset(self, seed: int | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Report an unfinished episode (as a failure), draw the next level and seed, reset its env.

        ``seed`` replaces the seed the curriculum drew (the curriculum is told the one played).
        """
        self.finish()
        with SAMPLER_LOCK:
            level, drawn = self.curriculum.next()
        self.level, self.seed = level, int(drawn if seed is None else seed)
        self.env = self.env_of(level)
        messages, info = self.env.reset(seed=self.seed)
        self.steps, self.success, self.done, self._pending = 0, bool(info.get("success", False)), False, True
        self.oracle_steps = oracle_steps_of(info)
        return messages, info

    def step(self, reply: Any) -> tuple[list[dict[str, Any]], SupportsFloat, bool, bool, dict[str, Any]]:
        """Step the current env with a reply; report the outcome when the episode ends."""
        if self.env is None:
            raise RuntimeError("reset before stepping")
        messages, reward, terminated, truncated, info = self.env.step(reply)
        self.steps += 1
        self.success = bool(info.get("success", False))
        self.done = bool(terminated or truncated)
        if self.done:
            self.finish()
        return messages, float(reward), bool(terminated), bool(truncated), info

    def finish(self) -> None:
        """Report the current episode to the curriculum, once (a no-op when already reported)."""
        if not self._pending:
            return
        self._pending = False
        with SAMPLER_LOCK:
            self.curriculum.update(self.level, self.seed, self.success, self.steps, self.oracle_steps)

    def close(self) -> None:
        """Report an unfinished episode and close every level's env."""
        self.finish()
        for env in self._envs.values():
            env.close()
        self._envs.clear()

    def __getstate__(self) -> dict[str, Any]:
        # Envs are rebuilt on demand; the sampler travels with its owner's checkpoint.
        state = dict(self.__dict__)
        state["_envs"], state["env"] = {}, None
        return state
