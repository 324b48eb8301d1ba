#!/usr/bin/env bash
# Runs the socket examples as separate processes on loopback:
#   echo_server + echo_client (4 connections x 50 messages), and
#   http_hello + curl (3 requests on one kept-alive connection), when curl
#   is installed.
# Usage: net_programs.sh ECHO_SERVER ECHO_CLIENT HTTP_HELLO
set -euo pipefail
server=${1:?usage: net_programs.sh ECHO_SERVER ECHO_CLIENT HTTP_HELLO}
client=${2:?}
http=${3:?}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# Waits until FILE has a line starting with PREFIX; prints the rest of it.
wait_for_line() {
  local file=$1 prefix=$2
  for _ in $(seq 200); do
    local rest
    rest=$(sed -n "s|^$prefix||p" "$file")
    if [ -n "$rest" ]; then echo "$rest"; return 0; fi
    sleep 0.05
  done
  echo "no '$prefix' line from the server" >&2
  return 1
}

"$server" 127.0.0.1:0 --max 4 >"$tmp/echo.out" &
pids+=($!)
addr=$(wait_for_line "$tmp/echo.out" "listening on ")
"$client" "$addr" --connections 4 --messages 50
wait "${pids[0]}"
grep -q "served 4 connections" "$tmp/echo.out"
echo "echo_server + echo_client: ok"

if ! command -v curl >/dev/null; then
  echo "curl is not installed: http_hello not checked (scripts/dev deps --ci installs it)"
  exit 0
fi
"$http" 127.0.0.1:0 --requests 3 >"$tmp/http.out" &
pids+=($!)
url=$(wait_for_line "$tmp/http.out" "serving ")
curl -sv --max-time 20 "$url" "$url" "$url" >"$tmp/curl.out" 2>"$tmp/curl.err"
n=$(grep -c "Hello, world!" "$tmp/curl.out" || true)
if [ "$n" != 3 ]; then
  echo "curl got $n responses, expected 3:"; cat "$tmp/curl.out" "$tmp/curl.err"; exit 1
fi
if ! grep -qi "re-using existing connection" "$tmp/curl.err"; then
  echo "curl did not reuse the connection (no keep-alive?):"; cat "$tmp/curl.err"; exit 1
fi
wait "${pids[1]}"
echo "http_hello + curl: ok (3 responses, one connection)"
