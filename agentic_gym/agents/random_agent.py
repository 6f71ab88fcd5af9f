"""A uniformly random agent: the lower baseline."""

from __future__ import annotations

import copy
from typing import Any

import gymnasium as gym

from agentic_gym.core import CommandSpace


class RandomAgent:
    """Samples a valid action each step from its own seeded copy of the action space.

    On a ``CommandSpace`` it draws from ``info["admissible_commands"]`` when the env
    lists them (commands that make sense now) and otherwise from the affordances;
    on any other space it calls ``sample()``. The env's own action-space RNG is
    never touched, so the agent does not perturb the episode it plays.

    Args:
        env: the env the agent acts in (native or a chat env).
        seed: seed of the agent's RNG.

    Example:
        >>> import gymnasium as gym
        >>> env = gym.make("CartPole-v1")
        >>> agent = RandomAgent(env, seed=0)
        >>> obs, info = env.reset(seed=0)
        >>> agent.reset(info)
        >>> env.action_space.contains(agent.act(obs, info))
        True
    """

    uses_chat = False
    name = "random"

    def __init__(self, env: gym.Env, seed: int | None = None):
        self.action_space = copy.deepcopy(env.action_space)
        self.action_space.seed(seed)

    def reset(self, info: dict[str, Any]) -> None:
        """Nothing to forget: every step is drawn afresh."""

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        if isinstance(self.action_space, CommandSpace):
            admissible = info.get("admissible_commands")
            return self.action_space.sample(mask=list(admissible) if admissible else None)
        action = self.action_space.sample()
        # Discrete samples are numpy integers; envs and JSON logs expect a Python int.
        return int(action) if isinstance(self.action_space, gym.spaces.Discrete) else action
