"""Gunicorn settings for a 1 GB VPS (installed as /opt/commonground/gunicorn.conf.py).

Two processes of four threads each: a node's pages are short and mostly wait on the database, so
threads are cheaper than more processes (each process costs ~60-80 MB). The app is loaded once
in the master and the workers are forked from it (shared pages), and every worker is replaced
after ~1000 requests (with jitter, so not all at once) to bound slow leaks.
Override with COMMONGROUND_BIND / COMMONGROUND_WEB_WORKERS / COMMONGROUND_WEB_THREADS.
"""

import os

bind = os.environ.get("COMMONGROUND_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("COMMONGROUND_WEB_WORKERS", "2"))
threads = int(os.environ.get("COMMONGROUND_WEB_THREADS", "4"))
worker_class = "gthread"
max_requests = 1000
max_requests_jitter = 200
timeout = 60
graceful_timeout = 30
keepalive = 5
preload_app = True
proc_name = "commonground-web"
accesslog = "-"  # to the journal (systemd) or the container log
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'  # no cookies, no user agents
# Tokens in invitation/reset/feed links and query values (sign-in codes) never reach the log.
logger_class = "node.ops.accesslog.RedactingLogger"
forwarded_allow_ips = "127.0.0.1,::1"
# A RAM-backed directory for the workers' heartbeat files (a full or slow disk must not stall them).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108


def post_fork(server, worker):
    """Forked workers must not share the master's database connections."""
    from node.extensions import db
    from node.wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)
