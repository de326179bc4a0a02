"""The production entry point's warm-up (node/app.py, called by node/wsgi.py): after it, every template is compiled
and cached, so a worker forked from the master renders its first page without compiling."""

from __future__ import annotations

from node.app import warm_up


def test_every_template_is_compiled_before_any_request(app):
    env = app.jinja_env
    env.cache.clear()
    names = env.list_templates(extensions=("html", "txt"))
    assert len(names) > 100
    warm_up(app)
    cached = {key[1] for key in env.cache}
    assert set(names) <= cached
    assert env.cache.capacity >= len(names)  # none evicted again by the others
