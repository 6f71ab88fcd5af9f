"""Family-specific behaviour of GridKeyDoor, GridMaze and GridMemory.

The registry-wide contract (check_env, determinism, pickling, the oracle on every
seed) lives in tests/envs/test_contract.py; these tests check what it cannot know.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import agentic_gym  # noqa: F401 - registers the envs
from agentic_gym.envs.grid.engine import (
    Action,
    Direction,
    Tile,
    distance_map,
    interact,
    step_towards,
    view_image,
)
from agentic_gym.envs.grid.keydoor import GridKeyDoor
from agentic_gym.envs.grid.maze import GridMaze, carve_maze, compass_reading
from agentic_gym.envs.grid.memory import GridMemory


def run_oracle(env):
    total, steps = 0.0, 0
    while True:
        _, reward, terminated, truncated, info = env.step(env.oracle_action())
        total += reward
        steps += 1
        if terminated or truncated:
            return total, steps, info


def test_keydoor_reward_follows_the_step_count():
    env = GridKeyDoor(size=8)
    env.reset(seed=11)
    total, steps, info = run_oracle(env)
    assert info["success"] and total == pytest.approx(1 - 0.9 * steps / env.max_steps)


def test_keydoor_layout_and_text():
    env = GridKeyDoor(size=6)
    obs, _ = env.reset(seed=2)
    world = env.world
    door_x, door_y = env.door
    assert world.grid[door_y, door_x, 0] == Tile.DOOR and (world.grid[:, door_x, 0] != Tile.FLOOR).all()
    ((key_x, key_y),) = world.find(Tile.KEY)
    assert key_x < door_x and world.agent_x < door_x
    assert world.grid[door_y, door_x, 1] == world.grid[key_y, key_x, 1]
    colour = obs["mission"].split()[3]
    assert f"the {colour} door" in obs["mission"]
    assert obs["text"].startswith("You face ") and obs["text"].endswith("You carry nothing.")


def test_keydoor_text_reports_what_the_agent_does():
    env = GridKeyDoor(size=8)
    env.reset(seed=0)
    obs, _, _, _, info = env.step(5)  # toggle, facing no door
    assert obs["text"].startswith("There is nothing here to open or close.") and not info["action_valid"]
    # Walk the oracle to the key: the step after pickup says so and lists what is carried.
    while True:
        action = env.oracle_action()
        obs, _, _, _, info = env.step(action)
        if action == Action.PICKUP:
            break
    assert (
        obs["text"].startswith("You pick it up.") and "You carry a " in obs["text"] and info["action_valid"]
    )


def test_maze_is_a_perfect_maze():
    rng = np.random.default_rng(4)
    for size in (5, 9, 21):
        rows = np.array(carve_maze(size, rng.random(size * size).tolist()))
        floors = int((rows == Tile.FLOOR).sum())
        cells = ((size - 1) // 2) ** 2
        # A spanning tree of the cells: every cell open, exactly cells - 1 passages between them.
        assert (rows[1::2, 1::2] == Tile.FLOOR).all() and floors == cells + cells - 1
        assert (rows[0] == Tile.WALL).all() and (rows[:, -1] == Tile.WALL).all()


def test_maze_goal_is_reachable_and_far():
    env = GridMaze(size=15)
    env.reset(seed=3)
    dist = distance_map(env.world, [(env.world.agent_x, env.world.agent_y)])
    gx, gy = env.goal
    assert env.world.grid[gy, gx, 0] == Tile.GOAL and dist[gy, gx] * 2 >= dist.max() > 0


def test_maze_tools_cost_a_step_and_change_nothing():
    env = GridMaze(size=9)
    obs, _ = env.reset(seed=1)
    before = (env.world.agent_x, env.world.agent_y, env.world.agent_dir, env.world.grid.copy())
    obs, reward, terminated, truncated, info = env.step(3)  # map
    assert env.steps == 1 and reward == 0 and info["action_valid"] and not terminated
    assert (env.world.agent_x, env.world.agent_y, env.world.agent_dir) == before[:3]
    assert np.array_equal(env.world.grid, before[3])
    lines = obs["text"].split("\n")
    assert lines[0].startswith("Map of what you have seen")
    minimap = lines[1 : 1 + env.size]
    assert minimap[env.world.agent_y][env.world.agent_x] == ">v<^"[env.world.agent_dir]
    # Unseen cells are blank on the map, seen walls are '#'.
    for y, row in enumerate(minimap):
        for x, char in enumerate(row.ljust(env.size)):
            if not env.seen[y, x]:
                assert char == " ", (x, y, char)
            elif env.world.grid[y, x, 0] == Tile.WALL:
                assert char == "#"
    obs, *_ = env.step(4)  # compass
    gx, gy = env.goal
    assert obs["text"].startswith(compass_reading(gx - env.world.agent_x, gy - env.world.agent_y))
    assert env.steps == 2


def test_maze_map_grows_as_the_agent_explores():
    env = GridMaze(size=21)
    env.reset(seed=0)
    seen_before = int(env.seen.sum())
    for _ in range(40):
        env.step(env.oracle_action())
    assert env.seen.sum() > seen_before > 0


def test_compass_words():
    assert compass_reading(0, -3) == "The goal lies north, 3.0 cells away as the crow flies: 3 north."
    assert compass_reading(-2, 2).startswith("The goal lies south-west, 2.8 cells")
    assert compass_reading(0, 0) == "You are on the goal."


@pytest.mark.parametrize("size", [7, 13])
def test_memory_touching_the_decoy_fails(size):
    env = GridMemory(size=size)
    env.reset(seed=7)
    world = env.world
    match, other = env.match, env.other
    assert world.grid[match[1], match[0]].tolist() != world.grid[other[1], other[0]].tolist()
    cue = world.grid[size // 2 - 1, 1].tolist()
    assert cue == world.grid[match[1], match[0]].tolist()
    # Walk to face the decoy, then touch it.
    dist = distance_map(world, [other])
    while (move := step_towards(world, dist, face=True)) is not None:
        _, reward, terminated, _, info = env.step(int(move))
        assert not terminated
    _, reward, terminated, truncated, info = env.step(int(Action.FORWARD))
    assert terminated and not info["success"] and reward == 0.0


def test_memory_oracle_touches_the_twin():
    env = GridMemory(size=13)
    env.reset(seed=4)
    total, steps, info = run_oracle(env)
    assert info["success"] and total > 0.9 and env.world.front() == env.match


def test_memory_cue_is_named_in_the_text_when_seen():
    env = GridMemory(size=7)
    obs, _ = env.reset(seed=0)
    world = env.world
    # Face the cue from the start room and read its description.
    for _ in range(4):
        if "ball" in obs["text"] or "key" in obs["text"]:
            break
        obs, *_ = env.step(0)
    tile = Tile(int(world.grid[world.height // 2 - 1, 1, 0])).name.lower()
    assert tile in obs["text"]


def test_render_frame_size_follows_tile_size():
    env = gym.make("agentic_gym/GridMaze-9x9-v0", render_mode="rgb_array", tile_size=16)
    env.reset(seed=0)
    assert env.render().shape == (9 * 16, 9 * 16, 3)


def test_interact_direction_table_matches_the_observation():
    env = GridKeyDoor(size=8)
    obs, _ = env.reset(seed=9)
    assert obs["direction"] == env.world.agent_dir
    interact(env.world, Action.RIGHT)
    obs, *_ = env.step(1)
    assert (
        obs["direction"] == (env.world.agent_dir) and Direction(obs["direction"]).name.lower() in obs["text"]
    )


@pytest.mark.parametrize(
    "env_id",
    ["agentic_gym/GridKeyDoor-6x6-v0", "agentic_gym/GridMaze-9x9-v0", "agentic_gym/GridMemory-S7-v0"],
)
def test_observations_match_a_fresh_look_at_the_world(env_id):
    # Failed actions and tools reuse the last view: it must still be what a fresh look gives.
    env = gym.make(env_id).unwrapped
    rng = np.random.default_rng(0)
    obs, _ = env.reset(seed=0)
    reused = 0
    for _ in range(300):
        obs, _, terminated, truncated, info = env.step(int(rng.integers(env.action_space.n)))
        reused += not info["action_valid"]
        view = env.look()
        assert np.array_equal(obs["image"], view_image(view))
        assert obs["text"].endswith(env.describe(view))
        if terminated or truncated:
            obs, _ = env.reset()
    assert reused > 0
