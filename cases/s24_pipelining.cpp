// Section 24, Message order under pipelining (wscheck's own). Every other case waits for an echo
// before it sends the next message, so the order of what comes back is never judged; here the
// messages go back to back without waiting, and each echo must come back in the order its
// message went. RFC 6455 5.4: "Message fragments MUST be delivered to the recipient in the order
// sent by the sender", and a receiver has received a message when its last frame arrives
// (6.2), one after another, so an echo server's echoes follow the order of the messages. Pings
// among the messages are answered in their own order (5.5.2), but a Pong may come before or
// after an echo of an earlier message: the two orders are judged apart.
//
// Each family runs three ways: 24.1 a write per message, 24.2 all in one write, 24.3 that one
// write cut into pieces of 7 bytes (message boundaries fall anywhere in a read). Both roles: a
// client under test echoes as a server does (the Autobahn Testsuite's client protocol).
#include "cases/builders.hpp"
#include "cases/catalog.hpp"

#include <algorithm>
#include <string>

namespace wscheck::cases {

namespace {

using proto::opcode;

const rfc_ref in_order{"5.4, 6.2", "frames are delivered in the order sent and a message is received when its "
                                   "last frame is: echoes come back in the order of their messages"};

/// Message `i`'s payload: "message-0007" padded with '.' to `size` bytes (at least the label).
payload numbered(std::size_t i, std::size_t size) {
    std::string p = std::to_string(i);
    p = "message-" + std::string(4 - std::min<std::size_t>(4, p.size()), '0') + p;
    if (p.size() < size) {
        p.append(size - p.size(), '.');
    }
    return payload{p};
}

send_message message(opcode op, payload data, std::size_t fragment_size = 0) {
    send_message m;
    m.op = op;
    m.data = std::move(data);
    m.fragment_size = fragment_size;
    return m;
}

event answer_to(const send_message& m) {
    switch (m.op) {
    case opcode::binary: return build::binary(m.data);
    case opcode::ping: return build::pong(m.data);
    default: return build::text(m.data);
    }
}

/// How the messages go out.
enum class delivery { write_each, one_write, chopped };
constexpr std::size_t chop_size = 7;

void add_sends(script& sc, const std::vector<send_message>& messages, delivery how) {
    if (how == delivery::write_each) {
        for (const auto& m : messages) {
            sc.steps.emplace_back(m);
        }
        return;
    }
    sc.steps.emplace_back(send_batch{messages, how == delivery::chopped ? chop_size : 0});
}

/// `got` is the echoes of the data messages in order and the Pongs of the Pings in order,
/// the two interleaved in any way, and nothing else.
bool each_kind_in_order(const std::vector<event>& got, const std::vector<event>& echoes,
                        const std::vector<event>& pongs) {
    std::size_t e = 0;
    std::size_t p = 0;
    for (const auto& g : got) {
        if (e < echoes.size() && g == echoes[e]) {
            ++e;
        } else if (p < pongs.size() && g == pongs[p]) {
            ++p;
        } else {
            return false;
        }
    }
    return e == echoes.size() && p == pongs.size();
}

/// One family: `messages` sent `how`, each answered in order.
case_def ordered_case(std::string id, std::string what, delivery how, std::vector<send_message> messages) {
    const char* way = how == delivery::write_each ? "each in a write of its own, without waiting for any echo"
                      : how == delivery::one_write ? "all in one write"
                                                   : "all in one write cut into pieces of 7 bytes";
    const bool pings = std::any_of(messages.begin(), messages.end(), [](const send_message& m) {
        return m.op == opcode::ping;
    });
    std::string expectation = "Every message is echoed, in the order sent";
    expectation += pings ? "; every Ping is answered with its Pong, in the order sent (a Pong may come "
                           "before or after the echo of an earlier message)."
                         : ".";
    auto c = build::make_case(std::move(id), "Send " + what + ", " + way + ".", std::move(expectation), in_order,
                              [messages, how, pings] {
                                  script sc;
                                  add_sends(sc, messages, how);
                                  std::vector<event> echoes;
                                  std::vector<event> pongs;
                                  for (const auto& m : messages) {
                                      (m.op == opcode::ping ? pongs : echoes).push_back(answer_to(m));
                                  }
                                  if (!pings) {
                                      sc.outcomes = {build::ok(std::move(echoes))};
                                  } else {
                                      outcome o;
                                      o.verdict = behavior::ok;
                                      o.rule = "the echoes in order and the Pongs in order, interleaved in any way";
                                      o.accepts = [echoes, pongs](const std::vector<event>& got) {
                                          return each_kind_in_order(got, echoes, pongs);
                                      };
                                      sc.outcomes = {std::move(o)};
                                  }
                                  sc.close = build::we_close();
                                  return sc;
                              });
    if (pings) {
        // A predicate never matches the events exactly, so the case cannot close as soon as the
        // last answer came: it closes after its timeout (case.hpp).
        c.on_timeout = timeout_action::close;
    }
    return c;
}

std::vector<send_message> equal_texts(std::size_t count) {
    std::vector<send_message> out;
    for (std::size_t i = 0; i < count; ++i) {
        out.push_back(message(opcode::text, numbered(i, 16)));
    }
    return out;
}

std::vector<send_message> small_after_large() {
    std::vector<send_message> out{message(opcode::binary, build::filled(0x5a, 64 * 1024))};
    for (std::size_t i = 1; i < 10; ++i) {
        out.push_back(message(opcode::text, numbered(i, 16)));
    }
    return out;
}

std::vector<send_message> mixed() {
    constexpr std::size_t sizes[] = {16, 125, 126, 2048};
    std::vector<send_message> out;
    for (std::size_t i = 0; i < 100; ++i) {
        out.push_back(message(i % 2 == 0 ? opcode::text : opcode::binary, numbered(i, sizes[i % 4])));
    }
    return out;
}

std::vector<send_message> with_pings() {
    std::vector<send_message> out;
    for (std::size_t i = 0; i < 10; ++i) {
        out.push_back(message(opcode::text, numbered(i, 16)));
        out.push_back(message(opcode::ping, payload{"ping-" + std::to_string(i)}));
    }
    return out;
}

std::vector<send_message> fragmented() {
    std::vector<send_message> out;
    for (std::size_t i = 0; i < 10; ++i) {
        out.push_back(message(opcode::text, numbered(i, 24), 8));
    }
    return out;
}

void add_family(catalog_builder& b, const std::string& section, const std::string& title, delivery how) {
    b.add_section(section, title);
    b.add(ordered_case(section + ".1", "10 text messages of 16 bytes", how, equal_texts(10)));
    b.add(ordered_case(section + ".2", "1000 text messages of 16 bytes", how, equal_texts(1000)));
    b.add(ordered_case(section + ".3", "a binary message of 64 KiB, then 9 text messages of 16 bytes", how,
                       small_after_large()));
    b.add(ordered_case(section + ".4",
                       "100 messages, text and binary by turns, of 16, 125, 126 and 2048 bytes by turns", how,
                       mixed()));
    b.add(ordered_case(section + ".5", "10 text messages of 16 bytes, each followed by a Ping", how, with_pings()));
    b.add(ordered_case(section + ".6", "10 text messages of 24 bytes, each in 3 frames of 8 bytes", how,
                       fragmented()));
}

} // namespace

void add_pipelining(catalog_builder& b) {
    b.add_section("24", "Message order under pipelining");
    add_family(b, "24.1", "A write per message", delivery::write_each);
    add_family(b, "24.2", "All in one write", delivery::one_write);
    add_family(b, "24.3", "One write in 7-byte pieces", delivery::chopped);
}

} // namespace wscheck::cases
