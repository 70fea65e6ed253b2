// faceatlas analyze IMAGE... [--json] [--crops]
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_common.h"
#include "faceatlas/vision/analyzer.h"

namespace faceatlas::cli {
namespace {

nlohmann::json face_json(const vision::FaceResult& f) {
    nlohmann::json j;
    j["box"] = {f.box[0], f.box[1], f.box[2], f.box[3]};
    j["score"] = f.score;
    nlohmann::json lm = nlohmann::json::array();
    for (const auto& p : f.landmarks) lm.push_back({p[0], p[1]});
    j["landmarks"] = std::move(lm);
    j["age"] = f.age;
    j["age_faceres"] = f.age_faceres;
    j["gender"] = f.gender;
    j["gender_prob"] = f.gender_prob;
    j["gender_faceres_prob"] = f.gender_faceres_prob;
    nlohmann::json ex = nlohmann::json::object();
    for (std::size_t i = 0; i < f.expression.size(); ++i)
        ex[vision::kExpressionNames[i]] = f.expression[i];
    j["expression"] = std::move(ex);
    j["embedding_dlib"] = f.embedding_dlib;
    j["embedding_faceres"] = f.embedding_faceres;
    return j;
}

void print_table(const vision::ImageResult& r) {
    std::cout << r.file;
    if (r.error) {
        std::cout << "  ERROR: " << *r.error << "\n";
        return;
    }
    std::cout << "  (" << r.width << "x" << r.height << ")  " << r.faces.size() << " face"
              << (r.faces.size() == 1 ? "" : "s") << "\n";
    if (r.faces.empty()) return;
    std::cout << "   #  box (x,y,w,h)            score  age  age_fr  gender (p)     male_fr  "
                 "expression\n";
    for (std::size_t i = 0; i < r.faces.size(); ++i) {
        const auto& f = r.faces[i];
        std::size_t best = 0;
        for (std::size_t k = 1; k < f.expression.size(); ++k)
            if (f.expression[k] > f.expression[best]) best = k;
        std::ostringstream box;
        box << std::fixed << std::setprecision(0) << f.box[0] << "," << f.box[1] << "," << f.box[2]
            << "," << f.box[3];
        std::cout << std::fixed << std::setprecision(2) << "  " << std::setw(2) << i + 1 << "  "
                  << std::left << std::setw(24) << box.str() << std::right << std::setw(5)
                  << f.score << std::setprecision(1) << std::setw(5) << f.age << std::setw(8)
                  << f.age_faceres << "  " << std::left << std::setw(6) << f.gender << " ("
                  << std::setprecision(2) << f.gender_prob << ")" << std::right << std::setw(9)
                  << f.gender_faceres_prob << "  " << vision::kExpressionNames[best] << " ("
                  << f.expression[best] << ")\n";
    }
}

}  // namespace

Command register_analyze(CLI::App& root, GlobalOptions& g) {
    auto* app = root.add_subcommand("analyze", "detect and describe every face in images");
    struct State {
        std::vector<std::string> images;
        bool json = false;
        vision::AnalyzeOptions opts;
    };
    auto st = std::make_shared<State>();
    app->add_option("images", st->images, "image files")->required();
    app->add_flag("--json", st->json,
                  "print a JSON array (one object per image) instead of a table");
    app->add_flag("--crops", st->opts.crops, "treat every image as one face crop (no detector)");
    app->add_option("--min-score", st->opts.min_confidence, "detector score threshold")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    app->add_option("--age-top-l", st->opts.age_top_l,
                    "faceres age: expected value of the top-L outputs")
        ->capture_default_str()
        ->check(CLI::Range(1, 100));
    app->add_flag("--attribute-flip,!--no-attribute-flip", st->opts.attribute_flip,
                  "age/gender averaged over the face and its mirror image (slower; default off)");
    Command cmd;
    cmd.app = app;
    cmd.run = [st, &g]() {
        st->opts.validate();
        auto manifest = nn::ModelManifest::load_default(resolve_model_dir(g));
        auto analyzer = vision::Analyzer::load(manifest);
        bool any_error = false;
        nlohmann::json out = nlohmann::json::array();
        for (const auto& path : st->images) {
            auto r = analyzer.analyze_file(path, st->opts);
            any_error = any_error || r.error.has_value();
            if (st->json) {
                nlohmann::json j{{"file", r.file}, {"width", r.width}, {"height", r.height}};
                if (r.error) {
                    j["error"] = *r.error;
                } else {
                    nlohmann::json faces = nlohmann::json::array();
                    for (const auto& f : r.faces) faces.push_back(face_json(f));
                    j["faces"] = std::move(faces);
                }
                out.push_back(std::move(j));
            } else {
                print_table(r);
            }
            if (r.error) std::cerr << "faceatlas: " << *r.error << "\n";
        }
        if (st->json) std::cout << out.dump() << "\n";
        return any_error ? kExitFailure : kExitOk;
    };
    return cmd;
}

}  // namespace faceatlas::cli
