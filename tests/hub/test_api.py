"""/api/v1: pagination, filters, raw statements that verify independently, CSV export."""

from __future__ import annotations

from federation import static_lookup, verify
from tests.hub.conftest import HUB, deliver, endorse


def test_candidates_paginate_and_filter(app, wsgi, hub, enrolled):  # type: ignore[no-untyped-def]
    for i in range(12):
        endorse(enrolled["walton"], name=f"Person {i:02d}")
    endorse(enrolled["crosby"], name="Person 00")
    deliver()
    client = app.test_client()
    first = client.get("/api/v1/candidates?per_page=5", base_url=HUB).get_json()
    assert (first["total"], first["pages"], len(first["items"])) == (12, 3, 5)
    assert first["items"][0]["name"] == "Person 00" and first["items"][0]["endorsements"] == 2
    second = client.get(first["next"].replace(HUB, ""), base_url=HUB).get_json()
    assert second["page"] == 2 and {i["name"] for i in second["items"]}.isdisjoint(
        {i["name"] for i in first["items"]}
    )
    only = client.get("/api/v1/candidates?q=Person%2011", base_url=HUB).get_json()
    assert [i["name"] for i in only["items"]] == ["Person 11"]
    detail = client.get(f"/api/v1/candidates/{first['items'][0]['id']}", base_url=HUB).get_json()
    assert {e["group_name"] for e in detail["endorsed_by"]} == {"Walton", "Crosby"}
    assert detail["endorsements_page"] == {
        "page": 1,
        "per_page": 100,
        "pages": 1,
        "total": 2,
        "next": None,
    }
    ident = first["items"][0]["id"]
    one = client.get(f"/api/v1/candidates/{ident}?per_page=1", base_url=HUB).get_json()
    assert len(one["endorsed_by"]) == 1 and one["endorsements_page"]["pages"] == 2
    rest = client.get(one["endorsements_page"]["next"].replace(HUB, ""), base_url=HUB).get_json()
    names = {one["endorsed_by"][0]["group_name"], rest["endorsed_by"][0]["group_name"]}
    assert names == {"Walton", "Crosby"} and rest["endorsements_page"]["next"] is None
    nw = client.get("/api/v1/groups?region=North%20West", base_url=HUB).get_json()
    assert {g["name"] for g in nw["items"]} == {"Walton", "Crosby"}
    csv = client.get("/hub/candidates?format=csv", base_url=HUB).get_data(as_text=True)
    assert csv.splitlines()[0].startswith("name,office") and "Person 11" in csv


def test_statements_are_served_raw_and_verify_independently(app, wsgi, hub, enrolled):  # type: ignore[no-untyped-def]
    from node.peering import keystore

    endorse(enrolled["walton"])
    deliver()
    client = app.test_client()
    walton = enrolled["walton"]
    page = client.get(f"/api/v1/statements?issuer={walton.url}&limit=1", base_url=HUB).get_json()
    assert len(page["items"]) == 1 and page["next"]
    jwk = keystore.current_key(walton).public_jwk
    st = verify(page["items"][0]["compact"], static_lookup({walton.url: [jwk]}))
    assert st.type == "candidate-endorsement"
