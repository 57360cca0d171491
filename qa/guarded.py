"""A chat model whose every failure is an :class:`LLMError` with a one-line message.

Why: an LLM call can fail in many ways — a timeout, HTTP 500/429, a refused connection, a
reply the client cannot parse ("No generation chunks were returned") — and the answerer
lets them through.  Wrapping the model at the edge (the CLIs and the app build it) lets
every caller say "the model failed: <reason>" in one line, whatever the library raised.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from core.errors import UserError, user_message


class LLMError(UserError):
    """The language model could not produce an answer."""


class GuardedChat:
    """Proxy of a LangChain chat model: ``stream``/``invoke`` re-raise any failure as
    :class:`LLMError`; everything else is delegated unchanged."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        try:
            yield from self._model.stream(*args, **kwargs)
        except UserError:
            raise
        except Exception as exc:
            raise LLMError(f"大模型调用失败：{user_message(exc)}") from exc

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._model.invoke(*args, **kwargs)
        except UserError:
            raise
        except Exception as exc:
            raise LLMError(f"大模型调用失败：{user_message(exc)}") from exc
