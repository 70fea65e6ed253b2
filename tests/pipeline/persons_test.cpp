// cluster_persons over a real SQLite catalog: tracks, stable ids, names, user edits.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>

#include "common/temp_dir.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/catalog/sqlite.h"
#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/persons.h"

namespace fs = std::filesystem;

namespace faceatlas::pipeline {
using namespace faceatlas::catalog;  // the records the pipeline stores
namespace {

class PersonsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        tmp_ = std::make_unique<faceatlas::testing::TempDir>("persons");
        dir_ = tmp_->path();
        cat_ = open_sqlite_catalog(dir_ / "faceatlas.db");
        std::mt19937_64 rng(42);
        std::normal_distribution<float> n(0, 1);
        for (auto& c : centres_) {
            c.resize(128);
            for (auto& v : c) v = 0.1f * n(rng);  // identities ~1.1 apart in dlib units
        }
    }
    void TearDown() override {
        cat_.reset();
        tmp_.reset();
    }
    // A face of identity `who` (tiny noise: faces of one identity are ~0.06 apart).
    FaceRecord face(int who, float x = 0) {
        std::normal_distribution<float> n(0, 0.004f);
        FaceRecord f;
        f.box = {x, 0, 40, 40};
        f.score = 0.9f;
        f.embedding_dlib = centres_[static_cast<std::size_t>(who)];
        for (auto& v : f.embedding_dlib) v += n(rng_);
        f.embedding_faceres.assign(1024, 0.f);
        f.embedding_faceres[static_cast<std::size_t>(who)] = 1.f;
        f.male_prob_faceres = who % 2 ? 0.9f : 0.1f;
        f.age_probs.assign(100, 0.f);
        f.age_probs[30] = 1.f;
        f.expression.assign(7, 0.f);
        f.expression[1] = 1.f;
        return f;
    }
    std::int64_t add_photo(const std::string& name, const std::vector<FaceRecord>& faces,
                           const std::vector<TrackRecord>& tracks = {}, bool video = false) {
        PhotoRecord p;
        p.path = "/album/" + name;
        p.content_hash = name;
        p.kind = video ? MediaKind::kVideo : MediaKind::kImage;
        p.taken_at = "2020-05-01T10:00:00";
        p.date_source = "exif";
        return cat_->store_photo(p, faces, tracks);
    }
    // Person of every face, by face id.
    std::map<std::int64_t, std::optional<std::int64_t>> assignment() {
        std::map<std::int64_t, std::optional<std::int64_t>> m;
        for (const auto& f : cat_->faces(false)) m[f.id] = f.person_id;
        return m;
    }
    std::vector<std::int64_t> face_ids() {
        std::vector<std::int64_t> ids;
        for (const auto& f : cat_->faces(false)) ids.push_back(f.id);
        return ids;
    }
    PersonClusteringReport cluster(double threshold = 0.5) {
        PersonClusteringOptions o;
        o.album.threshold = threshold;
        return cluster_persons(*cat_, o);
    }

    std::unique_ptr<faceatlas::testing::TempDir> tmp_;
    fs::path dir_;
    std::unique_ptr<Catalog> cat_;
    std::vector<std::vector<float>> centres_ = std::vector<std::vector<float>>(6);
    std::mt19937_64 rng_{7};
};

TEST_F(PersonsTest, EmptyCatalogAndOneFace) {
    auto r = cluster();
    EXPECT_EQ(r.persons, 0u);
    EXPECT_EQ(r.faces, 0u);
    add_photo("a.jpg", {face(0)});
    r = cluster();
    EXPECT_EQ(r.persons, 0u);
    EXPECT_EQ(r.unsorted_faces, 1u);
}

TEST_F(PersonsTest, GroupsIdentitiesAndNeverJoinsFacesOfOnePhoto) {
    // Photo 0 holds identity 0 twice (a mirror, a poster): they must end in different persons.
    add_photo("p0.jpg", {face(0, 0), face(0, 100)});
    for (int i = 1; i <= 3; ++i)
        add_photo("p" + std::to_string(i) + ".jpg", {face(0), face(1, 50)});
    const auto r = cluster();
    EXPECT_EQ(r.cannot_link_splits, 1);
    const auto a = assignment();
    const auto ids = face_ids();
    ASSERT_EQ(ids.size(), 8u);
    EXPECT_NE(a.at(ids[0]), a.at(ids[1]));
    std::set<std::optional<std::int64_t>> ident1;
    for (std::size_t i = 3; i < 8; i += 2) ident1.insert(a.at(ids[i]));
    EXPECT_EQ(ident1.size(), 1u);
    EXPECT_TRUE(ident1.begin()->has_value());
}

TEST_F(PersonsTest, VideoTrackIsOneItemAndAllItsFacesGetItsPerson) {
    TrackRecord t;
    t.embedding_dlib = centres_[2];
    t.embedding_faceres.assign(1024, 0.f);
    t.embedding_faceres[2] = 1.f;
    t.frames = 3;
    std::vector<FaceRecord> frames;
    for (int k = 0; k < 3; ++k) {
        auto f = face(2);
        f.frame_index = k * 10;
        f.track_index = 0;
        frames.push_back(f);
    }
    add_photo("clip.mp4", frames, {t}, true);
    auto r = cluster();
    EXPECT_EQ(r.items, 1u);  // a lone track is a singleton: unsorted
    EXPECT_EQ(r.tracks, 1u);
    EXPECT_EQ(r.unsorted_faces, 3u);
    add_photo("still.jpg", {face(2)});
    r = cluster();
    EXPECT_EQ(r.items, 2u);
    EXPECT_EQ(r.persons, 1u);
    std::set<std::optional<std::int64_t>> persons;
    for (const auto& [id, p] : assignment()) persons.insert(p);
    ASSERT_EQ(persons.size(), 1u);
    EXPECT_TRUE(persons.begin()->has_value());
}

TEST_F(PersonsTest, RerunWithNewPhotosKeepsIdsAndNames) {
    for (int i = 0; i < 3; ++i) add_photo("a" + std::to_string(i) + ".jpg", {face(0), face(1, 50)});
    cluster();
    const auto before = assignment();
    const auto ids = face_ids();
    const auto p0 = *before.at(ids[0]);
    const auto p1 = *before.at(ids[1]);
    cat_->set_person_name(p0, "Ada");
    // New photos: more of identity 0 and 1, and a new identity 3.
    add_photo("b0.jpg", {face(0), face(3, 50)});
    add_photo("b1.jpg", {face(1), face(3, 50)});
    const auto r = cluster();
    EXPECT_EQ(r.kept_persons, 2u);
    EXPECT_EQ(r.new_persons, 1u);
    const auto after = assignment();
    for (const auto& [id, p] : before) EXPECT_EQ(after.at(id), p);
    const auto all = face_ids();
    EXPECT_EQ(after.at(all[6]), p0);
    EXPECT_EQ(after.at(all[8]), p1);
    const auto persons = cat_->persons();
    const auto it = std::find_if(persons.begin(), persons.end(),
                                 [&](const PersonRecord& p) { return p.id == p0; });
    ASSERT_NE(it, persons.end());
    EXPECT_EQ(it->name, std::optional<std::string>("Ada"));
    // Running again changes nothing.
    cluster();
    EXPECT_EQ(assignment(), after);
}

TEST_F(PersonsTest, UserEditsAreRemembered) {
    for (int i = 0; i < 3; ++i) add_photo("a" + std::to_string(i) + ".jpg", {face(0), face(1, 50)});
    for (int i = 0; i < 2; ++i) add_photo("c" + std::to_string(i) + ".jpg", {face(4)});
    cluster();
    auto a = assignment();
    const auto ids = face_ids();
    const auto p0 = *a.at(ids[0]);
    const auto p1 = *a.at(ids[1]);
    const auto p4 = *a.at(ids[6]);
    // face not-person: face 2 (identity 0) is not p0.
    cat_->add_not_person(ids[2], p0);
    EXPECT_EQ(assignment().at(ids[2]), std::nullopt);
    cluster();
    a = assignment();
    EXPECT_NE(a.at(ids[2]), std::optional<std::int64_t>(p0));
    EXPECT_EQ(a.at(ids[0]), p0);
    // person move: face 3 (identity 1) goes to p4 and stays there.
    cat_->pin_face(ids[3], p4);
    cluster();
    EXPECT_EQ(assignment().at(ids[3]), p4);
    // person merge: p1 into p0; the next run keeps them together.
    merge_persons(*cat_, p0, {p1});
    cluster();
    a = assignment();
    EXPECT_EQ(a.at(ids[1]), p0);
    EXPECT_EQ(a.at(ids[5]), p0);
    EXPECT_EQ(a.at(ids[4]), p0);
    for (const auto& p : cat_->persons()) EXPECT_NE(p.id, p1);
    // person split by faces: face 5 leaves p0 for good.
    const auto created =
        split_person(*cat_, p0, SplitOptions{{ids[5]}, -1, EmbeddingChoice::kDlib});
    ASSERT_EQ(created.size(), 1u);
    cluster();
    a = assignment();
    EXPECT_EQ(a.at(ids[5]), created[0]);
    EXPECT_EQ(a.at(ids[0]), p0);
    // Bad ids.
    EXPECT_THROW(cat_->pin_face(ids[0], 999999), Error);
    EXPECT_THROW(cat_->add_not_person(999999, p0), Error);
    EXPECT_THROW(merge_persons(*cat_, p0, {p0}), Error);
    EXPECT_THROW(merge_persons(*cat_, 999999, {p0}), Error);
    EXPECT_THROW(split_person(*cat_, 999999, {}), Error);
    EXPECT_THROW(split_person(*cat_, p0, SplitOptions{{ids[6]}, -1, EmbeddingChoice::kDlib}),
                 Error);
}

TEST_F(PersonsTest, SplitByThresholdSeparatesTwoIdentities) {
    for (int i = 0; i < 3; ++i) add_photo("s" + std::to_string(i) + ".jpg", {face(5)});
    for (int i = 0; i < 3; ++i) add_photo("t" + std::to_string(i) + ".jpg", {face(4)});
    cluster(5.0);  // far too loose: identities 4 and 5 share a person
    const auto a = assignment();
    const auto ids = face_ids();
    const auto big = a.at(ids[0]);
    ASSERT_TRUE(big);
    ASSERT_EQ(a.at(ids[3]), big);
    const auto created = split_person(*cat_, *big, SplitOptions{});
    ASSERT_FALSE(created.empty());
    const auto b = assignment();
    EXPECT_NE(b.at(ids[0]), b.at(ids[3]));
    EXPECT_EQ(b.at(ids[0]), b.at(ids[2]));
    // The next (still loose) run keeps the split.
    cluster(5.0);
    const auto c = assignment();
    EXPECT_NE(c.at(ids[0]), c.at(ids[3]));
    EXPECT_EQ(c.at(ids[3]), c.at(ids[5]));
}

TEST_F(PersonsTest, NanEmbeddingIsAClearError) {
    auto f = face(0);
    f.embedding_dlib[3] = std::numeric_limits<float>::quiet_NaN();
    add_photo("a.jpg", {f});
    add_photo("b.jpg", {face(0)});
    try {
        cluster();
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("NaN"), std::string::npos) << e.what();
        // The hint names scan's real flag (there is no `scan --force`).
        EXPECT_NE(e.hint().find("faceatlas scan --rescan"), std::string::npos) << e.hint();
        EXPECT_EQ(e.hint().find("--force"), std::string::npos) << e.hint();
    }
    PersonClusteringOptions o;
    o.embedding = EmbeddingChoice::kFaceres;  // the faceres vector is fine
    EXPECT_NO_THROW(cluster_persons(*cat_, o));
}

}  // namespace
}  // namespace faceatlas::pipeline
