// `faceatlas scan` end to end through the real CLI: bad inputs are reported with a reason and
// the scan goes on; catalogs that cannot be used fail with exit code 1 and stay untouched.
#include <gtest/gtest.h>
#include <jpeglib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "common/cli.h"
#include "common/require_input.h"
#include "common/temp_dir.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/catalog/sqlite.h"

namespace fs = std::filesystem;

namespace {

using faceatlas::testing::run_cli;

nlohmann::json summary_of(const std::string& out) {
    nlohmann::json last;
    std::istringstream is(out);
    for (std::string line; std::getline(is, line);)
        if (!line.empty() && line[0] == '{') {
            auto j = nlohmann::json::parse(line);
            if (j.value("event", "") == "summary") last = j;
        }
    return last;
}

void write_bytes(const fs::path& p, const std::vector<unsigned char>& b) {
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

std::vector<unsigned char> read_bytes(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void write_cmyk_jpeg(const fs::path& p, int w, int h) {
    jpeg_compress_struct c{};
    jpeg_error_mgr err{};
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    FILE* f = std::fopen(p.c_str(), "wb");
    jpeg_stdio_dest(&c, f);
    c.image_width = static_cast<JDIMENSION>(w);
    c.image_height = static_cast<JDIMENSION>(h);
    c.input_components = 4;
    c.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&c);
    jpeg_set_colorspace(&c, JCS_CMYK);
    jpeg_start_compress(&c, TRUE);
    std::vector<unsigned char> row(static_cast<std::size_t>(w) * 4, 60);
    while (c.next_scanline < c.image_height) {
        JSAMPROW r = row.data();
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    std::fclose(f);
}

// A 2-frame animated GIF, 2x2 pixels.
const std::vector<unsigned char> kAnimatedGif = {
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x02, 0x00, 0x02, 0x00, 0x80, 0x00, 0x00, 0xff, 0x00,
    0x00, 0x00, 0x00, 0xff, 0x21, 0xff, 0x0b, 0x4e, 0x45, 0x54, 0x53, 0x43, 0x41, 0x50, 0x45,
    0x32, 0x2e, 0x30, 0x03, 0x01, 0x00, 0x00, 0x00, 0x21, 0xf9, 0x04, 0x00, 0x0a, 0x00, 0x00,
    0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x02, 0x02, 0x84, 0x51,
    0x00, 0x21, 0xf9, 0x04, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x02, 0x00, 0x00, 0x02, 0x02, 0x8c, 0x53, 0x00, 0x3b};

class ScanCli : public ::testing::Test {
  protected:
    void SetUp() override { fs::create_directories(dir_ / "album"); }
    fs::path sample(int k) const {
        return fs::path(faceatlas::testing::model_dir()) / "face-api/demo" /
               ("sample" + std::to_string(k) + ".jpg");
    }
    std::string scan_args(const std::string& extra = "") const {
        return "scan --json --threads 2 --catalog " + db_.string() + " " +
               (dir_ / "album").string() + " " + extra;
    }
    faceatlas::testing::TempDir tmp_{"scan"};
    const fs::path dir_ = tmp_.path();
    const fs::path db_ = dir_ / "catalog.db";
};

TEST_F(ScanCli, BadInputsAreReportedAndTheScanContinues) {
    const auto a = dir_ / "album";
    fs::copy_file(sample(1), a / "good.jpg");
    std::ofstream(a / "zero.jpg");
    auto good = read_bytes(sample(2));
    write_bytes(a / "truncated.jpg",
                std::vector<unsigned char>(good.begin(),
                                           good.begin() + static_cast<long>(good.size() / 2)));
    std::ofstream(a / "text.jpg") << "this is not an image";
    write_cmyk_jpeg(a / "cmyk.jpg", 64, 48);
    cv::Mat img16(40, 50, CV_16UC3, cv::Scalar(1000, 30000, 65000));
    cv::imwrite((a / "deep.png").string(), img16);
    cv::Mat gray = cv::imread(sample(3).string(), cv::IMREAD_GRAYSCALE);
    cv::imwrite((a / "gray.PNG").string(), gray);
    write_bytes(a / "anim.gif", kAnimatedGif);
    std::vector<unsigned char> fake_video = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
    fake_video.resize(5000, 0x42);
    write_bytes(a / "broken.mp4", fake_video);
    fs::create_directory_symlink(a, a / "loop");

    auto r = run_cli(scan_args());
    ASSERT_EQ(r.code, 0) << r.out;
    auto s = summary_of(r.out);
    ASSERT_FALSE(s.is_null()) << r.out;
    std::map<std::string, std::string> skipped;
    for (const auto& k : s["skipped"])
        skipped[fs::path(k["file"].get<std::string>()).filename()] = k["reason"];
    EXPECT_TRUE(skipped.count("zero.jpg"));
    EXPECT_TRUE(skipped.count("truncated.jpg"));
    EXPECT_NE(skipped["truncated.jpg"].find("truncated"), std::string::npos);
    EXPECT_TRUE(skipped.count("text.jpg"));
    EXPECT_TRUE(skipped.count("broken.mp4"));
    EXPECT_FALSE(skipped.count("cmyk.jpg")) << skipped["cmyk.jpg"];
    EXPECT_FALSE(skipped.count("deep.png")) << skipped["deep.png"];
    EXPECT_FALSE(skipped.count("gray.PNG")) << skipped["gray.PNG"];
    EXPECT_FALSE(skipped.count("good.jpg"));
    EXPECT_GE(s["faces"].get<int>(), 1);  // sample1 has faces

    // Every reason is recorded in the catalog too.
    auto info = run_cli("info --json --catalog " + db_.string());
    ASSERT_EQ(info.code, 0);
    auto ij = nlohmann::json::parse(info.out);
    EXPECT_EQ(ij["skipped"].get<int>(), static_cast<int>(skipped.size()));
}

TEST_F(ScanCli, RerunSkipsUnchangedMovedFilesKeepFacesDeletedAreMarked) {
    const auto a = dir_ / "album";
    fs::copy_file(sample(1), a / "one.jpg");
    fs::copy_file(sample(2), a / "two.jpg");
    auto first = summary_of(run_cli(scan_args()).out);
    ASSERT_EQ(first["photos"].get<int>(), 2);
    const int faces = first["faces"].get<int>();
    // The six networks' weight files are read once for all workers (vision::ModelSet)...
    EXPECT_EQ(first["model_files_parsed"].get<int>(), 6);
    EXPECT_GT(first["model_parse_seconds"].get<double>(), 0.0);

    auto again = summary_of(run_cli(scan_args()).out);
    EXPECT_EQ(again["photos"].get<int>(), 0);
    EXPECT_EQ(again["unchanged"].get<int>(), 2);
    // ... and not at all when nothing needs analysis.
    EXPECT_EQ(again["model_files_parsed"].get<int>(), 0);

    fs::create_directories(a / "sub");
    fs::rename(a / "two.jpg", a / "sub/two_moved.jpg");
    fs::remove(a / "one.jpg");
    auto moved = summary_of(run_cli(scan_args()).out);
    EXPECT_EQ(moved["moved"].get<int>(), 1);
    EXPECT_EQ(moved["deleted"].get<int>(), 1);
    EXPECT_EQ(moved["photos"].get<int>(), 0);

    auto cat = faceatlas::catalog::open_sqlite_catalog(db_);
    auto st = cat->stats();
    EXPECT_EQ(st.photos, 1);
    EXPECT_EQ(st.deleted, 1);
    EXPECT_LT(st.faces, faces + 1);
    EXPECT_GT(st.faces, 0);
    auto rescan = summary_of(run_cli(scan_args("--rescan")).out);
    EXPECT_EQ(rescan["photos"].get<int>(), 1);
}

TEST_F(ScanCli, UnusableCatalogsFailWithExitOneAndStayUntouched) {
    fs::copy_file(sample(1), dir_ / "album/one.jpg");
    std::ofstream(db_)
        << "not a database, just some text that is long enough to be read as a header";
    const auto before = read_bytes(db_);
    auto r = run_cli(scan_args());
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(read_bytes(db_), before);

    fs::remove(db_);
    ASSERT_EQ(run_cli(scan_args()).code, 0);
    {
        faceatlas::catalog::Database d(db_);
        d.exec("INSERT INTO schema_version (version) VALUES (999)");
    }
    EXPECT_EQ(run_cli(scan_args()).code, 1);
    EXPECT_EQ(run_cli("info --catalog " + db_.string()).code, 1);
}

TEST_F(ScanCli, ReadOnlyCatalogIsAClearFailure) {
    if (geteuid() == 0)
        GTEST_SKIP() << "root ignores file permissions; read-only is checked in catalog tests";
    fs::copy_file(sample(1), dir_ / "album/one.jpg");
    ASSERT_EQ(run_cli(scan_args()).code, 0);
    fs::permissions(db_, fs::perms::owner_read, fs::perm_options::replace);
    EXPECT_EQ(run_cli(scan_args("--rescan")).code, 1);
}

TEST_F(ScanCli, MissingInputFailsAndLeavesEarlierPhotosAlone) {
    // An unmounted drive or a typo: exit 1, and the photos an earlier scan found under that
    // folder are not marked deleted.
    fs::copy_file(sample(1), dir_ / "album/one.jpg");
    ASSERT_EQ(run_cli(scan_args()).code, 0);
    fs::rename(dir_ / "album", dir_ / "unplugged");
    auto r = run_cli(scan_args());
    EXPECT_EQ(r.code, 1) << r.out;
    {
        auto cat = faceatlas::catalog::open_sqlite_catalog(db_);
        EXPECT_EQ(cat->stats().deleted, 0);
        EXPECT_EQ(cat->stats().photos, 1);
    }
    // A missing input never creates a catalog either.
    const auto fresh = dir_ / "fresh.db";
    EXPECT_EQ(run_cli("scan --catalog " + fresh.string() + " " + (dir_ / "nowhere").string()).code,
              1);
    EXPECT_FALSE(fs::exists(fresh));
}

TEST_F(ScanCli, VideoFacesBecomeTracks) {
    // A 3-second clip showing one sample photo: every sampled frame has the same faces.
    cv::Mat bgr = cv::imread(sample(2).string());
    cv::resize(bgr, bgr, cv::Size(bgr.cols / 2 * 2 / 2, bgr.rows / 2 * 2 / 2));
    const auto path = dir_ / "album/clip.avi";
    cv::VideoWriter w(path.string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10, bgr.size());
    ASSERT_TRUE(w.isOpened());
    for (int i = 0; i < 30; ++i) w.write(bgr);
    w.release();
    auto s = summary_of(run_cli(scan_args("--frame-step 10")).out);
    ASSERT_EQ(s["videos"].get<int>(), 1) << s.dump();
    auto cat = faceatlas::catalog::open_sqlite_catalog(db_);
    auto faces = cat->faces(false);
    auto tracks = cat->tracks();
    ASSERT_FALSE(faces.empty());
    ASSERT_FALSE(tracks.empty());
    // 3 sampled frames of identical content: each track spans all of them.
    EXPECT_EQ(faces.size(), tracks.size() * 3);
    for (const auto& t : tracks) EXPECT_EQ(t.frames, 3);
}

}  // namespace
