#!/usr/bin/env bash
# Install what Damrongdham Chat needs on a Debian machine (run as root). Idempotent and quick
# when everything is already there.  Usage: bash scripts/setup.sh [run|test|docs|bench]
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-run}"

need_apt=()
apt_pkgs=(prosody lua-dbi-sqlite3 lua-dbi-postgresql python3-venv)
command -v npm >/dev/null 2>&1 || apt_pkgs+=(nodejs npm)
# Browser tests drive Debian's Chromium headless (Playwright with executablePath); Thai fonts
# so that screenshots show Thai text.
[ "$profile" = test ] && apt_pkgs+=(chromium fonts-thai-tlwg)
# damrongdham bench: wrk for the web figures, strace for --profile.
[ "$profile" = bench ] && apt_pkgs+=(wrk strace)
# Screenshots of the real apps for the manuals: Gajim under Xvfb, driven by xdotool.
[ "$profile" = docs ] && apt_pkgs+=(chromium fonts-thai-tlwg fonts-noto-color-emoji xvfb gajim
                                   xdotool xclip imagemagick sqlite3)
for pkg in "${apt_pkgs[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ "${#need_apt[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: need root to install ${need_apt[*]} (apt-get)" >&2
        exit 1
    fi
    echo "setup: apt-get install ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# Debian starts its own Prosody on the standard ports; our stack runs its own instead.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prosody 2>/dev/null; then
    echo "setup: stopping and disabling Debian's system Prosody service (our stack runs its own)"
    systemctl disable --now prosody >/dev/null 2>&1 || true
elif [ -f /run/prosody/prosody.pid ] && kill -0 "$(cat /run/prosody/prosody.pid)" 2>/dev/null; then
    echo "setup: stopping Debian's system Prosody service (our stack runs its own)"
    service prosody stop >/dev/null 2>&1 || kill "$(cat /run/prosody/prosody.pid)" || true
fi

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv with $($python --version)"
    "$python" -m venv .venv
fi
extras="."
[ "$profile" = test ] && extras=".[test]"
[ "$profile" = docs ] && extras=".[test,docs]"
[ "$profile" = bench ] && extras=".[test,bench]"
stamp=".venv/.installed-$profile-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "setup: pip install -e '$extras'"
    .venv/bin/pip install -q --disable-pip-version-check --upgrade pip >/dev/null
    .venv/bin/pip install -q --disable-pip-version-check -e "$extras"
    rm -f .venv/.installed-"$profile"-*
    touch "$stamp"
fi

# The web chat's JavaScript libraries (npm registry at install time; served from disk at run
# time, never from a CDN).
if [ -f web/package.json ]; then
    npm_stamp="web/node_modules/.installed-$(sha256sum web/package-lock.json 2>/dev/null | cut -c1-16)"
    if [ ! -f "$npm_stamp" ]; then
        echo "setup: npm ci in web/"
        (cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
        touch "$npm_stamp"
    fi
fi
