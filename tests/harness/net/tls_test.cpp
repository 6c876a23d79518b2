#include "harness/net/tls.hpp"

#include "harness/net/setup_error.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace wscheck::net {
namespace {

tls_client_options options_trusting(const std::string& pem) {
    tls_client_options options;
    options.ca_pem = pem;
    return options;
}

tls_client_options options_with_ca_file(const std::string& file) {
    tls_client_options options;
    options.ca_file = file;
    return options;
}

tls_client_options insecure_options() {
    tls_client_options options;
    options.insecure = true;
    return options;
}

struct x509_free_ptr {
    void operator()(X509* x) const noexcept { X509_free(x); }
};

std::unique_ptr<X509, x509_free_ptr> parse_cert(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    return std::unique_ptr<X509, x509_free_ptr>(cert);
}

TEST(tls, self_signed_certificate_names_localhost_and_loopback_addresses) {
    const auto pair = generate_self_signed();
    ASSERT_NE(pair.cert_pem.find("BEGIN CERTIFICATE"), std::string::npos);
    ASSERT_NE(pair.key_pem.find("PRIVATE KEY"), std::string::npos);
    const auto cert = parse_cert(pair.cert_pem);
    ASSERT_TRUE(cert);
    EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
    EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
    EXPECT_NE(X509_check_host(cert.get(), "example.com", 0, 0, nullptr), 1);
    char cn[64] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
    EXPECT_STREQ(cn, "localhost");
    // Self-signed: issuer = subject, and the signature verifies with its own key.
    EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())), 0);
    EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(cert.get())), 1);
}

TEST(tls, two_generated_certificates_differ) {
    EXPECT_NE(generate_self_signed().cert_pem, generate_self_signed().cert_pem);
}

TEST(tls, server_context_loads_a_generated_pair) {
    EXPECT_NO_THROW(make_server_context(generate_self_signed()));
}

TEST(tls, server_context_refuses_a_key_of_another_certificate) {
    auto a = generate_self_signed();
    const auto b = generate_self_signed();
    a.key_pem = b.key_pem;
    EXPECT_THROW(make_server_context(a), setup_error);
}

TEST(tls, server_context_refuses_garbage) {
    EXPECT_THROW(make_server_context({"not a certificate", "not a key"}), setup_error);
}

TEST(tls, missing_files_name_the_file) {
    try {
        load_certificate_files("/nonexistent/cert.pem", "/nonexistent/key.pem");
        FAIL() << "no exception";
    } catch (const setup_error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "cannot read certificate file '/nonexistent/cert.pem': No such file or directory");
    }
    try {
        make_client_context(options_with_ca_file("/nonexistent/ca.pem"));
        FAIL() << "no exception";
    } catch (const setup_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/ca.pem"), std::string::npos);
    }
}

TEST(tls, client_context_accepts_pem_text_as_trust_anchor) {
    EXPECT_NO_THROW(make_client_context(options_trusting(generate_self_signed().cert_pem)));
    EXPECT_THROW(make_client_context(options_trusting("garbage")), setup_error);
    EXPECT_NO_THROW(make_client_context(insecure_options()));
}

} // namespace
} // namespace wscheck::net
