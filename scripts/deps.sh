#!/usr/bin/env bash
# deps.sh - install what slotdav needs on Debian 12, if it is missing.
#   deps.sh          build and run dependencies
#   deps.sh --test   also what the test suite drives (real clients)
# Idempotent: only calls apt-get when a package is not installed yet.
set -euo pipefail

pkgs=(build-essential cmake pkg-config tzdata ca-certificates
      libmicrohttpd-dev libxml2-dev libical-dev libsqlite3-dev libinih-dev
      libargon2-dev libssl-dev libjansson-dev libcurl4-openssl-dev zlib1g-dev)
if [[ "${1:-}" == "--test" ]]; then
	pkgs+=(libcmocka-dev clang-format python3 python3-caldav vdirsyncer litmus curl sqlite3
	      chromium chromium-driver python3-selenium python3-aiosmtpd python3-icalendar)
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	SUDO=""
	[[ $(id -u) -eq 0 ]] || SUDO="sudo"
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
