#include "faceatlas/summary/summary_json.h"

#include "faceatlas/core/error.h"
#include "faceatlas/vision/analyzer.h"

namespace faceatlas::summary {

nlohmann::json to_json(const PersonSummary& p) {
    using nlohmann::json;
    json j{{"person_id", p.person_id},
           {"name", p.name ? json(*p.name) : json(nullptr)},
           {"faces", p.face_ids.size()},
           {"face_ids", p.face_ids},
           {"representatives", p.representatives},
           {"photos", p.photos},
           {"videos", p.videos},
           {"photo_ids", p.photo_ids},
           {"first_date", p.first_date ? json(*p.first_date) : json(nullptr)},
           {"last_date", p.last_date ? json(*p.last_date) : json(nullptr)},
           {"gender",
            {{"gender", p.gender.male ? "male" : "female"},
             {"confidence", p.gender.confidence},
             {"male_product", p.gender.male_product},
             {"male_vote", p.gender.male_vote}}}};
    if (p.age) {
        j["age"] = {
            {"age", p.age->age}, {"spread", p.age->spread}, {"confidence", p.age->confidence}};
        j["birth_year"] = p.age->birth_year ? json(*p.age->birth_year) : json(nullptr);
        j["birth_year_sd"] = p.age->birth_year_sd ? json(*p.age->birth_year_sd) : json(nullptr);
    } else {
        j["age"] = nullptr;
        j["birth_year"] = nullptr;
    }
    json attrs = json::array();
    for (const auto& a : p.attributes)
        attrs.push_back(
            {{"name", a.name}, {"kind", a.kind}, {"share", a.share}, {"prominent", a.prominent}});
    j["attributes"] = attrs;
    return j;
}

nlohmann::json person_list_json(const PersonSummary& p) {
    using nlohmann::json;
    json expr = json::object(), counts = json::object();
    for (std::size_t k = 0; k < p.expression_counts.size(); ++k) {
        expr[vision::kExpressionNames[k]] = p.expression_mean[k];
        counts[vision::kExpressionNames[k]] = p.expression_counts[k];
    }
    return {{"id", p.person_id},
            {"name", p.name ? json(*p.name) : json(nullptr)},
            {"faces", p.face_ids.size()},
            {"gender", p.gender.male ? "male" : "female"},
            {"male_vote", p.gender.male_vote},
            {"male_product", p.gender.male_product},
            {"age", p.age ? json(p.age->age) : json(nullptr)},
            {"birth_year", p.age && p.age->birth_year ? json(*p.age->birth_year) : json(nullptr)},
            {"expression_counts", counts},
            {"expression_mean", expr}};
}

PersonSummary summarize_person_in(catalog::Catalog& cat, std::int64_t person_id,
                                  const SummaryOptions& options,
                                  const std::vector<FaceAttributeProb>& attributes) {
    std::optional<catalog::PersonRecord> person;
    for (auto& p : cat.persons())
        if (p.id == person_id) person = std::move(p);
    if (!person)
        throw Error(ErrorCode::kNotFound, "no person " + std::to_string(person_id), "catalog",
                    "list persons with `faceatlas persons`");
    std::map<std::int64_t, catalog::PhotoRecord> photos;
    for (auto& p : cat.photos())
        if (p.status == catalog::MediaStatus::kOk) photos.emplace(p.id, std::move(p));
    const auto all = cat.faces(true);
    std::vector<const catalog::FaceRecord*> faces;
    for (const auto& f : all)
        if (f.person_id == person_id && photos.count(f.photo_id)) faces.push_back(&f);
    if (faces.empty())
        throw Error(ErrorCode::kNotFound, "person " + std::to_string(person_id) + " has no faces",
                    "catalog", "assign faces with `faceatlas cluster`");
    return summarize_person(*person, faces, photos, attributes, options);
}

}  // namespace faceatlas::summary
