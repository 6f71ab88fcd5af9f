"""A Hypothesis state machine stepping TextAdventure with valid, sampled, oracle and garbage commands.

Every step checks the observation against the world's true state: no object of
another room or of a closed container may appear in the text unless the agent's
own command or the quest named it.
"""

from __future__ import annotations

import re

import gymnasium as gym
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import agentic_gym  # noqa: F401  (registers the environments)
from agentic_gym.core import parse_command
from agentic_gym.envs.text import adventure_phrases
from agentic_gym.envs.text.adventure import AFFORDANCES
from agentic_gym.envs.text.adventure_world import Kind, State, Verb

_WORD = re.compile(r"[a-z]+")
_VERB_INDEX = {a.name: Verb(i) for i, a in enumerate(AFFORDANCES)}


def perceivable(house, thing) -> bool:
    """Computed from the true state, independently of the house's own visibility function."""
    if thing.room < 0 and thing.inside < 0:
        return True  # carried
    if thing.room != house.player:
        return False
    if thing.inside < 0:
        return True
    holder = house.things[thing.inside]
    return holder.kind == Kind.SUPPORTER or holder.state == State.OPEN


class TextAdventureMachine(RuleBasedStateMachine):
    @initialize(variant=st.sampled_from(["3rooms", "6rooms", "12rooms"]), seed=st.integers(0, 10_000))
    def start(self, variant, seed):
        self.env = gym.make(f"agentic_gym/TextAdventure-{variant}-v0")
        self.limit = self.env.spec.max_episode_steps
        self.obs, self.info = self.env.reset(seed=seed)
        self.env.action_space.seed(seed)
        self.reward = 0.0
        self.episode_return = 0.0
        self.steps = 0
        self.command = ""
        self.done = False

    def _ready(self):
        if self.done:
            self.obs, self.info = self.env.reset()
            self.steps, self.episode_return, self.done = 0, 0.0, False

    def _step(self, action):
        self._ready()
        self.command = action if isinstance(action, str) else ""
        self.obs, self.reward, terminated, truncated, self.info = self.env.step(action)
        self.steps += 1
        self.episode_return += self.reward
        self.done = terminated or truncated
        return terminated, truncated

    @rule(index=st.integers(0, 10_000))
    def admissible(self, index):
        self._ready()
        commands = self.info["admissible_commands"]
        self._step(commands[index % len(commands)])
        assert self.info["action_valid"] is True

    @rule(text=st.text(max_size=160))
    def garbage(self, text):
        self._step(text)

    @rule(text=st.text(alphabet="abcdefghijklmnopqrstuvwxyz ()=\",", max_size=40),
          verb=st.sampled_from([a.name for a in AFFORDANCES]))
    def verb_with_noise(self, text, verb):
        self._step(f"{verb} {text}")

    @rule()
    def sampled(self):
        self._step(self.env.action_space.sample())

    @rule()
    def oracle(self):
        self._ready()
        command = self.env.unwrapped.oracle_action()
        assert command in self.info["admissible_commands"]
        self._step(command)
        assert self.info["action_valid"] is True

    @invariant()
    def observation_in_space_and_info_complete(self):
        assert self.env.observation_space.contains(self.obs)
        assert isinstance(self.info["success"], bool) and isinstance(self.info["action_valid"], bool)
        assert self.info["admissible_commands"] and all(isinstance(c, str) for c in self.info["admissible_commands"])
        assert 0.0 <= self.reward <= 1.0 and -1e-9 <= self.episode_return <= 1.0 + 1e-9
        assert self.steps <= self.limit

    @invariant()
    def text_mentions_only_what_is_perceived(self):
        house = self.env.unwrapped.house
        text = self.obs["text"].lower()
        echoed = set(_WORD.findall(self.command.lower()))
        quest = house.quest.lower()
        for thing in house.things:
            if thing.kind == Kind.DOOR or perceivable(house, thing):
                continue
            if re.search(rf"\b{thing.name}\b", text):
                assert set(thing.name.split()) <= echoed or thing.name in quest, (thing.name, self.obs["text"])
        # The room block (after the blank line) is built from the true state alone: no echo, no quest.
        room_block = text.split("\n\n", 1)[1]
        for thing in house.things:
            if thing.kind != Kind.DOOR and not perceivable(house, thing):
                assert not re.search(rf"\b{thing.name}\b", room_block), (thing.name, room_block)
        assert f"-= {house.rooms[house.player].name} =-" in room_block

    @invariant()
    def admissible_commands_parse_and_resolve_to_their_entries(self):
        house = self.env.unwrapped.house
        table = house.view()[1]
        assert list(table) == self.info["admissible_commands"]
        for text, entry in table.items():
            command = parse_command(text, AFFORDANCES)
            assert adventure_phrases.resolve(house, _VERB_INDEX[command.name], command.args) == entry

    def teardown(self):
        if hasattr(self, "env"):
            self.env.close()


TestTextAdventureMachine = TextAdventureMachine.TestCase
