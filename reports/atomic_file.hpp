// Writing a report so that readers see the old file or the new one, never half of either.
//
// The bytes go to a temporary file in the target's directory (so the rename cannot cross file
// systems), which is flushed and fsync'ed and then renamed over the target; the directory is
// fsync'ed too, so the rename survives a crash. A run stopped with Ctrl-C while writing leaves
// at most a stray "<name>.tmp.<pid>.<n>" beside the old report, never a truncated report.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace wscheck::reports {

/// Replaces `target` with `content`, creating missing parent directories. Returns "" on
/// success, else one sentence saying what failed (the temporary file is removed then).
/// Never throws.
/// `synced`: flushed to disk before the rename, and the directory after it (survives a crash).
/// `unsynced`: still atomic for readers (the rename), without the two fsyncs, which cost
/// milliseconds each: for the hundreds of per-case files of one run, whose index is synced.
enum class durability { synced, unsynced };

[[nodiscard]] std::string write_file_atomically(const std::filesystem::path& target,
                                                std::string_view content,
                                                durability d = durability::synced) noexcept;

/// Reads a whole file into `out`, at most `max_bytes`. Returns "" on success, else one
/// sentence. Never throws.
[[nodiscard]] std::string read_file(const std::filesystem::path& file, std::string& out,
                                    std::size_t max_bytes = std::size_t{1} << 30) noexcept;

} // namespace wscheck::reports
