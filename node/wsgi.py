"""WSGI entry point for production: ``gunicorn node.wsgi:app``."""

from node import create_app

app = create_app()
