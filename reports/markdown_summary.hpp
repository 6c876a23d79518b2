// The run results as GitHub-flavoured Markdown, for a CI job's summary page (GitHub Actions'
// $GITHUB_STEP_SUMMARY, GitLab and Gitea render the same): per agent, a header line with the
// verdict counts, one table with a row per section and a total row, and the failing cases with
// their reasons, capped so that a catalog of failures stays far below GitHub's 1 MiB limit.
//
//   ## wscheck results
//   ### ❌ `my-server`: 3 of 250 cases failing
//   240 OK · 2 NON-STRICT · 5 INFORMATIONAL · 0 UNIMPLEMENTED · 3 FAILED · close: 1 WRONG CODE · ...
//   | Section | Cases | OK | NON-STRICT | INFORMATIONAL | UNIMPLEMENTED | FAILED | Close failed |
//   ...
//   | Case | Verdict | Reason |
//
// A case is failing when cases::is_failure() holds on either axis, as for the exit status.
// The summary links to nothing: what a peer sent (reasons, agent names, URLs) is shown in code
// spans, where Markdown makes no links, HTML or emphasis, and every other text from a report
// is escaped.
#pragma once

#include "reports/result.hpp"

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace wscheck::reports {

struct markdown_options {
    std::size_t max_listed = 50;        ///< failing cases listed per agent; the rest are counted
    std::size_t max_reason_chars = 200; ///< a longer reason is cut with "..."
};

/// `s` as a Markdown code span: one line, valid UTF-8, fenced with more backticks than it
/// contains; `in_table`: '|' escaped, as a table cell needs (and elsewhere would show).
std::string markdown_code(std::string_view s, bool in_table = true);

/// `s` as Markdown text: one line, ASCII punctuation backslash-escaped (no emphasis, links or
/// HTML).
std::string markdown_text(std::string_view s);

/// The summary for `runs`.
std::string render_markdown_summary(std::span<const run_result> runs, const markdown_options& options = {});

/// Writes render_markdown_summary() to `file` atomically. Returns "" on success, else one
/// sentence. Never throws.
[[nodiscard]] std::string write_markdown_summary(const std::filesystem::path& file,
                                                 std::span<const run_result> runs,
                                                 const markdown_options& options = {}) noexcept;

} // namespace wscheck::reports
