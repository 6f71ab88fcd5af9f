"""verifiers (the ``verifiers`` extra): the oracle plays our tasks through verifiers' own episode runner.

The model is an OpenAI-compatible server on 127.0.0.1 that answers as the oracle: it
finds the task by the conversation's first user message, replays the assistant replies
so far on a fresh chat env with the task's seed (the envs are deterministic) and answers
with the oracle's next command. Every model call goes through verifiers' interception.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import agentic_gym
from agentic_gym.evaluation import episode_seeds

vf = pytest.importorskip("verifiers.v1")
bridge = pytest.importorskip("agentic_gym.integrations.verifiers")

TEXT = "agentic_gym/TextAdventure-6rooms-v0"
GRID = "agentic_gym/GridKeyDoor-6x6-v0"
KEY_VAR = "AGENTIC_GYM_TEST_MODEL_KEY"


@pytest.fixture(autouse=True)
def model_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_VAR, "-")


class OracleModel:
    """A chat-completions server whose replies are the oracle's moves for known tasks."""

    def __init__(self, env_id: str, tasks: list[Any], wrong_first: bool = False):
        self.env_id = env_id
        self.seeds = {task.data.prompt: int(task.data.info["seed"]) for task in tasks}
        # Under a curriculum each task names its own env and knobs.
        self.envs = {task.data.prompt: (task.data.info["env_id"], task.data.info.get("kwargs", {})) for task in tasks}
        self.wrong_first = wrong_first
        self.calls = 0
        model = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                reply = model.reply(body["messages"])
                payload = json.dumps({
                    "id": f"chatcmpl-{model.calls}", "object": "chat.completion", "created": 0, "model": body["model"],
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": reply},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
                }).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def reply(self, messages: list[dict[str, Any]]) -> str:
        self.calls += 1
        first_user = next(m["content"] for m in messages if m["role"] == "user")
        env_id, kwargs = self.envs[first_user]
        env = agentic_gym.chat(env_id, **kwargs)
        env.reset(seed=self.seeds[first_user])
        replies = [m["content"] for m in messages if m["role"] == "assistant"]
        for reply in replies:
            env.step(reply)
        if self.wrong_first and not replies:
            return "I would rather dance."
        return f"Thought: I know the way.\nAction: {env.oracle_action()}"

    def __enter__(self) -> OracleModel:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def play(env: Any, model: OracleModel, tasks: list[Any]) -> list[Any]:
    ctx = vf.ModelContext(model="oracle", client=vf.EvalClientConfig(base_url=model.url, api_key_var=KEY_VAR))

    async def run() -> list[Any]:
        async with env.serving():
            return [await env.run_episode(task, ctx) for task in tasks]

    return asyncio.run(run())


@pytest.fixture(scope="module")
def text_env() -> Iterator[Any]:
    yield bridge.load_environment(TEXT, seed=3)


def take(env: Any, count: int) -> list[Any]:
    return list(itertools.islice(iter(env.taskset), count))


def test_tasks_are_the_start_states_of_the_run_seed(text_env):
    tasks = take(text_env, 3)
    assert [t.data.info["seed"] for t in tasks] == [episode_seeds(3, i)[0] for i in range(3)]
    chat = agentic_gym.chat(TEXT)
    messages, _ = chat.reset(seed=episode_seeds(3, 1)[0])
    assert tasks[1].data.system_prompt == messages[0]["content"]
    assert tasks[1].data.prompt == messages[-1]["content"]
    assert len({t.data.prompt for t in tasks}) == 3


def test_the_oracle_solves_episodes_through_verifiers(text_env):
    tasks = take(text_env, 2)
    with OracleModel(TEXT, tasks) as model:
        episodes = play(text_env, model, tasks)
    for task, episode in zip(tasks, episodes, strict=True):
        assert episode.ok, episode.errors
        (trace,) = episode.traces
        assert trace.metrics["success"] == 1.0
        direct = agentic_gym.chat(TEXT)
        direct.reset(seed=int(task.data.info["seed"]))
        total, done, steps = 0.0, False, 0
        while not done:
            _, reward, terminated, truncated, _ = direct.step(direct.oracle_action())
            total, done, steps = total + float(reward), terminated or truncated, steps + 1
        assert trace.metrics["steps"] == steps
        assert trace.reward == pytest.approx(total) and total > 0
    assert model.calls == sum(int(e.traces[0].metrics["steps"]) for e in episodes)


def test_an_invalid_reply_is_answered_with_feedback_and_the_episode_goes_on():
    env = bridge.load_environment(GRID, seed=0, chat_options={"max_invalid": 2})
    tasks = take(env, 1)
    with OracleModel(GRID, tasks, wrong_first=True) as model:
        (episode,) = play(env, model, tasks)
    (trace,) = episode.traces
    assert episode.ok and trace.metrics["success"] == 1.0
    # The refused reply was a turn: the model saw the feedback and then played the oracle.
    assert model.calls == trace.metrics["steps"]


def test_the_plugin_id_resolves_to_this_module():
    from verifiers.v1.utils.loaders import environment_class, harness_class, taskset_class

    assert taskset_class(bridge.PLUGIN_ID) is bridge.AgenticTaskset
    assert environment_class(bridge.PLUGIN_ID) is bridge.AgenticEnv
    assert harness_class(bridge.PLUGIN_ID) is bridge.ChatHarness


# ---- curricula -----------------------------------------------------------------------------

MATH_TIERS = ("agentic_gym/ToolMath-Trivial-v0", "agentic_gym/ToolMath-Easy-v0", "agentic_gym/ToolMath-Medium-v0")


def test_a_curriculum_draws_each_task_and_hears_each_played_episode():
    from agentic_gym.curriculum import ThresholdSchedule

    sampler = ThresholdSchedule(MATH_TIERS, seed=0, window=1, bar=1.0)
    env = bridge.load_environment(curriculum=sampler)
    tasks = iter(env.taskset)
    played = []
    for _ in range(3):
        # The trainer draws a task, plays it, and only then draws the next: the schedule moves between.
        task = next(tasks)
        with OracleModel(task.data.info["env_id"], [task]) as model:
            (episode,) = play(env, model, [task])
        assert episode.ok and episode.traces[0].metrics["success"] == 1.0
        played.append((task.data.info["env_id"], task.data.info["level_index"]))
    assert played == [(level, i) for i, level in enumerate(MATH_TIERS)]
    assert sampler.episodes == 3 and sampler.current == 2


def test_the_sampler_pickles_mid_run_and_resumes_the_same_tasks():
    import pickle

    from agentic_gym.curriculum import LearnabilitySampler

    def go_on(sampler, count):
        env = bridge.load_environment(curriculum=sampler)
        tasks = iter(env.taskset)
        seen = []
        for _ in range(count):
            task = next(tasks)
            seen.append((task.data.info["env_id"], task.data.info["seed"], task.data.prompt))
            with OracleModel(task.data.info["env_id"], [task]) as model:
                play(env, model, [task])
        return seen

    sampler = LearnabilitySampler(MATH_TIERS, seed=6)
    go_on(sampler, 2)
    checkpoint = pickle.dumps(sampler)
    first = go_on(sampler, 3)
    assert go_on(pickle.loads(checkpoint), 3) == first
    assert sampler.episodes == 5


def test_load_environment_needs_an_env_or_levels():
    with pytest.raises(ValueError, match="needs an env_id or a curriculum"):
        bridge.load_environment()
