"""CoopKeyDoor played twice: an AEC loop and a parallel loop, both seats following the scripted plan.

The keeper (``player_1``) stands at a locked door and says its colour; the scout
(``player_0``), who sees two keys, fetches the one of that colour and unlocks the
door; both walk onto the goal. Replace ``env.unwrapped.oracle_action(agent)`` by your
policy (or an LLM through ``agentic_gym.chat_multi``) to play a seat yourself.

Run: ``python examples/coop_keydoor.py``
"""

from __future__ import annotations

from agentic_gym.envs.multi import coop_keydoor_v0


def aec_loop(seed: int) -> None:
    env = coop_keydoor_v0.env(variant="8x8", render_mode="ansi")
    env.reset(seed=seed)
    names = [a.name for a in env.unwrapped.affordances("player_0")]
    print(env.render())
    for agent in env.agent_iter():
        observation, reward, terminated, truncated, info = env.last()
        action = None if terminated or truncated else env.unwrapped.oracle_action(agent)
        if action is not None and names[action].startswith("say_"):
            print(f"{agent} ({info['role']}): {names[action]}")
        env.step(action)
    print(env.render())
    print(f"AEC loop: success={info['success']} reward={reward:.3f}")


def parallel_loop(seed: int) -> None:
    env = coop_keydoor_v0.parallel_env(variant="12x12")
    observations, infos = env.reset(seed=seed)
    print("player_1 sees:", observations["player_1"]["text"].splitlines()[0])
    returns = dict.fromkeys(env.possible_agents, 0.0)
    rounds = 0
    while env.agents:
        # Each round every agent acts once, in seat order (the AEC env underneath).
        actions = {agent: env.unwrapped.oracle_action(agent) for agent in env.agents}
        observations, rewards, terminations, truncations, infos = env.step(actions)
        for agent, reward in rewards.items():
            returns[agent] += reward
        rounds += 1
    success = all(info["success"] for info in infos.values())
    print(f"parallel loop: success={success} rounds={rounds} returns={returns}")


if __name__ == "__main__":
    aec_loop(seed=3)
    parallel_loop(seed=4)
