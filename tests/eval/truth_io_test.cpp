// CSV truth files and LFW pairs files: syntax corners, round trips, the real dev labels.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "common/require_input.h"
#include "faceatlas/core/csv.h"
#include "faceatlas/core/error.h"
#include "faceatlas/eval/lfw_pairs.h"
#include "faceatlas/eval/truth_csv.h"

namespace faceatlas::eval {
namespace {

TEST(Csv, BomCrlfQuotesAndEmbeddedNewlines) {
    const std::string text =
        "\xEF\xBB\xBF"
        "file,identity,note\r\n"
        "a.jpg,Ann,\"hello, world\"\r\n"
        "\r\n"
        "\"b c.jpg\",\"Bob \"\"B\"\"\",\"two\nlines\"\r\n"
        "d.jpg,Dee,";  // no final newline, empty last field
    const CsvTable t = parse_csv(text);
    ASSERT_EQ(t.header, (std::vector<std::string>{"file", "identity", "note"}));
    ASSERT_EQ(t.rows.size(), 3u);
    EXPECT_EQ(t.rows[0][2], "hello, world");
    EXPECT_EQ(t.rows[1][0], "b c.jpg");
    EXPECT_EQ(t.rows[1][1], "Bob \"B\"");
    EXPECT_EQ(t.rows[1][2], "two\nlines");
    EXPECT_EQ(t.rows[2][2], "");
    EXPECT_EQ(t.lines, (std::vector<std::size_t>{2, 4, 6}));
}

TEST(Csv, BrokenInputIsError) {
    EXPECT_THROW(parse_csv(""), Error);
    EXPECT_THROW(parse_csv("a,b\n1,2,3\n"), Error);   // ragged
    EXPECT_THROW(parse_csv("a,b\n\"1,2\n"), Error);   // unterminated quote
    EXPECT_THROW(parse_csv("a,b\nx\"y,2\n"), Error);  // stray quote
    EXPECT_THROW(read_csv("/nonexistent/labels.csv"), Error);
}

TEST(TruthCsv, DuplicatesAndUnknownColumnsAreReported) {
    const std::string text =
        "file,identity,source,emotion\n"
        "a.jpg,Ann,lfw,happy\n"
        "b.jpg,Bob,lfw,\n"
        "a.jpg,Ann,lfw,happy\n";
    TruthCsvOptions o;
    o.known_columns = {"source"};
    const TruthTable t = parse_truth_csv(text, "t.csv", o);
    ASSERT_EQ(t.items.size(), 2u);
    EXPECT_EQ(t.identities(), (std::vector<std::string>{"Ann", "Bob"}));
    EXPECT_EQ(t.extra_columns, (std::vector<std::string>{"source", "emotion"}));
    EXPECT_EQ(t.column("emotion"), (std::vector<std::string>{"happy", ""}));
    ASSERT_EQ(t.warnings.size(), 2u);
    EXPECT_NE(t.warnings[0].message.find("emotion"), std::string::npos);
    EXPECT_EQ(t.warnings[1].line, 4u);
    EXPECT_THROW(t.column("age"), Error);

    o.duplicates = DuplicatePolicy::kError;
    EXPECT_THROW(parse_truth_csv(text, "t.csv", o), Error);
    // Same file, different identity: always an error.
    EXPECT_THROW(parse_truth_csv("file,identity\na.jpg,Ann\na.jpg,Bob\n"), Error);
    EXPECT_THROW(parse_truth_csv("file,person\na.jpg,Ann\n"), Error);  // missing column
    EXPECT_THROW(parse_truth_csv("file,identity\na.jpg,\n"), Error);   // empty identity
    o = {};
    o.identity_column = "person";
    EXPECT_EQ(parse_truth_csv("file,person\na.jpg,Ann\n", "t", o).items.size(), 1u);
}

TEST(LfwPairs, ParsesHeaderAndRows) {
    const std::string text =
        "2\t1\n"
        "Abel_Pacheco\t1\t4\n"
        "Abdel_Madi_Shabneh\t1\tDean_Barker\t1\n"
        "Zico 2 3\n"
        "A 1  B 2\r\n";
    const LfwPairs p = parse_lfw_pairs(text);
    EXPECT_EQ(p.n_folds, 2);
    EXPECT_EQ(p.pairs_per_half, 1);
    ASSERT_EQ(p.pairs.size(), 4u);
    EXPECT_TRUE(p.pairs[0].same);
    EXPECT_EQ(p.pairs[0].name2, "Abel_Pacheco");
    EXPECT_EQ(p.pairs[0].index2, 4);
    EXPECT_FALSE(p.pairs[1].same);
    EXPECT_EQ(p.pairs[1].name2, "Dean_Barker");
    EXPECT_EQ(p.folds(), (std::vector<int>{0, 0, 1, 1}));
    EXPECT_EQ(lfw_file_name("Abel_Pacheco", 4), "Abel_Pacheco_0004.jpg");
    EXPECT_EQ(lfw_relative_path("Abel_Pacheco", 4), "Abel_Pacheco/Abel_Pacheco_0004.jpg");

    const LfwPairs no_header = parse_lfw_pairs("X 1 2\nX 1 Y 1\n");
    EXPECT_EQ(no_header.n_folds, 0);
    EXPECT_EQ(no_header.folds(), (std::vector<int>{-1, -1}));
    const LfwPairs dev_train = parse_lfw_pairs("1\nX 1 2\nX 1 Y 1\n");
    EXPECT_EQ(dev_train.n_folds, 1);

    EXPECT_THROW(parse_lfw_pairs("10 300\nX 1 2\n"), Error);        // count mismatch
    EXPECT_THROW(parse_lfw_pairs("1 1\nX 1 Y 1\nX 1 2\n"), Error);  // layout order
    EXPECT_THROW(parse_lfw_pairs("X 1 two\n"), Error);
    EXPECT_THROW(parse_lfw_pairs("X 0 2\n"), Error);
}

std::vector<LabelledFile> toy_labels() {
    std::vector<LabelledFile> l;
    // LFW-named identities and one with free-form names (indexed by rank).
    for (int i : {1, 2, 3, 5}) l.push_back({lfw_file_name("Ann", i), "Ann"});
    for (int i : {1, 2, 3}) l.push_back({lfw_file_name("Bob", i), "Bob"});
    for (const char* f : {"z.jpg", "x.jpg", "y.jpg"}) l.push_back({f, "Cy"});
    l.push_back({lfw_file_name("Dee", 1), "Dee"});
    return l;
}

TEST(MakePairs, DrawsDistinctBalancedFoldedPairs) {
    const auto labels = toy_labels();
    MakePairsOptions o;
    o.n_pairs = 20;
    o.folds = 2;
    o.seed = 42;
    const LfwPairs p = make_pairs(labels, o);
    ASSERT_EQ(p.pairs.size(), 20u);
    EXPECT_EQ(p.n_folds, 2);
    EXPECT_EQ(p.pairs_per_half, 5);
    const PairFileIndex index(labels);
    std::set<std::pair<std::string, std::string>> seen;
    int n_same = 0;
    for (std::size_t r = 0; r < p.pairs.size(); ++r) {
        const LfwPair& q = p.pairs[r];
        EXPECT_EQ(q.fold, static_cast<int>(r / 10));
        EXPECT_EQ(q.same, r % 10 < 5);
        n_same += q.same;
        auto [f1, f2] = index.files(q);
        EXPECT_NE(f1, f2);
        if (f1 > f2) std::swap(f1, f2);
        EXPECT_TRUE(seen.emplace(f1, f2).second) << "repeated pair " << f1 << " " << f2;
        if (q.name1 == "Ann") {
            EXPECT_TRUE(q.index1 == 1 || q.index1 == 2 || q.index1 == 3 || q.index1 == 5);
        }
    }
    EXPECT_EQ(n_same, 10);
    // Round trip through the file layout keeps everything, folds included.
    const LfwPairs back = parse_lfw_pairs(format_lfw_pairs(p));
    ASSERT_EQ(back.pairs.size(), p.pairs.size());
    for (std::size_t r = 0; r < p.pairs.size(); ++r) {
        EXPECT_EQ(back.pairs[r].name1, p.pairs[r].name1);
        EXPECT_EQ(back.pairs[r].index1, p.pairs[r].index1);
        EXPECT_EQ(back.pairs[r].name2, p.pairs[r].name2);
        EXPECT_EQ(back.pairs[r].index2, p.pairs[r].index2);
        EXPECT_EQ(back.pairs[r].fold, p.pairs[r].fold);
    }
    // Same seed, same pairs; free-form names are indexed by sorted rank.
    EXPECT_EQ(format_lfw_pairs(make_pairs(labels, o)), format_lfw_pairs(p));
    EXPECT_EQ(index.file("Cy", 1), "x.jpg");
    EXPECT_EQ(index.file("Ann", 5), "Ann_0005.jpg");
    EXPECT_THROW(index.file("Ann", 4), Error);
}

TEST(MakePairs, ImpossibleRequestsAreErrors) {
    const auto labels = toy_labels();
    MakePairsOptions o;
    o.n_pairs = 2 * 12;  // Ann 6 + Bob 3 + Cy 3 = 12 same pairs possible
    o.folds = 1;
    EXPECT_NO_THROW(make_pairs(labels, o));
    o.n_pairs = 2 * 13;
    EXPECT_THROW(make_pairs(labels, o), Error);
    o.n_pairs = 30;
    o.folds = 4;  // 30 % 8 != 0
    EXPECT_THROW(make_pairs(labels, o), Error);
    EXPECT_THROW(make_pairs({{"a.jpg", "A"}, {"b.jpg", "A"}}, {2, 1, 0}), Error);
    EXPECT_THROW(make_pairs({{"a.jpg", "A B"}, {"b.jpg", "A B"}, {"c.jpg", "C"}}, {2, 1, 0}),
                 Error);
}

TEST(MakePairs, RealFacesDevLabels) {
    const std::filesystem::path csv =
        std::filesystem::path(faceatlas::testing::shared_data_dir()) / "faces-dev" / "labels.csv";
    if (!std::filesystem::exists(csv)) FACEATLAS_MISSING_INPUT() << "no " << csv;
    const TruthTable t = read_truth_csv(csv, {"file", "identity", {"source", "emotion"}});
    EXPECT_TRUE(t.warnings.empty());
    EXPECT_EQ(t.items.size(), 1960u);
    const LfwPairs p = make_pairs(t.items, {600, 10, 1});
    const PairFileIndex index(t.items);
    for (const auto& q : p.pairs) {
        const auto [f1, f2] = index.files(q);
        // LFW names keep their LFW numbers, so the canonical file name is the real one.
        EXPECT_EQ(f1, lfw_file_name(q.name1, q.index1));
        EXPECT_EQ(f2, lfw_file_name(q.name2, q.index2));
        EXPECT_TRUE(std::filesystem::exists(csv.parent_path() / "images" / f1));
    }
}

}  // namespace
}  // namespace faceatlas::eval
