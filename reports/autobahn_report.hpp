// Reports in the layout of the Autobahn Testsuite's fuzzingclient/fuzzingserver, so that tools
// written for its output (CI scripts that grep index.json, dashboards) read wscheck's as well.
//
// OUTDIR/index.json maps agent -> case id -> {behavior, behaviorClose, duration,
// remoteCloseCode, reportfile}; each (agent, case) also gets OUTDIR/<reportfile>, named as
// Autobahn's makeAgentCaseReportFilename() does: cleanForFilename(agent) + "_case_" + the case
// id with '.' replaced by '_' + ".json". Both are written with sorted keys, 3-space indent and
// ASCII-only escapes, as Autobahn's json.dumps(sort_keys=True, indent=3) writes them.
//
// The per-case file carries Autobahn's keys, filled from our result. Where our model differs:
//   case          the 1-based position of the case in its run (Autobahn: in its whole catalog)
//   failedByMe    we dropped TCP (Autobahn's killAfter failing the connection)
//   received, expected
//                 events as ["message", data, isBinary], ["ping", data], ["pong", data],
//                 ["timeout", label]; data is the text when printable UTF-8, else "0x" + hex,
//                 cut to 64 bytes with " ..." as Autobahn's asciiLogData does
//   expected      {verdict: trace}; a second trace with a verdict already listed is filed
//                 under "<verdict> (2)", "(3)", ... as a JSON object cannot repeat a key
//   wirelog       ["TO"|"RO", [size, hex]] for raw bytes and ["TF"|"RF", [length, data], opcode,
//                 fin, rsv, ...] for frames, in time order (no octet/frame statistics:
//                 createStats is false)
// Left out, as our results do not record them: wasServerConnectionDropTimeout,
// wasOpenHandshakeTimeout, wasCloseHandshakeTimeout and the rx/tx octet and frame statistics.
#pragma once

#include "reports/result.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace wscheck::reports {

struct autobahn_options {
    /// Autobahn's isServer: true when wscheck served the cases to a client under test.
    bool tester_is_server = false;
};

/// Autobahn's cleanForFilename(): lower-cased, every code point but [a-z0-9] made a space,
/// trimmed, spaces made '_' ("AutobahnPython/0.6.0" -> "autobahnpython_0_6_0").
std::string autobahn_clean_for_filename(std::string_view s);

/// The per-case file name, "<clean agent>_case_<id with '_' for '.'>.json".
std::string autobahn_case_filename(std::string_view agent, std::string_view case_id);

/// The per-case report of run.cases[index] (Autobahn's case result dictionary).
nlohmann::json autobahn_case_json(const run_result& run, std::size_t index,
                                  const autobahn_options& options = {});

/// index.json for every case of every run; runs with the same agent share its object.
nlohmann::json autobahn_index_json(std::span<const run_result> runs);

/// Writes every per-case file and then index.json to `outdir` (created if missing), each one
/// atomically. Returns "" on success, else one sentence. Never throws.
[[nodiscard]] std::string write_autobahn_report(const std::filesystem::path& outdir,
                                                std::span<const run_result> runs,
                                                const autobahn_options& options = {}) noexcept;

} // namespace wscheck::reports
