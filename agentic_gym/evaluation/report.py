"""Aggregate episode rows into metrics and report them: tables, Markdown and the capability picture.

Rows are :class:`EpisodeRow` records, one per played episode. :func:`env_metrics` turns
one agent's rows on one env into success rate (with its binomial standard error), mean
return, mean steps, invalid-action rate, tool calls and tokens; :func:`summarize` adds
the per-capability and overall means over envs (like BALROG's progress score: every env
weighs the same whatever its episode count). The reports read the JSON results of any
number of agents.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agentic_gym.evaluation.runner import Trajectory

__all__ = [
    "PICTURE_FILE",
    "BarLayout",
    "capability_layout",
    "EpisodeRow",
    "draw_capabilities",
    "env_metrics",
    "format_table",
    "short_id",
    "results_table",
    "summarize",
    "summary_markdown",
]

PICTURE_FILE = "capabilities.png"


@dataclass(frozen=True)
class EpisodeRow:
    """One played episode as an evaluation records it (a line of ``episodes.jsonl``).

    ``steps`` counts the agent's turns (feedback turns included), ``env_steps`` those that
    stepped the env (None in rows written before it was recorded) and ``invalid`` those
    with ``info["action_valid"]`` False. ``server_errors`` counts failures of the agent's
    server during the episode (5xx and 429 answers, timeouts, malformed responses: the
    server's fault, not the model's) and ``retries`` the requests sent again. ``seconds``
    is wall-clock time, the only field that differs between two runs of the same
    settings. In JSON the return is ``"return"``.
    """

    agent: str
    env_id: str
    episode: int
    seed: int
    success: bool
    episode_return: float
    steps: int
    invalid: int
    truncated: bool
    tool_calls: int
    oracle_tool_calls: int | None
    tokens_in: int
    tokens_out: int
    seconds: float
    env_steps: int | None = None
    server_errors: int = 0
    retries: int = 0
    # Multi-agent rows only (None elsewhere, and then left out of the JSON): the seat the
    # agent played, the opponent's label ("self" in self-play) and the env's end scores.
    seat: str | None = None
    opponent: str | None = None
    scores: dict[str, float] | None = None

    @classmethod
    def from_trajectory(cls, trajectory: Trajectory, agent: str, env_id: str, episode: int) -> EpisodeRow:
        """The row of a trajectory played by ``agent`` as episode ``episode`` of ``env_id``."""
        return cls(
            agent=agent, env_id=env_id, episode=episode, seed=trajectory.seed, success=trajectory.success,
            episode_return=trajectory.total_return, steps=trajectory.steps, invalid=trajectory.invalid,
            truncated=trajectory.truncated, tool_calls=trajectory.tool_calls,
            oracle_tool_calls=trajectory.oracle_tool_calls, tokens_in=trajectory.tokens_in,
            tokens_out=trajectory.tokens_out, seconds=trajectory.seconds,
        )

    def to_json(self) -> dict[str, Any]:
        """The row as a JSON object (the return under ``"return"``)."""
        data = asdict(self)
        data["return"] = data.pop("episode_return")
        for key in ("seat", "opponent", "scores"):
            if data[key] is None:
                del data[key]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EpisodeRow:
        """A row read back from JSON; raises ``KeyError``/``TypeError``/``ValueError`` on a malformed one."""
        oracle = data["oracle_tool_calls"]
        return cls(
            agent=str(data["agent"]), env_id=str(data["env_id"]), episode=int(data["episode"]),
            seed=int(data["seed"]), success=bool(data["success"]), episode_return=float(data["return"]),
            steps=int(data["steps"]), invalid=int(data["invalid"]), truncated=bool(data["truncated"]),
            tool_calls=int(data["tool_calls"]), oracle_tool_calls=None if oracle is None else int(oracle),
            tokens_in=int(data["tokens_in"]), tokens_out=int(data["tokens_out"]), seconds=float(data["seconds"]),
            env_steps=None if data.get("env_steps") is None else int(data["env_steps"]),
            server_errors=int(data.get("server_errors", 0)), retries=int(data.get("retries", 0)),
            seat=None if data.get("seat") is None else str(data["seat"]),
            opponent=None if data.get("opponent") is None else str(data["opponent"]),
            scores=None if data.get("scores") is None else {str(k): float(v) for k, v in data["scores"].items()},
        )


# ---- metrics -----------------------------------------------------------------------


def _mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values)) if values else 0.0


def env_metrics(rows: Sequence[EpisodeRow]) -> dict[str, Any]:
    """Metrics of one agent on one env from its episode rows.

    ``success_rate`` is the fraction of episodes whose last ``info["success"]`` is
    True, ``success_se`` its binomial standard error. Steps are the agent's turns,
    including the chat layer's feedback turns after an unusable reply;
    ``invalid_rate`` is the share of all turns with ``info["action_valid"]`` False;
    ``mean_env_steps`` counts only the turns that stepped the env. ``server_errors`` and
    ``retries`` are totals over the episodes (the server's failures, kept apart from the
    model's invalid replies).
    ``tool_calls`` is the env's own count (``info["tool_calls"]``) when it keeps one,
    else the number of valid turns that used a ``tool`` affordance. Token counts
    and tool calls are means per episode.

    Example:
        >>> from dataclasses import replace
        >>> row = EpisodeRow(agent="a", env_id="e", episode=0, seed=0, success=True, episode_return=1.0,
        ...                  steps=4, invalid=1, truncated=False, tool_calls=2, oracle_tool_calls=None,
        ...                  tokens_in=0, tokens_out=0, seconds=0.0)
        >>> rows = [row, replace(row, episode=1, success=False, episode_return=0.0, steps=6, invalid=0,
        ...                      tool_calls=0)]
        >>> m = env_metrics(rows)
        >>> m["success_rate"], m["success_se"], m["invalid_rate"], m["mean_steps"]
        (0.5, 0.3535533905932738, 0.1, 5.0)
    """
    n = len(rows)
    rate = _mean([float(r.success) for r in rows])
    steps = sum(r.steps for r in rows)
    env_steps = [float(r.env_steps) for r in rows if r.env_steps is not None]
    oracle_calls = [r.oracle_tool_calls for r in rows if r.oracle_tool_calls is not None]
    return {
        "episodes": n,
        "success_rate": rate,
        # Binomial standard error of the success rate.
        "success_se": math.sqrt(rate * (1.0 - rate) / n) if n else 0.0,
        "mean_return": _mean([float(r.episode_return) for r in rows]),
        "mean_steps": _mean([float(r.steps) for r in rows]),
        "mean_env_steps": _mean(env_steps) if len(env_steps) == n else None,
        "server_errors": sum(r.server_errors for r in rows),
        "retries": sum(r.retries for r in rows),
        "invalid_rate": sum(r.invalid for r in rows) / steps if steps else 0.0,
        "tool_calls": _mean([float(r.tool_calls) for r in rows]),
        "oracle_tool_calls": _mean(oracle_calls) if oracle_calls else None,
        "tokens_in": _mean([float(r.tokens_in) for r in rows]),
        "tokens_out": _mean([float(r.tokens_out) for r in rows]),
    }


def _group(per_env: dict[str, dict[str, Any]], env_ids: Sequence[str]) -> dict[str, Any]:
    chosen = [per_env[e] for e in env_ids]
    k = len(chosen)
    return {
        "envs": k,
        "success_rate": _mean([m["success_rate"] for m in chosen]),
        # The standard error of a mean of independent per-env rates.
        "success_se": math.sqrt(sum(m["success_se"] ** 2 for m in chosen)) / k if k else 0.0,
        "mean_return": _mean([m["mean_return"] for m in chosen]),
        "invalid_rate": _mean([m["invalid_rate"] for m in chosen]),
    }


def summarize(
    rows: Sequence[EpisodeRow], env_ids: Sequence[str], capabilities: Mapping[str, Sequence[str]],
    obs_modes: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Per-env metrics, per-capability and overall means over envs, for one agent's rows.

    ``obs_modes`` gives the grid envs' ``obs_mode``; then ``"obs_modes"`` reports success
    on the envs whose text names the cells (``"text"``: modes ``text`` and ``both``) apart
    from those seen only as an image (``"image"``, the ``-Vision`` variants): what
    seeing costs a model.
    """
    from agentic_gym.core import CAPABILITIES

    per_env = {}
    for env_id in env_ids:
        env_rows = [r for r in rows if r.env_id == env_id]
        if env_rows:
            per_env[env_id] = env_metrics(env_rows)
    played = list(per_env)
    by_capability = {}
    for capability in CAPABILITIES:
        ids = [e for e in played if capability in capabilities.get(e, ())]
        if ids:
            by_capability[capability] = _group(per_env, ids)
    overall = _group(per_env, played)
    overall["episodes"] = len(rows)
    overall["tokens_in"] = int(sum(r.tokens_in for r in rows))
    overall["tokens_out"] = int(sum(r.tokens_out for r in rows))
    summary = {"envs": per_env, "capabilities": by_capability, "overall": overall}
    modes = obs_modes or {}
    by_mode = {}
    for label, members in (("text", ("text", "both")), ("image", ("image",))):
        ids = [e for e in played if modes.get(e) in members]
        if ids:
            by_mode[label] = _group(per_env, ids)
    if by_mode:
        summary["obs_modes"] = by_mode
    return summary


# ---- tables and pictures -------------------------------------------------------------


def format_table(rows: Sequence[Mapping[str, str]], columns: Sequence[str]) -> str:
    """A plain fixed-width table.

    Example:
        >>> print(format_table([{"env": "Maze", "success": "0.50"}], ["env", "success"]))
        env   success
        ----  -------
        Maze  0.50
    """
    widths = [max([len(c)] + [len(str(r[c])) for r in rows]) for c in columns]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(str(row[c]).ljust(w) for c, w in zip(columns, widths)).rstrip())
    return "\n".join(lines)


def _rate(metrics: dict[str, Any]) -> str:
    return f"{metrics['success_rate']:.2f} +- {metrics['success_se']:.2f}"


def _env_steps(metrics: Mapping[str, Any]) -> str:
    value = metrics.get("mean_env_steps")
    return "-" if value is None else f"{value:.1f}"


def short_id(env_id: str) -> str:
    """An env id without its namespace (``GridMaze-9x9-v0``)."""
    return env_id.split("/", 1)[-1]


def results_table(agents: dict[str, dict[str, Any]]) -> str:
    """A fixed-width table of every agent's per-env, per-capability and overall metrics."""
    env_ids = list(dict.fromkeys(e for a in agents.values() for e in a.get("envs", {})))
    rows = []
    for env_id in env_ids:
        for label, result in agents.items():
            m = result.get("envs", {}).get(env_id)
            if m is None:
                continue
            rows.append({
                "env": short_id(env_id), "agent": label, "success": _rate(m),
                "return": f"{m['mean_return']:.3f}", "turns": f"{m['mean_steps']:.1f}",
                "env steps": _env_steps(m),
                "invalid": f"{m['invalid_rate']:.2f}", "tool calls": f"{m['tool_calls']:.1f}",
                "tokens in/out": f"{m['tokens_in']:.0f}/{m['tokens_out']:.0f}",
                "server errors/retries": f"{m.get('server_errors', 0)}/{m.get('retries', 0)}",
            })
    columns = ["env", "agent", "success", "return", "turns", "env steps", "invalid", "tool calls", "tokens in/out"]
    # The server's failures, apart from the model's invalid replies: shown when there were any.
    if any(m.get("server_errors") or m.get("retries") for a in agents.values() for m in a.get("envs", {}).values()):
        columns.append("server errors/retries")
    table = format_table(rows, columns)
    labels = list(agents)
    groups = list(dict.fromkeys(c for a in agents.values() for c in a.get("capabilities", {})))
    profile = []
    for group in [*groups, "overall"]:
        row = {"capability": group}
        for label in labels:
            m = agents[label].get("overall" if group == "overall" else "capabilities", {})
            m = m if group == "overall" else m.get(group)
            row[label] = _rate(m) if m else "-"
        profile.append(row)
    text = table + "\n\nsuccess rate (mean over envs +- standard error)\n" + format_table(profile, ["capability", *labels])
    modes = [m for m in ("text", "image") if any(m in a.get("obs_modes", {}) for a in agents.values())]
    if modes:
        by_mode = []
        for mode in modes:
            row = {"grid view": f"{mode} ({'words' if mode == 'text' else 'image only'})"}
            for label in labels:
                m = agents[label].get("obs_modes", {}).get(mode)
                row[label] = _rate(m) if m else "-"
            by_mode.append(row)
        text += "\n\ngrid envs by what the text carries\n" + format_table(by_mode, ["grid view", *labels])
    return text


def summary_markdown(agents: dict[str, dict[str, Any]]) -> str:
    """``summary.md``: the settings and the results of every agent as Markdown tables."""
    lines = ["# Evaluation summary", ""]
    for label, result in agents.items():
        config = result.get("config", {})
        lines.append(
            f"- **{label}**: {config.get('episodes')} episodes per env, seed {config.get('seed')}, "
            f"{'through chat()' if config.get('chat') else 'native actions'}"
            f"{'' if result.get('complete') else ' (incomplete)'}"
        )
    lines += ["", "## Per environment", "",
              "| env | agent | success | return | turns | env steps | invalid | tool calls | tokens in/out "
              "| server errors/retries |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    env_ids = list(dict.fromkeys(e for a in agents.values() for e in a.get("envs", {})))
    for env_id in env_ids:
        for label, result in agents.items():
            m = result.get("envs", {}).get(env_id)
            if m is not None:
                lines.append(
                    f"| {short_id(env_id)} | {label} | {_rate(m)} | {m['mean_return']:.3f} | {m['mean_steps']:.1f} "
                    f"| {_env_steps(m)} | {m['invalid_rate']:.2f} | {m['tool_calls']:.1f} "
                    f"| {m['tokens_in']:.0f}/{m['tokens_out']:.0f} | {m.get('server_errors', 0)}/{m.get('retries', 0)} |"
                )
    labels = [label for label, result in agents.items() if result.get("envs")]
    groups = list(dict.fromkeys(c for a in agents.values() for c in a.get("capabilities", {})))
    lines += ["", "## Per capability (success rate, mean over envs)", "",
              "| capability | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
    for group in [*groups, "overall"]:
        cells = []
        for label in labels:
            m = agents[label]["overall"] if group == "overall" else agents[label]["capabilities"].get(group)
            cells.append(_rate(m) if m else "-")
        lines.append(f"| {group} | " + " | ".join(cells) + " |")
    modes = [m for m in ("text", "image") if any(m in agents[label].get("obs_modes", {}) for label in labels)]
    if modes:
        lines += ["", "## Grid envs by what the text carries (success rate, mean over envs)", "",
                  "| grid view | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
        for mode in modes:
            cells = []
            for label in labels:
                m = agents[label].get("obs_modes", {}).get(mode)
                cells.append(_rate(m) if m else "-")
            lines.append(f"| {mode} | " + " | ".join(cells) + " |")
    lines += ["", f"![capability profile]({PICTURE_FILE})", ""]
    return "\n".join(lines)


_PALETTE = [(66, 133, 244), (234, 67, 53), (52, 168, 83), (251, 188, 5), (155, 81, 224), (0, 172, 193)]


def _font(size: int) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


@dataclass(frozen=True)
class BarLayout:
    """Where one bar of the capability picture goes: its box, its whisker and its value label's box."""

    agent: str
    group: str
    bar: tuple[float, float, float, float]
    whisker: tuple[float, float, float, float] | None
    label: tuple[float, float, float, float]
    text: str


def _caption(agents: Mapping[str, Mapping[str, Any]]) -> str:
    """``agents: a, b | 3 episodes per env | seed 0`` from the agents' recorded settings."""
    def values(key: str) -> list[str]:
        found = {a["config"].get(key) for a in agents.values() if a.get("config")}
        return [str(v) for v in sorted(found, key=lambda v: (not isinstance(v, int), v if isinstance(v, int) else 0))]

    episodes, seeds = values("episodes"), values("seed")
    parts = [f"agents: {', '.join(agents)}"]
    if episodes:
        parts.append(f"{'/'.join(episodes)} episodes per env")
    if seeds:
        parts.append(f"seed {'/'.join(seeds)}")
    return " | ".join(parts)


def _group_label(agents: Mapping[str, Mapping[str, Any]], group: str) -> str:
    """A capability's name and how many envs its mean covers (``planning (12 envs)``)."""
    counts = set()
    for result in agents.values():
        m = result.get("overall") if group == "overall" else result.get("capabilities", {}).get(group)
        if m and m.get("envs") is not None:
            counts.add(int(m["envs"]))
    name = group.replace("_", " ")
    if not counts:
        return name
    shown = "/".join(str(c) for c in sorted(counts))
    return f"{name} ({shown} env{'s' if counts != {1} else ''})"


def capability_layout(
    agents: Mapping[str, Mapping[str, Any]], width: int, top: float, plot_h: float, left: float, right: float,
    label_size: Callable[[str], tuple[float, float]],
) -> list[BarLayout]:
    """The geometry of every bar: value labels sit above the whisker's cap, never on it.

    ``label_size(text)`` gives the width and height of a value label in the font used.
    """
    labels = list(agents)
    groups = list(dict.fromkeys(c for a in agents.values() for c in a.get("capabilities", {}))) + ["overall"]
    group_w = (width - left - right) / len(groups)
    bar_w = min(34.0, (group_w - 16) / max(1, len(labels)))
    layout = []
    for g, group in enumerate(groups):
        x0 = left + g * group_w + (group_w - bar_w * len(labels)) / 2
        for a, label in enumerate(labels):
            result = agents[label]
            m = result.get("overall") if group == "overall" else result.get("capabilities", {}).get(group)
            if not m:
                continue
            x = x0 + a * bar_w
            rate, se = float(m["success_rate"]), float(m["success_se"])
            y = top + plot_h - rate * plot_h
            bar = (x + 1, min(y, top + plot_h - 1), x + bar_w - 2, top + plot_h)
            centre = x + bar_w / 2 - 0.5
            whisker = None
            high = y
            if se > 0:
                low = top + plot_h - max(0.0, rate - se) * plot_h
                high = top + plot_h - min(1.0, rate + se) * plot_h
                whisker = (centre - 5, high - 1, centre + 5, low + 1)  # the cap's half-width and the line's ends
            text = f"{rate:.2f}"
            text_w, text_h = label_size(text)
            bottom = min(high, y) - 4  # clear of the cap (and of the bar's top)
            layout.append(BarLayout(label, group, bar, whisker,
                                    (centre - text_w / 2, bottom - text_h, centre + text_w / 2, bottom), text))
    return layout


def draw_capabilities(agents: dict[str, dict[str, Any]], path: str | os.PathLike[str]) -> Path:
    """Draw the capability profile as grouped bars: one group per capability, one bar per agent.

    Bars are success rates (mean over the envs with that capability, whose count each
    group names) with standard-error whiskers and their value above the whisker; the
    last group is the overall mean. The caption names the agents, episodes and seed.
    """
    from PIL import Image, ImageDraw

    labels = list(agents)
    groups = list(dict.fromkeys(c for a in agents.values() for c in a.get("capabilities", {}))) + ["overall"]
    title, small, tiny = _font(18), _font(13), _font(11)
    legend_width = sum(40 + int(small.getlength(label)) for label in labels)
    group_names = [_group_label(agents, g) for g in groups]
    widest_group = max(int(small.getlength(name)) for name in group_names) + 12
    caption = _caption(agents)
    width = max(640, 90 + len(groups) * max(widest_group, 34 * len(labels) + 30), 80 + legend_width,
                80 + int(small.getlength(caption)))
    height = 450
    left, right, top, bottom = 60, 20, 92, 80
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.text((left, 14), "Success rate by capability (mean over envs, +- s.e.)", fill=(20, 20, 20), font=title)
    draw.text((left, 40), caption, fill=(80, 80, 80), font=small)
    plot_h = height - top - bottom
    for tick in range(5):
        value = tick / 4
        y = top + plot_h - value * plot_h
        draw.line([(left, y), (width - right, y)], fill=(225, 225, 225) if tick else (90, 90, 90))
        draw.text((left - 8, y), f"{value:.2f}", fill=(60, 60, 60), font=small, anchor="rm")

    def label_size(text: str) -> tuple[float, float]:
        box = draw.textbbox((0, 0), text, font=tiny, anchor="lt")
        return float(box[2] - box[0]), float(box[3] - box[1])

    for item in capability_layout(agents, width, top, plot_h, left, right, label_size):
        colour = _PALETTE[labels.index(item.agent) % len(_PALETTE)]
        draw.rectangle(item.bar, fill=colour)
        if item.whisker is not None:
            x0, high, x1, low = item.whisker
            centre = (x0 + x1) / 2
            draw.line([(centre, low - 1), (centre, high + 1)], fill=(30, 30, 30), width=2)
            draw.line([(centre - 4, high + 1), (centre + 4, high + 1)], fill=(30, 30, 30), width=2)
        draw.text((item.label[0], item.label[1]), item.text, fill=(40, 40, 40), font=tiny, anchor="lt")
    group_w = (width - left - right) / len(groups)
    for g, name in enumerate(group_names):
        draw.text((left + g * group_w + group_w / 2, top + plot_h + 8), name, fill=(30, 30, 30), font=small, anchor="mt")
    x = left
    for a, label in enumerate(labels):
        colour = _PALETTE[a % len(_PALETTE)]
        draw.rectangle([x, height - 30, x + 14, height - 16], fill=colour)
        draw.text((x + 20, height - 23), label, fill=(30, 30, 30), font=small, anchor="lm")
        x += 40 + int(draw.textlength(label, font=small))
    path = Path(path)
    image.save(path, format="PNG")
    return path
