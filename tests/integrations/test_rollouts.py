"""Rollout collection: groups share their start state, seeds match the evaluation, files round-trip."""

from __future__ import annotations

import json
from typing import Any

import gymnasium as gym
import pytest

from agentic_gym.agents import OracleAgent, RandomAgent
from agentic_gym.evaluation import episode_seeds, evaluate
from agentic_gym.rollouts import SIGNAL_KEYS, Rollouts, collect, member_seeds, read_jsonl, write_jsonl
from agentic_gym.wrappers import OracleSignals

GRID = "agentic_gym/GridKeyDoor-6x6-v0"
TEXT = "agentic_gym/TextAdventure-6rooms-v0"


def comparable(rollouts: Rollouts) -> list[dict[str, Any]]:
    """The JSON of each rollout without its wall-clock time."""
    lines = [rollout.to_json() for rollout in rollouts]
    for line in lines:
        line.pop("seconds")
    return lines


def test_groups_start_from_identical_states_and_differ_between_groups():
    rollouts = collect(GRID, RandomAgent, episodes=3, seed=5, group_size=3, chat=True, max_episode_steps=8)
    assert [(r.episode, r.member) for r in rollouts] == [(e, m) for e in range(3) for m in range(3)]
    groups = rollouts.groups()
    starts = []
    for episode, members in groups.items():
        first = members[0].turns[0].prompt
        assert first is not None and first[0]["role"] == "system"
        assert all(m.turns[0].prompt == first for m in members), f"group {episode} starts differ"
        assert len({m.seed for m in members}) == 1
        assert len({m.agent_seed for m in members}) == 3
        starts.append(json.dumps(first, sort_keys=True))
    assert len(set(starts)) == 3
    # Different agent seeds make the random members of a group play differently.
    assert any(len({tuple(t.command for t in m.turns) for m in members}) > 1 for members in groups.values())


def test_seeds_match_the_evaluation_of_the_same_run():
    rollouts = collect(GRID, OracleAgent, episodes=3, seed=11)
    assert [r.seed for r in rollouts] == [episode_seeds(11, i)[0] for i in range(3)]
    assert [member_seeds(11, i, 0) for i in range(3)] == [episode_seeds(11, i) for i in range(3)]
    result = evaluate(OracleAgent, GRID, episodes=3, seed=11)
    assert [row["steps"] for row in result["episodes"]] == [r.steps for r in rollouts]
    assert [row["return"] for row in result["episodes"]] == pytest.approx([r.total_return for r in rollouts])


def test_native_rollouts_name_each_command_and_sum_their_rewards():
    (rollout,) = collect(GRID, OracleAgent, episodes=1, seed=0)
    assert not rollout.chat and rollout.success and rollout.tools is None
    names = {a.name for a in gym.make(GRID).unwrapped.affordances}
    assert all(turn.command in names and turn.prompt is None for turn in rollout.turns)
    assert all(isinstance(turn.reply, int) for turn in rollout.turns)
    assert rollout.rewards[-1] > 0 and sum(rollout.rewards) == pytest.approx(rollout.total_return)
    assert rollout.turns[-1].terminated and rollout.turns[-1].success
    assert not any(turn.success for turn in rollout.turns[:-1])
    assert all(turn.signals == {} for turn in rollout.turns)


def test_chat_rollouts_keep_raw_replies_and_parsed_commands():
    (rollout,) = collect(TEXT, OracleAgent, episodes=1, seed=2, chat={"history": None})
    assert rollout.chat and rollout.success and rollout.tools
    for index, turn in enumerate(rollout.turns):
        assert turn.prompt is not None and turn.prompt[-1]["role"] in ("user", "tool")
        assert isinstance(turn.reply, str) and turn.command == turn.reply
        assert turn.observation == turn.prompt[-1]["content"]
        if index:
            # The whole history: each prompt extends the one before with the reply and the answer.
            before = rollout.turns[index - 1].prompt
            assert turn.prompt[: len(before)] == before
            assert turn.prompt[len(before)]["content"] == rollout.turns[index - 1].reply


def test_an_invalid_reply_has_no_command():
    class Babbler:
        uses_chat = True

        def reset(self, info: dict[str, Any]) -> None:
            pass

        def act(self, observation: Any, info: dict[str, Any]) -> str:
            return "I am not sure what to do here, maybe dance."

    (rollout,) = collect(TEXT, Babbler(), episodes=1, seed=0)
    assert rollout.truncated and not rollout.success
    assert [turn.valid for turn in rollout.turns] == [False] * rollout.steps
    assert [turn.command for turn in rollout.turns] == [None] * rollout.steps


class CountingOracle:
    """The oracle through chat, keeping token counters like an LLM agent: one per message, one per character."""

    uses_chat = True

    def __init__(self, env: gym.Env, seed: int | None = None):
        self.oracle = OracleAgent(env)
        self.prompt_tokens = 0
        self.completion_tokens = 0

    def reset(self, info: dict[str, Any]) -> None:
        pass

    def act(self, observation: Any, info: dict[str, Any]) -> str:
        reply = self.oracle.act(observation, info)
        self.prompt_tokens += len(observation)
        self.completion_tokens += len(reply)
        return reply


def test_per_turn_token_counts_add_up_to_the_episode_counts():
    (rollout,) = collect(GRID, CountingOracle, episodes=1, seed=3, chat={"history": 2})
    assert rollout.success
    assert [t.tokens_in for t in rollout.turns] == [len(t.prompt or ()) for t in rollout.turns]
    assert [t.tokens_out for t in rollout.turns] == [len(t.reply) for t in rollout.turns]
    assert sum(t.tokens_in or 0 for t in rollout.turns) == rollout.tokens_in > 0
    assert sum(t.tokens_out or 0 for t in rollout.turns) == rollout.tokens_out > 0
    (native,) = collect(GRID, OracleAgent, episodes=1, seed=3)
    assert {(t.tokens_in, t.tokens_out) for t in native.turns} == {(None, None)}


class StepSignals(gym.Wrapper):
    """Stands in for OracleSignals: the documented signal keys, computed from the step count."""

    def reset(self, **kwargs: Any):
        self.count = 0
        observation, info = self.env.reset(**kwargs)
        return observation, {**info, "progress": 0.0}

    def step(self, action: Any):
        observation, reward, terminated, truncated, info = self.env.step(action)
        self.count += 1
        info = {**info, "progress": float(self.count), "oracle_steps_left": 100 - self.count, "action_optimal": True}
        return observation, reward, terminated, truncated, info


gym.register("agentic_gym_test/KeyDoorSignals-v0", entry_point=lambda **kw: StepSignals(gym.make(GRID, **kw)))


def test_oracle_signals_are_kept_when_the_env_reports_them(tmp_path):
    (rollout,) = collect("agentic_gym_test/KeyDoorSignals-v0", OracleAgent, episodes=1, seed=0)
    assert [t.signals for t in rollout.turns] == [
        {"progress": float(i), "oracle_steps_left": 100 - i, "action_optimal": True}
        for i in range(1, rollout.steps + 1)
    ]
    path = write_jsonl([rollout], tmp_path / "signals.jsonl")
    (line,) = read_jsonl(path)
    assert line["turns"][0]["signals"] == {"progress": 1.0, "oracle_steps_left": 99, "action_optimal": True}
    assert not set(SIGNAL_KEYS) & set(line["turns"][0]["info"])


gym.register("agentic_gym_test/KeyDoorOracleSignals-v0",
             entry_point=lambda **kw: OracleSignals(gym.make(GRID, **kw)))


@pytest.mark.parametrize("chat", [False, True])
def test_the_oracle_signals_wrapper_reports_an_optimal_path(chat):
    (rollout,) = collect("agentic_gym_test/KeyDoorOracleSignals-v0", OracleAgent, episodes=1, seed=2, chat=chat)
    assert rollout.success and rollout.chat == chat
    lefts = [t.signals["oracle_steps_left"] for t in rollout.turns]
    assert lefts == list(range(rollout.steps - 1, -1, -1))
    assert all(t.signals["action_optimal"] for t in rollout.turns)
    assert rollout.turns[-1].signals["progress"] == 1.0
    assert len({t.signals["state_hash"] for t in rollout.turns}) == rollout.steps


def test_jsonl_round_trip_rebuilds_every_prompt_and_grows_linearly(tmp_path):
    rollouts = collect(TEXT, OracleAgent, episodes=2, seed=1, group_size=2, chat={"history": None})
    path = rollouts.write_jsonl(tmp_path / "rollouts.jsonl")
    lines = list(read_jsonl(path))
    assert len(lines) == 4
    for rollout, line in zip(rollouts, lines, strict=True):
        assert (line["episode"], line["member"], line["seed"], line["success"]) == (
            rollout.episode, rollout.member, rollout.seed, rollout.success)
        assert line["return"] == pytest.approx(rollout.total_return) and line["steps"] == rollout.steps
        assert [t["prompt"] for t in line["turns"]] == [t.prompt for t in rollout.turns]
        assert line["final"]["prompt"] == rollout.final_prompt
        assert [t["reply"] for t in line["turns"]] == [t.reply for t in rollout.turns]
        assert [t["reward"] for t in line["turns"]] == rollout.rewards
        assert "tools" not in line["turns"][0]["info"] and line["tools"] == rollout.tools
        # Each message is written once: the whole history, not one copy per turn.
        assert len(line["messages"]) == len(rollout.final_prompt or ())


def test_workers_give_the_same_rollouts_as_one_process():
    single = collect(GRID, RandomAgent, episodes=3, seed=4, group_size=2, chat=True, max_episode_steps=10)
    spread = collect(GRID, RandomAgent, episodes=3, seed=4, group_size=2, chat=True, max_episode_steps=10,
                     num_workers=2)
    assert comparable(spread) == comparable(single)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"backend": "spark"}, "backend must be one of local, ray"),
    ({"episodes": 0}, "episodes must be at least 1"),
    ({"group_size": 0}, "group_size must be at least 1"),
    ({"num_workers": 0}, "num_workers must be at least 1"),
    ({"env_id": "agentic_gym/Nowhere-v0"}, "not a registered env id"),
])
def test_bad_arguments_are_refused_with_a_message(kwargs, message):
    arguments = {"env_id": GRID, "agent_factory": OracleAgent, "episodes": 1, **kwargs}
    with pytest.raises(ValueError, match=message):
        collect(**arguments)


def test_a_file_that_is_not_rollouts_is_refused(tmp_path):
    path = tmp_path / "other.jsonl"
    path.write_text('{"format": 1, "turns": []}\n')
    with pytest.raises(ValueError, match="other.jsonl:1: not a rollout line"):
        list(read_jsonl(path))


# ---- curricula -----------------------------------------------------------------------------

TIERS_MAZE = ("agentic_gym/GridMaze-Trivial-v0", "agentic_gym/GridMaze-Easy-v0", "agentic_gym/GridMaze-Medium-v0")


class Replay:
    """A sampler that plays a fixed list of (level, seed) pairs and records every update."""

    def __init__(self, pairs):
        self.pairs = list(pairs)
        self.levels = tuple(dict.fromkeys(level for level, _ in self.pairs))
        self.updates = []

    def next(self):
        return self.pairs.pop(0)

    def update(self, level, seed, success, steps, oracle_steps):
        self.updates.append((level, seed, success, steps, oracle_steps))


def test_a_curriculum_chooses_each_group_and_hears_every_member():
    from agentic_gym.curriculum import ThresholdSchedule, run

    sampler = ThresholdSchedule(TIERS_MAZE, seed=3, window=2, bar=1.0)
    rollouts = collect(agent_factory=OracleAgent, episodes=4, curriculum=sampler, group_size=2)
    assert [(r.episode, r.member) for r in rollouts] == [(e, m) for e in range(4) for m in range(2)]
    for members in rollouts.groups().values():
        assert len({(m.level, m.seed) for m in members}) == 1
    # Two members per group, each reported: the schedule moves after one group of two wins.
    assert sampler.episodes == 8 and sampler.current == 2
    assert [r.level for r in rollouts][::2] == [TIERS_MAZE[0], TIERS_MAZE[1], TIERS_MAZE[2], TIERS_MAZE[2]]
    assert all(r.env_id == r.level and r.success and r.steps == r.oracle_steps for r in rollouts)
    # The same sampler seed played by curriculum.run draws the same levels and seeds.
    again = run(ThresholdSchedule(TIERS_MAZE, seed=3, window=1, bar=1.0), OracleAgent, episodes=4)
    assert [(e.level, e.seed) for e in again] == [(r.level, r.seed) for r in rollouts][::2]


def test_a_curriculum_run_is_deterministic_with_one_worker():
    from agentic_gym.curriculum import LearnabilitySampler

    def once():
        sampler = LearnabilitySampler(TIERS_MAZE, seed=9, window=4)
        return comparable(collect(agent_factory=RandomAgent, episodes=5, seed=2, curriculum=sampler,
                                  max_episode_steps=20)), sampler.success_rates().tolist()

    assert once() == once()


def test_the_oracle_count_at_reset_reaches_the_sampler_and_the_file(tmp_path):
    sampler = Replay([(TIERS_MAZE[1], 4), (TIERS_MAZE[0], 5)])
    rollouts = collect(agent_factory=RandomAgent, episodes=2, curriculum=sampler, max_episode_steps=30)
    expected = []
    for level, seed in [(TIERS_MAZE[1], 4), (TIERS_MAZE[0], 5)]:
        env = OracleSignals(gym.make(level))
        expected.append(env.reset(seed=seed)[1]["oracle_steps_left"])
    assert [r.oracle_steps for r in rollouts] == expected
    assert sampler.updates == [(r.level, r.seed, r.success, r.steps, r.oracle_steps) for r in rollouts]
    lines = list(read_jsonl(rollouts.write_jsonl(tmp_path / "levels.jsonl")))
    assert [(line["level"], line["seed"], line["oracle_steps"], line["format"]) for line in lines] == [
        (TIERS_MAZE[1], 4, expected[0], 2), (TIERS_MAZE[0], 5, expected[1], 2)]
    # A rollout without a curriculum has no level; an older line reads with none.
    (plain,) = collect(GRID, OracleAgent, episodes=1)
    assert plain.level is None and plain.to_json()["level"] is None
    old = plain.to_json()
    old["format"] = 1
    del old["level"], old["oracle_steps"]
    (tmp_path / "old.jsonl").write_text(json.dumps(old) + "\n")
    (line,) = read_jsonl(tmp_path / "old.jsonl")
    assert line["level"] is None and line["oracle_steps"] is None


def test_levels_with_knobs_play_those_knobs():
    from agentic_gym.curriculum import level

    small, large = (("size", 5),), level("agentic_gym/GridMaze-Easy-v0", size=11)
    sampler = Replay([(small, 0), (large, 0)])
    rollouts = collect("agentic_gym/GridMaze-Easy-v0", OracleAgent, episodes=2, curriculum=sampler)
    assert [r.reset_info["difficulty"]["size"] for r in rollouts] == [5, 11]
    assert [r.level for r in rollouts] == [small, large]
    assert rollouts[1].to_json()["level"] == ["agentic_gym/GridMaze-Easy-v0", [["size", 11]]]


def test_two_workers_play_each_chosen_level_as_one_worker_would():
    from agentic_gym.curriculum import PrioritizedLevelReplay

    sampler = PrioritizedLevelReplay(TIERS_MAZE, seed=1, min_replay=2)
    rollouts = collect(agent_factory=RandomAgent, episodes=6, seed=4, curriculum=sampler, num_workers=2,
                       max_episode_steps=15)
    assert [r.episode for r in rollouts] == list(range(6)) and sampler.episodes == 6
    replay = collect(agent_factory=RandomAgent, episodes=6, seed=4, curriculum=Replay([(r.level, r.seed) for r in rollouts]),
                     max_episode_steps=15)
    assert comparable(replay) == comparable(rollouts)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"curriculum": Replay([("agentic_gym/Nope-v0", 0)])}, "not a registered env id"),
    ({"curriculum": Replay([(("size", 5), 0)])}, "a level is a registered env id"),
    ({"curriculum": Replay([(TIERS_MAZE[0], -1)])}, "a seed is an integer"),
    ({"curriculum": object()}, "must have next"),
])
def test_a_bad_curriculum_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        collect(agent_factory=OracleAgent, episodes=1, **kwargs)


def test_an_env_id_is_required_without_a_curriculum():
    with pytest.raises(ValueError, match="env_id is required"):
        collect(agent_factory=OracleAgent, episodes=1)
