#include "faceatlas/eval/classification.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "faceatlas/core/error.h"

namespace faceatlas::eval {
namespace {

template <typename T>
void check(const std::vector<T>& truth, const std::vector<T>& predicted, const char* what) {
    if (truth.size() != predicted.size() || truth.empty()) {
        throw Error(ErrorCode::kInvalidArgument,
                    std::to_string(truth.size()) + " truth values and " +
                        std::to_string(predicted.size()) + " predictions",
                    what, "pass one prediction per item, at least one item");
    }
}

}  // namespace

double accuracy(const std::vector<int>& truth, const std::vector<int>& predicted) {
    check(truth, predicted, "accuracy");
    std::size_t ok = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) ok += truth[i] == predicted[i] ? 1 : 0;
    return static_cast<double>(ok) / static_cast<double>(truth.size());
}

std::vector<ClassRecall> per_class_recall(const std::vector<int>& truth,
                                          const std::vector<int>& predicted) {
    check(truth, predicted, "per_class_recall");
    std::map<int, std::pair<std::int64_t, std::int64_t>> hits;  // label -> (support, correct)
    for (std::size_t i = 0; i < truth.size(); ++i) {
        auto& h = hits[truth[i]];
        ++h.first;
        h.second += truth[i] == predicted[i] ? 1 : 0;
    }
    std::vector<ClassRecall> out;
    for (const auto& [label, h] : hits) {
        out.push_back(
            {label, h.first, static_cast<double>(h.second) / static_cast<double>(h.first)});
    }
    return out;
}

double balanced_accuracy(const std::vector<int>& truth, const std::vector<int>& predicted) {
    const auto recalls = per_class_recall(truth, predicted);
    double sum = 0.0;
    for (const auto& r : recalls) sum += r.recall;
    return sum / static_cast<double>(recalls.size());
}

ConfusionMatrix confusion_matrix(const std::vector<int>& truth, const std::vector<int>& predicted,
                                 std::vector<int> labels) {
    check(truth, predicted, "confusion_matrix");
    if (labels.empty()) {
        labels = truth;
        labels.insert(labels.end(), predicted.begin(), predicted.end());
        std::sort(labels.begin(), labels.end());
        labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
    }
    std::map<int, std::size_t> index;
    for (std::size_t k = 0; k < labels.size(); ++k) {
        if (!index.emplace(labels[k], k).second) {
            throw Error(ErrorCode::kInvalidArgument, "labels contain a duplicate",
                        "confusion_matrix", "list each label once");
        }
    }
    ConfusionMatrix cm;
    cm.labels = std::move(labels);
    cm.counts.assign(cm.labels.size() * cm.labels.size(), 0);
    for (std::size_t i = 0; i < truth.size(); ++i) {
        const auto t = index.find(truth[i]);
        const auto p = index.find(predicted[i]);
        if (t == index.end() || p == index.end()) continue;
        ++cm.counts[t->second * cm.labels.size() + p->second];
    }
    return cm;
}

double mean_absolute_error(const std::vector<double>& truth, const std::vector<double>& predicted) {
    check(truth, predicted, "mean_absolute_error");
    double sum = 0.0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        if (!std::isfinite(truth[i]) || !std::isfinite(predicted[i])) {
            throw Error(ErrorCode::kInvalidArgument,
                        "value " + std::to_string(i) + " is not finite", "mean_absolute_error",
                        "drop items without a prediction");
        }
        sum += std::abs(truth[i] - predicted[i]);
    }
    return sum / static_cast<double>(truth.size());
}

}  // namespace faceatlas::eval
