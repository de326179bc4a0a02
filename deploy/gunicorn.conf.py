"""Gunicorn settings for a 1 GB VPS (installed as /opt/commonground/gunicorn.conf.py).

Two processes of four threads each: a node's pages are short and mostly wait on the database, so
threads are cheaper than more processes (each process costs ~60-80 MB). The app is loaded once
in the master, warmed up (node/wsgi.py), and the workers are forked from it (shared pages).

A worker is replaced when its resident memory passes ``COMMONGROUND_WEB_MAX_MEMORY_MB``
(default 200: a worker starts at ~95 MB, and two grown ones and the master stay inside the web
unit's MemoryMax=500M), which bounds slow leaks on a 1 GB server, rather than after a number of
requests: on a ballot day a count-based limit replaced each worker every few seconds, and the
requests in flight at each replacement made the slowest votes (docs/performance.md, "Ballot
day"). A worker that does not grow is never replaced; ``max_requests`` stays as a distant
backstop.
Override with COMMONGROUND_BIND / COMMONGROUND_WEB_WORKERS / COMMONGROUND_WEB_THREADS /
COMMONGROUND_WEB_MAX_MEMORY_MB.
"""

import os
import resource

bind = os.environ.get("COMMONGROUND_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("COMMONGROUND_WEB_WORKERS", "2"))
threads = int(os.environ.get("COMMONGROUND_WEB_THREADS", "4"))
worker_class = "gthread"
max_requests = 100_000
max_requests_jitter = 10_000
max_memory_mb = int(os.environ.get("COMMONGROUND_WEB_MAX_MEMORY_MB", "200"))
MEMORY_CHECK_EVERY = 50  # requests; reading the size costs a few microseconds
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


def resident_mb() -> float:
    """This process's resident memory now (Linux), else its peak (both in MB)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def post_request(worker, req, environ, resp):
    """Every MEMORY_CHECK_EVERY requests: past the memory ceiling, finish what is in flight and
    let the master start a fresh worker (gunicorn's own graceful path, as max_requests uses)."""
    if worker.nr % MEMORY_CHECK_EVERY or not worker.alive:
        return
    size = resident_mb()
    if size > max_memory_mb:
        worker.log.info("Replacing worker: %.0f MB resident, over %d MB", size, max_memory_mb)
        worker.alive = False
