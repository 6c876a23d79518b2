// case_runner's opening when the tester is the server (testing a client): the listener has
// read the client's request; check it (4.1 is the client's duty), then answer with a valid
// 101 (4.2.2) or with the broken response a section-30 case prescribes, which the client
// must refuse by failing the connection.
#include "harness/runner/case_runner.hpp"

#include "harness/proto/handshake.hpp"
#include "harness/runner/case_runner_detail.hpp"

#include <charconv>

namespace wscheck::runner {

using detail::as_bytes;
using detail::kept_head_bytes;
using detail::sentence_for;

namespace {

/// The status code of a response we wrote ("HTTP/1.1 302 Found" -> 302), 0 when there is none
/// (a case may write a broken status line on purpose).
int status_of(std::string_view response) {
    const auto space = response.find(' ');
    if (space == std::string_view::npos || response.size() < space + 4) {
        return 0;
    }
    int status = 0;
    const char* first = response.data() + space + 1;
    const auto [end, ec] = std::from_chars(first, first + 3, status);
    return ec == std::errc{} && end == first + 3 ? status : 0;
}

} // namespace

void case_runner::answer_request() {
    stream_ = accepted_.stream;
    facts_.connected = true;
    auto& hs = facts_.handshake;
    hs.attempted = true;
    hs.request = accepted_.request_text.substr(0, kept_head_bytes);
    observer_.log().bytes(direction::received, now(), "http request", as_bytes(accepted_.request_text));
    boost::system::error_code ignored;
    // Chopped writes must leave as separate segments, as the cases intend.
    stream_->socket().set_option(net::tcp::no_delay(true), ignored);

    proto::accepted_request request;
    if (const auto ec = proto::check_request(accepted_.request, request)) {
        // 4.1 lists what the client's request must hold; a server refuses one that does not
        // (4.2.1), so the case cannot run and the client failed it.
        hs.error = "the client's opening handshake request is invalid: " + sentence_for(ec);
        const std::string refusal = proto::build_rejection(ec);
        hs.status = status_of(refusal);
        hs.response = refusal.substr(0, kept_head_bytes);
        observer_.sent_bytes("http response", as_bytes(refusal), now());
        write({refusal.begin(), refusal.end()}, 0, [this] { drop(connection_facts::drop_reason::our_step, elapsed_ms()); });
        return;
    }
    const auto& spec = script_.handshake;
    const std::string response = spec.respond ? spec.respond(request.key, accepted_.request)
                                              : proto::build_response(request.key);
    hs.status = status_of(response);
    hs.response = response.substr(0, kept_head_bytes);
    // A response the client may accept (a valid 101, or an unusual but valid one of section
    // 30.2) opens the connection as far as we are concerned; for one it must refuse, the
    // judge decides from what the client did whether it treated the connection as open.
    hs.completed = spec.must != cases::handshake_spec::expect::reject;
    observer_.sent_bytes("http response", as_bytes(response), now());
    write({response.begin(), response.end()}, 0, {});
    open(accepted_.leftover);
}

void case_runner::close_tcp_first() {
    // 7.1.1: once Close frames have crossed, the server closes the TCP connection first. A
    // FIN, after our queued writes, so that the client reads everything before its EOF; the
    // read loop then waits (close_timeout) for the client to close its side.
    if (fin_wanted_) {
        return;
    }
    fin_wanted_ = true;
    pump_writes();
}

} // namespace wscheck::runner
