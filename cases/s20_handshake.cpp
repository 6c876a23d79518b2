// Section 20, Opening handshake (wscheck's own; the Autobahn Testsuite has none): requests a
// server must refuse with an HTTP error (RFC 6455 4.2.1, 4.2.2, 4.4) and variants it must
// accept, since HTTP field names and these tokens are case-insensitive and Connection is a
// list. An accepted connection is then shown to work by one echoed message.
#include "cases/builders.hpp"
#include "cases/catalog.hpp"

#include <string>

namespace wscheck::cases {

namespace {

using proto::client_request;
using proto::opcode;

/// A server refuses the request with one of `statuses` (an other 4xx is NON-STRICT).
case_def refused(std::string id, std::string description, rfc_ref rfc, std::vector<int> statuses,
                 std::function<void(client_request&)> edit, std::vector<proto::http_field> required = {}) {
    case_def c;
    c.id = std::move(id);
    c.description = std::move(description);
    std::string codes;
    for (const int s : statuses) {
        codes += (codes.empty() ? "" : " or ") + std::to_string(s);
    }
    c.expectation = "The server refuses the opening handshake with an HTTP error (" + codes + ")" +
                    (required.empty() ? std::string{} : ", naming " + required.front().name + ": " + required.front().value) +
                    "; no WebSocket connection is established.";
    c.rfc = std::move(rfc);
    c.tests_servers_only = true;
    c.build = [statuses, edit, required] {
        script sc;
        sc.handshake.edit_request = edit;
        sc.handshake.must = handshake_spec::expect::reject;
        sc.handshake.reject_statuses = statuses;
        sc.handshake.required_fields = required;
        // No steps: the connection must never open. An empty trace is all there could be.
        sc.outcomes = {build::ok()};
        sc.close = build::peer_fails();
        return sc;
    };
    return c;
}

/// A server accepts the request; one text message is then echoed and we close normally.
case_def accepted(std::string id, std::string description, rfc_ref rfc, handshake_spec hs) {
    case_def c;
    c.id = std::move(id);
    c.description = std::move(description) + " Then send a text message (\"Hello, handshake!\").";
    c.expectation = "The server accepts the opening handshake (101) and echoes the message; clean close "
                    "with normal code.";
    c.rfc = std::move(rfc);
    c.tests_servers_only = true;
    c.build = [hs] {
        const payload hello{"Hello, handshake!"};
        script sc;
        sc.handshake = hs;
        sc.handshake.must = handshake_spec::expect::accept;
        sc.steps.push_back(build::frame(opcode::text, hello));
        sc.outcomes = {build::ok({build::text(hello)})};
        sc.close = build::we_close();
        return sc;
    };
    return c;
}

handshake_spec editing(std::function<void(client_request&)> edit) {
    handshake_spec hs;
    hs.edit_request = std::move(edit);
    return hs;
}

} // namespace

void add_handshake(catalog_builder& b) {
    b.add_section("20", "Opening Handshake");
    b.add_section("20.1", "Requests the server must refuse");
    b.add_section("20.2", "Request variants the server must accept");

    b.add(refused("20.1.1", "Send the opening handshake with the method POST instead of GET.",
                  {"4.2.1", "the request must be an HTTP/1.1 GET; otherwise the server answers with an HTTP error"},
                  {400, 405}, [](client_request& r) { r.method = "POST"; }));
    b.add(refused("20.1.2", "Send the opening handshake as HTTP/1.0.",
                  {"4.2.1", "the request must be HTTP/1.1 or higher; otherwise the server answers with an HTTP error"},
                  {400, 505}, [](client_request& r) { r.version = "HTTP/1.0"; }));
    b.add(refused("20.1.3", "Send the opening handshake without a Host field.",
                  {"4.2.1", "the request must carry a Host field (RFC 9112 3.2: a 400 answers its absence)"}, {400},
                  [](client_request& r) { r.host.clear(); }));
    b.add(refused("20.1.4", "Send the opening handshake with two Host fields.",
                  {"4.2.1", "the request carries one Host field (RFC 9112 3.2: a 400 answers several)"}, {400},
                  [](client_request& r) { r.extra_fields.push_back({"Host", r.host}); }));
    b.add(refused("20.1.5", "Send the opening handshake without an Upgrade field.",
                  {"4.2.1", "the request must carry Upgrade: websocket"}, {400, 426},
                  [](client_request& r) { r.upgrade.clear(); }));
    b.add(refused("20.1.6", "Send the opening handshake with \"Upgrade: h2c\" instead of websocket.",
                  {"4.2.1", "the Upgrade field must name websocket"}, {400, 426},
                  [](client_request& r) { r.upgrade = "h2c"; }));
    b.add(refused("20.1.7", "Send the opening handshake without a Connection field.",
                  {"4.2.1", "the request must carry a Connection field listing Upgrade"}, {400, 426},
                  [](client_request& r) { r.connection.clear(); }));
    b.add(refused("20.1.8", "Send the opening handshake with \"Connection: keep-alive\" (no Upgrade token).",
                  {"4.2.1", "the Connection field must include the token Upgrade"}, {400, 426},
                  [](client_request& r) { r.connection = "keep-alive"; }));
    b.add(refused("20.1.9", "Send the opening handshake without a Sec-WebSocket-Key field.",
                  {"4.2.1", "the request must carry a Sec-WebSocket-Key"}, {400},
                  [](client_request& r) { r.key.clear(); }));
    b.add(refused("20.1.10", "Send the opening handshake with a Sec-WebSocket-Key that decodes to 15 bytes, not 16 "
                             "(\"AQIDBAUGBwgJCgsMDQ4P\").",
                  {"4.2.1", "the key must be base64 of 16 bytes"}, {400},
                  [](client_request& r) { r.key = "AQIDBAUGBwgJCgsMDQ4P"; }));
    b.add(refused("20.1.11", "Send the opening handshake with two Sec-WebSocket-Key fields.",
                  {"11.3.1", "Sec-WebSocket-Key must not appear more than once in a request"}, {400},
                  [](client_request& r) { r.extra_fields.push_back({"Sec-WebSocket-Key", "AQIDBAUGBwgJCgsMDQ4PEA=="}); }));
    b.add(refused("20.1.12", "Send the opening handshake with Sec-WebSocket-Version: 12.",
                  {"4.4", "a server that does not speak the requested version answers with an error such as 426 "
                          "and the versions it supports in Sec-WebSocket-Version"},
                  // 4.4's own example answers 400; 426 is the code it names.
                  {400, 426}, [](client_request& r) { r.ws_version = "12"; }, {{"Sec-WebSocket-Version", "13"}}));
    b.add(refused("20.1.13", "Send the opening handshake without a Sec-WebSocket-Version field.",
                  {"4.2.1", "the request must carry Sec-WebSocket-Version: 13"}, {400, 426},
                  [](client_request& r) { r.ws_version.clear(); }));

    b.add(accepted("20.2.1", "Send the opening handshake with \"Upgrade: WebSocket\" (mixed case).",
                   {"4.2.1", "the Upgrade value websocket is matched case-insensitively"},
                   editing([](client_request& r) { r.upgrade = "WebSocket"; })));
    b.add(accepted("20.2.2", "Send the opening handshake with \"Connection: upgrade\" (lower case).",
                   {"4.2.1", "the Connection token Upgrade is matched case-insensitively"},
                   editing([](client_request& r) { r.connection = "upgrade"; })));
    b.add(accepted("20.2.3", "Send the opening handshake with \"Connection: keep-alive, Upgrade\".",
                   {"4.2.1", "Connection is a list: it must include the token Upgrade, among others"},
                   editing([](client_request& r) { r.connection = "keep-alive, Upgrade"; })));
    {
        // Field names in lower case, and spaces around the values (RFC 9112 5: names are
        // case-insensitive; optional whitespace around a value is not part of it).
        handshake_spec hs;
        hs.raw_request = [](std::string_view host, std::string_view key) {
            return "GET / HTTP/1.1\r\n"
                   "host: " + std::string{host} + "\r\n"
                   "upgrade:   websocket  \r\n"
                   "connection:   Upgrade\r\n"
                   "sec-websocket-key:   " + std::string{key} + "  \r\n"
                   "sec-websocket-version: 13\r\n"
                   "\r\n";
        };
        b.add(accepted("20.2.4", "Send the opening handshake with every field name in lower case and extra spaces "
                                 "around the values.",
                       {"4.2.1", "HTTP field names are case-insensitive and optional whitespace around values is ignored"},
                       hs));
    }
}

} // namespace wscheck::cases
