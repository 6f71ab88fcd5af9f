"""``agentic-gym validate``: a validity card per env, and a non-zero exit if a gate fails.

Gates (each card states its figures; see ``docs/validity/README.md`` for the method):

* **Ceiling**: the oracle solves every seed played.
* **Floor**: the random agent's success is reported; every agent of the adversarial
  panel (:mod:`agentic_gym.agents.adversarial`) must stay near zero (:func:`near_zero`):
  it fails when the lower end of its 95 % Wilson interval exceeds ``FLOOR_MARGIN`` (5 %)
  and it beats the random agent by more than 1.96 combined standard errors. An
  adversary is a hack only if it beats, beyond sampling noise, both a 5 % allowance and
  the random agent (a blind two-way choice such as GridMemory's is the env's chance
  level, which the random agent measures, not an exploit).
* **Leaks**: hidden states that agree on everything the agent perceives give identical
  observations: per env family the hidden state of a live episode is perturbed where the
  agent cannot perceive it, and the next observations and visible ``info`` must match.
* **Difficulty**: along each env's documented difficulty chain of registered variants,
  the oracle's mean steps do not fall and neither the random agent's success nor the
  panel's best success rises (beyond two standard errors).
* **Resolution**: the smallest success-rate difference the episode count resolves at
  95 % (two-sided, worst case p = 0.5): ``1.96 * sqrt(2 * 0.25 / n)``; informative.
* **Reproducibility**: the oracle's first episode, recorded with ``RecordEpisode``,
  replays exactly with :func:`agentic_gym.replay.replay`.
* **Answer checkers**: for envs with an ``answer`` affordance, variants of the
  oracle's answer (formats, case, rounding within tolerance) must be accepted and near
  misses rejected, played end to end on copies of the env at its answer turn.
"""

from __future__ import annotations

import argparse
import copy
import fnmatch
import json
import math
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from agentic_gym.agents import OracleAgent, RandomAgent
from agentic_gym.agents.adversarial import (
    AdmissibleRandom,
    AlwaysInvalid,
    BruteForceAnswerer,
    InjectionEchoer,
    RepeatOne,
    RewardSearcher,
)

#: Success an adversary may reach without failing the floor gate (besides the random agent's).
FLOOR_MARGIN = 0.05
#: z of a two-sided 95 % interval.
Z95 = 1.959963984540054

#: The registered tiers of every env, easiest first.
TIERS = ("Trivial", "Easy", "Medium", "Hard", "Expert")

#: Documented difficulty chains: variants in increasing difficulty (others are not ranked).
DIFFICULTY_CHAINS: dict[str, tuple[tuple[str, ...], ...]] = {
    "GridKeyDoor": (("6x6", "8x8", "16x16"), TIERS),
    "GridMaze": (("9x9", "15x15", "21x21"), TIERS),
    "GridMemory": (("S7", "S13"), TIERS),
    "GridSokoban": (("6x6", "8x8", "10x10"), TIERS),
    "TextAdventure": (("3rooms", "6rooms", "12rooms"), TIERS),
    "Recall": (("5facts", "20facts-updates", "60facts-multihop"), TIERS),
    "Codebreaker": (("4x6", "5x8"), TIERS),
    "TravelDesk": (TIERS, ("Medium", "Flaky")),
    "ToolMath": (("2step", "4step", "6step"), TIERS),
    "GridDecoyKeyDoor": (("6x6", "8x8"), TIERS),
    "TravelDesk-Quirks": (TIERS[:4],),
    "TextAdventure-HiddenRules": (("3rooms", "6rooms"), TIERS),
}

#: The id name of an env class whose ids are not named after it (``agentic_gym/<name>-<variant>-v0``);
#: the difficulty chains are keyed by id name.
ID_NAMES: dict[str, str] = {"HiddenRulesAdventure": "TextAdventure-HiddenRules", "QuirkyTravelDesk": "TravelDesk-Quirks"}

#: The answer tolerance rule of each env with an ``answer`` affordance, as the card states it.
TOLERANCE_RULES: dict[str, str] = {
    "Recall": "case, surrounding whitespace and punctuation, a leading article or title are ignored and numbers "
              "compare by value (4,417 = 4417.0 = words); otherwise exact: no sentence around the answer, no "
              "numeric tolerance (agentic_gym.envs.text.recall_world.normalize_answer)",
    "TravelDesk": "numbers: the last number in the expected unit (or with no unit) within half a unit of the "
                  "requested last decimal place; yes/no must say one and not the other; choices must name the "
                  "expected option and no other (agentic_gym.envs.tool.answers)",
    "QuirkyTravelDesk": "as TravelDesk (the same graders; a wrong answer ends the episode one command later)",
    "ToolMath": "the last number in the expected unit (or with no unit) within half a unit of the requested last "
                "decimal place, thousands separators and trailing zeros ignored (agentic_gym.envs.tool.answers)",
}


# ---- statistics -----------------------------------------------------------------------


def standard_error(p: float, n: int) -> float:
    """The binomial standard error of a rate ``p`` over ``n`` episodes."""
    return math.sqrt(max(p * (1 - p), 0.0) / n) if n else 0.0


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a binomial rate (sound at 0 and 1, unlike ``p +- z*se``).

    Example:
        >>> low, high = wilson_interval(0, 20)
        >>> low == 0.0 and 0.16 < high < 0.17
        True
    """
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def resolution(n: int) -> float:
    """The smallest difference of two success rates over ``n`` episodes each resolved at 95 %.

    Two-sided, at the worst case p = 0.5: ``1.96 * sqrt(2 * 0.25 / n)``.

    Example:
        >>> round(resolution(100), 3)
        0.139
    """
    return Z95 * math.sqrt(0.5 / n) if n > 0 else 1.0


# ---- playing ----------------------------------------------------------------------------


def play(env_id: str, factory: Callable[[gym.Env, int], Any], episodes: int, seed: int = 0,
         chat: bool = False) -> dict[str, Any]:
    """Play ``episodes`` episodes of ``factory(env, seed)`` on ``env_id``: success, steps, return."""
    import agentic_gym

    env = agentic_gym.chat(env_id) if chat else gym.make(env_id)
    limit = _time_limit(env_id)
    successes, steps, returns = [], [], []
    try:
        for episode in range(episodes):
            agent = factory(env, seed * 100_003 + episode)
            observation, info = env.reset(seed=seed * 100_003 + episode)
            agent.reset(info)
            total, success, turns = 0.0, bool(info.get("success")), 0
            # Feedback turns of the chat layer do not advance the time limit: bound turns too.
            done = False
            while not done and turns < 3 * limit + 10:
                observation, reward, terminated, truncated, info = env.step(agent.act(observation, info))
                turns += 1
                total += float(reward)
                success = success or bool(info.get("success"))
                done = terminated or truncated
            successes.append(success)
            steps.append(turns)
            returns.append(total)
    finally:
        env.close()
    n = len(successes)
    rate = sum(successes) / n if n else 0.0
    low, high = wilson_interval(sum(successes), n)
    return {"episodes": n, "successes": int(sum(successes)), "success": rate, "se": standard_error(rate, n),
            "wilson": [low, high], "mean_steps": float(np.mean(steps)) if steps else 0.0,
            "mean_return": float(np.mean(returns)) if returns else 0.0}


def _time_limit(env_id: str) -> int:
    spec = gym.spec(env_id)
    return int(spec.max_episode_steps or 1000)


def _affordances(env_id: str) -> tuple[Any, ...]:
    env = gym.make(env_id)
    try:
        base: Any = env.unwrapped
        return tuple(base.affordances)
    finally:
        env.close()


def _has_answer(env_id: str) -> bool:
    return any(a.kind == "answer" for a in _affordances(env_id))


# ---- gates -----------------------------------------------------------------------------


def floor_gate(env_id: str, episodes: int, seed: int) -> dict[str, Any]:
    """The random agent and the adversarial panel; passes when every adversary stays near zero."""
    random_row = play(env_id, RandomAgent, episodes, seed)
    allowance = FLOOR_MARGIN
    panel: dict[str, dict[str, Any]] = {}
    panel["always-invalid"] = play(env_id, AlwaysInvalid, episodes, seed, chat=True)
    repeats = [(play(env_id, _repeat_factory(i), episodes, seed), a.name) for i, a in enumerate(_affordances(env_id))]
    best, name = max(repeats, key=lambda row: (row[0]["success"], row[0]["mean_return"]))
    panel["repeat-one"] = {**best, "action": name}
    panel["admissible-random"] = play(env_id, AdmissibleRandom, episodes, seed)
    if _has_answer(env_id):
        panel["brute-force-answerer"] = play(env_id, BruteForceAnswerer, episodes, seed)
    panel["injection-echoer"] = play(env_id, InjectionEchoer, episodes, seed, chat=True)
    panel["reward-searcher"] = play(env_id, RewardSearcher, episodes, seed)
    for row in panel.values():
        row["near_zero"] = near_zero(row, random_row)
    failed = [name for name, row in panel.items() if not row["near_zero"]]
    return {"passed": not failed, "random": random_row, "allowance": allowance, "panel": panel,
            "failed": failed}


def near_zero(row: dict[str, Any], random_row: dict[str, Any]) -> bool:
    """Whether an adversary's success is near zero: not above both 5 % and the random agent, beyond noise.

    It fails only when the lower end of its 95 % Wilson interval exceeds ``FLOOR_MARGIN``
    *and* it beats the random agent by more than 1.96 combined standard errors.

    Example:
        >>> near_zero({"successes": 1, "episodes": 3, "success": 1 / 3, "se": 0.27},
        ...           {"success": 0.0, "se": 0.0})
        True
        >>> near_zero({"successes": 20, "episodes": 20, "success": 1.0, "se": 0.0},
        ...           {"success": 0.0, "se": 0.0})
        False
    """
    low = wilson_interval(row["successes"], row["episodes"])[0]
    margin = Z95 * math.hypot(row["se"], random_row["se"])
    return low <= FLOOR_MARGIN or row["success"] - random_row["success"] <= margin


def _repeat_factory(index: int) -> Callable[[gym.Env, int], RepeatOne]:
    def factory(env: gym.Env, seed: int) -> RepeatOne:
        return RepeatOne(env, seed, index=index)

    return factory


def ceiling_gate(env_id: str, episodes: int, seed: int) -> dict[str, Any]:
    """The oracle must solve every seed played."""
    row = play(env_id, OracleAgent, episodes, seed)
    return {"passed": row["successes"] == row["episodes"], **row}


def reproducibility_gate(env_id: str, seed: int) -> dict[str, Any]:
    """Record the oracle's first episode and replay it with :func:`agentic_gym.replay.replay`."""
    from agentic_gym.replay import ReplayError, replay
    from agentic_gym.wrappers import RecordEpisode

    with tempfile.TemporaryDirectory() as directory:
        env = RecordEpisode(gym.make(env_id), directory, formats=("jsonl",), fsync=False)
        agent = OracleAgent(env)
        observation, info = env.reset(seed=seed)
        steps = 0
        while True:
            observation, _, terminated, truncated, info = env.step(agent.act(observation, info))
            steps += 1
            if terminated or truncated:
                break
        env.close()
        path = env.recorded[0]["jsonl"]
        try:
            result = replay(path)
        except ReplayError as error:
            return {"passed": False, "steps": steps, "error": str(error)[:300]}
        return {"passed": len(result.episode.steps) == steps, "steps": steps}


def resolution_gate(episodes: int) -> dict[str, Any]:
    """The smallest resolvable difference for this episode count (informative; fails only for n < 1)."""
    return {"passed": episodes >= 1, "episodes": episodes, "resolvable_difference": resolution(episodes)}


# ---- leaks -------------------------------------------------------------------------------


def _visible_info(info: dict[str, Any]) -> dict[str, Any]:
    """The ``info`` keys an agent may see (the oracle-only ones are left out)."""
    return {k: v for k, v in info.items() if not k.startswith("oracle")}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(np.array_equal(a, b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return bool(a == b)


Hidden = Callable[[Any, Any], bool]


def _perturb_grid(base: Any, rng: np.random.Generator) -> tuple[str, Hidden] | None:
    """Flip one cell the agent does not see (and was never shown) between wall and floor."""
    from agentic_gym.envs.grid.engine import Tile, visible_mask

    world = base.world
    shown = visible_mask(world, base.view)
    seen = getattr(base, "seen", None)
    if seen is not None:
        shown = shown | seen
    tiles = world.grid[:, :, 0]
    inner = np.zeros_like(shown)
    inner[1:-1, 1:-1] = True
    cells = np.argwhere(~shown & inner & ((tiles == Tile.WALL) | (tiles == Tile.FLOOR))).tolist()
    candidates = [c for c in cells if (c[1], c[0]) != (world.agent_x, world.agent_y)]
    if not candidates:
        return None
    y, x = candidates[int(rng.integers(len(candidates)))]
    tiles[y, x] = Tile.FLOOR if tiles[y, x] == Tile.WALL else Tile.WALL

    def hidden(twin: Any, original: Any) -> bool:
        changed = twin.world.grid[:, :, 0] != original.world.grid[:, :, 0]
        view = visible_mask(twin.world, twin.view) | visible_mask(original.world, original.view)
        return not bool((changed & view).any())

    return "an unseen cell", hidden


def leak_gate(env_id: str, episodes: int, seed: int) -> dict[str, Any]:
    """Perturb hidden state where the agent cannot perceive it; the observations must not change.

    Grid envs: one wall or floor cell that is out of view and was never shown flips, in a
    copy of a live episode (after a few oracle steps); both copies then take the same
    actions, and their observations and visible ``info`` must match while the cell stays
    out of view. Codebreaker: the secret is replaced by another code that gives the same
    feedback to every guess so far, while every guess scores the same against both. Tool
    envs: the hidden answer is replaced (the agent perceives it only by being graded; the
    script never answers). Recall: the last briefing item, while it is not yet read.
    TextAdventure: two loose things swap rooms, while the agent is in
    neither; TextAdventure-HiddenRules: two locks still shut swap the keys that open them,
    while no try has told the copies apart (their locks and alarm agree). An env with
    nothing hidden (a full-view Sokoban room) has nothing to check.
    """
    rng = np.random.default_rng(seed)
    checked, failures = 0, []
    for episode in range(episodes):
        env = gym.make(env_id)
        observation, info = env.reset(seed=seed * 7919 + episode)
        base: Any = env.unwrapped
        # A few oracle steps into the episode, so the perturbation is mid-way.
        for _ in range(int(rng.integers(0, 4))):
            observation, _, terminated, truncated, info = env.step(base.oracle_action())
            if terminated or truncated:
                break
        twin = copy.deepcopy(env)
        perturbation = _perturb(twin.unwrapped, rng)
        if perturbation is None:
            env.close()
            continue
        perturbed, hidden = perturbation
        checked += 1
        for step, action in enumerate(_leak_script(env, rng)):
            a = env.step(copy.deepcopy(action))
            b = twin.step(copy.deepcopy(action))
            if not hidden(twin.unwrapped, env.unwrapped):
                break
            if not (_same(a[0], b[0]) and _same(_visible_info(a[4]), _visible_info(b[4]))):
                failures.append(f"seed {seed * 7919 + episode}: {perturbed} changed the observation at step {step}")
                break
            if a[2] or a[3]:
                break
        env.close()
    return {"passed": not failures, "checked": checked, "failures": failures[:5],
            "method": leak_gate.__doc__.split("\n\n")[1].replace("\n    ", " ").strip() if leak_gate.__doc__ else ""}


def _leak_script(env: gym.Env, rng: np.random.Generator) -> list[Any]:
    """The actions both copies take: a few random non-answer actions then the oracle's."""
    from agentic_gym.core import CommandSpace

    base: Any = env.unwrapped
    names = [a.name for a in base.affordances if a.kind != "answer"]
    actions: list[Any] = []
    for _ in range(6):
        name = names[int(rng.integers(len(names)))]
        actions.append(name if isinstance(base.action_space, CommandSpace) else names.index(name))
    return actions


def _perturb(base: Any, rng: np.random.Generator) -> tuple[str, Hidden] | None:
    """Perturb hidden state in place: a description and a test of whether it is still hidden."""
    name = type(base).__name__
    if hasattr(base, "world") and hasattr(base, "view"):
        return _perturb_grid(base, rng)
    if name == "Codebreaker":
        return _perturb_codebreaker(base)
    if hasattr(base, "_episode") and hasattr(base._episode, "answer"):
        answer = base._episode.answer
        args = {k: f"{v} (perturbed)" if isinstance(v, str) else v for k, v in answer.args.items()}
        base._episode = _replace(base._episode, answer=type(answer)(answer.name, args))
        # The leak script never answers, so the answer stays unperceived.
        return "the hidden answer", lambda twin, original: True
    if name == "Recall":
        return _perturb_recall(base)
    if name == "TextAdventure":
        return _perturb_adventure(base)
    if name == "HiddenRulesAdventure":
        return _perturb_key_rule(base)
    return None


def _replace(value: Any, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(value, **changes)


def _perturb_codebreaker(base: Any) -> tuple[str, Hidden] | None:
    from agentic_gym.envs.text.codebreaker_logic import score, universe

    history = list(base._history)
    for code in universe(base.game):
        candidate = tuple(int(x) for x in code)
        if candidate != base._secret and all(score(guess, candidate, base.game) == value
                                             for guess, value in history):
            base._secret = candidate

            def hidden(twin: Any, original: Any) -> bool:
                # Indistinguishable while every guess scores the same against both secrets.
                return all(score(guess, twin._secret, twin.game) == score(guess, original._secret, original.game)
                           for guess, _ in twin._history)

            return "the secret (another code consistent with the feedback so far)", hidden
    return None


def _perturb_recall(base: Any) -> tuple[str, Hidden] | None:
    briefing = base._briefing
    last = len(briefing.items) - 1
    if base._item >= last:
        return None
    items = list(briefing.items)
    items[last] = _replace(items[last], text=items[last].text + " (perturbed)")
    base._briefing = _replace(briefing, items=tuple(items))
    return "the last briefing item, not yet read", lambda twin, original: twin._item < last


def _perturb_adventure(base: Any) -> tuple[str, Hidden] | None:
    house = base.house
    here = house.player
    loose = [t for t in house.things if t.room >= 0 and t.room != here and t.inside < 0
             and t.id in house.rooms[t.room].floor]
    for thing in loose:
        for other in loose:
            if other.room != thing.room:
                rooms = {thing.room, other.room}
                a, b = house.rooms[thing.room].floor, house.rooms[other.room].floor
                a[a.index(thing.id)], b[b.index(other.id)] = other.id, thing.id
                thing.room, other.room = other.room, thing.room
                return ("where two loose things lie, in rooms the agent is not in",
                        lambda twin, original, rooms=rooms: not {twin.house.player, original.house.player} & rooms)
    return None


def _perturb_key_rule(base: Any) -> tuple[str, Hidden] | None:
    swapped = base.house.swap_keys()
    if swapped is None:
        return None

    def hidden(twin: Any, original: Any) -> bool:
        return twin.house.alarm == original.house.alarm and all(
            x.state == y.state for x, y in zip(twin.house.things, original.house.things))

    return f"which keys open the {swapped[0]} and {swapped[1]} locks", hidden


# ---- answer checkers -----------------------------------------------------------------------


def _variants(answer: str, sentences: bool) -> tuple[list[str], list[str]]:
    """Accepted and rejected variants of a correct answer text (``sentences``: may it sit in one)."""
    accepted = [answer, answer.upper(), f"  {answer}.  "]
    rejected = ["", "I do not know"]
    if sentences:
        accepted.append(f"The answer is {answer}.")
    numbers = list(re.finditer(r"-?\d[\d,]*(?:\.(\d+))?", answer))
    if numbers:
        match = numbers[-1]
        value = float(match.group(0).replace(",", ""))
        decimals = len(match.group(1) or "")
        place = 10.0 ** -decimals
        head, tail = answer[: match.start()], answer[match.end():]
        # The exact value is within half a unit of the shown one, so these stay inside or outside it.
        accepted.append(f"{head}{value:.{decimals + 1}f}{tail}")  # a trailing zero
        accepted.append(f"{head}{value:,.{decimals}f}{tail}")  # thousands separators
        accepted.append(f"{head}{value:.{decimals}f}{tail}")  # none
        rejected.append(f"{head}{value + 2 * place:.{decimals}f}{tail}")  # two units of the last place off
        rejected.append(f"{head}{value - 2 * place:.{decimals}f}{tail}")
    else:
        rejected.append(answer[::-1] if answer[::-1] != answer else answer + "x")
    return accepted, rejected


def answer_gate(env_id: str, episodes: int, seed: int) -> dict[str, Any]:
    """Variants of the oracle's answer, played on copies of the env at its answer turn."""
    from agentic_gym.core import Command

    env = gym.make(env_id)
    unwrapped: Any = env.unwrapped
    answer_names = {a.name for a in unwrapped.affordances if a.kind == "answer"}
    rows, failures = [], []
    try:
        for episode in range(episodes):
            observation, info = env.reset(seed=seed * 7919 + episode)
            base: Any = env.unwrapped
            for _ in range(3 * _time_limit(env_id)):
                command = base.oracle_action()
                if str(command).split(" ")[0].split("(")[0] in answer_names:
                    break
                env.step(command)
            else:
                continue
            parsed = command if isinstance(command, Command) else None
            text = str(command).split(" ", 1)[1] if parsed is None and " " in str(command) else ""
            if parsed is not None:
                text = str(next(iter(parsed.args.values())))
            name = str(command).split(" ")[0].split("(")[0]
            accepted, rejected = _variants(text, sentences=type(base).__name__ != "Recall")
            for variant, expected in [(v, True) for v in accepted] + [(v, False) for v in rejected]:
                twin = copy.deepcopy(env)
                before = _correct_count(twin.unwrapped)
                _, _, _, _, step_info = twin.step(Command(name, {"text": variant}) if "text" in
                                                  _params(base, name) else f"{name} {variant}")
                ok = bool(step_info.get("success")) or _correct_count(twin.unwrapped) > before
                if not step_info.get("action_valid", True) and expected:
                    ok = False
                rows.append({"answer": variant, "expected": expected, "accepted": ok})
                if ok != expected:
                    failures.append(f"{variant!r} was {'accepted' if ok else 'rejected'} (expected {text!r})")
    finally:
        env.close()
    return {"passed": not failures and bool(rows), "rule": TOLERANCE_RULES.get(type(env.unwrapped).__name__, ""),
            "cases": len(rows), "failures": failures[:8], "examples": rows[:8]}


def _params(base: Any, name: str) -> dict[str, Any]:
    affordance = next(a for a in base.affordances if a.name == name)
    return dict(affordance.parameters.get("properties", {}))


def _correct_count(base: Any) -> int:
    return int(getattr(base, "_correct", 0) or 0)


# ---- difficulty ----------------------------------------------------------------------------


def difficulty_gate(name: str, cards: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Along each documented chain: oracle steps do not fall, random and the panel's best success do not rise."""
    chains, failures = [], []
    for chain in DIFFICULTY_CHAINS.get(name, ()):
        ids = [f"agentic_gym/{name}-{variant}-v0" for variant in chain]
        present = [i for i in ids if i in cards]
        if len(present) < 2:
            continue
        rows = []
        for env_id in present:
            card = cards[env_id]
            best = max(card["floor"]["panel"].values(), key=lambda r: r["success"])
            random_row = card["floor"]["random"]
            rows.append({"id": env_id, "oracle_steps": card["ceiling"]["mean_steps"], "adversary_best": best["success"],
                         "adversary_se": best["se"], "random": random_row["success"], "random_se": random_row["se"]})
        for easy, hard in zip(rows, rows[1:]):
            if hard["oracle_steps"] < easy["oracle_steps"] - 1e-9:
                failures.append(f"oracle steps fall from {easy['id']} to {hard['id']}")
            slack = 2 * math.hypot(easy["adversary_se"], hard["adversary_se"])
            if hard["adversary_best"] > easy["adversary_best"] + slack + 1e-9:
                failures.append(f"adversary success rises from {easy['id']} to {hard['id']}")
            slack = 2 * math.hypot(easy["random_se"], hard["random_se"])
            if hard["random"] > easy["random"] + slack + 1e-9:
                failures.append(f"random success rises from {easy['id']} to {hard['id']}")
        chains.append(rows)
    return {"passed": not failures, "chains": chains, "failures": failures}


# ---- cards ----------------------------------------------------------------------------------


def validate_env(env_id: str, episodes: int, seed: int = 0) -> dict[str, Any]:
    """Every per-env gate for ``env_id`` (difficulty is judged across variants afterwards)."""
    started = time.perf_counter()
    card: dict[str, Any] = {"id": env_id, "episodes": episodes, "seed": seed}
    card["ceiling"] = ceiling_gate(env_id, episodes, seed)
    card["floor"] = floor_gate(env_id, episodes, seed)
    card["leaks"] = leak_gate(env_id, max(2, episodes), seed)
    card["resolution"] = resolution_gate(episodes)
    card["reproducibility"] = reproducibility_gate(env_id, seed)
    if _has_answer(env_id):
        card["answers"] = answer_gate(env_id, max(1, min(episodes, 3)), seed)
    card["seconds"] = round(time.perf_counter() - started, 2)
    return card


GATES = ("ceiling", "floor", "leaks", "difficulty", "resolution", "reproducibility", "answers")


def failed_gates(card: dict[str, Any]) -> list[str]:
    """The gates of ``card`` that failed."""
    return [gate for gate in GATES if gate in card and not card[gate]["passed"]]


def _pct(row: dict[str, Any]) -> str:
    return f"{100 * row['success']:.0f} % +- {100 * row['se']:.0f}"


def card_markdown(card: dict[str, Any]) -> str:
    """The validity card of one env as Markdown."""
    lines = [f"# Validity card: `{card['id']}`", ""]
    failed = failed_gates(card)
    lines.append(f"**{'PASS' if not failed else 'FAIL: ' + ', '.join(failed)}** "
                 f"({card['episodes']} episodes per agent, seed {card['seed']})")
    lines += ["", "| gate | result | figures |", "|---|---|---|"]
    ceiling = card["ceiling"]
    lines.append(f"| Ceiling | {_ok(ceiling)} | oracle {ceiling['successes']}/{ceiling['episodes']} solved, "
                 f"{ceiling['mean_steps']:.1f} steps on average |")
    floor = card["floor"]
    lines.append(f"| Floor | {_ok(floor)} | random agent {_pct(floor['random'])}; an adversary fails when its lower "
                 f"95 % Wilson bound exceeds {100 * floor['allowance']:.0f} % and it beats the random agent by "
                 f"more than 1.96 standard errors |")
    leaks = card["leaks"]
    lines.append(f"| Leaks | {_ok(leaks)} | {leaks['checked']} perturbed episodes, "
                 f"{len(leaks['failures'])} changed an observation |")
    if "difficulty" in card:
        lines.append(f"| Difficulty | {_ok(card['difficulty'])} | "
                     f"{'; '.join(card['difficulty']['failures']) or 'monotone along its chain'} |")
    res = card["resolution"]
    lines.append(f"| Resolution | {_ok(res)} | differences below {100 * res['resolvable_difference']:.0f} points "
                 f"are not resolved at 95 % with {res['episodes']} episodes |")
    rep = card["reproducibility"]
    lines.append(f"| Reproducibility | {_ok(rep)} | the recorded oracle episode ({rep['steps']} steps) replays "
                 f"{'exactly' if rep['passed'] else 'with a divergence: ' + rep.get('error', '')} |")
    if "answers" in card:
        ans = card["answers"]
        lines.append(f"| Answer checkers | {_ok(ans)} | {ans['cases']} variants; rule: {ans['rule']} |")
    lines += ["", "## Floor panel", "", "| agent | success | 95 % Wilson | mean return | near zero |",
              "|---|---|---|---|---|"]
    rows = [("random (reference)", floor["random"])] + list(floor["panel"].items())
    for name, row in rows:
        label = f"{name} (`{row['action']}`)" if "action" in row else name
        near = "" if name.startswith("random (") else ("yes" if row["near_zero"] else "**no**")
        lines.append(f"| {label} | {_pct(row)} | {100 * row['wilson'][0]:.0f}-{100 * row['wilson'][1]:.0f} % | "
                     f"{row['mean_return']:.3f} | {near} |")
    lines += ["", "## Leak test", "", leaks["method"]]
    for failure in leaks["failures"]:
        lines.append(f"- {failure}")
    if "answers" in card and card["answers"]["failures"]:
        lines += ["", "## Answer checker failures", ""] + [f"- {f}" for f in card["answers"]["failures"]]
    return "\n".join(lines) + "\n"


def _ok(gate: dict[str, Any]) -> str:
    return "pass" if gate["passed"] else "**FAIL**"


def _file_name(env_id: str) -> str:
    return env_id.split("/", 1)[-1]


def index_markdown(cards: Sequence[dict[str, Any]]) -> str:
    """The index of every card: one row per env with its floor figures."""
    episodes = cards[0]["episodes"] if cards else 0
    lines = ["# Validity cards", "",
             f"Generated by `agentic-gym validate --episodes {episodes} --out docs/validity`; the method of every "
             "gate is in `agentic_gym/validation.py`. Success is shown with its binomial standard error.", "",
             "| env | result | oracle | random | best adversary | resolution |", "|---|---|---|---|---|---|"]
    for card in cards:
        failed = failed_gates(card)
        best_name, best = max(card["floor"]["panel"].items(), key=lambda kv: kv[1]["success"])
        lines.append(f"| [{_file_name(card['id'])}]({_file_name(card['id'])}.md) | "
                     f"{'pass' if not failed else 'FAIL: ' + ', '.join(failed)} | "
                     f"{100 * card['ceiling']['success']:.0f} % | {_pct(card['floor']['random'])} | "
                     f"{best_name} {_pct(best)} | {100 * card['resolution']['resolvable_difference']:.0f} pts |")
    return "\n".join(lines) + "\n"


def validate(pattern: str = "*", episodes: int = 10, seed: int = 0, out: str | Path | None = None,
             progress: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    """Validate every registered env matching the glob ``pattern``; write cards to ``out``."""
    from agentic_gym.envs import registered_ids

    if episodes < 1:
        raise ValueError(f"episodes must be at least 1, got {episodes}")
    ids = [i for i in registered_ids() if fnmatch.fnmatch(i, pattern) or fnmatch.fnmatch(i.split("/", 1)[1], pattern)]
    cards: dict[str, dict[str, Any]] = {}
    for env_id in ids:
        cards[env_id] = validate_env(env_id, episodes, seed)
        if progress is not None:
            failed = failed_gates(cards[env_id])
            progress(f"{env_id}: {'pass' if not failed else 'FAIL ' + ', '.join(failed)} "
                     f"({cards[env_id]['seconds']} s)")
    for env_id, card in cards.items():
        name = type(gym.make(env_id).unwrapped).__name__
        card["difficulty"] = difficulty_gate(ID_NAMES.get(name, name), cards)
    if out is not None:
        directory = Path(out)
        directory.mkdir(parents=True, exist_ok=True)
        for env_id, card in cards.items():
            (directory / f"{_file_name(env_id)}.json").write_text(json.dumps(card, indent=1, default=float) + "\n")
            (directory / f"{_file_name(env_id)}.md").write_text(card_markdown(card))
        (directory / "README.md").write_text(index_markdown(list(cards.values())))
    return list(cards.values())


# ---- the subcommand ---------------------------------------------------------------------------


def add_validate_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``agentic-gym validate`` arguments."""
    parser.add_argument("pattern", nargs="?", default="*", help="glob over env ids, e.g. 'Grid*'")
    parser.add_argument("--episodes", type=int, default=10, help="episodes per agent and env (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    parser.add_argument("--out", default=None, help="directory for the Markdown and JSON cards")


def run_validate_command(args: argparse.Namespace) -> int:
    """Run ``agentic-gym validate``: 0 when every gate passes, 1 when one fails, 2 on bad input."""
    if args.episodes < 1:
        print(f"agentic-gym validate: --episodes must be at least 1, got {args.episodes}", file=sys.stderr)
        return 2
    cards = validate(args.pattern, args.episodes, args.seed, args.out,
                     progress=lambda line: print(line, file=sys.stderr, flush=True))
    if not cards:
        print(f"agentic-gym validate: no registered env matches {args.pattern!r}", file=sys.stderr)
        return 2
    failed = {card["id"]: failed_gates(card) for card in cards if failed_gates(card)}
    for env_id, gates in failed.items():
        print(f"FAIL {env_id}: {', '.join(gates)}")
    print(f"{len(cards) - len(failed)}/{len(cards)} envs pass every gate")
    return 1 if failed else 0
