"""Wire the motions room into the app: the follow-and-digest kernel it uses."""

from __future__ import annotations

from flask import Flask

from node.organising import follows
from node.rooms import Rooms


def init_app(app: Flask, rooms: Rooms) -> None:
    follows.install(rooms)
