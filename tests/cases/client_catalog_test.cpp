// The catalog a client is tested with: which cases apply, and sections 30 and 31.
#include "cases/catalog.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace {

using namespace wscheck::cases;

std::vector<deflate_accept_rule> get_accept(const std::string& id) {
    const auto* c = client_catalog().find(id);
    return c ? c->build().deflate->accept : std::vector<deflate_accept_rule>{};
}

TEST(ClientCatalog, EveryCaseThatAppliesToAClientAndSections30And31) {
    std::size_t from_servers = 0;
    for (const auto& c : full_catalog().cases()) {
        EXPECT_FALSE(c.tests_clients_only) << c.id << " would run against servers";
        const bool present = client_catalog().find(c.id) != nullptr;
        EXPECT_EQ(present, !c.tests_servers_only) << c.id;
        from_servers += present ? 1 : 0;
    }
    std::size_t own = 0;
    for (const auto& c : client_catalog().cases()) {
        if (c.id.starts_with("30.") || c.id.starts_with("31.")) {
            ++own;
            EXPECT_TRUE(c.tests_clients_only) << c.id;
            EXPECT_FALSE(c.rfc.clause.empty()) << c.id;
        }
    }
    EXPECT_EQ(client_catalog().cases().size(), from_servers + own);
    EXPECT_EQ(own, 20u + 17u);
    // Section 20 (requests a server must refuse) has no case left, so no heading either.
    EXPECT_TRUE(client_catalog().section_title("20.1.1").empty());
    EXPECT_FALSE(client_catalog().section_title("9.1.1").empty());
}

TEST(ClientCatalog, RefusedResponsesAreBrokenAndAcceptedOnesValid) {
    const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
    const std::string right_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; // RFC 6455 1.3
    for (const auto& c : client_catalog().cases()) {
        if (!c.id.starts_with("30.1.") && !c.id.starts_with("30.2.")) {
            continue;
        }
        SCOPED_TRACE(c.id);
        const auto s = c.build();
        ASSERT_TRUE(s.handshake.respond);
        const auto response = s.handshake.respond(key, wscheck::proto::http_head{});
        wscheck::proto::http_parser p{wscheck::proto::http_parser::kind::response};
        std::size_t used = 0;
        ASSERT_EQ(p.feed(response, used), wscheck::proto::http_parser::status::done);
        wscheck::proto::client_request req;
        req.key = key;
        wscheck::proto::accepted_response accepted;
        const auto ec = wscheck::proto::check_response(p.head(), req, accepted);
        if (c.id.starts_with("30.1.")) {
            EXPECT_EQ(s.handshake.must, handshake_spec::expect::reject);
            EXPECT_TRUE(ec) << "the response passes the checks of 4.1";
        } else {
            EXPECT_EQ(s.handshake.must, handshake_spec::expect::accept);
            EXPECT_FALSE(ec) << ec.message();
        }
        if (c.id == "30.2.1") {
            EXPECT_NE(response.find(right_accept), std::string::npos);
        }
    }
}

namespace deflate_offers {

using wscheck::proto::deflate_offer;

deflate_offer bare() { return {}; }
deflate_offer with_client_window() {
    deflate_offer o;
    o.client_max_window_bits = true;
    return o;
}
/// Asks for everything: so every case of 31.1 has a response to refuse but 31.1.9.
deflate_offer asking() {
    deflate_offer o;
    o.server_no_context_takeover = true;
    o.client_no_context_takeover = true;
    o.server_max_window_bits = 12;
    o.client_max_window_bits = true;
    o.client_max_window_bits_value = 12;
    return o;
}

} // namespace deflate_offers

// 31.1: for every offer, the crafted response is either one the core's client check refuses
// (RFC 7692 5, 7.1), or the case says why this offer leaves nothing to refuse.
TEST(ClientCatalog, Section31ResponsesAreRefusedOrUntestable) {
    using namespace deflate_offers;
    for (const auto& offers : std::vector<std::vector<deflate_offer>>{{bare()}, {with_client_window()}, {asking()},
                                                                       {asking(), bare()}}) {
        const std::string offered = wscheck::proto::format_deflate_offers(offers);
        std::size_t refusable = 0;
        for (const auto& c : client_catalog().cases()) {
            if (!c.id.starts_with("31.1.")) {
                continue;
            }
            SCOPED_TRACE(c.id + " answering " + offered);
            EXPECT_TRUE(c.tests_clients_only);
            const auto s = c.build();
            ASSERT_TRUE(s.deflate);
            ASSERT_TRUE(s.deflate->craft);
            EXPECT_EQ(s.handshake.must, handshake_spec::expect::reject);
            const auto crafted = s.deflate->craft(offers);
            if (!crafted.untestable.empty()) {
                EXPECT_TRUE(crafted.extensions.empty());
                continue;
            }
            ++refusable;
            const auto parsed = wscheck::proto::parse_extensions(crafted.extensions);
            ASSERT_TRUE(parsed) << crafted.extensions;
            std::optional<wscheck::proto::deflate_agreement> agreed;
            EXPECT_TRUE(wscheck::proto::check_deflate_response(offers, *parsed, agreed))
                << "a client may accept \"" << crafted.extensions << "\"";
        }
        // 31.1.1-31.1.8 apply to any offer; 31.1.10-31.1.12 only where the offer asks for
        // what they break; 31.1.9 only to an offer without client_max_window_bits.
        const bool asks = offers.size() == 1 && offers.front() == asking();
        EXPECT_EQ(refusable, 8u + (asks ? 3u : 0u) + (offers.front() == bare() ? 1u : 0u));
    }
}

// 31.2: the answers are valid for the offer (the core's check accepts them), and ask what the
// case says.
TEST(ClientCatalog, Section31AnswersAreValid) {
    using namespace deflate_offers;
    for (const auto& offer : {bare(), with_client_window(), asking()}) {
        for (const auto& c : client_catalog().cases()) {
            if (!c.id.starts_with("31.2.")) {
                continue;
            }
            SCOPED_TRACE(c.id);
            const auto s = c.build();
            ASSERT_TRUE(s.deflate);
            EXPECT_TRUE(s.deflate->required);
            EXPECT_FALSE(s.deflate->craft);
            EXPECT_EQ(s.handshake.must, handshake_spec::expect::accept);
            EXPECT_FALSE(s.outcomes.empty());
            for (const auto& rule : s.deflate->accept) {
                if (rule.ask_client_window && !offer.client_max_window_bits) {
                    continue; // 7.1.2.2: not applicable; the runner says UNIMPLEMENTED
                }
                const auto a = wscheck::proto::negotiate_deflate({wscheck::proto::to_extension(offer)}, rule.policy);
                ASSERT_TRUE(a);
                EXPECT_FALSE(wscheck::proto::check_deflate_acceptance(offer, a->response));
            }
        }
    }
    EXPECT_TRUE(get_accept("31.2.5").empty()) << "31.2.5 declines";
    EXPECT_TRUE(get_accept("31.2.3").front().policy.client_no_context_takeover);
    EXPECT_EQ(get_accept("31.2.4").front().policy.client_max_window_bits, 10);
}

} // namespace
