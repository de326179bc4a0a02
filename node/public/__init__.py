"""The group's public face: its home page for visitors, and the way in (the join form and the
officers' queue of membership applications)."""
