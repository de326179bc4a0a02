"""The peering room's fixtures (two groups on one install talking over WSGI HTTP), for the
end-to-end selection whose signed endorsements a peer receives."""

from tests.peering.conftest import shepperton, walton, wsgi  # noqa: F401
