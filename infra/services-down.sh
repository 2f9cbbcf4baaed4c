#!/usr/bin/env bash
# Stops only what services-up.sh started (pid files under .cache/); leaves other services alone.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache="$root/.cache"
stop_pid() {
  local name=$1 pidfile=$2
  [ -f "$pidfile" ] || { echo "[services:down] $name: not started by us, leaving it"; return; }
  local pid; pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"; for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    echo "[services:down] $name: stopped (pid $pid)"
  else echo "[services:down] $name: was not running"; fi
  rm -f "$pidfile"
}
stop_pid kafka "$cache/kafka/broker.pid"
[ -f "$cache/redis/owned" ] && { stop_pid redis "$cache/redis/redis.pid"; rm -f "$cache/redis/owned"; } || echo "[services:down] redis: not started by us, leaving it"
