#include "report/view_sections.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "faceatlas/cluster/clustering.h"
#include "report/charts.h"
#include "report/html.h"

namespace faceatlas::report {
namespace {

// Thumbnails of the ids still in the catalog; the others are counted in *skipped.
class FaceRow {
  public:
    explicit FaceRow(const ViewContext& ctx) : ctx_(ctx) {}
    std::string operator()(const std::vector<std::int64_t>& ids, std::size_t limit,
                           std::int64_t total = -1) {
        std::string s = "<div class=\"grid\">";
        std::size_t shown = 0;
        for (const auto id : ids) {
            if (!ctx_.known(id)) {
                ++skipped_;
                continue;
            }
            if (shown == limit) break;
            s += ctx_.face(id);
            ++shown;
        }
        const std::int64_t rest = (total >= 0 ? total : static_cast<std::int64_t>(ids.size())) -
                                  static_cast<std::int64_t>(shown);
        if (rest > 0 && total >= 0)
            s += "<span class=\"more\">+" + std::to_string(rest) + " more</span>";
        return s + "</div>";
    }
    // A note when ids were skipped (the catalog changed since the view was written).
    std::string note() const {
        if (skipped_ == 0) return "";
        return "<p class=\"note\">" + std::to_string(skipped_) +
               " face ids of this view are no longer in the catalog and were skipped; rerun the "
               "command that wrote it to refresh.</p>";
    }

  private:
    const ViewContext& ctx_;
    std::size_t skipped_ = 0;
};

std::string person_link(const ViewContext& ctx, std::optional<std::int64_t> pid) {
    if (!pid) return "<span class=\"unsorted\">unsorted</span>";
    const auto it = ctx.person_titles.find(*pid);
    if (it == ctx.person_titles.end())
        return html_escape("person " + std::to_string(*pid)) +
               " <span class=\"conf\">(gone)</span>";
    return "<a href=\"#p" + std::to_string(*pid) + "\">" + html_escape(it->second) + "</a>";
}

std::vector<summary::AttributeShare> shares_of(const analysis::AttributeGroup& g) {
    std::vector<summary::AttributeShare> out;
    for (const auto& a : g.occurrence) out.push_back({a.name, a.kind, a.share, a.prominent});
    return out;
}

std::string selection_text(const analysis::AttributeSelectionInfo& s) {
    std::string t;
    for (std::size_t j = 0; j < s.attributes.size(); ++j) {
        if (j) t += ", ";
        t += s.attributes[j];
        if (j < s.weights.size() && s.weights[j] != 1.0) t += " &times;" + num(s.weights[j], 2);
    }
    return t;
}

std::string method_label(const analysis::AttributeCompareEntry& e) {
    if (e.algorithm == "agglomerative") return e.linkage + " / " + e.metric;
    if (e.algorithm == "dbscan") return "DBSCAN / " + e.metric;
    if (e.algorithm == "kmeans") return "k-means";
    return e.algorithm + (e.metric.empty() ? "" : " / " + e.metric);
}

std::string silhouette_chart(const analysis::AttributeComparePart& p, const std::string& caption) {
    std::vector<LineSeries> series;
    for (const auto& e : p.entries) {
        const std::string label = method_label(e);
        auto it = std::find_if(series.begin(), series.end(),
                               [&](const LineSeries& l) { return l.label == label; });
        if (it == series.end()) {
            series.push_back({label, {}});
            it = series.end() - 1;
        }
        it->points.emplace_back(e.k, e.silhouette);
    }
    for (auto& l : series) std::sort(l.points.begin(), l.points.end());
    std::ostringstream s;
    s << silhouette_svg(series, caption) << "<p class=\"note\">" << p.rows << " faces"
      << (p.sampled ? " (subsampled)" : "") << " &middot; " << selection_text(p.selection)
      << " &middot; a gap: no clustering with that k (DBSCAN finds k only for some radii)</p>";
    return s.str();
}

std::string group_card(const analysis::AttributeGroup& g, double prominent, FaceRow& row) {
    std::ostringstream s;
    s << "<div class=\"group\"><div class=\"group-head\"><strong>"
      << (g.cluster == cluster::kNoise ? std::string("noise")
                                       : "group " + std::to_string(g.cluster))
      << "</strong><span class=\"badge\">" << g.size << (g.size == 1 ? " face" : " faces")
      << "</span></div>";
    if (!g.mean.empty()) {
        s << "<div class=\"means\">";
        for (const auto& [n, v] : g.mean)
            s << "<span>" << html_escape(n) << " " << num(v, n.rfind("age", 0) == 0 ? 0 : 2)
              << "</span>";
        s << "</div>";
    }
    if (!g.occurrence.empty()) s << attribute_svg(shares_of(g), prominent);
    s << row(g.faces, 12, g.size) << "</div>";
    return s.str();
}

std::string groups_of(const analysis::AttributeClusteringPart& p, double prominent, FaceRow& row) {
    std::ostringstream s;
    s << "<p class=\"note\">" << html_escape(p.method) << " &middot; " << p.selection.faces
      << " faces";
    if (p.selection.dropped_faces)
        s << " (" << p.selection.dropped_faces << " without every attribute left out)";
    s << " &middot; on " << selection_text(p.selection) << "</p><div class=\"groups\">";
    for (const auto& g : p.groups) s << group_card(g, prominent, row);
    s << "</div>";
    return s.str();
}

}  // namespace

std::string attribute_view_section(const analysis::AttributeView& v, const ViewContext& ctx) {
    FaceRow row(ctx);
    std::ostringstream s;
    s << "<section id=\"attr-clusters\"><h2>Attribute clusters</h2><p class=\"note\">Faces "
         "grouped by their predicted attributes (age, gender, expression, trained attributes), "
         "not by identity. Each group shows the share of its faces with each attribute, as in "
         "the person sections.</p>";
    if (v.compare) {
        s << "<h3>Silhouette against k, per method</h3>";
        if (v.compare_unweighted) {
            s << "<div class=\"before-after stack\"><div><h4>before: all weights 1</h4>"
              << silhouette_chart(*v.compare_unweighted, "silhouette against k, unweighted")
              << "</div><div><h4>after: weighted</h4>"
              << silhouette_chart(*v.compare, "silhouette against k, weighted") << "</div></div>";
        } else {
            s << silhouette_chart(*v.compare, "silhouette against k");
        }
    }
    if (v.clustering) {
        if (v.clustering_unweighted) {
            s << "<h3>Effect of the attribute weights</h3><div class=\"before-after\"><div><h4>"
                 "before: all weights 1</h4>"
              << groups_of(*v.clustering_unweighted, v.prominent_share, row)
              << "</div><div><h4>after: weighted</h4>"
              << groups_of(*v.clustering, v.prominent_share, row) << "</div></div>";
        } else {
            s << "<h3>Groups</h3>" << groups_of(*v.clustering, v.prominent_share, row);
        }
    }
    if (!v.compare && !v.clustering) s << "<p class=\"note\">the view file holds no run yet</p>";
    s << row.note() << "</section>";
    return s.str();
}

std::string subdiscrimination_view_section(const analysis::SubdiscriminationView& v,
                                           const ViewContext& ctx) {
    FaceRow row(ctx);
    std::ostringstream s;
    s << "<section id=\"subdiscrimination\"><h2>Sub-discrimination</h2><p class=\"note\">"
      << v.faces << " faces";
    if (v.person_id) s << " of " << person_link(ctx, v.person_id);
    s << " clustered without labels by their " << html_escape(v.embedding) << " embeddings ("
      << html_escape(v.algorithm) << ", " << v.seeds << (v.seeds == 1 ? " seed" : " seeds")
      << "). Faces shown are the nearest to each group's centroid.";
    if (!v.labels.empty()) s << " Labels: " << html_escape(v.labels) << ".";
    s << "</p>";
    for (std::size_t r = 0; r < v.runs.size(); ++r) {
        const auto& run = v.runs[r];
        s << "<h3>k = " << run.k;
        if (r < v.best_by_k.size() && !v.best_by_k[r].empty())
            s << " &middot; best explained by " << html_escape(v.best_by_k[r]);
        s << "</h3>";
        std::vector<std::pair<std::string, std::int64_t>> sizes;
        for (const auto& g : run.groups)
            sizes.emplace_back("group " + std::to_string(g.group), g.size);
        s << count_bars_svg(sizes, "group sizes for k=" + std::to_string(run.k))
          << "<div class=\"groups\">";
        for (const auto& g : run.groups) {
            s << "<div class=\"group\"><div class=\"group-head\"><strong>group " << g.group
              << "</strong><span class=\"badge\">" << g.size << " faces</span></div>";
            if (!g.majority.empty()) {
                s << "<div class=\"means\">";
                for (const auto& m : g.majority)
                    s << "<span>" << html_escape(m.column) << ": " << html_escape(m.value) << " "
                      << pct(m.share) << "</span>";
                s << "</div>";
            }
            s << row(g.nearest_faces, 8) << "</div>";
        }
        s << "</div>";
    }
    if (!v.accuracy.empty()) {
        s << "<h3>Which label explains each split</h3><table class=\"data\"><tr><th>k</th>"
             "<th>label</th><th>classes</th><th>labelled</th><th>chance</th><th>accuracy</th>"
             "<th>purity</th><th>AMI</th></tr>";
        const auto ms = [](const analysis::SplitScore& x) {
            return num(x.mean, 3) + " <span class=\"conf\">&plusmn; " + num(x.std, 3) + "</span>";
        };
        for (const auto& e : v.accuracy) {
            bool best = false;
            for (std::size_t r = 0; r < v.runs.size() && r < v.best_by_k.size(); ++r)
                best = best || (v.runs[r].k == e.k && v.best_by_k[r] == e.column);
            s << "<tr" << (best ? " class=\"best\"" : "") << "><td>" << e.k << "</td><td>"
              << html_escape(e.column) << "</td><td>" << e.classes << "</td><td>" << e.labelled
              << "</td><td>" << num(e.chance, 3) << "</td><td>" << ms(e.accuracy) << "</td><td>"
              << ms(e.purity) << "</td><td>" << ms(e.ami) << "</td></tr>";
        }
        s << "</table><p class=\"note\">accuracy: best one-to-one match of groups to label "
             "values (Hungarian); chance: share of the most common value; the highlighted row "
             "per k has the highest AMI. Mean &plusmn; std over the seeds.</p>";
    }
    s << row.note() << "</section>";
    return s.str();
}

std::string eval_view_section(const analysis::EvalView& v, const ViewContext& ctx) {
    FaceRow row(ctx);
    std::ostringstream s;
    s << "<section id=\"evaluation\"><h2>Evaluation</h2><p class=\"note\">persons scored "
         "against "
      << (v.truth.empty() ? std::string("ground truth") : html_escape(v.truth)) << ": "
      << v.faces_scored << " labelled faces";
    if (v.unsorted) s << ", " << v.unsorted << " of them unsorted";
    if (v.missing) s << " &middot; " << v.missing << " labelled files without a face";
    s << "</p>";
    const std::set<std::string> headline{"ARI", "AMI", "BCubed F", "K/C"};
    s << "<div class=\"cards\">";
    for (const auto& m : v.metrics)
        if (headline.count(m.name))
            s << "<div class=\"card\"><div class=\"v\">" << num(m.value, 3)
              << "</div><div class=\"k\">" << html_escape(m.name) << "</div></div>";
    s << "</div><h3>Metrics</h3><table class=\"data metrics\">";
    for (std::size_t i = 0; i < v.metrics.size(); i += 4) {
        s << "<tr>";
        for (std::size_t j = i; j < i + 4 && j < v.metrics.size(); ++j)
            s << "<th>" << html_escape(v.metrics[j].name) << "</th><td>"
              << num(v.metrics[j].value, 4) << "</td>";
        s << "</tr>";
    }
    s << "</table>";

    const auto parts_block = [&](const std::vector<analysis::ConfusionPart>& parts, bool merge) {
        std::ostringstream b;
        std::vector<std::pair<std::string, std::int64_t>> comp;
        for (const auto& p : parts)
            comp.emplace_back(merge
                                  ? p.identity
                                  : (p.person_id ? (ctx.person_titles.count(*p.person_id)
                                                        ? ctx.person_titles.at(*p.person_id)
                                                        : "person " + std::to_string(*p.person_id))
                                                 : std::string("unsorted")),
                              p.faces);
        b << composition_svg(comp, merge ? "true people in this person"
                                         : "persons holding this "
                                           "true person")
          << "<div class=\"parts\">";
        for (const auto& p : parts) {
            b << "<div class=\"part\"><div class=\"part-head\">"
              << (merge ? html_escape(p.identity) : person_link(ctx, p.person_id))
              << " <span class=\"conf\">" << p.faces << (p.faces == 1 ? " face" : " faces")
              << "</span></div>" << row(p.sample_faces, 6, p.faces) << "</div>";
        }
        b << "</div>";
        return b.str();
    };
    s << "<h3>Worst merges: one person, several true people</h3>";
    if (v.merges.empty()) s << "<p class=\"note\">none: every person holds one true person</p>";
    for (const auto& m : v.merges)
        s << "<div class=\"confusion merge\"><div class=\"case-head\">"
          << person_link(ctx, m.person_id) << " <span class=\"badge\">" << m.faces
          << " faces</span> <span class=\"bad\">" << m.wrong_faces << " from " << m.parts.size() - 1
          << (m.parts.size() == 2 ? " other person" : " other people") << "</span></div>"
          << parts_block(m.parts, true) << "</div>";
    s << "<h3>Worst splits: one true person, several persons</h3>";
    if (v.splits.empty()) s << "<p class=\"note\">none: every true person is in one person</p>";
    for (const auto& sp : v.splits)
        s << "<div class=\"confusion split\"><div class=\"case-head\"><strong>"
          << html_escape(sp.identity) << "</strong> <span class=\"badge\">" << sp.faces
          << " faces</span> <span class=\"bad\">" << sp.outside_faces
          << " outside the largest person</span></div>" << parts_block(sp.parts, false) << "</div>";
    s << row.note() << "</section>";
    return s.str();
}

}  // namespace faceatlas::report
