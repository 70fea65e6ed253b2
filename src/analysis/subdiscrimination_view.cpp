#include "faceatlas/analysis/subdiscrimination_view.h"

#include <algorithm>
#include <numeric>

#include "faceatlas/core/error.h"
#include "view_json.h"

namespace faceatlas::analysis {
using nlohmann::json;

SubdiscriminationView build_subdiscrimination_view(const SubdiscriminationResult& r,
                                                   const cluster::MatrixView& x,
                                                   const std::vector<std::int64_t>& face_ids,
                                                   const std::vector<LabelColumn>& columns,
                                                   std::size_t nearest) {
    if (face_ids.size() != x.rows)
        throw Error(ErrorCode::kInvalidArgument, "face_ids and the embedding rows differ",
                    "build_subdiscrimination_view");
    SubdiscriminationView v;
    v.faces = static_cast<std::int64_t>(x.rows);
    v.accuracy = r.rows;
    v.best_by_k = r.best_by_k;
    for (const auto& m : r.models) {
        const auto a = cluster::assign_to_centroids(m, x);
        SubRun run{m.k(), m.seed, {}};
        std::vector<std::vector<std::size_t>> members(static_cast<std::size_t>(m.k()));
        for (std::size_t i = 0; i < a.labels.size(); ++i)
            if (a.labels[i] >= 0) members[static_cast<std::size_t>(a.labels[i])].push_back(i);
        for (int g = 0; g < m.k(); ++g) {
            auto& mem = members[static_cast<std::size_t>(g)];
            std::stable_sort(mem.begin(), mem.end(), [&](std::size_t p, std::size_t q) {
                return a.distances[p] < a.distances[q];
            });
            SubGroup sg;
            sg.group = g;
            sg.size = static_cast<std::int64_t>(mem.size());
            for (std::size_t i = 0; i < mem.size() && i < nearest; ++i)
                sg.nearest_faces.push_back(face_ids[mem[i]]);
            for (const auto& c : columns) {
                std::vector<std::size_t> count(c.values.size(), 0);
                std::size_t labelled = 0;
                for (auto i : mem)
                    if (c.labels[i] >= 0)
                        ++count[static_cast<std::size_t>(c.labels[i])], ++labelled;
                if (labelled == 0) continue;
                const auto best = static_cast<std::size_t>(
                    std::max_element(count.begin(), count.end()) - count.begin());
                sg.majority.push_back(
                    {c.name, c.values[best],
                     static_cast<double>(count[best]) / static_cast<double>(labelled)});
            }
            run.groups.push_back(std::move(sg));
        }
        v.runs.push_back(std::move(run));
    }
    return v;
}

namespace {

json score_json(const SplitScore& s) {
    return {{"mean", s.mean}, {"std", s.std}, {"per_seed", s.per_seed}};
}
SplitScore score_from(const json& j) {
    return {j.at("mean").get<double>(), j.at("std").get<double>(),
            j.value("per_seed", std::vector<double>())};
}

}  // namespace

void to_json(json& j, const ColumnExplanation& e) {
    j = json{{"k", e.k},
             {"column", e.column},
             {"labelled", e.labelled},
             {"classes", e.classes},
             {"chance", e.chance},
             {"accuracy", score_json(e.accuracy)},
             {"purity", score_json(e.purity)},
             {"ami", score_json(e.ami)}};
}

void from_json(const json& j, ColumnExplanation& e) {
    e.k = j.at("k").get<int>();
    e.column = j.at("column").get<std::string>();
    e.labelled = j.value("labelled", std::size_t{0});
    e.classes = j.value("classes", 0);
    e.chance = j.value("chance", 0.0);
    e.accuracy = score_from(j.at("accuracy"));
    e.purity = score_from(j.at("purity"));
    e.ami = score_from(j.at("ami"));
}

void to_json(json& j, const SubdiscriminationView& v) {
    json runs = json::array();
    for (const auto& r : v.runs) {
        json groups = json::array();
        for (const auto& g : r.groups) {
            json maj = json::array();
            for (const auto& m : g.majority)
                maj.push_back({{"column", m.column}, {"value", m.value}, {"share", m.share}});
            groups.push_back({{"group", g.group},
                              {"size", g.size},
                              {"nearest_faces", g.nearest_faces},
                              {"majority", maj}});
        }
        runs.push_back({{"k", r.k}, {"seed", r.seed}, {"groups", groups}});
    }
    json acc = json::array();
    for (const auto& e : v.accuracy) acc.push_back(e);
    j = json{{"format", "faceatlas-subdiscrimination"},
             {"version", v.version},
             {"created", v.created},
             {"catalog", v.catalog},
             {"embedding", v.embedding},
             {"algorithm", v.algorithm},
             {"person_id", opt_json(v.person_id)},
             {"faces", v.faces},
             {"seeds", v.seeds},
             {"labels", v.labels},
             {"runs", runs},
             {"accuracy", acc},
             {"best_by_k", v.best_by_k}};
}

void from_json(const json& j, SubdiscriminationView& v) {
    check_format(j, "faceatlas-subdiscrimination", kSubdiscriminationViewVersion);
    v.version = j.at("version").get<int>();
    v.created = j.value("created", std::string());
    v.catalog = j.value("catalog", std::string());
    v.embedding = j.value("embedding", std::string());
    v.algorithm = j.value("algorithm", std::string());
    v.person_id = opt_from_json<std::int64_t>(j, "person_id");
    v.faces = j.value("faces", std::int64_t{0});
    v.seeds = j.value("seeds", 1);
    v.labels = j.value("labels", std::string());
    v.runs.clear();
    for (const auto& r : j.at("runs")) {
        SubRun run{r.at("k").get<int>(), r.value("seed", std::uint64_t{0}), {}};
        for (const auto& g : r.at("groups")) {
            SubGroup sg;
            sg.group = g.at("group").get<int>();
            sg.size = g.at("size").get<std::int64_t>();
            sg.nearest_faces = g.at("nearest_faces").get<std::vector<std::int64_t>>();
            if (g.contains("majority"))
                for (const auto& m : g.at("majority"))
                    sg.majority.push_back({m.at("column").get<std::string>(),
                                           m.at("value").get<std::string>(),
                                           m.at("share").get<double>()});
            run.groups.push_back(std::move(sg));
        }
        v.runs.push_back(std::move(run));
    }
    v.accuracy = j.value("accuracy", json::array()).get<std::vector<ColumnExplanation>>();
    v.best_by_k = j.value("best_by_k", std::vector<std::string>());
}

}  // namespace faceatlas::analysis
