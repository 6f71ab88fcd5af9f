"""One line per registered env: what the agent must do (the README's catalogue, printed by `agentic-gym list`)."""

from __future__ import annotations

#: Env id -> a one-line description of the task; ``tests/test_readme.py`` keeps it equal to the README.
DESCRIPTIONS: dict[str, str] = {
    'agentic_gym/GridKeyDoor-6x6-v0': 'find the key, unlock the door of its colour, reach the goal behind it',
    'agentic_gym/GridKeyDoor-8x8-v0': 'find the key, unlock the door of its colour, reach the goal behind it',
    'agentic_gym/GridKeyDoor-16x16-v0': 'find the key, unlock the door of its colour, reach the goal behind it',
    'agentic_gym/GridMaze-9x9-v0': 'reach the goal of a fog-of-war maze; `map` and `compass` tools cost a step',
    'agentic_gym/GridMaze-15x15-v0': 'reach the goal of a fog-of-war maze; `map` and `compass` tools cost a step',
    'agentic_gym/GridMaze-21x21-v0': 'reach the goal of a fog-of-war maze; `map` and `compass` tools cost a step',
    'agentic_gym/GridMemory-S7-v0': 'see a cue object, walk the corridor, touch the matching object',
    'agentic_gym/GridMemory-S13-v0': 'see a cue object, walk the corridor, touch the matching object',
    'agentic_gym/GridSokoban-6x6-v0': 'push every crate onto a target (1 crate); no undo, levels made by reverse play',
    'agentic_gym/GridSokoban-8x8-v0': 'push every crate onto a target (2 crates); no undo, levels made by reverse play',
    'agentic_gym/GridSokoban-10x10-v0': 'push every crate onto a target (3 crates); no undo, levels made by reverse play',
    'agentic_gym/TextAdventure-3rooms-v0': 'explore 3 rooms behind closed and locked doors; find keys, open containers, carry out a 1-placement quest',
    'agentic_gym/TextAdventure-6rooms-v0': 'explore 6 rooms behind closed and locked doors; find keys, open containers, carry out a 3-placement quest',
    'agentic_gym/TextAdventure-12rooms-v0': 'explore 12 rooms behind closed and locked doors; find keys, open containers, carry out a 6-placement quest',
    'agentic_gym/Recall-5facts-v0': 'hear 5 facts one per turn (only the current one is shown), then answer 1 question about them',
    'agentic_gym/Recall-20facts-updates-v0': 'hear 20 items including 4 corrections that overwrite earlier facts, then answer 3 questions with the latest values',
    'agentic_gym/Recall-60facts-multihop-v0': 'hear 60 items with corrections, then answer 5 two-hop questions ("the locker code of Agent Kim\'s handler")',
    'agentic_gym/Codebreaker-4x6-v0': 'find a hidden code of 4 pegs over 6 colours in 10 guesses from right-place / misplaced feedback',
    'agentic_gym/Codebreaker-5x8-v0': 'find a hidden code of 5 pegs over 8 colours in 12 guesses from right-place / misplaced feedback',
    'agentic_gym/Codebreaker-words-v0': 'find a hidden five-letter word in 6 guesses from Wordle-style per-letter feedback',
    'agentic_gym/TravelDesk-Easy-v0': 'answer a question about a hidden world of weather, calendar, flights and hotels with 1-2 tool calls (`weather`, `calendar`, `flights`, `hotels`, `calculator`), then `answer`',
    'agentic_gym/TravelDesk-Medium-v0': 'chain 2-4 tool calls ("Will it rain in the city of my Wednesday meeting?") before answering',
    'agentic_gym/TravelDesk-Hard-v0': 'chain 4-6 tool calls with arithmetic (cheapest round trip, multi-leg and flight-plus-hotel totals) within a budget of 12 calls',
    'agentic_gym/TravelDesk-Flaky-v0': 'the Medium questions with tools that fail transiently ("503, retry") on 20% of calls',
    'agentic_gym/ToolMath-2step-v0': 'solve a 2-operation word problem over large numbers with a safe `calculator`, answer to the stated precision',
    'agentic_gym/ToolMath-4step-v0': 'solve a 4-operation word problem (shopping, unit conversion, savings, travel time) with the `calculator`',
    'agentic_gym/ToolMath-6step-v0': 'solve a 6-operation word problem (shopping, unit conversion, savings, travel time) with the `calculator`',
}
