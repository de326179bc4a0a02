"""Motions: a member proposes, seconders bring it to the agenda, members discuss and amend it,
and the group decides it by ballot or at a meeting (docs/motions.md)."""
