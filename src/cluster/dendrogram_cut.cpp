// Flat cuts replicating scipy's cluster_monocrit / cluster_maxclust_monocrit traversals.
#include "faceatlas/cluster/dendrogram_cut.h"

#include <algorithm>
#include <string>
#include <vector>

#include "faceatlas/core/error.h"

namespace faceatlas::cluster {

namespace {

void check_tree(const Linkage& tree, const char* caller) {
    const std::size_t n = tree.num_observations;
    if (n > 0 && tree.steps.size() != n - 1) {
        throw Error(ErrorCode::kInvalidArgument,
                    std::string(caller) + ": linkage has " + std::to_string(tree.steps.size()) +
                        " steps for " + std::to_string(n) + " observations",
                    caller, "pass the output of cluster::linkage");
    }
    for (std::size_t k = 0; k < tree.steps.size(); ++k) {
        const LinkageStep& s = tree.steps[k];
        const auto limit = static_cast<int>(n + k);
        if (s.a < 0 || s.b < 0 || s.a >= limit || s.b >= limit || s.a == s.b) {
            throw Error(ErrorCode::kInvalidArgument,
                        std::string(caller) + ": linkage step " + std::to_string(k) +
                            " refers to a node that does not exist yet",
                        caller, "pass the output of cluster::linkage");
        }
    }
}

// Max merge height over each internal node's subtree (steps reference only earlier steps).
std::vector<double> max_heights(const Linkage& tree) {
    const std::size_t n = tree.num_observations;
    std::vector<double> mc(tree.steps.size());
    for (std::size_t k = 0; k < tree.steps.size(); ++k) {
        const LinkageStep& s = tree.steps[k];
        double m = s.distance;
        if (s.a >= static_cast<int>(n)) m = std::max(m, mc[static_cast<std::size_t>(s.a) - n]);
        if (s.b >= static_cast<int>(n)) m = std::max(m, mc[static_cast<std::size_t>(s.b) - n]);
        mc[k] = m;
    }
    return mc;
}

// scipy cluster_monocrit: depth-first from the root, left child first; the first node on a path
// with mc <= cutoff leads a cluster. Labels are 0-based.
std::vector<int> monocrit(const Linkage& tree, const std::vector<double>& mc, double cutoff) {
    const std::size_t n = tree.num_observations;
    std::vector<int> labels(n, 0);
    std::vector<int> stack;
    std::vector<char> visited(2 * n - 1, 0);
    stack.push_back(static_cast<int>(2 * n - 2));
    int n_cluster = 0;
    int leader = -1;
    const int nn = static_cast<int>(n);
    while (!stack.empty()) {
        const int root = stack.back() - nn;
        const LinkageStep& s = tree.steps[static_cast<std::size_t>(root)];
        if (leader == -1 && mc[static_cast<std::size_t>(root)] <= cutoff) {
            leader = root;
            ++n_cluster;
        }
        if (s.a >= nn && !visited[static_cast<std::size_t>(s.a)]) {
            visited[static_cast<std::size_t>(s.a)] = 1;
            stack.push_back(s.a);
            continue;
        }
        if (s.b >= nn && !visited[static_cast<std::size_t>(s.b)]) {
            visited[static_cast<std::size_t>(s.b)] = 1;
            stack.push_back(s.b);
            continue;
        }
        if (s.a < nn) {
            if (leader == -1) ++n_cluster;
            labels[static_cast<std::size_t>(s.a)] = n_cluster - 1;
        }
        if (s.b < nn) {
            if (leader == -1) ++n_cluster;
            labels[static_cast<std::size_t>(s.b)] = n_cluster - 1;
        }
        if (leader == root) leader = -1;
        stack.pop_back();
    }
    return labels;
}

// Number of clusters monocrit would form at `thresh` (counting stops past max_nc, as scipy).
int count_clusters(const Linkage& tree, const std::vector<double>& mc, double thresh, int max_nc) {
    const std::size_t n = tree.num_observations;
    const int nn = static_cast<int>(n);
    std::vector<char> visited(2 * n - 1, 0);
    std::vector<int> stack{static_cast<int>(2 * n - 2)};
    int nc = 0;
    while (!stack.empty()) {
        const int root = stack.back() - nn;
        const LinkageStep& s = tree.steps[static_cast<std::size_t>(root)];
        if (mc[static_cast<std::size_t>(root)] <= thresh) {
            if (++nc > max_nc) return nc;
            stack.pop_back();
            visited[static_cast<std::size_t>(s.a)] = 1;
            visited[static_cast<std::size_t>(s.b)] = 1;
            continue;
        }
        bool descended = false;
        for (int child : {s.a, s.b}) {
            if (visited[static_cast<std::size_t>(child)]) continue;
            visited[static_cast<std::size_t>(child)] = 1;
            if (child >= nn) {
                stack.push_back(child);
                descended = true;
                break;
            }
            if (++nc > max_nc) return nc;
        }
        if (!descended) stack.pop_back();
    }
    return nc;
}

Clustering to_clustering(std::vector<int> labels) {
    Clustering c;
    int max_label = -1;
    for (int l : labels) max_label = std::max(max_label, l);
    c.labels = std::move(labels);
    c.num_clusters = max_label + 1;
    return c;
}

}  // namespace

Clustering cut_by_distance(const Linkage& tree, double threshold) {
    check_tree(tree, "cut_by_distance");
    const std::size_t n = tree.num_observations;
    if (n == 0) return {};
    if (n == 1) return to_clustering({0});
    return to_clustering(monocrit(tree, max_heights(tree), threshold));
}

Clustering cut_by_count(const Linkage& tree, int max_clusters) {
    check_tree(tree, "cut_by_count");
    if (max_clusters < 1) {
        throw Error(ErrorCode::kInvalidArgument,
                    "cut_by_count: max_clusters must be >= 1, got " + std::to_string(max_clusters),
                    "cut_by_count", "ask for at least one cluster");
    }
    const std::size_t n = tree.num_observations;
    if (n == 0) return {};
    if (static_cast<std::size_t>(max_clusters) >= n) {
        std::vector<int> labels(n);
        for (std::size_t i = 0; i < n; ++i) labels[i] = static_cast<int>(i);
        return to_clustering(std::move(labels));
    }
    const std::vector<double> mc = max_heights(tree);
    // scipy's binary search over mc in step order (sorted for monotone methods).
    long lower = -1;
    long upper = static_cast<long>(n) - 1;
    while (upper - lower > 1) {
        const long i = (lower + upper) >> 1;
        const int nc = count_clusters(tree, mc, mc[static_cast<std::size_t>(i)], max_clusters);
        if (nc > max_clusters) {
            lower = i;
        } else {
            upper = i;
        }
    }
    return to_clustering(monocrit(tree, mc, mc[static_cast<std::size_t>(upper)]));
}

}  // namespace faceatlas::cluster
