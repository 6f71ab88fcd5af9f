"""`evaluate` and `agentic-gym eval` on multi-agent envs: seats, opponents, self-play, recordings, replay."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import agentic_gym
from agentic_gym import evaluate
from agentic_gym.agents import OracleAgent, RandomAgent
from agentic_gym.agents.negotiators import NEGOTIATORS
from agentic_gym.cli import main
from agentic_gym.envs.multi import make
from agentic_gym.evaluation import EpisodeRow
from agentic_gym.evaluation.multi import (
    OPPONENTS,
    SeatOracle,
    evaluate_multi,
    is_multi_request,
    resolve_multi_ids,
    run_multi_episode,
)
from agentic_gym.evaluation.runner import episode_seeds
from agentic_gym.recording import load_episode
from agentic_gym.replay import ReplayDivergence, replay

SCORES = {"pareto_optimal", "distance_to_frontier", "nash_ratio", "opponent_return"}


def manual_returns(env, seats, seed):
    """Each seat's return by PettingZoo's own loop: the rewards ``last()`` hands each agent."""
    env.reset(seed=seed)
    returns = dict.fromkeys(env.possible_agents, 0.0)
    for agent in env.agent_iter():
        observation, reward, terminated, truncated, info = env.last()
        returns[agent] += reward
        env.step(None if terminated or truncated else seats[agent].act(observation, info))
    return returns


# ---- one episode -------------------------------------------------------------------------


@pytest.mark.parametrize("opponent", sorted(NEGOTIATORS))
def test_oracle_against_each_opponent_returns_match_the_aec_loop(opponent):
    env = make("Negotiation-2p-v0")
    for seed in range(5):
        seats = {"player_0": SeatOracle(env), "player_1": NEGOTIATORS[opponent](env, seed)}
        trajectory = run_multi_episode(seats, env, seed)
        again = {"player_0": SeatOracle(env), "player_1": NEGOTIATORS[opponent](env, seed)}
        assert trajectory.returns == pytest.approx(manual_returns(env, again, seed))
        assert all(0.0 <= r <= 1.0 for r in trajectory.returns.values())
        scores = trajectory.scores("player_0")
        assert set(scores) == SCORES
        assert scores["opponent_return"] == trajectory.returns["player_1"]
        assert trajectory.success["player_0"] == trajectory.success["player_1"] == (scores["nash_ratio"] > 0)


def test_chat_seats_count_each_env_step_once_despite_repeated_replies():
    """An unusable reply and a tool call do not step the env: the returns are the native game's."""
    env = agentic_gym.chat_multi("Negotiation-2p-v0", tools=["calculator"])

    class Stumbling:
        """Garbage, then a tool call, then the oracle's command on every turn."""

        name = "stumbling"

        def __init__(self):
            self.replies = ["I am not sure what to do.", "Action: calculator 1+1"]

        def reset(self, info):
            assert info["agent"] == "player_0" and info["tools"]

        def act(self, observation, info):
            return self.replies.pop(0) if self.replies else env.oracle_action("player_0")

    trajectory = run_multi_episode({"player_0": Stumbling(), "player_1": NEGOTIATORS["tough"](env, 0)}, env, 3)
    native = make("Negotiation-2p-v0")
    expected = run_multi_episode({"player_0": SeatOracle(native), "player_1": NEGOTIATORS["tough"](native, 0)},
                                 native, 3)
    assert trajectory.returns == expected.returns and trajectory.success == expected.success
    first = trajectory.acted("player_0")[:3]
    assert [(t.valid, t.stepped) for t in first] == [(False, False), (True, False), (True, True)]
    assert trajectory.tool_calls == {"player_0": 1, "player_1": 0}
    assert env.env is not None and type(env.env).__name__ != "RewardTally"  # the env is given back as it was


def test_coop_keydoor_oracle_in_both_seats_succeeds_with_equal_returns():
    result = evaluate(OracleAgent, "CoopKeyDoor-8x8-v0", episodes=4, self_play=True)
    assert result["agent"] == "oracle self-play"
    rows = [EpisodeRow.from_json(r) for r in result["episodes"]]
    assert [(r.episode, r.seat, r.opponent) for r in rows] == [
        (e, s, "self") for e in range(4) for s in ("player_0", "player_1")]
    assert all(r.success for r in rows)
    for episode in range(4):
        returns = {r.seat: r.episode_return for r in rows if r.episode == episode}
        assert returns["player_0"] == returns["player_1"] and 0.1 < returns["player_0"] <= 1.0
    assert result["envs"]["CoopKeyDoor-8x8-v0"]["success_rate"] == 1.0
    assert set(result["capabilities"]) == {"multi_agent", "perception", "planning"}


# ---- evaluate ------------------------------------------------------------------------------


@pytest.mark.parametrize("opponent", ["always_accept", "fair_split", "greedy", "tough", "random", "oracle"])
def test_evaluate_plays_the_agent_in_every_seat_against_the_opponent(opponent):
    result = evaluate(OracleAgent, "Negotiation-2p-v0", episodes=3, seed=1, opponent=opponent)
    assert result["agent"] == f"oracle vs {opponent}"
    rows = [EpisodeRow.from_json(r) for r in result["episodes"]]
    assert [(r.episode, r.seat) for r in rows] == [(e, s) for e in range(3) for s in ("player_0", "player_1")]
    assert {r.opponent for r in rows} == {opponent}
    assert all(set(r.scores) == SCORES for r in rows)
    # Both games of an episode reset with the same seed; the seat the agent played differs.
    assert [r.seed for r in rows] == [episode_seeds(1, e)[0] for e in range(3) for _ in range(2)]
    metrics = result["envs"]["Negotiation-2p-v0"]
    assert set(metrics["seats"]) == {"player_0", "player_1"}
    assert metrics["success_rate"] == pytest.approx(sum(r.success for r in rows) / 6)
    assert metrics["nash_ratio"] == pytest.approx(sum(r.scores["nash_ratio"] for r in rows) / 6)
    assert "multi_agent" in result["capabilities"]
    if opponent in ("always_accept", "oracle"):
        assert metrics["success_rate"] == 1.0 and metrics["pareto_optimal"] == 1.0


def test_the_opponents_are_graded_against_the_oracle():
    """The weakest opponents concede every deal to the Nash proposer; greedy often refuses it."""
    rates = {}
    for opponent in ("always_accept", "greedy"):
        result = evaluate(OracleAgent, "Negotiation-2p-v0", episodes=10, opponent=opponent)
        rates[opponent] = result["envs"]["Negotiation-2p-v0"]["success_rate"]
    assert rates["always_accept"] == 1.0 and rates["greedy"] < 0.8


def test_self_play_rows_share_the_game():
    result = evaluate(RandomAgent, "Negotiation-2p-v0", episodes=2, self_play=True)
    rows = [EpisodeRow.from_json(r) for r in result["episodes"]]
    assert result["agent"] == "random self-play" and len(rows) == 4
    for episode in range(2):
        pair = [r for r in rows if r.episode == episode]
        assert pair[0].success == pair[1].success and pair[0].seed == pair[1].seed
        assert pair[0].scores["opponent_return"] == pair[1].episode_return


def test_results_do_not_depend_on_workers(tmp_path):
    one = evaluate_multi(OracleAgent, "Negotiation-3p-v0", episodes=2, opponent="tough")
    two = evaluate_multi(OracleAgent, "Negotiation-3p-v0", episodes=2, opponent="tough", workers=2)
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in one["episodes"]]
    assert strip == [{k: v for k, v in r.items() if k != "seconds"} for r in two["episodes"]]
    assert len(strip) == 6


def test_resume_and_series_share_one_directory(tmp_path):
    out = tmp_path / "run"
    first = evaluate(OracleAgent, "Negotiation-2p-v0", episodes=2, out=out, opponent="greedy")
    evaluate(OracleAgent, "Negotiation-2p-v0", episodes=2, out=out, opponent="tough")
    with pytest.raises(ValueError, match="already holds results"):
        evaluate(OracleAgent, "Negotiation-2p-v0", episodes=2, out=out, opponent="greedy")
    with pytest.raises(ValueError, match="settings differ"):
        evaluate(OracleAgent, "Negotiation-2p-v0", episodes=3, out=out, opponent="greedy", resume=True)
    lines = (out / "episodes.jsonl").read_text().splitlines()
    lost = max(i for i, line in enumerate(lines) if json.loads(line)["agent"] == "oracle vs greedy")
    (out / "episodes.jsonl").write_text("".join(line + "\n" for i, line in enumerate(lines) if i != lost))
    again = evaluate(OracleAgent, "Negotiation-2p-v0", episodes=2, out=out, opponent="greedy", resume=True)
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in first["episodes"]]
    assert [{k: v for k, v in r.items() if k != "seconds"} for r in again["episodes"]] == strip
    results = json.loads((out / "results.json").read_text())
    assert set(results["agents"]) == {"oracle vs greedy", "oracle vs tough"}
    assert len(results["episodes"]) == 8
    assert "multi_agent" in (out / "summary.md").read_text() and (out / "capabilities.png").is_file()


def test_bad_requests_are_value_errors():
    with pytest.raises(ValueError, match="Negotiation"):
        evaluate(OracleAgent, "CoopKeyDoor-8x8-v0", episodes=1, opponent="greedy")
    with pytest.raises(ValueError, match="unknown opponent"):
        evaluate(OracleAgent, "Negotiation-2p-v0", episodes=1, opponent="champion")
    with pytest.raises(ValueError, match="multi-agent envs only"):
        evaluate(OracleAgent, "agentic_gym/GridKeyDoor-6x6-v0", episodes=1, opponent="greedy")
    with pytest.raises(ValueError, match="separate runs"):
        evaluate(OracleAgent, "Negotiation-2p-v0,GridKeyDoor-6x6-v0", episodes=1)
    with pytest.raises(ValueError, match="separate runs"):
        evaluate(OracleAgent, "*-v0", episodes=1)
    with pytest.raises(ValueError, match="max_cycles"):
        evaluate(OracleAgent, "Negotiation-2p-v0", episodes=1, max_steps=10**6)


def test_which_patterns_name_multi_agent_envs():
    assert not is_multi_request("*") and not is_multi_request("Grid*")
    assert is_multi_request("Negotiation*") and is_multi_request("agentic_gym/CoopKeyDoor-8x8-v0")
    assert resolve_multi_ids("Negotiation-3p-v0,CoopKeyDoor*") == [
        "Negotiation-3p-v0", "CoopKeyDoor-8x8-v0", "CoopKeyDoor-12x12-v0"]
    assert set(OPPONENTS) == {"oracle", "random", *NEGOTIATORS}


def test_single_agent_rows_keep_their_json():
    row = EpisodeRow(agent="a", env_id="e", episode=0, seed=0, success=True, episode_return=1.0, steps=1,
                     invalid=0, truncated=False, tool_calls=0, oracle_tool_calls=None, tokens_in=0, tokens_out=0,
                     seconds=0.0)
    assert "seat" not in row.to_json() and EpisodeRow.from_json(row.to_json()) == row
    seated = EpisodeRow(**{**row.__dict__, "seat": "player_1", "opponent": "tough", "scores": {"nash_ratio": 0.5}})
    assert EpisodeRow.from_json(json.loads(json.dumps(seated.to_json()))) == seated


# ---- recordings and replay -------------------------------------------------------------------


def recordings(out: Path) -> list[Path]:
    return sorted((out / "recordings").rglob("*.jsonl"))


@pytest.mark.parametrize("env_id, opponent, chat", [
    ("Negotiation-3p-v0", "tough", False), ("Negotiation-2p-v0", "random", True), ("CoopKeyDoor-8x8-v0", "oracle", False),
])
def test_recordings_cover_every_seat_and_replay_identically(tmp_path, env_id, opponent, chat, capsys):
    out = tmp_path / "run"
    evaluate(OracleAgent, env_id, episodes=2, out=out, record=1, opponent=opponent, chat=chat)
    paths = recordings(out)
    players = make(env_id).possible_agents
    assert [p.name for p in paths] == sorted(f"{env_id}-ep0-{seat}.jsonl" for seat in players)
    for path in paths:
        episode = load_episode(path)
        assert episode.header["multi_agent"] and episode.end is not None
        assert episode.header["seats"][path.stem.rsplit("-", 1)[1]] == f"oracle vs {opponent}"
        assert {line["agent"] for line in episode.steps} == set(players)
        if chat:
            assert all("prompt_ids" in line for line in episode.steps)
        assert sum(episode.end["returns"].values()) == pytest.approx(sum(s["reward"] for s in episode.steps))
        assert main(["replay", str(path), "--check"]) == 0
        result = replay(path, gif=tmp_path / "re.gif", html=tmp_path / "re.html")
        # The replay draws the same frames: the GIF it writes is the recorded one, byte for byte.
        assert (tmp_path / "re.gif").read_bytes() == path.with_suffix(".gif").read_bytes()
        assert result.frame_count == len(episode.steps) + 1
        assert "player_" in path.with_suffix(".html").read_text()
    assert "replayed identically" in capsys.readouterr().out


def test_replay_check_catches_a_changed_action_or_reward(tmp_path, capsys):
    out = tmp_path / "run"
    evaluate(OracleAgent, "Negotiation-2p-v0", episodes=1, out=out, record=1, opponent="tough")
    path = recordings(out)[0]
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    steps = [i for i, line in enumerate(lines) if line["type"] == "step"]

    def tampered(change) -> Path:
        copy = [json.loads(json.dumps(line)) for line in lines]
        change(copy)
        target = tmp_path / "tampered.jsonl"
        target.write_text("".join(json.dumps(line) + "\n" for line in copy))
        return target

    def swap_action(copy):
        copy[steps[0]]["action"] = "reject"

    def change_reward(copy):
        last = next(i for i in reversed(steps) if copy[i]["rewards"])
        seat = next(iter(copy[last]["rewards"]))
        copy[last]["rewards"][seat] += 0.1

    for change in (swap_action, change_reward):
        target = tampered(change)
        with pytest.raises(ReplayDivergence):
            replay(target)
        assert main(["replay", str(target), "--check"]) == 1
    assert "diverges" in capsys.readouterr().err


# ---- the command line ---------------------------------------------------------------------


def test_cli_runs_an_agent_against_opponents_and_itself(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["eval", "--envs", "Negotiation-2p-v0", "--agent", "oracle", "--opponent", "greedy", "tough",
                 "--self-play", "--episodes", "2", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    for label in ("oracle vs greedy", "oracle vs tough", "oracle self-play"):
        assert label in printed
    assert "player_1" in printed and "nash ratio" in printed
    results = json.loads((out / "results.json").read_text())
    assert set(results["agents"]) == {"oracle vs greedy", "oracle vs tough", "oracle self-play"}
    assert len(recordings(out)) == 2 + 2 + 1
    assert main(["replay", str(recordings(out)[0]), "--check"]) == 0


@pytest.mark.parametrize("argv, expected", [
    (["--envs", "CoopKeyDoor-8x8-v0", "--opponent", "greedy"], "plays only Negotiation"),
    (["--envs", "agentic_gym/GridKeyDoor-6x6-v0", "--opponent", "greedy"], "apply to multi-agent envs"),
    (["--envs", "Negotiation-2p-v0,GridKeyDoor-6x6-v0"], "separate runs"),
    (["--envs", "Negotiation-2p-v0", "--agent", "openai"], "needs --model"),
])
def test_cli_errors_are_one_line(argv, expected, capsys):
    assert main(["eval", *argv, "--episodes", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("agentic-gym eval: error: ") and expected in err and len(err.splitlines()) == 1


def test_an_llm_plays_a_seat_against_a_built_in_opponent(tmp_path, capsys):
    """The README's LLM-vs-opponent command, against a scripted OpenAI-compatible server."""
    pytest.importorskip("openai")
    from tests.agents.chat_server import ChatServer, completion

    script = [completion("Hmm."), completion("I will take the offer.\nAction: accept", prompt_tokens=7)]
    out = tmp_path / "run"
    with ChatServer(script) as server:
        code = main(["eval", "--agent", "openai", "--model", "test-model", "--base-url", server.url,
                     "--api-key", "k", "--envs", "Negotiation-2p-v0", "--opponent", "tough",
                     "--episodes", "1", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    results = json.loads((out / "results.json").read_text())
    rows = [EpisodeRow.from_json(r) for r in results["episodes"]]
    assert [(r.agent, r.seat, r.opponent) for r in rows] == [
        ("test-model vs tough", "player_0", "tough"), ("test-model vs tough", "player_1", "tough")]
    # Accepting the tough bargainer's offers strikes a deal from either seat; the very first reply was garbage.
    assert all(r.success for r in rows) and [r.invalid >= 1 for r in rows] == [True, False]
    assert all(r.tokens_in > 0 for r in rows)
    assert server.requests[0]["messages"][0]["role"] == "system"
    # The recording replays: the LLM's raw replies go through the seat's parser again.
    assert main(["replay", str(recordings(out)[0]), "--check"]) == 0


@pytest.mark.slow
def test_the_readme_eval_commands_run(tmp_path, capsys):
    """The multi-agent section's shell block: the oracle run as written, the LLM run against a scripted server."""
    pytest.importorskip("openai")
    import shlex

    from tests.agents.chat_server import ChatServer, completion

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Multi-agent environments", 1)[1].split("\n## ", 1)[0]
    block = next(b for b in re.findall(r"```bash\n(.*?)```", section, re.S) if "--opponent" in b)
    commands = [shlex.split(line) for line in block.replace("\\\n", " ").splitlines() if line.strip()]
    assert [c[:2] for c in commands] == [["agentic-gym", "eval"], ["agentic-gym", "eval"], ["agentic-gym", "replay"]]
    with ChatServer([completion("Action: accept")]) as server:
        for number, argv in enumerate(commands[:2]):
            argv = [server.url if argv[i - 1] == "--base-url" else a for i, a in enumerate(argv)]
            out = tmp_path / f"run{number}"
            assert main([*argv[1:], "--api-key", "k", "--out", str(out)] if "openai" in argv
                        else [*argv[1:], "--out", str(out)]) == 0, capsys.readouterr().err
    recorded = commands[2][2].split("/recordings/", 1)[1]
    assert main(["replay", str(tmp_path / "run1" / "recordings" / recorded), "--check"]) == 0
