#!/usr/bin/env bash
# Install (or remove) the Portrait Kiosk systemd service for this checkout.
#
#   sudo deploy/install-service.sh              install, enable and start (safe to run again)
#   deploy/install-service.sh --dry-run         print what it would do, change nothing
#   sudo deploy/install-service.sh --uninstall  stop, disable and remove the unit
#
# Options: --user NAME (default kiosk; created as a system user if missing),
#          --config PATH (default: config.yaml in this checkout).
set -euo pipefail

UNIT_NAME=portrait-kiosk.service
UNIT_DIR=/etc/systemd/system
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
TEMPLATE="$REPO/deploy/$UNIT_NAME"
KIOSK_USER=kiosk
CONFIG="$REPO/config.yaml"
DRY_RUN=0
ACTION=install
TMP_UNIT=""

usage() { sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "install-service: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --dry-run) DRY_RUN=1 ;;
        --uninstall) ACTION=uninstall ;;
        --user) [[ $# -ge 2 ]] || die "--user needs a name"; KIOSK_USER="$2"; shift ;;
        --config) [[ $# -ge 2 ]] || die "--config needs a path"; CONFIG="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
done

# Every change goes through run: printed in a dry run, executed otherwise.
run() {
    if [[ $DRY_RUN -eq 1 ]]; then
        echo "+ $*"
    else
        "$@"
    fi
}

need_root() {
    [[ $DRY_RUN -eq 1 || $EUID -eq 0 ]] || die "needs root: run it with sudo (or add --dry-run)"
    command -v systemctl >/dev/null || [[ $DRY_RUN -eq 1 ]] || die "systemctl not found: this machine does not run systemd"
}

render_unit() {
    local groups=""
    for g in video render input; do
        getent group "$g" >/dev/null && groups="$groups $g"
    done
    local group="$KIOSK_USER"
    if id -u "$KIOSK_USER" >/dev/null 2>&1; then
        group="$(id -gn "$KIOSK_USER")"
    fi
    sed -e "s|@REPO@|$REPO|g" -e "s|@CONFIG@|$CONFIG|g" -e "s|@USER@|$KIOSK_USER|g" \
        -e "s|@GROUP@|$group|g" -e "s|@GROUPS@|${groups# }|g" "$TEMPLATE"
}

install_service() {
    [[ -x "$REPO/.venv/bin/kiosk" ]] || [[ $DRY_RUN -eq 1 ]] \
        || die "$REPO/.venv/bin/kiosk not found: install the kiosk first (README, command 1)"
    [[ "$CONFIG" = /* ]] || CONFIG="$(pwd -P)/$CONFIG"
    [[ -f "$CONFIG" ]] || echo "note: $CONFIG does not exist yet; the kiosk will use defaults" >&2
    if ! id -u "$KIOSK_USER" >/dev/null 2>&1; then
        run useradd --system --user-group --home-dir /var/lib/portrait-kiosk --create-home \
            --shell /usr/sbin/nologin "$KIOSK_USER"
    fi
    # Folders the kiosk writes: logs and status (var/), rig cache, the copied sample images.
    for dir in var var/log cache content/samples; do
        run install -d -m 0755 "$REPO/$dir"
        run chown -R "$KIOSK_USER:" "$REPO/$dir"
    done
    local unit_path="$UNIT_DIR/$UNIT_NAME" tmp
    tmp="$(mktemp)"
    TMP_UNIT="$tmp"
    trap 'rm -f "$TMP_UNIT"' EXIT
    render_unit >"$tmp"
    if [[ $DRY_RUN -eq 1 ]]; then
        echo "would write $unit_path:"
        sed 's/^/    /' "$tmp"
    fi
    local changed=1 was_active=0
    cmp -s "$tmp" "$unit_path" 2>/dev/null && changed=0
    [[ $DRY_RUN -eq 0 ]] && systemctl is-active --quiet "$UNIT_NAME" && was_active=1
    if [[ $changed -eq 1 ]]; then
        run install -m 0644 "$tmp" "$unit_path"
        run systemctl daemon-reload
    fi
    run systemctl enable --now "$UNIT_NAME"
    if [[ $changed -eq 1 && $was_active -eq 1 ]]; then
        run systemctl restart "$UNIT_NAME"  # it was running the old unit
    fi
    [[ $DRY_RUN -eq 1 ]] && return
    echo "installed. Check: systemctl status portrait-kiosk; logs: journalctl -u portrait-kiosk" \
         "and $REPO/var/log/; metrics: http://127.0.0.1:9108/metrics (default port)"
}

uninstall_service() {
    local unit_path="$UNIT_DIR/$UNIT_NAME"
    if [[ $DRY_RUN -eq 1 || -e "$unit_path" ]]; then
        run systemctl disable --now "$UNIT_NAME"
        run rm -f "$unit_path"
        run systemctl daemon-reload
    else
        echo "not installed ($unit_path does not exist); nothing to do"
    fi
    echo "the user '$KIOSK_USER', logs and caches are kept"
}

[[ -f "$TEMPLATE" ]] || die "$TEMPLATE is missing"
[[ "$REPO$CONFIG" != *[[:space:]]* ]] || die "paths with spaces are not supported; move the checkout (e.g. to /opt/portrait-kiosk)"
need_root
if [[ $DRY_RUN -eq 1 ]]; then
    echo "dry run: nothing is changed"
fi
if [[ $ACTION == install ]]; then install_service; else uninstall_service; fi
