"""Events: meetings, socials, picket-line solidarity and education sessions, with RSVPs and feeds."""
