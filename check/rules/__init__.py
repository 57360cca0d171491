"""Rule modules; importing this package registers every rule in :mod:`check.catalogue`."""

from check.rules import form, legacy, references, structure, wording

__all__ = ["form", "legacy", "references", "structure", "wording"]
