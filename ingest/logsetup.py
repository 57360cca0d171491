"""Logging for the command-line tools: one format, always on stderr.

stdout belongs to results (``--json`` output is piped into other tools), so logs and
progress bars never go there.
"""

from __future__ import annotations

import logging
import sys


def configure_cli_logging(verbose: bool, verbose_level: int = logging.DEBUG) -> None:
    logging.basicConfig(
        level=verbose_level if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
