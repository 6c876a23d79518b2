// Section 20, Opening handshake (wscheck's own; the Autobahn Testsuite has none): requests a
// server must refuse with an HTTP error (RFC 6455 4.2.1, 4.2.2, 4.4) and variants it must
// accept, since HTTP field names and these tokens are case-insensitive and Connection is a
// list (20.1, 20.2); subprotocol and extension offers (20.3); Origin (20.4); and requests
// whose HTTP framing is odd in ways that have let front ends and servers disagree about where
// a request ends (20.5, RFC 9112). An accepted connection is then shown to work by one echoed
// message. Where the RFCs leave the server a choice (refuse or accept), the case is `either`:
// a refusal is judged by its status, an acceptance by the response (the runner checks that a
// chosen subprotocol or extension was offered, 4.1) and by the echo.
#include "cases/builders.hpp"
#include "cases/catalog.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wscheck::cases {

namespace {

using proto::client_request;
using proto::opcode;

/// The text message an accepted connection must echo.
constexpr const char* hello_text = "Hello, handshake!";

/// A server refuses the request with one of `statuses` (an other 4xx is NON-STRICT).
case_def refused(std::string id, std::string description, rfc_ref rfc, std::vector<int> statuses,
                 std::function<void(client_request&)> edit, std::vector<proto::http_field> required = {}) {
    std::string codes;
    for (const int s : statuses) {
        codes += (codes.empty() ? "" : " or ") + std::to_string(s);
    }
    std::string expectation =
        "The server refuses the opening handshake with an HTTP error (" + codes + ")" +
        (required.empty() ? std::string{} : ", naming " + required.front().name + ": " + required.front().value) +
        "; no WebSocket connection is established.";
    auto c = build::make_case(std::move(id), std::move(description), std::move(expectation), std::move(rfc),
                              [statuses, edit, required] {
                                  script sc;
                                  sc.handshake.edit_request = edit;
                                  sc.handshake.must = handshake_spec::expect::reject;
                                  sc.handshake.reject_statuses = statuses;
                                  sc.handshake.required_fields = required;
                                  // No steps: the connection must never open. An empty trace is
                                  // all there could be.
                                  sc.outcomes = {build::ok()};
                                  sc.close = build::peer_fails();
                                  return sc;
                              });
    c.tests_servers_only = true;
    return c;
}

/// Makes a case's handshake for one run. A factory, not a value: a rewritten() handshake
/// keeps per-run state.
using handshake_factory = std::function<handshake_spec()>;

/// The script of an accepted connection: one text message echoed, then we close normally.
/// `verdict` is what the echo earns (INFORMATIONAL where accepting is the server's policy).
script echo_script(handshake_spec hs, behavior verdict) {
    const payload hello{hello_text};
    script sc;
    sc.handshake = std::move(hs);
    sc.steps.emplace_back(build::frame(opcode::text, hello));
    sc.outcomes = {outcome{verdict, {build::text(hello)}}};
    sc.close = build::we_close();
    return sc;
}

/// A server accepts the request; one text message is then echoed and we close normally.
case_def accepted(std::string id, std::string description, rfc_ref rfc, handshake_factory make) {
    auto c =
        build::make_case(std::move(id), std::move(description) + " Then send a text message (\"" + hello_text + "\").",
                         "The server accepts the opening handshake (101) and echoes the message; clean close "
                         "with normal code.",
                         std::move(rfc), [make] {
                             auto hs = make();
                             hs.must = handshake_spec::expect::accept;
                             return echo_script(std::move(hs), behavior::ok);
                         });
    c.tests_servers_only = true;
    return c;
}

/// The server may refuse the request with one of `statuses` (any 4xx when empty; another 4xx
/// is NON-STRICT) or accept it, and then the message must be echoed (earning `if_accepted`).
/// No HTTP answer at all is recorded, not judged (handshake_spec::expect::either).
case_def either_way(std::string id, std::string description, std::string expectation, rfc_ref rfc,
                    std::vector<int> statuses, handshake_factory make, behavior if_accepted = behavior::ok) {
    auto c = build::make_case(
        std::move(id), std::move(description) + " If the server accepts, send a text message (\"" + hello_text + "\").",
        std::move(expectation), std::move(rfc), [make, statuses, if_accepted] {
            auto hs = make();
            hs.must = handshake_spec::expect::either;
            hs.reject_statuses = statuses;
            return echo_script(std::move(hs), if_accepted);
        });
    c.tests_servers_only = true;
    return c;
}

handshake_factory editing(std::function<void(client_request&)> edit) {
    return [edit] {
        handshake_spec hs;
        hs.edit_request = edit;
        return hs;
    };
}

/// For what client_request cannot say (a body after the head, bare LF line ends, a field
/// written differently from what the runner checks the response against): the request is
/// edited as usual by `edit` (the runner checks the response against that one, 4.1), then
/// `write` turns a copy of it into the bytes sent. The copy keeps the configured target, Host
/// and extra fields, which a hand-written request would lose. The runner applies edit_request
/// before it calls raw_request (case_runner::send_request), so the copy is the edited request;
/// the host and key raw_request receives are set on it again, so the bytes always carry the
/// key the runner expects.
handshake_factory rewritten(std::function<void(client_request&)> edit,
                            std::function<std::string(client_request)> write) {
    return [edit, write] {
        auto edited = std::make_shared<client_request>();
        handshake_spec hs;
        hs.edit_request = [edit, edited](client_request& r) {
            if (edit) {
                edit(r);
            }
            *edited = r;
        };
        hs.raw_request = [write, edited](std::string_view host, std::string_view key) {
            client_request r = *edited;
            r.host = std::string{host};
            r.key = std::string{key};
            return write(std::move(r));
        };
        return hs;
    };
}

/// Adds `name` to the offered subprotocols unless already offered (a --protocol a server needs
/// stays first).
void offer_subprotocol(client_request& r, const std::string& name) {
    if (std::find(r.subprotocols.begin(), r.subprotocols.end(), name) == r.subprotocols.end()) {
        r.subprotocols.push_back(name);
    }
}

/// Drops every configured field named `name`, so a case's own is the only one.
void drop_field(client_request& r, std::string_view name) {
    std::erase_if(r.extra_fields, [name](const proto::http_field& f) { return proto::iequals(f.name, name); });
}

/// Every 4xx status, and `more`: for cases whose refusal may also be a listed 5xx.
std::vector<int> any_4xx_and(std::initializer_list<int> more) {
    std::vector<int> out;
    for (int s = 400; s < 500; ++s) {
        out.push_back(s);
    }
    out.insert(out.end(), more);
    return out;
}

/// The expectation of an `either` case: refusal with `statuses`, or acceptance and the echo.
std::string refuse_or_echo(std::string_view statuses, std::string_view accepted_note = {}) {
    return "The server either refuses the opening handshake with an HTTP error (" + std::string{statuses} +
           ") or accepts it (101)" + std::string{accepted_note} +
           " and echoes the message; clean close with normal code.";
}

/// 20.3: subprotocol and extension offers. A server picks at most one offered subprotocol, or
/// none (4.2.2), and accepts only extensions the client offered (9.1); the runner fails a
/// 101 that breaks either rule (4.1), before any frame.
void add_negotiation(catalog_builder& b) {
    b.add(accepted("20.3.1", "Offer the subprotocols \"chat, superchat\" (after any given with --protocol).",
                   {"4.2.2", "the server selects one of the offered subprotocols or none, and names at most one "
                             "in its response"},
                   editing([](client_request& r) {
                       offer_subprotocol(r, "chat");
                       offer_subprotocol(r, "superchat");
                   })));
    b.add(accepted("20.3.2", "Offer the subprotocols in two Sec-WebSocket-Protocol fields, \"chat\" in the first and "
                             "\"superchat\" in the second.",
                   {"11.3.4", "Sec-WebSocket-Protocol may appear several times in a request; the fields together "
                              "are one list, from which the server selects one or none"},
                   rewritten(
                       [](client_request& r) {
                           offer_subprotocol(r, "chat");
                           offer_subprotocol(r, "superchat");
                       },
                       [](client_request r) {
                           // The response is checked against both; the second is written alone.
                           std::erase(r.subprotocols, "superchat");
                           r.extra_fields.push_back({"Sec-WebSocket-Protocol", "superchat"});
                           return proto::build_request(r);
                       })));
    b.add(either_way("20.3.3", "Offer the same subprotocol twice: \"chat, chat\".",
                     refuse_or_echo("any 4xx", ", selecting chat or no subprotocol,"),
                     {"4.1", "offered subprotocols must be unique (a client MUST); the server may refuse, and if it "
                             "accepts it selects one offered subprotocol or none (4.2.2)"},
                     {}, editing([](client_request& r) {
                         offer_subprotocol(r, "chat");
                         r.subprotocols.push_back("chat");
                     })));
    b.add(either_way("20.3.4", "Offer a subprotocol list that breaks the token grammar: \"chat, super;chat, \" "
                               "(a separator inside an element, an empty element).",
                     refuse_or_echo("any 4xx", ", selecting one of the offered values or no subprotocol,"),
                     {"4.2.1", "a request that breaks the ABNF of a handshake field may be refused with an HTTP "
                               "error; a server that accepts selects one offered subprotocol or none (4.2.2)"},
                     {}, editing([](client_request& r) {
                         offer_subprotocol(r, "chat");
                         r.subprotocols.push_back("super;chat");
                         r.subprotocols.push_back("");
                     })));
    b.add(either_way("20.3.5", "Offer an extension no server implements: "
                               "\"Sec-WebSocket-Extensions: x-wscheck-unknown; p=1\".",
                     refuse_or_echo("any 4xx", ", declining the extension by leaving it out of its response,"),
                     {"9.1", "extension names must be registered (a client MUST), so the server may refuse; a "
                             "server accepts only extensions it supports and the client offered"},
                     {}, editing([](client_request& r) { r.extensions = "x-wscheck-unknown; p=1"; })));
    b.add(either_way("20.3.6", "Send a Sec-WebSocket-Extensions field that breaks the 9.1 grammar: "
                               "\"x-wscheck-unknown; =1, ;\" (a parameter without a name, an empty extension).",
                     refuse_or_echo("any 4xx", " without naming an extension"),
                     {"9.1", "the field must follow the extension-list grammar; a server may refuse a request "
                             "that does not (4.2.1) or decline every offer (9.1)"},
                     {}, editing([](client_request& r) { r.extensions = "x-wscheck-unknown; =1, ;"; })));
}

/// 20.4: Origin (4.2.1 item 7, 10.2). Non-browser clients send none; a server that serves
/// only some sites should refuse the others with 403, and any server may accept them.
void add_origin(catalog_builder& b) {
    b.add(accepted("20.4.1", "Send the opening handshake without an Origin field (as non-browser clients do; an "
                             "Origin given with --origin or --header is left out).",
                   {"4.2.1", "Origin is optional: a request without it is a complete opening handshake, from a "
                             "client that is not a browser"},
                   editing([](client_request& r) { drop_field(r, "Origin"); })));
    const std::string policy =
        " (accepting is recorded as INFORMATIONAL: which origins to serve is the server's policy)";
    b.add(either_way("20.4.2", "Send the opening handshake with \"Origin: https://wscheck.invalid\", a site the "
                               "server cannot know.",
                     refuse_or_echo("403; another 4xx is NON-STRICT", policy),
                     {"10.2", "a server that serves only some origins should refuse the others with 403; any "
                              "other server accepts"},
                     {403}, editing([](client_request& r) {
                         drop_field(r, "Origin");
                         r.extra_fields.push_back({"Origin", "https://wscheck.invalid"});
                     }),
                     behavior::informational));
    b.add(either_way("20.4.3", "Send the opening handshake with \"Origin: null\", which browsers send for pages "
                               "whose origin is opaque (sandboxed frames, file: URLs).",
                     refuse_or_echo("403; another 4xx is NON-STRICT", policy),
                     {"10.2", "a server that serves only some origins should refuse the others with 403; any "
                              "other server accepts"},
                     {403}, editing([](client_request& r) {
                         drop_field(r, "Origin");
                         r.extra_fields.push_back({"Origin", "null"});
                     }),
                     behavior::informational));
}

/// 20.5.12-13: a request the server must refuse (Sec-WebSocket-Version: 12, 4.4) whose
/// content, framed by `field` as `frame` makes it, is a complete valid opening handshake. The
/// server refuses and must never answer the request inside the content (RFC 9112 9.3).
/// `frame` gives the field's value and the content for the inner request's bytes.
case_def answer_in_content(std::string id,
                           std::string field,
                           std::function<std::pair<std::string, std::string>(const std::string&)> frame) {
    const bool chunked = field == "Transfer-Encoding";
    std::string description = "Send an opening handshake with Sec-WebSocket-Version: 12 (which the server must "
                              "refuse) and \"" + field + (chunked ? ": chunked\"" : ": N\"") +
                              ", whose content is a complete valid opening handshake (version 13)" +
                              (chunked ? " in one chunk" : "") + "; listen 1 s after the refusal.";
    auto c = build::make_case(
        std::move(id), std::move(description),
        "The server refuses the request with an HTTP error (400 or 426) and does not answer the request inside "
        "its content: it reads the content as the first request's, or closes the connection.",
        {"RFC 9112 9.3", "a server must read a request's whole content or close the connection after its response; "
                         "otherwise the content is read as the next request (request smuggling)"},
        [field, frame] {
            script sc;
            sc.handshake = rewritten(
                [field](client_request& r) {
                    r.ws_version = "12";
                    r.extra_fields.push_back({field, "0"});
                },
                [field, frame](client_request r) {
                    client_request inner = r;
                    inner.ws_version = "13";
                    drop_field(inner, field);
                    const auto [value, content] = frame(proto::build_request(inner));
                    drop_field(r, field);
                    r.extra_fields.push_back({field, value});
                    return proto::build_request(r) + content;
                })();
            sc.handshake.must = handshake_spec::expect::reject;
            sc.handshake.reject_statuses = {400, 426};
            sc.handshake.listen_after_refusal = milliseconds{1000};
            sc.outcomes = {build::ok()};
            sc.close = build::peer_fails();
            return sc;
        });
    c.tests_servers_only = true;
    return c;
}

/// 20.5: requests whose HTTP/1.1 framing is legal but unusual, or broken in ways RFC 9112
/// tells a server how to handle. Differences in exactly these have let a front end and a
/// server disagree about where a request ends (request smuggling).
void add_request_oddities(catalog_builder& b) {
    b.add(either_way("20.5.1", "Send the opening handshake with the Connection field folded over two lines "
                               "(obs-fold): \"Connection: keep-alive,\\r\\n Upgrade\".",
                     refuse_or_echo("400; another 4xx is NON-STRICT",
                                    ", reading the fold as a space so that Connection lists Upgrade,"),
                     {"RFC 9112 5.2", "a server that receives obs-fold in a request must either refuse it with 400 "
                                      "or replace the fold with spaces before reading the value"},
                     {400}, editing([](client_request& r) { r.connection = "keep-alive,\r\n Upgrade"; })));
    b.add(either_way("20.5.2", "Send the opening handshake with every line ended by a bare LF instead of CRLF.",
                     refuse_or_echo("any 4xx"),
                     {"RFC 9112 2.2", "a recipient may accept a bare LF as a line end; one that does not refuses "
                                      "the malformed request"},
                     {}, rewritten({}, [](const client_request& r) {
                         std::string text = proto::build_request(r);
                         std::string out;
                         out.reserve(text.size());
                         for (std::size_t i = 0; i < text.size(); ++i) {
                             if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
                                 out += text[i];
                             }
                         }
                         return out;
                     })));
    b.add(refused("20.5.3", "Send the opening handshake with a space between a field name and its colon: "
                            "\"X-Wscheck-Case : 20.5.3\".",
                  {"RFC 9112 5.1", "a server must refuse with 400 a request with whitespace between a field name "
                                   "and the colon"},
                  {400}, [](client_request& r) { r.extra_fields.push_back({"X-Wscheck-Case ", "20.5.3"}); }));
    b.add(either_way("20.5.4", "Send the opening handshake with a NUL octet inside a field value: "
                               "\"X-Wscheck-Case: 20.5\\0.4\".",
                     refuse_or_echo("any 4xx", ", reading the NUL as a space,"),
                     {"RFC 9110 5.5", "a recipient of NUL in a field value must either reject the message or "
                                      "replace the NUL with a space before processing it"},
                     {}, editing([](client_request& r) {
                         r.extra_fields.push_back({"X-Wscheck-Case", std::string{"20.5\0.4", 7}});
                     })));
    b.add(accepted("20.5.5", "Send the request target in absolute form, \"GET http://<host><path> HTTP/1.1\".",
                   {"4.2.1", "the request-target may be an absolute http or https URI holding the resource name "
                             "(RFC 9112 3.2.2: a server must accept the absolute form)"},
                   editing([](client_request& r) { r.target = "http://" + r.host + r.target; })));
    b.add(either_way("20.5.6", "Send a request line of 8000 octets: the target with a query parameter "
                               "\"wscheck=aaa...\" making it that long.",
                     refuse_or_echo("414; another 4xx is NON-STRICT"),
                     {"RFC 9112 3", "recipients should support request lines of at least 8000 octets; a server "
                                    "refusing a target as too long answers 414"},
                     {414}, editing([](client_request& r) {
                         // "GET " + target + " HTTP/1.1" is 8000 octets.
                         constexpr std::size_t line = 8000;
                         const std::string param = (r.target.find('?') == std::string::npos ? "?" : "&") +
                                                   std::string{"wscheck="};
                         const std::size_t used = 4 + r.target.size() + param.size() + 9;
                         r.target += param + std::string(used < line ? line - used : 0, 'a');
                     })));
    b.add(either_way("20.5.7", "Send two Upgrade fields, \"Upgrade: h2c\" and then \"Upgrade: websocket\".",
                     refuse_or_echo("any 4xx", " with \"Upgrade: websocket\" alone in its response,"),
                     {"RFC 9110 7.8", "Upgrade is a list (two fields are \"h2c, websocket\"), from which a server "
                                      "may pick websocket or which it may refuse; a 101 names the protocol it "
                                      "switches to (4.1: websocket only)"},
                     {}, editing([](client_request& r) {
                         r.upgrade = "h2c";
                         r.extra_fields.push_back({"Upgrade", "websocket"});
                     })));
    b.add(accepted("20.5.8", "Send two Connection fields, \"Connection: keep-alive\" and then "
                              "\"Connection: Upgrade\".",
                   {"4.2.1", "Connection must list the token Upgrade; several Connection fields are one list "
                             "(RFC 9110 5.3), so this one does"},
                   editing([](client_request& r) {
                       r.connection = "keep-alive";
                       r.extra_fields.push_back({"Connection", "Upgrade"});
                   })));
    b.add(either_way("20.5.9", "Send the opening handshake with \"Content-Length: 5\" and the 5-byte body \"hello\" "
                               "right after the head.",
                     refuse_or_echo("any 4xx", ", reading the 5 bytes as the request's content, not as "
                                               "WebSocket data,"),
                     {"RFC 9112 6.3", "Content-Length gives the length of the request's content; the upgraded "
                                      "protocol starts after the whole request (RFC 9110 7.8), so the body is never "
                                      "read as frames"},
                     {}, rewritten(
                         [](client_request& r) { r.extra_fields.push_back({"Content-Length", "5"}); },
                         [](const client_request& r) { return proto::build_request(r) + "hello"; })));
    b.add(either_way("20.5.10", "Send the opening handshake with \"Transfer-Encoding: chunked\" and an empty chunked "
                               "body (\"0\\r\\n\\r\\n\") right after the head.",
                     refuse_or_echo("any 4xx, or 501", ", reading the chunked body as the request's content, "
                                                       "not as WebSocket data,"),
                     {"RFC 9112 7.1", "every HTTP/1.1 recipient must parse chunked content, which ends with the "
                                      "zero-size chunk; the upgraded protocol starts after it (RFC 9110 7.8)"},
                     any_4xx_and({501}), rewritten(
                         [](client_request& r) { r.extra_fields.push_back({"Transfer-Encoding", "chunked"}); },
                         [](const client_request& r) { return proto::build_request(r) + "0\r\n\r\n"; })));
    b.add(either_way("20.5.11", "Send the opening handshake with \"Expect: 100-continue\" and \"Content-Length: 5\"; "
                                "send the 5-byte content \"hello\" once a 100 (Continue) came, or after 1 s without "
                                "one.",
                     refuse_or_echo("any 4xx", " with a 100 (Continue) before its 101 (unless the content was "
                                               "already sent), reading the 5 bytes as the request's content,"),
                     {"RFC 9110 7.8", "a server that receives both Upgrade and Expect: 100-continue must send a 100 "
                                      "(Continue) before a 101 (Switching Protocols)"},
                     {}, [] {
                         handshake_spec hs;
                         hs.edit_request = [](client_request& r) {
                             r.extra_fields.push_back({"Expect", "100-continue"});
                             r.extra_fields.push_back({"Content-Length", "5"});
                         };
                         hs.content = "hello";
                         hs.await_continue = milliseconds{1000};
                         return hs;
                     }));
    b.add(answer_in_content("20.5.12", "Content-Length", [](const std::string& inner) {
        return std::pair{std::to_string(inner.size()), inner};
    }));
    b.add(answer_in_content("20.5.13", "Transfer-Encoding", [](const std::string& inner) {
        char size[20];
        std::snprintf(size, sizeof size, "%zx", inner.size());
        return std::pair{std::string{"chunked"}, std::string{size} + "\r\n" + inner + "\r\n0\r\n\r\n"};
    }));
}

} // namespace

void add_handshake(catalog_builder& b) {
    b.add_section("20", "Opening Handshake");
    b.add_section("20.1", "Requests the server must refuse");
    b.add_section("20.2", "Request variants the server must accept");
    b.add_section("20.3", "Subprotocol and extension offers");
    b.add_section("20.4", "Origin");
    b.add_section("20.5", "Odd HTTP framing of the request");

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
                       [hs] { return hs; }));
    }

    add_negotiation(b);
    add_origin(b);
    add_request_oddities(b);
}

} // namespace wscheck::cases
