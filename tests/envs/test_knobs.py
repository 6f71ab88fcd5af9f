"""Typed difficulty knobs: one frozen, documented, validated record per env, the same as its Difficulty."""

from __future__ import annotations

import dataclasses

import gymnasium as gym
import pytest

import agentic_gym  # noqa: F401 - registers the envs
from agentic_gym.core.arguments import Knobs
from agentic_gym.difficulty import Difficulty, knobs_of
from agentic_gym.envs import registered_ids
from agentic_gym.envs.grid.knobs import (
    GridDecoyKeyDoorKnobs,
    GridKeyDoorKnobs,
    GridMazeKnobs,
    GridMemoryKnobs,
    GridSokobanKnobs,
)
from agentic_gym.envs.text import adventure_world as aw
from agentic_gym.envs.text.knobs import CodebreakerKnobs, RecallKnobs, TextAdventureKnobs
from agentic_gym.envs.tool.knobs import ToolMathKnobs, TravelDeskKnobs
from agentic_gym.envs.tool.quirky_desk import QuirkyTravelDeskKnobs

TYPED = [i for i in registered_ids() if isinstance(getattr(gym.make(i).unwrapped, "knobs", None), Knobs)]


def test_every_env_keeps_a_typed_record():
    untyped = {type(gym.make(i).unwrapped).__name__ for i in registered_ids()} - {
        type(gym.make(i).unwrapped).__name__ for i in TYPED}
    assert not untyped


@pytest.mark.parametrize("env_id", TYPED)
def test_the_record_is_the_difficulty_and_its_class_is_the_envs(env_id):
    env = gym.make(env_id)
    record = knobs_of(env)
    assert type(record) is type(env.unwrapped).Knobs and dataclasses.is_dataclass(record)
    difficulty = Difficulty.of(env)
    assert difficulty.knobs[:-1] == tuple((k, tuple(v) if isinstance(v, list) else v)
                                         for k, v in record.as_dict().items())
    assert env.unwrapped.difficulty_knobs() == record.as_dict()
    assert all(doc for doc in type(record).documentation().values())
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, next(iter(record.as_dict())), 3)
    assert type(record)(**record.as_dict()) == record


@pytest.mark.parametrize(("record", "kwargs", "error", "message"), [
    (GridKeyDoorKnobs, {"size": 4, "max_steps": 10, "view_size": 7}, ValueError, r"size must be an integer in \[5, 64\]"),
    (GridKeyDoorKnobs, {"size": 8, "max_steps": 0, "view_size": 7}, ValueError, r"max_steps must be an integer in \[1, "),
    (GridKeyDoorKnobs, {"size": 8, "max_steps": 9, "view_size": 6}, ValueError,
     r"view_size must be an odd integer in \[1, 11\]"),
    (GridKeyDoorKnobs, {"size": "8", "max_steps": 9, "view_size": 7}, TypeError, r"size must be an integer in \[5, 64\]"),
    (GridDecoyKeyDoorKnobs, {"size": 5, "max_steps": 10, "view_size": 7}, ValueError,
     r"size must be an integer in \[6, 64\]"),
    (GridMazeKnobs, {"size": 10, "max_steps": 10, "view_size": 7}, ValueError, r"size must be an odd integer in \[5, 63\]"),
    (GridMemoryKnobs, {"size": 5, "max_steps": 10, "view_size": 7}, ValueError,
     r"size must be an odd integer in \[7, 63\]"),
    (GridSokobanKnobs, {"size": 17, "boxes": 1, "view_radius": None, "max_steps": 9, "obstacles": None,
                        "min_pushes": None}, ValueError, r"size must be an integer in \[6, 16\]"),
    (GridSokobanKnobs, {"size": 6, "boxes": 3, "view_radius": None, "max_steps": 9, "obstacles": None,
                        "min_pushes": None}, ValueError, r"boxes must be an integer in \[1, 2\]"),
    (GridSokobanKnobs, {"size": 6, "boxes": 1, "view_radius": 6, "max_steps": 9, "obstacles": None,
                        "min_pushes": None}, ValueError, r"view_radius must be an integer in \[1, 5\]"),
    (RecallKnobs, {"facts": 201, "questions": 1, "corrections": 0, "hops": 1}, ValueError,
     r"facts must be an integer in 1\.\.200"),
    (RecallKnobs, {"facts": 5, "questions": 1, "corrections": 0, "hops": 3}, ValueError,
     r"hops must be an integer in 1\.\.2"),
    (CodebreakerKnobs, {"pegs": 4, "colours": 1, "words": False, "max_guesses": 10}, ValueError,
     r"colours must be an integer in 2\.\.8"),
    (CodebreakerKnobs, {"pegs": 6, "colours": 8, "words": False, "max_guesses": 10}, ValueError,
     r"colours \*\* pegs must be at most 32768"),
    (CodebreakerKnobs, {"pegs": 4, "colours": 6, "words": "no", "max_guesses": 10}, TypeError,
     r"words must be True or False"),
    (ToolMathKnobs, {"steps": 11, "domains": ("savings",), "fault_rate": 0.0, "tool_budget": None}, ValueError,
     r"steps must be an integer in 2\.\.10"),
    (ToolMathKnobs, {"steps": 4, "domains": ("poetry",), "fault_rate": 0.0, "tool_budget": None}, ValueError,
     r"domains must name at least one of"),
    (ToolMathKnobs, {"steps": 4, "domains": ("savings",), "fault_rate": 0.0, "tool_budget": 0}, ValueError,
     r"tool_budget must be an integer in 1\.\.10000"),
    (TravelDeskKnobs, {"difficulty": "insane", "n_cities": 6, "templates": None, "fault_rate": 0.0,
                       "tool_budget": None}, ValueError, r"difficulty must be one of 'easy', 'medium', 'hard', 'expert'"),
    (TravelDeskKnobs, {"difficulty": "easy", "n_cities": 3, "templates": None, "fault_rate": 0.0,
                       "tool_budget": None}, ValueError, r"n_cities must be an integer in 4\.\."),
    (TravelDeskKnobs, {"difficulty": "easy", "n_cities": 6, "templates": None, "fault_rate": 1.5,
                       "tool_budget": None}, ValueError, r"fault_rate must be a number in \[0\.0, 1\.0\)"),
    (QuirkyTravelDeskKnobs, {"difficulty": "easy", "n_cities": 6, "templates": ("meeting_count",), "fault_rate": 0.0,
                             "tool_budget": None}, ValueError, r"templates must name some of"),
    (TextAdventureKnobs, {"size": "2rooms", "rooms": 2, "goals": 1, "locks": 0, "distractors": 0, "decoy_keys": 0,
                          "progress_reward": 0.0}, ValueError, r"size must be one of '1room'"),
    (TextAdventureKnobs, {"size": "1room", "rooms": 5, "goals": 1, "locks": 0, "distractors": 0, "decoy_keys": 0,
                          "progress_reward": 0.0}, ValueError, r"rooms is set by size"),
])
def test_an_out_of_range_knob_is_refused_naming_its_range(record, kwargs, error, message):
    with pytest.raises(error, match=message):
        record(**kwargs)


def test_constructors_refuse_through_their_records():
    from agentic_gym.envs.grid.maze import GridMaze
    from agentic_gym.envs.text.recall import Recall
    from agentic_gym.envs.tool.travel_desk import TravelDesk

    with pytest.raises(ValueError, match=r"size must be an odd integer in \[5, 63\]"):
        GridMaze(size=10)
    with pytest.raises(ValueError, match=r"questions must be an integer in 1\.\.10"):
        Recall(questions=11)
    with pytest.raises(ValueError, match=r"tool_budget must be an integer in 1\.\.10000"):
        TravelDesk(tool_budget=0)


def test_the_adventure_record_matches_the_envs_difficulty():
    for size in aw.HOUSE_SIZES:
        env = gym.make("agentic_gym/TextAdventure-Trivial-v0", size=size, progress_reward=0.25)
        assert TextAdventureKnobs.resolve(size, 0.25).as_dict() == env.unwrapped.difficulty_knobs()
