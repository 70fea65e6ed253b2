// faceatlas eval attributes --catalog DB --truth FILE [--json] [--top-l L]
//
// Scores the catalog's age, gender, expression (and, once a model stores them, binary
// attributes) against labels: a CSV with `file` + age/gender/emotion columns, or CelebA's
// list_attr_celeba.txt. Models: "faceapi", "faceres" and "fused" (vision/attribute_fusion.h,
// computed from the stored per-model outputs).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "cli_common.h"
#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/core/error.h"
#include "faceatlas/eval/attribute_eval.h"
#include "faceatlas/vision/attribute_fusion.h"

namespace faceatlas::cli {
namespace {

// The adapter: catalog faces -> the eval library's plain structs.
void load_catalog_faces(catalog::Catalog& cat, std::vector<std::string>& photos,
                        std::vector<eval::FaceAttributes>& faces, const std::string& trained_name) {
    // Attribute probabilities stored by `attributes predict` / `scan --attributes`.
    std::unordered_map<std::int64_t, std::map<std::string, double>> stored;
    for (const auto& a : cat.face_attributes()) stored[a.face_id][a.name] = a.prob;
    std::unordered_map<std::int64_t, std::string> path_of;
    for (const auto& p : cat.photos()) {
        if (p.status == catalog::MediaStatus::kDeleted) continue;
        path_of[p.id] = p.path;
        photos.push_back(p.path);
    }
    for (const auto& f : cat.faces(/*with_embeddings=*/false)) {
        auto it = path_of.find(f.photo_id);
        if (it == path_of.end()) continue;
        eval::FaceAttributes a;
        a.file = it->second;
        a.area = static_cast<double>(f.box[2]) * f.box[3];
        a.age["faceapi"] = {f.age, {}, 1};
        a.age["faceres"] = {f.age_faceres, f.age_probs, 1};
        a.male_prob["faceapi"] = f.male_prob;
        a.male_prob["faceres"] = f.male_prob_faceres;
        if (auto it = stored.find(f.id); it != stored.end())
            a.attributes[trained_name] = it->second;
        const auto fused = vision::fuse_age_gender(f.age, f.male_prob, f.age_faceres, f.age_probs,
                                                   f.male_prob_faceres);
        a.age["fused"] = {fused.age, {}, 1};
        a.male_prob["fused"] = fused.male_prob;
        if (f.expression.size() == 7) {
            std::array<float, 7> e{};
            std::copy(f.expression.begin(), f.expression.end(), e.begin());
            a.expression["faceapi"] = e;
        }
        faces.push_back(std::move(a));
    }
}

nlohmann::json age_json(const eval::AgeScores& s) {
    return {{"n", s.n}, {"mae", s.mae}, {"band_accuracy", s.band_accuracy}, {"within5", s.within}};
}
nlohmann::json gender_json(const eval::GenderScores& s) {
    return {{"n", s.n}, {"accuracy", s.accuracy}, {"balanced_accuracy", s.balanced_accuracy}};
}
nlohmann::json opt(const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json report_json(const eval::AttributeReport& r, const eval::AttributeTruthTable& t,
                           int top_l) {
    nlohmann::json j{{"truth", t.source},  {"truth_files", r.truth_files}, {"n", r.n},
                     {"missed", r.missed}, {"unknown", r.unknown},         {"no_face", r.no_face},
                     {"top_l", top_l}};
    j["age"] = nlohmann::json::object();
    for (const auto& [m, s] : r.age) j["age"][m] = age_json(s);
    j["age_top_l"] = nlohmann::json::object();
    for (const auto& [m, per] : r.age_top_l)
        for (const auto& [l, s] : per) j["age_top_l"][m][std::to_string(l)] = age_json(s);
    j["gender"] = nlohmann::json::object();
    for (const auto& [m, s] : r.gender) j["gender"][m] = gender_json(s);
    j["expression"] = nlohmann::json::object();
    for (const auto& [m, s] : r.expression) {
        nlohmann::json rec = nlohmann::json::object();
        for (const auto& c : s.recall)
            rec[c.label] = {{"recall", c.recall}, {"support", c.support}};
        j["expression"][m] = {{"n", s.n},
                              {"accuracy", s.accuracy},
                              {"recall", rec},
                              {"unpredictable", s.unpredictable}};
    }
    j["attributes"] = nlohmann::json::object();
    for (const auto& a : r.attributes) {
        nlohmann::json aj{{"n", a.n},
                          {"positives", a.positives},
                          {"majority_baseline", a.majority_baseline},
                          {"accuracy", nullptr},
                          {"balanced_accuracy", nullptr}};
        if (!a.models.empty()) {
            aj["model"] = a.main_model;
            aj["accuracy"] = a.models.at(a.main_model).accuracy;
            aj["balanced_accuracy"] = a.models.at(a.main_model).balanced_accuracy;
        }
        nlohmann::json models = nlohmann::json::object();
        for (const auto& [m, s] : a.models)
            models[m] = {{"n", s.n},
                         {"accuracy", s.accuracy},
                         {"balanced_accuracy", s.balanced_accuracy},
                         {"mispredicted_positives", s.mispredicted_positives},
                         {"mispredicted_negatives", s.mispredicted_negatives}};
        aj["models"] = models;
        j["attributes"][a.name] = aj;
    }
    j["mean_accuracy"] = opt(r.mean_accuracy);
    j["mean_balanced_accuracy"] = opt(r.mean_balanced_accuracy);
    j["mean_majority_baseline"] =
        r.attributes.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.mean_majority_baseline);
    nlohmann::json adults{
        {"n", r.adults.n}, {"age", nlohmann::json::object()}, {"gender", nlohmann::json::object()}};
    for (const auto& [m, s] : r.adults.age) adults["age"][m] = age_json(s);
    for (const auto& [m, s] : r.adults.gender) adults["gender"][m] = gender_json(s);
    j["adults"] = adults;
    j["notes"] = r.notes;
    j["ignored_columns"] = t.ignored_columns;
    return j;
}

void print_text(const eval::AttributeReport& r, const eval::AttributeTruthTable& t, int top_l,
                double adult_age) {
    std::printf(
        "truth %s: %zu files, %zu judged, %zu missed (%zu not in the catalog, %zu without a "
        "face)\n",
        t.source.c_str(), r.truth_files, r.n, r.missed, r.unknown, r.no_face);
    auto age_block = [](const std::map<std::string, eval::AgeScores>& m) {
        for (const auto& [name, s] : m)
            std::printf("  %-10s n=%-6zu MAE %6.2f  band acc %.3f  within 5y %.3f\n", name.c_str(),
                        s.n, s.mae, s.band_accuracy, s.within);
    };
    auto gender_block = [](const std::map<std::string, eval::GenderScores>& m) {
        for (const auto& [name, s] : m)
            std::printf("  %-10s n=%-6zu accuracy %.4f  balanced %.4f\n", name.c_str(), s.n,
                        s.accuracy, s.balanced_accuracy);
    };
    if (!r.age.empty()) {
        std::printf("age (faceres: expected value of the top-%d bins)\n", top_l);
        age_block(r.age);
        for (const auto& [name, per] : r.age_top_l)
            for (const auto& [l, s] : per)
                std::printf("  %s top-%d%s MAE %6.2f  band acc %.3f  within 5y %.3f\n",
                            name.c_str(), l, l == 1 ? " (argmax)" : "         ", s.mae,
                            s.band_accuracy, s.within);
    }
    if (!r.gender.empty()) {
        std::printf("gender\n");
        gender_block(r.gender);
    }
    if (r.adults.n > 0) {
        std::printf("adults (true age >= %g): %zu files\n", adult_age, r.adults.n);
        age_block(r.adults.age);
        gender_block(r.adults.gender);
    }
    for (const auto& [name, s] : r.expression) {
        std::printf("expression %s: n=%zu accuracy %.4f\n", name.c_str(), s.n, s.accuracy);
        for (const auto& c : s.recall)
            std::printf("  %-10s recall %.3f  (%zu faces)\n", c.label.c_str(), c.recall, c.support);
    }
    if (!r.attributes.empty()) {
        std::printf("attributes: %-22s %6s %9s %9s %9s  %s\n", "", "n", "majority", "accuracy",
                    "balanced", "model");
        for (const auto& a : r.attributes) {
            if (a.models.empty()) {
                std::printf("  %-32s %6zu %9.4f %9s %9s  -\n", a.name.c_str(), a.n,
                            a.majority_baseline, "-", "-");
                continue;
            }
            for (const auto& [m, s] : a.models)
                std::printf(
                    "  %-32s %6zu %9.4f %9.4f %9.4f  %s (missed positives %.3f, negatives %.3f)\n",
                    a.name.c_str(), a.n, a.majority_baseline, s.accuracy, s.balanced_accuracy,
                    m.c_str(), s.mispredicted_positives, s.mispredicted_negatives);
        }
        std::printf("  mean majority baseline %.4f", r.mean_majority_baseline);
        if (r.mean_accuracy)
            std::printf(", mean accuracy %.4f, mean balanced accuracy %.4f", *r.mean_accuracy,
                        *r.mean_balanced_accuracy);
        std::printf("\n");
    }
    for (const auto& n : r.notes) std::printf("note: %s\n", n.c_str());
}

}  // namespace

Command add_eval_attributes(CLI::App& eval_parent, GlobalOptions& g) {
    auto* app = eval_parent.add_subcommand(
        "attributes", "score age, gender, expression and attributes against labels");
    struct State {
        std::string catalog = "faceatlas.db";
        std::string truth, attribute_model;
        bool json = false;
        eval::AttributeEvalOptions opts;
    };
    auto st = std::make_shared<State>();
    app->add_option("--catalog", st->catalog, "catalog file (SQLite)")->capture_default_str();
    app->add_option(
           "--truth", st->truth,
           "labels: CSV with file + age/gender/emotion columns, or CelebA list_attr_celeba.txt")
        ->required();
    app->add_option("--top-l", st->opts.top_l, "faceres age: expected value of the top-L outputs")
        ->capture_default_str()
        ->check(CLI::Range(1, 100));
    app->add_flag("--json", st->json, "print the report as one JSON object");
    app->add_option(
        "--attribute-model", st->attribute_model,
        "the attribute model whose probabilities the catalog holds: scored under its file name, at "
        "its tuned thresholds (default: model \"trained\", threshold 0.5)");
    Command cmd;
    cmd.app = app;
    cmd.run = [st, &g]() {
        const auto truth = eval::read_attribute_truth(st->truth);
        auto cat = open_catalog(st->catalog, CatalogAccess::kReadOnly);
        std::vector<std::string> photos;
        std::vector<eval::FaceAttributes> faces;
        std::string trained = "trained";
        if (!st->attribute_model.empty()) {
            const auto m = attr::load_attribute_model(st->attribute_model);
            trained = std::filesystem::path(st->attribute_model).stem().string();
            for (const auto& a : m.attributes) st->opts.attribute_thresholds[a.name] = a.threshold;
        }
        load_catalog_faces(*cat, photos, faces, trained);
        const auto report = eval::evaluate_attributes(truth, photos, faces, st->opts);
        if (st->json)
            std::cout << report_json(report, truth, st->opts.top_l).dump(2) << std::endl;
        else if (!g.quiet)
            print_text(report, truth, st->opts.top_l, st->opts.adult_age);
        return kExitOk;
    };
    return cmd;
}

}  // namespace faceatlas::cli
