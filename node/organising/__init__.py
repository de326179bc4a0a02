"""The organising kernel: what campaigns, events and education share, below the rooms.

- :mod:`~node.organising.messaging`: mail to members, consent first, an unsubscribe link in each;
- :mod:`~node.organising.times`: local wall-clock time in a named zone and naive UTC;
- :mod:`~node.organising.signups`: signing up for something (an action, an event), withdrawing,
  and recording who turned up, for any room's sign-up rows;
- :mod:`~node.organising.record`: the organiser record (the ladder), from the entries each room
  registers in ``rooms.record_entries``;
- :mod:`~node.organising.items`: what one room shows of another's items (a member's
  commitments, a campaign's events, newsletter segments, public listings), as plain items;
- :mod:`~node.organising.follows`: following a subject (a motion, a selection) and one digest
  mail of what is new in it, instead of a mail per post;
- :mod:`~node.organising.demo`: what the rooms' demo seeds share.

The kernel imports no room: the rooms register providers in the registry (``node.rooms``).
"""
