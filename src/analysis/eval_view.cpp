#include "faceatlas/analysis/eval_view.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "faceatlas/core/error.h"
#include "view_json.h"

namespace faceatlas::analysis {
using nlohmann::json;

void EvalViewOptions::validate() const {
    if (max_cases < 1 || sample_faces < 1)
        throw Error(ErrorCode::kInvalidArgument, "max_cases and sample_faces must be >= 1",
                    "EvalViewOptions");
}

std::vector<EvalMetric> metric_table(const eval::ClusteringScores& s) {
    return {{"K (persons)", static_cast<double>(s.K)},
            {"C (identities)", static_cast<double>(s.C)},
            {"K/C", s.K_over_C},
            {"ARI", s.ARI},
            {"AMI", s.AMI},
            {"NMI", s.NMI},
            {"homogeneity", s.homogeneity},
            {"completeness", s.completeness},
            {"V-measure", s.v_measure},
            {"BCubed precision", s.bcubed_precision},
            {"BCubed recall", s.bcubed_recall},
            {"BCubed F", s.bcubed_f},
            {"pairwise precision", s.pairwise_precision},
            {"pairwise recall", s.pairwise_recall},
            {"pairwise F", s.pairwise_f},
            {"purity", s.purity}};
}

namespace {

// Key of a part inside a case: the identity (merges) or the person (splits; -1 = unsorted, which
// never collides with a catalog id).
template <typename Key>
std::vector<ConfusionPart> parts_of(const std::vector<const EvalFace*>& faces, Key key,
                                    std::size_t samples) {
    std::map<decltype(key(*faces.front())), ConfusionPart> by;
    for (const auto* f : faces) {
        auto& p = by[key(*f)];
        if (p.faces == 0) {
            p.identity = f->identity;
            p.person_id = f->person_id;
        }
        ++p.faces;
        if (p.sample_faces.size() < samples) p.sample_faces.push_back(f->face_id);
    }
    std::vector<ConfusionPart> out;
    for (auto& [k, p] : by) out.push_back(std::move(p));
    // Largest first; unsorted last; then by identity / person id for a stable order.
    std::stable_sort(out.begin(), out.end(), [](const ConfusionPart& a, const ConfusionPart& b) {
        if (a.person_id.has_value() != b.person_id.has_value()) return a.person_id.has_value();
        return a.faces > b.faces;
    });
    return out;
}

}  // namespace

EvalView build_eval_view(const std::vector<EvalFace>& faces, const eval::ClusteringScores& scores,
                         const EvalViewOptions& o) {
    o.validate();
    EvalView v;
    v.faces_scored = static_cast<std::int64_t>(faces.size());
    v.metrics = metric_table(scores);
    std::map<std::int64_t, std::vector<const EvalFace*>> by_person;
    std::map<std::string, std::vector<const EvalFace*>> by_identity;
    for (const auto& f : faces) {
        if (f.person_id)
            by_person[*f.person_id].push_back(&f);
        else
            ++v.unsorted;
        by_identity[f.identity].push_back(&f);
    }
    for (const auto& [pid, fs] : by_person) {
        auto parts = parts_of(
            fs, [](const EvalFace& f) { return f.identity; }, o.sample_faces);
        if (parts.size() < 2) continue;
        MergeCase m{pid, static_cast<std::int64_t>(fs.size()), 0, std::move(parts)};
        m.wrong_faces = m.faces - m.parts.front().faces;
        v.merges.push_back(std::move(m));
    }
    for (const auto& [identity, fs] : by_identity) {
        auto parts = parts_of(
            fs, [](const EvalFace& f) { return f.person_id.value_or(-1); }, o.sample_faces);
        if (parts.size() < 2) continue;
        SplitCase s{identity, static_cast<std::int64_t>(fs.size()), 0, std::move(parts)};
        const auto& largest = s.parts.front();
        s.outside_faces = s.faces - (largest.person_id ? largest.faces : 0);
        v.splits.push_back(std::move(s));
    }
    std::stable_sort(v.merges.begin(), v.merges.end(), [](const MergeCase& a, const MergeCase& b) {
        return std::tie(b.wrong_faces, b.faces) < std::tie(a.wrong_faces, a.faces);
    });
    std::stable_sort(v.splits.begin(), v.splits.end(), [](const SplitCase& a, const SplitCase& b) {
        return std::tie(b.outside_faces, b.faces) < std::tie(a.outside_faces, a.faces);
    });
    if (v.merges.size() > o.max_cases) v.merges.resize(o.max_cases);
    if (v.splits.size() > o.max_cases) v.splits.resize(o.max_cases);
    return v;
}

// ADL hooks for the parts (internal: the format is documented in docs/REPORT.md).
void to_json(json& j, const ConfusionPart& p) {
    j = json{{"identity", p.identity},
             {"person_id", opt_json(p.person_id)},
             {"faces", p.faces},
             {"sample_faces", p.sample_faces}};
}
void from_json(const json& j, ConfusionPart& p) {
    p.identity = j.at("identity").get<std::string>();
    p.person_id = opt_from_json<std::int64_t>(j, "person_id");
    p.faces = j.at("faces").get<std::int64_t>();
    p.sample_faces = j.at("sample_faces").get<std::vector<std::int64_t>>();
}

void to_json(json& j, const EvalView& v) {
    json metrics = json::array();
    for (const auto& m : v.metrics) metrics.push_back({{"name", m.name}, {"value", m.value}});
    json merges = json::array(), splits = json::array();
    for (const auto& m : v.merges)
        merges.push_back({{"person_id", m.person_id},
                          {"faces", m.faces},
                          {"wrong_faces", m.wrong_faces},
                          {"parts", m.parts}});
    for (const auto& s : v.splits)
        splits.push_back({{"identity", s.identity},
                          {"faces", s.faces},
                          {"outside_faces", s.outside_faces},
                          {"parts", s.parts}});
    j = json{
        {"format", "faceatlas-eval"}, {"version", v.version},   {"created", v.created},
        {"catalog", v.catalog},       {"truth", v.truth},       {"faces_scored", v.faces_scored},
        {"missing", v.missing},       {"unsorted", v.unsorted}, {"metrics", metrics},
        {"merges", merges},           {"splits", splits}};
}

void from_json(const json& j, EvalView& v) {
    check_format(j, "faceatlas-eval", kEvalViewVersion);
    v.version = j.at("version").get<int>();
    v.created = j.value("created", std::string());
    v.catalog = j.value("catalog", std::string());
    v.truth = j.value("truth", std::string());
    v.faces_scored = j.value("faces_scored", std::int64_t{0});
    v.missing = j.value("missing", std::int64_t{0});
    v.unsorted = j.value("unsorted", std::int64_t{0});
    v.metrics.clear();
    for (const auto& m : j.at("metrics"))
        v.metrics.push_back({m.at("name").get<std::string>(), m.at("value").get<double>()});
    v.merges.clear();
    for (const auto& m : j.at("merges"))
        v.merges.push_back({m.at("person_id").get<std::int64_t>(),
                            m.at("faces").get<std::int64_t>(),
                            m.at("wrong_faces").get<std::int64_t>(),
                            m.at("parts").get<std::vector<ConfusionPart>>()});
    v.splits.clear();
    for (const auto& s : j.at("splits"))
        v.splits.push_back({s.at("identity").get<std::string>(), s.at("faces").get<std::int64_t>(),
                            s.at("outside_faces").get<std::int64_t>(),
                            s.at("parts").get<std::vector<ConfusionPart>>()});
}

}  // namespace faceatlas::analysis
