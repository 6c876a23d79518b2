#include "reports/junit_report.hpp"

#include "reports/atomic_file.hpp"
#include "reports/case_groups.hpp"
#include "reports/encoding.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>

namespace wscheck::reports {

namespace {

using cases::behavior;

enum class xml_context { attribute, text };

/// The length of the UTF-8 sequence `lead` begins (input already valid UTF-8).
std::size_t sequence_length(unsigned char lead) noexcept {
    if (lead < 0x80) {
        return 1;
    }
    if ((lead & 0xE0) == 0xC0) {
        return 2;
    }
    if ((lead & 0xF0) == 0xE0) {
        return 3;
    }
    return 4;
}

std::string escape(std::string_view raw, xml_context where) {
    const std::string s = to_valid_utf8(raw);
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (std::size_t i = 0; i < s.size();) {
        const auto lead = static_cast<unsigned char>(s[i]);
        const std::size_t n = std::min(sequence_length(lead), s.size() - i);
        if (n == 1) {
            switch (lead) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            // An attribute value's tab and newlines become spaces when parsed (XML 1.0 3.3.3)
            // unless written as references; a CR in text would become LF (2.11).
            case '\t': out += where == xml_context::attribute ? "&#9;" : "\t"; break;
            case '\n': out += where == xml_context::attribute ? "&#10;" : "\n"; break;
            case '\r': out += "&#13;"; break;
            default:
                // XML 1.0 2.2 Char: no C0 control but tab, LF and CR, not even as a reference.
                if (lead >= 0x20) {
                    out += static_cast<char>(lead);
                }
                break;
            }
        } else {
            const std::string_view seq{s.data() + i, n};
            // U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML characters either.
            if (!(seq == "\xEF\xBF\xBE" || seq == "\xEF\xBF\xBF")) {
                out += seq;
            }
        }
        i += n;
    }
    return out;
}

std::string attr(std::string_view s) { return escape(s, xml_context::attribute); }
std::string text(std::string_view s) { return escape(s, xml_context::text); }

std::string seconds(std::chrono::milliseconds ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms.count() < 0 ? 0 : ms.count()) / 1000.0);
    return buf;
}

/// The Ant schema's timestamp: "2026-11-25T07:00:00", UTC, no fraction and no zone.
std::string timestamp(std::chrono::system_clock::time_point t) {
    return to_rfc3339(t).substr(0, 19);
}

std::string verdicts(const case_result& c) {
    return std::string{cases::to_string(c.behavior)} + "/" + std::string{cases::to_string(c.close_behavior)};
}

std::string clause(const case_result& c) {
    if (c.rfc_clause.empty()) {
        return "";
    }
    return c.rfc_clause.rfind("RFC", 0) == 0 ? c.rfc_clause : "RFC 6455 " + c.rfc_clause;
}

/// The one-line message of a failing case: the reason of each axis that failed.
std::string failure_message(const case_result& c) {
    std::string message;
    if (cases::is_failure(c.behavior)) {
        message = c.reason;
    }
    if (cases::is_failure(c.close_behavior)) {
        message += (message.empty() ? "" : " Close: ") + c.close_reason;
    }
    return message;
}

/// The body of a failure: the rule, what was expected, and both verdicts with their reasons.
std::string failure_body(const case_result& c) {
    std::string body;
    if (const auto rule = clause(c); !rule.empty()) {
        body += rule + (c.rfc_requirement.empty() ? "" : ": " + c.rfc_requirement) + "\n";
    }
    if (!c.expectation.empty()) {
        body += "Expected: " + c.expectation + "\n";
    }
    body += "Behavior: " + std::string{cases::to_string(c.behavior)} + (c.reason.empty() ? "" : ": " + c.reason) + "\n";
    body += "Close: " + std::string{cases::to_string(c.close_behavior)} +
            (c.close_reason.empty() ? "" : ": " + c.close_reason) + "\n";
    for (const auto& v : c.peer_violations) {
        body += "Peer violation: " + v + "\n";
    }
    return body;
}

struct counts {
    std::size_t tests = 0;
    std::size_t failures = 0;
    std::size_t skipped = 0;
    std::chrono::milliseconds time{};

    void add(const case_result& c) {
        ++tests;
        if (is_failing(c)) {
            ++failures;
        } else if (c.behavior == behavior::unimplemented) {
            ++skipped;
        }
        time += c.duration;
    }
    void add(const counts& o) {
        tests += o.tests;
        failures += o.failures;
        skipped += o.skipped;
        time += o.time;
    }
    std::string attributes() const {
        return " tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
               "\" errors=\"0\" skipped=\"" + std::to_string(skipped) + "\" time=\"" + seconds(time) + "\"";
    }
};

void write_property(std::string& out, std::string_view name, std::string_view value) {
    out += "      <property name=\"" + attr(name) + "\" value=\"" + attr(value) + "\"/>\n";
}

void write_properties(std::string& out, const run_result& run) {
    out += "    <properties>\n";
    write_property(out, "tool", run.tool + " " + run.version);
    write_property(out, "agent", run.agent);
    write_property(out, "target", run.target);
    write_property(out, "started", to_rfc3339(run.started));
    write_property(out, "finished", to_rfc3339(run.finished));
    write_property(out, "interrupted", run.interrupted ? "true" : "false");
    for (std::size_t i = 0; i < run.notes.size(); ++i) {
        write_property(out, "note." + std::to_string(i + 1), run.notes[i]);
    }
    out += "    </properties>\n";
}

void write_case(std::string& out, const case_result& c, const std::string& classname) {
    const std::string name = c.description.empty() ? c.id : c.id + " " + c.description;
    out += "    <testcase name=\"" + attr(name) + "\" classname=\"" + attr(classname) + "\" time=\"" +
           seconds(c.duration) + "\"";
    if (is_failing(c)) {
        out += ">\n      <failure message=\"" + attr(failure_message(c)) + "\" type=\"" + attr(verdicts(c)) +
               "\">" + text(failure_body(c)) + "</failure>\n    </testcase>\n";
    } else if (c.behavior == behavior::unimplemented) {
        out += ">\n      <skipped message=\"" + attr(c.reason) + "\"/>\n    </testcase>\n";
    } else if (c.behavior == behavior::non_strict || c.behavior == behavior::informational) {
        // Passing, but worth a look: the verdict and its reason where CI shows test output.
        out += ">\n      <system-out>" + text(verdicts(c) + ": " + c.reason) + "</system-out>\n    </testcase>\n";
    } else {
        out += "/>\n";
    }
}

std::string agent_name(const run_result& run) {
    return run.agent.empty() ? run.target : run.agent;
}

} // namespace

std::string xml_escape(std::string_view s) { return attr(s); }

std::string render_junit_report(std::span<const run_result> runs) {
    std::string suites;
    counts all;
    for (const auto& run : runs) {
        const std::string agent = agent_name(run);
        const auto groups = group_by_section(run);
        if (groups.empty()) {
            // No case ran (an interrupted run): the agent and its notes still show.
            suites += "  <testsuite name=\"" + attr(agent) + "\"" + counts{}.attributes() + " timestamp=\"" +
                      timestamp(run.started) + "\">\n";
            write_properties(suites, run);
            suites += "  </testsuite>\n";
            continue;
        }
        for (std::size_t g = 0; g < groups.size(); ++g) {
            const auto& group = groups[g];
            counts suite;
            auto started = run.cases[group.indices.front()].started;
            for (const auto i : group.indices) {
                suite.add(run.cases[i]);
                started = std::min(started, run.cases[i].started);
            }
            all.add(suite);
            if (started == std::chrono::system_clock::time_point{}) {
                started = run.started;
            }
            const std::string title = group.title.empty() ? group.number : group.number + " " + group.title;
            suites += "  <testsuite name=\"" + attr(agent + ": " + title) + "\"" + suite.attributes() +
                      " timestamp=\"" + timestamp(started) + "\">\n";
            if (g == 0) {
                write_properties(suites, run);
            }
            const std::string classname = agent + "." + group.number;
            for (const auto i : group.indices) {
                write_case(suites, run.cases[i], classname);
            }
            suites += "  </testsuite>\n";
        }
    }
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"wscheck\"" + all.attributes() + ">\n" +
           suites + "</testsuites>\n";
}

std::string write_junit_report(const std::filesystem::path& file, std::span<const run_result> runs) noexcept {
    std::string document;
    try {
        document = render_junit_report(runs);
    } catch (const std::exception& e) {
        return "Cannot build the JUnit report: " + std::string{e.what()} + ".";
    }
    return write_file_atomically(file, document);
}

} // namespace wscheck::reports
