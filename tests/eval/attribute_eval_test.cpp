// eval/attribute_eval.h: every metric on small hand-computed cases, both truth formats, the
// largest-face and missed rules, malformed input.
#include "faceatlas/eval/attribute_eval.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/temp_dir.h"
#include "faceatlas/core/error.h"

namespace fe = faceatlas::eval;
using faceatlas::Error;
using faceatlas::ErrorCode;

namespace {

// Runs `f`, expects a faceatlas::Error whose text contains every piece of `needles`.
template <typename F>
void expect_error(F f, ErrorCode code, std::initializer_list<const char*> needles) {
    try {
        f();
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), code) << e.what();
        for (const char* n : needles)
            EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what();
    }
}

fe::FaceAttributes face(const std::string& file, double area, double age, double male) {
    fe::FaceAttributes f;
    f.file = file;
    f.area = area;
    f.age["faceapi"] = {age, {}, 1};
    f.male_prob["faceapi"] = male;
    return f;
}

std::array<float, 7> onehot(const char* cls) {
    std::array<float, 7> p{};
    for (std::size_t i = 0; i < 7; ++i)
        p[i] = std::string(fe::kExpressionClasses[i]) == cls ? 0.9f : 0.01f;
    return p;
}

}  // namespace

TEST(AttributeTruth, CsvColumnsMappingAndEmptyCells) {
    const auto t = fe::parse_attribute_truth_csv(
        "file,identity,age,gender,emotion\n"
        "a.jpg,x,30,male,happiness\n"
        "b.jpg,y,,F,contempt\n"
        "c.jpg,z,4.5,,\n",
        "t.csv");
    ASSERT_EQ(t.items.size(), 3u);
    EXPECT_TRUE(t.has_age && t.has_gender && t.has_expression);
    EXPECT_EQ(t.ignored_columns, std::vector<std::string>{"identity"});
    EXPECT_EQ(*t.items[0].age, 30);
    EXPECT_TRUE(*t.items[0].male);
    EXPECT_EQ(*t.items[0].expression, "happy");
    EXPECT_FALSE(t.items[1].age.has_value());
    EXPECT_FALSE(*t.items[1].male);
    EXPECT_EQ(*t.items[1].expression, "contempt");
    EXPECT_DOUBLE_EQ(*t.items[2].age, 4.5);
    EXPECT_FALSE(t.items[2].male.has_value());
    EXPECT_FALSE(t.items[2].expression.has_value());
    EXPECT_EQ(t.items[2].line, 4u);
}

TEST(AttributeTruth, ExpressionLabelMap) {
    EXPECT_EQ(*fe::map_expression_label("sadness"), "sad");
    EXPECT_EQ(*fe::map_expression_label("Surprise"), "surprised");
    EXPECT_EQ(*fe::map_expression_label("anger"), "angry");
    EXPECT_EQ(*fe::map_expression_label("disgust"), "disgusted");
    EXPECT_EQ(*fe::map_expression_label("fear"), "fearful");
    EXPECT_EQ(*fe::map_expression_label("neutral"), "neutral");
    EXPECT_EQ(*fe::map_expression_label("happy"), "happy");
    EXPECT_FALSE(fe::map_expression_label("bored").has_value());
}

TEST(AttributeTruth, MalformedCsvRowsNameFileAndLine) {
    using K = ErrorCode;
    expect_error([] { fe::parse_attribute_truth_csv("file,age\na.jpg,3\nb.jpg,old\n", "t.csv"); },
                 K::kCorruptData, {"t.csv", "line 3", "old"});
    expect_error([] { fe::parse_attribute_truth_csv("file,age\na.jpg,-2\n", "t.csv"); },
                 K::kCorruptData, {"t.csv", "line 2"});
    expect_error([] { fe::parse_attribute_truth_csv("file,gender\na.jpg,yes\n", "t.csv"); },
                 K::kCorruptData, {"t.csv", "line 2", "yes"});
    expect_error([] { fe::parse_attribute_truth_csv("file,emotion\na.jpg,bored\n", "t.csv"); },
                 K::kCorruptData, {"t.csv", "line 2", "bored"});
    expect_error([] { fe::parse_attribute_truth_csv("file,age\na.jpg,3\na.jpg,4\n", "t.csv"); },
                 K::kCorruptData, {"t.csv", "line 3", "line 2"});
    expect_error([] { fe::parse_attribute_truth_csv("file,age\na.jpg,3,4\n", "t.csv"); },
                 K::kCorruptData, {"t.csv", "line 2"});
    expect_error([] { fe::parse_attribute_truth_csv("name,age\na.jpg,3\n", "t.csv"); },
                 K::kCorruptData, {"t.csv", "file"});
    expect_error([] { fe::parse_attribute_truth_csv("file,race\na.jpg,asian\n", "t.csv"); },
                 K::kCorruptData, {"t.csv", "label column"});
}

TEST(AttributeTruth, CelebaFormat) {
    const auto t = fe::parse_celeba_attributes(
        "2\nMale Young\n000001.jpg -1  1\n000002.jpg  1 -1\n", "attr.txt");
    EXPECT_EQ(t.attribute_names, (std::vector<std::string>{"Male", "Young"}));
    ASSERT_EQ(t.items.size(), 2u);
    EXPECT_EQ(t.items[0].attributes, (std::vector<signed char>{0, 1}));
    EXPECT_FALSE(*t.items[0].male);
    EXPECT_TRUE(*t.items[1].male);
    EXPECT_TRUE(t.has_gender);
    EXPECT_FALSE(t.has_age);
    EXPECT_EQ(t.items[1].line, 4u);
}

TEST(AttributeTruth, MalformedCelebaNamesFileAndLine) {
    using K = ErrorCode;
    expect_error(
        [] { fe::parse_celeba_attributes("2\nMale Young\na.jpg 1 -1\nb.jpg 1 2\n", "attr.txt"); },
        K::kCorruptData, {"attr.txt", "line 4", "'2'"});
    expect_error([] { fe::parse_celeba_attributes("1\nMale Young\na.jpg 1\n", "attr.txt"); },
                 K::kCorruptData, {"attr.txt", "line 3", "1 values for 2"});
    expect_error([] { fe::parse_celeba_attributes("3\nMale\na.jpg 1\n", "attr.txt"); },
                 K::kCorruptData, {"attr.txt", "announces 3"});
    expect_error([] { fe::parse_celeba_attributes("x\nMale\n", "attr.txt"); }, K::kCorruptData,
                 {"attr.txt", "line 1"});
}

TEST(AttributeTruth, ReadPicksFormatAndReportsMissingFile) {
    const faceatlas::testing::TempDir tmp("attr_truth");
    const auto dir = tmp.path();
    std::ofstream(dir / "attr.txt") << "1\nSmiling\na.jpg 1\n";
    std::ofstream(dir / "labels.csv") << "file,age\na.jpg,3\n";
    EXPECT_EQ(fe::read_attribute_truth(dir / "attr.txt").attribute_names.size(), 1u);
    EXPECT_TRUE(fe::read_attribute_truth(dir / "labels.csv").has_age);
    expect_error([&] { fe::read_attribute_truth(dir / "nope.csv"); }, ErrorCode::kNotFound,
                 {"nope.csv"});
    std::filesystem::remove_all(dir);
}

TEST(AttributeEval, ExpectedAgeTopL) {
    const std::vector<float> p{0.1f, 0.5f, 0.4f};
    EXPECT_DOUBLE_EQ(fe::expected_age_top_l(p, 1, 1), 2.0);
    EXPECT_NEAR(fe::expected_age_top_l(p, 2, 1), 1 + 1.3 / 0.9, 1e-6);
    EXPECT_NEAR(fe::expected_age_top_l(p, 3, 1), 1 + 1.3, 1e-6);
    EXPECT_NEAR(fe::expected_age_top_l(p, 50, 1), 1 + 1.3, 1e-6);       // L beyond the bins = all
    EXPECT_DOUBLE_EQ(fe::expected_age_top_l({0.5f, 0.5f}, 1, 1), 1.0);  // tie -> lower bin
}

TEST(AttributeEval, AgeGenderLargestFaceMissedAdults) {
    const auto truth = fe::parse_attribute_truth_csv(
        "file,age,gender\n"
        "a.jpg,30,male\n"
        "b.jpg,10,female\n"
        "sub/c.jpg,60,female\n"
        "d.jpg,40,male\n"   // not in the catalog
        "e.jpg,20,male\n",  // in the catalog, no face
        "t.csv");
    const std::vector<std::string> photos{"/p/a.jpg", "/p/b.jpg", "/p/sub/c.jpg", "/p/e.jpg",
                                          "/p/xd.jpg"};
    std::vector<fe::FaceAttributes> faces{
        face("/p/a.jpg", 100, 5, 0.1),   // small face of a.jpg: ignored
        face("/p/a.jpg", 400, 33, 0.9),  // largest: judged
        face("/p/b.jpg", 50, 13, 0.6),
        face("/p/sub/c.jpg", 50, 50, 0.2),
    };
    const auto r = fe::evaluate_attributes(truth, photos, faces);
    EXPECT_EQ(r.truth_files, 5u);
    EXPECT_EQ(r.n, 3u);
    EXPECT_EQ(r.missed, 2u);
    EXPECT_EQ(r.unknown, 1u);
    EXPECT_EQ(r.no_face, 1u);
    const auto& a = r.age.at("faceapi");
    EXPECT_EQ(a.n, 3u);
    EXPECT_NEAR(a.mae, 16.0 / 3, 1e-12);           // |33-30| + |13-10| + |50-60|
    EXPECT_NEAR(a.band_accuracy, 2.0 / 3, 1e-12);  // 33 in 25-32 (nearest), 13 in 8-13; 50 != 60+
    EXPECT_NEAR(a.within, 2.0 / 3, 1e-12);
    const auto& g = r.gender.at("faceapi");
    EXPECT_NEAR(g.accuracy, 2.0 / 3, 1e-12);
    EXPECT_NEAR(g.balanced_accuracy, (1.0 + 0.5) / 2, 1e-12);
    EXPECT_EQ(r.adults.n, 2u);  // a (30) and c (60)
    EXPECT_NEAR(r.adults.age.at("faceapi").mae, 6.5, 1e-12);
    EXPECT_NEAR(r.adults.gender.at("faceapi").accuracy, 1.0, 1e-12);
    EXPECT_TRUE(r.expression.empty());
    EXPECT_TRUE(r.attributes.empty());
    EXPECT_FALSE(r.mean_accuracy.has_value());
}

TEST(AttributeEval, FaceresTopLTable) {
    const auto truth = fe::parse_attribute_truth_csv("file,age\na.jpg,30\n", "t.csv");
    fe::FaceAttributes f;
    f.file = "a.jpg";
    std::vector<float> probs(100, 0.f);
    probs[29] = 0.6f;  // age 30
    probs[39] = 0.4f;  // age 40
    f.age["faceres"] = {0, probs, 1};
    fe::AttributeEvalOptions o;
    o.top_l = 2;
    o.max_top_l = 3;
    const auto r = fe::evaluate_attributes(truth, {"a.jpg"}, {f}, o);
    EXPECT_NEAR(r.age.at("faceres").mae, 4.0, 1e-5);  // top-2: 0.6*30 + 0.4*40 = 34
    const auto& per = r.age_top_l.at("faceres");
    ASSERT_EQ(per.size(), 3u);
    EXPECT_NEAR(per.at(1).mae, 0.0, 1e-9);  // argmax
    EXPECT_NEAR(per.at(2).mae, 4.0, 1e-5);
    EXPECT_NEAR(per.at(3).mae, 4.0, 1e-5);  // third bin has p = 0
}

TEST(AttributeEval, ExpressionAccuracyRecallAndContempt) {
    const auto truth = fe::parse_attribute_truth_csv(
        "file,emotion\na.jpg,happiness\nb.jpg,contempt\nc.jpg,sadness\nd.jpg,happiness\n", "t.csv");
    std::vector<fe::FaceAttributes> faces(4);
    const char* pred[] = {"happy", "neutral", "angry", "sad"};
    const char* files[] = {"a.jpg", "b.jpg", "c.jpg", "d.jpg"};
    for (int i = 0; i < 4; ++i) {
        faces[i].file = files[i];
        faces[i].expression["faceapi"] = onehot(pred[i]);
    }
    const auto r = fe::evaluate_attributes(truth, {}, faces);
    const auto& e = r.expression.at("faceapi");
    EXPECT_EQ(e.n, 4u);
    EXPECT_DOUBLE_EQ(e.accuracy, 0.25);
    EXPECT_EQ(e.unpredictable, 1u);
    ASSERT_EQ(e.recall.size(), 3u);  // happy, sad, contempt (truth classes only)
    EXPECT_EQ(e.recall[0].label, "happy");
    EXPECT_DOUBLE_EQ(e.recall[0].recall, 0.5);
    EXPECT_EQ(e.recall[0].support, 2u);
    EXPECT_EQ(e.recall[1].label, "sad");
    EXPECT_DOUBLE_EQ(e.recall[1].recall, 0.0);
    EXPECT_EQ(e.recall[2].label, "contempt");
    EXPECT_DOUBLE_EQ(e.recall[2].recall, 0.0);
    ASSERT_FALSE(r.notes.empty());
    EXPECT_NE(r.notes[0].find("contempt"), std::string::npos);
}

TEST(AttributeEval, BinaryAttributesBaselinesAndMaleFromGenderModels) {
    const auto truth = fe::parse_celeba_attributes(
        "4\nMale Smiling Young\n"
        "1.jpg 1 1 1\n2.jpg -1 1 1\n3.jpg -1 1 -1\n4.jpg 1 -1 -1\n",
        "attr.txt");
    const double smile[] = {0.9, 0.2, 0.7, 0.6};
    const double male[] = {0.8, 0.3, 0.6, 0.9};
    std::vector<fe::FaceAttributes> faces(4);
    for (int i = 0; i < 4; ++i) {
        faces[i].file = std::to_string(i + 1) + ".jpg";
        faces[i].attributes["trained"]["Smiling"] = smile[i];
        faces[i].male_prob["faceapi"] = male[i];
    }
    const auto r = fe::evaluate_attributes(truth, {}, faces);
    ASSERT_EQ(r.attributes.size(), 3u);
    const auto& m = r.attributes[0];  // Male [1,0,0,1], predicted [1,0,1,1]
    EXPECT_EQ(m.name, "Male");
    EXPECT_DOUBLE_EQ(m.majority_baseline, 0.5);
    EXPECT_DOUBLE_EQ(m.models.at("faceapi").accuracy, 0.75);
    EXPECT_DOUBLE_EQ(m.models.at("faceapi").balanced_accuracy, 0.75);
    EXPECT_DOUBLE_EQ(m.models.at("faceapi").mispredicted_positives, 0.0);
    EXPECT_DOUBLE_EQ(m.models.at("faceapi").mispredicted_negatives, 0.5);
    const auto& s = r.attributes[1];  // Smiling [1,1,1,0], predicted [1,0,1,1]
    EXPECT_EQ(s.positives, 3u);
    EXPECT_DOUBLE_EQ(s.majority_baseline, 0.75);
    EXPECT_DOUBLE_EQ(s.models.at("trained").accuracy, 0.5);
    EXPECT_NEAR(s.models.at("trained").balanced_accuracy, (2.0 / 3 + 0.0) / 2, 1e-12);
    EXPECT_NEAR(s.models.at("trained").mispredicted_positives, 1.0 / 3, 1e-12);
    EXPECT_DOUBLE_EQ(s.models.at("trained").mispredicted_negatives, 1.0);
    const auto& y = r.attributes[2];  // Young: no model
    EXPECT_TRUE(y.models.empty());
    EXPECT_DOUBLE_EQ(y.majority_baseline, 0.5);
    ASSERT_TRUE(r.mean_accuracy.has_value());
    EXPECT_DOUBLE_EQ(*r.mean_accuracy, (0.75 + 0.5) / 2);
    EXPECT_NEAR(*r.mean_balanced_accuracy, (0.75 + 1.0 / 3) / 2, 1e-12);
    EXPECT_NEAR(r.mean_majority_baseline, (0.5 + 0.75 + 0.5) / 3, 1e-12);
    EXPECT_EQ(m.main_model, "faceapi");  // no trained model predicts Male here
    EXPECT_EQ(s.main_model, "trained");
    // The Male truth also feeds the gender block.
    EXPECT_DOUBLE_EQ(r.gender.at("faceapi").accuracy, 0.75);
    bool noted = false;
    for (const auto& n : r.notes) noted |= n.find("1 of 3 attributes") != std::string::npos;
    EXPECT_TRUE(noted);
}

TEST(AttributeEval, TrainedModelThresholds) {
    const auto truth = fe::parse_celeba_attributes(
        "4\nSmiling\n1.jpg 1\n2.jpg 1\n3.jpg -1\n4.jpg -1\n", "attr.txt");
    const double smile[] = {0.4, 0.3, 0.2, 0.6};
    std::vector<fe::FaceAttributes> faces(4);
    for (int i = 0; i < 4; ++i) {
        faces[i].file = std::to_string(i + 1) + ".jpg";
        faces[i].attributes["m"]["Smiling"] = smile[i];
    }
    // At 0.5: predicted [0,0,0,1] -> accuracy 0.25.
    EXPECT_DOUBLE_EQ(
        fe::evaluate_attributes(truth, {}, faces).attributes[0].models.at("m").accuracy, 0.25);
    // A trained model's Male is the main entry even beside the gender nets.
    {
        auto both = faces;
        for (auto& f : both) {
            f.attributes["m"]["Male"] = 0.9;
            f.male_prob["faceapi"] = 0.1;
        }
        const auto t2 = fe::parse_celeba_attributes("4\nMale\n1.jpg 1\n2.jpg 1\n3.jpg 1\n4.jpg 1\n",
                                                    "attr.txt");
        const auto r2 = fe::evaluate_attributes(t2, {}, both);
        EXPECT_EQ(r2.attributes[0].main_model, "m");
        EXPECT_DOUBLE_EQ(*r2.mean_accuracy, 1.0);
    }
    // At the model's threshold 0.3 (>=): predicted [1,1,0,1] -> accuracy 0.75.
    fe::AttributeEvalOptions o;
    o.attribute_thresholds["Smiling"] = 0.3;
    EXPECT_DOUBLE_EQ(
        fe::evaluate_attributes(truth, {}, faces, o).attributes[0].models.at("m").accuracy, 0.75);
    o.attribute_thresholds["Smiling"] = 1.5;
    EXPECT_THROW(o.validate(), faceatlas::Error);
}

TEST(AttributeEval, UnknownImagesAndAmbiguousMatches) {
    const auto truth = fe::parse_attribute_truth_csv("file,age\na.jpg,3\nb.jpg,4\n", "t.csv");
    // No truth file in the catalog at all: wrong catalog or truth.
    expect_error([&] { fe::evaluate_attributes(truth, {"/p/c.jpg"}, {face("/p/c.jpg", 1, 3, 0)}); },
                 ErrorCode::kNotFound, {"t.csv", "none of the 2"});
    // Suffix matching stops at a path separator: /p/xa.jpg is not a.jpg.
    const auto r =
        fe::evaluate_attributes(truth, {"/p/xa.jpg", "/p/b.jpg"}, {face("/p/b.jpg", 1, 5, 0)});
    EXPECT_EQ(r.unknown, 1u);
    EXPECT_EQ(r.n, 1u);
    // Two photos named a.jpg in different folders: ambiguous.
    expect_error(
        [&] {
            fe::evaluate_attributes(truth, {"/x/a.jpg", "/y/a.jpg"}, {});
        },
        ErrorCode::kCorruptData, {"t.csv", "line 2", "matches 2"});
    const auto longer = fe::parse_attribute_truth_csv("file,age\nx/a.jpg,3\n", "t.csv");
    EXPECT_EQ(
        fe::evaluate_attributes(longer, {"/x/a.jpg", "/y/a.jpg"}, {face("/x/a.jpg", 1, 3, 0)}).n,
        1u);
}

TEST(AttributeEval, OptionsValidate) {
    fe::AttributeEvalOptions o;
    o.top_l = 0;
    EXPECT_THROW(o.validate(), Error);
    o.top_l = 101;
    EXPECT_THROW(o.validate(), Error);
    o = {};
    o.adult_age = -1;
    EXPECT_THROW(o.validate(), Error);
}
