// Section 30, the client's side of the opening handshake and the frames only a server sends
// (wscheck's own; the Autobahn Testsuite tests clients with its sections 1-10 only).
//
// 30.1: responses the client MUST refuse (RFC 6455 4.1: it "MUST _Fail the WebSocket
// Connection_"): no connection was established, so it closes TCP without sending a data
// frame. wscheck then sends one text message as if the connection were open: a client that
// echoes it (or sends anything else) accepted the handshake.
// 30.2: responses that are valid although unusual (header case, lists, an extra field); the
// client must accept them, shown by the echo of one message.
// 30.3: a masked frame from the server (5.1: the client MUST fail the connection).
#include "cases/builders.hpp"
#include "cases/catalog.hpp"
#include "harness/proto/handshake.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace wscheck::cases {

namespace {

using proto::opcode;

const payload hello{"Hello, client!"};

using response_builder = std::function<std::string(std::string_view key)>;

/// A response head: the status line, the fields, the blank line.
std::string head(std::string_view status_line, const std::vector<std::string>& fields) {
    std::string out{status_line};
    out += "\r\n";
    for (const auto& f : fields) {
        out += f + "\r\n";
    }
    return out + "\r\n";
}

std::string accept_field(std::string_view key) { return "Sec-WebSocket-Accept: " + proto::compute_accept(key); }

/// A valid 101 with `extra` fields appended.
response_builder valid_with(std::vector<std::string> extra) {
    return [extra](std::string_view key) {
        std::vector<std::string> fields{"Upgrade: websocket", "Connection: Upgrade", accept_field(key)};
        fields.insert(fields.end(), extra.begin(), extra.end());
        return head("HTTP/1.1 101 Switching Protocols", fields);
    };
}

case_def client_case(std::string id, std::string description, std::string expectation, rfc_ref rfc) {
    case_def c;
    c.id = std::move(id);
    c.description = std::move(description);
    c.expectation = std::move(expectation);
    c.rfc = std::move(rfc);
    c.tests_clients_only = true;
    return c;
}

/// A response the client must refuse (4.1: it fails the connection), or accept (the echo of
/// one message shows it did, and wscheck then closes normally).
case_def response_case(std::string id, std::string description, rfc_ref rfc, response_builder respond,
                       bool must_refuse) {
    auto c = client_case(std::move(id), std::move(description),
                         must_refuse ? "The client fails the connection: it closes TCP without sending a data frame, "
                                       "and does not echo the message wscheck sends after the response."
                                     : "The client accepts the response and echoes the message wscheck sends; "
                                       "wscheck then closes normally.",
                         std::move(rfc));
    c.build = [respond, must_refuse] {
        script sc;
        sc.handshake.respond = [respond](std::string_view key, const proto::http_head&) { return respond(key); };
        sc.steps.push_back(build::frame(opcode::text, hello));
        if (must_refuse) {
            sc.handshake.must = handshake_spec::expect::reject;
            sc.close.informational = true; // the judge looks at what the client sent, and whether it closed
        } else {
            sc.outcomes = {build::ok({build::text(hello)})};
            sc.close = build::we_close();
        }
        return sc;
    };
    return c;
}

case_def refused(std::string id, std::string description, std::string clause, std::string requirement,
                 response_builder respond) {
    return response_case(std::move(id), std::move(description), {std::move(clause), std::move(requirement)},
                         std::move(respond), true);
}

case_def accepted(std::string id, std::string description, std::string clause, std::string requirement,
                  response_builder respond) {
    return response_case(std::move(id), std::move(description), {std::move(clause), std::move(requirement)},
                         std::move(respond), false);
}

void add_refused(catalog_builder& b) {
    b.add_section("30.1", "Responses a client must refuse");
    const std::string accept_rule =
        "the client fails the connection unless Sec-WebSocket-Accept is base64(SHA-1(key + GUID))";
    b.add(refused("30.1.1", "Answer 101 with the Sec-WebSocket-Accept of another key.", "4.1", accept_rule,
                  [](std::string_view) { return valid_with({})(proto::generate_key()); }));
    b.add(refused("30.1.2", "Answer 101 without Sec-WebSocket-Accept.", "4.1", accept_rule, [](std::string_view) {
        return head("HTTP/1.1 101 Switching Protocols", {"Upgrade: websocket", "Connection: Upgrade"});
    }));
    b.add(refused("30.1.3", "Answer 101 with the client's own key as the Sec-WebSocket-Accept value.", "4.1",
                  accept_rule, [](std::string_view key) {
                      return head("HTTP/1.1 101 Switching Protocols",
                                  {"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: " + std::string{key}});
                  }));
    b.add(refused("30.1.4", "Answer 101 with the right Sec-WebSocket-Accept twice.", "11.3.3",
                  "Sec-WebSocket-Accept must not appear more than once; two fields are not the one value 4.1 requires",
                  [](std::string_view key) { return valid_with({accept_field(key)})(key); }));
    b.add(refused("30.1.5", "Answer 101 without an Upgrade field.", "4.1",
                  "the client fails the connection unless Upgrade is \"websocket\" (case-insensitive)",
                  [](std::string_view key) {
                      return head("HTTP/1.1 101 Switching Protocols", {"Connection: Upgrade", accept_field(key)});
                  }));
    b.add(refused("30.1.6", "Answer 101 with \"Upgrade: h2c\".", "4.1",
                  "the client fails the connection unless Upgrade is \"websocket\" (case-insensitive)",
                  [](std::string_view key) {
                      return head("HTTP/1.1 101 Switching Protocols",
                                  {"Upgrade: h2c", "Connection: Upgrade", accept_field(key)});
                  }));
    b.add(refused("30.1.7", "Answer 101 without a Connection field.", "4.1",
                  "the client fails the connection unless Connection is \"Upgrade\" (case-insensitive)",
                  [](std::string_view key) {
                      return head("HTTP/1.1 101 Switching Protocols", {"Upgrade: websocket", accept_field(key)});
                  }));
    b.add(refused("30.1.8", "Answer 101 with \"Connection: keep-alive\".", "4.1",
                  "the client fails the connection unless Connection is \"Upgrade\" (case-insensitive)",
                  [](std::string_view key) {
                      return head("HTTP/1.1 101 Switching Protocols",
                                  {"Upgrade: websocket", "Connection: keep-alive", accept_field(key)});
                  }));
    b.add(refused("30.1.9", "Answer 200 OK with every WebSocket field right.", "4.1",
                  "any status other than 101 is handled as HTTP, and the WebSocket connection is not established",
                  [](std::string_view key) {
                      return head("HTTP/1.1 200 OK",
                                  {"Upgrade: websocket", "Connection: Upgrade", accept_field(key), "Content-Length: 0"});
                  }));
    b.add(refused("30.1.10", "Answer 302 Found with a Location and every WebSocket field right.", "4.1",
                  "any status other than 101 is handled as HTTP (a client may follow a redirect, with a new "
                  "opening handshake), and this WebSocket connection is not established",
                  [](std::string_view key) {
                      return head("HTTP/1.1 302 Found", {"Location: /elsewhere", "Upgrade: websocket",
                                                         "Connection: Upgrade", accept_field(key), "Content-Length: 0"});
                  }));
    b.add(refused("30.1.11", "Answer 101 choosing the subprotocol \"chat\", which the client did not offer.", "4.1",
                  "the client fails the connection if the server selects a subprotocol it did not offer",
                  valid_with({"Sec-WebSocket-Protocol: chat"})));
    b.add(refused("30.1.12", "Answer 101 choosing the extension \"x-wscheck-unoffered\", which the client did not offer.",
                  "4.1", "the client fails the connection if the server selects an extension it did not offer",
                  valid_with({"Sec-WebSocket-Extensions: x-wscheck-unoffered"})));
}

void add_accepted(catalog_builder& b) {
    b.add_section("30.2", "Unusual responses a client must accept");
    b.add(accepted("30.2.1", "Answer 101 with field names and token values in upper case.", "4.1",
                   "field names, and the values of Upgrade and Connection, are compared case-insensitively",
                   [](std::string_view key) {
                       return head("HTTP/1.1 101 Switching Protocols",
                                   {"UPGRADE: WEBSOCKET", "CONNECTION: UPGRADE",
                                    "SEC-WEBSOCKET-ACCEPT: " + proto::compute_accept(key)});
                   }));
    b.add(accepted("30.2.2", "Answer 101 with \"Connection: keep-alive, Upgrade\".", "4.1",
                   "Connection must contain the token \"Upgrade\"; it is a comma-separated list (RFC 9110 7.6.1)",
                   [](std::string_view key) {
                       return head("HTTP/1.1 101 Switching Protocols",
                                   {"Upgrade: websocket", "Connection: keep-alive, Upgrade", accept_field(key)});
                   }));
    b.add(accepted("30.2.3", "Answer 101 with the reason phrase \"Web Socket Protocol Handshake\".", "4.1",
                   "the status code 101 decides; the reason phrase is not checked (RFC 9112 4)",
                   [](std::string_view key) {
                       return head("HTTP/1.1 101 Web Socket Protocol Handshake",
                                   {"Upgrade: websocket", "Connection: Upgrade", accept_field(key)});
                   }));
    b.add(accepted("30.2.4", "Answer 101 with an extra \"Sec-WebSocket-Version: 13\" and a Server field.", "4.1",
                   "only the fields 4.1 names are checked; others are ignored (RFC 9110 5.1)",
                   valid_with({"Sec-WebSocket-Version: 13", "Server: wscheck"})));
    b.add(accepted("30.2.5", "Answer 101 with no space after the colons and spaces before the values' end.", "4.1",
                   "optional whitespace around a field value is not part of it (RFC 9112 5.1)",
                   [](std::string_view key) {
                       return head("HTTP/1.1 101 Switching Protocols",
                                   {"Upgrade:websocket  ", "Connection:Upgrade\t",
                                    "Sec-WebSocket-Accept:" + proto::compute_accept(key) + " "});
                   }));
}

/// 5.1: a server must not mask; the client fails the connection on a masked frame.
case_def masked_from_server(std::string id, std::string description, send_frame f) {
    auto c = client_case(std::move(id), std::move(description),
                         "The client fails the connection (1002, protocol error): nothing is echoed or answered.",
                         {"5.1", "a client must close the connection if it detects a masked frame"});
    f.masked = true;
    c.build = build::fails_at(f);
    return c;
}

void add_masked(catalog_builder& b) {
    b.add_section("30.3", "Masked frames from the server");
    b.add(masked_from_server("30.3.1", "Send a masked text message.", build::frame(opcode::text, hello)));
    b.add(masked_from_server("30.3.2", "Send a masked binary message.", build::frame(opcode::binary, hello)));
    b.add(masked_from_server("30.3.3", "Send a masked Ping.", build::frame(opcode::ping, hello)));
}

} // namespace

void add_client_handshake(catalog_builder& b) {
    b.add_section("30", "Client-side handshake and server frames");
    add_refused(b);
    add_accepted(b);
    add_masked(b);
}

} // namespace wscheck::cases
