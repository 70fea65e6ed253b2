// pipeline::search_faces over a real SQLite catalog: exact ranking, persons from candidates, the
// persisted index kept in step (added, rebuilt), option validation.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "common/temp_dir.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/catalog/sqlite.h"
#include "faceatlas/cluster/vector_index.h"
#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/persons.h"
#include "faceatlas/pipeline/search.h"

namespace faceatlas::pipeline {
using namespace faceatlas::catalog;
namespace {

class SearchTest : public ::testing::Test {
  protected:
    void SetUp() override {
        tmp_ = std::make_unique<faceatlas::testing::TempDir>("search");
        db_ = (tmp_->path() / "faceatlas.db").string();
        cat_ = open_sqlite_catalog(db_);
        std::normal_distribution<float> n(0, 1);
        for (auto& c : centres_) {
            c.resize(128);
            for (auto& v : c) v = 0.1f * n(rng_);
        }
    }
    void TearDown() override {
        cat_.reset();
        tmp_.reset();
    }
    FaceRecord face(int who, float noise) {
        std::normal_distribution<float> n(0, noise);
        FaceRecord f;
        f.box = {0, 0, 40, 40};
        f.score = 0.9f;
        f.embedding_dlib = centres_[static_cast<std::size_t>(who)];
        for (auto& v : f.embedding_dlib) v += n(rng_);
        f.embedding_faceres.assign(1024, 0.f);
        f.embedding_faceres[static_cast<std::size_t>(who)] = 1.f;
        return f;
    }
    std::int64_t add(const std::string& name, const std::vector<FaceRecord>& faces) {
        PhotoRecord p;
        p.path = "/album/" + name;
        p.content_hash = name;
        p.kind = MediaKind::kImage;
        return cat_->store_photo(p, faces, {});
    }
    cluster::Matrix query(int who) {
        cluster::Matrix q(1, 128);
        std::copy(centres_[static_cast<std::size_t>(who)].begin(),
                  centres_[static_cast<std::size_t>(who)].end(), q.row(0));
        return q;
    }

    std::unique_ptr<faceatlas::testing::TempDir> tmp_;
    std::string db_;
    std::unique_ptr<Catalog> cat_;
    std::vector<std::vector<float>> centres_ = std::vector<std::vector<float>>(3);
    std::mt19937_64 rng_{11};
};

TEST_F(SearchTest, ExactRanksTheQueryIdentityFirstAndItsPerson) {
    for (int i = 0; i < 4; ++i)
        add("p" + std::to_string(i) + ".jpg", {face(0, 0.004f), face(1, 0.004f)});
    add("only2.jpg", {face(2, 0.004f)});
    PersonClusteringOptions co;
    co.album.threshold = 0.5;
    cluster_persons(*cat_, co);

    SearchOptions o;
    o.top = 3;
    o.index = "exact";
    const auto r = search_faces(*cat_, query(1), db_, o);
    EXPECT_EQ(r.mode, "exact");
    EXPECT_EQ(r.catalog_faces, 9u);
    EXPECT_FALSE(r.index);
    ASSERT_EQ(r.queries.size(), 1u);
    ASSERT_EQ(r.queries[0].faces.size(), 3u);
    for (std::size_t t = 1; t < 3; ++t)
        EXPECT_LE(r.queries[0].faces[t - 1].distance, r.queries[0].faces[t].distance);
    // The three nearest faces are identity 1's, all in one person, which ranks first.
    const auto person = r.queries[0].faces[0].person_id;
    ASSERT_TRUE(person);
    for (const auto& h : r.queries[0].faces) {
        EXPECT_EQ(h.person_id, person);
        EXPECT_LT(h.distance, 0.2f);
        EXPECT_EQ(h.file.rfind("/album/p", 0), 0u);
    }
    ASSERT_FALSE(r.queries[0].persons.empty());
    EXPECT_EQ(r.queries[0].persons[0].person_id, *person);
    EXPECT_EQ(r.queries[0].persons[0].faces_among_candidates, 4);
}

TEST_F(SearchTest, FlatIndexMatchesExactAndIsKeptInStep) {
    if (!cluster::VectorIndex::available()) GTEST_SKIP() << "built without FAISS";
    const auto first = add("p0.jpg", {face(0, 0.02f), face(1, 0.02f)});
    for (int i = 1; i < 5; ++i)
        add("p" + std::to_string(i) + ".jpg", {face(0, 0.02f), face(1, 0.02f)});
    SearchOptions exact;
    exact.index = "exact";
    exact.top = 10;
    SearchOptions flat = exact;
    flat.index = "flat";
    const auto e = search_faces(*cat_, query(0), db_, exact);
    const auto f = search_faces(*cat_, query(0), db_, flat);
    ASSERT_TRUE(f.index);
    EXPECT_EQ(f.index->size, 10u);
    EXPECT_EQ(f.index->added, 10u);
    EXPECT_FALSE(f.index->rebuilt);
    EXPECT_TRUE(std::filesystem::exists(db_ + ".dlib.flat.faiss"));
    ASSERT_EQ(e.queries[0].faces.size(), f.queries[0].faces.size());
    for (std::size_t t = 0; t < e.queries[0].faces.size(); ++t) {
        EXPECT_EQ(e.queries[0].faces[t].face_id, f.queries[0].faces[t].face_id);
        EXPECT_NEAR(e.queries[0].faces[t].distance, f.queries[0].faces[t].distance, 1e-4);
    }
    // A new photo: its faces are added, nothing rebuilt.
    add("new.jpg", {face(2, 0.02f)});
    const auto f2 = search_faces(*cat_, query(2), db_, flat);
    EXPECT_EQ(f2.index->added, 1u);
    EXPECT_EQ(f2.index->size, 11u);
    EXPECT_FALSE(f2.index->rebuilt);
    EXPECT_EQ(f2.queries[0].faces[0].file, "/album/new.jpg");
    // A photo gone (its faces deleted): FAISS cannot remove ids, so the index is rebuilt.
    cat_->mark_deleted(first);
    const auto f3 = search_faces(*cat_, query(0), db_, flat);
    EXPECT_TRUE(f3.index->rebuilt);
    EXPECT_EQ(f3.index->size, 9u);
}

TEST_F(SearchTest, OptionsAndQueryShapeAreChecked) {
    add("a.jpg", {face(0, 0.01f)});
    SearchOptions o;
    o.top = 0;
    EXPECT_THROW(o.validate(), Error);
    o.top = 5;
    o.index = "annoy";
    EXPECT_THROW(o.validate(), Error);
    o.index = "exact";
    o.embedding = "arcface";
    EXPECT_THROW(o.validate(), Error);
    o.embedding = "faceres";  // 1024-d, the query is 128-d
    EXPECT_THROW(search_faces(*cat_, query(0), db_, o), Error);
}

}  // namespace
}  // namespace faceatlas::pipeline
