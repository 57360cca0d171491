"""Draft checker: review a draft standard against GB/T 1.1—2020 (``python -m check``)."""
