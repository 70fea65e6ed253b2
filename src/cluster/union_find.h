// Internal: union-find with path halving (connected components of merge candidates).
#pragma once

#include <numeric>
#include <vector>

namespace faceatlas::cluster::detail {

class UnionFind {
  public:
    explicit UnionFind(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
    int find(int x) {
        while (parent_[static_cast<std::size_t>(x)] != x) {
            auto& p = parent_[static_cast<std::size_t>(x)];
            p = parent_[static_cast<std::size_t>(p)];
            x = p;
        }
        return x;
    }
    // Joins the sets; the smaller root id becomes the root. Returns true if they were apart.
    bool unite(int a, int b) {
        a = find(a);
        b = find(b);
        if (a == b) return false;
        if (b < a) std::swap(a, b);
        parent_[static_cast<std::size_t>(b)] = a;
        return true;
    }

  private:
    std::vector<int> parent_;
};

}  // namespace faceatlas::cluster::detail
