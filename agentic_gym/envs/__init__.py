"""The registry: one flat table of every environment and its variants.

Each id is ``agentic_gym/<Name>-<Variant>-v0`` with its own string entry point;
size and difficulty live in the id and in ``kwargs``; ``max_episode_steps`` sets
the time limit.
"""

from __future__ import annotations

from gymnasium.envs.registration import register

# The PettingZoo multi-agent envs: names mapped to their ``<name>_v0`` modules.
from agentic_gym.envs.multi import MULTI_AGENT_ENVS as MULTI_AGENT_ENVS

_GRID = "agentic_gym.envs.grid"
_TEXT = "agentic_gym.envs.text"
_TOOL = "agentic_gym.envs.tool"

# fmt: off
# ---- grid family -------------------------------------------------------------
register(id="agentic_gym/GridKeyDoor-6x6-v0",   entry_point=f"{_GRID}.keydoor:GridKeyDoor", kwargs={"size": 6},  max_episode_steps=360, vector_entry_point=f"{_GRID}.vector:GridKeyDoorVector")
register(id="agentic_gym/GridKeyDoor-8x8-v0",   entry_point=f"{_GRID}.keydoor:GridKeyDoor", kwargs={"size": 8},  max_episode_steps=640, vector_entry_point=f"{_GRID}.vector:GridKeyDoorVector")
register(id="agentic_gym/GridKeyDoor-16x16-v0", entry_point=f"{_GRID}.keydoor:GridKeyDoor", kwargs={"size": 16}, max_episode_steps=2560, vector_entry_point=f"{_GRID}.vector:GridKeyDoorVector")
register(id="agentic_gym/GridMaze-9x9-v0",      entry_point=f"{_GRID}.maze:GridMaze",       kwargs={"size": 9},  max_episode_steps=324, vector_entry_point=f"{_GRID}.vector:GridMazeVector")
register(id="agentic_gym/GridMaze-15x15-v0",    entry_point=f"{_GRID}.maze:GridMaze",       kwargs={"size": 15}, max_episode_steps=900, vector_entry_point=f"{_GRID}.vector:GridMazeVector")
register(id="agentic_gym/GridMaze-21x21-v0",    entry_point=f"{_GRID}.maze:GridMaze",       kwargs={"size": 21}, max_episode_steps=1764, vector_entry_point=f"{_GRID}.vector:GridMazeVector")
register(id="agentic_gym/GridMemory-S7-v0",     entry_point=f"{_GRID}.memory:GridMemory",   kwargs={"size": 7},  max_episode_steps=245, vector_entry_point=f"{_GRID}.vector:GridMemoryVector")
register(id="agentic_gym/GridMemory-S13-v0",    entry_point=f"{_GRID}.memory:GridMemory",   kwargs={"size": 13}, max_episode_steps=845, vector_entry_point=f"{_GRID}.vector:GridMemoryVector")
register(id="agentic_gym/GridSokoban-6x6-v0",   entry_point=f"{_GRID}.sokoban:GridSokoban", kwargs={"size": 6, "boxes": 1},  max_episode_steps=120, vector_entry_point=f"{_GRID}.vector:GridSokobanVector")
register(id="agentic_gym/GridSokoban-8x8-v0",   entry_point=f"{_GRID}.sokoban:GridSokoban", kwargs={"size": 8, "boxes": 2},  max_episode_steps=160, vector_entry_point=f"{_GRID}.vector:GridSokobanVector")
register(id="agentic_gym/GridSokoban-10x10-v0", entry_point=f"{_GRID}.sokoban:GridSokoban", kwargs={"size": 10, "boxes": 3}, max_episode_steps=200, vector_entry_point=f"{_GRID}.vector:GridSokobanVector")
# The -Vision variants: the text names no cell, the agent sees its view as an image.
register(id="agentic_gym/GridKeyDoor-6x6-Vision-v0",   entry_point=f"{_GRID}.keydoor:GridKeyDoor", kwargs={"size": 6, "obs_mode": "image"},  max_episode_steps=360, vector_entry_point=f"{_GRID}.vector:GridKeyDoorVector")
register(id="agentic_gym/GridKeyDoor-8x8-Vision-v0",   entry_point=f"{_GRID}.keydoor:GridKeyDoor", kwargs={"size": 8, "obs_mode": "image"},  max_episode_steps=640, vector_entry_point=f"{_GRID}.vector:GridKeyDoorVector")
register(id="agentic_gym/GridKeyDoor-16x16-Vision-v0", entry_point=f"{_GRID}.keydoor:GridKeyDoor", kwargs={"size": 16, "obs_mode": "image"}, max_episode_steps=2560, vector_entry_point=f"{_GRID}.vector:GridKeyDoorVector")
register(id="agentic_gym/GridMaze-9x9-Vision-v0",      entry_point=f"{_GRID}.maze:GridMaze",       kwargs={"size": 9, "obs_mode": "image"},  max_episode_steps=324, vector_entry_point=f"{_GRID}.vector:GridMazeVector")
register(id="agentic_gym/GridMaze-15x15-Vision-v0",    entry_point=f"{_GRID}.maze:GridMaze",       kwargs={"size": 15, "obs_mode": "image"}, max_episode_steps=900, vector_entry_point=f"{_GRID}.vector:GridMazeVector")
register(id="agentic_gym/GridMaze-21x21-Vision-v0",    entry_point=f"{_GRID}.maze:GridMaze",       kwargs={"size": 21, "obs_mode": "image"}, max_episode_steps=1764, vector_entry_point=f"{_GRID}.vector:GridMazeVector")
register(id="agentic_gym/GridMemory-S7-Vision-v0",     entry_point=f"{_GRID}.memory:GridMemory",   kwargs={"size": 7, "obs_mode": "image"},  max_episode_steps=245, vector_entry_point=f"{_GRID}.vector:GridMemoryVector")
register(id="agentic_gym/GridMemory-S13-Vision-v0",    entry_point=f"{_GRID}.memory:GridMemory",   kwargs={"size": 13, "obs_mode": "image"}, max_episode_steps=845, vector_entry_point=f"{_GRID}.vector:GridMemoryVector")
register(id="agentic_gym/GridSokoban-6x6-Vision-v0",   entry_point=f"{_GRID}.sokoban:GridSokoban", kwargs={"size": 6, "boxes": 1, "obs_mode": "image"},  max_episode_steps=120, vector_entry_point=f"{_GRID}.vector:GridSokobanVector")
register(id="agentic_gym/GridSokoban-8x8-Vision-v0",   entry_point=f"{_GRID}.sokoban:GridSokoban", kwargs={"size": 8, "boxes": 2, "obs_mode": "image"},  max_episode_steps=160, vector_entry_point=f"{_GRID}.vector:GridSokobanVector")
register(id="agentic_gym/GridSokoban-10x10-Vision-v0", entry_point=f"{_GRID}.sokoban:GridSokoban", kwargs={"size": 10, "boxes": 3, "obs_mode": "image"}, max_episode_steps=200, vector_entry_point=f"{_GRID}.vector:GridSokobanVector")
# Self-improvement: a rule no single episode states, learnt across Trials of one seed.
# (No native vector env: the batched engine does not know the decoy's rule.)
register(id="agentic_gym/GridDecoyKeyDoor-6x6-v0", entry_point=f"{_GRID}.decoy_keydoor:GridDecoyKeyDoor", kwargs={"size": 6}, max_episode_steps=360)
register(id="agentic_gym/GridDecoyKeyDoor-8x8-v0", entry_point=f"{_GRID}.decoy_keydoor:GridDecoyKeyDoor", kwargs={"size": 8}, max_episode_steps=640)
# Its tiers (the decoy needs a room of at least 6x6).
register(id="agentic_gym/GridDecoyKeyDoor-Trivial-v0", entry_point=f"{_GRID}.decoy_keydoor:GridDecoyKeyDoor", kwargs={"size": 6},  max_episode_steps=360)
register(id="agentic_gym/GridDecoyKeyDoor-Easy-v0",    entry_point=f"{_GRID}.decoy_keydoor:GridDecoyKeyDoor", kwargs={"size": 7},  max_episode_steps=490)
register(id="agentic_gym/GridDecoyKeyDoor-Medium-v0",  entry_point=f"{_GRID}.decoy_keydoor:GridDecoyKeyDoor", kwargs={"size": 8},  max_episode_steps=640)
register(id="agentic_gym/GridDecoyKeyDoor-Hard-v0",    entry_point=f"{_GRID}.decoy_keydoor:GridDecoyKeyDoor", kwargs={"size": 12}, max_episode_steps=1440)
register(id="agentic_gym/GridDecoyKeyDoor-Expert-v0",  entry_point=f"{_GRID}.decoy_keydoor:GridDecoyKeyDoor", kwargs={"size": 16}, max_episode_steps=2560)
# ---- text family -------------------------------------------------------------
register(id="agentic_gym/TextAdventure-3rooms-v0",  entry_point=f"{_TEXT}.adventure:TextAdventure", kwargs={"size": "3rooms"},  max_episode_steps=50)
register(id="agentic_gym/TextAdventure-6rooms-v0",  entry_point=f"{_TEXT}.adventure:TextAdventure", kwargs={"size": "6rooms"},  max_episode_steps=150)
register(id="agentic_gym/TextAdventure-12rooms-v0", entry_point=f"{_TEXT}.adventure:TextAdventure", kwargs={"size": "12rooms"}, max_episode_steps=400)
# Self-improvement: which key opens which lock is a per-seed rule, learnt across Trials of one seed.
register(id="agentic_gym/TextAdventure-HiddenRules-3rooms-v0",  entry_point=f"{_TEXT}.adventure_hidden_rules:HiddenRulesAdventure", kwargs={"size": "3rooms"},  max_episode_steps=60)
register(id="agentic_gym/TextAdventure-HiddenRules-6rooms-v0",  entry_point=f"{_TEXT}.adventure_hidden_rules:HiddenRulesAdventure", kwargs={"size": "6rooms"},  max_episode_steps=150)
register(id="agentic_gym/TextAdventure-HiddenRules-Trivial-v0", entry_point=f"{_TEXT}.adventure_hidden_rules:HiddenRulesAdventure", kwargs={"size": "1room"},   max_episode_steps=30)
register(id="agentic_gym/TextAdventure-HiddenRules-Easy-v0",    entry_point=f"{_TEXT}.adventure_hidden_rules:HiddenRulesAdventure", kwargs={"size": "3rooms"},  max_episode_steps=60)
register(id="agentic_gym/TextAdventure-HiddenRules-Medium-v0",  entry_point=f"{_TEXT}.adventure_hidden_rules:HiddenRulesAdventure", kwargs={"size": "6rooms"},  max_episode_steps=150)
register(id="agentic_gym/TextAdventure-HiddenRules-Hard-v0",    entry_point=f"{_TEXT}.adventure_hidden_rules:HiddenRulesAdventure", kwargs={"size": "12rooms"}, max_episode_steps=400)
register(id="agentic_gym/TextAdventure-HiddenRules-Expert-v0",  entry_point=f"{_TEXT}.adventure_hidden_rules:HiddenRulesAdventure", kwargs={"size": "24rooms"}, max_episode_steps=1000)
register(id="agentic_gym/Recall-5facts-v0",            entry_point=f"{_TEXT}.recall:Recall", kwargs={"facts": 5, "questions": 1},                                max_episode_steps=12)
register(id="agentic_gym/Recall-20facts-updates-v0",    entry_point=f"{_TEXT}.recall:Recall", kwargs={"facts": 20, "questions": 3, "corrections": 4},             max_episode_steps=46)
register(id="agentic_gym/Recall-60facts-multihop-v0",   entry_point=f"{_TEXT}.recall:Recall", kwargs={"facts": 60, "questions": 5, "corrections": 6, "hops": 2}, max_episode_steps=130)
register(id="agentic_gym/Codebreaker-4x6-v0",   entry_point=f"{_TEXT}.codebreaker:Codebreaker", kwargs={"pegs": 4, "colours": 6, "max_guesses": 10}, max_episode_steps=30)
register(id="agentic_gym/Codebreaker-5x8-v0",   entry_point=f"{_TEXT}.codebreaker:Codebreaker", kwargs={"pegs": 5, "colours": 8, "max_guesses": 12}, max_episode_steps=36)
register(id="agentic_gym/Codebreaker-words-v0", entry_point=f"{_TEXT}.codebreaker:Codebreaker", kwargs={"words": True, "max_guesses": 6},          max_episode_steps=18)
# ---- tool family -------------------------------------------------------------
register(id="agentic_gym/TravelDesk-Easy-v0",   entry_point=f"{_TOOL}.travel_desk:TravelDesk", kwargs={"difficulty": "easy"},                      max_episode_steps=20)
register(id="agentic_gym/TravelDesk-Medium-v0", entry_point=f"{_TOOL}.travel_desk:TravelDesk", kwargs={"difficulty": "medium"},                    max_episode_steps=30)
register(id="agentic_gym/TravelDesk-Hard-v0",   entry_point=f"{_TOOL}.travel_desk:TravelDesk", kwargs={"difficulty": "hard", "tool_budget": 12},   max_episode_steps=40)
register(id="agentic_gym/TravelDesk-Flaky-v0",  entry_point=f"{_TOOL}.travel_desk:TravelDesk", kwargs={"difficulty": "medium", "fault_rate": 0.2}, max_episode_steps=50)
register(id="agentic_gym/TravelDesk-Quirks-Easy-v0",   entry_point=f"{_TOOL}.quirky_desk:QuirkyTravelDesk", kwargs={"difficulty": "easy", "templates": ("high_fahrenheit", "cheapest_flight")}, max_episode_steps=20)
register(id="agentic_gym/TravelDesk-Quirks-Medium-v0", entry_point=f"{_TOOL}.quirky_desk:QuirkyTravelDesk", kwargs={"difficulty": "medium"},                                                           max_episode_steps=30)
register(id="agentic_gym/TravelDesk-Quirks-Trivial-v0", entry_point=f"{_TOOL}.quirky_desk:QuirkyTravelDesk", kwargs={"difficulty": "easy", "n_cities": 4, "templates": ("high_fahrenheit",)},      max_episode_steps=10)
register(id="agentic_gym/TravelDesk-Quirks-Hard-v0",    entry_point=f"{_TOOL}.quirky_desk:QuirkyTravelDesk", kwargs={"difficulty": "hard", "templates": ("low_at_meeting", "hotel_at_meeting"), "tool_budget": 6}, max_episode_steps=30)
register(id="agentic_gym/ToolMath-2step-v0",    entry_point=f"{_TOOL}.tool_math:ToolMath",     kwargs={"steps": 2}, max_episode_steps=10)
register(id="agentic_gym/ToolMath-4step-v0",    entry_point=f"{_TOOL}.tool_math:ToolMath",     kwargs={"steps": 4}, max_episode_steps=15)
register(id="agentic_gym/ToolMath-6step-v0",    entry_point=f"{_TOOL}.tool_math:ToolMath",     kwargs={"steps": 6}, max_episode_steps=20)
# ---- difficulty tiers ------------------------------------------------------------
# Every env has five tiers, -Trivial (a small model can learn it: one room, one lookup,
# a goal a few steps away) to -Expert (far from solved); see docs/design.md, "Difficulty".
register(id="agentic_gym/GridKeyDoor-Trivial-v0", entry_point=f"{_GRID}.keydoor:GridKeyDoor", kwargs={"size": 5},  max_episode_steps=250, vector_entry_point=f"{_GRID}.vector:GridKeyDoorVector")
register(id="agentic_gym/GridKeyDoor-Easy-v0",    entry_point=f"{_GRID}.keydoor:GridKeyDoor", kwargs={"size": 6},  max_episode_steps=360, vector_entry_point=f"{_GRID}.vector:GridKeyDoorVector")
register(id="agentic_gym/GridKeyDoor-Medium-v0",  entry_point=f"{_GRID}.keydoor:GridKeyDoor", kwargs={"size": 8},  max_episode_steps=640, vector_entry_point=f"{_GRID}.vector:GridKeyDoorVector")
register(id="agentic_gym/GridKeyDoor-Hard-v0",    entry_point=f"{_GRID}.keydoor:GridKeyDoor", kwargs={"size": 12}, max_episode_steps=1440, vector_entry_point=f"{_GRID}.vector:GridKeyDoorVector")
register(id="agentic_gym/GridKeyDoor-Expert-v0",  entry_point=f"{_GRID}.keydoor:GridKeyDoor", kwargs={"size": 20}, max_episode_steps=4000, vector_entry_point=f"{_GRID}.vector:GridKeyDoorVector")
register(id="agentic_gym/GridMaze-Trivial-v0",    entry_point=f"{_GRID}.maze:GridMaze",       kwargs={"size": 5},  max_episode_steps=100, vector_entry_point=f"{_GRID}.vector:GridMazeVector")
register(id="agentic_gym/GridMaze-Easy-v0",       entry_point=f"{_GRID}.maze:GridMaze",       kwargs={"size": 9},  max_episode_steps=324, vector_entry_point=f"{_GRID}.vector:GridMazeVector")
register(id="agentic_gym/GridMaze-Medium-v0",     entry_point=f"{_GRID}.maze:GridMaze",       kwargs={"size": 15}, max_episode_steps=900, vector_entry_point=f"{_GRID}.vector:GridMazeVector")
register(id="agentic_gym/GridMaze-Hard-v0",       entry_point=f"{_GRID}.maze:GridMaze",       kwargs={"size": 21}, max_episode_steps=1764, vector_entry_point=f"{_GRID}.vector:GridMazeVector")
register(id="agentic_gym/GridMaze-Expert-v0",     entry_point=f"{_GRID}.maze:GridMaze",       kwargs={"size": 31}, max_episode_steps=3844, vector_entry_point=f"{_GRID}.vector:GridMazeVector")
register(id="agentic_gym/GridMemory-Trivial-v0",  entry_point=f"{_GRID}.memory:GridMemory",   kwargs={"size": 7},  max_episode_steps=245, vector_entry_point=f"{_GRID}.vector:GridMemoryVector")
register(id="agentic_gym/GridMemory-Easy-v0",     entry_point=f"{_GRID}.memory:GridMemory",   kwargs={"size": 9},  max_episode_steps=405, vector_entry_point=f"{_GRID}.vector:GridMemoryVector")
register(id="agentic_gym/GridMemory-Medium-v0",   entry_point=f"{_GRID}.memory:GridMemory",   kwargs={"size": 13}, max_episode_steps=845, vector_entry_point=f"{_GRID}.vector:GridMemoryVector")
register(id="agentic_gym/GridMemory-Hard-v0",     entry_point=f"{_GRID}.memory:GridMemory",   kwargs={"size": 17}, max_episode_steps=1445, vector_entry_point=f"{_GRID}.vector:GridMemoryVector")
register(id="agentic_gym/GridMemory-Expert-v0",   entry_point=f"{_GRID}.memory:GridMemory",   kwargs={"size": 21}, max_episode_steps=2205, vector_entry_point=f"{_GRID}.vector:GridMemoryVector")
register(id="agentic_gym/GridSokoban-Trivial-v0", entry_point=f"{_GRID}.sokoban:GridSokoban", kwargs={"size": 6, "boxes": 1},  max_episode_steps=120, vector_entry_point=f"{_GRID}.vector:GridSokobanVector")
register(id="agentic_gym/GridSokoban-Easy-v0",    entry_point=f"{_GRID}.sokoban:GridSokoban", kwargs={"size": 7, "boxes": 2},  max_episode_steps=140, vector_entry_point=f"{_GRID}.vector:GridSokobanVector")
register(id="agentic_gym/GridSokoban-Medium-v0",  entry_point=f"{_GRID}.sokoban:GridSokoban", kwargs={"size": 8, "boxes": 2},  max_episode_steps=160, vector_entry_point=f"{_GRID}.vector:GridSokobanVector")
register(id="agentic_gym/GridSokoban-Hard-v0",    entry_point=f"{_GRID}.sokoban:GridSokoban", kwargs={"size": 10, "boxes": 3}, max_episode_steps=200, vector_entry_point=f"{_GRID}.vector:GridSokobanVector")
register(id="agentic_gym/GridSokoban-Expert-v0",  entry_point=f"{_GRID}.sokoban:GridSokoban", kwargs={"size": 12, "boxes": 4}, max_episode_steps=480, vector_entry_point=f"{_GRID}.vector:GridSokobanVector")
register(id="agentic_gym/TextAdventure-Trivial-v0", entry_point=f"{_TEXT}.adventure:TextAdventure", kwargs={"size": "1room"},   max_episode_steps=20)
register(id="agentic_gym/TextAdventure-Easy-v0",    entry_point=f"{_TEXT}.adventure:TextAdventure", kwargs={"size": "3rooms"},  max_episode_steps=50)
register(id="agentic_gym/TextAdventure-Medium-v0",  entry_point=f"{_TEXT}.adventure:TextAdventure", kwargs={"size": "6rooms"},  max_episode_steps=150)
register(id="agentic_gym/TextAdventure-Hard-v0",    entry_point=f"{_TEXT}.adventure:TextAdventure", kwargs={"size": "12rooms"}, max_episode_steps=400)
register(id="agentic_gym/TextAdventure-Expert-v0",  entry_point=f"{_TEXT}.adventure:TextAdventure", kwargs={"size": "24rooms"}, max_episode_steps=1000)
register(id="agentic_gym/Recall-Trivial-v0", entry_point=f"{_TEXT}.recall:Recall", kwargs={"facts": 1, "questions": 1},                                     max_episode_steps=4)
register(id="agentic_gym/Recall-Easy-v0",    entry_point=f"{_TEXT}.recall:Recall", kwargs={"facts": 5, "questions": 1},                                     max_episode_steps=12)
register(id="agentic_gym/Recall-Medium-v0",  entry_point=f"{_TEXT}.recall:Recall", kwargs={"facts": 20, "questions": 3, "corrections": 4},                  max_episode_steps=46)
register(id="agentic_gym/Recall-Hard-v0",    entry_point=f"{_TEXT}.recall:Recall", kwargs={"facts": 60, "questions": 5, "corrections": 6, "hops": 2},       max_episode_steps=130)
register(id="agentic_gym/Recall-Expert-v0",  entry_point=f"{_TEXT}.recall:Recall", kwargs={"facts": 200, "questions": 10, "corrections": 60, "hops": 2},   max_episode_steps=420)
register(id="agentic_gym/Codebreaker-Trivial-v0", entry_point=f"{_TEXT}.codebreaker:Codebreaker", kwargs={"pegs": 1, "colours": 3, "max_guesses": 3},  max_episode_steps=9)
register(id="agentic_gym/Codebreaker-Easy-v0",    entry_point=f"{_TEXT}.codebreaker:Codebreaker", kwargs={"pegs": 3, "colours": 4, "max_guesses": 8},  max_episode_steps=24)
register(id="agentic_gym/Codebreaker-Medium-v0",  entry_point=f"{_TEXT}.codebreaker:Codebreaker", kwargs={"pegs": 4, "colours": 6, "max_guesses": 10}, max_episode_steps=30)
register(id="agentic_gym/Codebreaker-Hard-v0",    entry_point=f"{_TEXT}.codebreaker:Codebreaker", kwargs={"pegs": 5, "colours": 8, "max_guesses": 12}, max_episode_steps=36)
register(id="agentic_gym/Codebreaker-Expert-v0",  entry_point=f"{_TEXT}.codebreaker:Codebreaker", kwargs={"pegs": 5, "colours": 8, "max_guesses": 8},  max_episode_steps=24)
register(id="agentic_gym/TravelDesk-Trivial-v0", entry_point=f"{_TOOL}.travel_desk:TravelDesk", kwargs={"difficulty": "easy", "n_cities": 4, "templates": ("weather_condition", "high_fahrenheit", "meeting_count")}, max_episode_steps=10)
register(id="agentic_gym/TravelDesk-Expert-v0",  entry_point=f"{_TOOL}.travel_desk:TravelDesk", kwargs={"difficulty": "expert", "tool_budget": 14}, max_episode_steps=50)
register(id="agentic_gym/ToolMath-Trivial-v0", entry_point=f"{_TOOL}.tool_math:ToolMath", kwargs={"steps": 2}, max_episode_steps=10)
register(id="agentic_gym/ToolMath-Easy-v0",    entry_point=f"{_TOOL}.tool_math:ToolMath", kwargs={"steps": 3}, max_episode_steps=12)
register(id="agentic_gym/ToolMath-Medium-v0",  entry_point=f"{_TOOL}.tool_math:ToolMath", kwargs={"steps": 4}, max_episode_steps=15)
register(id="agentic_gym/ToolMath-Hard-v0",    entry_point=f"{_TOOL}.tool_math:ToolMath", kwargs={"steps": 6}, max_episode_steps=20)
register(id="agentic_gym/ToolMath-Expert-v0",  entry_point=f"{_TOOL}.tool_math:ToolMath", kwargs={"steps": 9}, max_episode_steps=25)
# fmt: on


def registered_ids() -> tuple[str, ...]:
    """Every single-agent id this package registers, in registration order."""
    from gymnasium.envs.registration import registry

    return tuple(env_id for env_id in registry if env_id.startswith("agentic_gym/"))


ENV_IDS = registered_ids()
