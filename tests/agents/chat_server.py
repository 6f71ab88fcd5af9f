"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1 for the agent tests.

Each request takes the next entry of the script (the last entry repeats): a reply
dict (``completion(...)``), or ``Raw(status, body, headers)`` for error statuses and
broken bodies, or ``Stall(seconds)`` to answer nothing until the client gives up.
Every request body is kept in ``requests``.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Raw:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Stall:
    seconds: float


def completion(content: str | None = "ok", tool_calls: list[dict[str, Any]] | None = None,
               prompt_tokens: int = 11, completion_tokens: int = 3) -> dict[str, Any]:
    """A chat-completion response body."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": "test-model",
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tool_calls else "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


def tool_call(name: str, arguments: str, call_id: str = "call_1") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


class ChatServer:
    """Serves the script on a free port; use as a context manager."""

    def __init__(self, script: list[Any]):
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.requests.append(body)
                    entry = server.script.pop(0) if len(server.script) > 1 else server.script[0]
                if isinstance(entry, Stall):
                    time.sleep(entry.seconds)
                    return
                raw = entry if isinstance(entry, Raw) else Raw(200, json.dumps(entry).encode())
                try:
                    self.send_response(raw.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(raw.body)))
                    for key, value in raw.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(raw.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
