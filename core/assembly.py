"""The one place that assembles searcher, answerer and language model.

Why: ``python -m qa``, ``python -m eval``, the app and ``index search`` each built these
themselves — four copies of "read the LLM settings, pick extractive or LLM, make the chat
model, open the searcher, make the answerer, make the judge" — and the copies drifted
(the app synced, the CLI did not; eval could load a GGUF model twice for the judge).
Every entry point now asks this module:

* :func:`resolve_mode` — ``auto`` means LLM exactly when one is configured;
* :func:`chat_model` — the configured chat model (a local GGUF file is loaded once per
  process and shared, see :mod:`qa.llm`);
* :func:`answerer_for` — the answerer over an already open searcher (the app, which caches
  searchers and chat models across sessions);
* :func:`assemble` — all of it for a CLI, from a :class:`~core.kb.KnowledgeBase`;
* :func:`judge_for` — eval's judge, reusing the answering model when it is the same one.

Imports of langchain, faiss and the embedder happen inside the functions, so extractive
start-up stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from core.kb import KnowledgeBase
from qa.llm_config import LLMConfig

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from index.embedders import Embedder
    from index.progress import Progress
    from index.search import Searcher
    from qa.answer import Answerer

Mode = Literal["extractive", "llm"]


def resolve_mode(requested: str, config: LLMConfig) -> Mode:
    """``extractive`` / ``llm`` as asked; ``auto`` is LLM exactly when one is configured."""
    if requested == "auto":
        return "llm" if config.configured else "extractive"
    if requested not in ("extractive", "llm"):
        raise ValueError(f"unknown answer mode {requested!r}")
    return requested  # type: ignore[return-value]


def chat_model(config: LLMConfig | None = None) -> BaseChatModel:
    """The configured chat model; ``LLMNotConfigured`` says what to set when none is."""
    from qa.llm import make_chat_model

    return make_chat_model(config or LLMConfig.from_env())


def answerer_for(
    searcher: Searcher | Any,
    *,
    mode: Mode = "extractive",
    chat: BaseChatModel | None = None,
    config: LLMConfig | None = None,
    k: int = 10,
    search_mode: str = "hybrid",
    weights: tuple[float, float] = (1.0, 1.0),
) -> Answerer:
    """An answerer over ``searcher``.  In LLM mode ``chat`` is used when given (the app's
    cached model), else one is made from ``config``."""
    from qa.answer import Answerer

    if mode == "llm" and chat is None:
        chat = chat_model(config)
    return Answerer(
        searcher,
        mode=mode,
        chat_model=chat if mode == "llm" else None,
        k=k,
        search_mode=search_mode,
        weights=weights,
    )


@dataclass(slots=True)
class Assembly:
    """What a CLI answers with: the knowledge base, its searcher, the answerer and the
    LLM settings in force (``chat`` is None in extractive mode)."""

    kb: KnowledgeBase
    searcher: Searcher
    answerer: Answerer
    config: LLMConfig
    chat: BaseChatModel | None

    @property
    def mode(self) -> Mode:
        return self.answerer.mode  # type: ignore[return-value]

    @property
    def stale(self) -> bool:
        return bool(self.searcher.stale)


def assemble(
    kb: KnowledgeBase,
    *,
    mode: str = "auto",
    k: int = 10,
    config: LLMConfig | None = None,
    embedder: Embedder | None = None,
    sync: bool = False,
    progress: bool | Progress = False,
    search_mode: str = "hybrid",
    weights: tuple[float, float] = (1.0, 1.0),
) -> Assembly:
    """Searcher, answerer and (in LLM mode) chat model for ``kb``.

    ``sync=False`` opens the index as a reader (the qa CLI: never writes, reports
    staleness); ``sync=True`` as a writer (eval).  The LLM settings are read once here
    unless ``config`` is given.  The index opens first, so a missing knowledge base is
    reported before a model is loaded."""
    cfg = config or LLMConfig.from_env()
    resolved = resolve_mode(mode, cfg)
    searcher = kb.searcher(embedder, sync=sync, progress=progress)
    chat = chat_model(cfg) if resolved == "llm" else None
    answerer = answerer_for(
        searcher, mode=resolved, chat=chat, k=k, search_mode=search_mode, weights=weights
    )
    return Assembly(kb, searcher, answerer, cfg, chat)


def judge_for(
    judge_config: LLMConfig, answer_config: LLMConfig, answer_chat: BaseChatModel | None
) -> BaseChatModel:
    """The judge's chat model: the answering model itself when the judge settings name the
    same model (a GGUF file is never loaded twice), else its own."""
    if answer_chat is not None and judge_config.same_model(answer_config):
        return answer_chat
    return chat_model(judge_config)
