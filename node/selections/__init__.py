"""Selections: a group decides whom to back for an office, from nominations through hustings to
a ballot (docs/selections.md)."""
