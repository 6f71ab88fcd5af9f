"""An agent backed by any OpenAI-compatible chat-completions server.

vLLM (``vllm serve MODEL`` -> ``http://localhost:8000/v1``), Ollama
(``http://localhost:11434/v1``), the llama.cpp server and hosted APIs all speak
this protocol. The official ``openai`` client is the optional extra ``llm``
(``pip install "agentic-gym[llm]"``).
"""

from __future__ import annotations

import os
import time
from typing import Any

from agentic_gym.agents.base import AgentError


def _load_openai() -> Any:
    try:
        import openai
    except ImportError as error:  # the extra is optional
        raise AgentError('OpenAIAgent needs the openai package: pip install "agentic-gym[llm]"') from error
    return openai


def _retries(count: int) -> str:
    return f"after {count} {'retry' if count == 1 else 'retries'}"


def _one_line(text: object, limit: int = 200) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


class OpenAIAgent:
    """Asks a chat model for each reply; plays through :func:`agentic_gym.chat`.

    Each step sends the chat env's message list and returns the model's reply. With
    ``use_tools=True`` the request carries the env's tools (``info["tools"]``, OpenAI
    tool schemas) and a reply that calls one is returned as the assistant message
    dict with its ``tool_calls``; otherwise the reply is the message text.

    Failures are split by what can be done about them. Timeouts, dropped
    connections, 429 and 5xx are retried with exponential backoff
    (``max_retries`` times). A reply that is empty, or a response body that is not
    valid JSON, is returned as ``""`` and left to the chat env's invalid-output
    policy like any other unusable reply: it never stops the run
    (``malformed_responses`` counts them). A server that stays unreachable, keeps
    failing, or rejects the request (bad model name, bad key) raises
    :class:`~agentic_gym.agents.base.AgentError` with one line naming the URL and
    what failed.

    ``prompt_tokens`` and ``completion_tokens`` accumulate the server's ``usage``
    counts; ``requests`` counts completed requests. The server's own failures are
    counted apart from the model's replies, so a broken server is not scored as a
    bad model: ``server_errors`` (5xx and 429 answers, timeouts, malformed
    responses) and ``retries`` (requests sent again); an evaluation records how much
    each grew during each episode.

    Args:
        model: model name as the server knows it.
        base_url: server URL ending in ``/v1``; ``None`` uses ``OPENAI_BASE_URL`` or OpenAI.
        api_key: ``None`` uses ``OPENAI_API_KEY``, else ``"EMPTY"`` (local servers ignore it).
        temperature: sampling temperature (0 for the most repeatable runs).
        max_tokens: cap on each reply's length.
        use_tools: send the env's tools and return tool-call replies as message dicts.
        timeout: seconds before one request is abandoned (and retried).
        max_retries: retries of a transient failure before giving up.
        name: label in evaluation results; defaults to ``model``.
        extra_body: further fields of every request body, as the server takes them
            (e.g. ``{"top_k": 20}`` for vLLM, ``{"reasoning_effort": "low"}``).

    Raises:
        ValueError: ``base_url`` has no ``http://`` or ``https://`` scheme (it would
            only fail later, request by request).

    Example:
        >>> agent = OpenAIAgent("qwen2.5:7b", base_url="http://localhost:11434/v1")
        >>> agent.uses_chat, agent.name
        (True, 'qwen2.5:7b')
    """

    uses_chat = True

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        temperature: float = 0.0,
        max_tokens: int = 512,
        use_tools: bool = False,
        timeout: float = 60.0,
        max_retries: int = 3,
        name: str | None = None,
        extra_body: dict[str, Any] | None = None,
    ):
        check_base_url(base_url)
        if extra_body is not None and not isinstance(extra_body, dict):
            raise ValueError(f"extra_body must be a JSON object (a dict), got {type(extra_body).__name__}")
        self.model = model
        self.base_url = base_url
        self.api_key = api_key
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.use_tools = use_tools
        self.timeout = timeout
        self.max_retries = max_retries
        self.name = name or model
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.extra_body = dict(extra_body or {})
        self.requests = 0
        self.malformed_responses = 0
        self.server_errors = 0
        self.retries = 0
        self._tools: list[dict[str, Any]] = []
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The ``openai.OpenAI`` client, created on first use (it is not picklable)."""
        if self._client is None:
            openai = _load_openai()
            # Retries are ours (see ``_complete``), so each one is counted.
            self._client = openai.OpenAI(
                base_url=self.base_url,
                api_key=self.api_key or os.environ.get("OPENAI_API_KEY") or "EMPTY",
                timeout=self.timeout,
                max_retries=0,
            )
        return self._client

    @property
    def url(self) -> str:
        """The server URL requests go to."""
        return str(self.client.base_url).rstrip("/")

    def __getstate__(self) -> dict[str, Any]:
        # Worker processes rebuild the client; its connection pool cannot be pickled.
        state = self.__dict__.copy()
        state["_client"] = None
        return state

    def settings(self) -> dict[str, Any]:
        """What decides the replies (recorded with results; never the API key)."""
        return {
            "model": self.model, "base_url": self.base_url, "temperature": self.temperature,
            "max_tokens": self.max_tokens, "use_tools": self.use_tools, "extra_body": self.extra_body,
        }

    def reset(self, info: dict[str, Any]) -> None:
        self._tools = list(info.get("tools") or [])

    def act(self, observation: Any, info: dict[str, Any]) -> Any:
        request: dict[str, Any] = {
            "model": self.model,
            "messages": list(observation),
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }
        tools = info.get("tools") or self._tools
        if self.use_tools and tools:
            request["tools"] = tools
        if self.extra_body:
            request["extra_body"] = dict(self.extra_body)
        response = self._complete(request)
        if response is None:
            return ""
        self.requests += 1
        usage = getattr(response, "usage", None)
        if usage is not None:
            self.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
            self.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)
        choices = getattr(response, "choices", None) or []
        message = getattr(choices[0], "message", None) if choices else None
        if message is None:
            self.malformed_responses += 1
            return ""
        content = message.content if isinstance(message.content, str) else ""
        tool_calls = getattr(message, "tool_calls", None) or []
        if self.use_tools and tool_calls:
            return {
                "role": "assistant",
                "content": content,
                "tool_calls": [_tool_call_dict(call) for call in tool_calls],
            }
        return content

    def _complete(self, request: dict[str, Any]) -> Any:
        """One chat completion; ``None`` when the server's answer cannot be read.

        Timeouts, dropped connections, 429 and 5xx are retried up to ``max_retries``
        times with exponential backoff (or the server's ``Retry-After``), each counted
        in ``server_errors`` and ``retries``; then :class:`AgentError` says what failed.
        """
        openai = _load_openai()
        attempt = 0
        while True:
            try:
                return self.client.chat.completions.create(**request)
            except openai.APITimeoutError as error:
                failure: Exception = error
                message = f"{self.url} did not answer within {self.timeout:g} s"
                detail = _one_line(error)
            except openai.APIConnectionError as error:
                failure = error
                reason = error.__cause__ if error.__cause__ is not None else error
                message, detail = f"cannot reach {self.url}", _one_line(reason)
            except openai.APIStatusError as error:
                if not (error.status_code == 429 or error.status_code >= 500):
                    raise AgentError(
                        f"{self.url} rejected the request: HTTP {error.status_code}: "
                        f"{_one_line(_error_message(error))}"
                    ) from error
                failure = error
                message = f"{self.url} kept failing"
                detail = f"HTTP {error.status_code}: {_one_line(_error_message(error))}"
            except (openai.APIResponseValidationError, ValueError):
                # A 200 whose body is not a chat completion: an unusable reply, not a reason to stop.
                self.malformed_responses += 1
                return None
            self.server_errors += 1
            if attempt >= self.max_retries:
                raise AgentError(f"{message} ({_retries(attempt)}): {detail}") from failure
            attempt += 1
            self.retries += 1
            time.sleep(_backoff(attempt, failure))


def _backoff(attempt: int, failure: Exception) -> float:
    """Seconds before retry ``attempt``: the server's ``Retry-After`` if short, else 0.5 s doubling to 8 s."""
    response = getattr(failure, "response", None)
    headers = getattr(response, "headers", None)
    if headers is not None:
        try:
            wanted = float(headers.get("retry-after", ""))
        except (TypeError, ValueError):
            wanted = -1.0
        if 0 <= wanted <= 60:
            return wanted
    return float(min(8.0, 0.5 * 2 ** (attempt - 1)))


def check_base_url(base_url: str | None) -> None:
    """Refuse a server URL without an ``http://`` or ``https://`` scheme, naming the fix.

    Example:
        >>> check_base_url("localhost:8000/v1")
        Traceback (most recent call last):
        ...
        ValueError: base URL 'localhost:8000/v1' has no scheme: use http://localhost:8000/v1
    """
    if base_url is None:
        return
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        bare = base_url.split("://", 1)[-1]
        raise ValueError(f"base URL {base_url!r} has no scheme: use http://{bare}")


def _error_message(error: Any) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return str(getattr(error, "message", error))


def _tool_call_dict(call: Any) -> dict[str, Any]:
    function = getattr(call, "function", None)
    return {
        "id": str(getattr(call, "id", "") or ""),
        "type": "function",
        "function": {
            "name": str(getattr(function, "name", "") or ""),
            # Left as the raw string: malformed arguments are the parser's to report.
            "arguments": str(getattr(function, "arguments", "") or ""),
        },
    }
