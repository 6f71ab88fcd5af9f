"""Episode recordings: the JSONL log that is their record of truth, and the GIF and HTML made from it.

:class:`~agentic_gym.wrappers.RecordEpisode` writes recordings and ``agentic-gym replay``
(:mod:`agentic_gym.replay`) reads them; both use this package, which knows neither.

A log is one JSON object per line, each with a ``type``:

``header``
    ``format`` (2), ``episode``, ``env_id``, ``make_kwargs``, ``max_episode_steps``,
    ``chat_options`` (when recording an :func:`agentic_gym.chat` env, else ``null``),
    ``seed``, ``options``, ``wrappers``, ``render_mode``, ``agentic_gym_version``,
    ``gymnasium_version``, ``created``, the reset's observation fields (below) and ``info``.
``step``
    ``step``, ``action`` (what was passed to ``step``: for a chat env the raw LLM
    reply, a string or an assistant message dict), ``command`` (the parsed command
    text, or ``null`` when the action could not be parsed), ``action_valid``,
    ``reward``, ``terminated``, ``truncated``, the observation fields and ``info``
    (made JSON-safe by :func:`json_safe`; without a chat env's ``tools``, which the
    header's ``info`` holds once).
``end``
    ``steps``, ``return``, ``success`` and ``complete`` (False when the episode was
    cut short by ``reset`` or ``close`` before it ended).

Observation fields: ``observation``, the text the agent reads (``obs["text"]``, or the
last chat message's text); for a chat prompt ``messages`` (the messages new since the
line before, each logged once) and ``prompt_ids`` (the whole prompt as runs
``[first, count]`` of message ids, message ``i`` being the ``i``-th logged), so a log
grows linearly with the episode (:class:`PromptDecoder` rebuilds the prompts); for any
other observation ``observation_digest``, a SHA-256 of all of it, arrays included.
Format 1 logs held the whole prompt in a ``prompt`` field on every line;
:func:`load_episode` still reads them.
"""

from __future__ import annotations

from agentic_gym.recording.artefacts import (
    GifWriter,
    HtmlWriter,
    palette_image,
    png_data_url,
    turn_html,
    write_gif,
    write_html,
)
from agentic_gym.recording.log import (
    LOG_FORMAT,
    Episode,
    PromptDecoder,
    PromptEncoder,
    RecordingError,
    canonical,
    describe_env,
    expand_runs,
    is_message_list,
    json_safe,
    load_episode,
    observation_digest,
    observation_fields,
    observation_text,
    shown_text,
)
from agentic_gym.recording.style import FrameStyle, caption_text, frame_style

__all__ = [
    "LOG_FORMAT",
    "Episode",
    "FrameStyle",
    "GifWriter",
    "HtmlWriter",
    "PromptDecoder",
    "PromptEncoder",
    "RecordingError",
    "canonical",
    "caption_text",
    "describe_env",
    "expand_runs",
    "frame_style",
    "is_message_list",
    "json_safe",
    "load_episode",
    "observation_digest",
    "observation_fields",
    "observation_text",
    "palette_image",
    "png_data_url",
    "shown_text",
    "turn_html",
    "write_gif",
    "write_html",
]
