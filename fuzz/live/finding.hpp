// What the live fuzzer found, and the replayable file each finding is saved as.
//
// Classification (a false alarm is the worst bug a verdict can have, so each kind is defined
// by what no conformant server does, never by how it treats the input itself: a server may
// refuse, fail or drop a connection after any protocol violation):
//   crash       after the input, a fresh connection is refused, or (with --exec) the server
//               process has exited
//   hang        after the input, a fresh connection is accepted by TCP but the liveness check
//               (handshake + echo) gets no answer, twice, the second time with twice the time;
//               or, over plain TCP, the input's own connection is not closed by the server
//               within --close-timeout of our FIN (7.1.5: the TCP connection is closed), and
//               the same happens again when the input is sent once more
//   disconnect  after the input, the liveness check on a fresh, valid connection is answered
//               wrongly (closed, reset, refused with a status, a bad echo), twice: the server
//               is up but no longer serves anyone
//
// File format (JSON, `wscheck-fuzz-finding` version 1):
//   {"format": "wscheck-fuzz-finding", "format_version": 1, "wscheck_version": "0.1.0",
//    "kind": "crash", "detail": "...", "seed": 42, "input_index": 17, "strategy": "frames",
//    "url_path": "/", "host": "127.0.0.1:9001",
//    "writes": [{"pause_ms": 0, "hex": "474554..."}, ...],
//    "shrunk": true, "original": {"writes": 4, "bytes": 310}, "reproduced": true,
//    "signature": "crash | the server process exited with status 3 | request cont+rsv2",
//    "failure": "the server process exited with status 3", "input_shape": "request cont+rsv2",
//    "occurrences": 2, "occurrence_inputs": [17, 230]}
// The writes are sent as they are on replay, Host field included. The last five fields came
// later (same format_version): a file without them reads as one occurrence, after its input.
//
// Signature: what identifies the bug as the user sees it, so that the same bug found again is
// counted on its finding instead of being saved twice: the kind, how the target failed (the
// process's exit status or signal, or which step of the liveness check went wrong, without
// timeouts), and the reproducer's shape (framed_input.hpp: input_shape; the frames' opcodes
// and flags, not their random bytes), which tells bugs apart once shrinking has taken away
// what does not matter.
#pragma once

#include "fuzz/live/fuzz_input.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wscheck::fuzz {

enum class finding_kind { crash, hang, disconnect };

std::string_view to_string(finding_kind k) noexcept;
std::optional<finding_kind> finding_kind_from(std::string_view s) noexcept;

struct finding {
    finding_kind kind = finding_kind::crash;
    std::string detail;          ///< what was observed, one sentence
    std::uint64_t seed = 0;
    fuzz_input input;            ///< the reproducer: shrunk when `shrunk`
    std::string url_path = "/";
    std::string host;
    /// Found by `wscheck fuzz --deflate`: the probe offers permessage-deflate when the finding
    /// is replayed too (a file without the field was found without it).
    bool deflate = false;
    bool shrunk = false;
    std::size_t original_writes = 0;
    std::size_t original_bytes = 0;
    /// Sent again on a healthy target, it caused the same kind of finding (false when it could
    /// not be checked: no --exec to restart a crashed or hung server).
    bool reproduced = false;
    std::filesystem::path file;  ///< where it was saved ("" until then)
    std::string failure;         ///< how the target failed (engine.hpp: trial_result::failure)
    std::string input_shape;     ///< the reproducer's shape (framed_input.hpp: input_shape)
    std::uint64_t occurrences = 1;                ///< times the run found this bug
    std::vector<std::uint64_t> occurrence_inputs; ///< the inputs that caused it, in the order found

    /// "<kind> | <failure> | <input shape>".
    std::string signature() const;
};

/// The finding as the JSON text of its file.
std::string finding_to_json(const finding& f);
/// Parses a finding file's text; nullopt with `error` set to one sentence when it is not one.
std::optional<finding> finding_from_json(std::string_view text, std::string& error);

/// Saves `f` atomically as DIR/<kind>-<seed>-<index>.json and returns the path; "" with
/// `error` set when it cannot be written.
std::filesystem::path save_finding(const finding& f, const std::filesystem::path& dir, std::string& error);

} // namespace wscheck::fuzz
