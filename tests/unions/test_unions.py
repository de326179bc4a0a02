"""The union network view, union-wide messages (consent respected), and rep declarations."""

from __future__ import annotations


def test_network_counts_and_message_one_union(app, officer_client, group, make_member, smtp_sink):  # type: ignore[no-untyped-def]
    make_member(group, email="a@example.org", union="Unite", workplace="Merseyrail")
    make_member(
        group, email="b@example.org", union="Unite", workplace="Merseyrail", consent_email=False
    )
    make_member(group, email="c@example.org", union="UNISON", workplace="Royal Hospital")
    make_member(group, email="d@example.org", name="Dev Nounion", workplace="Amazon")
    page = officer_client.get("/unions").get_data(as_text=True)
    assert "3</strong> of 5 active members in a union" in page
    assert "Dev Nounion" in page and "Merseyrail" in page
    csv_text = officer_client.get("/unions.csv").get_data(as_text=True)
    assert "Unite,Merseyrail,2" in csv_text and "(not in a union),Amazon,1" in csv_text
    smtp_sink.clear()
    r = officer_client.post_form(
        "/unions/message",
        {"union": "Unite", "subject": "Branch AGM", "body": "Come along"},
        page="/unions",
    )
    assert r.status_code == 302
    assert smtp_sink.recipients() == ["a@example.org"]
    assert "/unsubscribe/" in smtp_sink.body(smtp_sink.to("a@example.org")[0])
    assert (
        officer_client.post_form(
            "/unions/message", {"union": "GMB", "subject": "x", "body": "y"}, page="/unions"
        ).status_code
        == 400
    )


def test_member_declares_rep_role(app, client, group, make_member):  # type: ignore[no-untyped-def]
    member = make_member(group, email="rep@example.org", name="Rita Rep", union="GMB")
    client.sign_in(member.email)
    assert (
        client.post_form("/unions/me", {"sector": "care", "rep_role": "shop steward"}).status_code
        == 302
    )
    assert (
        client.post_form("/unions/me", {"sector": "care", "rep_role": "emperor"}).status_code == 400
    )
    assert "Shop steward" in client.get("/organising/me").get_data(as_text=True)
    assert client.get("/unions").status_code == 403  # the network view is for organisers
