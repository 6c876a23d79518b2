// Invariants, for the server side of the opening handshake:
//   - http_parser(request) gives the same outcome (status, bytes consumed, error, head) fed
//     whole or in arbitrary pieces, never consumes more than it is given, and keeps its caps;
//   - a finished head is exactly its bytes: the same bytes alone parse to the same head, and
//     one byte less is not a head yet;
//   - check_request's verdict is the first failing item of 4.2.1, recomputed here with a list
//     splitter of our own; on failure `out` is untouched and build_rejection gives a response
//     with the violation's status (426 and "Sec-WebSocket-Version: 13" for bad_version, 4.4);
//   - an accepted request has one valid key and version 13, and build_response's answer to it
//     passes a client's check_response (4.1).
//
// Input: [chunk seed][limits: see pick_limits][request bytes].
#include "fuzz/fuzz_util.hpp"
#include "fuzz/http_feed.hpp"
#include "harness/proto/error.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/proto/http1.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace {

using namespace wscheck::proto;
namespace wf = wscheck::fuzz;
using st = http_parser::status;

/// 4.2.1, item by item, in its order.
std::error_code expected_verdict(const http_head& h) {
    if (h.method != "GET") {
        return violation::http_bad_method;
    }
    if (h.version_major < 1 || (h.version_major == 1 && h.version_minor == 0)) {
        return violation::http_bad_version;
    }
    if (wf::count_fields(h, "Host") != 1) {
        return violation::http_no_host;
    }
    if (!wf::lists_token(h, "Upgrade", "websocket")) {
        return violation::no_upgrade;
    }
    if (!wf::lists_token(h, "Connection", "upgrade")) {
        return violation::no_connection_upgrade;
    }
    const std::string* key = wf::first_field(h, "Sec-WebSocket-Key");
    if (wf::count_fields(h, "Sec-WebSocket-Key") != 1 || !is_valid_key(*key)) {
        return violation::bad_sec_key;
    }
    const std::string* version = wf::first_field(h, "Sec-WebSocket-Version");
    if (wf::count_fields(h, "Sec-WebSocket-Version") != 1 || *version != "13") {
        return violation::bad_version;
    }
    return {};
}

void check_accepted(const http_head& h, const accepted_request& out) {
    // One valid key, one version 13.
    WSCHECK_FUZZ_CHECK(is_valid_key(out.key));
    WSCHECK_FUZZ_CHECK(h.single("Sec-WebSocket-Key") == out.key);
    WSCHECK_FUZZ_CHECK(h.single("Sec-WebSocket-Version") == "13");
    WSCHECK_FUZZ_CHECK(out.target == h.target);
    for (const auto& p : out.subprotocols) {
        WSCHECK_FUZZ_CHECK(!p.empty());
    }
    // Offered extensions survive a trip through the 9.1 grammar.
    if (!out.extensions.empty()) {
        const auto again = parse_extensions(format_extensions(out.extensions));
        WSCHECK_FUZZ_CHECK(again && again->size() == out.extensions.size());
        for (std::size_t i = 0; i < again->size(); ++i) {
            WSCHECK_FUZZ_CHECK((*again)[i].name == out.extensions[i].name);
            WSCHECK_FUZZ_CHECK((*again)[i].params == out.extensions[i].params);
        }
    }
    const std::string* origin = wf::first_field(h, "Origin");
    WSCHECK_FUZZ_CHECK(origin == nullptr ? !out.origin : out.origin == *origin);

    // The server's answer satisfies a client that sent this key (4.2.2 -> 4.1).
    const std::string response = build_response(out.key);
    http_parser rp{http_parser::kind::response};
    std::size_t used = 0;
    WSCHECK_FUZZ_CHECK(rp.feed(response, used) == st::done && used == response.size());
    client_request client;
    client.key = out.key;
    accepted_response accepted;
    WSCHECK_FUZZ_CHECK(!check_response(rp.head(), client, accepted));
}

void check_rejected(std::error_code ec) {
    const violation_info* row = info(ec);
    WSCHECK_FUZZ_CHECK(row != nullptr && row->http_status >= 400);
    const std::string rejection = build_rejection(ec);
    http_parser rp{http_parser::kind::response};
    std::size_t used = 0;
    WSCHECK_FUZZ_CHECK(rp.feed(rejection, used) == st::done);
    const http_head& h = rp.head();
    WSCHECK_FUZZ_CHECK(h.status == row->http_status);
    WSCHECK_FUZZ_CHECK(h.single("Content-Length") == std::to_string(rejection.size() - used));
    WSCHECK_FUZZ_CHECK(wf::lists_token(h, "Connection", "close"));
    // 4.4: a version the server does not speak gets 426 and the versions it does.
    const bool version = ec == violation::bad_version;
    WSCHECK_FUZZ_CHECK((h.status == 426) == version);
    WSCHECK_FUZZ_CHECK((h.single("Sec-WebSocket-Version") == "13") == version);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wf::option_bytes in{data, size, 2};
    const http_limits limits = wf::pick_limits(in[1]);
    const std::span<const std::uint8_t> bytes = in.rest;

    const wf::http_outcome whole = wf::feed_http(http_parser::kind::request, limits, bytes, nullptr);
    wf::chunker split{in[0]};
    const wf::http_outcome pieces = wf::feed_http(http_parser::kind::request, limits, bytes, &split);
    WSCHECK_FUZZ_CHECK(wf::same_outcome(whole, pieces));
    wf::check_http_caps(whole, limits, bytes);
    if (whole.status != st::done) {
        return 0;
    }

    // The head is its bytes and nothing else.
    const auto own = bytes.first(whole.consumed);
    WSCHECK_FUZZ_CHECK(wf::same_outcome(wf::feed_http(http_parser::kind::request, limits, own, nullptr),
                                        whole));
    WSCHECK_FUZZ_CHECK(wf::feed_http(http_parser::kind::request, limits, own.first(own.size() - 1),
                                     nullptr)
                           .status == st::need_more);

    const http_head& h = whole.head;
    WSCHECK_FUZZ_CHECK(!h.method.empty() && !h.target.empty() && h.status == 0);
    accepted_request out;
    out.key = "untouched";
    const std::error_code ec = check_request(h, out);
    WSCHECK_FUZZ_CHECK(ec == expected_verdict(h));
    if (ec) {
        WSCHECK_FUZZ_CHECK(out.key == "untouched" && out.target.empty());
        check_rejected(ec);
    } else {
        check_accepted(h, out);
    }
    return 0;
}
