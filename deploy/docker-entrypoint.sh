#!/bin/sh
# Container entry point: `web` migrates then serves, `worker` runs the background worker,
# anything else is run as is (e.g. `commonground init --group … --admin …`).
set -eu

case "${1:-web}" in
  web)
    commonground db upgrade
    exec gunicorn --config /etc/commonground/gunicorn.conf.py node.wsgi:app
    ;;
  worker)
    exec commonground worker
    ;;
  *)
    exec "$@"
    ;;
esac
