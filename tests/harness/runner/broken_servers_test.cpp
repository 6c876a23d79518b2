// The runner and judge against broken servers: the reference server behind a fault_proxy that
// breaks one rule each (tests/support/faults.hpp). For each fault, the cases that exist for
// that rule must fail, and no other case may: a failure elsewhere is a false alarm of the
// judge, a miss is a violation it lets through. A control run through a faithful proxy shows
// the proxy itself changes nothing.
//
// Each fault runs only the sections it concerns (and a few it must leave alone), so the whole
// file stays well under a minute. Serial cases (timed ones: 9's large messages, and any later
// section that measures time) run only where a fault is about them.
#include "cases/builders.hpp"
#include "cases/catalog.hpp"
#include "cases/selection.hpp"
#include "cases/verdict.hpp"
#include "harness/net/stream.hpp"
#include "harness/net/url.hpp"
#include "harness/runner/test_run.hpp"
#include "harness/server/reference_server.hpp"
#include "tests/support/fault_proxy.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace wscheck;
using std::chrono::milliseconds;
using test_support::fault;

bool failed(const reports::case_result& r) {
    return cases::is_failure(r.behavior) || cases::is_failure(r.close_behavior);
}

std::string verdict_line(const reports::case_result& r) {
    return r.id + " " + std::string{cases::to_string(r.behavior)} + "/" +
           std::string{cases::to_string(r.close_behavior)} + ": " + r.reason + " | " + r.close_reason;
}

cases::selection selection_of(const std::string& include, const std::string& exclude = "") {
    cases::selection s;
    std::string error;
    EXPECT_TRUE(include.empty() || s.include(include, error)) << include << ": " << error;
    EXPECT_TRUE(exclude.empty() || s.exclude(exclude, error)) << exclude << ": " << error;
    return s;
}

/// The catalog cases `include` names, minus `exclude`, in catalog order.
std::vector<const cases::case_def*> catalog_cases(const std::string& include, const std::string& exclude = "") {
    const auto sel = selection_of(include, exclude);
    std::vector<const cases::case_def*> out;
    for (const auto& c : cases::full_catalog().cases()) {
        if (sel.selects(c.id)) {
            out.push_back(&c);
        }
    }
    EXPECT_FALSE(out.empty()) << include;
    return out;
}

// ---------------------------------------------------------------- cases the catalog lacks
//
// A case placed in the middle of a selection to crash dies_on_huge_length's server there: a
// parallel case expecting the reference server's 1009 (the catalog's own huge lengths, 21.1,
// run apart from parallel traffic and let a server wait). Its id is one no section uses.

/// 5.2 / 10.4: a frame header announcing 8 GiB; the server must fail the connection (its
/// limit, 1009), not trust the length.
const cases::case_def& huge_length_case() {
    static const cases::case_def c = [] {
        cases::case_def d;
        d.id = "90.2";
        d.description = "Send a binary frame header announcing 2^33 bytes, then 16 bytes (test-local case).";
        d.expectation = "The server fails the connection (1009, message too big).";
        d.rfc = {"10.4", "an endpoint limits the frame and message sizes it accepts"};
        d.build = [] {
            cases::script s;
            auto f = cases::build::frame(proto::opcode::binary, cases::build::filled(0x2a, 16));
            f.declared_length = std::uint64_t{1} << 33;
            s.steps.push_back(f);
            s.outcomes = {cases::build::ok()};
            s.close = cases::build::peer_fails({1009});
            return s;
        };
        return d;
    }();
    return c;
}

// ---------------------------------------------------------------- running

struct run_outcome {
    std::vector<reports::case_result> results;
    std::vector<std::string> notes;
    milliseconds took{};
};

runner::run_options options_for(const std::string& url, unsigned jobs = 8) {
    runner::run_options o;
    std::string error;
    const auto parsed = net::parse_ws_url(url, error);
    EXPECT_TRUE(parsed) << error;
    if (parsed) {
        o.connection.url = *parsed;
    }
    o.jobs = jobs;
    return o;
}

run_outcome run_cases(const runner::run_options& options, std::vector<const cases::case_def*> selected) {
    const auto started = std::chrono::steady_clock::now();
    net::asio::io_context io;
    auto run = std::make_shared<runner::test_run>(io, options, cases::full_catalog(), std::move(selected),
                                                  runner::test_run::progress{});
    run->start();
    // The runner bounds every case; this bound only keeps a runner bug from hanging CI.
    net::run_until(io, [&] { return run->finished(); }, net::clock::now() + std::chrono::minutes{5});
    EXPECT_TRUE(run->finished()) << "the run did not finish within 5 minutes";
    run_outcome out;
    out.results = run->results();
    out.notes = run->notes();
    out.took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
    return out;
}

/// The reference server with a proxy injecting `f` in front of it.
struct broken_server {
    explicit broken_server(fault f, server::server_options options = {}) : upstream(options), proxy(upstream.port(), f) {}
    server::background_server upstream;
    test_support::fault_proxy proxy;
};

/// The reference server's options with permessage-deflate on (its defaults).
server::server_options with_deflate() {
    server::server_options o;
    o.deflate = proto::deflate_server_policy{};
    return o;
}

// ---------------------------------------------------------------- expectations

/// What a fault must do to a run. `must_fail` names the cases that exist for the rule it
/// breaks: each must fail, and any failure outside them is a false alarm. `non_strict` names
/// cases the fault must turn from OK into NON-STRICT (a SHOULD it breaks).
struct fault_expectation {
    fault f;
    std::string run;              ///< the cases run (selection syntax)
    std::string must_fail;        ///< exactly the cases that fail
    std::string non_strict = {};  ///< exactly the cases judged NON-STRICT
    std::string cites = {};       ///< when set, every failure's reason names this rule
    /// The fault leaves the target answering nothing in some cases (no echo, no Close): the run
    /// notes it stopped answering (test_run.hpp) and may note it answered again.
    bool silences = false;
    /// The reference server behind the proxy has permessage-deflate on.
    bool deflate = false;
};

/// The run notes `e` allows: none, or those of a target that stopped answering for a while.
void check_notes(const fault_expectation& e, const std::vector<std::string>& notes) {
    for (const auto& n : notes) {
        const bool silence = n.starts_with("The target stopped answering") || n.starts_with("The target answered again");
        EXPECT_TRUE(e.silences && silence) << to_string(e.f) << ": run note: " << n;
    }
    if (e.silences) {
        EXPECT_FALSE(notes.empty()) << to_string(e.f) << ": a silent target went unnoticed";
    }
}

/// 6.x cases whose text is not valid UTF-8 (the rest of section 6 is valid and is echoed).
const std::string invalid_utf8_cases =
    "6.3,6.4,6.6.1,6.6.3,6.6.4,6.6.6,6.6.8,6.6.10,6.8,6.10,6.11.5,6.12-6.21";

void check_run(const fault_expectation& e, const run_outcome& out) {
    const auto must = selection_of(e.must_fail);
    const auto soft = selection_of(e.non_strict);
    const auto name = std::string{to_string(e.f)};
    std::size_t failures = 0;
    std::size_t non_strict = 0;
    std::string caught_ids;
    for (const auto& r : out.results) {
        const bool want_fail = !e.must_fail.empty() && must.selects(r.id);
        const bool want_soft = !e.non_strict.empty() && soft.selects(r.id);
        if (failed(r)) {
            ++failures;
            caught_ids += r.id + " ";
        } else if (r.behavior == cases::behavior::non_strict) {
            ++non_strict;
            caught_ids += r.id + "(non-strict) ";
        }
        if (!e.cites.empty() && failed(r) && r.reason.find(e.cites) == std::string::npos) {
            ADD_FAILURE() << name << ": failed without citing " << e.cites << ", " << verdict_line(r);
        }
        if (want_fail && !failed(r)) {
            ADD_FAILURE() << name << ": missed violation, " << verdict_line(r);
        } else if (!want_fail && failed(r)) {
            ADD_FAILURE() << name << ": unrelated failure, " << verdict_line(r);
        } else if (want_soft && r.behavior != cases::behavior::non_strict) {
            ADD_FAILURE() << name << ": expected NON-STRICT, " << verdict_line(r);
        } else if (!want_fail && !want_soft && r.behavior == cases::behavior::non_strict) {
            ADD_FAILURE() << name << ": unrelated NON-STRICT, " << verdict_line(r);
        }
    }
    EXPECT_GT(failures + non_strict, 0u) << name << " was not caught by any case";
    std::printf("[ %s ] %zu failed, %zu non-strict, of %zu cases, in %lld ms: %s\n", name.c_str(), failures,
                non_strict, out.results.size(), static_cast<long long>(out.took.count()), caught_ids.c_str());
}

/// Faults make cases wait for echoes or closes that never come (their 1 s timeouts): more
/// at a time keeps the file short. The reference server and the proxy take it easily.
constexpr unsigned fault_jobs = 16;

void run_fault(const fault_expectation& e, std::vector<const cases::case_def*> extra = {}) {
    broken_server target{e.f, e.deflate ? with_deflate() : server::server_options{}};
    auto selected = catalog_cases(e.run);
    selected.insert(selected.end(), extra.begin(), extra.end());
    const auto out = run_cases(options_for(target.proxy.url(), fault_jobs), std::move(selected));
    check_notes(e, out.notes);
    check_run(e, out);
}

// ---------------------------------------------------------------- lists checked

TEST(BrokenServers, InvalidUtf8ListMatchesTheCatalog) {
    // The explicit list above, checked against the catalog's own data: a section 6 case is in
    // it exactly when the server must fail it with 1007.
    const auto listed = selection_of(invalid_utf8_cases);
    for (const auto* c : catalog_cases("6")) {
        const auto s = c->build();
        const bool fails_1007 = !s.close.closed_by_us && s.close.codes == std::vector<std::uint16_t>{1007};
        EXPECT_EQ(listed.selects(c->id), fails_1007) << c->id << ": " << c->description;
    }
}

// ---------------------------------------------------------------- the control

TEST(BrokenServers, FaithfulProxyChangesNoVerdict) {
    broken_server target{fault::none};
    // Every parallel case: the serial ones are timed and slow (9, ...), seconds each.
    std::vector<const cases::case_def*> selected;
    for (const auto* c : catalog_cases("")) {
        if (c->schedule == cases::scheduling::parallel) {
            selected.push_back(c);
        }
    }
    const std::size_t catalog_part = selected.size();
    for (const auto* c : catalog_cases("1,2,3,4,5,6,7,10,20")) {
        EXPECT_EQ(c->schedule, cases::scheduling::parallel) << c->id << " would be left out of the control";
    }
    selected.push_back(&huge_length_case());
    const auto out = run_cases(options_for(target.proxy.url()), std::move(selected));
    EXPECT_TRUE(out.notes.empty()) << out.notes.front();
    const auto fail_fast = selection_of("6.4");
    std::size_t failures = 0;
    for (const auto& r : out.results) {
        if (failed(r)) {
            ++failures;
            ADD_FAILURE() << "control: " << verdict_line(r);
        }
        // The reference server fails fast: utf8_checked_at_end's NON-STRICT is its doing.
        if (fail_fast.selects(r.id)) {
            EXPECT_EQ(r.behavior, cases::behavior::ok) << "control: " << verdict_line(r);
        }
    }
    EXPECT_EQ(out.results.size(), catalog_part + 1);
    std::printf("[ control ] %zu cases, %zu failed, in %lld ms\n", out.results.size(), failures,
                static_cast<long long>(out.took.count()));
}

// ---------------------------------------------------------------- one fault each

TEST(BrokenServers, ReservedOpcodesAccepted) {
    run_fault({fault::reserved_opcodes_accepted, "1,2,3,4,5", "4"});
}

TEST(BrokenServers, NoUtf8Check) {
    // Valid UTF-8 (the rest of 6, fragmented text in 5) still comes back as text.
    run_fault({fault::no_utf8_check, "1.1,5,6", invalid_utf8_cases});
}

TEST(BrokenServers, Utf8CheckedAtEnd) {
    // Failing at the message end still fails (8.1); only fail-fast (6.4, Autobahn's
    // NON-STRICT when the connection fails after the second pause) can tell.
    run_fault({fault::utf8_checked_at_end, "5,6,10", "", "6.4"});
}

TEST(BrokenServers, WrongPongPayload) {
    // Every case whose expected trace holds a Pong: 2.x and the pings between fragments in 5.x.
    run_fault({fault::wrong_pong_payload, "1.1,2,4,5", "2.1-2.4,2.6,2.9-2.11,5.6-5.8,5.19,5.20"});
}

TEST(BrokenServers, CloseNeverAnswered) {
    // Every case that judges the close; 7.1.6 and 7.13 only record it (informational).
    // The server's Closes never come through: section 7 hears nothing back, which the run notes.
    run_fault({fault::close_never_answered, "1.1,7", "1.1,7.1.1-7.1.5,7.3,7.5,7.7,7.9", "", "", true});
}

TEST(BrokenServers, UnmaskedAccepted) {
    // Section 23.1 exists for it; its zero-key controls (23.2) are masked and still pass.
    run_fault({fault::unmasked_accepted, "1,2,23", "23.1"});
}

TEST(BrokenServers, EchoesReordered) {
    // Only pipelined messages (24) can be overtaken: every other case waits for each echo, so
    // a held echo is only late (by 200 ms), never out of order.
    run_fault({fault::echoes_reordered, "1,2,3,4,5,24", "24"});
}

TEST(BrokenServers, InflateUnchecked) {
    // Compressed data that does not inflate must fail the connection (1007 or 1002): 22.2.5
    // (a bad block) and 25.2.2 (a back-reference before the stream); this server echoes
    // "accepted" instead. Clean compressed traffic (12, 13), the bombs (22.2.4, 25.2.1) and
    // the abuse whose data is valid (25.2.3-25.2.5) pass.
    fault_expectation e{fault::inflate_unchecked, "1.1.1,12.1.1,12.1.2,13.1.1,13.3.1,22,25", "22.2.5,25.2.2"};
    e.deflate = true;
    run_fault(e);
}

TEST(BrokenServers, WrongAccept) {
    // No WebSocket connection opens; the handshakes the server refuses (20.1, and in 20.5 the
    // fold, the space before a colon and the NUL) still pass.
    run_fault({fault::wrong_accept, "1,2,3,4,5,6,7,10,20",
               "1,2,3,4,5,6,7,10,20.2,20.3,20.4,20.5.2,20.5.5-20.5.8"});
}

TEST(BrokenServers, ReservedBitsAccepted) {
    // 3.7 (a Close with RSV = 7) cannot catch it: this server echoes the empty Close, and an
    // empty Close is also how a server may fail the connection (7.1.7 sends a code only MAY).
    run_fault({fault::reserved_bits_accepted, "1,3,4", "3.1-3.6"});
}

TEST(BrokenServers, CloseCodeAlwaysNormal) {
    // Every case where the server must fail with a code other than 1000. 7.7's echoes pass:
    // a reply of 1000 to any valid code is allowed, as in Autobahn.
    run_fault({fault::close_code_always_normal, "1,2,3,4,5,6,7,10",
               "2.5,3,4,5.1,5.2,5.9-5.18," + invalid_utf8_cases + ",7.3.2,7.3.6,7.5.1,7.9"});
}

TEST(BrokenServers, ServerMasksFrames) {
    // Every case in which the server sends a frame (its Close at least); refused handshakes
    // (20.1; 20.5.1, 20.5.3, 20.5.4) have none.
    run_fault({fault::server_masks_frames, "1,2,20", "1,2,20.2,20.3,20.4,20.5.2,20.5.5-20.5.8"});
}

TEST(BrokenServers, EchoSplitWithoutContinuation) {
    // Every case in which the server sends a data message: 5.15's echo comes before the
    // continuation it must refuse. Pings (2) and the rest of 5, which the server must refuse
    // before any echo, are left alone.
    run_fault({fault::echo_split_without_continuation, "1,2,5,6.2,9.1.1,9.1.2",
               "1,5.3-5.8,5.15,5.19,5.20,6.2,9.1.1,9.1.2", "", "RFC 6455 5.4"});
}

TEST(BrokenServers, StopsReading) {
    // The runner gives up on a write that makes no progress for write_timeout: 2 s here.
    broken_server target{fault::stops_reading};
    auto options = options_for(target.proxy.url());
    options.connection.write_timeout = milliseconds{2000};
    // Small messages fit in the socket buffers and simply get no echo; 9.1.6's 16 MiB stall.
    const auto out = run_cases(options, catalog_cases("1.1.1-1.1.5,9.1.6"));
    // 1.1.x hear nothing back: the run says the target stopped answering, and 9.1.6 no longer
    // waits for 1.1's cases to end (it is serial only while the target answers).
    ASSERT_EQ(out.notes.size(), 1u);
    EXPECT_TRUE(out.notes.front().starts_with("The target stopped answering")) << out.notes.front();
    ASSERT_EQ(out.results.size(), 6u);
    for (const auto& r : out.results) {
        EXPECT_TRUE(failed(r)) << verdict_line(r);
    }
    const auto& stalled = out.results.back();
    EXPECT_EQ(stalled.id, "9.1.6");
    EXPECT_NE(stalled.reason.find("stopped reading"), std::string::npos) << verdict_line(stalled);
    // 9.1.6 may wait 100 s for its echo; the stall ends it at the write timeout instead.
    EXPECT_LT(stalled.duration, milliseconds{10'000}) << verdict_line(stalled);
    EXPECT_LT(out.took, milliseconds{20'000});
    std::printf("[ stops_reading ] 6 of 6 cases failed in %lld ms; 9.1.6 after %lld ms: %s\n",
                static_cast<long long>(out.took.count()), static_cast<long long>(stalled.duration.count()),
                verdict_line(stalled).c_str());
}

/// Section 1.1, the huge-length case, then `after`: the cases after the crash.
std::vector<const cases::case_def*> crash_selection(const std::string& after) {
    auto selected = catalog_cases("1.1");
    selected.push_back(&huge_length_case());
    for (const auto* c : catalog_cases(after)) {
        selected.push_back(c);
    }
    return selected;
}

TEST(BrokenServers, DiesOnHugeLengthOneAtATime) {
    broken_server target{fault::dies_on_huge_length};
    const auto selected = crash_selection("1.2,2");
    const auto out = run_cases(options_for(target.proxy.url(), 1), selected);
    EXPECT_TRUE(target.proxy.crashed());
    ASSERT_EQ(out.results.size(), selected.size());
    ASSERT_EQ(out.notes.size(), 1u);
    EXPECT_NE(out.notes[0].find("stopped accepting connections"), std::string::npos) << out.notes[0];
    EXPECT_NE(out.notes[0].find("the last case that connected was 90.2"), std::string::npos) << out.notes[0];
    std::size_t i = 0;
    for (; out.results[i].id != "90.2"; ++i) {
        EXPECT_FALSE(failed(out.results[i])) << verdict_line(out.results[i]);
    }
    // 90.2 itself cannot tell a crash from a server failing the connection by closing TCP
    // (7.1.7 allows it); the run note blames it, and the next case finds the port closed.
    EXPECT_EQ(out.results[i].id, "90.2");
    // The next case finds the port closed (twice: the runner retries once), then the run stops.
    ++i;
    ASSERT_LT(i, out.results.size());
    EXPECT_NE(out.results[i].reason.find("Could not connect"), std::string::npos) << verdict_line(out.results[i]);
    for (++i; i < out.results.size(); ++i) {
        EXPECT_TRUE(out.results[i].reason.starts_with("Not run: ")) << verdict_line(out.results[i]);
    }
    std::printf("[ dies_on_huge_length ] %s\n", out.notes[0].c_str());
}

TEST(BrokenServers, InflateSizedFromHeaderIsFoundBy25_1) {
    // Uncompressed frames announcing huge lengths (21.1) pass: this server bounds those. The
    // first compressed one (25.1.1, 2^62 bytes) "crashes" it, and the run says which case
    // connected last; the cases after it are not run.
    broken_server target{fault::inflate_sized_from_header, with_deflate()};
    const auto selected = catalog_cases("1.1,21.1,25.1,1.2");
    const auto out = run_cases(options_for(target.proxy.url(), 1), selected);
    EXPECT_TRUE(target.proxy.crashed());
    ASSERT_EQ(out.results.size(), selected.size());
    ASSERT_EQ(out.notes.size(), 1u);
    EXPECT_NE(out.notes[0].find("stopped accepting connections"), std::string::npos) << out.notes[0];
    EXPECT_NE(out.notes[0].find("the last case that connected was 25.1.1"), std::string::npos) << out.notes[0];
    std::size_t i = 0;
    for (; out.results[i].id != "25.1.1"; ++i) {
        EXPECT_FALSE(failed(out.results[i])) << verdict_line(out.results[i]);
    }
    for (i += 2; i < out.results.size(); ++i) {
        EXPECT_TRUE(out.results[i].reason.starts_with("Not run: ")) << verdict_line(out.results[i]);
    }
    std::printf("[ inflate_sized_from_header ] %s\n", out.notes[0].c_str());
}

TEST(BrokenServers, DiesOnHugeLengthInParallel) {
    // With 8 cases at a time, the ones in flight when it dies are cut too; the rest of a long
    // selection is filed as not run, not as a wall of failures.
    constexpr unsigned jobs = 8;
    broken_server target{fault::dies_on_huge_length};
    const auto selected = crash_selection("1.2,2,3,4,5,6,7");
    const auto out = run_cases(options_for(target.proxy.url(), jobs), selected);
    EXPECT_TRUE(target.proxy.crashed());
    ASSERT_EQ(out.results.size(), selected.size());
    ASSERT_EQ(out.notes.size(), 1u);
    EXPECT_NE(out.notes[0].find("stopped accepting connections"), std::string::npos) << out.notes[0];
    std::size_t ran_and_failed = 0;
    std::size_t not_run = 0;
    std::string failures;
    for (const auto& r : out.results) {
        if (r.reason.starts_with("Not run: ")) {
            ++not_run;
        } else if (failed(r)) {
            ++ran_and_failed;
            failures += "\n  " + verdict_line(r);
        }
    }
    // Failures that ran: up to jobs - 1 cases cut beside 90.2, and up to jobs launched after
    // it (one by each slot that frees; a refused case waits for its retry and launches
    // nothing), each refused; 90.2 itself when it is judged failed. Nothing starts once the
    // target is called down.
    EXPECT_LE(ran_and_failed, 2 * jobs) << failures;
    // The crash comes at the 9th case of 247: most of the run is never started.
    EXPECT_GE(not_run, selected.size() / 2);
    std::printf("[ dies_on_huge_length, %u jobs ] %zu failed, %zu not run of %zu\n", jobs, ran_and_failed, not_run,
                out.results.size());
}

} // namespace
