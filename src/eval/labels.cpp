#include "faceatlas/eval/labels.h"

#include <algorithm>
#include <unordered_map>

namespace faceatlas::eval {

EncodedLabels encode_labels(const std::vector<std::string>& names) {
    EncodedLabels out;
    out.ids.reserve(names.size());
    std::unordered_map<std::string, int> index;
    for (const auto& name : names) {
        auto [it, inserted] = index.emplace(name, static_cast<int>(out.names.size()));
        if (inserted) out.names.push_back(name);
        out.ids.push_back(it->second);
    }
    return out;
}

std::vector<int> expand_unsorted(const std::vector<int>& predicted) {
    int next = 0;
    for (int v : predicted) next = std::max(next, v + 1);
    std::vector<int> out(predicted);
    for (int& v : out) {
        if (v == kUnsorted) v = next++;
    }
    return out;
}

std::vector<int> densify_labels(const std::vector<int>& labels, std::size_t* n_distinct) {
    std::vector<int> uniq(labels);
    std::sort(uniq.begin(), uniq.end());
    uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
    std::vector<int> out(labels.size());
    for (std::size_t i = 0; i < labels.size(); ++i) {
        out[i] =
            static_cast<int>(std::lower_bound(uniq.begin(), uniq.end(), labels[i]) - uniq.begin());
    }
    if (n_distinct != nullptr) *n_distinct = uniq.size();
    return out;
}

}  // namespace faceatlas::eval
