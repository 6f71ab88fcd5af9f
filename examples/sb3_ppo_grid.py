"""Train PPO (Stable-Baselines3) on a grid env and score it on held-out seeds.

The zero-glue path: ``MlpPolicy`` through
``FlattenObservation(FilterObservation(env, ["image", "direction"]))``; ``--cnn``
trains ``MultiInputPolicy`` with the small 7x7 ``GridViewCNN`` instead. The score is
the success rate of the trained policy on ``--eval-episodes`` seeds that training
never used, beside a uniformly random policy on the same seeds. The policy samples
its actions as in training: it sees only the 7x7 view and has no memory, so its
argmax (``--deterministic``) can loop for ever between views that look alike.

Needs the ``sb3`` extra (install the CPU ``torch==2.13.0`` first)::

    pip install torch==2.13.0 && pip install -e ".[sb3]"
    python examples/sb3_ppo_grid.py                      # >= 90 % in 100k steps
    python examples/sb3_ppo_grid.py --cnn
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env

from agentic_gym.integrations.sb3 import GridViewCNN, make_grid_env, success_rate

EVAL_SEED_BASE = 1_000_000  # training resets draw from the vec env's own seed stream


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="agentic_gym/GridKeyDoor-6x6-v0")
    parser.add_argument("--timesteps", type=int, default=100_000)
    parser.add_argument("--n-envs", type=int, default=8)
    parser.add_argument("--cnn", action="store_true", help="MultiInputPolicy with the 7x7 GridViewCNN")
    parser.add_argument("--eval-episodes", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", help="write the trained model to this path (.zip)")
    parser.add_argument("--deterministic", action="store_true",
                        help="score the argmax action instead of a sampled one (see the note above)")
    args = parser.parse_args()

    torch.set_num_threads(1)  # small networks: one thread is faster than contended ones
    flatten = not args.cnn
    envs = make_vec_env(lambda: make_grid_env(args.env, flatten=flatten), n_envs=args.n_envs, seed=args.seed)
    policy_kwargs = (
        {"features_extractor_class": GridViewCNN, "normalize_images": False} if args.cnn else {}
    )
    model = PPO(
        "MultiInputPolicy" if args.cnn else "MlpPolicy",
        envs,
        n_steps=256,
        batch_size=128,
        n_epochs=4,
        learning_rate=1e-3,
        ent_coef=0.01,
        policy_kwargs=policy_kwargs,
        seed=args.seed,
        device="cpu",
        verbose=0,
    )
    start = time.perf_counter()
    model.learn(total_timesteps=args.timesteps)
    train_seconds = time.perf_counter() - start
    if args.save:
        model.save(args.save)

    seeds = range(EVAL_SEED_BASE, EVAL_SEED_BASE + args.eval_episodes)
    def act(obs: object) -> int:
        return int(model.predict(obs, deterministic=args.deterministic)[0])

    trained = success_rate(act, args.env, seeds, flatten)
    rng = np.random.default_rng(args.seed)
    actions = make_grid_env(args.env).action_space
    random = success_rate(lambda obs: int(rng.integers(actions.n)), args.env, seeds, flatten)
    policy = "cnn" if args.cnn else "mlp"
    print(f"{args.env} PPO-{policy}: {args.timesteps} steps in {train_seconds:.0f} s")
    print(f"success on {args.eval_episodes} held-out seeds: trained {trained:.1%}, random {random:.1%}")


if __name__ == "__main__":
    main()
