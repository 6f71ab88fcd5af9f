"""Human play driven by scripts: typed commands for text envs, posted key events for grid envs."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import pygame
import pytest

from agentic_gym.envs import registered_ids
from agentic_gym.play import key_bindings, play_terminal, play_window
from agentic_gym.replay import replay
from tests.stub_envs import GRID_ID, TEXT_ID

REPO = Path(__file__).resolve().parents[1]


def oracle_plan(env_id: str, seed: int, limit: int = 60) -> list:
    """The oracle's actions for one episode of ``env_id`` from ``seed``."""
    env = gym.make(env_id)
    env.reset(seed=seed)
    plan = []
    for _ in range(limit):
        action = env.unwrapped.oracle_action()
        plan.append(action)
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            break
    env.close()
    return plan


def test_key_bindings_give_every_action_one_distinct_key():
    names = ["left", "right", "forward", "pickup", "drop", "toggle", "done", "map", "compass"]
    bindings = key_bindings(names)
    assert sorted(bindings.values()) == list(range(len(names)))
    assert bindings["up"] == names.index("forward")
    assert bindings["left"] == 0 and bindings["right"] == 1 and "down" not in bindings
    assert bindings["m"] == names.index("map") and bindings["c"] == names.index("compass")
    crowded = key_bindings([f"a{i}" for i in range(30)])
    assert len(set(crowded)) == len(crowded) == 30


def test_terminal_play_with_a_scripted_stream():
    plan = oracle_plan(TEXT_ID, seed=3)
    script = ["help", "hint", "", "jump over the moon"] + plan + ["go left", "reset", "wait", "quit", "wait"]
    output = io.StringIO()
    episodes = play_terminal(gym.make(TEXT_ID), seed=3, input_stream=io.StringIO("\n".join(script) + "\n"),
                             output=output)
    text = output.getvalue()
    assert "go <direction>" in text or "go(direction" in text  # help shows the usage of go
    assert "Walk one step." in text and "Do nothing for a step." in text
    assert f"hint: {plan[0]}" in text
    assert "[reward 0, invalid action]" in text
    assert "Episode solved" in text and "The episode is over" in text
    assert len(episodes) == 2
    assert episodes[0].success and episodes[0].steps == len(plan) + 1 and episodes[0].total_reward == 1.0
    assert episodes[1].steps == 1  # "wait" after quit was never read


def test_play_command_reads_stdin_and_records_a_replayable_episode(tmp_path):
    plan = oracle_plan(TEXT_ID, seed=5)
    script = (
        "import sys\nimport tests.stub_envs\nfrom agentic_gym.cli import main\n"
        f"sys.exit(main(['play', {TEXT_ID!r}, '--seed', '5', '--record', {str(tmp_path)!r}]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input="help\n" + "\n".join(plan) + "\nquit\n", capture_output=True,
        text=True, cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Episode solved" in done.stdout and "1 episode(s) played, 1 solved." in done.stdout
    result = replay(tmp_path / "episode-0000.jsonl")
    assert [s["action"] for s in result.episode.steps] == plan
    assert result.episode.header["seed"] == 5 and result.episode.end["success"] is True


def test_play_command_refuses_an_unknown_env(capsys):
    from agentic_gym.cli import main

    assert main(["play", "NoSuchEnv-v0"]) == 2
    assert "unknown env" in capsys.readouterr().err


def key_codes(names: list[str]) -> dict[int, int]:
    """Action index -> the pygame key code that plays it."""
    arrows = {"up": pygame.K_UP, "down": pygame.K_DOWN, "left": pygame.K_LEFT, "right": pygame.K_RIGHT}
    return {index: arrows.get(key) or getattr(pygame, f"K_{key}") for key, index in key_bindings(names).items()}


def post_keys(keys: list[int]) -> None:
    pygame.display.init()
    pygame.event.clear()
    for key in keys:
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key))


def test_window_play_with_posted_key_events():
    names = [a.name for a in gym.make(GRID_ID).unwrapped.affordances]
    code = key_codes(names)
    plan = oracle_plan(GRID_ID, seed=8)
    # "stay" (a letter key), the oracle's moves, a key ignored after the end, a new episode, one move, Esc.
    post_keys([code[4]] + [code[a] for a in plan] + [code[0], pygame.K_RETURN, code[1], pygame.K_ESCAPE, code[2]])
    env = gym.make(GRID_ID, render_mode="rgb_array")
    episodes = play_window(env, seed=8, max_events=200)
    env.close()
    assert not pygame.display.get_init()
    assert [e.steps for e in episodes] == [len(plan) + 1, 1]
    assert episodes[0].success and episodes[0].total_reward == 1.0 and not episodes[1].ended


@pytest.mark.parametrize("env_id", [i for i in registered_ids() if "Grid" in i][:1])
def test_window_play_solves_a_registered_grid_env(env_id):
    env = gym.make(env_id, render_mode="rgb_array")
    names = [a.name for a in env.unwrapped.affordances]
    code = key_codes(names)
    plan = oracle_plan(env_id, seed=0, limit=500)
    post_keys([code[int(a)] for a in plan] + [pygame.K_ESCAPE])
    episodes = play_window(env, seed=0)
    env.close()
    assert episodes[0].success and episodes[0].steps == len(plan)


def test_without_a_display_grid_play_falls_back_to_the_terminal():
    script = (
        "import sys\nimport tests.stub_envs\nfrom agentic_gym.cli import main\n"
        f"sys.exit(main(['play', {GRID_ID!r}, '--seed', '1']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input="help\nup\nquit\n", capture_output=True, text=True, cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO), SDL_VIDEODRIVER="no-such-driver"), timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "playing in the terminal instead" in done.stderr
    assert "Move up." in done.stdout and "Step 1:" in done.stdout
