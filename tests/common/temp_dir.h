// A scratch directory for one test, removed (with everything in it) when it goes out of scope.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>

namespace faceatlas::testing {

class TempDir {
  public:
    // /tmp/faceatlas_<tag>_<test name>_<pid>_<n> ("faceatlas_" is not doubled when `tag` has
    // it): unique per process and object, and named after the running test so that a leftover
    // directory says where it came from.
    explicit TempDir(const std::string& tag = "test") {
        static std::atomic<int> counter{0};
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = tag.rfind("faceatlas_", 0) == 0 ? tag : "faceatlas_" + tag;
        if (info != nullptr) name += std::string("_") + info->name();
        for (char& c : name)
            if (c == '/') c = '_';  // parameterised test names contain '/'
        name += "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
        path_ = std::filesystem::temp_directory_path() / name;
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        // A test may have made something read-only; give the owner access back first.
        for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
            std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                         std::filesystem::perm_options::add, ec);
        std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::add, ec);
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::filesystem::path& rel) const { return path_ / rel; }

  private:
    std::filesystem::path path_;
};

}  // namespace faceatlas::testing
