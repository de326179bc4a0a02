"""node.mail never lets text reach a header unflattened, and one bad message never stops the rest.

Issue 13, finding 4: a ballot title with a line break made ``msg["Subject"] = …`` raise inside
the scheduler. Forms now refuse such titles; this is the defence in depth behind them, with real
mail through the SMTP sink.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from node.extensions import db
from node.mail import MailLog, Outgoing, header_text, send_many


def test_a_subject_with_line_breaks_is_flattened_and_a_bad_address_fails_alone(
    app: Any, make_group: Any, smtp_sink: Any
) -> None:
    group = make_group("Walton", slug="walton")
    group.name = "Walton\nX-Injected: 1"  # create_group refuses it; stored data may still have it
    entries = send_many(
        group,
        [
            Outgoing("ann@example.org", "Budget\r\nBcc: everyone@example.org", "Body\nline 2"),
            Outgoing("bob@example.org\nBcc: eve@example.org", "Hello", "Body"),
            Outgoing("cat@example.org", "Plain\u2028subject\x00", "Body"),
        ],
    )
    db.session.commit()
    assert [e.status for e in entries] == ["sent", "failed", "sent"]
    assert entries[1].error and "plain e-mail address" in entries[1].error
    assert sorted(smtp_sink.recipients()) == ["ann@example.org", "cat@example.org"]
    (ann,) = smtp_sink.to("ann@example.org")
    assert ann["Subject"] == "Budget Bcc: everyone@example.org"
    assert ann["Bcc"] is None and ann["X-Injected"] is None
    assert "Walton X-Injected: 1" in str(ann["From"])
    assert smtp_sink.body(ann).splitlines() == ["Body", "line 2"]  # the body keeps its lines
    (cat,) = smtp_sink.to("cat@example.org")
    assert cat["Subject"] == "Plain subject"
    logged = db.session.scalars(select(MailLog).order_by(MailLog.id)).all()
    assert [m.subject for m in logged][0] == "Budget Bcc: everyone@example.org"
    assert all("\n" not in m.recipient for m in logged)


def test_header_text_keeps_ordinary_text() -> None:
    assert header_text("Café – Zoë’s “AGM” مرحبا 👍") == "Café – Zoë’s “AGM” مرحبا 👍"
    assert header_text("a\u202eb\tc") == "ab c"
    assert len(header_text("x" * 1000)) == 300
