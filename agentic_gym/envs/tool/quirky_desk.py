"""QuirkyTravelDesk: TravelDesk whose providers count days from another weekday, a per-seed quirk."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, SupportsFloat

from agentic_gym.core import Command
from agentic_gym.envs.tool import travel_world as tw
from agentic_gym.envs.tool.cities import WEEKDAYS
from agentic_gym.envs.tool.knobs import TravelDeskKnobs
from agentic_gym.envs.tool.tool_env import Episode
from agentic_gym.envs.tool.travel_desk import TravelDesk

#: The tools whose ``day`` the quirk shifts (the calendar is the user's own and is right).
PROVIDERS = frozenset({"weather", "flights", "hotels"})
#: Templates whose answer rests on a provider's day (numbers, so a wrong day rarely gives
#: the right answer by chance).
QUIRK_TEMPLATES: tuple[str, ...] = ("high_fahrenheit", "cheapest_flight", "low_at_meeting", "hotel_at_meeting")
_LESSON = re.compile(r"The weather, flights and hotels services count day 1 as (" + "|".join(WEEKDAYS) + r")\.")


def check_quirk_templates(templates: Any) -> None:
    """Refuse ``templates`` unless they name some of :data:`QUIRK_TEMPLATES`."""
    if isinstance(templates, str) or not templates or any(t not in QUIRK_TEMPLATES for t in templates):
        raise ValueError(f"templates must name some of {list(QUIRK_TEMPLATES)}, got {templates!r}")


@dataclass(frozen=True)
class QuirkyTravelDeskKnobs(TravelDeskKnobs):
    """TravelDesk's knobs with ``templates`` among :data:`QUIRK_TEMPLATES` (questions resting on one provider fact)."""

    def __post_init__(self) -> None:
        check_quirk_templates(self.templates)
        super().__post_init__()


class QuirkyTravelDesk(TravelDesk):
    """TravelDesk whose ``weather``, ``flights`` and ``hotels`` count days from another weekday.

    ## Description
    The questions and tools of :class:`~agentic_gym.envs.tool.travel_desk.TravelDesk`
    (by default the templates of :data:`QUIRK_TEMPLATES`), with a per-seed quirk: the
    three providers' day 1 is not Monday but ``1 + offset`` (offset 1 to 6, drawn
    from the seed), so ``weather(city="Oslo", day=3)`` reports the forecast of day
    ``3 + offset`` (modulo the week). Their replies label the day as asked, and the
    calendar is right, so nothing in an episode shows the quirk until the answer: a
    wrong answer is told the expected one and ``The weather, flights and hotels
    services count day 1 as Thursday.``, and the episode ends on the agent's next
    command (time to take a note). To ask about day ``d`` the agent must ask the
    providers for day ``d - offset``.

    ## What there is to learn
    The offset, for this seed. No reply states or betrays it (each is labelled as asked
    and has no other day to compare with), and only a wrong answer reveals it, so one
    episode can only guess; an agent that notes the revealed weekday answers right on
    every later :class:`~agentic_gym.wrappers.trials.Trials` trial of the same seed.

    ## Action Space, Observation Space, Rewards
    As TravelDesk.

    ## Episode End
    Terminates on a correct answer, on the first command after a wrong one, or when the
    tool budget is spent; truncated by ``max_episode_steps``.

    ## Arguments
    As TravelDesk; ``templates`` must name some of :data:`QUIRK_TEMPLATES` (all by
    default: questions whose answer is one provider fact on one day).

    ## Difficulty
    Knobs (``difficulty_knobs()``, reset ``info["difficulty"]``): ``difficulty``,
    ``n_cities`` (resolved), ``templates``, ``fault_rate``, ``tool_budget`` (as
    TravelDesk), plus the registered ``max_episode_steps``. Four tiers, ``-Trivial`` to
    ``-Hard`` (the rule needs a question resting on one provider fact, so the ladder
    climbs by the calls before that fact and the cities to choose among, not by long
    plans): oracle 2.0, 2.0, 2.8, 3.0 steps on seeds 0-5.

    ## Registered Configurations
    ``agentic_gym/TravelDesk-Quirks-Trivial-v0`` (forecast highs, four cities, 10 steps),
    ``agentic_gym/TravelDesk-Quirks-Easy-v0`` (forecast highs and cheapest flights, six
    cities), ``agentic_gym/TravelDesk-Quirks-Medium-v0`` (all four templates, eight cities),
    ``agentic_gym/TravelDesk-Quirks-Hard-v0`` (a meeting's low or hotel price: calendar,
    then a provider; ten cities, a budget of 6 calls).

    ## Prompt Format, Action Grammar
    As TravelDesk.

    ## Version History
    * v0: initial version.

    Example:
        >>> env = QuirkyTravelDesk()
        >>> obs, info = env.reset(seed=0)
        >>> while not info["success"]:
        ...     obs, reward, terminated, truncated, info = env.step(env.oracle_action())
        >>> reward
        1.0
    """

    metadata: dict[str, Any] = {
        **TravelDesk.metadata,
        "capabilities": ("tool_use", "reasoning", "memory", "self_improve"),
    }

    #: The record type of the typed difficulty knobs (``self.knobs``).
    Knobs = QuirkyTravelDeskKnobs

    def __init__(self, difficulty: str = "medium", templates: Sequence[str] = QUIRK_TEMPLATES,
                 **kwargs: Any):
        check_quirk_templates(templates)  # before TravelDesk's own check, which names every template
        super().__init__(difficulty=difficulty, templates=templates, **kwargs)
        #: Days the providers run ahead of the calendar (1..6): the hidden rule.
        self.offset = 1
        self._ending = False

    def _new_episode(self) -> Episode:
        episode = super()._new_episode()
        self.offset = 1 + int(self.np_random.integers(tw.DAYS - 1))
        self._ending = False
        plan = tuple(self._shifted(call, -self.offset) for call in episode.plan)
        return Episode(episode.question, plan, episode.answer)

    @staticmethod
    def _shifted(command: Command, offset: int) -> Command:
        """``command`` with its day moved by ``offset`` when it goes to a provider."""
        if command.name not in PROVIDERS:
            return command
        day = (command.args["day"] - 1 + offset) % tw.DAYS + 1
        return Command(command.name, {**command.args, "day": day})

    def _run_tool(self, command: Command) -> str:
        if command.name not in PROVIDERS:
            return super()._run_tool(command)
        asked = command.args["day"]
        reply = super()._run_tool(self._shifted(command, self.offset))
        # Labelled as asked: the reply must not betray the quirk.
        true_day = (asked - 1 + self.offset) % tw.DAYS + 1
        return reply.replace(tw.day_label(true_day), tw.day_label(asked))

    def _answer(self, command: Command) -> float:
        reward = super()._answer(command)
        if not self._success:
            # One more command to take the lesson in; the next one ends the episode.
            self._done, self._ending = False, True
            self._feedback += " " + self.lesson()
        return reward

    def step(self, action: Any) -> tuple[dict, SupportsFloat, bool, bool, dict]:
        if self._ending:
            self._ending, self._done = False, True
            self._feedback = "This attempt is over."
            self._transcript.append(("env", self._feedback))
            return self._observation(), 0.0, True, False, self._info(True)
        return super().step(action)

    def lesson(self) -> str:
        """The sentence a wrong answer is told (what a learner keeps)."""
        return f"The weather, flights and hotels services count day 1 as {WEEKDAYS[self.offset]}."

    # ---- solvers --------------------------------------------------------------------

    @staticmethod
    def read_lesson(text: str) -> str | None:
        """The lesson sentence in ``text`` (the env's word after a wrong answer, or a note
        quoting it), or None. Reads only the text."""
        match = _LESSON.search(text)
        return match.group(0) if match else None

    def rule_blind_action(self, lesson: str | None) -> str:
        """The next call of a solver that knows which facts answer the question but not the
        providers' days: it shifts them by the offset the ``lesson`` names (none without
        one), then answers from what the tools said. The plan is privileged; the quirk
        is not."""
        match = _LESSON.search(lesson or "")
        believed = WEEKDAYS.index(match.group(1)) if match else 0
        if believed == self.offset:
            return self.oracle_action()
        # The plan as the solver believes it; the answer it would read off those replies.
        for call in self._episode.plan:
            shifted = str(self._shifted(call, self.offset - believed))
            if shifted not in self._succeeded:
                return shifted
        return self._believed_answer(believed)

    def _believed_answer(self, believed: int) -> str:
        """The answer that the replies of the believed calls give: the question's one
        provider fact, read on the day those calls really reached."""
        world = self._task.world
        call = next(c for c in self._episode.plan if c.name in PROVIDERS)
        # The plan asks the providers offset days early; the question's day is later.
        question_day = (call.args["day"] - 1 + self.offset) % tw.DAYS + 1
        # The believed call asks believed days early and reaches offset days later.
        day = (question_day - 1 - believed + self.offset) % tw.DAYS + 1
        text = _READERS[self._task.template](world, call.args, day)
        return str(Command("answer", {"text": text}))


def _city(world: tw.World, name: str) -> int:
    return world.index[name.lower()]


#: Per template of :data:`QUIRK_TEMPLATES`: the answer its one provider call gives for a day.
_READERS: dict[str, Any] = {
    "high_fahrenheit": lambda w, a, d: f"{tw.fahrenheit(w.weather(_city(w, a['city']), d).high_c)} F",
    "cheapest_flight": lambda w, a, d: f"${w.cheapest(_city(w, a['origin']), _city(w, a['destination']), d)}",
    "low_at_meeting": lambda w, a, d: f"{w.weather(_city(w, a['city']), d).low_c} C",
    "hotel_at_meeting": lambda w, a, d: f"${w.hotels(_city(w, a['city']), d)[0].price}",
}
