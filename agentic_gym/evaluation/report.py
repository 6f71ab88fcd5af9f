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
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agentic_gym.evaluation.runner import Trajectory

__all__ = [
    "PICTURE_FILE",
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

    ``steps`` counts the agent's turns (feedback turns included) and ``invalid`` those
    with ``info["action_valid"]`` False; ``seconds`` is wall-clock time, the only field
    that differs between two runs of the same settings. In JSON the return is ``"return"``.
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
    ``invalid_rate`` is the share of all turns with ``info["action_valid"]`` False.
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
    oracle_calls = [r.oracle_tool_calls for r in rows if r.oracle_tool_calls is not None]
    return {
        "episodes": n,
        "success_rate": rate,
        # Binomial standard error of the success rate.
        "success_se": math.sqrt(rate * (1.0 - rate) / n) if n else 0.0,
        "mean_return": _mean([float(r.episode_return) for r in rows]),
        "mean_steps": _mean([float(r.steps) for r in rows]),
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
) -> dict[str, Any]:
    """Per-env metrics, per-capability and overall means over envs, for one agent's rows."""
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
    return {"envs": per_env, "capabilities": by_capability, "overall": overall}


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
                "return": f"{m['mean_return']:.3f}", "steps": f"{m['mean_steps']:.1f}",
                "invalid": f"{m['invalid_rate']:.2f}", "tool calls": f"{m['tool_calls']:.1f}",
                "tokens in/out": f"{m['tokens_in']:.0f}/{m['tokens_out']:.0f}",
            })
    table = format_table(rows, ["env", "agent", "success", "return", "steps", "invalid", "tool calls", "tokens in/out"])
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
    return table + "\n\nsuccess rate (mean over envs +- standard error)\n" + format_table(profile, ["capability", *labels])


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
              "| env | agent | success | return | steps | invalid | tool calls | tokens in/out |",
              "|---|---|---|---|---|---|---|---|"]
    env_ids = list(dict.fromkeys(e for a in agents.values() for e in a.get("envs", {})))
    for env_id in env_ids:
        for label, result in agents.items():
            m = result.get("envs", {}).get(env_id)
            if m is not None:
                lines.append(
                    f"| {short_id(env_id)} | {label} | {_rate(m)} | {m['mean_return']:.3f} | {m['mean_steps']:.1f} "
                    f"| {m['invalid_rate']:.2f} | {m['tool_calls']:.1f} | {m['tokens_in']:.0f}/{m['tokens_out']:.0f} |"
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
    lines += ["", f"![capability profile]({PICTURE_FILE})", ""]
    return "\n".join(lines)


_PALETTE = [(66, 133, 244), (234, 67, 53), (52, 168, 83), (251, 188, 5), (155, 81, 224), (0, 172, 193)]


def _font(size: int) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def draw_capabilities(agents: dict[str, dict[str, Any]], path: str | os.PathLike[str]) -> Path:
    """Draw the capability profile as grouped bars: one group per capability, one bar per agent.

    Bars are success rates (mean over the envs with that capability) with
    standard-error whiskers; the last group is the overall mean.
    """
    from PIL import Image, ImageDraw

    labels = list(agents)
    groups = list(dict.fromkeys(c for a in agents.values() for c in a.get("capabilities", {}))) + ["overall"]
    title, small, tiny = _font(18), _font(13), _font(10)
    legend_width = sum(40 + int(small.getlength(label)) for label in labels)
    width = max(640, 90 + len(groups) * max(70, 22 * len(labels) + 30), 80 + legend_width)
    height = 420
    left, right, top, bottom = 60, 20, 62, 80
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.text((left, 14), "Success rate by capability (mean over envs, +- s.e.)", fill=(20, 20, 20), font=title)
    plot_h = height - top - bottom
    for tick in range(5):
        value = tick / 4
        y = top + plot_h - value * plot_h
        draw.line([(left, y), (width - right, y)], fill=(225, 225, 225) if tick else (90, 90, 90))
        draw.text((left - 8, y), f"{value:.2f}", fill=(60, 60, 60), font=small, anchor="rm")
    group_w = (width - left - right) / len(groups)
    bar_w = min(28.0, (group_w - 16) / max(1, len(labels)))
    for g, group in enumerate(groups):
        x0 = left + g * group_w + (group_w - bar_w * len(labels)) / 2
        for a, label in enumerate(labels):
            result = agents[label]
            m = result.get("overall") if group == "overall" else result.get("capabilities", {}).get(group)
            if not m:
                continue
            colour = _PALETTE[a % len(_PALETTE)]
            x = x0 + a * bar_w
            y = top + plot_h - m["success_rate"] * plot_h
            draw.rectangle([x + 1, min(y, top + plot_h - 1), x + bar_w - 2, top + plot_h], fill=colour)
            if m["success_se"] > 0:
                centre = x + bar_w / 2 - 0.5
                low = top + plot_h - max(0.0, m["success_rate"] - m["success_se"]) * plot_h
                high = top + plot_h - min(1.0, m["success_rate"] + m["success_se"]) * plot_h
                draw.line([(centre, low), (centre, high)], fill=(30, 30, 30), width=2)
                draw.line([(centre - 4, high), (centre + 4, high)], fill=(30, 30, 30), width=2)
            top_of_bar = top + plot_h - min(1.0, m["success_rate"] + m["success_se"]) * plot_h
            draw.text((x + bar_w / 2, top_of_bar - 3), f"{m['success_rate']:.2f}", fill=(40, 40, 40),
                      font=tiny, anchor="mb")
        draw.text((left + g * group_w + group_w / 2, top + plot_h + 8), group.replace("_", " "),
                  fill=(30, 30, 30), font=small, anchor="mt")
    x = left
    for a, label in enumerate(labels):
        colour = _PALETTE[a % len(_PALETTE)]
        draw.rectangle([x, height - 30, x + 14, height - 16], fill=colour)
        draw.text((x + 20, height - 23), label, fill=(30, 30, 30), font=small, anchor="lm")
        x += 40 + int(draw.textlength(label, font=small))
    path = Path(path)
    image.save(path, format="PNG")
    return path

