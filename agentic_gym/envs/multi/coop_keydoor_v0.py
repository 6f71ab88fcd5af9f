"""CoopKeyDoor (PettingZoo): one agent sees the keys, the other the locked door; they must talk.

``env()`` is the AEC env in PettingZoo's order-enforcing wrapper, ``parallel_env()``
its parallel form and ``raw_env`` the class itself.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from pettingzoo import AECEnv
from pettingzoo.utils import wrappers
from pettingzoo.utils.conversions import parallel_wrapper_fn

from agentic_gym.core import RENDER_MODES, Affordance, sanitize, text_space
from agentic_gym.envs.grid.base import (
    DONE,
    DROP,
    EVENT_PHRASES,
    FORWARD,
    PICKUP,
    TOGGLE,
    TURN_LEFT,
    TURN_RIGHT,
)
from agentic_gym.envs.grid.describe import AGENT_CHARS, DIRECTION_NAMES, ansi_map, describe_view
from agentic_gym.envs.grid.engine import DIR_VEC, EVENT_OK, Action, view_image, visible_mask
from agentic_gym.envs.multi.coop_world import MAX_SIZE, MIN_SIZE, VOCABULARY, CoopWorld, Move

VIEW_SIZE = 7
MISSION_LENGTH = 200
#: Words heard that an observation repeats (the newest).
HEARD_SHOWN = 4

#: Variant name -> constructor arguments; ids read ``CoopKeyDoor-<variant>-v0``.
VARIANTS: dict[str, dict[str, Any]] = {
    "8x8": {"size": 8},
    "12x12": {"size": 12},
}

#: The moves every agent has (GridKeyDoor's, in MiniGrid's order), then one ``say_<word>`` per word.
MOVES: tuple[Affordance, ...] = (TURN_LEFT, TURN_RIGHT, FORWARD, PICKUP, DROP, TOGGLE, DONE)
MOVE_ACTIONS: tuple[Action, ...] = (Action.LEFT, Action.RIGHT, Action.FORWARD, Action.PICKUP, Action.DROP,
                                    Action.TOGGLE, Action.DONE)
SAYS: tuple[Affordance, ...] = tuple(
    Affordance(f"say_{word}", f'Say "{word}" to your partner (it hears it on its next turn).', kind="move")
    for word in VOCABULARY
)
AFFORDANCES: tuple[Affordance, ...] = MOVES + SAYS
ROLES = ("scout", "keeper")


class raw_env(AECEnv):
    """Two agents must both reach the goal behind a locked door; only talking tells the scout which key opens it.

    ## Description
    A wall three cells from the east edge splits a square room; its one locked door
    leads to the goal. The *scout* (``player_0``) starts at the west wall with two keys
    in view, one of the door's colour and one of another; the *keeper* (``player_1``)
    starts right in front of the door. Each sees only its own 7x7 egocentric view (the
    engine's one visibility function; walls and closed doors occlude) and hears what
    its partner says. Agents block each other everywhere but on the goal. The task is
    won when both stand on the goal at once.

    ## Action Space
    ``Discrete(20)`` per agent; action ``i`` is ``env.unwrapped.affordances(agent)[i]``:

    | index | command | effect |
    |---|---|---|
    | 0 | left | turn left |
    | 1 | right | turn right |
    | 2 | forward | move one cell forward |
    | 3 | pickup | pick up the object in front |
    | 4 | drop | drop the carried object in front |
    | 5 | toggle | open, close or unlock (with the matching key) the door in front |
    | 6 | done | do nothing |
    | 7..19 | say_red, say_green, say_blue, say_purple, say_yellow, say_key, say_door, say_open, say_goal, say_come, say_wait, say_yes, say_no | say the word to the partner |

    An action outside the space (a float, an out-of-range index, text) never raises:
    the turn is lost, ``info["action_valid"]`` is False and the next text says so. A
    move the world refuses (walking into a wall or the partner) is also invalid. Free
    text between seats goes through the language layer
    (:func:`agentic_gym.chat_multi`), which delivers it and waits with ``done``.

    ## Observation Space
    Per agent ``Dict(text=Text, image=Box(0, 255, (7, 7, 3), uint8),
    direction=Discrete(4), mission=Text(200))``: the view in words (what the last
    action did, the way ahead, each visible object, the partner when in view, what
    the agent carries, the words heard lately), the egocentric ``[tile, colour, state]``
    image (zeros where hidden; the partner is not a tile), the facing (0 east .. 3
    north) and the agent's mission.

    ## Rewards
    Both agents receive ``1 - 0.9 * rounds / max_cycles`` when the episode ends with
    both on the goal, 0 otherwise (every other step pays 0).

    ## Episode End
    Terminated at the end of the round (each agent acts once per round) in which both
    stand on the goal (``info["success"]`` True; PettingZoo's parallel API ends
    episodes only between rounds, so the second agent's action that round is ignored
    when the first completed the task). Truncated after ``max_cycles`` rounds.
    ``info[agent]`` holds ``success``, ``action_valid``, ``role`` and ``heard`` (the
    words heard so far).

    ## Arguments
    * ``size``: side of the room, 8..20 (default 8).
    * ``max_cycles``: rounds before truncation, 1..10000 (default ``4 * size**2``).
    * ``variant``: a name of :data:`VARIANTS` supplying ``size``.
    * ``render_mode``: ``"human"``, ``"rgb_array"``, ``"ansi"`` or ``None``;
      ``tile_size``: pixels per cell (default 32).

    ## Registered Configurations
    * ``CoopKeyDoor-8x8-v0``: an 8x8 room (256 rounds). The door is four cells from the
      scout's start, so the scout may see it (and its colour) without being told.
    * ``CoopKeyDoor-12x12-v0``: a 12x12 room (576 rounds). The door is eight cells away,
      beyond the scout's view: only the keeper's word (or a walk) tells which key opens it.

    ``oracle_action(agent)`` is a scripted cooperative plan: the keeper says the door's
    colour and steps aside; the scout, told the colour, fetches that key and unlocks
    the door; both walk to the goal.

    ## Prompt Format
    ``obs["text"]`` (the keeper at the start)::

        You face east. A locked red door is right in front of you. To your left is floor; to your right is floor.
        A locked red door is 1 step ahead.
        You carry nothing.

    and after its partner spoke, ``Your partner said: red.``. ``obs["mission"]`` says
    the agent's role.

    ## Action Grammar
    One command name with no arguments: ``left``, ``right``, ``forward``, ``pickup``,
    ``drop``, ``toggle``, ``done`` or ``say_<word>``.

    ## Version History
    * v0: initial release.

    Example:
        >>> env = raw_env(variant="8x8")
        >>> env.reset(seed=0)
        >>> for agent in env.agent_iter():
        ...     obs, reward, terminated, truncated, info = env.last()
        ...     env.step(None if terminated or truncated else env.oracle_action(agent))
        >>> info["success"], 0 < reward <= 1
        (True, True)
    """

    metadata: ClassVar[dict[str, Any]] = {
        "name": "coop_keydoor_v0",
        "render_modes": RENDER_MODES,
        "render_fps": 10,
        "is_parallelizable": True,
        "capabilities": ("multi_agent", "perception", "planning"),
    }

    def __init__(self, size: int | None = None, max_cycles: int | None = None, variant: str = "8x8",
                 render_mode: str | None = None, tile_size: int = 32):
        super().__init__()
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {sorted(VARIANTS)}, got {variant!r}")
        size = VARIANTS[variant]["size"] if size is None else size
        if isinstance(size, bool) or not isinstance(size, int) or not MIN_SIZE <= size <= MAX_SIZE:
            raise ValueError(f"size must be an integer in {MIN_SIZE}..{MAX_SIZE}, got {size!r}")
        max_cycles = 4 * size * size if max_cycles is None else max_cycles
        if isinstance(max_cycles, bool) or not isinstance(max_cycles, int) or not 1 <= max_cycles <= 10_000:
            raise ValueError(f"max_cycles must be an integer in 1..10000, got {max_cycles!r}")
        if render_mode is not None and render_mode not in RENDER_MODES:
            raise ValueError(f"render_mode must be one of {RENDER_MODES} or None, got {render_mode!r}")
        if isinstance(tile_size, bool) or not isinstance(tile_size, int) or not 4 <= tile_size <= 128:
            raise ValueError(f"tile_size must be an integer in 4..128, got {tile_size!r}")
        self.size, self.max_cycles, self.tile_size = size, max_cycles, tile_size
        self.render_mode = render_mode
        self.possible_agents = ["player_0", "player_1"]
        self._index = {agent: i for i, agent in enumerate(self.possible_agents)}
        self.text_length = 1500
        self._observation_space = spaces.Dict({
            "text": text_space(self.text_length),
            "image": spaces.Box(0, 255, (VIEW_SIZE, VIEW_SIZE, 3), dtype=np.uint8),
            "direction": spaces.Discrete(4),
            "mission": text_space(MISSION_LENGTH),
        })
        self._action_spaces = {a: spaces.Discrete(len(AFFORDANCES)) for a in self.possible_agents}
        self.observation_spaces = {a: self._observation_space for a in self.possible_agents}
        self.action_spaces = self._action_spaces
        self.np_random, _ = seeding.np_random(None)
        self._game: CoopWorld | None = None
        self.agents: list[str] = []
        self._notes = ["", ""]
        self._valid = [True, True]
        self._steps = 0
        self._renderer: Any = None
        self._window: Any = None

    @property
    def game(self) -> CoopWorld:
        """The episode's state (after ``reset()``)."""
        if self._game is None:
            raise RuntimeError("call reset() first")
        return self._game

    # ---- the public contract ------------------------------------------------------------

    def affordances(self, agent: str) -> tuple[Affordance, ...]:
        """The commands ``agent`` may give; action ``i`` is ``affordances(agent)[i]``."""
        self._index[agent]  # an unknown agent raises KeyError, like action_space(agent)
        return AFFORDANCES

    def observation_space(self, agent: str) -> spaces.Space:
        return self._observation_space

    def action_space(self, agent: str) -> spaces.Space:
        return self._action_spaces[agent]

    def mission(self, agent: str) -> str:
        """``agent``'s mission (its role; nothing it cannot see)."""
        if self._index[agent] == 0:
            return ("You are the scout: you can see keys; your partner stands by a locked door. Open the door "
                    "and get both of you onto the green goal behind it.")
        return ("You are the keeper: you stand by a locked door; your partner can see keys. Open the door "
                "and get both of you onto the green goal behind it.")

    # ---- the AEC API ------------------------------------------------------------------

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        if seed is not None or self._game is None:
            self.np_random, _ = seeding.np_random(seed)
        self._game = CoopWorld.new(self.np_random, self.size)
        self.agents = list(self.possible_agents)
        self.agent_selection = self.agents[0]
        self.rewards = dict.fromkeys(self.agents, 0.0)
        self._cumulative_rewards = dict.fromkeys(self.agents, 0.0)
        self.terminations = dict.fromkeys(self.agents, False)
        self.truncations = dict.fromkeys(self.agents, False)
        self._notes = ["", ""]
        self._valid = [True, True]
        self._steps = 0
        self.infos = {a: self._info(a) for a in self.agents}

    def step(self, action: Any) -> None:
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        state = self.game
        index = self._index[agent]
        self._cumulative_rewards[agent] = 0.0
        if state.won:
            # The round in which the task was won plays out; the action is ignored.
            self._valid[index], self._notes[index] = True, "You are both on the goal."
            state.pass_turn()
        else:
            self._apply(index, action)
        self._steps += 1
        if self._steps % 2 == 0:
            rounds = self._steps // 2
            if state.won:
                reward = 1.0 - 0.9 * min(rounds, self.max_cycles) / self.max_cycles
                self.rewards = dict.fromkeys(self.agents, reward)
                self.terminations = dict.fromkeys(self.agents, True)
            elif rounds >= self.max_cycles:
                self.truncations = dict.fromkeys(self.agents, True)
        self.infos = {a: self._info(a) for a in self.agents}
        self.agent_selection = self.possible_agents[self._steps % 2]
        self._accumulate_rewards()

    def _apply(self, index: int, action: Any) -> None:
        state = self.game
        if isinstance(action, (int, np.integer)) and not isinstance(action, bool) and 0 <= action < len(AFFORDANCES):
            choice = int(action)
            if choice < len(MOVES):
                engine_action = MOVE_ACTIONS[choice]
                event = state.act(index, engine_action)
                self._valid[index] = EVENT_OK[event]
                self._notes[index] = "You turn left." if engine_action == Action.LEFT else EVENT_PHRASES[event]
            else:
                word = VOCABULARY[choice - len(MOVES)]
                state.say(index, word)
                self._valid[index] = True
                self._notes[index] = f'You say "{word}".'
            return
        state.pass_turn()
        self._valid[index] = False
        shown = sanitize(repr(action), 40)
        self._notes[index] = (f"Invalid action {shown}: an action is an integer 0..{len(AFFORDANCES) - 1} "
                              "(see the affordances). The turn is lost.")

    def _info(self, agent: str) -> dict[str, Any]:
        index = self._index[agent]
        return {
            "success": self.game.won,
            "action_valid": self._valid[index],
            "role": ROLES[index],
            "heard": [word for _, word in self.game.heard[index]],
        }

    # ---- observations -----------------------------------------------------------------

    def _partner_line(self, index: int, view_mask: np.ndarray) -> str:
        me, partner = self.game.agents[index], self.game.agents[1 - index]
        if not view_mask[partner.y, partner.x]:
            return ""
        dx, dy = partner.x - me.x, partner.y - me.y
        fx, fy = DIR_VEC[me.direction]
        rx, ry = DIR_VEC[(me.direction + 1) % 4]
        forward, right = dx * fx + dy * fy, dx * rx + dy * ry
        parts = []
        if forward:
            parts.append(f"{abs(forward)} step{'s' if abs(forward) != 1 else ''} {'ahead' if forward > 0 else 'behind'}")
        if right:
            side = "to the right" if right > 0 else "to the left"
            parts.append(f"{abs(right)} {side}" if parts else f"{abs(right)} step{'s' if abs(right) != 1 else ''} "
                         f"{side}")
        where = " and ".join(parts) if parts else "here with you"
        return f"Your partner is {where}, facing {DIRECTION_NAMES[partner.direction]}."

    def observe(self, agent: str) -> dict[str, Any]:
        state = self.game
        index = self._index[agent]
        view = state.view(index, VIEW_SIZE)
        body = state.agents[index]
        lines = [self._notes[index]] if self._notes[index] else []
        lines.append(describe_view(view, body.carrying))
        partner = self._partner_line(index, visible_mask(state.world, view))
        if partner:
            lines.append(partner)
        heard = state.heard[index][-HEARD_SHOWN:]
        if heard:
            lines.append("Your partner said: " + ", ".join(word for _, word in heard) + ".")
        if state.won:
            lines.append("You are both on the goal: the task is done.")
        return {
            "text": sanitize("\n".join(lines), self.text_length),
            "image": view_image(view),
            "direction": int(body.direction),
            "mission": sanitize(self.mission(agent), MISSION_LENGTH),
        }

    # ---- oracle -----------------------------------------------------------------------

    def oracle_action(self, agent: str | None = None) -> int:
        """The scripted cooperative plan's next action for ``agent``, as an index into its affordances."""
        state = self.game
        index = self._index[agent if agent is not None else self.agent_selection]
        move: Move = state.oracle_move(index)
        names = [a.name for a in self.affordances(self.possible_agents[index])]
        if move.word is not None:
            return names.index(f"say_{move.word}")
        return names.index(MOVES[MOVE_ACTIONS.index(move.action)].name)

    # ---- rendering --------------------------------------------------------------------

    def _seen(self) -> np.ndarray:
        state = self.game
        masks = [visible_mask(state.world, state.view(i, VIEW_SIZE)) for i in range(2)]
        return masks[0] | masks[1]

    def render(self) -> Any:
        if self.render_mode is None:
            import gymnasium

            gymnasium.logger.warn("You are calling render method without specifying any render mode.")
            return None
        state = self.game
        if self.render_mode == "ansi":
            # People see the whole map; agents are arrows numbered by seat.
            rows = ansi_map(state.enter(0), np.ones(state.world.grid.shape[:2], dtype=bool)).split("\n")
            for i, body in enumerate(state.agents):
                row = rows[body.y].ljust(2 * state.world.width)
                rows[body.y] = row[: 2 * body.x] + AGENT_CHARS[body.direction] + str(i) + row[2 * body.x + 2:]
            return "\n".join(r.rstrip() for r in rows)
        frame = self._frame(self._seen())
        if self.render_mode == "rgb_array":
            return frame
        if self._window is None:
            from agentic_gym.core.window import HumanWindow

            self._window = HumanWindow("CoopKeyDoor", fps=self.metadata["render_fps"])
        self._window.show(frame)
        return None

    def _frame(self, seen: np.ndarray) -> np.ndarray:
        from agentic_gym.envs.grid.render import GridRenderer, agent_masks

        if self._renderer is None:
            self._renderer = GridRenderer(self.tile_size)
        state = self.game
        frame = self._renderer.frame(state.enter(0), seen)
        # The renderer draws the world's one agent (the scout); the keeper is drawn in blue.
        t = self.tile_size
        keeper = state.agents[1]
        frame[keeper.y * t:(keeper.y + 1) * t, keeper.x * t:(keeper.x + 1) * t][agent_masks(t)[keeper.direction]] = (
            40, 120, 255)
        return frame

    def close(self) -> None:
        if self._window is not None:
            self._window.close()
            self._window = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_renderer"] = None
        state["_window"] = None
        return state


def env(**kwargs: Any) -> wrappers.OrderEnforcingWrapper:
    """The AEC env in PettingZoo's order-enforcing wrapper.

    No ``AssertOutOfBoundsWrapper``: an action outside the space is refused like any
    invalid action (it costs the turn) instead of raising.
    """
    return wrappers.OrderEnforcingWrapper(raw_env(**kwargs))


parallel_env = parallel_wrapper_fn(env)

__all__ = ["AFFORDANCES", "VARIANTS", "env", "parallel_env", "raw_env"]
