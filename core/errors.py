"""One error base carrying the line shown to the user, and the CLI boundary that maps
*any* failure to that line and exit status 2.

Why a base class: every layer (store, index, readers, LLM) has its own errors, and each
CLI used to list the ones it knew; whatever it forgot (a full disk, an HTTP 429, a
malformed model reply) escaped as a traceback.  :func:`user_message` turns any exception
into one line — a :class:`UserError` says its own message, well-known system and network
failures get a plain-language line — and :func:`cli_boundary` prints it and exits 2.
"""

from __future__ import annotations

import errno
import json
import logging
import sys
from collections.abc import Callable

log = logging.getLogger(__name__)

EXIT_USAGE = 2  # every failure the user can act on (bad input, missing KB, LLM down…)


class UserError(Exception):
    """A failure whose ``str()`` is a complete one-line message for the user."""


def one_line(text: str, limit: int = 300) -> str:
    """Collapse whitespace and control characters (a message never spans lines)."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


_OS_MESSAGES = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EROFS: "文件系统为只读",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
}

# Network / model-service failures by class name, so this module imports no client library.
_LLM_MESSAGES = {
    "APITimeoutError": "大模型服务响应超时",
    "ReadTimeout": "大模型服务响应超时",
    "ConnectTimeout": "连接大模型服务超时",
    "TimeoutException": "大模型服务响应超时",
    "APIConnectionError": "无法连接大模型服务",
    "ConnectError": "无法连接大模型服务",
    "RemoteProtocolError": "大模型服务连接中断",
    "RateLimitError": "大模型服务限流（HTTP 429），请稍后再试",
    "AuthenticationError": "大模型服务拒绝了 API 密钥（HTTP 401）",
    "PermissionDeniedError": "大模型服务拒绝访问（HTTP 403）",
    "NotFoundError": "大模型服务找不到该模型或接口（HTTP 404）",
    "InternalServerError": "大模型服务内部错误（HTTP 5xx）",
    "APIStatusError": "大模型服务返回错误",
    "APIResponseValidationError": "大模型服务的回复格式无法解析",
    "JSONDecodeError": "回复格式无法解析",
}


def user_message(exc: BaseException) -> str:
    """One line for the user describing ``exc``, whatever it is."""
    if isinstance(exc, UserError):
        return one_line(str(exc))
    if isinstance(exc, OSError) and exc.errno in _OS_MESSAGES:
        where = f"：{exc.filename}" if exc.filename else ""
        return one_line(f"{_OS_MESSAGES[exc.errno]}{where}")
    for cls in type(exc).__mro__:
        if cls.__name__ in _LLM_MESSAGES:
            status = getattr(exc, "status_code", None)
            extra = (
                f"（HTTP {status}）" if status and "HTTP" not in _LLM_MESSAGES[cls.__name__] else ""
            )
            return one_line(f"{_LLM_MESSAGES[cls.__name__]}{extra}：{exc}")
    if isinstance(exc, MemoryError):
        return "内存不足"
    detail = str(exc)
    return one_line(f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__)


def report(exc: BaseException, *, prefix: str = "错误：") -> None:
    """Print the one line on stderr; the traceback goes to the debug log only."""
    log.debug("failure", exc_info=exc)
    print(prefix + user_message(exc), file=sys.stderr)


def cli_boundary(main: Callable[[list[str] | None], int], argv: list[str] | None = None) -> int:
    """Run a CLI ``main``; any exception becomes one line on stderr and exit 2.
    (argparse's own usage errors exit 2 via SystemExit and pass through.)

    With ``--json`` among the arguments the failure is also ``{"error": line}`` on stdout:
    a script reading the JSON gets a JSON answer either way, never an empty stdout."""
    try:
        return main(argv)
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `… | head`: nothing left to tell anyone
        return 0
    except Exception as exc:
        report(exc)
        if "--json" in (sys.argv[1:] if argv is None else argv):
            print(json.dumps({"error": user_message(exc)}, ensure_ascii=False))
        return EXIT_USAGE
