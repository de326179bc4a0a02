#!/usr/bin/env bash
# Install or upgrade Commonground on a fresh Debian 12 / Ubuntu 24.04 server, as root:
#
#   sudo deploy/install.sh DOMAIN ADMIN_EMAIL [--group "NAME"] [--restore BACKUP.tar.gz]
#
# First run: installs Python and Caddy from the distribution, creates the `commonground` system
# user, installs Commonground from a wheel into a new release folder
# /opt/commonground/releases/<time>/venv (linked as /opt/commonground/venv), writes
# /etc/commonground/commonground.env (mode 0600, secrets generated), runs the migrations, creates
# the group (or restores a backup with --restore) and prints the first officer's invitation link.
#
# Running it again is an upgrade: a backup first, the new release installed beside the old one,
# services stopped, link switched, migrations run, services started. If the migration fails the
# old release is switched back. /var/lib/commonground (database, keys, backups) is never deleted
# and an existing group is never re-created. See docs/deploy.md.
#
# Knobs used only by the test suite, which runs this very script into a throwaway root:
#   CG_INSTALL_ROOT=DIR   install under DIR instead of /
#   CG_SKIP_APT=1  CG_SKIP_SYSTEMD=1  CG_SKIP_USER=1   skip apt-get, systemctl, useradd
#   CG_WHEEL=FILE         install this wheel instead of building one from this source tree
#   CG_PYTHON=EXE         Python that creates the virtualenv (default: python3)
#   CG_PIP_ARGS="..."     extra `pip install` arguments (tests: --no-index --no-deps)
#   CG_EXTRA_SITE=DIR     put DIR on the virtualenv's path (tests: the dev venv's packages)
set -euo pipefail
umask 022

usage() {
  sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
say() { printf '==> %s\n' "$*"; }
die() {
  printf 'install.sh: %s\n' "$*" >&2
  exit 1
}

DOMAIN=""
ADMIN_EMAIL=""
GROUP_NAME=""
RESTORE=""
positional=()
while [ $# -gt 0 ]; do
  case $1 in
    --group) [ $# -ge 2 ] || usage; GROUP_NAME=$2; shift 2 ;;
    --group=*) GROUP_NAME=${1#*=}; shift ;;
    --restore) [ $# -ge 2 ] || usage; RESTORE=$2; shift 2 ;;
    --restore=*) RESTORE=${1#*=}; shift ;;
    -h | --help) usage ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ ${#positional[@]} -eq 2 ] || usage
DOMAIN=${positional[0]}
ADMIN_EMAIL=${positional[1]}
[[ $DOMAIN =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ && $DOMAIN == *.* ]] ||
  die "DOMAIN must be a host name like walton.example.org, not '$DOMAIN'"
[[ $ADMIN_EMAIL =~ ^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$ ]] ||
  die "ADMIN_EMAIL must be an e-mail address, not '$ADMIN_EMAIL'"
GROUP_NAME=${GROUP_NAME:-$DOMAIN}
if [ -n "$RESTORE" ]; then
  [ -f "$RESTORE" ] || die "no backup file $RESTORE"
  RESTORE=$(cd "$(dirname "$RESTORE")" && pwd)/$(basename "$RESTORE")
fi

ROOT=${CG_INSTALL_ROOT:-}
OPT=$ROOT/opt/commonground
ETC=$ROOT/etc/commonground
VAR=$ROOT/var/lib/commonground
ENV_FILE=$ETC/commonground.env
UNIT_DIR=$ROOT/etc/systemd/system
CADDY_DIR=$ROOT/etc/caddy
BIN_DIR=$ROOT/usr/local/bin
SERVICE_USER=commonground
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${CG_PYTHON:-python3}
STARTED=$(date +%s)
read -r -a PIP_EXTRA <<<"${CG_PIP_ARGS:-}"

if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then
  die "run as root: sudo $0 $*"
fi
[ -f "$SRC/deploy/commonground-web.service" ] || die "run this script from a Commonground source tree"

systemd() { [ -z "${CG_SKIP_SYSTEMD:-}" ]; }
owned() { # owned PATH...: hand PATH to the service user (unless tests skip the user)
  if [ -z "${CG_SKIP_USER:-}" ]; then chown "$SERVICE_USER:$SERVICE_USER" "$@"; fi
}
cg() { "$BIN_DIR/commonground" "$@"; } # as the service user, with the env file

# ----------------------------------------------------------------------------- 1. packages
if [ -z "${CG_SKIP_APT:-}" ]; then
  say "Installing Python and Caddy from the distribution"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends \
    python3 python3-venv ca-certificates curl caddy tar gzip >/dev/null ||
    die "apt-get failed (on Ubuntu, enable the universe repository for caddy)"
fi
command -v "$PYTHON" >/dev/null || die "$PYTHON not found"
"$PYTHON" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' ||
  die "Commonground needs Python 3.11 or newer with the venv module"

# ----------------------------------------------------------------------------- 2. user, folders
if [ -z "${CG_SKIP_USER:-}" ] && ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
  say "Creating the system user $SERVICE_USER"
  useradd --system --user-group --home-dir /var/lib/commonground --no-create-home \
    --shell /usr/sbin/nologin "$SERVICE_USER"
fi
install -d -m 755 "$OPT" "$OPT/releases" "$OPT/errors" "$ETC" "$UNIT_DIR" "$CADDY_DIR" "$BIN_DIR"
install -d -m 700 "$VAR" "$VAR/backups"
owned "$VAR" "$VAR/backups"

# ----------------------------------------------------------------------------- 3. settings
if [ ! -f "$ENV_FILE" ]; then
  say "Writing $ENV_FILE (secrets generated)"
  secret=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))')
  (
    umask 077
    cat >"$ENV_FILE" <<EOF
# Commonground settings, read by the systemd services and by \`sudo commonground …\`.
# Every setting is explained in docs/configuration.md. After a change:
#   systemctl restart commonground-web commonground-worker
COMMONGROUND_INSTANCE_PATH=$VAR
COMMONGROUND_BASE_URL=https://$DOMAIN
COMMONGROUND_SECURE_COOKIES=true
COMMONGROUND_PROXIES=1
COMMONGROUND_SECRET_KEY=$secret
COMMONGROUND_MAIL_FROM=commonground@$DOMAIN
# Outgoing e-mail (invitations, ballots): your mail provider's SMTP details.
COMMONGROUND_SMTP_HOST=localhost
COMMONGROUND_SMTP_PORT=25
#COMMONGROUND_SMTP_USER=
#COMMONGROUND_SMTP_PASSWORD=
#COMMONGROUND_SMTP_STARTTLS=true
COMMONGROUND_LOG_LEVEL=INFO
EOF
  )
fi
chmod 600 "$ENV_FILE"

# ----------------------------------------------------------------------------- 4. the release
RELEASE=$OPT/releases/$(date -u +%Y%m%dT%H%M%S%N)
PREVIOUS=""
if [ -L "$OPT/venv" ]; then PREVIOUS=$(readlink "$OPT/venv"); fi
say "Creating the virtualenv $RELEASE/venv"
"$PYTHON" -m venv "$RELEASE/venv"
site=$("$RELEASE/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
if [ -n "${CG_EXTRA_SITE:-}" ]; then echo "$CG_EXTRA_SITE" >"$site/cg-extra-site.pth"; fi

WHEEL=${CG_WHEEL:-}
if [ -z "$WHEEL" ]; then
  say "Building the Commonground wheel from $SRC"
  build=$(mktemp -d)
  trap 'rm -rf "$build"' EXIT
  tar -C "$SRC" --exclude=./.venv --exclude=./.git --exclude=./var --exclude='*.egg-info' \
    --exclude=./build --exclude=__pycache__ -cf - . | tar -C "$build" -xf -
  "$RELEASE/venv/bin/pip" wheel -q --disable-pip-version-check --no-deps -w "$build/dist" "$build"
  WHEEL=$(find "$build/dist" -name 'commonground-*.whl' | head -n 1)
fi
[ -f "$WHEEL" ] || die "no wheel at '$WHEEL'"
cp "$WHEEL" "$RELEASE/" # a record of exactly what this release is (and a way to reinstall it)
constraints=()
if [ -f "$SRC/requirements.lock" ]; then constraints=(-c "$SRC/requirements.lock"); fi
say "Installing $(basename "$WHEEL")"
"$RELEASE/venv/bin/pip" install -q --disable-pip-version-check --only-binary=:all: \
  "${constraints[@]}" "${PIP_EXTRA[@]}" "$WHEEL"
"$RELEASE/venv/bin/commonground" --version >/dev/null || die "the new release does not start"

install -m 644 "$SRC/deploy/gunicorn.conf.py" "$OPT/gunicorn.conf.py"
install -m 644 "$SRC/deploy/error.html" "$OPT/errors/error.html"
rm -rf "$OPT/static.new"
cp -R "$site/node/static" "$OPT/static.new"
chmod -R a+rX "$OPT/static.new"
sed -e "s|/etc/commonground|$ETC|g" -e "s|/opt/commonground|$OPT|g" \
  -e "s|/var/lib/commonground|$VAR|g" "$SRC/deploy/commonground.sh" >"$BIN_DIR/commonground"
chmod 755 "$BIN_DIR/commonground"

# ----------------------------------------------------------------------------- 5. upgrade guard
no_groups() { # true when the database has no group yet (or no tables)
  local listing
  listing=$(cg group list 2>/dev/null) || return 0
  [ -z "$listing" ] || [[ $listing == "No groups yet"* ]]
}
if [ -n "$PREVIOUS" ] && ! no_groups; then
  snapshot="$VAR/backups/pre-upgrade-$(date -u +%Y%m%dT%H%M%SZ).tar.gz"
  say "Backing up before the upgrade: $snapshot"
  cg backup "$snapshot" || die "the backup failed, nothing was changed (see the message above)"
  # keep the three newest pre-upgrade archives; nightly ones have their own retention
  find "$VAR/backups" -maxdepth 1 -name 'pre-upgrade-*.tar.gz' -printf '%f\n' | sort -r |
    tail -n +4 | while IFS= read -r old; do rm -f -- "$VAR/backups/$old"; done
fi
if systemd && [ -n "$PREVIOUS" ]; then
  say "Stopping the services"
  systemctl stop commonground-worker.service commonground-web.service || true
fi

switch_to() { # switch_to VENV: point /opt/commonground/venv at a release, atomically
  ln -sfn "$1" "$OPT/venv.new"
  mv -Tf "$OPT/venv.new" "$OPT/venv"
}
switch_to "$RELEASE/venv"
rm -rf "$OPT/static"
mv "$OPT/static.new" "$OPT/static"

say "Migrating the database"
if ! cg db upgrade; then
  if [ -n "$PREVIOUS" ]; then
    switch_to "$PREVIOUS"
    if systemd; then systemctl start commonground-web.service commonground-worker.service || true; fi
    die "migration failed: the previous release is running again. If the database was changed, restore ${snapshot:-the last backup} with: sudo commonground restore FILE --force"
  fi
  die "migration failed (see the message above)"
fi

# ----------------------------------------------------------------------------- 6. group or restore
if no_groups; then
  if [ -n "$RESTORE" ]; then
    say "Restoring $RESTORE"
    copy="$VAR/backups/$(basename "$RESTORE")"
    if [ "$RESTORE" != "$copy" ]; then install -m 600 "$RESTORE" "$copy"; fi
    owned "$copy"
    cg restore "$copy"
    if [ -f "$VAR/secret_key" ]; then # keep the old server's session key (members stay signed in)
      restored=$(cat "$VAR/secret_key")
      sed -i "s|^COMMONGROUND_SECRET_KEY=.*|COMMONGROUND_SECRET_KEY=$restored|" "$ENV_FILE"
    fi
  else
    say "Creating the group \"$GROUP_NAME\""
    cg init --group "$GROUP_NAME" --admin "$ADMIN_EMAIL" --url "https://$DOMAIN"
  fi
else
  [ -z "$RESTORE" ] || die "--restore is only for an empty install; this one has data: use sudo commonground restore FILE --force"
  say "Existing groups kept:"
  cg group list
fi

# ----------------------------------------------------------------------------- 7. services, Caddy
for unit in commonground-web.service commonground-worker.service commonground-backup.service \
  commonground-backup.timer; do
  install -m 644 "$SRC/deploy/$unit" "$UNIT_DIR/$unit"
done
caddyfile=$CADDY_DIR/Caddyfile
sed -e "s|@DOMAIN@|$DOMAIN|g" -e "s|@EMAIL@|$ADMIN_EMAIL|g" -e "s|@OPT@|$OPT|g" \
  "$SRC/deploy/Caddyfile" >"$caddyfile.new"
if [ -f "$caddyfile" ] && ! cmp -s "$caddyfile" "$caddyfile.new"; then
  cp -p "$caddyfile" "$caddyfile.bak"
fi
mv "$caddyfile.new" "$caddyfile"
chmod 644 "$caddyfile"

if systemd; then
  say "Starting the services"
  systemctl daemon-reload
  systemctl enable --now commonground-backup.timer >/dev/null
  systemctl enable commonground-web.service commonground-worker.service >/dev/null 2>&1
  systemctl restart commonground-web.service commonground-worker.service
  systemctl reload-or-restart caddy.service
  ok=""
  for _ in $(seq 1 30); do
    if curl -fsS -o /dev/null http://127.0.0.1:8000/healthz; then ok=yes; break; fi
    sleep 1
  done
  [ -n "$ok" ] || die "the web service did not answer: journalctl -u commonground-web -n 50"
fi

# Keep the current and the previous release (to switch back by hand), delete older ones.
current=$(basename "$(dirname "$(readlink "$OPT/venv")")")
find "$OPT/releases" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -r | tail -n +3 |
  while IFS= read -r old; do
    if [ "$old" != "$current" ]; then rm -rf -- "${OPT:?}/releases/$old"; fi
  done

say "Done in $(($(date +%s) - STARTED)) s: https://$DOMAIN/ ($(cg --version))"
if [ -z "$PREVIOUS" ] && [ -z "$RESTORE" ]; then
  echo "Open the invitation link above to set the first officer's password."
fi
echo "Check the install any time with: sudo commonground doctor"
