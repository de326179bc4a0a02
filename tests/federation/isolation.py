"""The node federation room's isolation populate lives with its tests (tests/peering)."""

from tests.peering.isolation import populate

__all__ = ["populate"]
