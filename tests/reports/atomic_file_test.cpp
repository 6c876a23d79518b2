#include "reports/atomic_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

namespace {

using namespace wscheck::reports;
namespace fs = std::filesystem;

class AtomicFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("wscheck_atomic_test_" + std::to_string(::getpid()));
        fs::remove_all(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::vector<std::string> names_in(const fs::path& d) const {
        std::vector<std::string> out;
        for (const auto& e : fs::directory_iterator(d)) {
            out.push_back(e.path().filename().string());
        }
        std::sort(out.begin(), out.end());
        return out;
    }
    std::string content(const fs::path& p) const {
        std::string s;
        EXPECT_EQ(read_file(p, s), "");
        return s;
    }

    fs::path dir_;
};

TEST_F(AtomicFile, CreatesTheDirectoryAndLeavesNoTemporaryFile) {
    const fs::path target = dir_ / "a" / "b" / "report.json";
    ASSERT_EQ(write_file_atomically(target, "{}\n"), "");
    EXPECT_EQ(content(target), "{}\n");
    EXPECT_EQ(names_in(target.parent_path()), std::vector<std::string>{"report.json"});
}

TEST_F(AtomicFile, ReplacesTheContentWhole) {
    const fs::path target = dir_ / "report.json";
    ASSERT_EQ(write_file_atomically(target, std::string(10000, 'a')), "");
    ASSERT_EQ(write_file_atomically(target, "short"), "");
    EXPECT_EQ(content(target), "short");
    ASSERT_EQ(write_file_atomically(target, ""), "");
    EXPECT_EQ(content(target), "");
    EXPECT_EQ(names_in(dir_), std::vector<std::string>{"report.json"});
}

TEST_F(AtomicFile, FailureIsOneSentenceAndLeavesNoTemporaryFile) {
    fs::create_directories(dir_);
    // A directory where the file should go: the rename cannot replace it.
    fs::create_directories(dir_ / "report.json");
    std::string err = write_file_atomically(dir_ / "report.json", "data");
    EXPECT_FALSE(err.empty());
    EXPECT_EQ(err.back(), '.');
    EXPECT_NE(err.find("report.json"), std::string::npos) << err;
    EXPECT_EQ(names_in(dir_), std::vector<std::string>{"report.json"});
    EXPECT_TRUE(fs::is_directory(dir_ / "report.json"));

    // A parent that is a file cannot become a directory.
    ASSERT_EQ(write_file_atomically(dir_ / "plain", "x"), "");
    err = write_file_atomically(dir_ / "plain" / "sub" / "r.json", "data");
    EXPECT_FALSE(err.empty());
    EXPECT_NE(err.find("plain"), std::string::npos) << err;

    err = write_file_atomically(dir_ / "", "data");
    EXPECT_FALSE(err.empty());
}

TEST_F(AtomicFile, ReadFileRespectsItsCap) {
    const fs::path target = dir_ / "big";
    ASSERT_EQ(write_file_atomically(target, std::string(100, 'x')), "");
    std::string s;
    EXPECT_EQ(read_file(target, s, 100), "");
    EXPECT_EQ(s.size(), 100u);
    EXPECT_NE(read_file(target, s, 99), "");
    EXPECT_NE(read_file(dir_ / "missing", s), "");
}

} // namespace
