"""``owns_campaign``: only the issuer at whose URL a campaign lives may describe it (§4.3)."""

from __future__ import annotations

import pytest

from federation import owns_campaign

W = "https://install.example.org/g/walton"


@pytest.mark.parametrize(
    ("issuer", "campaign", "owns"),
    [
        (W, f"{W}/campaigns/clean-the-wey", True),
        (W + "/", f"{W}/campaigns/clean-the-wey", True),
        ("https://river.example.org", "https://river.example.org/campaigns/x", True),
        ("https://river.example.org", "https://RIVER.example.org/campaigns/x", True),
        (W, f"{W}-evil/campaigns/x", False),  # a prefix of the text, not of the path
        (W, W, False),
        (W, W + "/", False),
        (W, "https://install.example.org/g/shepperton/campaigns/x", False),
        (W, f"{W}/../shepperton/campaigns/x", False),  # a browser would go elsewhere
        (W, f"{W}/%2E%2E/shepperton/campaigns/x", False),
        (W, f"{W}/campaigns/./x", False),
        (W, "http://install.example.org/g/walton/campaigns/x", False),  # another scheme
        (W, "https://install.example.org:8443/g/walton/campaigns/x", False),  # another port
        (W, "https://other.example.org/g/walton/campaigns/x", False),
        (W, "https://[broken/x", False),
    ],
)
def test_owns_campaign(issuer: str, campaign: str, owns: bool) -> None:
    assert owns_campaign(issuer, campaign) is owns
