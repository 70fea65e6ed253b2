// Label vectors as the evaluation functions see them: dense ints.
//
// Ground truth usually arrives as strings (identity names); predicted clusters as ints where
// kUnsorted (-1) marks a face the clusterer left unsorted. Every clustering metric in this
// module treats each unsorted face as its own singleton cluster: it is neither rewarded as a
// correct merge nor hidden from the denominators.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace faceatlas::eval {

// Predicted label meaning "not assigned to any cluster".
inline constexpr int kUnsorted = -1;

// Maps strings to 0..n_distinct-1 in order of first appearance.
// Ensures: out.size() == names.size(); equal strings get equal ints.
struct EncodedLabels {
    std::vector<int> ids;
    std::vector<std::string> names;  // names[id] is the original string
};
EncodedLabels encode_labels(const std::vector<std::string>& names);

// Replaces every kUnsorted entry by a fresh label (max(labels)+1, +2, ...) so each unsorted
// face becomes a singleton cluster. Other negative labels are kept as ordinary labels.
std::vector<int> expand_unsorted(const std::vector<int>& predicted);

// Relabels to 0..k-1 in ascending order of the original values (like numpy.unique's inverse).
// Ensures: out[i] == rank of labels[i] among the distinct values; *n_distinct = k if given.
std::vector<int> densify_labels(const std::vector<int>& labels, std::size_t* n_distinct = nullptr);

}  // namespace faceatlas::eval
