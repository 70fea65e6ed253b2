// catalog::faces_by_file_name, the one truth-file-to-face matcher of the eval commands and
// subdiscriminate: largest face, ties to the lower id, skipped photos ignored, and a basename
// shared by two photos refused. Before it was the only matcher, `eval identification`,
// `subdiscriminate` (tools/faceatlas/face_data.cpp match_labels) and `eval clusters` took the
// largest face over *both* same-named photos, so a label silently landed on the other photo's face.
#include <gtest/gtest.h>

#include <filesystem>

#include "faceatlas/catalog/catalog.h"
#include "faceatlas/catalog/truth_match.h"
#include "faceatlas/core/error.h"

namespace fs = std::filesystem;

namespace faceatlas::catalog {
namespace {

class TruthMatchTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / "faceatlas_truth_match";
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        cat_ = open_sqlite_catalog(dir_ / "c.db");
    }
    void TearDown() override {
        cat_.reset();
        fs::remove_all(dir_);
    }
    std::vector<std::int64_t> add(const std::string& path, std::vector<float> sizes,
                                  MediaStatus status = MediaStatus::kOk) {
        PhotoRecord p;
        p.path = path;
        p.content_hash = path;
        p.status = status;
        std::vector<FaceRecord> faces;
        for (float s : sizes) {
            FaceRecord f;
            f.box = {0, 0, s, s};
            f.face_size = s;
            faces.push_back(f);
        }
        const auto id =
            cat_->store_photo(p, status == MediaStatus::kOk ? faces : std::vector<FaceRecord>{});
        std::vector<std::int64_t> ids;
        for (const auto& f : cat_->faces_of_photo(id)) ids.push_back(f.id);
        return ids;
    }
    fs::path dir_;
    std::unique_ptr<Catalog> cat_;
};

TEST_F(TruthMatchTest, LargestFaceTiesToLowerIdSkippedIgnored) {
    const auto a = add("/x/a.jpg", {30, 50, 50});
    add("/x/none.jpg", {});
    add("/x/skipped.jpg", {}, MediaStatus::kSkipped);
    const auto m = faces_by_file_name(*cat_, false);
    ASSERT_NE(m.find("a.jpg"), nullptr);
    EXPECT_EQ(m.find("a.jpg")->id, std::min(a[1], a[2]));
    EXPECT_EQ(m.find("some/folder/a.jpg")->id, std::min(a[1], a[2]));  // folders are ignored
    EXPECT_EQ(m.find("none.jpg"), nullptr);
    EXPECT_EQ(m.find("skipped.jpg"), nullptr);
    EXPECT_EQ(m.photos_without_faces, 1u);
}

TEST_F(TruthMatchTest, SameBasenameInTwoFoldersIsRefusedNotMixed) {
    add("/one/x.jpg", {40});
    add("/two/x.jpg", {90});  // the old CLI matcher took this face for a label of one/x.jpg
    const auto m = faces_by_file_name(*cat_, false);
    EXPECT_EQ(m.ambiguous.count("x.jpg"), 1u);
    try {
        (void)m.find("x.jpg");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
        EXPECT_NE(std::string(e.what()).find("several catalog photos are named x.jpg"),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace faceatlas::catalog
