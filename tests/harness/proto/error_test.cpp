#include "harness/proto/error.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace wscheck::proto {
namespace {

// Every enumerator with its name as spelled in error.hpp: the table is indexed by value, so a
// row out of place would give some violation another's name, section and close code.
const std::vector<std::pair<violation, std::string_view>>& all_violations() {
    static const std::vector<std::pair<violation, std::string_view>> all{
        {violation::bad_reserved_bits, "bad_reserved_bits"},
        {violation::bad_opcode, "bad_opcode"},
        {violation::fragmented_control, "fragmented_control"},
        {violation::control_too_big, "control_too_big"},
        {violation::non_minimal_length, "non_minimal_length"},
        {violation::length_msb_set, "length_msb_set"},
        {violation::missing_mask, "missing_mask"},
        {violation::unexpected_mask, "unexpected_mask"},
        {violation::bad_continuation, "bad_continuation"},
        {violation::missing_continuation, "missing_continuation"},
        {violation::frame_too_big, "frame_too_big"},
        {violation::message_too_big, "message_too_big"},
        {violation::bad_utf8, "bad_utf8"},
        {violation::bad_close_size, "bad_close_size"},
        {violation::bad_close_code, "bad_close_code"},
        {violation::bad_close_reason, "bad_close_reason"},
        {violation::data_after_close, "data_after_close"},
        {violation::bad_compressed_data, "bad_compressed_data"},
        {violation::http_malformed, "http_malformed"},
        {violation::http_too_big, "http_too_big"},
        {violation::http_bad_method, "http_bad_method"},
        {violation::http_bad_version, "http_bad_version"},
        {violation::http_no_host, "http_no_host"},
        {violation::no_upgrade, "no_upgrade"},
        {violation::no_connection_upgrade, "no_connection_upgrade"},
        {violation::bad_sec_key, "bad_sec_key"},
        {violation::bad_version, "bad_version"},
        {violation::bad_status, "bad_status"},
        {violation::bad_accept, "bad_accept"},
        {violation::bad_subprotocol, "bad_subprotocol"},
        {violation::bad_extension, "bad_extension"},
    };
    return all;
}

bool is_handshake(violation v) {
    return static_cast<int>(v) >= static_cast<int>(violation::http_malformed);
}

TEST(violation_table, every_row_names_its_own_enumerator) {
    for (const auto& [v, name] : all_violations()) {
        EXPECT_EQ(info(v).name, name);
    }
    // The list above is complete: values run 1..N without gaps.
    EXPECT_EQ(static_cast<std::size_t>(violation::bad_extension), all_violations().size());
}

TEST(violation_table, every_row_has_a_section_and_a_distinct_sentence) {
    std::set<std::string_view> messages;
    for (const auto& [v, name] : all_violations()) {
        const violation_info& row = info(v);
        EXPECT_FALSE(row.section.empty()) << name;
        EXPECT_FALSE(row.message.empty()) << name;
        EXPECT_TRUE(messages.insert(row.message).second) << "duplicate sentence for " << name;
    }
}

TEST(violation_table, frame_violations_fail_with_a_close_code_and_no_status) {
    for (const auto& [v, name] : all_violations()) {
        if (is_handshake(v)) {
            continue;
        }
        const violation_info& row = info(v);
        EXPECT_EQ(row.http_status, 0) << name;
        // 7.4.1: only these three are ever the result of a peer's violation.
        EXPECT_TRUE(row.close_code == 1002 || row.close_code == 1007 || row.close_code == 1009)
            << name << " " << row.close_code;
    }
}

TEST(violation_table, close_codes_follow_7_4_1) {
    // 1007: data inconsistent with the message type.
    EXPECT_EQ(info(violation::bad_utf8).close_code, 1007);
    EXPECT_EQ(info(violation::bad_close_reason).close_code, 1007);
    EXPECT_EQ(info(violation::bad_compressed_data).close_code, 1007);
    // 1009: too big to process.
    EXPECT_EQ(info(violation::frame_too_big).close_code, 1009);
    EXPECT_EQ(info(violation::message_too_big).close_code, 1009);
    // 1002: protocol errors.
    EXPECT_EQ(info(violation::bad_opcode).close_code, 1002);
    EXPECT_EQ(info(violation::missing_mask).close_code, 1002);
    EXPECT_EQ(info(violation::bad_close_code).close_code, 1002);
    EXPECT_EQ(info(violation::bad_close_size).close_code, 1002);
}

TEST(violation_table, handshake_violations_have_no_close_code) {
    for (const auto& [v, name] : all_violations()) {
        if (is_handshake(v)) {
            EXPECT_EQ(info(v).close_code, 0) << name;
        }
    }
}

TEST(violation_table, request_violations_carry_the_status_a_server_answers_with) {
    EXPECT_EQ(info(violation::http_malformed).http_status, 400);
    EXPECT_EQ(info(violation::http_too_big).http_status, 431);
    EXPECT_EQ(info(violation::http_bad_method).http_status, 405);
    EXPECT_EQ(info(violation::http_bad_version).http_status, 400);
    EXPECT_EQ(info(violation::http_no_host).http_status, 400);
    EXPECT_EQ(info(violation::no_upgrade).http_status, 400);
    EXPECT_EQ(info(violation::no_connection_upgrade).http_status, 400);
    EXPECT_EQ(info(violation::bad_sec_key).http_status, 400);
    EXPECT_EQ(info(violation::bad_version).http_status, 426);
    // Only a server's response commits these; no server answers them.
    EXPECT_EQ(info(violation::bad_status).http_status, 0);
    EXPECT_EQ(info(violation::bad_accept).http_status, 0);
    EXPECT_EQ(info(violation::bad_subprotocol).http_status, 0);
    EXPECT_EQ(info(violation::bad_extension).http_status, 0);
}

TEST(violation_table, sections_name_the_rule) {
    EXPECT_EQ(info(violation::bad_opcode).section, "5.2");
    EXPECT_EQ(info(violation::fragmented_control).section, "5.5");
    EXPECT_EQ(info(violation::missing_mask).section, "5.1");
    EXPECT_EQ(info(violation::bad_continuation).section, "5.4");
    EXPECT_EQ(info(violation::bad_utf8).section, "8.1");
    EXPECT_EQ(info(violation::bad_compressed_data).section, "RFC 7692 6.2");
}

TEST(violation_table, out_of_range_value_gets_a_fallback_row) {
    EXPECT_EQ(info(static_cast<violation>(0)).name, "unknown");
    EXPECT_EQ(info(static_cast<violation>(999)).name, "unknown");
    EXPECT_EQ(info(static_cast<violation>(-3)).close_code, 0);
}

TEST(error_code, carries_the_violation_category_and_message) {
    const std::error_code ec = violation::bad_opcode;
    EXPECT_EQ(&ec.category(), &violation_category());
    EXPECT_EQ(ec.value(), static_cast<int>(violation::bad_opcode));
    EXPECT_EQ(ec.message(), std::string{info(violation::bad_opcode).message});
    EXPECT_TRUE(static_cast<bool>(ec));
    EXPECT_EQ(ec, violation::bad_opcode);
    EXPECT_NE(ec, violation::bad_reserved_bits);
    EXPECT_STRNE(violation_category().name(), condition_category().name());
}

TEST(error_code, compares_equal_to_its_condition_and_not_the_other) {
    for (const auto& [v, name] : all_violations()) {
        const std::error_code ec = v;
        const bool hs = is_handshake(v);
        EXPECT_EQ(ec == condition::handshake_failed, hs) << name;
        EXPECT_EQ(ec == condition::protocol_violation, !hs) << name;
        EXPECT_EQ(condition::handshake_failed == ec, hs) << name;
        EXPECT_EQ(ec.default_error_condition() == make_error_condition(condition::handshake_failed),
                  hs)
            << name;
    }
}

TEST(error_code, other_categories_do_not_match_our_conditions) {
    const std::error_code io = std::make_error_code(std::errc::connection_reset);
    EXPECT_FALSE(io == condition::handshake_failed);
    EXPECT_FALSE(io == condition::protocol_violation);
    EXPECT_EQ(info(io), nullptr);
    EXPECT_EQ(info(std::error_code{}), nullptr);
    // The same integer in another category is not our violation.
    const std::error_code generic{static_cast<int>(violation::bad_opcode), std::generic_category()};
    EXPECT_NE(generic, violation::bad_opcode);
    EXPECT_EQ(info(generic), nullptr);
}

TEST(error_code, info_of_a_code_is_the_row) {
    const std::error_code ec = violation::bad_version;
    const violation_info* row = info(ec);
    ASSERT_NE(row, nullptr);
    EXPECT_EQ(row, &info(violation::bad_version));
    EXPECT_EQ(row->name, "bad_version");
}

TEST(error_condition, has_messages_for_both_families) {
    const std::error_condition hs = condition::handshake_failed;
    const std::error_condition pv = condition::protocol_violation;
    EXPECT_EQ(&hs.category(), &condition_category());
    EXPECT_NE(hs, pv);
    EXPECT_FALSE(hs.message().empty());
    EXPECT_FALSE(pv.message().empty());
    EXPECT_NE(hs.message(), pv.message());
}

} // namespace
} // namespace wscheck::proto
