#include "training_steps.h"

#include <torch/torch.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <set>

#include "faceatlas/attr/celeba.h"
#include "faceatlas/core/error.h"
#include "faceatlas/train/adadelta.h"
#include "faceatlas/train/mobilenet_suffix.h"
#include "tensor_values.h"

namespace faceatlas::train::detail {

double since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Keras cosine_proximity: -sum(l2n(y_true) * l2n(y_pred)) per sample, averaged.
torch::Tensor cosine_loss(const torch::Tensor& logits, const torch::Tensor& y) {
    const auto p = torch::sigmoid(logits);
    auto l2n = [](const torch::Tensor& t) {
        return t / torch::sqrt(torch::clamp_min((t * t).sum(1, true), 1e-12));
    };
    return -(l2n(y) * l2n(p)).sum(1).mean();
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::vector<torch::Tensor>& params,
                                                        const TrainOptions& o, double scale) {
    if (o.optimizer == OptimizerKind::kAdaDelta)
        return std::make_unique<AdaDelta>(
            params, AdaDeltaOptions((o.learning_rate > 0 ? o.learning_rate : 1.0) * scale));
    return std::make_unique<torch::optim::Adam>(
        params, torch::optim::AdamOptions((o.learning_rate > 0 ? o.learning_rate : 1e-3) * scale));
}

Split make_split(const std::vector<std::int64_t>& group, const TrainOptions& options) {
    const auto is_val = split_by_group(group, options.val_fraction, options.seed);
    Split sp;
    for (std::size_t i = 0; i < group.size(); ++i)
        (is_val[i] ? sp.va : sp.tr).push_back(static_cast<std::int64_t>(i));
    if (sp.tr.size() < 2 || sp.va.empty())
        throw Error(ErrorCode::kCorruptData,
                    "too few samples to split into training (" + std::to_string(sp.tr.size()) +
                        ") and validation (" + std::to_string(sp.va.size()) + ")",
                    "training data", "add images or change --val-fraction");
    return sp;
}

void check_empty(std::size_t n, std::size_t na) {
    if (n == 0 || na == 0)
        throw Error(ErrorCode::kCorruptData, "the training set is empty", "training data",
                    "check the annotation file lists images and attributes");
}

// Training positives per attribute; throws kUnsupported for an attribute with one class only.
torch::Tensor positives(const torch::Tensor& Ytr, const std::vector<std::string>& names) {
    const auto pos = Ytr.sum(0);
    const auto ntr = static_cast<double>(Ytr.size(0));
    for (std::size_t k = 0; k < names.size(); ++k) {
        const double p = pos[static_cast<long>(k)].item<double>();
        if (p == 0 || p == ntr)
            throw Error(ErrorCode::kUnsupported,
                        "attribute " + names[k] + " has only " +
                            (p == 0 ? "negative" : "positive") + " examples in the training split",
                        "training data",
                        "add examples of both classes or leave the attribute out with --attrs");
    }
    return pos;
}

void count_identities(const std::vector<std::int64_t>& group, const Split& sp,
                      TrainResult& result) {
    std::set<std::int64_t> gt, gv;
    for (auto i : sp.tr) gt.insert(group[static_cast<std::size_t>(i)]);
    for (auto i : sp.va) gv.insert(group[static_cast<std::size_t>(i)]);
    result.train_samples = sp.tr.size();
    result.val_samples = sp.va.size();
    result.train_identities = gt.size();
    result.val_identities = gv.size();
    result.validation_rows.assign(sp.va.begin(), sp.va.end());
}

// Per-sample loss of the options (cosine proximity or positive-weighted BCE).
torch::Tensor loss_of(const TrainOptions& options, const torch::Tensor& logits,
                      const torch::Tensor& y, const torch::Tensor& pos_weight) {
    if (options.loss == LossKind::kCosine) return cosine_loss(logits, y);
    return torch::nn::functional::binary_cross_entropy_with_logits(
        logits, y,
        torch::nn::functional::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(pos_weight));
}

// Mean accuracy and balanced accuracy at 0.5 of [n, na] probabilities against 0/1 truth.
void half_scores(const std::vector<float>& probs, const std::vector<float>& truth, int na,
                 EpochReport& r) {
    const std::size_t n = truth.size() / static_cast<std::size_t>(na);
    for (int k = 0; k < na; ++k) {
        std::vector<float> s(n);
        std::vector<std::uint8_t> t(n);
        for (std::size_t i = 0; i < n; ++i) {
            s[i] = probs[i * static_cast<std::size_t>(na) + static_cast<std::size_t>(k)];
            t[i] = truth[i * static_cast<std::size_t>(na) + static_cast<std::size_t>(k)] > 0.5f;
        }
        const auto bs = attr::binary_scores(s, t, 0.5f);
        r.val_accuracy += bs.accuracy / na;
        r.val_balanced_accuracy += bs.balanced_accuracy / na;
    }
}

void run_epochs(const TrainOptions& options, std::size_t ntr, const torch::Tensor& Yva,
                const torch::Tensor& pos_weight, const EpochLoop& loop, const EpochFn& on_epoch,
                TrainResult& result) {
    double best_loss = std::numeric_limits<double>::infinity();
    int since_best = 0;
    std::mt19937_64 rng(options.seed);
    std::vector<long> order(ntr);
    std::iota(order.begin(), order.end(), 0);
    const auto vy = tensor_values(Yva);
    const auto na = static_cast<int>(Yva.size(1));
    for (int epoch = 1; epoch <= options.epochs; ++epoch) {
        const auto te = Clock::now();
        std::shuffle(order.begin(), order.end(), rng);
        double sum = 0;
        std::size_t batches = 0;
        for (std::size_t b = 0; b < order.size();
             b += static_cast<std::size_t>(options.batch_size)) {
            const auto e = std::min(order.size(), b + static_cast<std::size_t>(options.batch_size));
            if (e - b < 2) continue;  // BatchNorm needs two samples
            sum += loop.train_step(std::vector<long>(order.begin() + static_cast<long>(b),
                                                     order.begin() + static_cast<long>(e)),
                                   rng);
            ++batches;
        }
        torch::NoGradGuard ng;
        const auto logits = loop.validate();
        EpochReport r;
        r.epoch = epoch;
        r.epochs = options.epochs;
        r.train_loss = batches ? sum / static_cast<double>(batches) : 0;
        r.val_loss = loss_of(options, logits, Yva, pos_weight).item<double>();
        half_scores(tensor_values(torch::sigmoid(logits)), vy, na, r);
        r.improved = r.val_loss < best_loss - 1e-6;
        if (r.improved) {
            best_loss = r.val_loss;
            result.best_epoch = epoch;
            since_best = 0;
            loop.snapshot();
        } else {
            ++since_best;
        }
        r.seconds = since(te);
        result.epochs.push_back(r);
        if (on_epoch && !on_epoch(r)) break;
        if (since_best >= options.patience) break;
    }
    torch::NoGradGuard ng;
    loop.restore();
}

// Parameters and buffers of modules, copied.
std::vector<torch::Tensor> state_of(const std::vector<torch::nn::Module*>& mods) {
    std::vector<torch::Tensor> st;
    for (auto* m : mods) {
        for (const auto& p : m->parameters()) st.push_back(p.detach().clone());
        for (const auto& b : m->buffers()) st.push_back(b.detach().clone());
    }
    return st;
}
void load_state(const std::vector<torch::nn::Module*>& mods, const std::vector<torch::Tensor>& st) {
    std::size_t i = 0;
    for (auto* m : mods) {
        for (auto& p : m->parameters()) p.copy_(st[i++]);
        for (auto& b : m->buffers()) b.copy_(st[i++]);
    }
}

// Standardisation into fc1, BatchNorm (after the ReLU) into fc2: the LibTorch-free layers.
std::vector<attr::DenseLayer> fold_head(Head& head, const torch::Tensor& mu,
                                        const torch::Tensor& sd, int dim, int hidden, int na) {
    torch::NoGradGuard ng;
    const auto w1 = head->fc1->weight / sd.unsqueeze(0);
    const auto b1 = head->fc1->bias - torch::matmul(head->fc1->weight, mu / sd);
    const auto scale =
        head->bn->weight / torch::sqrt(head->bn->running_var + head->bn->options.eps());
    const auto shift = head->bn->bias - head->bn->running_mean * scale;
    const auto w2 = head->fc2->weight * scale.unsqueeze(0);
    const auto b2 = head->fc2->bias + torch::matmul(head->fc2->weight, shift);
    return {{dim, hidden, tensor_values(w1), tensor_values(b1), attr::Activation::kRelu},
            {hidden, na, tensor_values(w2), tensor_values(b2), attr::Activation::kSigmoid}};
}

// Thresholds and validation scores from the folded model's probabilities [nva, na].
void score_validation(attr::AttributeModel& m, const std::vector<float>& probs,
                      const std::vector<float>& vy, const torch::Tensor& pos, std::size_t ntr,
                      const std::vector<std::string>& names, TrainResult& result) {
    const auto na = names.size();
    const std::size_t nva = vy.size() / na;
    m.attributes.clear();
    for (std::size_t k = 0; k < na; ++k) {
        std::vector<float> s(nva);
        std::vector<std::uint8_t> t(nva);
        for (std::size_t i = 0; i < nva; ++i) {
            s[i] = probs[i * na + k];
            t[i] = vy[i * na + k] > 0.5f;
        }
        AttributeScore sc;
        sc.name = names[k];
        sc.positive_rate = static_cast<double>(std::accumulate(t.begin(), t.end(), 0)) /
                           static_cast<double>(t.size());
        sc.majority_accuracy = std::max(sc.positive_rate, 1 - sc.positive_rate);
        const auto half = attr::binary_scores(s, t, 0.5f);
        sc.accuracy_at_half = half.accuracy;
        sc.balanced_accuracy_at_half = half.balanced_accuracy;
        sc.threshold = attr::best_balanced_threshold(s, t);
        const auto tuned = attr::binary_scores(s, t, sc.threshold);
        sc.accuracy = tuned.accuracy;
        sc.balanced_accuracy = tuned.balanced_accuracy;
        m.attributes.push_back(
            {names[k], sc.threshold, sc.accuracy, sc.balanced_accuracy,
             pos[static_cast<long>(k)].item<double>() / static_cast<double>(ntr)});
        result.scores.push_back(sc);
    }
}

nlohmann::json training_json(const TrainOptions& options, const TrainResult& result,
                             const char* mode, int copies) {
    return {{"mode", mode},
            {"augment_copies", copies},
            {"loss", options.loss == LossKind::kCosine ? "cosine" : "bce"},
            {"optimizer", options.optimizer == OptimizerKind::kAdaDelta ? "adadelta" : "adam"},
            {"epochs_run", result.epochs.size()},
            {"best_epoch", result.best_epoch},
            {"batch_size", options.batch_size},
            {"seed", options.seed},
            {"val_fraction", options.val_fraction},
            {"hidden", options.hidden},
            {"dropout", options.dropout},
            {"train_samples", result.train_samples},
            {"val_samples", result.val_samples},
            {"thresholds", "tuned on the validation split for balanced accuracy"}};
}

}  // namespace faceatlas::train::detail
