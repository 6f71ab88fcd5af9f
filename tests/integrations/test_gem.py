"""GEM (the ``gem`` extra): our envs under ``gem.make`` and ``gem.make_vec``, played by the oracle."""

from __future__ import annotations

import pytest

import agentic_gym

gem = pytest.importorskip("gem")
bridge = pytest.importorskip("agentic_gym.integrations.gem")

GRID = "agentic_gym/GridKeyDoor-6x6-v0"
TOOL = "agentic_gym/ToolMath-2step-v0"
TEXT = "agentic_gym/TextAdventure-6rooms-v0"


def test_every_single_agent_env_is_registered_with_gem():
    from agentic_gym.envs import registered_ids

    assert set(registered_ids()) <= set(gem.envs.registration.ENV_REGISTRY)
    assert bridge.register_envs() == []  # registering again adds nothing and raises nothing


@pytest.mark.parametrize("env_id", [GRID, TOOL, TEXT])
def test_the_oracle_solves_an_episode_through_gem_make(env_id):
    env = gem.make(env_id)
    assert isinstance(env, gem.Env) and env.env_id == env_id
    observation, info = env.reset(seed=3)
    chat = agentic_gym.chat(env_id)
    messages, _ = chat.reset(seed=3)
    assert observation == "\n\n".join(m["content"] for m in messages)
    total, done = 0.0, False
    while not done:
        reply = env.oracle_action()
        observation, reward, terminated, truncated, info = env.step(f"Action: {reply}")
        messages, chat_reward, *_ = chat.step(f"Action: {reply}")
        assert isinstance(observation, str) and observation == messages[-1]["content"]
        assert reward == chat_reward and info["action_valid"]
        total += float(reward)
        done = terminated or truncated
    assert terminated and info["success"] and 0 < total <= 1


def test_an_invalid_reply_comes_back_as_feedback_text():
    env = gem.make(TEXT)
    env.reset(seed=0)
    observation, reward, terminated, truncated, info = env.step("I would rather dance.")
    assert not info["action_valid"] and not terminated and reward == 0
    assert info["parse_error"] and info["parse_error"][:40] in observation


def test_make_vec_seeds_each_env_and_the_oracle_solves_them_all():
    vec = gem.make_vec([GRID, TOOL], seed=10)
    observations, infos = vec.reset(seed=10)
    solo, _ = gem.make(TOOL).reset(seed=11)
    assert observations[1] == solo
    solved = [False, False]
    for _ in range(200):
        actions = [env.oracle_action() for env in vec.envs]
        observations, rewards, terminations, truncations, infos = vec.step(actions)
        for i, terminated in enumerate(terminations):
            if terminated:
                # SAME_STEP autoreset: the info is the new episode's; the reward is the finished one's.
                assert rewards[i] > 0
                solved[i] = True
        if all(solved):
            break
    assert solved == [True, True]


def test_a_first_reset_without_a_seed_uses_the_constructor_seed():
    first, _ = gem.make(GRID, seed=4).reset()
    again, _ = gem.make(GRID).reset(seed=4)
    assert first == again
    env = gem.make(TOOL, seed=1)
    env.reset()
    samples = {env.sample_random_action() for _ in range(20)}
    names = {a.name for a in env.chat_env.affordances}
    assert all(sample.split("(")[0].split(" ")[0] in names for sample in samples)


def test_spawn_makes_the_same_env_or_a_copy_of_this_one():
    env = gem.make(TEXT, chat_options={"history": 2})
    observation, _ = env.reset(seed=5)
    fresh = env.spawn()
    assert fresh.chat_options == {"history": 2} and fresh.reset(seed=5)[0] == observation
    env.step(env.oracle_action())
    copy = env.spawn(same_state=True)
    reply = env.oracle_action()
    assert copy.oracle_action() == reply and copy.step(reply)[0] == env.step(reply)[0]
    with pytest.raises(ValueError, match="takes no overrides"):
        env.spawn(same_state=True, history=3)


# ---- curricula -----------------------------------------------------------------------------

MATH_TIERS = ("agentic_gym/ToolMath-Trivial-v0", "agentic_gym/ToolMath-Easy-v0", "agentic_gym/ToolMath-Medium-v0")


def test_make_vec_shares_one_curriculum_that_moves_as_episodes_end():
    from agentic_gym.curriculum import ThresholdSchedule

    sampler = ThresholdSchedule(MATH_TIERS, seed=0, window=2, bar=1.0)
    vec = gem.make_vec([MATH_TIERS[0]] * 2, curriculum=sampler)
    vec.reset()
    assert [env.curriculum.level for env in vec.envs] == [MATH_TIERS[0]] * 2
    played = []
    for _ in range(60):
        levels = [(env.curriculum.level, env.curriculum.seed) for env in vec.envs]
        _, rewards, terminations, truncations, _ = vec.step([env.oracle_action() for env in vec.envs])
        played += [levels[i] for i, done in enumerate(terminations | truncations) if done]
        if sampler.current == 2:
            break
    assert sampler.current == 2 and sampler.episodes == len(played) >= 4
    assert [level for level, _ in played[:2]] == [MATH_TIERS[0]] * 2
    # Each ended episode was the level and seed it reports: replaying it gives the oracle's success.
    level, seed = played[-1]
    solo = gem.make(level)
    solo.reset(seed=seed)
    done = False
    while not done:
        _, _, terminated, truncated, info = solo.step(solo.oracle_action())
        done = terminated or truncated
    assert info["success"]


def test_the_sampler_pickles_mid_run_and_resumes_the_same_sequence():
    import pickle

    from agentic_gym.curriculum import PrioritizedLevelReplay

    def go_on(sampler, episodes):
        env = gem.make(MATH_TIERS[0], curriculum=sampler)
        seen = []
        for episode in range(episodes):
            env.reset()
            seen.append((env.curriculum.level, env.curriculum.seed))
            if episode % 2 == 0:  # solve every other episode; the others end as failures at the next reset
                done = False
                while not done:
                    _, _, terminated, truncated, _ = env.step(env.oracle_action())
                    done = terminated or truncated
        env.close()
        return seen

    sampler = PrioritizedLevelReplay(MATH_TIERS, seed=3, min_replay=2, replay_prob=0.6)
    go_on(sampler, 5)
    checkpoint = pickle.dumps(sampler)
    first = go_on(sampler, 8)
    assert go_on(pickle.loads(checkpoint), 8) == first
    assert len(set(first)) < len(first)  # some (level, seed) pairs were replayed
    env = gem.make(MATH_TIERS[0], curriculum=sampler)
    assert env.spawn().curriculum.curriculum is sampler
    with pytest.raises(ValueError, match="cannot copy an env under a curriculum"):
        env.spawn(same_state=True)
