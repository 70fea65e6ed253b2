#include "faceatlas/cluster/cannot_link.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <unordered_set>

#include "faceatlas/cluster/condensed_matrix.h"
#include "faceatlas/cluster/dendrogram_cut.h"
#include "faceatlas/cluster/linkage.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {

void CannotLinkOptions::validate() const {
    if (std::isnan(max_distance) || max_distance < 0) {
        throw Error(ErrorCode::kInvalidArgument,
                    "cannot-link split: max_distance must be >= 0 (or +inf), got " +
                        std::to_string(max_distance),
                    "CannotLinkOptions", "use +inf to split only where constraints force it");
    }
}

std::vector<std::vector<int>> split_cannot_link(const std::vector<int>& members,
                                                const PairDistance& distance,
                                                const CannotLink& cannot_link,
                                                const CannotLinkOptions& options) {
    options.validate();
    const std::size_t m = members.size();
    if (m == 0) return {};
    if (m == 1) return {members};
    CondensedMatrix d(m);
    for (std::size_t i = 0; i + 1 < m; ++i) {
        for (std::size_t j = i + 1; j < m; ++j) {
            const int a = members[i];
            const int b = members[j];
            double v = cannot_link(a, b) ? std::numeric_limits<double>::infinity() : distance(a, b);
            if (std::isnan(v) || v < 0) {
                throw Error(ErrorCode::kInvalidArgument,
                            "cannot-link split: distance(" + std::to_string(a) + ", " +
                                std::to_string(b) + ") is NaN or negative",
                            "split_cannot_link", "the distance callback must return >= 0");
            }
            d.at(i, j) = static_cast<float>(v);
        }
    }
    const Linkage tree = linkage(std::move(d), LinkageMethod::kComplete);
    // Complete linkage height = max member distance, so a part with a constrained pair sits at
    // +inf; cutting at the largest finite value removes exactly those merges.
    const double cutoff = std::min(options.max_distance, std::numeric_limits<double>::max());
    const Clustering flat = cut_by_distance(tree, cutoff);
    std::vector<std::vector<int>> parts(static_cast<std::size_t>(flat.num_clusters));
    for (std::size_t i = 0; i < m; ++i) {
        parts[static_cast<std::size_t>(flat.labels[i])].push_back(members[i]);
    }
    for (auto& p : parts) std::sort(p.begin(), p.end());
    std::sort(parts.begin(), parts.end());
    return parts;
}

std::vector<std::vector<int>> split_cannot_link(const std::vector<int>& members,
                                                const MatrixView& x, Metric metric,
                                                const std::vector<std::pair<int, int>>& pairs,
                                                const CannotLinkOptions& options) {
    for (int id : members) {
        if (id < 0 || static_cast<std::size_t>(id) >= x.rows) {
            throw Error(ErrorCode::kInvalidArgument,
                        "cannot-link split: member " + std::to_string(id) + " is not a row of x",
                        "split_cannot_link", "members must index rows of the embedding matrix");
        }
        check_matrix({x.row(static_cast<std::size_t>(id)), 1, x.cols}, "split_cannot_link");
    }
    std::set<std::pair<int, int>> constrained;
    for (auto [a, b] : pairs) constrained.emplace(std::min(a, b), std::max(a, b));
    return split_cannot_link(
        members,
        [&](int a, int b) {
            return distance(x.row(static_cast<std::size_t>(a)), x.row(static_cast<std::size_t>(b)),
                            x.cols, metric);
        },
        [&](int a, int b) {
            return constrained.count({std::min(a, b), std::max(a, b)}) > 0;
        },
        options);
}

}  // namespace faceatlas::cluster
