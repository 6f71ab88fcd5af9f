"""OpenEnv (the ``openenv`` extra): an env served on 127.0.0.1 and played with OpenEnv's own client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import agentic_gym

pytest.importorskip("openenv.core")
bridge = pytest.importorskip("agentic_gym.integrations.openenv")
AgenticAction = bridge.AgenticAction
AgenticEnvClient = bridge.AgenticEnvClient

TEXT = "agentic_gym/TextAdventure-6rooms-v0"
TOOL = "agentic_gym/ToolMath-2step-v0"


@pytest.fixture(scope="module")
def text_server() -> Iterator[str]:
    with bridge.serve(TEXT, max_concurrent_envs=2) as url:
        yield url


def play_oracle(client, env_id: str, seed: int) -> tuple[float, object]:
    """Play the oracle through ``client``; a local twin of the env gives the oracle's moves.

    The twin resets with the same seed and takes the same replies, so every served
    observation must equal the twin's (the env is deterministic), which the loop checks.
    """
    twin = agentic_gym.chat(env_id)
    messages, info = twin.reset(seed=seed)
    result = client.reset(seed=seed)
    assert result.observation.messages == messages and not result.done
    assert result.observation.tools == info["tools"]
    total = 0.0
    while not result.done:
        reply = f"Thought: the oracle knows.\nAction: {twin.oracle_action()}"
        messages, reward, terminated, truncated, info = twin.step(reply)
        result = client.step(AgenticAction(reply=reply))
        observation = result.observation
        assert observation.messages == messages and observation.text == messages[-1]["content"]
        assert result.reward == reward and observation.action_valid and observation.tools == []
        assert result.done == (terminated or truncated) and observation.truncated == truncated
        assert observation.success == info["success"]
        total += float(result.reward or 0.0)
    return total, result


def test_the_oracle_solves_a_served_episode_through_the_client(text_server):
    with AgenticEnvClient(base_url=text_server).sync() as client:
        total, result = play_oracle(client, TEXT, seed=4)
        assert result.observation.success and 0 < total <= 1
        state = client.state()
        assert state.env_id == TEXT and state.seed == 4 and state.success and state.done
        assert state.step_count > 0 and state.total_return == pytest.approx(total)
        with pytest.raises(RuntimeError, match="reset before stepping again"):
            client.step(AgenticAction(reply="look"))


def test_two_sessions_play_their_own_episodes_at_once(text_server):
    with AgenticEnvClient(base_url=text_server).sync() as first, AgenticEnvClient(base_url=text_server).sync() as second:
        a = first.reset(seed=1).observation.messages
        b = second.reset(seed=2).observation.messages
        assert a != b
        first.step(AgenticAction(reply="look"))
        # The second session's env did not move: its first step answers its own start.
        twin = agentic_gym.chat(TEXT)
        twin.reset(seed=2)
        expected, *_ = twin.step("inventory")
        assert second.step(AgenticAction(reply="inventory")).observation.messages == expected


def test_an_invalid_reply_is_feedback_with_its_error_as_a_field(text_server):
    with AgenticEnvClient(base_url=text_server).sync() as client:
        client.reset(seed=0)
        result = client.step(AgenticAction(reply="I would rather dance."))
        observation = result.observation
        assert not observation.action_valid and not result.done and result.reward == 0
        assert observation.parse_error and observation.parse_error[:40] in observation.text


def test_tool_calls_are_replies_too():
    with bridge.serve(TOOL) as url, AgenticEnvClient(base_url=url).sync() as client:
        total, result = play_oracle(client, TOOL, seed=2)
        assert result.observation.success and total > 0
        client.reset(seed=3)
        call = {"role": "assistant", "content": "", "tool_calls": [{
            "id": "c1", "type": "function", "function": {"name": "calculator", "arguments": '{"expression": "2+3"}'}}]}
        observation = client.step(AgenticAction(reply=call)).observation
        assert observation.action_valid and observation.messages[-1]["role"] == "tool"
        assert "5" in observation.text


def test_an_unknown_env_is_refused_before_serving():
    with pytest.raises(ValueError, match="not a registered env id"), bridge.serve("agentic_gym/Nowhere-v0"):
        pass


# ---- curricula -----------------------------------------------------------------------------

MATH_TIERS = ("agentic_gym/ToolMath-Trivial-v0", "agentic_gym/ToolMath-Easy-v0", "agentic_gym/ToolMath-Medium-v0")


def play_level(client, solve: bool = True) -> tuple[str, int, bool]:
    """Reset (the server's curriculum picks), play the oracle on a local twin of the chosen level."""
    result = client.reset()
    level, seed = result.observation.level, result.observation.seed
    twin = agentic_gym.chat(level)
    messages, _ = twin.reset(seed=seed)
    assert result.observation.messages == messages
    while solve and not result.done:
        reply = twin.oracle_action()
        twin.step(reply)
        result = client.step(AgenticAction(reply=reply))
    return level, seed, result.observation.success


def test_a_served_curriculum_picks_each_episode_and_hears_its_outcome():
    from agentic_gym.curriculum import ThresholdSchedule

    sampler = ThresholdSchedule(MATH_TIERS, seed=0, window=1, bar=1.0)
    with bridge.serve(None, curriculum=sampler) as url, AgenticEnvClient(base_url=url).sync() as client:
        played = [play_level(client) for _ in range(3)]
        assert client.state().env_id == MATH_TIERS[2]
        # An episode left unfinished is reported as a failure when the session resets.
        play_level(client, solve=False)
        client.reset()
    assert [level for level, _, _ in played] == list(MATH_TIERS)
    assert all(success for _, _, success in played)
    assert sampler.episodes >= 4 and sampler.current == 2


def test_the_served_sampler_pickles_mid_run_and_resumes_the_same_sequence():
    import pickle

    from agentic_gym.curriculum import LearnabilitySampler

    def go_on(sampler, count):
        with bridge.serve(None, curriculum=sampler) as url, AgenticEnvClient(base_url=url).sync() as client:
            return [play_level(client, solve=i % 3 != 1) for i in range(count)]

    sampler = LearnabilitySampler(MATH_TIERS, seed=2)
    go_on(sampler, 2)
    checkpoint = pickle.dumps(sampler)
    first = go_on(sampler, 4)
    assert go_on(pickle.loads(checkpoint), 4) == first


def test_a_bad_curriculum_is_refused_before_serving():
    from agentic_gym.curriculum import UniformSampler

    with pytest.raises(ValueError, match="not a registered env id"):
        bridge.make_app(None, curriculum=UniformSampler(["agentic_gym/Nope-v0"]))
    with pytest.raises(ValueError, match="needs an env_id or a curriculum"):
        bridge.make_app(None)
