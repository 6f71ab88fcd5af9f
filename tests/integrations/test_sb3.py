"""Stable-Baselines3 learns a grid env: a small PPO budget beats random on held-out seeds.

Needs the ``sb3`` extra (CPU ``torch==2.13.0`` first); skipped without it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("stable_baselines3")
torch = pytest.importorskip("torch")
integration = pytest.importorskip("agentic_gym.integrations.sb3")

ENV_ID = "agentic_gym/GridKeyDoor-6x6-v0"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sb3_ppo_grid.py"


def test_the_example_trains_ppo_well_above_random_on_held_out_seeds() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), "--timesteps", "60000", "--eval-episodes", "60"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "SDL_VIDEODRIVER": "dummy"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r"trained ([\d.]+)%, random ([\d.]+)%", result.stdout)
    assert found, result.stdout
    trained, random = (float(x) / 100 for x in found.groups())
    assert trained >= random + 0.3, result.stdout
    assert trained >= 0.5, result.stdout


def test_grid_view_cnn_trains_and_reads_either_image_layout() -> None:
    from gymnasium import spaces
    from stable_baselines3 import PPO

    env = integration.make_grid_env(ENV_ID, flatten=False)
    model = PPO("MultiInputPolicy", env, n_steps=64, batch_size=64, n_epochs=1, device="cpu", seed=0,
                policy_kwargs={"features_extractor_class": integration.GridViewCNN, "normalize_images": False})
    model.learn(total_timesteps=64)
    observation, _ = env.reset(seed=0)
    action, _ = model.predict(observation, deterministic=True)
    assert env.action_space.contains(int(action))

    channels_last = env.observation_space
    image = channels_last["image"]
    channels_first = spaces.Dict({
        "image": spaces.Box(0, 255, (image.shape[2], *image.shape[:2]), np.uint8),
        "direction": channels_last["direction"],
    })
    last, first = integration.GridViewCNN(channels_last), integration.GridViewCNN(channels_first)
    first.load_state_dict(last.state_dict())
    view = torch.as_tensor(observation["image"][None])
    direction = torch.nn.functional.one_hot(torch.tensor([observation["direction"]]), 4)
    features = last({"image": view, "direction": direction})
    assert features.shape == (1, last.features_dim)
    transposed = first({"image": view.permute(0, 3, 1, 2), "direction": direction})
    assert torch.equal(features, transposed)


def test_grid_view_cnn_refuses_other_observations() -> None:
    from gymnasium import spaces

    with pytest.raises(ValueError, match="image"):
        integration.GridViewCNN(spaces.Dict({"image": spaces.Box(0, 1, (4,)), "direction": spaces.Discrete(4)}))


def test_success_rate_counts_the_envs_own_success() -> None:
    spinning = integration.success_rate(lambda obs: 0, ENV_ID, range(2))  # action 0 turns left
    assert spinning == 0.0
    with pytest.raises(ValueError, match="at least one seed"):
        integration.success_rate(lambda obs: 0, ENV_ID, [])
