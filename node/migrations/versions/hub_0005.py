"""hub: put the statements a hub stored before its log existed into the log

Revision ID: hub_0005
Revises: hub_0004

Why: the log (hub_0004) appends what the hub accepts from then on. A hub upgraded with
statements already stored would otherwise log none of them, and every group's witness would
find its earlier statements missing. They are appended once, in the order they were stored
(row id), exactly as an append in the ingest transaction would have done, for each hub whose
log is still empty (a log that has started cannot have leaves put before its first).
"""

import sqlalchemy as sa
from alembic import op

from federation.tlog import merkle

revision = "hub_0005"
down_revision = "hub_0004"
branch_labels = None
depends_on = None

CHUNK = 5000


def _backfill(conn, hub_id, hub_url):
    leaves_table = sa.table(
        "hub_log_leaves",
        sa.column("group_id"),
        sa.column("leaf_index"),
        sa.column("statement_pk"),
        sa.column("hash"),
    )
    nodes_table = sa.table(
        "hub_log_nodes",
        sa.column("group_id"),
        sa.column("level"),
        sa.column("node_index"),
        sa.column("hash"),
    )
    rows = conn.execute(
        sa.text(
            "SELECT id, compact FROM federation_statements"
            " WHERE group_id = :g AND issuer != :u ORDER BY id"
        ),
        {"g": hub_id, "u": hub_url},
    ).all()
    frontier = merkle.Frontier()
    leaves, nodes = [], []
    for pk, compact in rows:
        created = frontier.append(merkle.leaf_hash(compact.encode("ascii")))
        leaves.append(
            {"group_id": hub_id, "leaf_index": created[0].index, "statement_pk": pk,
             "hash": created[0].hash}
        )
        nodes.extend(
            {"group_id": hub_id, "level": n.level, "node_index": n.index, "hash": n.hash}
            for n in created[1:]
        )
        if len(leaves) >= CHUNK:
            conn.execute(leaves_table.insert(), leaves)
            leaves = []
        if len(nodes) >= CHUNK:
            conn.execute(nodes_table.insert(), nodes)
            nodes = []
    if leaves:
        conn.execute(leaves_table.insert(), leaves)
    if nodes:
        conn.execute(nodes_table.insert(), nodes)
    conn.execute(
        sa.text(
            "INSERT INTO hub_log_heads (group_id, size, frontier) VALUES (:g, :size, :frontier)"
        ),
        {"g": hub_id, "size": frontier.size, "frontier": b"".join(frontier.hashes)},
    )


def upgrade():
    conn = op.get_bind()
    hubs = conn.execute(sa.text("SELECT id, url FROM groups WHERE role = 'hub'")).all()
    for hub_id, hub_url in hubs:
        started = conn.execute(
            sa.text("SELECT 1 FROM hub_log_heads WHERE group_id = :g"), {"g": hub_id}
        ).first()
        if started is None:
            _backfill(conn, hub_id, hub_url)


def downgrade():
    pass  # the leaves stay: they are true, and hub_0004's downgrade drops the tables
