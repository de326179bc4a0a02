"""The node federation room's isolation populate lives with its tests (tests/federation_node)."""

from tests.federation_node.isolation import populate

__all__ = ["populate"]
