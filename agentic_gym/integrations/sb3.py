"""Stable-Baselines3 on the grid family: the observation wrappers, a 7x7 CNN and a scorer.

SB3 takes ``Box``/``Discrete``/``Dict`` observations, not the ``text`` and
``mission`` strings, so a grid env goes to SB3 through its ``image`` and
``direction`` keys alone:

- :func:`make_grid_env` keeps those keys and, for ``MlpPolicy``, flattens them to
  one vector (``FlattenObservation(FilterObservation(env, ["image", "direction"]))``);
- ``GridViewCNN`` (loaded on first access) is a features extractor for ``MultiInputPolicy`` that reads
  the 7x7 egocentric view with 3x3 convolutions (SB3's ``NatureCNN`` needs at least
  36x36 pixels: its first kernel is 8x8 with stride 4);
- :func:`success_rate` plays a policy on held-out seeds and counts ``info["success"]``.

This module needs the ``sb3`` extra (``stable-baselines3``; install the CPU
``torch==2.13.0`` first, see the README's "Train" section).

Example:
    >>> env = make_grid_env("agentic_gym/GridKeyDoor-6x6-v0")
    >>> env.observation_space.shape
    (151,)
    >>> rate = success_rate(lambda obs: env.action_space.sample(), "agentic_gym/GridKeyDoor-6x6-v0", range(2))
    >>> 0.0 <= rate <= 1.0
    True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import gymnasium as gym
from gymnasium import spaces

GRID_KEYS = ("image", "direction")


def make_grid_env(env_id: str, flatten: bool = True, **kwargs: Any) -> gym.Env:
    """``gym.make(env_id)`` with only the ``image`` and ``direction`` observations.

    ``flatten=True`` gives one ``Box`` vector for ``MlpPolicy``; ``flatten=False`` keeps
    the ``Dict`` for ``MultiInputPolicy`` with :class:`GridViewCNN`.
    """
    env = gym.wrappers.FilterObservation(gym.make(env_id, **kwargs), list(GRID_KEYS))
    return gym.wrappers.FlattenObservation(env) if flatten else env


def _build_grid_view_cnn() -> type:
    # Built on first use so that this module imports (and its doctest runs) without SB3.
    import torch
    from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
    from torch import nn

    class GridViewCNN(BaseFeaturesExtractor):
        """Features of a grid env's ``{"image", "direction"}`` observation for ``MultiInputPolicy``.

        Each cell's object, colour and state codes (small integers, channels last as the
        env gives them or channels first as SB3 passes them on) are one-hot encoded (``codes`` values per channel; larger codes
        share the last slot), read by two 3x3 convolutions, and joined with a one-hot of
        the facing direction. Pass ``policy_kwargs={"features_extractor_class":
        GridViewCNN, "normalize_images": False}`` so SB3 neither rescales nor transposes
        the codes as if they were pixels.
        """

        def __init__(self, observation_space: spaces.Dict, features_dim: int = 128, channels: int = 32,
                     codes: int = 12):
            image = observation_space["image"]
            direction = observation_space["direction"]
            if not isinstance(image, spaces.Box) or len(image.shape) != 3:
                raise ValueError(f"GridViewCNN needs an (H, W, C) image Box, got {image}")
            if not isinstance(direction, spaces.Discrete):
                raise ValueError(f"GridViewCNN needs a Discrete direction, got {direction}")
            super().__init__(observation_space, features_dim)
            # SB3 transposes a channels-last image space to channels-first (VecTransposeImage)
            # before the policy sees it; read either layout.
            self.channels_first = image.shape[0] < image.shape[-1]
            depth, height, width = image.shape if self.channels_first else (image.shape[2], *image.shape[:2])
            self.directions = int(direction.n)
            self.codes = codes
            self.cnn = nn.Sequential(
                nn.Conv2d(depth * codes, channels, kernel_size=3, padding=1),
                nn.ReLU(),
                nn.Conv2d(channels, channels, kernel_size=3),
                nn.ReLU(),
                nn.Flatten(),
            )
            conv_size = channels * (height - 2) * (width - 2)
            self.head = nn.Sequential(nn.Linear(conv_size + self.directions, features_dim), nn.ReLU())

        def forward(self, observations: dict[str, torch.Tensor]) -> torch.Tensor:
            codes = observations["image"].long().clamp(0, self.codes - 1)
            if self.channels_first:
                codes = codes.permute(0, 2, 3, 1)
            batch, height, width, depth = codes.shape
            one_hot = nn.functional.one_hot(codes, self.codes).float()  # (B, H, W, C, codes)
            image = one_hot.reshape(batch, height, width, depth * self.codes).permute(0, 3, 1, 2)
            # SB3 hands a Discrete observation over already one-hot encoded.
            direction = observations["direction"].float().reshape(batch, -1)
            return self.head(torch.cat([self.cnn(image), direction], dim=1))

    return GridViewCNN


def __getattr__(name: str) -> Any:
    if name == "GridViewCNN":
        value = _build_grid_view_cnn()
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def success_rate(
    policy: Callable[[Any], int], env_id: str, seeds: Iterable[int], flatten: bool = True
) -> float:
    """Fraction of episodes on ``seeds`` that ``policy(observation) -> action`` solves.

    Each episode runs to termination or the registered time limit; success is the
    env's own ``info["success"]``.
    """
    env = make_grid_env(env_id, flatten=flatten)
    solved = played = 0
    try:
        for seed in seeds:
            observation, info = env.reset(seed=int(seed))
            terminated = truncated = False
            while not (terminated or truncated):
                observation, _, terminated, truncated, info = env.step(policy(observation))
            solved += bool(info["success"])
            played += 1
    finally:
        env.close()
    if not played:
        raise ValueError("success_rate needs at least one seed")
    return solved / played
