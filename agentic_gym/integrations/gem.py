"""GEM (``gem-llm``): every agentic-gym env under ``gem.make`` and ``gem.make_vec``.

GEM envs speak strings: ``reset(seed)`` returns the first observation text (GEM's game
envs put the instructions there), ``step(reply)`` takes the model's raw reply and returns
the environment's answer as text. :class:`GemEnv` does that over an
:func:`agentic_gym.chat` env: the reset observation is the system prompt followed by the
first observation, each later observation is the text of the messages the env added after
the reply (the feedback on an invalid reply included), and ``info`` is the chat env's
(``success``, ``action_valid``, ``parsed_action``, ...). GEM's observation wrappers
(``concat``, ``concat_chat``) build the conversation from these pieces, and its vector
envs are what its trainers (and the verl and OpenRLHF integrations built on GEM) drive.

Importing this module registers every id of :func:`agentic_gym.envs.registered_ids`
under the same name in GEM's registry (:func:`register_envs`).

Example:
    >>> import gem
    >>> import agentic_gym.integrations.gem  # registers the envs with GEM
    >>> env = gem.make("agentic_gym/GridKeyDoor-6x6-v0")
    >>> observation, info = env.reset(seed=0)
    >>> observation.startswith('You are an agent acting in the environment "agentic_gym/GridKeyDoor-6x6-v0"')
    True
    >>> observation, reward, terminated, truncated, info = env.step("Action: right")
    >>> observation.splitlines()[0], info["action_valid"], info["success"]
    ('You turn right.', True, False)
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, SupportsFloat

try:
    import gem
    from gem.envs.registration import ENV_REGISTRY
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError("agentic_gym.integrations.gem needs GEM: pip install 'agentic-gym[gem]'") from error

from agentic_gym.integrations.levels import CurriculumChat, new_messages_text
from agentic_gym.recording import shown_text
from agentic_gym.wrappers.chat import ChatEnv, chat

__all__ = ["GemEnv", "new_messages_text", "register_envs"]


class GemEnv(gem.Env):
    """An agentic-gym env as a ``gem.Env``: text observations in, raw replies out.

    Args:
        agentic_id: a registered agentic-gym id (GEM's ``register`` keeps ``env_id`` for itself;
            ``gem.make`` sets ``env.env_id`` to the GEM name, the same string here).
        seed: the seed of the first ``reset()`` called without one (``gem.make_vec`` gives
            each env ``seed + index``) and of :meth:`sample_random_action`.
        chat_options: keyword arguments for :func:`agentic_gym.chat` (``format``,
            ``history``, ``notes``, ``tools``, ...).
        curriculum: a sampler of :mod:`agentic_gym.curriculum`: every ``reset()`` plays
            ``curriculum.next()``'s level and seed (an explicit ``reset(seed=...)``
            replaces the seed; the constructor's ``seed`` then only seeds
            :meth:`sample_random_action`), and each episode's outcome goes to
            ``curriculum.update(...)`` when it ends. ``gem.make_vec(id, ...,
            curriculum=sampler)`` hands the same sampler to every env of the batch. Its
            levels are ids or ``(id, kwargs)`` pairs, or kwargs of ``agentic_id``.
        make_kwargs: keyword arguments for ``gym.make`` (``max_episode_steps``, env kwargs).
    """

    def __init__(self, agentic_id: str, seed: int | None = None, chat_options: dict[str, Any] | None = None,
                 curriculum: Any = None, **make_kwargs: Any):
        super().__init__()
        self.agentic_id = self.env_id = agentic_id
        self.chat_options = dict(chat_options or {})
        self.make_kwargs = dict(make_kwargs)
        self.curriculum: CurriculumChat | None = None
        if curriculum is not None:
            self.curriculum = CurriculumChat(curriculum, agentic_id, self.chat_options, **self.make_kwargs)
            first = next(iter(getattr(curriculum, "levels", ())), None)
            self.chat_env: ChatEnv = (self.curriculum.env_of(first) if first is not None
                                      else chat(agentic_id, **self.chat_options, **self.make_kwargs))
        else:
            self.chat_env = chat(agentic_id, **self.chat_options, **self.make_kwargs)
        self._pending_seed = seed
        self._action_seed = seed
        self.chat_env.action_space.seed(seed)
        self.messages: list[dict[str, Any]] = []

    @property
    def tools(self) -> list[dict[str, Any]]:
        """The OpenAI tool schemas of the env's actions (for a model that calls tools)."""
        from agentic_gym.core import tool_schemas

        return tool_schemas(self.chat_env.affordances)

    def reset(self, seed: int | None = None) -> tuple[str, dict[str, Any]]:
        """Start an episode: the system prompt and the first observation as one text."""
        if self.curriculum is not None:
            self.messages, info = self.curriculum.reset(seed)
            current = self.curriculum.env
            if current is not None and current is not self.chat_env:
                self.chat_env = current
                self.chat_env.action_space.seed(self._action_seed)
            return "\n\n".join(shown_text(m.get("content")) for m in self.messages), info
        if seed is None:
            seed, self._pending_seed = self._pending_seed, None
        self.messages, info = self.chat_env.reset(seed=seed)
        return "\n\n".join(shown_text(m.get("content")) for m in self.messages), info

    def step(self, action: Any) -> tuple[str, SupportsFloat, bool, bool, dict[str, Any]]:
        """Send the model's raw reply (a string or an assistant message dict); the env's answer as text."""
        if self.curriculum is not None:
            self.messages, reward, terminated, truncated, info = self.curriculum.step(action)
        else:
            self.messages, reward, terminated, truncated, info = self.chat_env.step(action)
        return new_messages_text(self.messages), reward, terminated, truncated, info

    def sample_random_action(self) -> str:
        """A valid command in its canonical text (drawn from the env's actions)."""
        return str(self.chat_env.action_space.sample())

    def oracle_action(self) -> str:
        """The privileged solver's next move as a reply (command text)."""
        return self.chat_env.oracle_action()

    def spawn(self, same_state: bool = False, **kwargs: Any) -> GemEnv:
        """A new env of the same configuration (``kwargs`` override it); a copy of this one with ``same_state``."""
        if same_state:
            if kwargs:
                raise ValueError("spawn(same_state=True) copies this env as it is and takes no overrides")
            if self.curriculum is not None:
                # A copy would report the same episode twice, or fork the sampler.
                raise ValueError("spawn(same_state=True) cannot copy an env under a curriculum; spawn() a fresh one")
            return copy.deepcopy(self)
        agentic_id = kwargs.pop("agentic_id", self.agentic_id)
        options = {"chat_options": self.chat_options, **self.make_kwargs, **kwargs}
        if self.curriculum is not None:
            options.setdefault("curriculum", self.curriculum.curriculum)
        return GemEnv(agentic_id, **options)

    def close(self) -> None:
        """Release the env's resources (under a curriculum, an unfinished episode is reported first)."""
        if self.curriculum is not None:
            self.curriculum.close()
        self.chat_env.close()


def register_envs(env_ids: Sequence[str] | None = None, **chat_options: Any) -> list[str]:
    """Register agentic-gym ids with GEM under the same names; ids already there are left alone.

    Args:
        env_ids: the ids to register (default: every single-agent id of the package).
        chat_options: default :func:`agentic_gym.chat` options of the registered envs
            (``gem.make(id, chat_options={...})`` overrides them per env).

    Returns:
        The ids newly registered.
    """
    from agentic_gym.envs import registered_ids

    added = []
    for env_id in registered_ids() if env_ids is None else env_ids:
        if env_id in ENV_REGISTRY:
            continue
        options: dict[str, Any] = {"agentic_id": env_id}
        if chat_options:
            options["chat_options"] = dict(chat_options)
        gem.register(env_id, GemEnv, **options)
        added.append(env_id)
    return added


register_envs()
