#!/usr/bin/env bash
# A CI recipe for projects that build a WebSocket server: start it, run wscheck against it,
# write every report, and fail on regressions against a committed baseline. Works in any CI
# (the GitHub Actions template ci/workflows/wscheck_server.yml calls it).
#
#   ci/check-server.sh --start 'CMD' --url ws://127.0.0.1:PORT/ [options]
#     --start CMD        how to start your server (run in the background, killed at the end)
#     --url URL          where it listens; wscheck waits up to --wait seconds for the port
#     --agent NAME       the name results are filed under (default: my-server)
#     --out DIR          reports: JSON, Autobahn index.json, index.html (default: wscheck-report)
#     --previous FILE    a committed <agent>.wscheck.json: only regressions against it fail
#                        the job (without it, any failing case does)
#     --baseline FILE    with --previous: failures accepted for now, each with a reason
#     --wscheck PATH     the wscheck binary (default: build it here with ci/build.sh)
#     --wait SECONDS     how long the server may take to listen (default 30)
#     -- ARGS...         passed to `wscheck test` (e.g. --cases '1.*' --exclude '9.*')
# Writes OUT/junit.xml and OUT/summary.md (appended to $GITHUB_STEP_SUMMARY when set).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
start="" url="" agent="my-server" out="wscheck-report" baseline="" previous="" wscheck="" wait_s=30
extra=()
while (($#)); do
    case "$1" in
        --start) start="$2"; shift 2 ;;
        --url) url="$2"; shift 2 ;;
        --agent) agent="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --baseline) baseline="$2"; shift 2 ;;
        --previous) previous="$2"; shift 2 ;;
        --wscheck) wscheck="$2"; shift 2 ;;
        --wait) wait_s="$2"; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        *) echo "check-server.sh: unknown argument '$1' (see the comment at the top)" >&2; exit 2 ;;
    esac
done
[ -n "$start" ] && [ -n "$url" ] || { echo "check-server.sh: --start and --url are required" >&2; exit 2; }

if [ -z "$wscheck" ]; then
    bash "$root/ci/install.sh"
    bash "$root/ci/build.sh" release --target wscheck
    wscheck="$root/build/harness/cli/wscheck"
fi

# Start the server in its own process group, so that the whole group is stopped at the end.
setsid bash -c "$start" &
server_pid=$!
trap 'kill -TERM -- "-$server_pid" 2>/dev/null || true' EXIT

hostport="${url#*://}"; hostport="${hostport%%/*}"
host="${hostport%:*}"; port="${hostport##*:}"; host="${host#[}"; host="${host%]}"
for ((i = 0; i < wait_s * 10; i++)); do
    if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then break; fi
    kill -0 "$server_pid" 2>/dev/null || { echo "check-server.sh: the server exited before listening" >&2; exit 2; }
    sleep 0.1
done

status=0
"$wscheck" test "$url" --agent "$agent" --out "$out" --junit "$out/junit.xml" \
    --markdown "$out/summary.md" "${extra[@]}" || status=$?
[ -n "${GITHUB_STEP_SUMMARY:-}" ] && cat "$out/summary.md" >> "$GITHUB_STEP_SUMMARY"
if ((status == 2)); then
    exit 2 # wscheck could not run: its message says why
fi

# Gate: with a committed previous report, only regressions against it fail the job (minus
# the accepted failures of the baseline); without one, any failing case does.
if [ -n "$previous" ]; then
    report="$out/$(printf '%s' "$agent" | tr -c 'A-Za-z0-9._-' '_').wscheck.json"
    args=("$previous" "$report" --markdown "$out/changes.md")
    [ -n "$baseline" ] && args+=(--baseline "$baseline")
    status=0
    "$wscheck" compare "${args[@]}" || status=$?
fi
exit "$status" # the EXIT trap stops the server
