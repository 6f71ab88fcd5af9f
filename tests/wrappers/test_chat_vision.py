"""The chat layer and perception: a -Vision env is seen through its own view, never the map."""

from __future__ import annotations

import base64
import io
import warnings

import numpy as np
from gymnasium.utils.env_checker import check_env
from PIL import Image

import agentic_gym
from agentic_gym.envs.grid.engine import Tile


def image_parts(messages: list) -> list[np.ndarray]:
    frames = []
    for message in messages:
        content = message["content"]
        if isinstance(content, list):
            for part in content:
                if part.get("type") == "image_url":
                    data = part["image_url"]["url"].split(",", 1)[1]
                    frames.append(np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")))
    return frames


def test_a_vision_env_attaches_its_agent_view_by_default():
    env = agentic_gym.chat("agentic_gym/GridKeyDoor-6x6-Vision-v0")
    messages, _ = env.reset(seed=0)
    (frame,) = image_parts(messages)
    base = env.base_env.unwrapped
    assert np.array_equal(frame, base.agent_view_frame())
    assert frame.shape == (base.view_size * base.tile_size,) * 2 + (3,)
    messages, *_ = env.step("left")
    assert np.array_equal(image_parts(messages)[-1], base.agent_view_frame())
    # The text names no cell, the image carries them.
    assert "You see your view in the image." in str(messages[-1]["content"])


def test_a_words_env_attaches_no_image_unless_asked():
    plain = agentic_gym.chat("agentic_gym/GridKeyDoor-6x6-v0")
    assert image_parts(plain.reset(seed=0)[0]) == []
    asked = agentic_gym.chat("agentic_gym/GridKeyDoor-6x6-v0", include_image=True)
    (frame,) = image_parts(asked.reset(seed=0)[0])
    assert np.array_equal(frame, asked.base_env.unwrapped.agent_view_frame())
    declined = agentic_gym.chat("agentic_gym/GridKeyDoor-6x6-Vision-v0", include_image=False)
    assert image_parts(declined.reset(seed=0)[0]) == []


def test_the_prompt_image_never_shows_an_unseen_cell():
    env = agentic_gym.chat("agentic_gym/GridKeyDoor-8x8-Vision-v0")
    messages, _ = env.reset(seed=0)
    base = env.base_env.unwrapped
    before = image_parts(messages)[0]
    # Move the goal, which this seed's first view does not show, and look again.
    (gx, gy), = base.world.find(Tile.GOAL)
    assert not base.view.visible[base.view.index == gy * base.width + gx].any()
    base.world.place(gx, gy, Tile.FLOOR)
    base.world.place(gx - 1, gy, Tile.GOAL)
    messages, *_ = env.step("done")
    assert np.array_equal(image_parts(messages)[-1], before)


def test_a_vision_chat_env_passes_check_env():
    env = agentic_gym.chat("agentic_gym/GridMaze-9x9-Vision-v0")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env, skip_render_check=True)
