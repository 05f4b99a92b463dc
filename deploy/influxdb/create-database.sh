#!/bin/sh
# Creates InfluxDB 1.x database `fieldgate` with its default retention policy `raw_400d` (400 days, 7-day shards).
# Safe to run again: an existing database with that policy is left as it is.
#   /usr/share/fieldgate/influxdb/create-database.sh [--wait SECONDS] [URL]    URL defaults to http://127.0.0.1:8086
# --wait: give a just-started InfluxDB that long to answer (the postinst restarts it right before).
# With authentication on, set INFLUX_USERNAME and INFLUX_PASSWORD (an admin). Exit 0 done, 1 refused, 69 not reachable.
set -eu
wait_s=0
if [ "${1:-}" = "--wait" ]; then
  wait_s="${2:?--wait needs a number of seconds}"
  shift 2
fi
url="${1:-http://127.0.0.1:8086}"
db="${FIELDGATE_INFLUX_DATABASE:-fieldgate}"

command -v curl >/dev/null 2>&1 || { echo "create-database: curl is needed (apt-get install curl)" >&2; exit 69; }

waited=0
until curl -fsS -o /dev/null --max-time 5 "$url/ping" 2>/dev/null; do
  if [ "$waited" -ge "$wait_s" ]; then
    echo "create-database: no InfluxDB answers at $url/ping; start it and run this again" >&2
    exit 69
  fi
  sleep 1
  waited=$((waited + 1))
done

query() {
  # Credentials go to curl on stdin (-K -), never on its command line where ps would show them.
  if [ -n "${INFLUX_USERNAME:-}" ]; then
    printf 'user = "%s:%s"\n' "$INFLUX_USERNAME" "${INFLUX_PASSWORD:-}" \
      | curl -sS --max-time 30 -K - -XPOST "$url/query" --data-urlencode "q=$1"
  else
    curl -sS --max-time 30 -XPOST "$url/query" --data-urlencode "q=$1"
  fi
}

# The response is JSON; InfluxDB reports a refused statement as "error" inside HTTP 200.
out=$(query "CREATE DATABASE \"$db\" WITH DURATION 400d REPLICATION 1 SHARD DURATION 7d NAME \"raw_400d\"")
case "$out" in
  *'"error"'*)
    echo "create-database: InfluxDB refused database $db: $out" >&2
    exit 1
    ;;
esac
echo "create-database: database $db with default retention policy raw_400d (400 days) at $url"
