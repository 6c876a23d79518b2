#include "harness/net/tls.hpp"

#include "harness/net/setup_error.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace wscheck::net {

namespace {

// OpenSSL objects with their free functions, so every early return cleans up.
template <typename T, void (*Free)(T*)>
struct openssl_deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, openssl_deleter<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO, BIO_free_all>>;
using bignum_ptr = std::unique_ptr<BIGNUM, openssl_deleter<BIGNUM, BN_free>>;
using ext_ptr = std::unique_ptr<X509_EXTENSION, openssl_deleter<X509_EXTENSION, X509_EXTENSION_free>>;

[[noreturn]] void fail_openssl(const std::string& what) {
    const unsigned long code = ERR_get_error();
    const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
    const std::string detail = reason != nullptr ? reason : "unknown OpenSSL error";
    ERR_clear_error();
    throw setup_error(what + ": " + detail);
}

std::string read_file(const std::string& path, std::string_view what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw setup_error("cannot read " + std::string(what) + " '" + path +
                          "': " + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string{};
}

void add_extension(X509* cert, X509V3_CTX& ctx, int nid, const char* value) {
    ext_ptr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
        fail_openssl(std::string("cannot add certificate extension ") + value);
    }
}

} // namespace

ssl::context make_client_context(const tls_client_options& options) {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (options.insecure) {
        ctx.set_verify_mode(ssl::verify_none);
        return ctx;
    }
    ctx.set_verify_mode(ssl::verify_peer);
    boost::system::error_code ec;
    if (!options.ca_file.empty()) {
        // Read it ourselves first: OpenSSL's error for a missing file says nothing useful.
        const auto pem = read_file(options.ca_file, "CA file");
        ctx.add_certificate_authority(boost::asio::buffer(pem), ec);
        if (ec) {
            throw setup_error("cannot load CA file '" + options.ca_file + "': " + ec.message());
        }
    } else if (!options.ca_pem.empty()) {
        ctx.add_certificate_authority(boost::asio::buffer(options.ca_pem), ec);
        if (ec) {
            throw setup_error("cannot load CA certificate: " + ec.message());
        }
    } else {
        ctx.set_default_verify_paths(ec);
        if (ec) {
            throw setup_error("cannot load the system's CA store: " + ec.message());
        }
    }
    return ctx;
}

ssl::context make_server_context(const certificate_pair& pair) {
    ssl::context ctx(ssl::context::tls_server);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    ctx.use_certificate_chain(boost::asio::buffer(pair.cert_pem), ec);
    if (ec) {
        throw setup_error("cannot load the server certificate: " + ec.message());
    }
    ctx.use_private_key(boost::asio::buffer(pair.key_pem), ssl::context::pem, ec);
    if (ec) {
        throw setup_error("cannot load the server private key: " + ec.message());
    }
    if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
        ERR_clear_error();
        throw setup_error("the private key does not match the server certificate");
    }
    return ctx;
}

certificate_pair load_certificate_files(const std::string& cert_file, const std::string& key_file) {
    return {read_file(cert_file, "certificate file"), read_file(key_file, "key file")};
}

certificate_pair generate_self_signed(std::string_view common_name) {
    pkey_ptr key(EVP_EC_gen("P-256"));
    if (!key) {
        fail_openssl("cannot generate an EC P-256 key");
    }
    x509_ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1) { // 2 = X.509 v3
        fail_openssl("cannot create a certificate");
    }
    // RFC 5280 4.1.2.2: a positive serial of up to 20 octets; random so that browsers and
    // clients never see two different certificates with the same issuer and serial.
    bignum_ptr serial(BN_new());
    if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
        fail_openssl("cannot set the certificate serial number");
    }
    if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600) == nullptr ||
        X509_set_pubkey(cert.get(), key.get()) != 1) {
        fail_openssl("cannot set the certificate validity or key");
    }
    const std::string cn(common_name);
    X509_NAME* name = X509_get_subject_name(cert.get());
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                   0) != 1 ||
        X509_set_issuer_name(cert.get(), name) != 1) {
        fail_openssl("cannot set the certificate name");
    }
    X509V3_CTX ext_ctx;
    X509V3_set_ctx_nodb(&ext_ctx);
    X509V3_set_ctx(&ext_ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    add_extension(cert.get(), ext_ctx, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), ext_ctx, NID_subject_key_identifier, "hash");
    add_extension(cert.get(), ext_ctx, NID_authority_key_identifier, "keyid:always");
    add_extension(cert.get(), ext_ctx, NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), ext_ctx, NID_subject_alt_name,
                  "DNS:localhost,IP:127.0.0.1,IP:::1");
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
        fail_openssl("cannot sign the certificate");
    }

    bio_ptr cert_bio(BIO_new(BIO_s_mem()));
    bio_ptr key_bio(BIO_new(BIO_s_mem()));
    if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
        PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                 nullptr) != 1) {
        fail_openssl("cannot write the certificate as PEM");
    }
    return {bio_text(cert_bio.get()), bio_text(key_bio.get())};
}

} // namespace wscheck::net
