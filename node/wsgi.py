"""WSGI entry point for production: ``gunicorn node.wsgi:app``.

gunicorn loads this once in its master (``preload_app``) and forks the workers from it, so what
is built here is shared by every worker, including each one started later to replace another
(``warm_up``: the mappers and the compiled templates).
"""

import os

from node import create_app
from node.app import warm_up

app = create_app()
# The suite's servers (COMMONGROUND_TESTING) start dozens of times and each shows a few pages.
warm_up(app, templates=os.environ.get("COMMONGROUND_TESTING") != "1")
