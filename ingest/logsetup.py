"""Logging for the command-line tools: one format, always on stderr.

stdout belongs to results (``--json`` output is piped into other tools), so logs and
progress bars never go there.
"""

from __future__ import annotations

import logging
import sys

# Libraries that log their own English warnings about a file's internals ("EOF marker not
# found", "Ignoring wrong pointing object 19805 0").  The reader already turns what matters
# into a one-line Chinese reason per file; without ``-v`` these lines only bury it.
QUIET_LIBRARIES = ("pypdf",)


_LEVEL_WORDS = {"WARNING": "警告", "ERROR": "错误", "CRITICAL": "错误"}


class UserFormatter(logging.Formatter):
    """Without ``-v`` a warning reads like the CLIs' other lines ("警告：索引落后于知识库…"),
    not "WARNING qa: …" — the logger's name and the English level mean nothing to a
    drafter; ``-v`` keeps the technical form for whoever debugs."""

    def format(self, record: logging.LogRecord) -> str:
        word = _LEVEL_WORDS.get(record.levelname, record.levelname)
        return f"{word}：{record.getMessage()}"


def configure_cli_logging(verbose: bool, verbose_level: int = logging.DEBUG) -> None:
    """Logs on stderr; without ``verbose`` only warnings of ours (libraries: errors only),
    in the user's words."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(levelname)s %(name)s: %(message)s") if verbose else UserFormatter()
    )
    logging.basicConfig(level=verbose_level if verbose else logging.WARNING, handlers=[handler])
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.NOTSET if verbose else logging.ERROR)
