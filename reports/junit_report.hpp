// The run results as JUnit XML, the test report format CI systems read (Jenkins, GitLab,
// GitHub test-report actions, Azure Pipelines), in the Ant/Jenkins layout that
// tests/reports/junit.xsd describes:
//
//   <testsuites name="wscheck" tests failures errors skipped time>
//     <testsuite name="<agent>: 6.4 Fail-fast on invalid UTF-8" tests failures errors skipped
//                time timestamp>             one per agent and section, in run order
//       <properties>                        the first suite of an agent carries its run facts
//       <testcase name="6.4.1 <description>" classname="<agent>.6.4" time="seconds">
//         <failure message="reason" type="FAILED/OK">RFC clause, requirement, both verdicts
//                                              with their reasons</failure>
//         <skipped message="reason"/>       UNIMPLEMENTED (the peer declined a feature)
//         <system-out>                      NON-STRICT and INFORMATIONAL: the verdict and why
//
// A case fails when cases::is_failure() holds on either verdict axis, the same rule as the
// exit status and the JSON report. Errors are always 0: every verdict is about the peer, none
// is a fault of the tester. Times are the cases' own durations, so a suite's time is the sum of
// its cases' (cases may run in parallel). `timestamp` is UTC without a zone designator, as the
// Ant schema's pattern requires.
//
// The document is always well-formed XML 1.0 whatever the peer sent: text is made valid UTF-8,
// characters XML 1.0 forbids (C0 controls but tab, LF and CR; U+FFFE, U+FFFF) are dropped, and
// & < > " ' are escaped everywhere.
#pragma once

#include "reports/result.hpp"

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace wscheck::reports {

/// `s` as XML 1.0 character data or attribute value: valid UTF-8 (invalid bytes become
/// U+FFFD), forbidden characters dropped, & < > " ' escaped; tab, LF and CR are written as
/// character references so that attribute-value normalization keeps them.
std::string xml_escape(std::string_view s);

/// The JUnit XML document for `runs`.
std::string render_junit_report(std::span<const run_result> runs);

/// Writes render_junit_report() to `file` atomically. Returns "" on success, else one
/// sentence. Never throws.
[[nodiscard]] std::string write_junit_report(const std::filesystem::path& file,
                                             std::span<const run_result> runs) noexcept;

} // namespace wscheck::reports
