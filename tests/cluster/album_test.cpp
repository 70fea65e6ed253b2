// Album rules of cluster_album: cannot-link, birth-year term, size/day rules, stable persons,
// pins, not-person; and person attribute fusion.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <set>

#include "faceatlas/cluster/album.h"
#include "faceatlas/cluster/person_attributes.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {
namespace {

constexpr std::size_t kDim = 8;

// `per` points around each of `centres` random centres (spread 1), noise `noise`.
std::vector<float> blobs(int centres, int per, double noise, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> n(0, 1);
    std::vector<float> out;
    for (int c = 0; c < centres; ++c) {
        std::vector<double> centre(kDim);
        for (auto& v : centre) v = n(rng);
        for (int p = 0; p < per; ++p)
            for (std::size_t d = 0; d < kDim; ++d)
                out.push_back(static_cast<float>(centre[d] + noise * n(rng)));
    }
    return out;
}

MatrixView view(const std::vector<float>& v) { return {v.data(), v.size() / kDim, kDim}; }

AlbumOptions opts(double threshold = 0.5) {
    AlbumOptions o;
    o.threshold = threshold;
    return o;
}

std::set<int> persons_of(const AlbumResult& r, const std::vector<int>& items) {
    std::set<int> s;
    for (int i : items) s.insert(r.person_of[static_cast<std::size_t>(i)]);
    return s;
}

TEST(Album, SeparatedBlobsBecomeOnePersonEach) {
    const auto x = blobs(4, 5, 0.02, 1);
    std::vector<AlbumItem> items(20);
    const auto r = cluster_album(view(x), items, opts());
    ASSERT_EQ(r.persons.size(), 4u);
    EXPECT_EQ(r.unsorted, 0u);
    for (int c = 0; c < 4; ++c) {
        const auto s = persons_of(r, {c * 5, c * 5 + 1, c * 5 + 2, c * 5 + 3, c * 5 + 4});
        EXPECT_EQ(s.size(), 1u);
        EXPECT_GE(*s.begin(), 0);
    }
    for (const auto& p : r.persons) EXPECT_FALSE(p.existing);
}

TEST(Album, CannotLinkNeverViolatedForAnyAlgorithm) {
    // 6 identities x 6 faces; faces are spread over photos so that every photo holds 3 faces of
    // 3 different look-alike identities, plus distractor pairs of the same identity in one photo.
    const auto x = blobs(6, 6, 0.3, 7);
    std::vector<AlbumItem> items(36);
    std::mt19937_64 rng(3);
    for (std::size_t i = 0; i < items.size(); ++i)
        items[i].groups = {static_cast<std::int64_t>(rng() % 10)};
    for (const char* name : {"average", "single", "complete", "weighted", "median", "centroid",
                             "ward", "rank-order", "dbscan", "kmeans", "chinese-whispers", "gmm"}) {
        AlbumOptions o;
        o.algorithm = album_algorithm_from_string(name);
        o.threshold =
            o.algorithm == AlbumAlgorithm::kRankOrder ? 14.0 : 3.0;  // coarse: forces splits
        o.k = 3;
        o.min_size = 1;
        const auto r = cluster_album(view(x), items, o);
        for (std::size_t i = 0; i < items.size(); ++i)
            for (std::size_t j = i + 1; j < items.size(); ++j)
                if (r.person_of[i] >= 0 && r.person_of[i] == r.person_of[j])
                    EXPECT_NE(items[i].groups[0], items[j].groups[0])
                        << name << " " << i << " " << j;
        EXPECT_GT(r.cannot_link_splits, 0) << name;
    }
}

TEST(Album, BirthYearTermSeparatesLookAlikesBornApart) {
    // Two groups with the same face (tiny noise), born 30 years apart: parent and child.
    const auto one = blobs(1, 8, 0.02, 11);
    std::vector<AlbumItem> items(8);
    for (std::size_t i = 0; i < 8; ++i) items[i].birth_year = i < 4 ? 1985.0 : 2015.0;
    AlbumOptions o = opts(0.2);
    o.birth_year_weight = 0;
    auto r = cluster_album(view(one), items, o);
    EXPECT_EQ(r.persons.size(), 1u);
    o.birth_year_weight = 0.1;  // + 0.1 * 30 / 10 = 0.3 > 0.2
    r = cluster_album(view(one), items, o);
    ASSERT_EQ(r.persons.size(), 2u);
    EXPECT_EQ(persons_of(r, {0, 1, 2, 3}).size(), 1u);
    EXPECT_EQ(persons_of(r, {4, 5, 6, 7}).size(), 1u);
    EXPECT_NE(r.person_of[0], r.person_of[4]);
    // Without a date the term is dropped: undated faces join either group.
    for (auto& it : items) it.birth_year.reset();
    r = cluster_album(view(one), items, o);
    EXPECT_EQ(r.persons.size(), 1u);
}

TEST(Album, MinSizeAndMinDaysLeaveClustersUnsorted) {
    const auto x = blobs(3, 3, 0.02, 5);  // three clusters of 3
    std::vector<AlbumItem> items(9);
    for (std::size_t i = 0; i < 9; ++i)
        items[i].day = (i < 3) ? 100.0 + i : (i < 6 ? 100.0 + 50 * i : 1000.0);
    items[8].day.reset();  // the third cluster: one date only -> span 0
    AlbumOptions o = opts();
    o.min_size = 4;
    auto r = cluster_album(view(x), items, o);
    EXPECT_EQ(r.persons.size(), 0u);
    EXPECT_EQ(r.unsorted, 9u);
    o.min_size = 3;
    o.min_days = 30;
    r = cluster_album(view(x), items, o);
    ASSERT_EQ(r.persons.size(), 1u);  // only the cluster spanning 100 days
    EXPECT_EQ(r.persons[0].items, (std::vector<int>{3, 4, 5}));
    EXPECT_EQ(r.person_of[0], -1);
    EXPECT_EQ(r.person_of[8], -1);
}

TEST(Album, StablePersonsAcrossARerunWithNewItems) {
    const auto x = blobs(3, 4, 0.02, 9);
    std::vector<AlbumItem> items(12);
    auto first = cluster_album({x.data(), 8, kDim},
                               std::vector<AlbumItem>(items.begin(), items.begin() + 8), opts());
    ASSERT_EQ(first.persons.size(), 2u);
    // Give the persons ids 41, 17 as the catalog would, add 4 new items of a third identity and
    // one new item of the first identity.
    const std::int64_t ids[] = {41, 17};
    for (int i = 0; i < 8; ++i) {
        items[static_cast<std::size_t>(i)].person =
            ids[first.person_of[static_cast<std::size_t>(i)]];
        items[static_cast<std::size_t>(i)].is_new = false;
    }
    const auto r = cluster_album(view(x), items, opts());
    ASSERT_EQ(r.persons.size(), 3u);
    std::set<std::int64_t> kept;
    for (const auto& p : r.persons)
        if (p.existing) kept.insert(*p.existing);
    EXPECT_EQ(kept, (std::set<std::int64_t>{17, 41}));
    for (int i = 0; i < 8; ++i)
        EXPECT_EQ(
            r.persons[static_cast<std::size_t>(r.person_of[static_cast<std::size_t>(i)])].existing,
            items[static_cast<std::size_t>(i)].person);
    EXPECT_FALSE(r.persons[static_cast<std::size_t>(r.person_of[8])].existing);  // the new identity
}

TEST(Album, NewSingletonJoinsAKeptPersonByCentroid) {
    // Faces 0-2 of person 5 (pairwise 0.14 apart); face 3 at 0.36 from each, 0.355 from their
    // centroid: too far for average linkage at 0.3, close enough for assign_threshold 0.4.
    std::vector<float> x(4 * kDim, 0.f);
    x[0 * kDim + 0] = 0.1f;
    x[1 * kDim + 1] = 0.1f;
    x[2 * kDim + 2] = 0.1f;
    x[3 * kDim + 3] = 0.35f;
    std::vector<AlbumItem> items(4);
    AlbumOptions o = opts(0.3);
    o.assign_threshold = 0.4;
    auto r = cluster_album(view(x), items, o);
    EXPECT_EQ(r.person_of[3], -1);  // no previous person: nothing to join
    EXPECT_EQ(r.persons.size(), 1u);
    for (int i = 0; i < 3; ++i) {
        items[static_cast<std::size_t>(i)].person = 5;
        items[static_cast<std::size_t>(i)].is_new = false;
    }
    r = cluster_album(view(x), items, o);
    ASSERT_EQ(r.persons.size(), 1u);
    EXPECT_EQ(r.persons[0].existing, std::optional<std::int64_t>(5));
    EXPECT_EQ(r.person_of[3], 0);
    EXPECT_EQ(r.assigned_to_centroid, 1u);
    items[3].is_new = false;  // seen by the previous run: stays unsorted (re-runs are stable)
    EXPECT_EQ(cluster_album(view(x), items, o).person_of[3], -1);
    items[3].is_new = true;
    items[3].groups = {1};
    items[0].groups = {1};  // same photo as a member: never joins
    EXPECT_EQ(cluster_album(view(x), items, o).person_of[3], -1);
    items[3].groups.clear();
    items[3].not_persons = {5};
    EXPECT_EQ(cluster_album(view(x), items, o).person_of[3], -1);
    items[3].not_persons.clear();
    o.assign_threshold = 0.3;
    EXPECT_EQ(cluster_album(view(x), items, o).person_of[3], -1);
}

TEST(Album, PinsAndNotPersonAreRespected) {
    const auto x = blobs(1, 6, 0.02, 13);  // one tight identity
    std::vector<AlbumItem> items(6);
    for (auto& it : items) {
        it.person = 3;
        it.is_new = false;
    }
    // The user moved faces 4, 5 to person 8 (pins) and said face 3 is not person 3.
    items[4].pinned_person = 8;
    items[5].pinned_person = 8;
    items[3].not_persons = {3};
    const auto r = cluster_album(view(x), items, opts());
    auto person = [&](int i) {
        return r.persons[static_cast<std::size_t>(r.person_of[static_cast<std::size_t>(i)])]
            .existing;
    };
    EXPECT_EQ(person(0), std::optional<std::int64_t>(3));
    EXPECT_EQ(person(4), std::optional<std::int64_t>(8));
    EXPECT_EQ(person(5), std::optional<std::int64_t>(8));
    EXPECT_TRUE(r.person_of[3] < 0 || person(3) != std::optional<std::int64_t>(3));
    EXPECT_EQ(persons_of(r, {0, 1, 2}).size(), 1u);
}

TEST(Album, MergedPersonsStayMergedWhenTheClusteringSplitsThem) {
    const auto x = blobs(2, 3, 0.02, 17);  // two far identities the user merged into person 1
    std::vector<AlbumItem> items(6);
    for (int i = 0; i < 6; ++i) {
        items[static_cast<std::size_t>(i)].person = 1;
        items[static_cast<std::size_t>(i)].is_new = false;
    }
    for (int i = 3; i < 6; ++i) items[static_cast<std::size_t>(i)].pinned_person = 1;
    const auto r = cluster_album(view(x), items, opts());
    ASSERT_EQ(r.persons.size(), 1u);
    EXPECT_EQ(r.persons[0].existing, std::optional<std::int64_t>(1));
    EXPECT_EQ(r.unsorted, 0u);
}

TEST(Album, EdgeCases) {
    std::vector<float> none;
    EXPECT_TRUE(cluster_album({none.data(), 0, kDim}, {}, opts()).persons.empty());
    const auto one = blobs(1, 1, 0, 1);
    auto r = cluster_album(view(one), std::vector<AlbumItem>(1), opts());
    EXPECT_EQ(r.unsorted, 1u);
    std::vector<float> same(10 * kDim, 0.25f);
    r = cluster_album(view(same), std::vector<AlbumItem>(10), opts());
    ASSERT_EQ(r.persons.size(), 1u);
    EXPECT_EQ(r.persons[0].items.size(), 10u);
    auto nan = blobs(2, 2, 0.1, 1);
    nan[5] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_THROW(cluster_album(view(nan), std::vector<AlbumItem>(4), opts()), Error);
    EXPECT_THROW(cluster_album(view(nan), std::vector<AlbumItem>(3), opts()),
                 Error);  // size mismatch
    AlbumOptions bad = opts();
    bad.birth_year_weight = -1;
    EXPECT_THROW(bad.validate(), Error);
    bad = opts();
    bad.min_size = 0;
    EXPECT_THROW(bad.validate(), Error);
    EXPECT_THROW(album_algorithm_from_string("kmedoids"), Error);
    std::vector<AlbumItem> items(4);
    items[0].birth_year = std::numeric_limits<double>::quiet_NaN();
    const auto ok = blobs(2, 2, 0.1, 1);
    EXPECT_THROW(cluster_album(view(ok), items, opts()), Error);
}

TEST(PersonAttributes, VotingProductAndTopLAge) {
    std::vector<float> p30(kAgeBins, 0.f);
    p30[29] = 0.6f;  // age 30
    p30[30] = 0.3f;  // age 31
    p30[50] = 0.1f;  // age 51
    EXPECT_NEAR(top_l_expected_age(p30, 1), 30.0, 1e-9);
    EXPECT_NEAR(top_l_expected_age(p30, 2), (30 * 0.6 + 31 * 0.3) / 0.9, 1e-6);
    std::vector<FaceAttributes> faces(3);
    faces[0].male_prob = 0.9f;
    faces[1].male_prob = 0.45f;
    faces[2].male_prob = 0.4f;
    for (auto& f : faces) {
        f.age_probs = p30;
        f.expression = {0, 0.9f, 0, 0, 0, 0, 0.1f};
    }
    faces[0].photo_year = 2020.0;
    const auto a = fuse_person_attributes(faces, 2);
    EXPECT_EQ(a.faces, 3u);
    EXPECT_NEAR(a.male_vote, 1.0 / 3, 1e-9);  // one of three votes male ...
    const double odds = (0.9 / 0.1) * (0.45 / 0.55) * (0.4 / 0.6);
    EXPECT_NEAR(a.male_product, odds / (1 + odds), 1e-6);  // ... but the product rule says male
    EXPECT_TRUE(a.male);
    ASSERT_TRUE(a.age);
    EXPECT_NEAR(*a.age, (30 * 0.6 + 31 * 0.3) / 0.9, 1e-5);
    ASSERT_TRUE(a.birth_year);
    EXPECT_NEAR(*a.birth_year, 2020.0 - *a.age, 1e-5);
    EXPECT_EQ(a.expression_counts[1], 3);
    EXPECT_NEAR(a.expression_mean[6], 0.1, 1e-6);
    EXPECT_EQ(fuse_person_attributes({}).faces, 0u);
}

}  // namespace
}  // namespace faceatlas::cluster
