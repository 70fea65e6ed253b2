#include "faceatlas/cluster/clustering.h"

#include <string>
#include <unordered_map>

#include "faceatlas/core/error.h"

namespace faceatlas::cluster {

namespace {

void check_same_size(const std::vector<int>& a, const std::vector<int>& b, const char* what) {
    if (a.size() != b.size()) {
        throw Error(ErrorCode::kInvalidArgument,
                    std::string(what) + ": labelings differ in length (" +
                        std::to_string(a.size()) + " vs " + std::to_string(b.size()) + ")",
                    what, "compare labelings of the same points");
    }
}

}  // namespace

std::size_t Clustering::num_noise() const {
    std::size_t n = 0;
    for (int l : labels) n += (l == kNoise) ? 1 : 0;
    return n;
}

std::vector<std::vector<int>> Clustering::members() const {
    std::vector<std::vector<int>> out(static_cast<std::size_t>(num_clusters));
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] >= 0) out[static_cast<std::size_t>(labels[i])].push_back(static_cast<int>(i));
    }
    return out;
}

Clustering make_clustering(const std::vector<int>& labels) {
    Clustering c;
    c.labels.resize(labels.size());
    std::unordered_map<int, int> remap;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] < 0) {
            c.labels[i] = kNoise;
            continue;
        }
        auto [it, inserted] = remap.try_emplace(labels[i], static_cast<int>(remap.size()));
        c.labels[i] = it->second;
    }
    c.num_clusters = static_cast<int>(remap.size());
    return c;
}

bool same_partition(const std::vector<int>& a, const std::vector<int>& b) {
    check_same_size(a, b, "same_partition");
    std::unordered_map<int, int> ab;
    std::unordered_map<int, int> ba;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const int la = a[i] < 0 ? kNoise : a[i];
        const int lb = b[i] < 0 ? kNoise : b[i];
        if ((la == kNoise) != (lb == kNoise)) return false;
        auto [ia, new_a] = ab.try_emplace(la, lb);
        auto [ib, new_b] = ba.try_emplace(lb, la);
        if (ia->second != lb || ib->second != la) return false;
    }
    return true;
}

double adjusted_rand_index(const std::vector<int>& a, const std::vector<int>& b) {
    check_same_size(a, b, "adjusted_rand_index");
    const Clustering ca = make_clustering(a);
    const Clustering cb = make_clustering(b);
    // Treat noise as one more label.
    auto dense = [](const Clustering& c) {
        std::vector<int> l(c.labels);
        for (int& v : l) v = (v == kNoise) ? c.num_clusters : v;
        return l;
    };
    const std::vector<int> la = dense(ca);
    const std::vector<int> lb = dense(cb);
    std::unordered_map<long long, long long> contingency;
    std::unordered_map<int, long long> rows;
    std::unordered_map<int, long long> cols;
    for (std::size_t i = 0; i < la.size(); ++i) {
        contingency[(static_cast<long long>(la[i]) << 32) | static_cast<unsigned>(lb[i])]++;
        rows[la[i]]++;
        cols[lb[i]]++;
    }
    auto comb2 = [](long long n) {
        return static_cast<double>(n) * static_cast<double>(n - 1) / 2;
    };
    double sum_comb = 0;
    for (const auto& [k, v] : contingency) sum_comb += comb2(v);
    double sum_a = 0;
    for (const auto& [k, v] : rows) sum_a += comb2(v);
    double sum_b = 0;
    for (const auto& [k, v] : cols) sum_b += comb2(v);
    const double n = static_cast<double>(la.size());
    const double total = n * (n - 1) / 2;
    if (total == 0) return 1.0;
    const double expected = sum_a * sum_b / total;
    const double max_index = (sum_a + sum_b) / 2;
    // Special cases as sklearn: identical trivial partitions.
    if (max_index == expected) return 1.0;
    return (sum_comb - expected) / (max_index - expected);
}

}  // namespace faceatlas::cluster
