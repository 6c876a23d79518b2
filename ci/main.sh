#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the whole case catalog against the
# embedded reference server with permessage-deflate on (so sections 12, 13 and 22 run: about
# 7.5 minutes on two busy cores, most of it their 216,000 compressed echoes), writing the
# reports to reports-out/ (or the directory given).
#   ci/main.sh [OUT_DIR] [extra wscheck test arguments...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/reports-out}"
shift || true

bash "$root/ci/install.sh"
bash "$root/ci/build.sh" release
exec "$root/build/harness/cli/wscheck" test --deflate --out "$out" "$@"
