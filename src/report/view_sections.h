// The report's optional views (attribute clusters, sub-discrimination, evaluation), rendered
// from the typed view files of analysis/ (formats: docs/REPORT.md).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "faceatlas/analysis/attribute_view.h"
#include "faceatlas/analysis/eval_view.h"
#include "faceatlas/analysis/subdiscrimination_view.h"

namespace faceatlas::report {

struct ViewContext {
    // <img> (or placeholder) of one face thumbnail.
    std::function<std::string(std::int64_t face_id)> face;
    // Whether a face id is still in the catalog; other ids are skipped and counted.
    std::function<bool(std::int64_t face_id)> known;
    std::map<std::int64_t, std::string> person_titles;  // persons of the report (#p<id> links)
    double prominent_share = 0.3;
};

std::string attribute_view_section(const analysis::AttributeView& view, const ViewContext& ctx);
std::string subdiscrimination_view_section(const analysis::SubdiscriminationView& view,
                                           const ViewContext& ctx);
std::string eval_view_section(const analysis::EvalView& view, const ViewContext& ctx);

}  // namespace faceatlas::report
