"""The note key names of Commonground's log and witnesses (docs/protocol.md §14.8).

A C2SP key name may contain no space and no ``+``; both names come from a group id (an
http(s) URL, protocol §1) with its scheme left out:

- the hub's **log origin** (the checkpoint's first line and the log key's name) is the hub's
  id without its scheme, then ``/log``: ``https://hub.example.org`` → ``hub.example.org/log``;
- a group's **witness name** (the key name of its cosignatures) is its id without its scheme:
  ``https://walton.example.org`` → ``walton.example.org``.
"""

from __future__ import annotations

from .errors import NoteError
from .note import is_valid_name


def _without_scheme(group_id: str) -> str:
    for scheme in ("https://", "http://"):
        if group_id.startswith(scheme):
            return group_id[len(scheme) :].rstrip("/")
    raise NoteError(f"a group id is an http(s) URL, not {group_id[:100]!r}")


def _checked(name: str) -> str:
    if not is_valid_name(name):
        raise NoteError(f"{name[:100]!r} cannot be a note key name (a space or a '+')")
    return name


def log_origin(hub_id: str) -> str:
    """The origin (and log key name) of the log of the hub whose group id is ``hub_id``."""
    return _checked(_without_scheme(hub_id) + "/log")


def witness_name(group_id: str) -> str:
    """The cosignature key name of the group whose id is ``group_id``."""
    return _checked(_without_scheme(group_id))
