// The catalog a client is tested with: which cases apply, and section 30.
#include "cases/catalog.hpp"

#include <gtest/gtest.h>

namespace {

using namespace wscheck::cases;

TEST(ClientCatalog, EveryCaseThatAppliesToAClientAndSection30) {
    std::size_t from_servers = 0;
    for (const auto& c : full_catalog().cases()) {
        EXPECT_FALSE(c.tests_clients_only) << c.id << " would run against servers";
        const bool present = client_catalog().find(c.id) != nullptr;
        EXPECT_EQ(present, !c.tests_servers_only) << c.id;
        from_servers += present ? 1 : 0;
    }
    std::size_t own = 0;
    for (const auto& c : client_catalog().cases()) {
        if (c.id.starts_with("30.")) {
            ++own;
            EXPECT_TRUE(c.tests_clients_only) << c.id;
            EXPECT_FALSE(c.rfc.clause.empty()) << c.id;
        }
    }
    EXPECT_EQ(client_catalog().cases().size(), from_servers + own);
    EXPECT_EQ(own, 20u);
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

} // namespace
