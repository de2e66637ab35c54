#!/usr/bin/env bash
# run.sh - install what is missing, build, and start slotdav on
# http://127.0.0.1:8008/ with an embedded SQLite database (var/slotdav.db)
# and demo data: a workshop with staff, services, customers and bookings
# (`slotdav demo`, once). Extra arguments go to `slotdav serve`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLOTDAV_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

mkdir -p var
db=var/slotdav.db
bin=build/server/slotdav
if ! "$bin" --database "$db" user list 2>/dev/null | grep -qx demo; then
	printf 'demo\n' | "$bin" --database "$db" user add demo \
		--displayname "Demo User" --email demo@example.com --password-stdin
fi
"$bin" --database "$db" demo

cat <<TXT

  slotdav is starting on http://127.0.0.1:8008/
  CalDAV URL:  http://127.0.0.1:8008/dav/   (or just the server root)
  user:        demo (admin)     password: demo
  staff:       anna, ben        password: demo   (their "Bookings" calendars)
  customer:    carla            password: demo   ("My appointments")
  JSON API:    curl -u demo:demo http://127.0.0.1:8008/api/v1/bookings

TXT
exec "$bin" --database "$db" serve --listen 127.0.0.1 --port 8008 "$@"
