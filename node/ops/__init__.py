"""Operating a node: backup, restore and doctor (the `commonground backup|restore|doctor` commands).

Everything here runs from the command line or a systemd timer, never from a web request, so it
may shell out (``pg_dump``/``psql``) and touch the instance folder directly.
"""
