// Classification scores for attribute heads (gender, expression, age), sklearn semantics.
//
// All functions require truth.size() == predicted.size() and non-empty input, else
// faceatlas::Error (sklearn returns nan or raises there).
//   accuracy            fraction of exact matches (sklearn accuracy_score)
//   balanced_accuracy   mean recall over the classes present in truth (sklearn
//                       balanced_accuracy_score, adjusted=False); classes that occur only in the
//                       prediction do not count
//   per_class_recall    recall and support of each class present in truth, ascending label
//   confusion_matrix    rows = truth, cols = prediction, over `labels` (default: the sorted
//                       union of both; sklearn confusion_matrix); items whose truth or
//                       prediction is not in `labels` are ignored, as in sklearn
//   mean_absolute_error mean |truth - predicted| (sklearn mean_absolute_error), finite input
#pragma once

#include <cstdint>
#include <vector>

namespace faceatlas::eval {

double accuracy(const std::vector<int>& truth, const std::vector<int>& predicted);
double balanced_accuracy(const std::vector<int>& truth, const std::vector<int>& predicted);

struct ClassRecall {
    int label = 0;
    std::int64_t support = 0;  // items of this class in truth
    double recall = 0.0;
};
std::vector<ClassRecall> per_class_recall(const std::vector<int>& truth,
                                          const std::vector<int>& predicted);

struct ConfusionMatrix {
    std::vector<int> labels;           // row/column order
    std::vector<std::int64_t> counts;  // labels.size()^2, row-major
    std::int64_t at(std::size_t truth_index, std::size_t predicted_index) const {
        return counts[truth_index * labels.size() + predicted_index];
    }
};
ConfusionMatrix confusion_matrix(const std::vector<int>& truth, const std::vector<int>& predicted,
                                 std::vector<int> labels = {});

double mean_absolute_error(const std::vector<double>& truth, const std::vector<double>& predicted);

}  // namespace faceatlas::eval
