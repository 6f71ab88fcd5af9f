"""verifiers (v1): any agentic-gym env as a verifiers taskset, env and in-process chat harness.

verifiers v1 runs an episode as an ``Env.run(task, agents)`` in which the env plays the
user: :class:`AgenticEnv` resets an :func:`agentic_gym.chat` env with the task's seed,
sends each observation as the user turn, steps the env with the model's reply and ends
the exchange when the episode ends. The trace gets the return as its reward
(``return``, weight 1) and ``success`` and ``steps`` as metrics, so a verifiers trainer or
``vf-eval`` scores rollouts with the env's own reward.

* :class:`AgenticTaskset` yields one task per start state: task ``i`` resets with episode
  ``i``'s seed of :func:`agentic_gym.evaluation.episode_seeds` (the same start states as
  ``evaluate`` and :func:`agentic_gym.rollouts.collect` with the same seed); its prompt is
  the first observation and its system prompt the chat env's.
* :class:`ChatHarness` is a plain chat loop run in-process: one model call per turn
  through the rollout's interception endpoint, no program to install, no tools. verifiers'
  own harnesses (``null``, ``bash``) install their program with ``uv``; this one needs
  nothing beyond the package.

verifiers resolves tasksets, envs and harnesses by plugin id; importing this module makes
the id ``agentic_gym`` (:data:`PLUGIN_ID`) resolve to them in this process.

Example (a model served at ``http://localhost:8000/v1``)::

    import asyncio
    import verifiers.v1 as vf
    from agentic_gym.integrations.verifiers import load_environment

    env = load_environment("agentic_gym/TextAdventure-6rooms-v0", seed=0)
    ctx = vf.ModelContext(model="qwen2.5-7b-instruct",
                          client=vf.ClientConfig(base_url="http://localhost:8000/v1"))

    async def main():
        async with env.serving():
            task = next(iter(env.taskset))
            episode = await env.run_episode(task, ctx)
            print(episode.traces[0].metrics["success"])

    asyncio.run(main())
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from typing import Any

try:
    import verifiers.v1 as vf
    from openai import AsyncOpenAI
    from verifiers.v1.dialects.chat import message_to_wire
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError("agentic_gym.integrations.verifiers needs verifiers: pip install 'agentic-gym[verifiers]'") \
        from error

from agentic_gym.curriculum import level_env, make_level_env, oracle_steps_of
from agentic_gym.evaluation.runner import episode_seeds
from agentic_gym.integrations.levels import SAMPLER_LOCK, CurriculumChat, check_curriculum, new_messages_text
from agentic_gym.recording import shown_text
from agentic_gym.wrappers.chat import chat

__all__ = [
    "AgenticEnv",
    "AgenticEnvConfig",
    "AgenticTask",
    "AgenticTaskData",
    "AgenticTaskset",
    "AgenticTasksetConfig",
    "ChatHarness",
    "ChatHarnessConfig",
]

#: The plugin id under which verifiers finds this module's taskset, env and harness.
PLUGIN_ID = "agentic_gym"


class AgenticTasksetConfig(vf.TasksetConfig):
    """Which env the tasks come from, the seed of their start states and the chat options."""

    env_id: str = "agentic_gym/GridKeyDoor-6x6-v0"
    seed: int = 0
    chat_options: dict[str, Any] = {}
    make_kwargs: dict[str, Any] = {}


class AgenticTaskData(vf.TaskData):
    """A task's wire data; ``info`` has the ``env_id``, the ``episode`` and its reset ``seed``."""

    info: dict[str, Any]


class AgenticTask(vf.Task[AgenticTaskData, vf.State, vf.TaskConfig]):
    """One start state of an agentic-gym env."""


class AgenticTaskset(vf.Taskset[AgenticTask, AgenticTasksetConfig]):
    """Endless start states of one env: task ``i`` resets with episode ``i``'s seed.

    With a ``curriculum`` (set by :func:`load_environment`), task ``i`` is drawn from it
    when the trainer asks for it: ``level, seed = curriculum.next()``; its ``info`` names
    the level (``level_index`` into ``curriculum.levels``, ``env_id``, ``kwargs``).
    """

    INFINITE = True
    #: The sampler tasks are drawn from (None: the run seed's start states).
    curriculum: Any = None

    def load(self) -> Iterator[AgenticTask]:
        if self.curriculum is not None:
            yield from self._load_curriculum()
            return
        config = self.config
        env = chat(config.env_id, **config.chat_options, **config.make_kwargs)
        try:
            for episode in itertools.count():
                seed, _ = episode_seeds(config.seed, episode)
                messages, _ = env.reset(seed=seed)
                yield self._task(f"{config.env_id}#{episode}", messages,
                                 {"env_id": config.env_id, "episode": episode, "seed": seed})
        finally:
            env.close()

    def _task(self, name: str, messages: list[dict[str, Any]], info: dict[str, Any]) -> AgenticTask:
        """One task: the first observation's messages as its prompt, its system messages joined."""
        system = [shown_text(m["content"]) for m in messages if m["role"] == "system"]
        data = AgenticTaskData(name=name, prompt=new_messages_text([m for m in messages if m["role"] != "system"]),
                               system_prompt="\n\n".join(system) or None, info=info)
        return AgenticTask(data, self.config.task)

    def _load_curriculum(self) -> Iterator[AgenticTask]:
        config, curriculum = self.config, self.curriculum
        levels = tuple(curriculum.levels)
        episodes = CurriculumChat(curriculum, config.env_id or None, config.chat_options, **config.make_kwargs)
        try:
            for episode in itertools.count():
                with SAMPLER_LOCK:
                    level, seed = curriculum.next()
                env_id, kwargs = level_env(level, config.env_id or None)
                messages, _ = episodes.env_of(level).reset(seed=int(seed))
                yield self._task(f"{env_id}#{episode}", messages,
                                 {"env_id": env_id, "episode": episode, "seed": int(seed),
                                  "level_index": levels.index(level), "kwargs": kwargs})
        finally:
            episodes.close()


class AgenticEnvConfig(vf.EnvConfig):
    """The one seat, ``player``, run in-process on this machine by default."""

    player: vf.AgentConfig = vf.AgentConfig(runtime=vf.SubprocessConfig())


class AgenticEnv(vf.Env[AgenticEnvConfig]):
    """Plays one task: the chat env answers each reply as the user until the episode ends."""

    async def run(self, task: Any, agents: Any) -> None:
        options = self.taskset.config
        info = task.data.info
        curriculum = getattr(self.taskset, "curriculum", None)
        level = None
        if curriculum is not None and "level_index" in info:
            level = tuple(curriculum.levels)[int(info["level_index"])]
            env = chat(make_level_env(level, options.env_id or None, **options.make_kwargs), **options.chat_options)
        else:
            env = chat(info["env_id"], **options.chat_options, **options.make_kwargs)
        total, success, steps = 0.0, False, 0
        oracle_steps = None
        try:
            _, reset_info = env.reset(seed=int(info["seed"]))
            oracle_steps = oracle_steps_of(reset_info)
            async with agents.player.interaction(task) as interaction:
                segment = await interaction.turn()
                while not segment.terminated:
                    messages, reward, terminated, truncated, step_info = env.step(segment.last_reply)
                    total += float(reward)
                    steps += 1
                    success = bool(step_info.get("success", False))
                    if terminated or truncated:
                        break
                    segment = await interaction.turn(new_messages_text(messages))
        finally:
            env.close()
            if level is not None and curriculum is not None:
                # Reported once per played task, also when the exchange broke off (as a failure).
                with SAMPLER_LOCK:
                    curriculum.update(level, int(info["seed"]), success, steps, oracle_steps)
        trace = interaction.trace
        trace.record_reward("return", total, 1.0)
        trace.record_metric("success", float(success))
        trace.record_metric("steps", float(steps))


class ChatHarnessConfig(vf.HarnessConfig):
    """The in-process chat loop has no settings of its own."""


class ChatHarness(vf.Harness[ChatHarnessConfig]):
    """One model call per turn, in-process, through the rollout's interception endpoint."""

    APPENDS_SYSTEM_PROMPT = True
    SUPPORTS_RESUME = True
    EXECUTES_CODE = False
    NEEDS_CONTAINER = False

    async def launch(self, ctx: Any, trace: Any, runtime: Any, endpoint: str, secret: str,
                     mcp_urls: dict[str, str], data: Any, **kwargs: Any) -> Any:
        system, prompt = self.resolve_prompt(data)
        messages: list[Any] = [{"role": "system", "content": system}] if system else []
        if isinstance(prompt, str):
            messages.append({"role": "user", "content": prompt})
        elif prompt is not None:
            messages.extend(message_to_wire(message) for message in prompt)
        client = AsyncOpenAI(base_url=endpoint, api_key=secret, max_retries=0)
        try:
            await client.chat.completions.create(model=ctx.model, messages=messages)
        finally:
            await client.close()
        return vf.ProgramResult(exit_code=0, stdout="", stderr="")


def load_environment(env_id: str | None = None, seed: int = 0, *, chat_options: dict[str, Any] | None = None,
                     curriculum: Any = None, **make_kwargs: Any) -> AgenticEnv:
    """The verifiers env over ``env_id``: its taskset (start states from ``seed``) and the chat harness.

    With ``curriculum`` (a sampler of :mod:`agentic_gym.curriculum` with ``levels``), each
    task is the level and seed ``curriculum.next()`` gives when the trainer draws it,
    and each played task's outcome goes to ``curriculum.update(level, seed, success,
    steps, oracle_steps)`` when its episode ends. ``env_id`` is then optional (levels that
    are knobs alone need it). The sampler lives in this process: pickle it into the
    trainer's checkpoint and pass the unpickled one here to resume.
    """
    if curriculum is not None:
        check_curriculum(curriculum, env_id)
        if not tuple(getattr(curriculum, "levels", ())):
            raise ValueError("a verifiers taskset's curriculum must list its levels (a `levels` attribute)")
    elif env_id is None:
        raise ValueError("load_environment needs an env_id or a curriculum")
    taskset = AgenticTasksetConfig(id=PLUGIN_ID, env_id=env_id or "", seed=seed,
                                   chat_options=dict(chat_options or {}), make_kwargs=make_kwargs)
    env = AgenticEnv(AgenticEnvConfig(taskset=taskset))
    env.taskset.curriculum = curriculum
    return env


def _register_plugin() -> None:
    # verifiers looks plugins up as `verifiers.v1.<kind>s.<id>` before a top-level module
    # named like the id; a dotted module path is not an id it can take.
    module = sys.modules[__name__]
    for namespace in ("verifiers.v1.tasksets", "verifiers.v1.harnesses", "verifiers.v1.envs"):
        sys.modules.setdefault(f"{namespace}.{PLUGIN_ID}", module)


_register_plugin()
