"""Cross-layer basics with no domain knowledge: the error base and the CLI boundary."""
