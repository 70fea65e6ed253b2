// Agglomerative clustering following scipy's _hierarchy.pyx (mst_single_linkage, nn_chain,
// fast_linkage) so that outputs compare row by row, on a float condensed matrix.
#include "faceatlas/cluster/linkage.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "faceatlas/core/error.h"

namespace faceatlas::cluster {

const char* to_string(LinkageMethod method) {
    switch (method) {
        case LinkageMethod::kSingle:
            return "single";
        case LinkageMethod::kComplete:
            return "complete";
        case LinkageMethod::kAverage:
            return "average";
        case LinkageMethod::kWeighted:
            return "weighted";
        case LinkageMethod::kCentroid:
            return "centroid";
        case LinkageMethod::kMedian:
            return "median";
        case LinkageMethod::kWard:
            return "ward";
    }
    return "?";
}

LinkageMethod linkage_method_from_string(std::string_view name) {
    for (LinkageMethod m :
         {LinkageMethod::kSingle, LinkageMethod::kComplete, LinkageMethod::kAverage,
          LinkageMethod::kWeighted, LinkageMethod::kCentroid, LinkageMethod::kMedian,
          LinkageMethod::kWard}) {
        if (name == to_string(m)) return m;
    }
    throw Error(ErrorCode::kInvalidArgument, "unknown linkage method '" + std::string(name) + "'",
                "linkage", "use single, complete, average, weighted, centroid, median or ward");
}

void LinkageOptions::validate() const {
    const bool euclidean_only = method == LinkageMethod::kCentroid ||
                                method == LinkageMethod::kMedian || method == LinkageMethod::kWard;
    if (euclidean_only && metric != Metric::kEuclidean) {
        throw Error(ErrorCode::kInvalidArgument,
                    std::string("linkage method '") + to_string(method) +
                        "' is defined for Euclidean distances only, got metric '" +
                        to_string(metric) + "'",
                    "LinkageOptions", "use Metric::kEuclidean or another method");
    }
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Lance-Williams updates in scipy's form (_hierarchy_distance_update.pxi): new distance between
// cluster i and the merge of x and y.
template <LinkageMethod M>
inline double new_dist(double d_xi, double d_yi, double d_xy, double nx, double ny, double ni) {
    if constexpr (M == LinkageMethod::kSingle) {
        return std::min(d_xi, d_yi);
    } else if constexpr (M == LinkageMethod::kComplete) {
        return std::max(d_xi, d_yi);
    } else if constexpr (M == LinkageMethod::kAverage) {
        return (nx * d_xi + ny * d_yi) / (nx + ny);
    } else if constexpr (M == LinkageMethod::kWeighted) {
        return 0.5 * (d_xi + d_yi);
    } else if constexpr (M == LinkageMethod::kCentroid) {
        const double nxy = nx + ny;
        const double v =
            ((nx * d_xi * d_xi) + (ny * d_yi * d_yi) - (nx * ny * d_xy * d_xy) / nxy) / nxy;
        return std::sqrt(std::max(0.0, v));
    } else if constexpr (M == LinkageMethod::kMedian) {
        return std::sqrt(std::max(0.0, 0.5 * (d_xi * d_xi + d_yi * d_yi) - 0.25 * d_xy * d_xy));
    } else {  // Ward
        const double t = 1.0 / (nx + ny + ni);
        const double v =
            (ni + nx) * t * d_xi * d_xi + (ni + ny) * t * d_yi * d_yi - ni * t * d_xy * d_xy;
        return std::sqrt(std::max(0.0, v));
    }
}

// Condensed addressing with a per-row offset: index(i, j) = start[i] + j for i < j.
class Addr {
  public:
    explicit Addr(std::size_t n) : start_(n) {
        for (std::size_t i = 0; i < n; ++i) start_[i] = n * i - (i * (i + 1)) / 2 - i - 1;
    }
    std::size_t operator()(std::size_t i, std::size_t j) const {
        return i < j ? start_[i] + j : start_[j] + i;
    }

  private:
    std::vector<std::size_t> start_;
};

// scipy's label(): relabel an unsorted/sorted-by-height dendrogram with union-find so that node
// ids refer to steps, and recompute sizes.
void relabel(std::vector<LinkageStep>& z, std::size_t n) {
    std::vector<int> parent(2 * n - 1);
    std::iota(parent.begin(), parent.end(), 0);
    std::vector<int> size(2 * n - 1, 1);
    int next_label = static_cast<int>(n);
    auto find = [&](int x) {
        int root = x;
        while (parent[static_cast<std::size_t>(root)] != root)
            root = parent[static_cast<std::size_t>(root)];
        while (parent[static_cast<std::size_t>(x)] != root) {
            const int p = parent[static_cast<std::size_t>(x)];
            parent[static_cast<std::size_t>(x)] = root;
            x = p;
        }
        return root;
    };
    for (LinkageStep& s : z) {
        const int xr = find(s.a);
        const int yr = find(s.b);
        s.a = std::min(xr, yr);
        s.b = std::max(xr, yr);
        parent[static_cast<std::size_t>(xr)] = next_label;
        parent[static_cast<std::size_t>(yr)] = next_label;
        size[static_cast<std::size_t>(next_label)] =
            size[static_cast<std::size_t>(xr)] + size[static_cast<std::size_t>(yr)];
        s.size = size[static_cast<std::size_t>(next_label)];
        ++next_label;
    }
}

void sort_and_relabel(std::vector<LinkageStep>& z, std::size_t n) {
    std::stable_sort(z.begin(), z.end(), [](const LinkageStep& a, const LinkageStep& b) {
        return a.distance < b.distance;
    });
    relabel(z, n);
}

std::vector<LinkageStep> mst_single(const CondensedMatrix& dm) {
    const std::size_t n = dm.size();
    const float* dist = dm.data();
    const Addr addr(n);
    std::vector<LinkageStep> z(n - 1);
    std::vector<char> merged(n, 0);
    std::vector<double> d(n, kInf);
    std::size_t x = 0;
    for (std::size_t k = 0; k + 1 < n; ++k) {
        double current_min = kInf;
        std::size_t y = n;
        merged[x] = 1;
        for (std::size_t i = 0; i < n; ++i) {
            if (merged[i]) continue;
            const double v = dist[addr(x, i)];
            if (d[i] > v) d[i] = v;
            // First candidate always taken, so +inf distances still produce a merge.
            if (y == n || d[i] < current_min) {
                y = i;
                current_min = d[i];
            }
        }
        z[k] = {static_cast<int>(x), static_cast<int>(y), current_min, 0};
        x = y;
    }
    sort_and_relabel(z, n);
    return z;
}

template <LinkageMethod M>
std::vector<LinkageStep> nn_chain(CondensedMatrix& dm) {
    const std::size_t n = dm.size();
    float* d = dm.data();
    const Addr addr(n);
    std::vector<LinkageStep> z(n - 1);
    std::vector<int> size(n, 1);
    std::vector<std::size_t> chain(n);
    std::size_t chain_length = 0;
    std::size_t x = 0;
    std::size_t y = 0;
    for (std::size_t k = 0; k + 1 < n; ++k) {
        if (chain_length == 0) {
            chain_length = 1;
            for (std::size_t i = 0; i < n; ++i) {
                if (size[i] > 0) {
                    chain[0] = i;
                    break;
                }
            }
        }
        double current_min = kInf;
        while (true) {
            x = chain[chain_length - 1];
            bool found = false;
            if (chain_length > 1) {
                // Prefer the previous chain element on ties, to avoid cycles.
                y = chain[chain_length - 2];
                current_min = d[addr(x, y)];
                found = true;
            } else {
                current_min = kInf;
            }
            for (std::size_t i = 0; i < n; ++i) {
                if (size[i] == 0 || i == x) continue;
                const double v = d[addr(x, i)];
                if (v < current_min || !found) {
                    current_min = v;
                    y = i;
                    found = true;
                }
            }
            assert(found);
            if (chain_length > 1 && y == chain[chain_length - 2]) break;
            chain[chain_length++] = y;
        }
        chain_length -= 2;
        if (x > y) std::swap(x, y);
        const int nx = size[x];
        const int ny = size[y];
        z[k] = {static_cast<int>(x), static_cast<int>(y), current_min, nx + ny};
        size[x] = 0;
        size[y] = nx + ny;
        for (std::size_t i = 0; i < n; ++i) {
            const int ni = size[i];
            if (ni == 0 || i == y) continue;
            float& diy = d[addr(i, y)];
            diy = static_cast<float>(new_dist<M>(d[addr(i, x)], diy, current_min, nx, ny, ni));
        }
    }
    sort_and_relabel(z, n);
    return z;
}

// Indexed binary min-heap over keys 0..n-1 (values can change in place).
class IndexedHeap {
  public:
    explicit IndexedHeap(const std::vector<double>& values)
        : value_(values), heap_(values.size()), pos_(values.size()) {
        std::iota(heap_.begin(), heap_.end(), 0);
        std::iota(pos_.begin(), pos_.end(), 0);
        size_ = heap_.size();
        for (std::size_t i = size_ / 2; i-- > 0;) sift_down(i);
    }
    std::size_t min_key() const { return heap_[0]; }
    double min_value() const { return value_[heap_[0]]; }
    void remove_min() {
        swap_nodes(0, size_ - 1);
        --size_;
        if (size_ > 0) sift_down(0);
    }
    void change_value(std::size_t key, double v) {
        const double old = value_[key];
        value_[key] = v;
        if (v < old) {
            sift_up(pos_[key]);
        } else {
            sift_down(pos_[key]);
        }
    }

  private:
    bool less(std::size_t a, std::size_t b) const {
        const double va = value_[heap_[a]];
        const double vb = value_[heap_[b]];
        return va < vb || (va == vb && heap_[a] < heap_[b]);
    }
    void swap_nodes(std::size_t a, std::size_t b) {
        std::swap(heap_[a], heap_[b]);
        pos_[heap_[a]] = a;
        pos_[heap_[b]] = b;
    }
    void sift_up(std::size_t i) {
        while (i > 0) {
            const std::size_t p = (i - 1) / 2;
            if (!less(i, p)) break;
            swap_nodes(i, p);
            i = p;
        }
    }
    void sift_down(std::size_t i) {
        while (true) {
            const std::size_t l = 2 * i + 1;
            const std::size_t r = l + 1;
            std::size_t m = i;
            if (l < size_ && less(l, m)) m = l;
            if (r < size_ && less(r, m)) m = r;
            if (m == i) break;
            swap_nodes(i, m);
            i = m;
        }
    }

    std::vector<double> value_;
    std::vector<std::size_t> heap_;
    std::vector<std::size_t> pos_;
    std::size_t size_ = 0;
};

// Müllner's generic algorithm as scipy's fast_linkage (for centroid/median).
template <LinkageMethod M>
std::vector<LinkageStep> generic_linkage(CondensedMatrix& dm) {
    const std::size_t n = dm.size();
    float* d = dm.data();
    const Addr addr(n);
    std::vector<LinkageStep> z(n - 1);
    std::vector<int> size(n, 1);
    std::vector<int> cluster_id(n);
    std::iota(cluster_id.begin(), cluster_id.end(), 0);
    std::vector<std::size_t> neighbor(n - 1);
    std::vector<double> min_dist(n - 1);
    // Nearest active cluster with a larger index; n if none.
    auto find_min = [&](std::size_t x, std::size_t& best) {
        double current = kInf;
        best = n;
        for (std::size_t i = x + 1; i < n; ++i) {
            if (size[i] == 0) continue;
            const double v = d[addr(x, i)];
            if (v < current || best == n) {
                current = v;
                best = i;
            }
        }
        return current;
    };
    for (std::size_t x = 0; x + 1 < n; ++x) min_dist[x] = find_min(x, neighbor[x]);
    IndexedHeap heap(min_dist);
    for (std::size_t k = 0; k + 1 < n; ++k) {
        std::size_t x = 0;
        std::size_t y = 0;
        double dist = 0;
        for (std::size_t i = 0; i < n - k; ++i) {
            x = heap.min_key();
            dist = heap.min_value();
            y = neighbor[x];
            if (y < n && size[y] > 0 && dist == static_cast<double>(d[addr(x, y)])) break;
            dist = find_min(x, y);
            neighbor[x] = y;
            min_dist[x] = dist;
            heap.change_value(x, dist);
        }
        heap.remove_min();
        int id_x = cluster_id[x];
        int id_y = cluster_id[y];
        const int nx = size[x];
        const int ny = size[y];
        if (id_x > id_y) std::swap(id_x, id_y);
        z[k] = {id_x, id_y, dist, nx + ny};
        size[x] = 0;
        size[y] = nx + ny;
        cluster_id[y] = static_cast<int>(n + k);
        for (std::size_t i = 0; i < n; ++i) {
            const int ni = size[i];
            if (ni == 0 || i == y) continue;
            float& diy = d[addr(i, y)];
            diy = static_cast<float>(new_dist<M>(d[addr(i, x)], diy, dist, nx, ny, ni));
        }
        for (std::size_t i = 0; i < x; ++i) {
            if (size[i] > 0 && neighbor[i] == x) neighbor[i] = y;
        }
        for (std::size_t i = 0; i < y; ++i) {
            if (size[i] == 0) continue;
            const double v = d[addr(i, y)];
            if (v < min_dist[i]) {
                neighbor[i] = y;
                min_dist[i] = v;
                heap.change_value(i, v);
            }
        }
        if (y + 1 < n) {
            std::size_t best = n;
            const double v = find_min(y, best);
            if (best != n) {
                neighbor[y] = best;
                min_dist[y] = v;
            } else {
                // No active cluster above y: it can never be the smaller end of a merge again.
                min_dist[y] = kInf;
            }
            heap.change_value(y, min_dist[y]);
        }
    }
    return z;
}

}  // namespace

Linkage linkage(CondensedMatrix distances, LinkageMethod method) {
    Linkage out;
    out.num_observations = distances.size();
    if (distances.size() < 2) return out;
    switch (method) {
        case LinkageMethod::kSingle:
            out.steps = mst_single(distances);
            break;
        case LinkageMethod::kComplete:
            out.steps = nn_chain<LinkageMethod::kComplete>(distances);
            break;
        case LinkageMethod::kAverage:
            out.steps = nn_chain<LinkageMethod::kAverage>(distances);
            break;
        case LinkageMethod::kWeighted:
            out.steps = nn_chain<LinkageMethod::kWeighted>(distances);
            break;
        case LinkageMethod::kWard:
            out.steps = nn_chain<LinkageMethod::kWard>(distances);
            break;
        case LinkageMethod::kCentroid:
            out.steps = generic_linkage<LinkageMethod::kCentroid>(distances);
            break;
        case LinkageMethod::kMedian:
            out.steps = generic_linkage<LinkageMethod::kMedian>(distances);
            break;
    }
    return out;
}

Linkage linkage(const MatrixView& x, const LinkageOptions& options) {
    options.validate();
    check_matrix(x, "linkage");
    return linkage(condensed_distances(x, options.metric), options.method);
}

CondensedMatrix cophenetic_distances(const Linkage& tree) {
    const std::size_t n = tree.num_observations;
    CondensedMatrix out(n);
    if (n < 2) return out;
    std::vector<std::vector<int>> members(2 * n - 1);
    for (std::size_t i = 0; i < n; ++i) members[i] = {static_cast<int>(i)};
    for (std::size_t k = 0; k < tree.steps.size(); ++k) {
        const LinkageStep& s = tree.steps[k];
        auto& a = members[static_cast<std::size_t>(s.a)];
        auto& b = members[static_cast<std::size_t>(s.b)];
        const auto h = static_cast<float>(s.distance);
        for (int i : a) {
            for (int j : b) out.at(static_cast<std::size_t>(i), static_cast<std::size_t>(j)) = h;
        }
        auto& merged = members[n + k];
        merged = std::move(a);
        merged.insert(merged.end(), b.begin(), b.end());
        b.clear();
        b.shrink_to_fit();
    }
    return out;
}

}  // namespace faceatlas::cluster
