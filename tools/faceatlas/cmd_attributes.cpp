// Attribute probabilities in the catalog (no LibTorch needed):
//   faceatlas attributes predict --model MODEL [--catalog DB]
//   faceatlas attribute learn NAME --positive IDS|FILES --negative IDS|FILES [--catalog DB]
//   faceatlas attribute apply NAME [--catalog DB]
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>

#include "cli_common.h"
#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/attr/few_shot.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/attribute_apply.h"
#include "faceatlas/vision/analyzer.h"

namespace faceatlas::cli {
namespace {

std::filesystem::path user_attribute_path(const std::string& catalog_path,
                                          const std::string& name) {
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
            throw Error(ErrorCode::kInvalidArgument,
                        "attribute names use letters, digits, _ and - only", name);
    return std::filesystem::path(catalog_path + ".attributes") / (name + ".json");
}

// Face ids (integers) from the catalog, or image files analyzed now (the largest face; a file
// where the detector finds none is taken as a face crop).
std::vector<std::vector<float>> examples(
    const std::vector<std::string>& items, const std::string& backbone,
    const std::map<std::int64_t, const catalog::FaceRecord*>& faces,
    std::optional<vision::Analyzer>& analyzer, const GlobalOptions& g) {
    std::vector<std::vector<float>> out;
    for (const auto& it : items) {
        const bool is_id = !it.empty() && std::all_of(it.begin(), it.end(), [](char c) {
            return std::isdigit(c);
        }) && !std::filesystem::exists(it);
        if (is_id) {
            const auto f = faces.find(std::stoll(it));
            if (f == faces.end())
                throw Error(ErrorCode::kNotFound, "no face " + it + " in the catalog", it,
                            "list face ids with `faceatlas faces`");
            out.push_back(pipeline::embedding_of(*f->second, backbone));
            continue;
        }
        if (!std::filesystem::is_regular_file(it))
            throw Error(ErrorCode::kNotFound, "not a face id or an image file", it);
        if (!analyzer)
            analyzer =
                vision::Analyzer::load(nn::ModelManifest::load_default(resolve_model_dir(g)));
        vision::AnalyzeOptions ao;
        auto r = analyzer->analyze_file(it, ao);
        if (!r.error && r.faces.empty()) {
            ao.crops = true;
            r = analyzer->analyze_file(it, ao);
        }
        if (r.error || r.faces.empty())
            throw Error(ErrorCode::kCorruptData, "no face found: " + r.error.value_or(""), it);
        const auto& best = *std::max_element(
            r.faces.begin(), r.faces.end(),
            [](const auto& a, const auto& b) { return a.box[2] * a.box[3] < b.box[2] * b.box[3]; });
        out.push_back(backbone == attr::kBackboneDlib ? best.embedding_dlib
                                                      : best.embedding_faceres);
    }
    return out;
}

std::vector<std::string> split_list(const std::vector<std::string>& v) {
    std::vector<std::string> out;
    for (const auto& s : v) {
        std::stringstream ss(s);
        std::string t;
        while (std::getline(ss, t, ','))
            if (!t.empty()) out.push_back(t);
    }
    return out;
}

}  // namespace

std::vector<Command> register_attribute_commands(CLI::App& root, GlobalOptions& g) {
    std::vector<Command> cmds;
    {
        auto* group = root.add_subcommand("attributes", "attribute models on catalog faces");
        group->require_subcommand(1);
        auto* app = group->add_subcommand(
            "predict", "store every face's attribute probabilities in the catalog");
        auto model = std::make_shared<std::string>();
        auto cat = std::make_shared<std::string>("faceatlas.db");
        auto recompute = std::make_shared<bool>(false);
        app->add_option("--model", *model, "attribute model file (faceatlas train attributes)")
            ->required();
        app->add_option("--catalog", *cat, "catalog file")->capture_default_str();
        app->add_flag(
            "--recompute", *recompute,
            "label every face again (default: only faces that lack one of the model's attributes)");
        cmds.push_back({app, [model, cat, recompute, &g]() {
                            const auto m = attr::load_attribute_model(*model);
                            auto c = open_catalog(*cat, CatalogAccess::kWrite);
                            std::optional<nn::ModelManifest> manifest;
                            if (m.backbone == attr::kBackboneFaceresBlocks)
                                manifest = nn::ModelManifest::load_default(resolve_model_dir(g));
                            const auto r = pipeline::apply_attribute_model(
                                *c, m, manifest ? &*manifest : nullptr, *recompute);
                            if (!g.quiet)
                                std::printf(
                                    "%zu faces x %zu attributes stored in %s (%zu already had "
                                    "them, %zu without "
                                    "features)\n",
                                    r.labelled, m.attributes.size(), cat->c_str(), r.already,
                                    r.skipped);
                            return kExitOk;
                        }});
    }
    auto* group =
        root.add_subcommand("attribute", "user-defined attributes learned from a few examples");
    group->require_subcommand(1);
    {
        auto* app = group->add_subcommand(
            "learn", "fit an attribute from example faces (ids or image files)");
        struct State {
            std::string name, catalog = "faceatlas.db", backbone = "faceres";
            std::vector<std::string> pos, neg;
        };
        auto st = std::make_shared<State>();
        app->add_option("name", st->name, "attribute name")->required();
        app->add_option("--positive", st->pos,
                        "face ids or image files showing it (comma-separated or repeated)")
            ->required();
        app->add_option("--negative", st->neg, "face ids or image files not showing it")
            ->required();
        app->add_option("--catalog", st->catalog, "catalog file")->capture_default_str();
        app->add_option("--backbone", st->backbone, "embedding: faceres or dlib")
            ->check(CLI::IsMember({"faceres", "dlib"}))
            ->capture_default_str();
        cmds.push_back(
            {app, [st, &g]() {
                 const auto path = user_attribute_path(st->catalog, st->name);
                 auto c = open_catalog(st->catalog, CatalogAccess::kWrite);
                 const auto faces = c->faces(true);
                 std::map<std::int64_t, const catalog::FaceRecord*> by_id;
                 for (const auto& f : faces) by_id[f.id] = &f;
                 std::optional<vision::Analyzer> analyzer;
                 const auto pos = examples(split_list(st->pos), st->backbone, by_id, analyzer, g);
                 const auto neg = examples(split_list(st->neg), st->backbone, by_id, analyzer, g);
                 const auto a = attr::fit_user_attribute(st->name, st->backbone, pos, neg);
                 std::filesystem::create_directories(path.parent_path());
                 attr::save_user_attribute(a, path);
                 if (!g.quiet)
                     std::printf("learned %s from %zu positive and %zu negative examples: %s\n",
                                 st->name.c_str(), pos.size(), neg.size(), path.c_str());
                 return kExitOk;
             }});
    }
    {
        auto* app = group->add_subcommand(
            "apply", "label every catalog face with the attribute's probability");
        auto name = std::make_shared<std::string>();
        auto cat = std::make_shared<std::string>("faceatlas.db");
        app->add_option("name", *name, "attribute name (learned with `attribute learn`)")
            ->required();
        app->add_option("--catalog", *cat, "catalog file")->capture_default_str();
        cmds.push_back({app, [name, cat, &g]() {
                            const auto a =
                                attr::load_user_attribute(user_attribute_path(*cat, *name));
                            auto c = open_catalog(*cat, CatalogAccess::kWrite);
                            std::vector<catalog::FaceAttribute> rows;
                            std::size_t positive = 0;
                            for (const auto& f : c->faces(true)) {
                                const auto& e = pipeline::embedding_of(f, a.backbone);
                                if (static_cast<int>(e.size()) != a.dim) continue;
                                const float p = a.probability(e.data());
                                positive += p >= 0.5f;
                                rows.push_back({f.id, a.name, p});
                            }
                            c->set_face_attributes(rows);
                            if (!g.quiet)
                                std::printf("%s: %zu faces labelled, %zu with probability >= 0.5\n",
                                            name->c_str(), rows.size(), positive);
                            return kExitOk;
                        }});
    }
    return cmds;
}

}  // namespace faceatlas::cli
