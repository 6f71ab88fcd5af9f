"""TextAdventure: explore a house of rooms, doors, keys and containers to carry out a quest."""

from __future__ import annotations

from collections import deque
from typing import Any, ClassVar

from gymnasium import spaces

from agentic_gym.core import (
    RENDER_MODES,
    Affordance,
    AgenticEnv,
    Command,
    CommandSpace,
    InvalidAction,
    TranscriptRendering,
    action_text,
    enum_param,
    params,
    quote,
    sanitize,
    string_param,
    text_space,
)
from agentic_gym.difficulty import reset_difficulty
from agentic_gym.envs.text import adventure_phrases
from agentic_gym.envs.text.adventure_world import (
    DIRECTIONS,
    HOUSE_SIZES,
    House,
    HouseSize,
    Verb,
    generate,
    oracle_command,
)
from agentic_gym.envs.text.knobs import TextAdventureKnobs

_OBJECTS = ("red key", "silver coin", "old book", "green apple", "brass lamp")
_TARGETS = ("wooden chest", "north door", "oak table", "white fridge", "small drawer")

AFFORDANCES: tuple[Affordance, ...] = (
    Affordance("look", "Describe the room again and repeat the quest.", aliases=("look around",)),
    Affordance("inventory", "List what you are carrying.", aliases=("check inventory", "check my inventory")),
    Affordance("go", "Walk through an open door.",
               params(direction=enum_param("Compass direction of the exit.", DIRECTIONS)),
               aliases=("walk", "move", "head")),
    Affordance("take", "Pick up an object you can see (on the floor, on a table, in an open container).",
               params(object=string_param("The object, by adjective and noun, e.g. 'red key'.",
                                          max_length=80, examples=_OBJECTS)),
               aliases=("pick up", "grab", "get")),
    Affordance("drop", "Put down an object you carry, onto the floor.",
               params(object=string_param("An object you carry, e.g. 'red key'.", max_length=80,
                                          examples=_OBJECTS)), aliases=("put down",)),
    Affordance("open", "Open a closed door or container.",
               params(target=string_param("A door ('north door') or container ('wooden chest').",
                                          max_length=80, examples=_TARGETS))),
    Affordance("close", "Close an open door or container.",
               params(target=string_param("A door ('north door') or container ('wooden chest').",
                                          max_length=80, examples=_TARGETS))),
    Affordance("unlock", "Unlock a locked door or container with a key of the lock's colour that you carry: "
                         "'unlock wooden chest with red key'.",
               params(required=["target"],
                      target=string_param("The locked door or container; may end in 'with <key>'.",
                                          max_length=120, examples=_TARGETS),
                      key=string_param("The key you carry, e.g. 'red key'.", max_length=80,
                                       examples=("red key", "blue key", "green key")))),
    Affordance("put", "Put an object you carry in an open container or on a supporter: "
                      "'put silver coin in wooden chest'.",
               params(required=["object"],
                      object=string_param("The object you carry; may end in 'in <container>' or "
                                          "'on <supporter>'.", max_length=120, examples=_OBJECTS),
                      target=string_param("The open container or the supporter, e.g. 'wooden chest'.",
                                          max_length=80, examples=_TARGETS))),
    Affordance("examine", "Look closely at a thing you can see or carry.",
               params(target=string_param("The thing, e.g. 'wooden chest' or 'north door'.", max_length=80,
                                          examples=_TARGETS + _OBJECTS)), aliases=("look at", "inspect")),
)

_VERBS = {aff.name: Verb(i) for i, aff in enumerate(AFFORDANCES)}
_MOVES = frozenset((Verb.TAKE, Verb.DROP, Verb.PUT))
_VALUE_KEYS = {aff.name: aff.value_parameter for aff in AFFORDANCES}


def _admissible_command(text: str) -> Command:
    """The command an admissible text names: ``verb`` or ``verb value`` (the house's own canonical text)."""
    name, _, value = text.partition(" ")
    key = _VALUE_KEYS[name]
    return Command(name, {key: value}) if value and key is not None else Command(name)
_USAGE = ("look, inventory, go <direction>, take <object>, drop <object>, open <thing>, close <thing>, "
          "unlock <thing> with <key>, put <object> in/on <thing>, examine <thing>")
MAX_TEXT = 4096
MAX_MISSION = 1024
_MAX_MESSAGE = 1024
_TRANSCRIPT = 40


class TextAdventure(TranscriptRendering, AgenticEnv):
    """Explore a procedurally generated house and put objects where the quest says.

    ## Description
    The house is a tree of rooms joined by doors in compass directions; some doors
    are closed, some locked. Locks have colours, and a key of the same colour opens
    one (the red key opens the red door, or a chest with a red lock). Rooms hold
    containers (chests, drawers, cabinets, wardrobes, fridges, boxes; openable, some
    locked) and supporters (tables, shelves, desks, benches, counters), and portable
    objects named by an adjective and a noun (``red key``, ``old book``, ``silver
    coin``). The quest names one or more placements, e.g. ``Put the silver coin in
    the wooden chest in the kitchen.``; solving it usually needs several subgoals:
    find the object, find the key of a locked door or container on the way, unlock,
    open, carry, put. The agent sees only the current room; it must remember where
    it has been and what it saw.

    Generation guarantees solvability: the quest is built backwards from its solved
    state (each goal object starts in its target and is then moved out to a random
    place), and the locks get a random order in which each lock's key is hidden where
    it can be reached through unlocked doors and the earlier locks only. Nothing can
    be locked again or destroyed, so no command can make a quest unsolvable.

    ## Action Space
    ``CommandSpace`` over these affordances (``max_length`` 160). The canonical text
    of a command is its natural form, which :func:`agentic_gym.core.parse_command`
    reads; two-object verbs also accept named arguments (tool calls).

    | command | effect |
    |---|---|
    | ``look`` | describe the room again and repeat the quest |
    | ``inventory`` | list what you carry |
    | ``go <direction>`` | walk through the open door to the north, east, south or west |
    | ``take <object>`` | pick up a visible object (``take silver coin from oak table`` also works) |
    | ``drop <object>`` | put a carried object on the floor |
    | ``open <thing>`` / ``close <thing>`` | open or close a door (``north door``) or container |
    | ``unlock <thing> with <key>`` | unlock with a carried key of the lock's colour |
    | ``put <object> in <container>`` / ``on <supporter>`` | place a carried object |
    | ``examine <thing>`` | describe a visible or carried thing |

    ## Observation Space
    ``Dict(text=Text(4096), mission=Text(1024))`` over ``core.CHARSET``. ``text`` is
    the result of the last command, a blank line, then the current room: its name,
    its furniture with their state, the contents of its open containers and of its
    supporters, the objects on its floor, its exits with their doors and what the agent
    carries. Nothing of other rooms or of closed containers is shown. ``mission`` is the quest.

    ## Rewards
    1 when the last goal placement holds, 0 otherwise. With ``progress_reward=p``
    (default 0, off) the first time each of the ``k`` placements holds pays ``p / k``
    and completion pays ``1 - p``, so the episode return is still at most 1.

    ## Episode End
    Terminates when every placement of the quest holds at once (``info["success"]``
    True). Truncates at the registered ``max_episode_steps``. ``info["action_valid"]``
    is False when the command cannot be parsed, or names something the agent does not
    perceive, names several things ("Which key do you mean: the red key or the blue
    key?"), or lacks a needed part (``unlock chest`` without a key); a well-formed
    command that the house refuses ("The red door to the north is locked.") is valid:
    it is an informative move, like walking into a wall. Either way the step is
    spent. ``info["admissible_commands"]`` lists the commands that make sense now,
    built only from what the agent perceives.

    ## Arguments
    ``size`` (``"3rooms"``, ``"6rooms"`` or ``"12rooms"``; the largest resets in a few
    milliseconds), ``progress_reward`` (a number in [0, 1), default 0), ``render_mode``.
    A wrong type or value raises ``TypeError``/``ValueError`` naming the argument.

    ## Difficulty
    Knobs (``difficulty_knobs()``, reset ``info["difficulty"]``): ``size`` and what it
    sets, ``rooms``, ``goals`` (objects to place), ``locks`` (locked doors and containers
    whose keys form a chain), ``distractors`` (items), ``decoy_keys``; ``progress_reward``;
    plus the registered ``max_episode_steps``. Tiers ``-Trivial`` to ``-Expert``: 1, 3, 6,
    12 and 24 rooms.

    ## Registered Configurations
    | id | rooms | placements | locks | max_episode_steps |
    |---|---|---|---|---|
    | ``agentic_gym/TextAdventure-3rooms-v0`` | 3 | 1 | 1 | 50 |
    | ``agentic_gym/TextAdventure-6rooms-v0`` | 6 | 3 | 3 | 150 |
    | ``agentic_gym/TextAdventure-12rooms-v0`` | 12 | 6 | 6 | 400 |

    ## Prompt Format
    ``obs["text"]`` after ``take red key``::

        You take the red key.

        -= Hall =-
        You see a wooden chest (locked, red lock) and an oak table.
        On the oak table: an old book.
        Exits: north (open painted door), east (locked blue door).
        You carry a red key.

    Reset and ``look`` put the quest in the first line. ``obs["mission"]`` always
    holds the quest.

    ## Action Grammar
    ``verb [object]`` in lower or upper case; objects are named by noun and any of
    their adjectives in any order, articles ignored (``take the key``, ``take red
    key``); doors also by direction (``open north door``). A reference may end in a
    place: ``take coin from chest``, ``put coin in chest in the kitchen``. An ambiguous
    reference is asked back, never guessed. Two-object verbs read ``unlock <thing>
    with <key>`` and ``put <object> in|on <thing>``; as tool calls they take named
    arguments: ``unlock(target="wooden chest", key="red key")`` and
    ``put(object="silver coin", target="wooden chest")``. The short form puts the whole
    phrase in the one required parameter (``target`` or ``object``), which the house
    splits at ``with`` / ``in`` / ``on``.

    ## Version History
    * v0: initial version.

    Example:
        >>> env = TextAdventure(size="3rooms")
        >>> obs, info = env.reset(seed=0)
        >>> obs["mission"].startswith("Put the ")
        True
        >>> while not info["success"]:
        ...     obs, reward, terminated, truncated, info = env.step(env.oracle_action())
        >>> terminated, reward
        (True, 1.0)
    """

    metadata: dict[str, Any] = {
        "render_modes": RENDER_MODES,
        "render_fps": 4,
        "capabilities": ("planning", "memory", "reasoning"),
    }
    affordances = AFFORDANCES
    max_command_length = 160
    _cache_attrs: ClassVar[tuple[str, ...]] = ("_commands",)
    #: The house sizes ``size`` names.
    house_sizes: dict[str, HouseSize] = HOUSE_SIZES
    #: The typed difficulty knobs (the one place their ranges are stated).
    Knobs: type[TextAdventureKnobs] = TextAdventureKnobs

    def __init__(self, size: str = "6rooms", progress_reward: float = 0.0, render_mode: str | None = None):
        self.knobs = self.Knobs.resolve(size, progress_reward)
        super().__init__(render_mode)
        self.size = self.knobs.size
        self.progress_reward = self.knobs.progress_reward
        self.action_space = CommandSpace(self.affordances, max_length=self.max_command_length)
        self.observation_space = spaces.Dict({"text": text_space(MAX_TEXT), "mission": text_space(MAX_MISSION)})
        self.house: House | None = None
        self._view_version = -1
        self._view_text = ""
        self._mission = ""
        self._paid: list[bool] = []
        self._success = False
        self._transcript: deque[tuple[str, str]] = deque(maxlen=_TRANSCRIPT)
        # The Command of each admissible text played this episode (values, so shared safely;
        # bounded by the house's finite set of admissible texts, emptied at reset).
        self._commands: dict[str, Command] = {}
        self.transcript_title = f"TextAdventure {self.size}"

    # ---- gymnasium API ------------------------------------------------------------------------

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        house = self.new_house()
        self.house = house
        self._view_version = -1
        self._mission = sanitize(house.quest, MAX_MISSION)
        self._paid = [False] * len(house.goals)
        self._success = False
        self._transcript.clear()
        self._commands.clear()
        obs = self._observe(f"You are in a house. Quest: {self._mission}")
        self._transcript.append(("env", obs["text"]))
        if self.render_mode == "human":
            self.render()
        return obs, {"success": False, "action_valid": True, "admissible_commands": house.admissible(),
                     "difficulty": reset_difficulty(self)}

    def step(self, action: Any):
        house = self.house
        if house is None:
            raise RuntimeError("call reset() before step()")
        version = house.version
        command: Command | None = None
        # An admissible command (as text, or as the Command the language layer passes down) is
        # already resolved in the house's table: the same result as reading and resolving it,
        # for a dict lookup. Every admissible text is a command's canonical short form
        # (``str(command)``), so the table's text names the command exactly.
        table = house.view()[1]
        kind = type(action)
        text: str = action if kind is str else str(action) if kind is Command else ""
        entry = table.get(text)
        if entry is not None:
            if kind is Command:
                command = action
            else:
                command = self._commands.get(text)
                if command is None:
                    command = self._commands[text] = _admissible_command(text)
            message, valid = house.apply(*entry), True
            echo = text  # the env's own text is clean as it is
            if entry[0] not in _MOVES:  # only moving an object can meet a goal
                version = house.version
        else:
            try:
                command = self.read_command(action, max_length=self.max_command_length)
            except InvalidAction as error:
                message, valid = self._refusal(action, error), False
            else:
                message, valid = adventure_phrases.command(house, _VERBS[command.name], command.args)
            message = sanitize(message, _MAX_MESSAGE)  # it may quote the agent's words
            echo = sanitize(action_text(action), self.max_command_length)
        reward = 0.0
        if house.version != version:
            reward = self._score()
        obs = self._observe(message)
        self._transcript.append(("agent", echo))
        self._transcript.append(("env", obs["text"]))
        if self.render_mode == "human":
            self.render()
        info = {"success": self._success, "action_valid": valid, "admissible_commands": list(house.view()[1]),
                "command": command}
        return obs, reward, self._success, False, info

    def new_house(self) -> House:
        """A new episode's house, drawn from ``self.np_random``."""
        return generate(self.np_random, self.house_sizes[self.size])

    @staticmethod
    def _refusal(action: Any, error: InvalidAction) -> str:
        """What the agent is told about an action that could not be read."""
        if isinstance(action, str):
            return f"Could not use {quote(action)}: {error}"
        if type(action) is Command:
            return f"Could not use {quote(str(action))}: {error}"
        return (f"A command must be text such as 'look' or 'go north', not {type(action).__name__}. "
                f"Valid commands: {_USAGE}.")

    def _score(self) -> float:
        assert self.house is not None
        met = self.house.goals_met()
        reward = 0.0
        if self.progress_reward:
            share = self.progress_reward / len(met)
            for i, holds in enumerate(met):
                if holds and not self._paid[i]:
                    self._paid[i] = True
                    reward += share
        if all(met):
            self._success = True
            reward += 1.0 - self.progress_reward
        return reward

    def _observe(self, message: str) -> dict[str, str]:
        """The observation after ``message``: clean text (the env's own, or sanitised by the caller)."""
        house = self.house
        assert house is not None
        if self._view_version != house.version:
            # The house's own text, built from the shipped word lists: already in the charset
            # (tests/envs/text/test_adventure.py checks it), so it is only clipped.
            self._view_text = house.view()[0][:MAX_TEXT]
            self._view_version = house.version
        text = message[:_MAX_MESSAGE] + "\n\n" + self._view_text
        if len(text) > MAX_TEXT:
            text = text[:MAX_TEXT]
        return {"text": text, "mission": self._mission}

    def oracle_action(self) -> str:
        """The next command of a planner that reads the true state (see ``oracle_command``)."""
        if self.house is None:
            raise RuntimeError("call reset() before oracle_action()")
        return oracle_command(self.house)

    # ---- rendering ----------------------------------------------------------------------------

    def transcript_entries(self) -> list[tuple[str, str]]:
        return list(self._transcript)
