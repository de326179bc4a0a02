"""The federation fixtures (two groups talking over WSGI HTTP) for the motions' acceptance test."""

from tests.peering.conftest import shepperton, walton, wsgi  # noqa: F401
