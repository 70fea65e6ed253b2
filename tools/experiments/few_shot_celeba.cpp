// How a user attribute (attr::fit_user_attribute, logistic regression on embeddings) improves
// with the number of examples: k positives and k negatives drawn from the training split of a
// CelebA-style folder (identity split as `faceatlas train attributes`), scored on the
// validation split. Features come from the trainer's cache (or are computed).
//
//   faceatlas_few_shot_celeba DATA_DIR CACHE_DIR [backbone] [seeds]  -> markdown table on stdout
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <random>

#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/attr/celeba.h"
#include "faceatlas/attr/few_shot.h"
#include "faceatlas/train/attribute_trainer.h"
#include "faceatlas/train/features.h"

namespace fa = faceatlas;

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s DATA_DIR CACHE_DIR [faceres|dlib] [seeds]\n", argv[0]);
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    const std::string backbone = argc > 3 ? argv[3] : "faceres";
    const int seeds = argc > 4 ? std::atoi(argv[4]) : 10;
    try {
        const auto table = fa::attr::read_celeba_attributes(dir / "list_attr_celeba.txt");
        const auto ids = fa::attr::read_celeba_identities(dir / "identity_CelebA.txt");
        std::vector<std::filesystem::path> files;
        std::vector<std::int64_t> groups;
        for (const auto& f : table.files) {
            files.push_back(fa::train::image_folder(dir) / f);
            groups.push_back(ids.at(f));
        }
        fa::train::FeatureOptions fo;
        fo.cache_dir = argv[2];
        const auto models = fa::nn::ModelManifest::load_default(FACEATLAS_DEFAULT_MODEL_DIR);
        const auto fs = fa::train::load_or_extract_features(files, backbone, models, fo);
        // The trainer's split (seed 1, 20 %) over the images with valid features.
        std::vector<std::size_t> valid;
        std::vector<std::int64_t> vgroups;
        for (std::size_t i = 0; i < files.size(); ++i)
            if (fs.valid(i)) {
                valid.push_back(i);
                vgroups.push_back(groups[i]);
            }
        const auto is_val = fa::train::split_by_group(vgroups, 0.2, 1);
        auto emb = [&](std::size_t i) {
            return std::vector<float>(
                fs.values.begin() +
                    static_cast<std::ptrdiff_t>(i * static_cast<std::size_t>(fs.dim)),
                fs.values.begin() +
                    static_cast<std::ptrdiff_t>((i + 1) * static_cast<std::size_t>(fs.dim)));
        };
        std::printf(
            "| attribute | val positive rate | k per side | accuracy (mean ± std) | balanced "
            "accuracy (mean ± std) |\n");
        std::printf("| --- | --- | --- | --- | --- |\n");
        for (const std::string name : {"Eyeglasses", "Wearing_Hat", "Goatee", "Smiling"}) {
            const int col = table.index_of(name);
            std::vector<std::size_t> pos, neg, val;
            for (std::size_t j = 0; j < valid.size(); ++j) {
                const auto i = valid[j];
                if (is_val[j])
                    val.push_back(i);
                else
                    (table.label(i, static_cast<std::size_t>(col)) ? pos : neg).push_back(i);
            }
            std::vector<std::uint8_t> truth;
            for (auto i : val) truth.push_back(table.label(i, static_cast<std::size_t>(col)));
            const double rate = std::accumulate(truth.begin(), truth.end(), 0.0) /
                                static_cast<double>(truth.size());
            for (int k : {1, 5, 10, 50}) {
                std::vector<double> accs, bals;
                for (int s = 1; s <= seeds; ++s) {
                    std::mt19937_64 rng(static_cast<std::uint64_t>(s) * 1000 +
                                        static_cast<std::uint64_t>(k));
                    auto p = pos, n = neg;
                    std::shuffle(p.begin(), p.end(), rng);
                    std::shuffle(n.begin(), n.end(), rng);
                    std::vector<std::vector<float>> pe, ne;
                    for (int t = 0; t < k; ++t) {
                        pe.push_back(emb(p[static_cast<std::size_t>(t)]));
                        ne.push_back(emb(n[static_cast<std::size_t>(t)]));
                    }
                    const auto a = fa::attr::fit_user_attribute(name, backbone, pe, ne);
                    std::vector<float> scores;
                    for (auto i : val) scores.push_back(a.probability(emb(i).data()));
                    const auto sc = fa::attr::binary_scores(scores, truth, 0.5f);
                    accs.push_back(sc.accuracy);
                    bals.push_back(sc.balanced_accuracy);
                }
                auto ms = [](const std::vector<double>& v) {
                    const double m =
                        std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
                    double q = 0;
                    for (double x : v) q += (x - m) * (x - m);
                    return std::pair{
                        m, std::sqrt(q / static_cast<double>(v.size() > 1 ? v.size() - 1 : 1))};
                };
                const auto [am, as] = ms(accs);
                const auto [bm, bs] = ms(bals);
                std::printf("| %s | %.3f | %d | %.3f ± %.3f | %.3f ± %.3f |\n", name.c_str(), rate,
                            k, am, as, bm, bs);
            }
        }
        std::printf("\n%s features, %zu validation images, %d seeds per cell\n", backbone.c_str(),
                    static_cast<std::size_t>(std::count(is_val.begin(), is_val.end(), true)),
                    seeds);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
