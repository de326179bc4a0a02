#!/usr/bin/env bash
# `commonground` for the server's administrator (installed as /usr/local/bin/commonground):
# runs the installed command as the `commonground` user with the settings of
# /etc/commonground/commonground.env, exactly as the systemd services see them.
#   sudo commonground doctor
#   sudo commonground backup
#   sudo commonground invite someone@example.org --role officer --group walton
set -euo pipefail

ENV_FILE=/etc/commonground/commonground.env
VENV=/opt/commonground/venv
SERVICE_USER=commonground

if [ ! -r "$ENV_FILE" ]; then
  echo "commonground: cannot read $ENV_FILE (run with sudo)" >&2
  exit 1
fi

vars=()
while IFS= read -r line || [ -n "$line" ]; do
  case $line in
    '' | '#'*) continue ;;
    *=*) vars+=("$line") ;;
  esac
done <"$ENV_FILE"

instance=/var/lib/commonground
for var in "${vars[@]}"; do
  case $var in COMMONGROUND_INSTANCE_PATH=*) instance=${var#*=} ;; esac
done
cd "$instance"
umask 077

run=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "LANG=C.UTF-8" "HOME=$instance" "${vars[@]}")
if [ "$(id -u)" -eq 0 ] && id -u "$SERVICE_USER" >/dev/null 2>&1; then
  exec runuser -u "$SERVICE_USER" -- "${run[@]}" "$VENV/bin/commonground" "$@"
fi
exec "${run[@]}" "$VENV/bin/commonground" "$@"
