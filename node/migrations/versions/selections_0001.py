"""selections: selections, nominations, seconders, hustings questions and answers

Revision ID: selections_0001
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "selections_0001"
down_revision = "0001_foundation"
branch_labels = ("selections",)
depends_on = ("ballots_0001", "organising_0001")  # selections.ballot_id, selections.event_id


def _group(table):
    return sa.ForeignKeyConstraint(
        ["group_id"], ["groups.id"], name=op.f(f"fk_{table}_group_id_groups"), ondelete="CASCADE"
    )


def _fk(table, column, target, ondelete):
    name = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{name}"), ondelete=ondelete
    )


def _index(table, *columns):
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade():
    op.create_table(
        "selections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=200), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("election_date", sa.Date(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("nominations_open_at", sa.DateTime(), nullable=False),
        sa.Column("nominations_close_at", sa.DateTime(), nullable=False),
        sa.Column("questions_close_at", sa.DateTime(), nullable=False),
        sa.Column("answers_due_at", sa.DateTime(), nullable=False),
        sa.Column("ballot_opens_at", sa.DateTime(), nullable=False),
        sa.Column("ballot_closes_at", sa.DateTime(), nullable=False),
        sa.Column("self_nomination", sa.Boolean(), nullable=False),
        sa.Column("seconders_needed", sa.Integer(), nullable=False),
        sa.Column("min_days", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("answers_published_at", sa.DateTime(), nullable=True),
        sa.Column("ballot_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _group("selections"),
        _fk("selections", "ballot_id", "ballots.id", "SET NULL"),
        _fk("selections", "event_id", "events.id", "SET NULL"),
        _fk("selections", "created_by_id", "members.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selections")),
    )
    _index("selections", "group_id", "nominations_close_at", "answers_due_at")
    op.create_table(
        "selection_nominations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("selection_id", sa.Integer(), nullable=False),
        sa.Column("nominee_id", sa.Integer(), nullable=False),
        sa.Column("nominated_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("statement_at", sa.DateTime(), nullable=True),
        sa.Column("ballot_position", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _group("selection_nominations"),
        _fk("selection_nominations", "selection_id", "selections.id", "CASCADE"),
        _fk("selection_nominations", "nominee_id", "members.id", "CASCADE"),
        _fk("selection_nominations", "nominated_by_id", "members.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_nominations")),
        sa.UniqueConstraint(
            "selection_id",
            "nominee_id",
            name=op.f("uq_selection_nominations_selection_id_nominee_id"),
        ),
    )
    _index("selection_nominations", "group_id", "selection_id")
    op.create_table(
        "selection_seconders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _group("selection_seconders"),
        _fk("selection_seconders", "nomination_id", "selection_nominations.id", "CASCADE"),
        _fk("selection_seconders", "member_id", "members.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_seconders")),
        sa.UniqueConstraint(
            "nomination_id",
            "member_id",
            name=op.f("uq_selection_seconders_nomination_id_member_id"),
        ),
    )
    _index("selection_seconders", "group_id", "nomination_id")
    op.create_table(
        "selection_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("selection_id", sa.Integer(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("moderated_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _group("selection_questions"),
        _fk("selection_questions", "selection_id", "selections.id", "CASCADE"),
        _fk("selection_questions", "asked_by_id", "members.id", "SET NULL"),
        _fk("selection_questions", "merged_into_id", "selection_questions.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_questions")),
    )
    _index("selection_questions", "group_id", "selection_id")
    op.create_table(
        "selection_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _group("selection_answers"),
        _fk("selection_answers", "question_id", "selection_questions.id", "CASCADE"),
        _fk("selection_answers", "nomination_id", "selection_nominations.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_answers")),
        sa.UniqueConstraint(
            "question_id",
            "nomination_id",
            name=op.f("uq_selection_answers_question_id_nomination_id"),
        ),
    )
    _index("selection_answers", "group_id", "question_id", "nomination_id")


def downgrade():
    op.drop_table("selection_answers")
    op.drop_table("selection_questions")
    op.drop_table("selection_seconders")
    op.drop_table("selection_nominations")
    op.drop_table("selections")
