"""Negotiation (PettingZoo): divide a pool of items under private valuations.

``env()`` is the AEC env in PettingZoo's order-enforcing wrapper, ``parallel_env()``
its parallel form and ``raw_env`` the class itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from gymnasium import spaces
from gymnasium.utils import seeding
from pettingzoo import AECEnv
from pettingzoo.utils import wrappers
from pettingzoo.utils.conversions import parallel_wrapper_fn

from agentic_gym.core import (
    RENDER_MODES,
    Affordance,
    Command,
    CommandSpace,
    InvalidAction,
    enum_param,
    int_param,
    make_command,
    params,
    parse_command,
    quote,
    sanitize,
    string_param,
    text_space,
)
from agentic_gym.envs.multi.negotiation_logic import (
    ITEMS,
    MESSAGE_LENGTH,
    SINGULAR,
    TOTAL_VALUE,
    Allocation,
    Bargain,
    Event,
    Kind,
    RuleError,
)

OBS_LENGTH = 4096
ACTION_LENGTH = 1024
#: Log lines shown in an observation (the newest; older ones scroll away).
RECENT_EVENTS = 12

#: Variant name -> constructor arguments; ids read ``Negotiation-<variant>-v0``.
VARIANTS: dict[str, dict[str, Any]] = {
    "2p": {"players": 2, "max_count": 3, "max_cycles": 6},
    "2p-large": {"players": 2, "max_count": 5, "max_cycles": 8},
    "3p": {"players": 3, "max_count": 3, "max_cycles": 6},
}
MAX_PLAYERS = 4
MAX_COUNT = 6
MAX_CYCLES = 100


def share_key(agent: str, item: str) -> str:
    """The ``propose`` parameter for ``agent``'s count of ``item`` (``player_0_books``)."""
    return f"{agent}_{item}"


def count_phrase(share: Sequence[int]) -> str:
    """``2 books, 1 hat`` (``nothing`` for an empty share)."""
    parts = [f"{n} {ITEMS[i] if n != 1 else SINGULAR[i]}" for i, n in enumerate(share) if n]
    return ", ".join(parts) if parts else "nothing"


class raw_env(AECEnv):
    """Divide a pool of books, hats and balls between agents with private valuations.

    ## Description
    A pool holds 1..``max_count`` books, hats and balls (drawn per episode). Each
    agent values each item type privately (integers; the whole pool is worth exactly
    10 to everyone, as in "Deal or No Deal") and sees only its own values. Agents move
    in turn (``player_0`` first): they propose full allocations, accept or reject the
    offer on the table, and send messages. A deal is struck when every agent has
    accepted the same offer. The pools are small enough to enumerate, so every episode
    knows its exact Pareto frontier and Nash bargaining solution and scores the deal
    against them.

    ## Action Space
    Per agent a :class:`~agentic_gym.core.CommandSpace` (any text up to 1024
    characters, or a :class:`~agentic_gym.core.Command`) over
    ``env.unwrapped.affordances(agent)``:

    | command | kind | effect |
    |---|---|---|
    | ``propose(player_0_books=2, player_0_hats=0, ..., player_1_balls=1)`` | move | put a full allocation on the table (one count per agent and item; they must add up to the pool); the proposer accepts it; it replaces any earlier offer |
    | ``accept`` | move | accept the offer on the table |
    | ``reject`` | move | reject the offer on the table (it is withdrawn) |
    | ``say <text>`` / ``say(text="...", to="player_2")`` | move | send a message (at most 200 characters; longer is cut) to the other agents, or (3 or more players) to one |

    Every action takes the agent's turn. An action that cannot be read or breaks the
    rules (accepting when there is no offer, counts that do not add up, ...) never
    raises: the turn is lost, ``info["action_valid"]`` is False and the agent's next
    text says what was wrong and what is valid.

    ## Observation Space
    ``Dict(text=Text(4096, charset=CHARSET))``: the pool, the agent's own values, the
    turn, the latest events it perceives (every proposal, acceptance and rejection;
    the messages addressed to it; its own invalid actions), the offer on the table
    with its worth to the agent, and whose turn it is.

    ## Rewards
    When the episode ends with a deal every agent receives ``value of its share / 10`` in
    [0, 1]; every other step, and every step of an episode without a deal, pays 0.

    ## Episode End
    Terminated at the end of the round (each agent moves once per round) in which a
    deal is struck (``info["success"]`` True from the accepting move on; the actions of
    the agents still to move that round are ignored: PettingZoo's parallel API ends
    episodes only between rounds). Truncated after ``max_cycles`` rounds without a deal.

    ``info[agent]`` holds ``success``, ``action_valid`` (the agent's last action),
    ``command`` (its canonical text, or None), the agent's own view as data (``agent``,
    ``players``, ``pool``,
    ``values``, ``offer`` (``{agent: {item: count}}`` or None), ``offer_by``,
    ``accepted``, ``turn``, ``turns_left``) and, once the episode is over,
    ``deal`` (or None), ``pareto_optimal``, ``distance_to_frontier`` (Euclidean, in
    normalised utility space; 0 on the frontier) and ``nash_ratio`` (the deal's
    product of values over the Nash bargaining optimum; 0 without a deal).

    ## Arguments
    * ``players``: agents, 2..4 (default 2).
    * ``max_count``: most units of each item type, 1..6 (default 3).
    * ``max_cycles``: rounds before the episode is truncated, 1..100 (default 6).
    * ``variant``: a name of :data:`VARIANTS` supplying the three above.
    * ``render_mode``: ``"human"``, ``"rgb_array"``, ``"ansi"`` or ``None``.

    ## Registered Configurations
    * ``Negotiation-2p-v0``: 2 players, up to 3 of each item, 6 rounds.
    * ``Negotiation-2p-large-v0``: 2 players, up to 5 of each item, 8 rounds.
    * ``Negotiation-3p-v0``: 3 players, up to 3 of each item, 6 rounds.

    ``negotiation_v0.env(variant="3p")`` makes one; ``oracle_action(agent)`` proposes
    the Nash bargaining solution and accepts exactly it, so oracles agree in one round.

    ## Prompt Format
    ``obs["text"]`` of ``player_1`` after ``player_0``'s first proposal::

        Negotiation: you are player_1, one of 2 players (player_0, player_1) dividing 1 book, 1 hat, 3 balls.
        Your private values: book 4, hat 3, ball 1 (the whole pool is worth 10 to you).
        Turn 2 of 12.
        Recent events:
          player_0 proposed: player_0 gets 1 hat, 1 ball; player_1 gets 1 book, 2 balls (worth 6 to you).
        On the table: player_0's offer, worth 6 of 10 to you; accepted by player_0.
        It is your turn: propose(...), accept, reject or say <text>.

    ## Action Grammar
    ``propose(<agent>_<item>=<count>, ...)`` with every agent's count of books, hats and
    balls; ``accept``; ``reject``; ``say <text>`` or ``say(text="<text>"[, to="<agent>"])``.

    ## Version History
    * v0: initial release.

    Example:
        >>> env = raw_env(variant="2p")
        >>> env.reset(seed=0)
        >>> for agent in env.agent_iter():
        ...     obs, reward, terminated, truncated, info = env.last()
        ...     env.step(None if terminated or truncated else env.oracle_action(agent))
        >>> info["success"], info["pareto_optimal"], info["nash_ratio"]
        (True, True, 1.0)
    """

    metadata: ClassVar[dict[str, Any]] = {
        "name": "negotiation_v0",
        "render_modes": RENDER_MODES,
        "render_fps": 2,
        "is_parallelizable": True,
        "capabilities": ("multi_agent", "reasoning"),
    }

    def __init__(self, players: int | None = None, max_count: int | None = None, max_cycles: int | None = None,
                 variant: str = "2p", render_mode: str | None = None):
        super().__init__()
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {sorted(VARIANTS)}, got {variant!r}")
        defaults = VARIANTS[variant]
        players = defaults["players"] if players is None else players
        max_count = defaults["max_count"] if max_count is None else max_count
        max_cycles = defaults["max_cycles"] if max_cycles is None else max_cycles
        for name, value, low, high in (("players", players, 2, MAX_PLAYERS), ("max_count", max_count, 1, MAX_COUNT),
                                       ("max_cycles", max_cycles, 1, MAX_CYCLES)):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be an integer in {low}..{high}, got {value!r}")
        if render_mode is not None and render_mode not in RENDER_MODES:
            raise ValueError(f"render_mode must be one of {RENDER_MODES} or None, got {render_mode!r}")
        self.players, self.max_count, self.max_cycles = players, max_count, max_cycles
        self.render_mode = render_mode
        self.possible_agents = [f"player_{i}" for i in range(players)]
        self._index = {agent: i for i, agent in enumerate(self.possible_agents)}
        self._affordances = {agent: self._make_affordances(agent) for agent in self.possible_agents}
        self._observation_space = spaces.Dict({"text": text_space(OBS_LENGTH)})
        self._action_spaces = {a: CommandSpace(self._affordances[a], max_length=ACTION_LENGTH)
                               for a in self.possible_agents}
        self.observation_spaces = {a: self._observation_space for a in self.possible_agents}
        self.action_spaces = self._action_spaces
        self._game: Bargain | None = None
        self.np_random, _ = seeding.np_random(None)
        self.agents: list[str] = []
        self._valid: list[bool] = [True] * players
        self._commands: list[str | None] = [None] * players
        self._steps = 0
        self._static_info: list[dict[str, Any]] = []
        self._offer_shown: tuple[Allocation | None, Any] = (None, None)
        self._headers: list[str] = []
        self._event_lines: list[list[str]] = [[] for _ in range(players)]
        self._events_read = [0] * players
        self._panel: Any = None
        self._window: Any = None

    @property
    def game(self) -> Bargain:
        """The episode's state (after ``reset()``)."""
        if self._game is None:
            raise RuntimeError("call reset() first")
        return self._game

    # ---- the public contract ------------------------------------------------------------

    def _make_affordances(self, agent: str) -> tuple[Affordance, ...]:
        shares = {share_key(a, item): int_param(f"How many {item} {a} gets.", minimum=0, maximum=self.max_count)
                  for a in self.possible_agents for item in ITEMS}
        say_params: dict[str, Any] = {"text": string_param(
            f"The message (at most {MESSAGE_LENGTH} characters; longer is cut).",
            examples=["I mostly want the books.", "That leaves me too little.", "Deal?"])}
        others = [a for a in self.possible_agents if a != agent]
        if len(others) > 1:
            say_params["to"] = enum_param("One agent to tell (default: everyone).", others)
        return (
            Affordance("propose", "Offer a full allocation: every agent's count of every item, adding up to the "
                       "pool. You accept your own offer; it replaces the one on the table.",
                       {"type": "object", "properties": shares, "required": list(shares)}, kind="move"),
            Affordance("accept", "Accept the offer on the table.", kind="move"),
            Affordance("reject", "Reject the offer on the table (it is withdrawn).", kind="move"),
            Affordance("say", "Send a message to the other agents.", params(required=["text"], **say_params),
                       kind="move"),
        )

    def affordances(self, agent: str) -> tuple[Affordance, ...]:
        """The commands ``agent`` may give (like ``action_space(agent)``)."""
        return self._affordances[agent]

    def observation_space(self, agent: str) -> spaces.Space:
        return self._observation_space

    def action_space(self, agent: str) -> spaces.Space:
        return self._action_spaces[agent]

    # ---- allocations as commands ----------------------------------------------------------

    def allocation_command(self, allocation: Allocation) -> Command:
        """The ``propose`` command for ``allocation``."""
        return Command("propose", {share_key(a, item): int(allocation[i][j])
                                   for i, a in enumerate(self.possible_agents) for j, item in enumerate(ITEMS)})

    def _allocation_of(self, args: Mapping[str, Any]) -> Allocation:
        return tuple(tuple(int(args[share_key(a, item)]) for item in ITEMS) for a in self.possible_agents)

    def allocation_dict(self, allocation: Allocation | None) -> dict[str, dict[str, int]] | None:
        """``{agent: {item: count}}`` (None for None)."""
        if allocation is None:
            return None
        return {a: dict(zip(ITEMS, share)) for a, share in zip(self.possible_agents, allocation)}

    # ---- the AEC API ------------------------------------------------------------------

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        if seed is not None or self._game is None:
            self.np_random, _ = seeding.np_random(seed)
        self._game = Bargain.new(self.np_random, self.players, self.max_count, self.max_cycles * self.players)
        self.agents = list(self.possible_agents)
        self.agent_selection = self.agents[0]
        self.rewards = dict.fromkeys(self.agents, 0.0)
        self._cumulative_rewards = dict.fromkeys(self.agents, 0.0)
        self.terminations = dict.fromkeys(self.agents, False)
        self.truncations = dict.fromkeys(self.agents, False)
        self._valid = [True] * self.players
        self._commands = [None] * self.players
        self._steps = 0
        pool = dict(zip(ITEMS, self.game.counts))
        self._static_info = [
            {"agent": agent, "players": list(self.possible_agents), "pool": pool,
             "values": dict(zip(ITEMS, (int(v) for v in self.game.values[i])))}
            for i, agent in enumerate(self.possible_agents)
        ]
        self._offer_shown = (None, None)
        self._headers = [self._header(i) for i in range(self.players)]
        self._event_lines = [[] for _ in range(self.players)]
        self._events_read = [0] * self.players
        self.infos = {a: self._info(a) for a in self.agents}

    def _read(self, agent: str, action: Any) -> Command:
        affordances = self._affordances[agent]
        if isinstance(action, str):
            return parse_command(action, affordances, max_length=ACTION_LENGTH)
        if isinstance(action, Command):
            return make_command(action.name, action.args, affordances)
        raise InvalidAction(f"An action is a command string such as 'accept', got {type(action).__name__}.")

    def step(self, action: Any) -> None:
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        game = self.game
        index = self._index[agent]
        self._cumulative_rewards[agent] = 0.0
        if game.over:
            # The round in which the deal was struck plays out (PettingZoo's parallel API ends
            # episodes only at the end of a round); the remaining agents' actions are ignored.
            self._valid[index], self._commands[index] = True, None
        else:
            self._move(agent, index, action)
        self._steps += 1
        if game.over and self._steps % self.players == 0:
            if game.deal is not None:
                utilities = game.utilities(game.deal)
                self.rewards = {a: utilities[i] for i, a in enumerate(self.agents)}
                self.terminations = dict.fromkeys(self.agents, True)
            else:
                self.truncations = dict.fromkeys(self.agents, True)
        self.infos = {a: self._info(a) for a in self.agents}
        self.agent_selection = self.possible_agents[self._steps % self.players]
        self._accumulate_rewards()

    def _move(self, agent: str, index: int, action: Any) -> None:
        """Apply ``agent``'s action to the game; an invalid one spends the turn with feedback."""
        game = self.game
        try:
            command = self._read(agent, action)
            name = command.name
            if name == "propose":
                game.propose(index, self._allocation_of(command.args))
            elif name == "accept":
                game.accept(index)
            elif name == "reject":
                game.reject(index)
            else:
                to = command.args.get("to")
                game.say(index, sanitize(command.args["text"], MESSAGE_LENGTH), None if to is None else self._index[to])
            self._valid[index] = True
            self._commands[index] = str(command)
        except (InvalidAction, RuleError) as error:
            shown = action if isinstance(action, str) else str(action) if isinstance(action, Command) else ""
            what = f"Your action {quote(shown)} was invalid: {error}" if shown else f"Invalid action: {error}"
            game.forfeit(index, sanitize(what, 600))
            self._valid[index] = False
            self._commands[index] = None

    def _info(self, agent: str) -> dict[str, Any]:
        game = self.game
        index = self._index[agent]
        if self._offer_shown[0] is not game.offer:
            self._offer_shown = (game.offer, self.allocation_dict(game.offer))
        # The seat's static view (agent, players, pool, values) is worded once per episode and
        # copied into every info, so an agent that changes its info changes nothing else.
        static = self._static_info[index]
        info: dict[str, Any] = {"agent": static["agent"], "players": list(static["players"]),
                                "pool": dict(static["pool"]), "values": dict(static["values"])}
        info.update(
            success=game.deal is not None,
            action_valid=self._valid[index],
            command=self._commands[index],
            offer=self._offer_shown[1],
            offer_by=self.possible_agents[game.offer_by] if game.offer is not None else None,
            accepted=[self.possible_agents[a] for a in sorted(game.accepted)],
            turn=game.turn,
            turns_left=max(game.max_turns - game.turn, 0),
        )
        if game.over:
            info.update(deal=self.allocation_dict(game.deal), pareto_optimal=game.is_pareto_optimal(game.deal),
                        distance_to_frontier=game.distance_to_frontier(game.deal),
                        nash_ratio=game.nash_ratio(game.deal))
        return info

    def observe(self, agent: str) -> dict[str, Any]:
        return {"text": sanitize(self.describe(agent), OBS_LENGTH)}

    # ---- text -----------------------------------------------------------------------

    def _allocation_text(self, allocation: Allocation) -> str:
        return "; ".join(f"{a} gets {count_phrase(share)}" for a, share in zip(self.possible_agents, allocation))

    def _event_text(self, event: Event, viewer: int) -> str:
        who = self.possible_agents[event.actor] if event.actor >= 0 else ""
        if event.actor == viewer:
            who = "You"
        allocation: Allocation = event.allocation if event.allocation is not None else ()
        worth = f" (worth {self.game.value_of(viewer, allocation[viewer])} to you)" if allocation else ""
        if event.kind == Kind.PROPOSE:
            return f"{who} proposed: {self._allocation_text(allocation)}{worth}."
        if event.kind == Kind.ACCEPT:
            return f"{who} accepted the offer."
        if event.kind == Kind.REJECT:
            return f"{who} rejected the offer."
        if event.kind == Kind.SAY:
            to = event.to[1:] if event.to is not None else ()
            if event.actor == viewer:
                target = "everyone" if len(to) == self.players - 1 else ", ".join(self.possible_agents[t] for t in to)
                return f'You said to {target}: "{event.text}"'
            scope = "" if len(to) == self.players - 1 else " (to you only)"
            return f'{who} said{scope}: "{event.text}"'
        if event.kind == Kind.INVALID:
            return event.text
        if event.kind == Kind.DEAL:
            return f"Deal! {self._allocation_text(allocation)}{worth}."
        return "The turns ran out without a deal: everyone gets 0."

    def _header(self, viewer: int) -> str:
        game = self.game
        values = ", ".join(f"{SINGULAR[i]} {int(v)}" for i, v in enumerate(game.values[viewer]))
        return (f"Negotiation: you are {self.possible_agents[viewer]}, one of {self.players} players "
                f"({', '.join(self.possible_agents)}) dividing {count_phrase(game.counts)}.\n"
                f"Your private values: {values} (the whole pool is worth {TOTAL_VALUE} to you).")

    def _recent_events(self, viewer: int) -> list[str]:
        """The newest log lines ``viewer`` perceives (each event is worded once, when first shown)."""
        log = self.game.log
        lines = self._event_lines[viewer]
        for event in log[self._events_read[viewer]:]:
            if event.to is None or viewer in event.to:
                lines.append("  " + self._event_text(event, viewer))
        self._events_read[viewer] = len(log)
        del lines[:-RECENT_EVENTS]
        return lines

    def describe(self, agent: str) -> str:
        """What ``agent`` perceives now, in words (the ``text`` observation)."""
        game = self.game
        viewer = self._index[agent]
        lines = [self._headers[viewer], f"Turn {min(game.turn + 1, game.max_turns)} of {game.max_turns}."]
        seen = self._recent_events(viewer)
        if seen:
            lines.append("Recent events:")
            lines.extend(seen)
        if game.over:
            if game.deal is not None:
                lines.append(f"The negotiation is over: your share is worth {game.value_of(viewer, game.deal[viewer])} "
                             f"of {TOTAL_VALUE} to you.")
            else:
                lines.append("The negotiation is over without a deal.")
            return "\n".join(lines)
        if game.offer is not None:
            by = "your" if game.offer_by == viewer else f"{self.possible_agents[game.offer_by]}'s"
            accepted = ", ".join("you" if a == viewer else self.possible_agents[a] for a in sorted(game.accepted))
            lines.append(f"On the table: {by} offer, worth {game.value_of(viewer, game.offer[viewer])} of "
                         f"{TOTAL_VALUE} to you; accepted by {accepted}.")
        else:
            lines.append("No offer is on the table.")
        if game.current == viewer:
            lines.append("It is your turn: propose(...), accept, reject or say <text>.")
        else:
            lines.append(f"It is {self.possible_agents[game.current]}'s turn.")
        return "\n".join(lines)

    # ---- oracle ---------------------------------------------------------------------

    def oracle_action(self, agent: str | None = None) -> str:
        """A fair-split proposer: accept exactly the Nash bargaining solution, else propose it.

        It reads every agent's private values (it is privileged). Oracles in every seat
        strike the Nash deal, which is Pareto optimal, within one round.
        """
        game = self.game
        index = self._index[agent if agent is not None else self.agent_selection]
        nash = game.solution.nash_allocation
        if game.offer == nash and index not in game.accepted:
            return "accept"
        return str(self.allocation_command(nash))

    # ---- rendering ------------------------------------------------------------------

    def transcript(self) -> list[tuple[str, str]]:
        """The whole negotiation for people: values, then every event (private messages too)."""
        entries: list[tuple[str, str]] = []
        if self._game is None:
            return entries
        game = self._game
        entries.append(("note", f"Pool: {count_phrase(game.counts)}."))
        for i, agent in enumerate(self.possible_agents):
            values = ", ".join(f"{SINGULAR[j]} {int(v)}" for j, v in enumerate(game.values[i]))
            entries.append(("note", f"{agent} values: {values}"))
        for event in game.log:
            entries.append(self._public_entry(event))
        return entries

    def _public_entry(self, event: Event) -> tuple[str, str]:
        if event.kind == Kind.TIMEOUT:
            return "env", "The turns ran out without a deal: everyone gets 0."
        who = self.possible_agents[event.actor]
        if event.kind == Kind.INVALID:
            return "note", f"{who}: {event.text}"
        if event.kind == Kind.SAY:
            to = event.to[1:] if event.to is not None else ()
            target = "everyone" if len(to) == self.players - 1 else ", ".join(self.possible_agents[t] for t in to)
            return "agent", f'{who} to {target}: "{event.text}"'
        if event.kind in (Kind.ACCEPT, Kind.REJECT):
            return "agent", f"{who} {'accepts' if event.kind == Kind.ACCEPT else 'rejects'} the offer."
        allocation: Allocation = event.allocation if event.allocation is not None else ()
        worth = ", ".join(f"{a} {self.game.value_of(i, allocation[i])}" for i, a in enumerate(self.possible_agents))
        split = f"{self._allocation_text(allocation)} (values: {worth})"
        if event.kind == Kind.DEAL:
            return "env", f"Deal: {split}."
        return "agent", f"{who} proposes: {split}."

    def render(self) -> Any:
        if self.render_mode is None:
            import gymnasium

            gymnasium.logger.warn("You are calling render method without specifying any render mode.")
            return None
        if self._panel is None:
            from agentic_gym.core import TranscriptPanel

            self._panel = TranscriptPanel(width=640, height=480, title="Negotiation")
        entries = self.transcript()
        if self.render_mode == "ansi":
            return self._panel.ansi(entries)
        frame = self._panel.frame(entries)
        if self.render_mode == "rgb_array":
            return frame
        if self._window is None:
            from agentic_gym.core.window import HumanWindow

            self._window = HumanWindow("Negotiation", fps=self.metadata["render_fps"])
        self._window.show(frame)
        return None

    def close(self) -> None:
        if self._window is not None:
            self._window.close()
            self._window = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_panel"] = None
        state["_window"] = None
        return state


def env(**kwargs: Any) -> wrappers.OrderEnforcingWrapper:
    """The AEC env in PettingZoo's order-enforcing wrapper (actions are text, so no bounds wrapper)."""
    return wrappers.OrderEnforcingWrapper(raw_env(**kwargs))


parallel_env = parallel_wrapper_fn(env)

__all__ = ["VARIANTS", "env", "parallel_env", "raw_env"]

