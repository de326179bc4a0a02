"""The national hub: enrolment, the signed registry, ingest sweep, aggregates, dashboard, /api/v1.

Active only on a group whose role is ``hub``; on an ordinary group every hub page is a 404.
"""
