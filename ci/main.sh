#!/usr/bin/env bash
# The main job: installs what is missing, builds the `wscheck` executable (only it and the
# libraries it links: the tests are ci/test.sh's), and runs the whole case catalog against the
# embedded reference server with permessage-deflate on (so sections 12, 13 and 22 run; about
# 3 minutes on 2 cores after the build), writing the reports to reports-out/ (or the
# directory given).
#   ci/main.sh [OUT_DIR] [extra wscheck test arguments...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/reports-out}"
shift || true

bash "$root/ci/install.sh"
bash "$root/ci/build.sh" release --target wscheck
exec "$root/build/harness/cli/wscheck" test --deflate --out "$out" "$@"
