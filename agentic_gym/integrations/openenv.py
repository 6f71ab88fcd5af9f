"""OpenEnv (``openenv-core``): serve any agentic-gym env over OpenEnv's protocol and play it with its client.

The server side is an OpenEnv ``Environment`` (:class:`AgenticEnvironment`) over an
:func:`agentic_gym.chat` env: one instance per WebSocket session, reset with a seed,
stepped with the model's raw reply (:class:`AgenticAction`). The client side is an
``EnvClient`` (:class:`AgenticEnvClient`) that any OpenEnv trainer loop drives
(``client.reset(seed=...)``, ``client.step(AgenticAction(reply=...))``).

OpenEnv sends only an observation's own fields over the wire (``metadata`` is dropped), so
:class:`AgenticObservation` carries what a trainer needs as fields: ``messages`` (the chat
prompt to send next), ``text`` (the latest observation's text), ``success``,
``action_valid``, ``parse_error``, ``truncated`` (``done`` is terminated or truncated) and,
after a reset, ``tools`` (the OpenAI tool schemas).

:func:`serve` runs the server on ``127.0.0.1`` in a background thread (port 0 picks a
free port) for as long as its ``with`` block lasts; :func:`make_app` gives the FastAPI
app to run with uvicorn yourself.

Example:
    >>> from agentic_gym.integrations.openenv import AgenticAction, AgenticEnvClient, serve
    >>> with serve("agentic_gym/GridKeyDoor-6x6-v0") as url:
    ...     with AgenticEnvClient(base_url=url).sync() as client:
    ...         result = client.reset(seed=0)
    ...         result = client.step(AgenticAction(reply="Action: right"))
    >>> result.observation.text.splitlines()[0], result.observation.action_valid, result.done
    ('You turn right.', True, False)
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

try:
    from openenv.core.client_types import StepResult
    from openenv.core.env_client import EnvClient
    from openenv.core.env_server import Action, Environment, Observation, State, create_fastapi_app
    from pydantic import Field
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError("agentic_gym.integrations.openenv needs OpenEnv: pip install 'agentic-gym[openenv]'") from error

from agentic_gym.core import tool_schemas
from agentic_gym.curriculum import level_env
from agentic_gym.integrations.levels import CurriculumChat, check_curriculum
from agentic_gym.recording.log import json_safe
from agentic_gym.wrappers.chat import ChatEnv, chat

__all__ = [
    "AgenticAction",
    "AgenticEnvClient",
    "AgenticEnvironment",
    "AgenticObservation",
    "AgenticState",
    "make_app",
    "serve",
]


class AgenticAction(Action):
    """The model's raw reply: a string, or an OpenAI-style assistant message dict with ``tool_calls``."""

    reply: str | dict[str, Any] = Field(..., description="the model's raw reply")


class AgenticObservation(Observation):
    """What the env says after a reset or a step, with the outcome as fields (OpenEnv drops ``metadata``)."""

    messages: list[dict[str, Any]] = Field(default_factory=list, description="the chat prompt to send next")
    text: str = Field(default="", description="the text of the latest observation")
    success: bool = Field(default=False, description="the task is solved")
    action_valid: bool = Field(default=True, description="the reply was a valid action")
    parse_error: str | None = Field(default=None, description="why the reply was refused")
    truncated: bool = Field(default=False, description="the episode ended by truncation")
    tools: list[dict[str, Any]] = Field(default_factory=list, description="OpenAI tool schemas (after a reset)")
    level: Any = Field(default=None, description="the curriculum's level of this episode (after a reset; JSON)")
    seed: int | None = Field(default=None, description="the episode's reset seed (after a reset)")


class AgenticState(State):
    """The session's episode: its env id, seed, return and outcome so far."""

    env_id: str = ""
    seed: int | None = None
    total_return: float = 0.0
    success: bool = False
    done: bool = False


def _text(messages: list[dict[str, Any]]) -> str:
    content = messages[-1].get("content") if messages else ""
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return str(content)


class AgenticEnvironment(Environment):
    """An agentic-gym chat env as an OpenEnv ``Environment`` (one per session).

    Args:
        env_id: a registered agentic-gym id (optional with a curriculum whose levels name ids).
        chat_options: keyword arguments for :func:`agentic_gym.chat`.
        curriculum: a sampler of :mod:`agentic_gym.curriculum`, shared by every session of
            the server: each ``reset`` plays ``curriculum.next()``'s level and seed (a
            client's ``seed`` replaces the drawn one), the observation names them
            (``level``, ``seed``), and the episode's outcome goes to
            ``curriculum.update(...)`` when it ends, or as a failure when the session
            resets or closes first.
        make_kwargs: keyword arguments for ``gym.make``.
    """

    # Each session gets its own instance; under a curriculum they share only the sampler (behind a lock).
    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self, env_id: str | None, chat_options: dict[str, Any] | None = None, curriculum: Any = None,
                 **make_kwargs: Any):
        super().__init__()
        self.curriculum: CurriculumChat | None = None
        if curriculum is not None:
            self.curriculum = CurriculumChat(curriculum, env_id, chat_options, **make_kwargs)
            first = next(iter(getattr(curriculum, "levels", ())), None)
            self.env: ChatEnv = (self.curriculum.env_of(first) if first is not None
                                 else chat(str(env_id), **dict(chat_options or {}), **make_kwargs))
        else:
            if env_id is None:
                raise ValueError("AgenticEnvironment needs an env_id or a curriculum")
            self.env = chat(env_id, **dict(chat_options or {}), **make_kwargs)
        self._state = AgenticState(env_id=env_id or "")

    def reset(self, seed: int | None = None, episode_id: str | None = None, **kwargs: Any) -> AgenticObservation:
        """Start an episode (``seed`` as in ``gymnasium.Env.reset``; under a curriculum, the level's)."""
        level = None
        env_id = self._state.env_id
        if self.curriculum is not None:
            messages, info = self.curriculum.reset(seed)
            self.env = self.curriculum.env or self.env
            level, seed = self.curriculum.level, self.curriculum.seed
            env_id = level_env(level, self.curriculum.env_id)[0]
        else:
            messages, info = self.env.reset(seed=seed)
        self._state = AgenticState(episode_id=episode_id, step_count=0, env_id=env_id, seed=seed)
        return AgenticObservation(messages=messages, text=_text(messages), success=bool(info.get("success", False)),
                                  tools=tool_schemas(self.env.affordances), reward=None, done=False,
                                  level=json_safe(level), seed=seed)

    def step(self, action: AgenticAction, timeout_s: float | None = None, **kwargs: Any) -> AgenticObservation:
        """Send the reply; the env's answer with the step's reward and outcome."""
        if self._state.done:
            raise RuntimeError("the episode has ended: reset before stepping again")
        if self.curriculum is not None:
            messages, reward, terminated, truncated, info = self.curriculum.step(action.reply)
        else:
            messages, reward, terminated, truncated, info = self.env.step(action.reply)
        state = self._state
        state.step_count += 1
        state.total_return += float(reward)
        state.success = bool(info.get("success", False))
        state.done = bool(terminated or truncated)
        return AgenticObservation(
            messages=messages, text=_text(messages), success=state.success,
            action_valid=bool(info.get("action_valid", True)), parse_error=info.get("parse_error"),
            truncated=bool(truncated), reward=float(reward), done=state.done,
        )

    @property
    def state(self) -> AgenticState:
        """The session's episode so far."""
        return self._state

    def close(self) -> None:
        """Release the env (under a curriculum, an unfinished episode is reported first)."""
        if self.curriculum is not None:
            self.curriculum.close()
        self.env.close()


class AgenticEnvClient(EnvClient[AgenticAction, AgenticObservation, AgenticState]):
    """OpenEnv's WebSocket client for a served agentic-gym env (``.sync()`` for the blocking API)."""

    def _step_payload(self, action: AgenticAction) -> dict[str, Any]:
        return {"reply": action.reply}

    def _parse_result(self, payload: dict[str, Any]) -> StepResult[AgenticObservation]:
        observation = AgenticObservation(**payload.get("observation", {}), reward=payload.get("reward"),
                                         done=bool(payload.get("done", False)))
        return StepResult(observation=observation, reward=payload.get("reward"), done=observation.done)

    def _parse_state(self, payload: dict[str, Any]) -> AgenticState:
        return AgenticState(**payload)


def make_app(env_id: str | None, *, max_concurrent_envs: int = 8, chat_options: dict[str, Any] | None = None,
             curriculum: Any = None, **make_kwargs: Any) -> Any:
    """The FastAPI app serving ``env_id`` (``uvicorn.run(app, host=..., port=...)``).

    ``curriculum``: a sampler every session draws its episodes from (see
    :class:`AgenticEnvironment`); ``env_id`` is then optional.

    Raises ``ValueError`` for an id that is not registered or a level that is not one,
    before any session starts.
    """
    import gymnasium as gym

    if curriculum is not None:
        check_curriculum(curriculum, env_id)
    elif env_id is None:
        raise ValueError("make_app needs an env_id or a curriculum")
    if env_id is not None and env_id not in gym.registry:
        raise ValueError(f"{env_id!r} is not a registered env id (see `agentic-gym list`)")
    if max_concurrent_envs < 1:
        raise ValueError(f"max_concurrent_envs must be at least 1, got {max_concurrent_envs}")

    def factory() -> AgenticEnvironment:
        return AgenticEnvironment(env_id, chat_options, curriculum=curriculum, **make_kwargs)

    return create_fastapi_app(factory, AgenticAction, AgenticObservation, max_concurrent_envs=max_concurrent_envs)


@contextlib.contextmanager
def serve(env_id: str | None, *, host: str = "127.0.0.1", port: int = 0, max_concurrent_envs: int = 8,
          chat_options: dict[str, Any] | None = None, startup_timeout: float = 30.0, curriculum: Any = None,
          **make_kwargs: Any) -> Iterator[str]:
    """Serve ``env_id`` over OpenEnv's protocol while the ``with`` block runs; yields the base URL.

    Args:
        env_id: a registered agentic-gym id.
        host: the address to listen on (loopback by default).
        port: the port; 0 picks a free one.
        max_concurrent_envs: WebSocket sessions at once (each has its own env).
        chat_options: keyword arguments for :func:`agentic_gym.chat`.
        startup_timeout: seconds to wait for the server to accept connections.
        curriculum: a sampler of :mod:`agentic_gym.curriculum` every session draws its
            episodes from (it stays in this process: pickle it for a checkpoint).
        make_kwargs: keyword arguments for ``gym.make``.
    """
    import uvicorn

    app = make_app(env_id, max_concurrent_envs=max_concurrent_envs, chat_options=chat_options, curriculum=curriculum,
                   **make_kwargs)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    bound_port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name="openenv-server", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the OpenEnv server for {env_id} did not start on {host}:{bound_port}")
            time.sleep(0.02)
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
