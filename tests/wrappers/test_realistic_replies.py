"""Replies written the way current models write them, each with the command it must give or a refusal.

The shapes follow the models' public docs and chat templates: Qwen and DeepSeek-R1 reason in
``<think>`` blocks, Claude-style prompts use ``<thinking>``/``<reasoning>`` tags, gpt-oss
writes harmony channels (``<|channel|>analysis`` then ``final``), Llama and Gemini answer in
Markdown with bold labels and fenced JSON, agent frameworks write ReAct ``Action:`` lines.
Refusals are the failure classes of real transcripts: an action only inside the reasoning, a
plan of several actions, a command only mentioned in prose, a cut-off reply.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import pytest

import agentic_gym  # noqa: F401  (registers the environments)
from agentic_gym.core import Command, InvalidAction, Reason
from agentic_gym.formats import parse_action


def _affordances(env_id: str) -> tuple:
    return gym.make(env_id).unwrapped.affordances


GRID = _affordances("agentic_gym/GridKeyDoor-6x6-v0")
ADVENTURE = _affordances("agentic_gym/TextAdventure-3rooms-v0")
TRAVEL = _affordances("agentic_gym/TravelDesk-Easy-v0")
CODE = _affordances("agentic_gym/Codebreaker-4x6-v0")
RECALL = _affordances("agentic_gym/Recall-5facts-v0")


def c(name: str, **args: Any) -> Command:
    return Command(name, args)


REFUSED = None  # the expected outcome of a reply that must be refused with feedback

# (affordances, reply, the expected command or REFUSED)
CASES: dict[str, tuple[tuple, Any, Command | None]] = {
    # ---- ordinary replies ---------------------------------------------------------------
    "bare command": (GRID, "forward", c("forward")),
    "bare command, capitalised with a full stop": (GRID, "Forward.", c("forward")),
    "react line": (GRID, "Thought: The door is ahead and closed.\nAction: toggle", c("toggle")),
    "react bold label": (GRID, "**Thought:** the key is to my left.\n\n**Action:** left", c("left")),
    "react with action input": (TRAVEL, 'Thought: I need the weather.\nAction: weather\nAction Input: '
                                        '{"city": "Oslo", "day": 2}', c("weather", city="Oslo", day=2)),
    "react with a bare action input": (RECALL, "Action: answer\nAction Input: Paris", c("answer", text="Paris")),
    "xml action tag": (GRID, "I will turn around.\n<action>right</action>", c("right")),
    "xml tag unclosed at a stop sequence": (GRID, "<action>left", c("left")),
    "xml tool_call tag (Qwen/Hermes)": (TRAVEL, '<tool_call>\n{"name": "calendar", "arguments": {"day": 3}}\n'
                                                "</tool_call>", c("calendar", day=3)),
    "fenced json (Llama/Gemini)": (GRID, 'Here is my move:\n```json\n{"action": "pickup"}\n```', c("pickup")),
    "fenced json with name and arguments": (ADVENTURE, '```json\n{"name": "go", "arguments": {"direction": "north"}}'
                                                       "\n```", c("go", direction="north")),
    "json with parameters key": (TRAVEL, '{"name": "hotels", "parameters": {"city": "Rome", "day": 1}}',
                                 c("hotels", city="Rome", day=1)),
    "call form": (TRAVEL, 'flights(origin="Oslo", destination="Rome", day=3)',
                  c("flights", origin="Oslo", destination="Rome", day=3)),
    "call form in a code span": (TRAVEL, 'I will search flights: `flights(origin="Oslo", destination="Rome", '
                                         'day=3)`', c("flights", origin="Oslo", destination="Rome", day=3)),
    "last line after reasoning": (ADVENTURE, "The chest is locked and I hold the red key.\n\nunlock wooden chest "
                                             "with red key", c("unlock", target="wooden chest with red key")),
    "markdown heading then command": (ADVENTURE, "### Next step\n`take silver coin`", c("take", object="silver coin")),
    "bracketed command": (GRID, "Action: [toggle]", c("toggle")),
    "quoted action line": (GRID, "> Action: forward", c("forward")),
    "enum value alone": (ADVENTURE, "North.", c("go", direction="north")),
    "free text naming one command": (ADVENTURE, "I'll go north now.", c("go", direction="north")),
    "answer with a number": (TRAVEL, "Action: answer 23.5", c("answer", text="23.5")),
    "guess": (CODE, "Thought: try a fresh colour set.\nAction: guess 1 2 3 4", c("guess", code="1 2 3 4")),
    "recall continue": (RECALL, "continue", c("continue")),
    "tool call message": (TRAVEL, {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "weather",
                                                          "arguments": '{"city": "Lima", "day": 5}'}}]},
        c("weather", city="Lima", day=5)),
    "tool call message with reasoning content": (TRAVEL, {"role": "assistant", "content": "Let me check.",
                                                          "tool_calls": [{"id": "a", "type": "function", "function": {
                                                              "name": "calendar", "arguments": '{"day": 4}'}}]},
                                                 c("calendar", day=4)),
    "content parts": (GRID, {"role": "assistant", "content": [{"type": "text", "text": "Action: right"}]},
                      c("right")),
    "action heading line": (GRID, "action\nright", c("right")),
    "Action: then the command on the next line": (GRID, "Thought: blocked.\nAction:\nleft", c("left")),
    # ---- reasoning blocks -----------------------------------------------------------------
    "think block (DeepSeek-R1)": (GRID, "<think>\nMaybe Action: left? No, the door is ahead.\n</think>\n\n"
                                        "Action: toggle", c("toggle")),
    "think block then bare command (Qwen3)": (GRID, "<think>\nforward would hit the wall.\n</think>\n\nright",
                                             c("right")),
    "THINK in capitals": (GRID, "<THINK>Action: left</THINK>Action: right", c("right")),
    "thinking block (Claude-style)": (ADVENTURE, "<thinking>I could go south, but the key is north.</thinking>\n"
                                                 "Action: go north", c("go", direction="north")),
    "reasoning block then special-token action": (GRID, "<reasoning>The goal is to the southeast. Action: forward"
                                                        "</reasoning><|ACTION|>left<|END|>", c("left")),
    "reasoning block with an action tag inside": (GRID, "<reasoning><action>left</action> would be wrong"
                                                        "</reasoning><action>right</action>", c("right")),
    "harmony final channel (gpt-oss)": (GRID, "<|channel|>analysis<|message|>Door ahead; Action: left would be "
                                              "wrong.<|end|><|start|>assistant<|channel|>final<|message|>Action: "
                                              "toggle<|return|>", c("toggle")),
    "harmony final channel, bare command": (ADVENTURE, "<|channel|>analysis<|message|>go south?<|end|><|start|>"
                                                       "assistant<|channel|>final<|message|>go north<|end|>",
                                            c("go", direction="north")),
    "harmony analysis only": (GRID, "<|channel|>analysis<|message|>I should go forward. Action: forward<|end|>",
                              REFUSED),
    "unclosed think block": (GRID, "<think>\nI should go forward. Action: forward", REFUSED),
    "unclosed thinking block after an action": (GRID, "Action: left\n<thinking>or maybe right", c("left")),
    "two think blocks": (GRID, "<think>left?</think> hmm <think>right?</think>Action: forward", c("forward")),
    "think block, tool call json after": (TRAVEL, '<think>{"name": "calendar", "arguments": {"day": 1}}</think>\n'
                                                  '{"name": "calendar", "arguments": {"day": 2}}', c("calendar", day=2)),
    "think block holding the only action": (TRAVEL, "<think>Action: answer 12</think>\nI am not sure yet.", REFUSED),
    # ---- markers --------------------------------------------------------------------------
    "special-token action marker": (GRID, "<|ACTION|>turn right<|END|>", c("right")),
    "special-token marker with closing slash": (GRID, "<|action|>forward<|/action|>", c("forward")),
    "special-token marker unclosed": (GRID, "The box is ahead.\n<|ACTION|>toggle", c("toggle")),
    "fenced json action object": (GRID, '```json\n{"action": "toggle"}\n```', c("toggle")),
    "action object with an alias": (GRID, '{"action": "pick up"}', c("pickup")),
    # ---- aliases --------------------------------------------------------------------------
    "pick up for pickup": (GRID, "Action: pick up", c("pickup")),
    "pick up the key for pickup": (GRID, "Action: pick up the red key", c("pickup")),
    "move forward for forward": (GRID, "Action: Move forward", c("forward")),
    "turn left as the whole reply": (GRID, "Turn left", c("left")),
    "open the door for toggle": (GRID, "open the door", c("toggle")),
    "alias in an action tag": (GRID, "<action>turn right</action>", c("right")),
    "alias in free text": (GRID, "I will pick up the key now.", c("pickup")),
    "text verb alias": (ADVENTURE, "Action: pick up the silver coin", c("take", object="the silver coin")),
    "walk for go": (ADVENTURE, "walk north", c("go", direction="north")),
    "look at for examine": (ADVENTURE, "Action: look at oak table", c("examine", target="oak table")),
    "look around for look": (ADVENTURE, "look around", c("look")),
    "two aliases in one line": (GRID, "Action: turn left then move forward", REFUSED),
    # ---- several actions --------------------------------------------------------------------
    "a plan of lines": (GRID, "turn right\ngo forward\npick up\ntoggle", REFUSED),
    "a plan of two commands": (GRID, "left\nforward", REFUSED),
    "a ReAct trace with made-up observations": (ADVENTURE, "Thought: the key is north.\nAction: go north\n"
                                                           "Observation: You are in the hall.\nThought: now take it."
                                                           "\nAction: take red key", REFUSED),
    "a ReAct answer that repeats its action line": (GRID, "**Action:** toggle\n\nSo my final answer is:\n"
                                                          "**Action:** toggle", c("toggle")),
    "an Action line of prose, then the committed one": (GRID, "Action: I need to think first.\nThought: the door "
                                                              "is ahead.\nAction: toggle", c("toggle")),
    "a numbered plan": (ADVENTURE, "Plan:\n- go north\n- take red key\n- go south", REFUSED),
    "two tool calls": (TRAVEL, {"role": "assistant", "content": None, "tool_calls": [
        {"id": "a", "type": "function", "function": {"name": "calendar", "arguments": '{"day": 1}'}},
        {"id": "b", "type": "function", "function": {"name": "calendar", "arguments": '{"day": 2}'}}]}, REFUSED),
    "free text naming two commands": (ADVENTURE, "I could go north or go south.", REFUSED),
    "a plan in prose then one committed action": (GRID, "First I turn left, then forward.\nAction: left", c("left")),
    # ---- prose mentions ---------------------------------------------------------------------
    "negated answer": (TRAVEL, "I should not answer 42 yet; I need the weather first.", REFUSED),
    "negated guess": (CODE, "I would guess about two letters are right.", REFUSED),
    "negated move": (ADVENTURE, "I will not go north, the door is locked.", REFUSED),
    "negated alias": (GRID, "I won't pick up the key.", REFUSED),
    "don't then do": (ADVENTURE, "I don't want to go south; I'll go north.", c("go", direction="north")),
    "question back": (GRID, "Should I go forward or turn left?", REFUSED),
    "only prose": (TRAVEL, "The flight from Oslo to Rome looks cheapest on Tuesday.", REFUSED),
    "apology": (GRID, "I'm sorry, I can't help with that.", REFUSED),
    # ---- cut off and malformed ---------------------------------------------------------------
    "cut-off action input": (TRAVEL, "Action: answer\nAction Input:", REFUSED),
    "cut-off action input with spaces": (TRAVEL, "Action: answer\nAction Input:   ", REFUSED),
    "empty action line": (GRID, "Thought: hmm.\nAction:", REFUSED),
    "empty action tag": (GRID, "<action></action>", REFUSED),
    "empty reply": (GRID, "", REFUSED),
    "whitespace reply": (GRID, "  \n\t", REFUSED),
    "unknown command": (GRID, "Action: jump", REFUSED),
    "bad enum value": (ADVENTURE, "Action: go up", REFUSED),
    "day out of range": (TRAVEL, 'Action: weather(city="Oslo", day=9)', REFUSED),
    "unclosed json": (TRAVEL, '{"name": "calendar", "arguments": {"day": 1}', REFUSED),
    "json with trailing garbage in tool call": (TRAVEL, {"role": "assistant", "content": None, "tool_calls": [
        {"id": "a", "type": "function", "function": {"name": "calendar", "arguments": '{"day": 1} xx'}}]}, REFUSED),
    "empty tool arguments for a tool with parameters": (TRAVEL, {"role": "assistant", "content": None,
                                                                 "tool_calls": [{"id": "a", "type": "function",
                                                                                 "function": {"name": "calendar",
                                                                                              "arguments": ""}}]},
                                                        REFUSED),
    "user role message": (GRID, {"role": "user", "content": "forward"}, REFUSED),
    "nan in json": (TRAVEL, '{"name": "calendar", "arguments": {"day": NaN}}', REFUSED),
    "deep json": (TRAVEL, '{"function": ' * 40 + '{"name": "calendar", "arguments": {"day": 1}}' + "}" * 40,
                  REFUSED),
    "emoji command": (GRID, "\u27a1\ufe0f", REFUSED),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_realistic_reply(name):
    affordances, reply, expected = CASES[name]
    if expected is REFUSED:
        with pytest.raises(InvalidAction) as info:
            parse_action(reply, affordances)
        message = str(info.value)
        assert message and message.isascii() and isinstance(info.value.reason, Reason)
    else:
        assert parse_action(reply, affordances) == expected


def test_there_are_enough_cases():
    assert len(CASES) >= 80
    refused = sum(1 for _, _, expected in CASES.values() if expected is REFUSED)
    assert 25 <= refused <= len(CASES) - 25


def test_a_plan_is_refused_with_the_count():
    with pytest.raises(InvalidAction) as info:
        parse_action("turn right\ngo forward\npick up\ntoggle", GRID)
    assert info.value.reason is Reason.SEVERAL_ACTIONS and "names 4" in str(info.value)


def test_nothing_inside_a_reasoning_block_is_read():
    for block in ("think", "thinking", "reasoning", "THINK"):
        for inner in ("Action: left", "<action>left</action>", '{"action": "left"}', "left"):
            with pytest.raises(InvalidAction):
                parse_action(f"<{block}>{inner}</{block}>", GRID)
            with pytest.raises(InvalidAction):
                parse_action(f"<{block}>{inner}", GRID)
            assert parse_action(f"<{block}>{inner}</{block}>\nAction: right", GRID) == c("right")


def test_aliases_are_not_shown_in_prompts():
    from agentic_gym.core import tool_schemas
    from agentic_gym.wrappers.prompt import describe_affordances

    shown = describe_affordances(GRID) + str(tool_schemas(GRID))
    assert "pick up" not in shown.lower().replace("pick up the object", "") and "move forward" not in shown.lower()


GRID_PHRASES = [
    ("agentic_gym/GridMaze-9x9-v0", "Action: check the map", "map"),
    ("agentic_gym/GridMaze-9x9-v0", "use the compass", "compass"),
    ("agentic_gym/GridSokoban-8x8-v0", "Action: move north", "up"),
    ("agentic_gym/GridSokoban-8x8-v0", "<action>push left</action>", "left"),
    ("agentic_gym/GridSokoban-8x8-v0", "go east", "right"),
]


@pytest.mark.parametrize(("env_id", "reply", "expected"), GRID_PHRASES)
def test_grid_tools_and_sokoban_moves_answer_to_natural_phrases(env_id, reply, expected):
    import gymnasium as gym

    affordances = gym.make(env_id).unwrapped.affordances
    assert parse_action(reply, affordances).name == expected


def test_every_grid_action_declares_natural_phrases():
    import gymnasium as gym

    from agentic_gym.envs import registered_ids

    for env_id in registered_ids():
        env = gym.make(env_id)
        if not hasattr(env.unwrapped, "agent_view_frame"):
            continue
        for affordance in env.unwrapped.affordances:
            assert affordance.aliases, (env_id, affordance.name)
