// Invariants, for the client side of the opening handshake:
//   - http_parser(response) gives the same outcome fed whole or in arbitrary pieces, never
//     consumes more than it is given, keeps its caps, and a finished head is its bytes;
//   - check_response's verdict, against a fixed client_request, is the first failing item of
//     4.1, recomputed here (the accept value is the RFC 6455 1.3 constant, not computed);
//   - an accepted response is a 101 with the right Sec-WebSocket-Accept, a subprotocol and
//     extensions the client offered, reported in `out`; a refused one leaves `out` alone.
//
// Input: [chunk seed][limits: see pick_limits][request choice][response bytes].
// Request choice bit 0: 0 = the client offers subprotocols "chat", "superchat" and extensions
// permessage-deflate and x-foo; 1 = it offers neither.
#include "fuzz/fuzz_util.hpp"
#include "fuzz/http_feed.hpp"
#include "harness/proto/error.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/proto/http1.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

using namespace wscheck::proto;
namespace wf = wscheck::fuzz;
using st = http_parser::status;

// RFC 6455 1.3: the sample key and its accept value.
constexpr std::string_view sample_key = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view sample_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

client_request make_request(bool offers) {
    client_request r;
    r.host = "server.example.com";
    r.key = std::string{sample_key};
    if (offers) {
        r.subprotocols = {"chat", "superchat"};
        r.extensions = "permessage-deflate; client_max_window_bits, x-foo";
    }
    return r;
}

/// What check_response should say, and the extensions it should report.
struct verdict {
    std::error_code ec;
    std::optional<std::string> subprotocol;
    std::vector<extension_offer> extensions;
};

/// 4.1, item by item, in its order.
verdict expected_verdict(const http_head& h, bool offers) {
    verdict v;
    if (h.status != 101) {
        v.ec = violation::bad_status;
        return v;
    }
    // Item 2: Upgrade is "websocket": every element of every Upgrade field, at least one.
    bool any = false;
    bool all = true;
    for (const auto& f : h.fields) {
        if (wf::same_ascii_ignoring_case(f.name, "Upgrade")) {
            wf::for_each_list_element(f.value, [&](std::string_view e) {
                any = true;
                all = all && wf::same_ascii_ignoring_case(e, "websocket");
            });
        }
    }
    if (!any || !all) {
        v.ec = violation::no_upgrade;
        return v;
    }
    if (!wf::lists_token(h, "Connection", "upgrade")) {
        v.ec = violation::no_connection_upgrade;
        return v;
    }
    const std::string* accept = wf::first_field(h, "Sec-WebSocket-Accept");
    if (wf::count_fields(h, "Sec-WebSocket-Accept") != 1 || *accept != sample_accept) {
        v.ec = violation::bad_accept;
        return v;
    }
    // Item 5: every extension well-formed (9.1: the fields are one list) and offered.
    std::string joined;
    std::size_t ext_fields = 0;
    for (const auto& f : h.fields) {
        if (wf::same_ascii_ignoring_case(f.name, "Sec-WebSocket-Extensions")) {
            joined += ext_fields++ == 0 ? "" : ", ";
            joined += f.value;
        }
    }
    if (ext_fields > 0) {
        auto parsed = parse_extensions(joined);
        if (!parsed) {
            v.ec = violation::bad_extension;
            return v;
        }
        for (const auto& e : *parsed) {
            if (!offers || (e.name != "permessage-deflate" && e.name != "x-foo")) {
                v.ec = violation::bad_extension;
                return v;
            }
        }
        v.extensions = std::move(*parsed);
    }
    // Item 6: at most one subprotocol, one that was offered.
    const std::size_t protocols = wf::count_fields(h, "Sec-WebSocket-Protocol");
    if (protocols > 1) {
        v.ec = violation::bad_subprotocol;
        return v;
    }
    if (protocols == 1) {
        const std::string& chosen = *wf::first_field(h, "Sec-WebSocket-Protocol");
        if (!offers || (chosen != "chat" && chosen != "superchat")) {
            v.ec = violation::bad_subprotocol;
            return v;
        }
        v.subprotocol = chosen;
    }
    return v;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wf::option_bytes in{data, size, 3};
    const http_limits limits = wf::pick_limits(in[1]);
    const bool offers = (in[2] & 1) == 0;
    const std::span<const std::uint8_t> bytes = in.rest;

    const auto k = http_parser::kind::response;
    const wf::http_outcome whole = wf::feed_http(k, limits, bytes, nullptr);
    wf::chunker split{in[0]};
    WSCHECK_FUZZ_CHECK(wf::same_outcome(whole, wf::feed_http(k, limits, bytes, &split)));
    wf::check_http_caps(whole, limits, bytes);
    if (whole.status != st::done) {
        return 0;
    }
    const auto own = bytes.first(whole.consumed);
    WSCHECK_FUZZ_CHECK(wf::same_outcome(wf::feed_http(k, limits, own, nullptr), whole));
    WSCHECK_FUZZ_CHECK(wf::feed_http(k, limits, own.first(own.size() - 1), nullptr).status ==
                       st::need_more);

    const http_head& h = whole.head;
    WSCHECK_FUZZ_CHECK(h.method.empty() && h.status >= 0 && h.status <= 999);
    const client_request req = make_request(offers);
    accepted_response out;
    out.subprotocol = "untouched";
    const std::error_code ec = check_response(h, req, out);
    const verdict expected = expected_verdict(h, offers);
    WSCHECK_FUZZ_CHECK(ec == expected.ec);
    if (ec) {
        WSCHECK_FUZZ_CHECK(out.subprotocol == "untouched" && out.extensions.empty());
        return 0;
    }
    // Accepted: a 101 carrying the right accept value, and what the client offered.
    WSCHECK_FUZZ_CHECK(h.status == 101);
    WSCHECK_FUZZ_CHECK(h.single("Sec-WebSocket-Accept") == sample_accept);
    WSCHECK_FUZZ_CHECK(compute_accept(req.key) == sample_accept);
    WSCHECK_FUZZ_CHECK(out.subprotocol == expected.subprotocol);
    if (out.subprotocol) {
        WSCHECK_FUZZ_CHECK(std::find(req.subprotocols.begin(), req.subprotocols.end(),
                                     *out.subprotocol) != req.subprotocols.end());
    }
    WSCHECK_FUZZ_CHECK(out.extensions.size() == expected.extensions.size());
    for (std::size_t i = 0; i < out.extensions.size(); ++i) {
        WSCHECK_FUZZ_CHECK(out.extensions[i].name == expected.extensions[i].name);
        WSCHECK_FUZZ_CHECK(out.extensions[i].params == expected.extensions[i].params);
    }
    return 0;
}
