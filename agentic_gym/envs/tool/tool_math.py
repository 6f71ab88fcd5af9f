"""ToolMath: multi-step word problems over large numbers, with a safe calculator tool."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from agentic_gym.core import Affordance, Command, calculate, format_number, params, string_param
from agentic_gym.envs.tool import math_world as mw
from agentic_gym.envs.tool.knobs import ToolMathKnobs
from agentic_gym.envs.tool.tool_env import Episode, ToolEnv

MATH_AFFORDANCES: tuple[Affordance, ...] = (
    Affordance(
        "calculator",
        "Evaluate arithmetic: numbers, + - * / // % **, parentheses, sqrt, round, min, max, floor, ceil, log, exp.",
        params(expression=string_param("An arithmetic expression, without thousands separators.", max_length=1000,
                                       examples=["3487 * 26.75", "(1 + 3.75 / 100) ** 6", "1284 / 96.5 * 60"])),
        kind="tool",
    ),
    Affordance(
        "answer",
        "Give the final answer to the problem; this ends the episode.",
        params(text=string_param("The answer, a number with its unit if any.", max_length=500,
                                 examples=["$93,274.18", "4,120.75 liters", "42.5"])),
        kind="answer",
    ),
)

#: ``info["admissible_commands"]`` of every ToolMath step: the arguments are free text and numbers.
ADMISSIBLE_TEMPLATES: tuple[str, ...] = ("calculator <expression>", "answer <number>")


class ToolMath(ToolEnv):
    """Solve a multi-step word problem over large numbers, using a calculator tool.

    ## Description
    Each episode draws, from the seed alone, a word problem in one of four domains:
    shopping (quantities, prices, fees, discounts, tax, shares), unit conversion (oil
    deliveries, losses, barrels to liters, shares), savings (monthly deposits, bonus,
    compound interest, fees, tax, shares) and travel time (distances and speeds, stops,
    delays, hours to minutes). The story takes its quantity through exactly ``steps``
    arithmetic operations, one per sentence, over numbers such as 3,487 x $26.75 or
    (1 + 3.75%)^6 that are unreliable in one's head. ``calculator`` evaluates an
    expression with the suite's safe evaluator; ``answer`` ends the episode.

    ## Action Space
    A :class:`~agentic_gym.core.CommandSpace` (text; any string is a legal action):

    | command | kind | effect |
    |---|---|---|
    | `calculator <expression>` | tool | the value of an arithmetic expression, 12 significant digits |
    | `answer <text>` | answer | the final answer; ends the episode |

    An invalid command costs a step: the next observation says what was wrong,
    quoting at most 40 characters of it.

    ## Observation Space
    ``Dict(text=Text(4096), question=Text(1024))`` over :data:`~agentic_gym.core.CHARSET`:
    ``text`` is an instruction, the problem, the numbered calculator results so far
    (oldest trimmed first when they would overflow) and feedback on the last command;
    ``question`` is the problem alone.

    ## Rewards
    1 for a correct answer, 0 otherwise. Answers are exact values asked to a stated
    number of decimal places (two, "to the nearest cent" for money); the answer's
    number (the last one stated in the problem's unit, or without a unit; thousands
    separators, ``$`` and "rounded to 2 decimal places" allowed, see
    :mod:`agentic_gym.envs.tool.answers`) is accepted when it lies within half a unit of
    that last place of the exact value, so either rounding of a tie, and the unrounded
    value, pass.

    ## Episode End
    Terminates on ``answer`` and when a calculator call finds the ``tool_budget``
    spent. Truncated by the registered ``max_episode_steps``. ``info`` has ``success``,
    ``action_valid`` (False for an unreadable command and for a calculator error),
    the cumulative ``tool_calls``, ``tool_errors`` and ``tool_faults``,
    ``oracle_tool_calls`` (1: one calculator call with the whole expression suffices,
    plus one retry per fault) and ``admissible_commands`` (the two command templates,
    ``calculator <expression>`` and ``answer <number>``: the same in every episode, so they
    never hint at the solution).

    ## Arguments
    * ``steps``: arithmetic operations per problem, 2..10 (7..10 add sentences to every domain's story).
    * ``domains``: a subset of ``("shopping", "conversion", "savings", "travel")``.
    * ``fault_rate``: probability in [0, 1) that a calculator call fails transiently.
    * ``tool_budget``: the most calculator calls allowed (1..10000), or None.

    A wrong type or value raises ``TypeError``/``ValueError`` naming the argument and its
    range; a reset takes well under a millisecond at every setting.
    * ``render_mode``: ``"human"``, ``"rgb_array"`` (a 640x480 transcript panel) or ``"ansi"``.

    ## Difficulty
    Knobs (``difficulty_knobs()``, reset ``info["difficulty"]``): ``steps``, ``domains``,
    ``fault_rate``, ``tool_budget``, plus the registered ``max_episode_steps``. Tiers
    ``-Trivial`` to ``-Expert``: 2, 3, 4, 6 and 9 steps.

    ## Registered Configurations
    * ``agentic_gym/ToolMath-2step-v0``: ``steps=2``, 10 steps.
    * ``agentic_gym/ToolMath-4step-v0``: ``steps=4``, 15 steps.
    * ``agentic_gym/ToolMath-6step-v0``: ``steps=6``, 20 steps.

    ## Prompt Format
    The first observation's ``text`` reads::

        Solve the problem. Use the calculator for the arithmetic, then reply with answer <number>.

        Question: A hospital orders 3,487 tablets at $26.75 each. The supplier adds a delivery fee of
        $1,248.50. How much is the bill, in dollars? Round to the nearest cent.
        No tool calls yet.

    and after a call::

        Results so far:
        [1] calculator 3487 * 26.75 + 1248.50 -> 94525.75

    ## Action Grammar
    ``calculator <expression>`` (or ``calculator(expression="...")``) and
    ``answer <text>``, one per step. Expressions use numbers without thousands
    separators, ``+ - * / // % **`` (not ``^``), parentheses, ``sqrt``, ``round``,
    ``min``, ``max``, ``floor``, ``ceil``, ``log``, ``exp`` and ``pi``/``e``; at most
    1000 characters. Through ``agentic_gym.chat`` the tools are OpenAI function schemas.

    ## Version History
    * v0: initial release.

    Example:
        >>> env = ToolMath(steps=2)
        >>> obs, info = env.reset(seed=0)
        >>> info["oracle_tool_calls"], env.oracle_action().startswith("calculator ")
        (1, True)
        >>> _ = env.step(env.oracle_action())
        >>> env.step(env.oracle_action())[1:3]
        (1.0, True)
    """

    metadata: dict[str, Any] = {
        "render_modes": ["human", "rgb_array", "ansi"],
        "render_fps": 4,
        "capabilities": ("tool_use", "reasoning"),
    }
    affordances = MATH_AFFORDANCES
    faultable = frozenset({"calculator"})
    title = "ToolMath"
    intro = "Solve the problem. Use the calculator for the arithmetic, then reply with answer <number>."

    #: The record type of the typed difficulty knobs (``self.knobs``).
    Knobs = ToolMathKnobs

    def __init__(
        self,
        steps: int = 4,
        domains: Sequence[str] = mw.DOMAINS,
        fault_rate: float = 0.0,
        tool_budget: int | None = None,
        render_mode: str | None = None,
    ):
        #: The typed difficulty knobs (the one place their ranges are stated).
        self.knobs = ToolMathKnobs(steps=steps, domains=cast(Any, domains),  # the record validates and converts it
                                   fault_rate=fault_rate, tool_budget=tool_budget)
        super().__init__(fault_rate=self.knobs.fault_rate, tool_budget=self.knobs.tool_budget, render_mode=render_mode)

    @property
    def steps(self) -> int:
        """The ``steps`` knob (``self.knobs.steps``)."""
        return self.knobs.steps

    @property
    def domains(self) -> tuple[str, ...]:
        """The ``domains`` knob (``self.knobs.domains``)."""
        return self.knobs.domains

    def _new_episode(self) -> Episode:
        self._problem = problem = mw.generate_problem(self.np_random, self.steps, self.domains)
        plan = (Command("calculator", {"expression": problem.expression}),)
        return Episode(problem.text, plan, Command("answer", {"text": problem.answer}))

    def _run_tool(self, command: Command) -> str:
        return format_number(calculate(command.args["expression"]))

    def _is_correct(self, text: str) -> bool:
        return mw.check_answer(self._problem, text)

    def _admissible(self) -> list[str]:
        # Templates, not calls: any call built from the problem's numbers would be a step of its solution.
        return list(ADMISSIBLE_TEMPLATES)
