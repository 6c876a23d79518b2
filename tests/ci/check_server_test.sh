#!/usr/bin/env bash
# ci/check-server.sh as a user's CI runs it, with `wscheck serve` as "their" server:
# a first run passes and writes every report; a run compared with a previous report of a
# server that answered differently fails with the regressions; the server is always stopped.
#   tests/ci/check_server_test.sh WSCHECK_BINARY SOURCE_DIR
set -euo pipefail
wscheck="$1"
src="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
port=$((20000 + $$ % 20000))
recipe=(bash "$src/ci/check-server.sh" --wscheck "$wscheck" --url "ws://127.0.0.1:$port/" --agent demo)

"${recipe[@]}" --start "exec '$wscheck' serve --port $port" --out "$work/a" -- -q -c '1.1,2.1-2.4' >"$work/a.log" 2>&1 ||
    { echo "first run failed:"; cat "$work/a.log"; exit 1; }
for f in demo.wscheck.json index.json index.html junit.xml summary.md; do
    [ -s "$work/a/$f" ] || { echo "missing $f"; exit 1; }
done

# The same server again, compared with the first run: no change, exit 0.
"${recipe[@]}" --start "exec '$wscheck' serve --port $port" --out "$work/b" --previous "$work/a/demo.wscheck.json" \
    -- -q -c '1.1,2.1-2.4' >"$work/b.log" 2>&1 || { echo "unchanged run failed:"; cat "$work/b.log"; exit 1; }
grep -q "0 regressions" "$work/b.log" || { echo "no '0 regressions' line:"; cat "$work/b.log"; exit 1; }

# A server with a 1-byte message limit fails the larger echoes: regressions, exit 1.
set +e
"${recipe[@]}" --start "exec '$wscheck' serve --port $port --max-message-size 1" --out "$work/c" \
    --previous "$work/a/demo.wscheck.json" -- -q -c '1.1,2.1-2.4' >"$work/c.log" 2>&1
status=$?
set -e
[ "$status" -eq 1 ] || { echo "expected exit 1 on regressions, got $status:"; cat "$work/c.log"; exit 1; }
grep -q "REGRESSION" "$work/c.log" || { echo "no REGRESSION line:"; cat "$work/c.log"; exit 1; }
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "the server was left running"; exit 1; fi
echo "check-server recipe: 3 runs as expected"
