// Section 31, the client's side of permessage-deflate (RFC 7692), wscheck's own: what the
// Autobahn Testsuite's 12 and 13 never ask of a client. A section of its own rather than part
// of 30: 30 is RFC 6455's handshake, 31 needs a client that offers the extension (a client
// without it gets UNIMPLEMENTED here and nowhere in 30), and -c '31' selects it as 22 does
// the server's rules.
//   31.1 responses a client must refuse (RFC 7692 5: "the client MUST _Fail the WebSocket
//        Connection_"): a bad parameter, value or element, or an answer that breaks what the
//        client's own offer said (7.1). Each is built from the offers the client actually
//        sent: an answer its offers make valid is no test, and the case is UNIMPLEMENTED.
//        As in 30.1, wscheck then sends one text message as if the connection were open.
//   31.2 answers a client must accept and then honour: parameters a server may send although
//        they were not asked for (7.1.1.1, 7.1.1.2, 7.1.2.1), a smaller client window than
//        offered (7.1.2.2), and a declined offer. Messages cross compressed both ways; what
//        the client sends is inflated with what it agreed to (its window, and a fresh context
//        per message after client_no_context_takeover), so a client that does not honour the
//        answer sends data that does not inflate, or does not inflate to what was sent.
#include "cases/builders.hpp"
#include "cases/catalog.hpp"
#include "cases/compression_data.hpp"

#include <algorithm>
#include <string>

namespace wscheck::cases {

namespace {

using proto::opcode;

const payload hello{"Hello, client!"};

case_def client_deflate_case(std::string id, std::string description, std::string expectation, rfc_ref rfc,
                             std::function<script()> build) {
    auto c = build::make_case(std::move(id), std::move(description), std::move(expectation), std::move(rfc),
                              std::move(build));
    c.tests_clients_only = true;
    return c;
}

/// The element accepting `offer` as offered: what the suite's accept_deflate answers.
proto::extension_offer as_offered(const proto::deflate_offer& offer) {
    const auto a = proto::negotiate_deflate({proto::to_extension(offer)}, proto::deflate_server_policy{});
    return proto::to_extension(a ? a->response : proto::deflate_response{});
}

/// Sets parameter `name` of `e` (replacing every one of that name), or appends it.
void set_param(proto::extension_offer& e, const std::string& name, std::optional<std::string> value) {
    std::erase_if(e.params, [&](const auto& p) { return p.first == name; });
    e.params.emplace_back(name, std::move(value));
}

using crafter = std::function<deflate_crafted(const std::vector<proto::deflate_offer>&)>;

/// The answer to the client's first valid offer as offered, with one parameter changed.
crafter first_offer_with(std::string name, std::optional<std::string> value) {
    return [name, value](const std::vector<proto::deflate_offer>& offers) {
        auto e = as_offered(offers.front());
        set_param(e, name, value);
        return deflate_crafted{proto::format_extensions({e}), {}};
    };
}

/// The first offer's answer with window parameter `name` one above the largest value `bits`
/// reads from the offers; untestable when an offer gives none below 15 (nothing is too large).
crafter one_above(std::string name, std::optional<std::uint8_t> (*bits)(const proto::deflate_offer&),
                  std::string untestable) {
    return [name, bits, untestable](const std::vector<proto::deflate_offer>& offers) {
        std::uint8_t largest = proto::min_window_bits;
        for (const auto& o : offers) {
            const auto b = bits(o);
            if (!b || *b >= proto::max_window_bits) {
                return deflate_crafted{{}, untestable};
            }
            largest = std::max(largest, *b);
        }
        return first_offer_with(name, std::to_string(largest + 1))(offers);
    };
}

/// A response the client must refuse: it fails the connection (closes TCP without a data
/// frame) and does not echo the message sent after the response.
case_def must_refuse(std::string id, std::string description, rfc_ref rfc, crafter craft) {
    return client_deflate_case(std::move(id), std::move(description),
                               "The client fails the connection: it closes TCP without sending a data frame, and "
                               "does not echo the message wscheck sends after the response. A client that offers "
                               "no permessage-deflate (or whose offers make the answer valid) gets UNIMPLEMENTED.",
                               std::move(rfc), [craft] {
                                   script sc;
                                   deflate_spec d;
                                   d.craft = craft;
                                   sc.deflate = d;
                                   sc.handshake.must = handshake_spec::expect::reject;
                                   sc.steps.push_back(build::frame(opcode::text, hello));
                                   // The judge looks at what the client sent, and whether it closed.
                                   sc.close.informational = true;
                                   return sc;
                               });
}

/// A valid answer the client must accept, then `messages` sent compressed and echoed.
case_def must_honour(std::string id, std::string description, std::string expectation, rfc_ref rfc,
                     std::vector<deflate_accept_rule> accept, std::vector<payload> messages) {
    return client_deflate_case(std::move(id), std::move(description), std::move(expectation), std::move(rfc),
                               [accept, messages] {
                                   script sc;
                                   deflate_spec d;
                                   d.accept = accept;
                                   sc.deflate = d;
                                   compression::echo_each(sc, messages);
                                   return sc;
                               });
}

void add_refused(catalog_builder& b) {
    b.add_section("31.1", "permessage-deflate responses a client must refuse");
    const std::string bad_value = "a response with an extension parameter with an invalid value fails the connection";
    b.add(must_refuse("31.1.1", "Accept the client's offer with \"server_max_window_bits=7\" (below 8).",
                      {"RFC 7692 5, 7.1.2.1", bad_value}, first_offer_with("server_max_window_bits", "7")));
    b.add(must_refuse("31.1.2", "Accept the client's offer with \"server_max_window_bits=16\" (above 15).",
                      {"RFC 7692 5, 7.1.2.1", bad_value}, first_offer_with("server_max_window_bits", "16")));
    b.add(must_refuse("31.1.3", "Accept the client's offer with \"server_max_window_bits\" without a value.",
                      {"RFC 7692 5, 7.1.2.1", bad_value}, first_offer_with("server_max_window_bits", std::nullopt)));
    b.add(must_refuse("31.1.4",
                      "Accept the client's offer with server_max_window_bits written with a leading zero (\"015\", or "
                      "the offered value so written).",
                      {"RFC 7692 5, 7.1.2.1", "window bits are a decimal without leading zeros; any other value is invalid"},
                      [](const std::vector<proto::deflate_offer>& offers) {
                          const auto bits = offers.front().server_max_window_bits.value_or(proto::max_window_bits);
                          return first_offer_with("server_max_window_bits", "0" + std::to_string(bits))(offers);
                      }));
    b.add(must_refuse("31.1.5", "Accept the client's offer with server_no_context_takeover twice.",
                      {"RFC 7692 5", "a response with multiple extension parameters of the same name fails the connection"},
                      [](const std::vector<proto::deflate_offer>& offers) {
                          auto e = as_offered(offers.front());
                          set_param(e, "server_no_context_takeover", std::nullopt);
                          e.params.emplace_back("server_no_context_takeover", std::nullopt);
                          return deflate_crafted{proto::format_extensions({e}), {}};
                      }));
    b.add(must_refuse("31.1.6", "Accept the client's offer with the parameter \"x_wscheck_unknown=1\".",
                      {"RFC 7692 5", "a response with an extension parameter not defined for use in a response fails "
                                     "the connection"},
                      first_offer_with("x_wscheck_unknown", "1")));
    b.add(must_refuse("31.1.7", "Accept the client's offer with \"server_no_context_takeover=1\" (a value on a flag).",
                      {"RFC 7692 5, 7.1.1.1", bad_value}, first_offer_with("server_no_context_takeover", "1")));
    b.add(must_refuse("31.1.8", "Accept the client's offer twice: two permessage-deflate elements in the response.",
                      {"RFC 7692 5", "two accepted extensions that both use RSV1 conflict; a client receiving such a "
                                     "response fails the connection"},
                      [](const std::vector<proto::deflate_offer>& offers) {
                          const auto e = as_offered(offers.front());
                          return deflate_crafted{proto::format_extensions({e, e}), {}};
                      }));
    b.add(must_refuse(
        "31.1.9", "Accept the client's offer with \"client_max_window_bits=10\", which no offer of the client had.",
        {"RFC 7692 7.1.2.2", "a server must not send client_max_window_bits unless the offer has it; a client fails "
                             "the connection on such a response"},
        [](const std::vector<proto::deflate_offer>& offers) {
            if (std::any_of(offers.begin(), offers.end(), [](const auto& o) { return o.client_max_window_bits; })) {
                return deflate_crafted{{}, "the client offered client_max_window_bits, so a server may answer it"};
            }
            return first_offer_with("client_max_window_bits", "10")(offers);
        }));
    b.add(must_refuse("31.1.10", "Answer server_max_window_bits one larger than the client's offers allow.",
                      {"RFC 7692 7.1.2.1", "an accepting server answers server_max_window_bits of at most the offered value"},
                      one_above("server_max_window_bits",
                                [](const proto::deflate_offer& o) { return o.server_max_window_bits; },
                                "an offer of the client leaves the server's window up to the server (no "
                                "server_max_window_bits below 15), so no larger value exists")));
    b.add(must_refuse("31.1.11", "Answer client_max_window_bits one larger than the client's offers allow.",
                      {"RFC 7692 7.1.2.2", "client_max_window_bits in the response is at most the offered value"},
                      one_above("client_max_window_bits",
                                [](const proto::deflate_offer& o) {
                                    return o.client_max_window_bits ? o.client_max_window_bits_value : std::nullopt;
                                },
                                "an offer of the client has no client_max_window_bits value below 15, so no larger "
                                "value is wrong")));
    b.add(must_refuse(
        "31.1.12", "Accept the client's offer without the server_no_context_takeover it asked for.",
        {"RFC 7692 7.1.1.1", "a server accepts an offer with server_no_context_takeover only by including it"},
        [](const std::vector<proto::deflate_offer>& offers) {
            if (std::any_of(offers.begin(), offers.end(), [](const auto& o) { return !o.server_no_context_takeover; })) {
                return deflate_crafted{{}, "an offer of the client does not ask for server_no_context_takeover, so an "
                                           "answer without it is valid"};
            }
            auto e = as_offered(offers.front());
            std::erase_if(e.params, [](const auto& p) { return p.first == "server_no_context_takeover"; });
            return deflate_crafted{proto::format_extensions({e}), {}};
        }));
}

/// Three equal messages: a compressor that keeps its context sends the second and third as
/// references to the first.
std::vector<payload> three_equal() {
    const payload m = build::repeated("Hello, compressed client! ", 260);
    return {m, m, m};
}

/// 4 KiB whose second half repeats its first at a distance of 2 KiB: a compressor with a
/// window above 2^10 bytes refers back to it, one within 2^10 cannot.
payload far_repeat() {
    std::string half;
    std::uint32_t x = 0x2545f491;
    while (half.size() < 2048) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        half += static_cast<char>('a' + x % 26);
    }
    return payload{half + half};
}

void add_honoured(catalog_builder& b) {
    b.add_section("31.2", "permessage-deflate answers a client must accept and honour");
    const std::string echoed = "The client accepts the response and echoes every message as sent";
    const std::string unoffered = " A client that offers no permessage-deflate gets UNIMPLEMENTED.";
    {
        deflate_accept_rule r;
        r.policy.server_no_context_takeover = true;
        b.add(must_honour("31.2.1",
                          "Accept the client's offer with server_no_context_takeover, asked for or not, then send "
                          "three equal compressed messages, each compressed on its own.",
                          echoed + "." + unoffered,
                          {"RFC 7692 7.1.1.1", "a server may include server_no_context_takeover although the offer "
                                               "did not; the client must accept it"},
                          {r}, three_equal()));
    }
    {
        deflate_accept_rule r;
        r.policy.server_max_window_bits = 10;
        b.add(must_honour("31.2.2",
                          "Accept the client's offer with server_max_window_bits=10 (or the smaller offered value), "
                          "asked for or not, then send compressed messages in that window.",
                          echoed + "." + unoffered,
                          {"RFC 7692 7.1.2.1", "a server may include server_max_window_bits although the offer did "
                                               "not; the client must accept it"},
                          {r}, {far_repeat(), far_repeat()}));
    }
    {
        deflate_accept_rule r;
        r.policy.client_no_context_takeover = true;
        b.add(must_honour("31.2.3",
                          "Accept the client's offer with client_no_context_takeover, offered or not, then send three "
                          "equal compressed messages.",
                          echoed + ", compressing each on its own: wscheck inflates each echo with a fresh context, "
                                   "so a reference to an earlier message does not inflate." + unoffered,
                          {"RFC 7692 7.1.1.2", "a server may send client_no_context_takeover whatever the offer; the "
                                               "client must then not use its previous messages' context"},
                          {r}, three_equal()));
    }
    {
        deflate_accept_rule r;
        r.policy.client_max_window_bits = 10;
        r.ask_client_window = true;
        b.add(must_honour("31.2.4",
                          "Accept the client's offer that has client_max_window_bits with client_max_window_bits=10 (or "
                          "the smaller offered value), then send two messages whose halves repeat 2 KiB apart.",
                          echoed + ", compressed within a 2^10-byte window: wscheck inflates the echoes with that "
                                   "window, so a reference 2 KiB back does not inflate. A client whose offers have no "
                                   "client_max_window_bits gets UNIMPLEMENTED (7.1.2.2: it cannot be asked).",
                          {"RFC 7692 7.1.2.2", "the client must compress with at most the window the response gives"},
                          {r}, {far_repeat(), far_repeat()}));
    }
    b.add(must_honour("31.2.5",
                      "Decline the client's offer (a 101 without permessage-deflate), then send a text message.",
                      "The client accepts the response and echoes the message uncompressed (RSV1 clear): no extension "
                      "is in force." + unoffered,
                      {"RFC 6455 9.1, RFC 7692 5", "a server may decline any offer; the client then uses no extension"},
                      {}, {hello}));
}

} // namespace

void add_client_deflate(catalog_builder& b) {
    b.add_section("31", "Client-side permessage-deflate (RFC 7692)");
    add_refused(b);
    add_honoured(b);
}

} // namespace wscheck::cases
