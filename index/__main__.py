"""Entry point of ``python -m index``."""

import sys

from index.cli import main

sys.exit(main())
