// Cannot-link splitting: the photo-album rule "two faces of the same photo are never the same
// person", applied to a cluster after the fact.
#pragma once

#include <functional>
#include <limits>
#include <utility>
#include <vector>

#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::cluster {

// Predicate on two item ids (the ints of `members`); must be symmetric.
using CannotLink = std::function<bool(int, int)>;
// Distance between two item ids; must be symmetric, >= 0, not NaN.
using PairDistance = std::function<double(int, int)>;

struct CannotLinkOptions {
    // Parts never join above this complete-linkage height. +inf (default): split only as far as
    // the constraints force (only merges of infinite height are cut).
    double max_distance = std::numeric_limits<double>::infinity();
    // ensures: throws faceatlas::Error if max_distance is NaN or negative.
    void validate() const;
};

// requires: members distinct.
// ensures: partitions `members` by complete linkage on `distance`, with the distance of every
//          cannot-link pair set to +inf, cut below +inf (and at options.max_distance); so no part
//          contains a cannot-link pair, and a cluster without constraints stays whole (when
//          max_distance is +inf). Parts are listed by their smallest member, each sorted.
std::vector<std::vector<int>> split_cannot_link(const std::vector<int>& members,
                                                const PairDistance& distance,
                                                const CannotLink& cannot_link,
                                                const CannotLinkOptions& options = {});

// Same, with explicit pairs of member ids and distances between the rows of x (members index x).
// requires: every member < x.rows.
std::vector<std::vector<int>> split_cannot_link(const std::vector<int>& members,
                                                const MatrixView& x, Metric metric,
                                                const std::vector<std::pair<int, int>>& pairs,
                                                const CannotLinkOptions& options = {});

}  // namespace faceatlas::cluster
