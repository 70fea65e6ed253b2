// JSON form of the summaries (`faceatlas person show --json`, `faceatlas persons --json`).
#pragma once

#include <nlohmann/json.hpp>

#include "faceatlas/summary/album_summary.h"
#include "faceatlas/summary/person_summary.h"

namespace faceatlas::summary {

nlohmann::json to_json(const PersonSummary& p);

// The compact per-person object of the person lists (`info --persons --json`,
// `cluster --json --persons-json`, `persons --json`): id, name, faces, gender, male_vote,
// male_product, age, birth_year (null when unknown), expression_counts, expression_mean.
nlohmann::json person_list_json(const PersonSummary& p);

// Summary of one person from the catalog; throws faceatlas::Error (kNotFound) when the person
// does not exist or has no faces.
PersonSummary summarize_person_in(catalog::Catalog& catalog, std::int64_t person_id,
                                  const SummaryOptions& options = {},
                                  const std::vector<FaceAttributeProb>& attributes = {});

}  // namespace faceatlas::summary
