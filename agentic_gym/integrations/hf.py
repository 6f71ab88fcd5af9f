"""Chat messages in the shape Hugging Face chat templates expect.

:func:`agentic_gym.chat` speaks the OpenAI wire format: a tool call's
``arguments`` is a JSON *string*, and image parts are ``image_url`` parts. Chat
templates (``tokenizer.apply_chat_template``) want something else: Qwen2.5,
Llama 3.x and gpt-oss write ``tool_call.arguments | tojson``, which encodes a
string a second time (the model would learn to emit ``"{\\"city\\": ...}"``);
Qwen3.5 and GLM-4 iterate over the arguments and fail on a string; and text-only
templates fail on list contents. :func:`to_hf_messages` converts a transcript once,
before it is rendered:

- tool-call arguments become dicts; a tool call whose arguments are not a JSON
  object keeps them as the string it was (it is what the model wrote);
- an assistant turn keeps the model's own words beside its tool calls, but a
  content that only restates the call (the chat layer records the parsed
  command there) is dropped, so each call appears once in the rendered text;
- image parts are dropped (``images="drop"``, for text-only templates: the
  content becomes the joined text) or become ``{"type": "image", "url": ...}``
  parts (``images="hf"``, for multimodal processors);
- empty ``tool_calls`` lists are removed (Llama 3.x treats their presence as a call).

The input is never modified. Pure Python: nothing from ``transformers`` is imported.

Example:
    >>> messages = [
    ...     {"role": "user", "content": "Weather in Oslo?"},
    ...     {"role": "assistant", "content": "weather Oslo", "tool_calls": [{"id": "c1", "type": "function",
    ...      "function": {"name": "weather", "arguments": '{"city": "Oslo"}'}}]},
    ...     {"role": "tool", "tool_call_id": "c1", "content": "Oslo: rain"},
    ... ]
    >>> hf = to_hf_messages(messages)
    >>> hf[1]["tool_calls"][0]["function"]["arguments"], hf[1]["content"]
    ({'city': 'Oslo'}, '')
    >>> hf[2]["name"]
    'weather'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from agentic_gym.core import Affordance, Command, InvalidAction, parse_command

ImageMode = Literal["drop", "hf"]

_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"))


def to_hf_messages(messages: Iterable[Mapping[str, Any]], images: ImageMode = "drop") -> list[dict[str, Any]]:
    """Convert OpenAI-style chat messages to what ``apply_chat_template`` expects.

    Args:
        messages: the chat env's messages (``{"role", "content"}`` dicts, assistant
            turns possibly with ``tool_calls``, ``tool`` answers with ``tool_call_id``).
        images: ``"drop"`` turns list contents into their joined text (for text-only
            templates); ``"hf"`` keeps the parts, ``image_url`` ones as ``{"type":
            "image", "url": ...}`` (for multimodal processors).

    Returns:
        New message dicts; ``tool`` messages also get the ``name`` of the call they
        answer when it is known (several templates print it).
    """
    if images not in ("drop", "hf"):
        raise ValueError(f"images must be 'drop' or 'hf', got {images!r}")
    converted: list[dict[str, Any]] = []
    call_names: dict[str, str] = {}
    for message in messages:
        if not isinstance(message, Mapping):
            raise TypeError(f"each message must be a dict, got {type(message).__name__}")
        out = dict(message)
        out["content"] = _content(message.get("content"), images)
        calls = message.get("tool_calls")
        if calls:
            out["tool_calls"] = [_tool_call(call) for call in calls]
            for call in out["tool_calls"]:
                if call.get("id"):
                    call_names[str(call["id"])] = call["function"]["name"]
            if isinstance(out["content"], str) and _restates_calls(out["content"], out["tool_calls"]):
                out["content"] = ""
        else:
            out.pop("tool_calls", None)
        if out.get("role") == "tool" and "name" not in out:
            name = call_names.get(str(message.get("tool_call_id", "")))
            if name is not None:
                out["name"] = name
        converted.append(out)
    return converted


def _content(content: Any, images: ImageMode) -> Any:
    if content is None or isinstance(content, str):
        return "" if content is None else content
    if not isinstance(content, list):
        return content
    if images == "drop":
        return "\n".join(part["text"] for part in content if _is_text_part(part))
    parts: list[Any] = []
    for part in content:
        if isinstance(part, Mapping) and part.get("type") == "image_url":
            image = part.get("image_url")
            url = image.get("url") if isinstance(image, Mapping) else image
            parts.append({"type": "image", "url": url})
        else:
            parts.append(dict(part) if isinstance(part, Mapping) else part)
    return parts


def _is_text_part(part: Any) -> bool:
    return isinstance(part, Mapping) and part.get("type", "text") == "text" and isinstance(part.get("text"), str)


def _tool_call(call: Any) -> dict[str, Any]:
    if not isinstance(call, Mapping):
        raise TypeError(f"each tool call must be a dict, got {type(call).__name__}")
    out = dict(call)
    function = dict(call.get("function") or {})
    function["arguments"] = _arguments(function.get("arguments"))
    out["function"] = function
    out.setdefault("type", "function")
    return out


def _arguments(arguments: Any) -> Any:
    if arguments is None or arguments == "":
        return {}
    if isinstance(arguments, str):
        try:
            decoded = json.loads(arguments)
        except (ValueError, RecursionError):
            return arguments
        return decoded if isinstance(decoded, dict) else arguments
    return arguments


def _restates_calls(content: str, calls: list[dict[str, Any]]) -> bool:
    """Whether ``content`` is only the command text of the (single) call it comes with."""
    text = content.strip()
    if not text:
        return True
    if len(calls) != 1:
        return False
    function = calls[0]["function"]
    name, arguments = function.get("name"), function.get("arguments")
    if not isinstance(name, str) or not isinstance(arguments, dict):
        return False
    properties: dict[str, Any] = {}
    for key, value in arguments.items():
        kind = next((label for python, label in _JSON_TYPES if isinstance(value, python)), None)
        if kind is None or not isinstance(key, str):
            return False
        properties[key] = {"type": kind}
    try:
        affordance = Affordance(name, name, {"type": "object", "properties": properties, "required": list(properties)})
        return parse_command(text, [affordance]) == Command(name, arguments)
    except (InvalidAction, ValueError, TypeError):
        return False
