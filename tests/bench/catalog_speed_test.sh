#!/usr/bin/env bash
# bench/catalog_speed.py end to end on a tiny selection against the embedded target: the
# benchmark starts `wscheck serve`, runs one group, reads the report and writes its JSON, so a
# change to wscheck's options, output or report schema that breaks it fails here, not the next
# time someone measures.
#   catalog_speed_test.sh WSCHECK SOURCE_DIR WORK_DIR
set -euo pipefail
wscheck="$1"
src="$2"
work="$3"
rm -rf "$work"
mkdir -p "$work"
/usr/bin/python3 "$src/bench/catalog_speed.py" --wscheck "$wscheck" --targets embedded \
    --cases '1.1.1-1.1.3,2.1' --group-timeout 60 --json "$work/speed.json" >"$work/table.md"
grep -q '^| custom | 4 |' "$work/table.md" || { echo "no row for the custom group:"; cat "$work/table.md"; exit 1; }
/usr/bin/python3 - "$work/speed.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["complete"], "the run is not marked complete"
groups = d["targets"]["embedded"]["groups"]
assert [g["group"] for g in groups] == ["custom"], groups
g = groups[0]
assert g["exit_status"] == 0 and not g["timed_out"] and not g["server_died"], g
assert g["report"]["cases"] == 4 and g["report"]["behavior"].get("OK") == 4, g["report"]
assert g["wall_s"] > 0 and g["wscheck_cpu_s"] >= 0 and g["server_cpu_s"] >= 0, g
print("catalog_speed: 4 cases OK,", g["wall_s"], "s")
PY
