// Reading the catalog: faceatlas info | faces | export.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/persons.h"
#include "faceatlas/summary/person_summary.h"
#include "faceatlas/summary/summary_json.h"
#include "faceatlas/vision/analyzer.h"

namespace faceatlas::cli {
namespace {

std::string csv_escape(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string o = "\"";
    for (char c : s) o += (c == '"') ? std::string("\"\"") : std::string(1, c);
    return o + "\"";
}

int argmax(const std::vector<float>& v) {
    int b = 0;
    for (int i = 1; i < static_cast<int>(v.size()); ++i)
        if (v[static_cast<std::size_t>(i)] > v[static_cast<std::size_t>(b)]) b = i;
    return b;
}

nlohmann::json face_to_json(const catalog::FaceRecord& f, const catalog::PhotoRecord& p,
                            bool embeddings) {
    nlohmann::json j{
        {"face_id", f.id},
        {"file", p.path},
        {"photo", p.group.value_or(p.path)},
        {"box", {f.box[0], f.box[1], f.box[2], f.box[3]}},
        {"score", f.score},
        {"face_size", f.face_size},
        {"blur", f.blur},
        {"age", f.age},
        {"age_faceres", f.age_faceres},
        {"gender", f.male_prob >= 0.5f ? "male" : "female"},
        {"male_prob", f.male_prob},
        {"male_prob_faceres", f.male_prob_faceres},
        {"taken_at", p.taken_at ? nlohmann::json(*p.taken_at) : nlohmann::json(nullptr)},
        {"person_id", f.person_id ? nlohmann::json(*f.person_id) : nlohmann::json(nullptr)}};
    // The person summary's rule for a one-face person (summary/person_summary.h).
    const summary::SummaryOptions so;
    const auto fused = summary::fused_face(f, so);
    j["age_fused"] = fused.age;
    j["male_prob_fused"] = fused.male_prob;
    if (f.frame_index) j["frame"] = *f.frame_index;
    if (f.track_id) j["track_id"] = *f.track_id;
    if (const auto b = summary::face_birth_year(f, p, so)) j["birth_year"] = *b;
    if (f.expression.size() == 7) {
        nlohmann::json ex;
        for (std::size_t i = 0; i < 7; ++i) ex[vision::kExpressionNames[i]] = f.expression[i];
        j["expression"] = ex;
    }
    if (embeddings) {
        j["embedding_dlib"] = f.embedding_dlib;
        j["embedding_faceres"] = f.embedding_faceres;
    }
    return j;
}

struct FaceRow {
    const catalog::FaceRecord* face;
    const catalog::PhotoRecord* photo;
};

void write_csv(std::ostream& os, const std::vector<FaceRow>& rows, bool embeddings) {
    os << "file,face_id,person_id,x,y,w,h,photo,frame,score,face_size,blur,age,age_faceres,gender,"
          "male_prob,"
          "male_prob_faceres,expression,birth_year,taken_at,age_fused,male_prob_fused";
    if (embeddings) {
        for (int i = 0; i < 128; ++i) os << ",dlib_" << i;
        for (int i = 0; i < 1024; ++i) os << ",faceres_" << i;
    }
    os << "\n";
    for (const auto& r : rows) {
        const auto& f = *r.face;
        const auto& p = *r.photo;
        os << csv_escape(p.path) << "," << f.id << ","
           << (f.person_id ? std::to_string(*f.person_id) : "") << "," << f.box[0] << ","
           << f.box[1] << "," << f.box[2] << "," << f.box[3] << ","
           << csv_escape(p.group.value_or(p.path)) << ","
           << (f.frame_index ? std::to_string(*f.frame_index) : "") << "," << f.score << ","
           << f.face_size << "," << f.blur << "," << f.age << "," << f.age_faceres << ","
           << (f.male_prob >= 0.5f ? "male" : "female") << "," << f.male_prob << ","
           << f.male_prob_faceres << ","
           << (f.expression.size() == 7
                   ? vision::kExpressionNames[static_cast<std::size_t>(argmax(f.expression))]
                   : "")
           << ",";
        const summary::SummaryOptions so;
        if (const auto b = summary::face_birth_year(f, p, so)) os << std::to_string(*b);
        os << "," << p.taken_at.value_or("");
        const auto fused = summary::fused_face(f, so);
        os << "," << fused.age << "," << fused.male_prob;
        if (embeddings) {
            for (float v : f.embedding_dlib) os << "," << v;
            for (float v : f.embedding_faceres) os << "," << v;
        }
        os << "\n";
    }
}

}  // namespace

std::vector<Command> register_catalog_commands(CLI::App& root, GlobalOptions& g) {
    (void)g;
    std::vector<Command> cmds;
    struct State {
        std::string catalog = "faceatlas.db";
        bool json = false, csv = false, embeddings = false, xmp = false, persons = false;
        std::string photo, format = "csv", out;
        float min_score = 0.f;
    };
    auto st = std::make_shared<State>();

    auto* info = root.add_subcommand("info", "catalog statistics");
    info->add_option("--catalog", st->catalog, "catalog file")->capture_default_str();
    info->add_flag("--json", st->json, "JSON output");
    info->add_flag("--persons", st->persons, "also list persons with their fused gender and age");
    cmds.push_back(
        {info, [st]() {
             auto cat = open_catalog(st->catalog, CatalogAccess::kReadOnly);
             const auto s = cat->stats();
             if (st->json) {
                 nlohmann::json reasons = nlohmann::json::object();
                 for (const auto& [r, n] : s.skip_reasons) reasons[r] = n;
                 std::cout << nlohmann::json{{"catalog", st->catalog}, {"photos", s.photos},
                                             {"videos", s.videos},     {"faces", s.faces},
                                             {"skipped", s.skipped},   {"skip_reasons", reasons},
                                             {"deleted", s.deleted},   {"persons", s.persons}}
                                  .dump(2)
                           << "\n";
                 if (st->persons) {
                     nlohmann::json arr = nlohmann::json::array();
                     for (const auto& p : summary::summarize_persons(*cat))
                         arr.push_back(summary::person_list_json(p));
                     std::cout << arr.dump(2) << "\n";
                 }
             } else {
                 std::printf(
                     "catalog  %s\nphotos   %lld\nvideos   %lld\nfaces    %lld\npersons  %lld\n"
                     "deleted  %lld\nskipped  %lld\n",
                     st->catalog.c_str(), static_cast<long long>(s.photos),
                     static_cast<long long>(s.videos), static_cast<long long>(s.faces),
                     static_cast<long long>(s.persons), static_cast<long long>(s.deleted),
                     static_cast<long long>(s.skipped));
                 for (const auto& [r, n] : s.skip_reasons)
                     std::printf("  %6lld  %s\n", static_cast<long long>(n), r.c_str());
                 if (st->persons) {
                     std::printf("%8s  %-24s %6s %6s %5s\n", "person", "name", "faces", "gender",
                                 "age");
                     for (const auto& p : summary::summarize_persons(*cat)) {
                         std::printf("%8lld  %-24.24s %6zu %6s %5.1f\n",
                                     static_cast<long long>(p.person_id),
                                     p.name.value_or("-").c_str(), p.face_ids.size(),
                                     p.gender.male ? "male" : "female", p.age ? p.age->age : 0.0);
                     }
                 }
             }
             return kExitOk;
         }});

    auto* faces = root.add_subcommand("faces", "list faces with their attributes");
    faces->add_option("--catalog", st->catalog, "catalog file")->capture_default_str();
    auto* fj = faces->add_flag("--json", st->json, "JSON output");
    faces->add_flag("--csv", st->csv, "CSV output")->excludes(fj);
    faces->add_option("--photo", st->photo, "only faces of this photo (path or file name)");
    faces->add_option("--min-score", st->min_score, "only faces with at least this detection score")
        ->check(CLI::Range(0.0, 1.0));

    auto* exp =
        root.add_subcommand("export", "write every face (and photo) for use in another tool");
    exp->add_option("--catalog", st->catalog, "catalog file")->capture_default_str();
    exp->add_option("--format", st->format, "csv or json")
        ->check(CLI::IsMember({"csv", "json"}))
        ->capture_default_str();
    exp->add_flag("--embeddings", st->embeddings, "include both embeddings");
    exp->add_option("--out", st->out,
                    "output file (default: standard output); with --xmp: folder for the sidecars");
    exp->add_flag("--xmp", st->xmp,
                  "write <photo>.xmp sidecars with face regions and person names (MWG regions)");

    auto list = [st](bool is_export) {
        auto cat = open_catalog(st->catalog, CatalogAccess::kReadOnly);
        std::map<std::int64_t, catalog::PhotoRecord> photos;
        for (auto& p : cat->photos()) photos.emplace(p.id, std::move(p));
        const bool emb = is_export && st->embeddings;
        const auto all = cat->faces(emb);
        std::vector<FaceRow> rows;
        for (const auto& f : all) {
            const auto& p = photos.at(f.photo_id);
            if (p.status != catalog::MediaStatus::kOk) continue;
            if (!is_export) {
                if (f.score < st->min_score) continue;
                if (!st->photo.empty() && p.path != st->photo &&
                    std::filesystem::path(p.path).filename() != st->photo && p.group != st->photo)
                    continue;
            }
            rows.push_back({&f, &p});
        }
        std::ofstream file;
        if (!st->out.empty()) {
            file.open(st->out);
            if (!file)
                throw Error(ErrorCode::kIo, "cannot write", st->out,
                            "check the folder exists and is writable");
        }
        std::ostream& os = st->out.empty() ? std::cout : file;
        const bool as_json = is_export ? st->format == "json" : st->json;
        const bool as_csv = is_export ? st->format == "csv" : st->csv;
        if (as_json) {
            nlohmann::json arr = nlohmann::json::array();
            for (const auto& r : rows) arr.push_back(face_to_json(*r.face, *r.photo, emb));
            os << arr.dump() << "\n";
        } else if (as_csv) {
            write_csv(os, rows, emb);
        } else {
            std::printf("%8s  %-40s %-22s %5s %5s %6s %s\n", "face", "file", "box", "score", "age",
                        "gender", "person");
            for (const auto& r : rows) {
                const auto& f = *r.face;
                char box[64];
                std::snprintf(box, sizeof box, "%.0f,%.0f,%.0f,%.0f", f.box[0], f.box[1], f.box[2],
                              f.box[3]);
                std::string file = std::filesystem::path(r.photo->path).filename().string();
                std::printf("%8lld  %-40.40s %-22s %5.2f %5.1f %6s %s\n",
                            static_cast<long long>(f.id), file.c_str(), box, f.score, f.age_faceres,
                            f.male_prob_faceres >= 0.5f ? "male" : "female",
                            f.person_id ? std::to_string(*f.person_id).c_str() : "-");
            }
            std::printf("%zu faces\n", rows.size());
        }
        if (file.is_open() && !file) throw Error(ErrorCode::kIo, "write failed", st->out);
        return kExitOk;
    };
    cmds.push_back({faces, [list]() { return list(false); }});
    cmds.push_back({exp, [list, st]() {
                        return st->xmp ? run_export_xmp(st->catalog, st->out) : list(true);
                    }});
    return cmds;
}

}  // namespace faceatlas::cli
