// The attribute model file and the CelebA readers: round trip, bad files, atomic writes.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "common/error_code.h"
#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/attr/celeba.h"
#include "faceatlas/attr/few_shot.h"
#include "faceatlas/core/error.h"

namespace fa = faceatlas;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& name) {
    auto d = fs::path(FACEATLAS_BINARY_DIR) / "test_tmp" / ("train_" + name);
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

fa::attr::AttributeModel tiny_model() {
    fa::attr::AttributeModel m;
    m.backbone = fa::attr::kBackboneDlib;
    m.feature_dim = 128;
    m.attributes = {{"Smiling", 0.4f, 0.9, 0.88, 0.5}, {"Eyeglasses", 0.2f, 0.97, 0.9, 0.07}};
    std::mt19937 rng(1);
    std::normal_distribution<float> g(0.f, 0.1f);
    fa::attr::DenseLayer l1{128, 4, {}, {}, fa::attr::Activation::kRelu};
    for (int i = 0; i < 128 * 4; ++i) l1.weight.push_back(g(rng));
    l1.bias = {0.1f, -0.2f, 0.3f, 0.f};
    fa::attr::DenseLayer l2{4,
                            2,
                            {1.f, -1.f, 0.5f, 2.f, -0.5f, 0.25f, 1.f, 0.f},
                            {0.05f, -0.1f},
                            fa::attr::Activation::kSigmoid};
    m.layers = {l1, l2};
    return m;
}

// Naive forward pass as the file format documents it.
std::vector<float> reference(const fa::attr::AttributeModel& m, const std::vector<float>& x) {
    std::vector<float> h = x;
    for (const auto& l : m.layers) {
        std::vector<float> o(static_cast<std::size_t>(l.out));
        for (int r = 0; r < l.out; ++r) {
            double s = l.bias[static_cast<std::size_t>(r)];
            for (int c = 0; c < l.in; ++c)
                s += static_cast<double>(l.weight[static_cast<std::size_t>(r * l.in + c)]) *
                     h[static_cast<std::size_t>(c)];
            if (l.activation == fa::attr::Activation::kRelu) s = std::max(0.0, s);
            if (l.activation == fa::attr::Activation::kSigmoid) s = 1.0 / (1.0 + std::exp(-s));
            o[static_cast<std::size_t>(r)] = static_cast<float>(s);
        }
        h = o;
    }
    return h;
}

void write(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
}

using faceatlas::testing::code_of;

}  // namespace

TEST(AttributeModelFile, RoundTripAndPredictMatchesNaiveForward) {
    const auto dir = temp_dir("roundtrip");
    const auto m = tiny_model();
    fa::attr::save_attribute_model(m, dir / "m.fam");
    EXPECT_FALSE(fs::exists(dir / "m.fam.tmp"));
    const auto l = fa::attr::load_attribute_model(dir / "m.fam", "dlib");
    ASSERT_EQ(l.attributes.size(), 2u);
    EXPECT_EQ(l.attributes[1].name, "Eyeglasses");
    EXPECT_FLOAT_EQ(l.attributes[0].threshold, 0.4f);
    EXPECT_EQ(l.layers[0].weight, m.layers[0].weight);
    std::vector<float> x(256);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<float>(i));
    const auto p = l.predict(x);
    ASSERT_EQ(p.size(), 4u);
    for (int s = 0; s < 2; ++s) {
        const auto r =
            reference(m, std::vector<float>(x.begin() + s * 128, x.begin() + (s + 1) * 128));
        EXPECT_NEAR(p[static_cast<std::size_t>(s * 2)], r[0], 1e-6);
        EXPECT_NEAR(p[static_cast<std::size_t>(s * 2 + 1)], r[1], 1e-6);
    }
    // The header is one JSON line a person can read.
    std::ifstream in(dir / "m.fam");
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(nlohmann::json::parse(line).at("version"), 1);
}

TEST(AttributeModelFile, BadFilesAreRefusedClearly) {
    const auto dir = temp_dir("bad");
    fa::attr::save_attribute_model(tiny_model(), dir / "m.fam");
    std::ifstream in(dir / "m.fam", std::ios::binary);
    std::string header, rest((std::istreambuf_iterator<char>(in)), {});
    header = rest.substr(0, rest.find('\n'));
    const auto blob = rest.substr(rest.find('\n') + 1);

    EXPECT_EQ(code_of([&] { fa::attr::load_attribute_model(dir / "missing.fam"); }),
              fa::ErrorCode::kNotFound);
    // Another backbone than the caller needs.
    EXPECT_EQ(code_of([&] { fa::attr::load_attribute_model(dir / "m.fam", "faceres"); }),
              fa::ErrorCode::kUnsupported);
    // A newer format version.
    auto j = nlohmann::json::parse(header);
    j["version"] = fa::attr::kAttributeModelVersion + 1;
    write(dir / "newer.fam", j.dump() + "\n" + blob);
    EXPECT_EQ(code_of([&] { fa::attr::load_attribute_model(dir / "newer.fam"); }),
              fa::ErrorCode::kUnsupported);
    // A header claiming one backbone with another's feature size.
    j = nlohmann::json::parse(header);
    j["backbone"] = "faceres";
    write(dir / "mixed.fam", j.dump() + "\n" + blob);
    EXPECT_EQ(code_of([&] { fa::attr::load_attribute_model(dir / "mixed.fam"); }),
              fa::ErrorCode::kCorruptData);
    // Truncated weights; not a model at all.
    write(dir / "short.fam", header + "\n" + blob.substr(0, blob.size() / 2));
    EXPECT_EQ(code_of([&] { fa::attr::load_attribute_model(dir / "short.fam"); }),
              fa::ErrorCode::kCorruptData);
    write(dir / "text.fam", "hello\n");
    EXPECT_EQ(code_of([&] { fa::attr::load_attribute_model(dir / "text.fam"); }),
              fa::ErrorCode::kUnsupported);
}

TEST(BinaryScores, BestThresholdIsTheBruteForceOptimum) {
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    std::vector<float> s;
    std::vector<std::uint8_t> t;
    for (int i = 0; i < 400; ++i) {
        t.push_back(u(rng) < 0.1f);
        s.push_back(std::round((t.back() ? 0.3f : 0.f) + 0.7f * u(rng)) * 0.f +
                    (t.back() ? 0.3f : 0.f) + 0.7f * u(rng));
    }
    const float th = fa::attr::best_balanced_threshold(s, t);
    const double best = fa::attr::binary_scores(s, t, th).balanced_accuracy;
    for (int k = 0; k <= 1000; ++k)
        EXPECT_LE(fa::attr::binary_scores(s, t, static_cast<float>(k) / 1000.f).balanced_accuracy,
                  best + 1e-12);
    EXPECT_GT(best, 0.6);
    const auto sc = fa::attr::binary_scores({0.9f, 0.2f, 0.6f, 0.1f}, {1, 0, 0, 0}, 0.5f);
    EXPECT_DOUBLE_EQ(sc.accuracy, 0.75);
    EXPECT_DOUBLE_EQ(sc.balanced_accuracy, 0.5 * (1.0 + 2.0 / 3.0));
}

TEST(CelebaReader, ReadsTheOfficialLayout) {
    const auto dir = temp_dir("celeba_ok");
    write(dir / "a.txt", "2\nSmiling Male\n000001.jpg  1 -1\n000002.jpg -1  1\n");
    const auto t = fa::attr::read_celeba_attributes(dir / "a.txt");
    EXPECT_EQ(t.names, (std::vector<std::string>{"Smiling", "Male"}));
    ASSERT_EQ(t.files.size(), 2u);
    EXPECT_EQ(t.label(0, 0), 1);
    EXPECT_EQ(t.label(1, 0), 0);
    EXPECT_EQ(t.label(1, 1), 1);
    EXPECT_EQ(fa::attr::default_attribute_names().size(), 37u);
}

TEST(CelebaReader, MalformedRowsNameTheLine) {
    const auto dir = temp_dir("celeba_bad");
    const std::vector<std::string> bad = {
        "2\nSmiling Male\n000001.jpg 1 -1\n000002.jpg 1\n",    // too few values
        "2\nSmiling Male\n000001.jpg 1 -1\n000002.jpg 1 0\n",  // not +-1
        "2\nSmiling Male\n000001.jpg 1 -1\n000001.jpg 1 1\n",  // duplicate image
        "2\nSmiling Male\n",                                   // no rows
        "two\nSmiling Male\n000001.jpg 1 -1\n",                // bad count line
    };
    for (std::size_t i = 0; i < bad.size(); ++i) {
        write(dir / "a.txt", bad[i]);
        try {
            fa::attr::read_celeba_attributes(dir / "a.txt");
            ADD_FAILURE() << "case " << i << " was accepted";
        } catch (const fa::Error& e) {
            EXPECT_EQ(e.code(), fa::ErrorCode::kCorruptData) << i;
            if (i < 3) {
                EXPECT_NE(e.message().find("line 4"), std::string::npos) << e.message();
            }
        }
    }
}

TEST(FewShot, SeparatesTwoClustersAndRoundTrips) {
    std::mt19937 rng(5);
    std::normal_distribution<float> g(0.f, 1.f);
    auto sample = [&](float shift) {
        std::vector<float> v(64);
        for (auto& x : v) x = g(rng);
        v[0] += shift;
        return v;
    };
    std::vector<std::vector<float>> pos, neg;
    for (int i = 0; i < 5; ++i) {
        pos.push_back(sample(6.f));
        neg.push_back(sample(-6.f));
    }
    const auto a = fa::attr::fit_user_attribute("x", "faceres", pos, neg);
    int right = 0;
    for (int i = 0; i < 100; ++i) {
        right += a.probability(sample(6.f).data()) > 0.5f;
        right += a.probability(sample(-6.f).data()) < 0.5f;
    }
    EXPECT_GE(right, 190);
    const auto dir = temp_dir("fewshot");
    fa::attr::save_user_attribute(a, dir / "x.json");
    const auto b = fa::attr::load_user_attribute(dir / "x.json");
    EXPECT_EQ(a.weight, b.weight);
    EXPECT_EQ(a.bias, b.bias);
    EXPECT_THROW(fa::attr::fit_user_attribute("x", "faceres", pos, {}), fa::Error);
    EXPECT_THROW(fa::attr::fit_user_attribute("x", "faceres", {}, neg), fa::Error);
}
