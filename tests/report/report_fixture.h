// A small synthetic catalog for report tests: persons with HTML characters in their names,
// thumbnails of different sizes, a missing and a corrupt thumbnail, a one-face person.
#pragma once

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "faceatlas/catalog/catalog.h"

namespace report_test {

namespace fs = std::filesystem;
using namespace faceatlas::catalog;

inline constexpr const char* kEvilName = "<script>alert(\"x\")</script> & 'Ann'";

inline std::vector<unsigned char> jpeg_face(int size, int seed) {
    cv::Mat m(size, size, CV_8UC3, cv::Scalar(90 + 10 * seed, 120, 160));
    cv::circle(m, {size / 3, size / 3}, size / 10, cv::Scalar(20, 20, 20), cv::FILLED);
    cv::circle(m, {2 * size / 3, size / 3}, size / 10, cv::Scalar(20, 20, 20), cv::FILLED);
    cv::ellipse(m, {size / 2, 2 * size / 3}, {size / 5, size / (8 + seed)}, 0, 0, 180,
                cv::Scalar(30, 30, 200), 3);
    std::vector<unsigned char> b;
    cv::imencode(".jpg", m, b);
    return b;
}

inline FaceRecord make_face(int seed, std::vector<unsigned char> thumb) {
    FaceRecord f;
    f.box = {10.f * seed, 20.f, 50.f, 60.f};
    f.score = 0.9f;
    f.face_size = 55;
    f.blur = 120;
    f.age_probs.assign(100, 0.f);
    f.age_probs[static_cast<std::size_t>(20 + seed)] = 1.f;
    f.age_faceres = 21.f + seed;
    f.male_prob = seed % 2 ? 0.8f : 0.3f;
    f.male_prob_faceres = f.male_prob;
    f.expression.assign(7, 0.f);
    f.expression[static_cast<std::size_t>(seed % 7)] = 1.f;
    f.embedding_dlib.assign(128, 0.f);
    f.embedding_dlib[static_cast<std::size_t>(seed % 128)] = 1.f;
    f.embedding_dlib[0] += 0.5f;
    f.embedding_faceres.assign(1024, 0.f);
    f.thumbnail = std::move(thumb);
    return f;
}

struct Fixture {
    std::int64_t evil = 0, single = 0, broken = 0;
};

// Photos under dir/photos (real JPEG files, so XMP tests can check they stay untouched).
inline Fixture build_catalog(const fs::path& db, const fs::path& photo_dir) {
    fs::create_directories(photo_dir);
    auto cat = open_sqlite_catalog(db);
    std::vector<std::int64_t> face_ids;
    const std::vector<int> sizes = {160, 112, 200, 160, 160, 64, 160};
    for (int i = 0; i < 7; ++i) {
        PhotoRecord p;
        p.path = (photo_dir / ("photo " + std::to_string(i) + ".jpg")).string();
        cv::imwrite(p.path, cv::Mat(120, 200, CV_8UC3, cv::Scalar(i * 30, 80, 200)));
        p.content_hash = "h" + std::to_string(i);
        p.size = static_cast<std::int64_t>(fs::file_size(p.path));
        p.width = 200;
        p.height = 120;
        p.taken_at = "201" + std::to_string(i) + "-06-01T12:00:00";
        p.date_source = "exif";
        std::vector<unsigned char> thumb = jpeg_face(sizes[static_cast<std::size_t>(i)], i);
        if (i == 4) thumb.clear();                  // missing thumbnail
        if (i == 5) thumb = {0xff, 0xd8, 1, 2, 3};  // not a decodable JPEG
        cat->store_photo(p, {make_face(i, thumb)});
    }
    for (const auto& f : cat->faces(false)) face_ids.push_back(f.id);
    Fixture fx;
    fx.evil = cat->create_person(std::string(kEvilName));
    fx.single = cat->create_person(std::string("Solo"));
    fx.broken = cat->create_person();
    cat->assign_faces({{face_ids[0], fx.evil},
                       {face_ids[1], fx.evil},
                       {face_ids[2], fx.evil},
                       {face_ids[3], fx.single},
                       {face_ids[4], fx.broken},
                       {face_ids[5], fx.broken}});
    return fx;  // face_ids[6] stays unsorted
}

inline std::string read_text(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// Every src / data-src of <img> in the HTML, relative to the report folder.
inline std::vector<std::string> image_refs(const std::string& html) {
    std::vector<std::string> out;
    const std::regex img(R"re(<img [^>]*?(?:data-src|src)="([^"]+)")re");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), img);
         it != std::sregex_iterator(); ++it)
        out.push_back((*it)[1].str());
    return out;
}

struct Run {
    int code = -1;
    std::string out;
};

inline Run run(const std::string& cmd) {
    Run r;
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf{};
    while (fgets(buf.data(), buf.size(), p)) r.out += buf.data();
    const int st = pclose(p);
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

inline std::string quote(const fs::path& p) { return "'" + p.string() + "'"; }

class TempDir : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("faceatlas_report_" +
                std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        if (!HasFailure()) fs::remove_all(dir_);
    }
    fs::path dir_;
};

}  // namespace report_test
