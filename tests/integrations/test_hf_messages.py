"""``to_hf_messages``: tool calls reach Hugging Face chat templates once, decoded.

The template tests render through the real chat templates shipped inside the
``trl`` wheel (``pip install --no-deps trl jinja2`` is enough) with the Jinja
settings ``transformers`` uses for ``apply_chat_template``.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import agentic_gym
from agentic_gym.core import parse_command
from agentic_gym.integrations.hf import to_hf_messages

WEATHER_CALL = {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Oslo"}'}}
PNG = "data:image/png;base64,iVBORw0KGgo="


def test_arguments_become_dicts_and_the_input_is_untouched() -> None:
    messages = [{"role": "assistant", "content": "", "tool_calls": [WEATHER_CALL]}]
    before = copy.deepcopy(messages)
    hf = to_hf_messages(messages)
    assert hf[0]["tool_calls"][0]["function"]["arguments"] == {"city": "Oslo"}
    assert hf[0]["tool_calls"][0]["id"] == "c1"
    assert messages == before


def test_the_models_own_words_stay_and_a_restated_command_goes() -> None:
    own = to_hf_messages([{"role": "assistant", "content": "Rain matters here.", "tool_calls": [WEATHER_CALL]}])
    assert own[0]["content"] == "Rain matters here."
    for restated in ("weather Oslo", 'weather(city="Oslo")', "  weather Oslo\n"):
        hf = to_hf_messages([{"role": "assistant", "content": restated, "tool_calls": [WEATHER_CALL]}])
        assert hf[0]["content"] == "", restated
    other_city = to_hf_messages([{"role": "assistant", "content": "weather Rome", "tool_calls": [WEATHER_CALL]}])
    assert other_city[0]["content"] == "weather Rome"


def test_undecodable_arguments_stay_as_written() -> None:
    for raw in ("{not json", "[1, 2]", "[" * 100_000):
        call = {"id": "c", "type": "function", "function": {"name": "weather", "arguments": raw}}
        hf = to_hf_messages([{"role": "assistant", "content": "", "tool_calls": [call]}])
        assert hf[0]["tool_calls"][0]["function"]["arguments"] == raw


def test_tool_answers_are_named_and_empty_call_lists_removed() -> None:
    hf = to_hf_messages([
        {"role": "assistant", "content": "", "tool_calls": [WEATHER_CALL]},
        {"role": "tool", "tool_call_id": "c1", "content": "Oslo: rain"},
        {"role": "assistant", "content": "done", "tool_calls": []},
        {"role": "tool", "tool_call_id": "unknown", "content": "?"},
    ])
    assert hf[1]["name"] == "weather"
    assert "tool_calls" not in hf[2]
    assert "name" not in hf[3]


def test_image_parts_are_dropped_or_converted() -> None:
    message = {"role": "user", "content": [{"type": "text", "text": "You see:"},
                                           {"type": "image_url", "image_url": {"url": PNG}},
                                           {"type": "text", "text": "a door."}]}
    assert to_hf_messages([message])[0]["content"] == "You see:\na door."
    parts = to_hf_messages([message], images="hf")[0]["content"]
    assert parts[1] == {"type": "image", "url": PNG}
    assert parts[0] == {"type": "text", "text": "You see:"}
    with pytest.raises(ValueError, match="images"):
        to_hf_messages([message], images="keep")


# --- the real templates -------------------------------------------------------------------------

TEMPLATES = ("qwen2_5", "qwen3", "qwen3_5_nothink", "llama3_1", "llama3_2", "glm4moe", "gptoss")
DOUBLE_ENCODING = ("qwen2_5", "llama3_1", "llama3_2", "gptoss")
REJECTS_STRINGS = ("qwen3_5_nothink", "glm4moe")
# Templates that show an earlier assistant turn's text beside its tool call (gpt-oss drops past
# analysis and Llama 3.x prints only the call, by design).
TEXT_BESIDE_CALLS = ("qwen2_5", "qwen3", "qwen3_5_nothink", "glm4moe")


def _template_dir() -> Path:
    pytest.importorskip("jinja2")
    spec = importlib.util.find_spec("trl")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("trl is not installed (pip install --no-deps trl)")
    folder = Path(next(iter(spec.submodule_search_locations))) / "chat_templates"
    if not folder.is_dir():
        pytest.skip(f"this trl has no chat_templates folder ({folder})")
    return folder


def _render(name: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> str:
    """Render like ``transformers``' ``apply_chat_template`` (its Jinja environment and globals)."""
    import jinja2
    from jinja2.ext import loopcontrols
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message: str) -> None:
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x: Any, ensure_ascii: bool = False, indent: Any = None, separators: Any = None,
               sort_keys: bool = False) -> str:
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    environment.filters["tojson"] = tojson
    environment.globals["raise_exception"] = raise_exception
    environment.globals["strftime_now"] = lambda fmt: "26 Jul 2024"
    source = (_template_dir() / f"{name}.jinja").read_text()
    return environment.from_string(source).render(
        messages=messages, tools=tools, add_generation_prompt=False, bos_token="<s>", eos_token="</s>",
    )


def _oracle_episode(seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[str, dict[str, Any]]]]:
    """TravelDesk played by its oracle through ``agentic_gym.chat``, every reply an OpenAI tool call."""
    env = agentic_gym.chat("agentic_gym/TravelDesk-Medium-v0")
    messages, info = env.reset(seed=seed)
    tools = info["tools"]
    calls: list[dict[str, Any]] = []
    done = False
    while not done:
        command = parse_command(env.oracle_action(), env.affordances)
        calls.append((command.name, command.args))
        reply = {"role": "assistant", "content": "", "tool_calls": [{
            "id": f"call_{len(calls)}", "type": "function",
            "function": {"name": command.name, "arguments": json.dumps(command.args)},
        }]}
        messages, _, terminated, truncated, info = env.step(reply)
        done = terminated or truncated
    assert info["success"]
    return messages, tools, calls


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("seed", [0, 1])
def test_a_tool_using_episode_renders_each_call_once_decoded(template: str, seed: int) -> None:
    _template_dir()
    messages, tools, calls = _oracle_episode(seed)
    assert len(calls) >= 2
    rendered = _render(template, to_hf_messages(messages), tools)
    expected = Counter(_call_text(template, name, args) for name, args in calls)
    for encoded, count in expected.items():
        assert rendered.count(encoded) == count, (template, encoded, rendered[-3000:])
        double = json.dumps(json.dumps(json.loads(encoded) if encoded.startswith("{") else encoded))
        assert double not in rendered, (template, double)
    if template in DOUBLE_ENCODING:
        # Without the conversion the same transcript double-encodes: the bug this guards.
        raw = _render(template, messages, tools)
        assert all(json.dumps(encoded) in raw for encoded in expected), template
    elif template in REJECTS_STRINGS:
        # These templates iterate over the arguments: a JSON string is refused outright.
        with pytest.raises(Exception, match="item"):
            _render(template, messages, tools)


def _call_text(template: str, name: str, args: dict[str, Any]) -> str:
    """How ``template`` writes one decoded call's arguments."""
    if template == "qwen3_5_nothink":
        return f"<function={name}>\n" + "".join(f"<parameter={k}>\n{v}\n</parameter>\n" for k, v in args.items())
    if template == "glm4moe":
        pairs = "".join(f"<arg_key>{k}</arg_key>\n<arg_value>{v if isinstance(v, str) else json.dumps(v)}"
                        "</arg_value>\n" for k, v in args.items())
        return f"<tool_call>{name}\n{pairs}</tool_call>"
    return json.dumps(args, ensure_ascii=False)


@pytest.mark.parametrize("template", TEXT_BESIDE_CALLS)
def test_the_models_words_and_its_call_both_render_once(template: str) -> None:
    _template_dir()
    messages = [
        {"role": "system", "content": "You are a travel desk."},
        {"role": "user", "content": "Will it rain in Oslo?"},
        {"role": "assistant", "content": "Rain matters, so I check.", "tool_calls": [WEATHER_CALL]},
        {"role": "tool", "tool_call_id": "c1", "content": "Oslo: rain"},
        {"role": "assistant", "content": "Yes, it will rain."},
    ]
    rendered = _render(template, to_hf_messages(messages), [])
    assert rendered.count("Rain matters, so I check.") == 1
    assert rendered.count(_call_text(template, "weather", {"city": "Oslo"})) == 1
    assert "Oslo: rain" in rendered
