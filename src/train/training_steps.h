// Steps shared by the two attribute trainers (train_head in attribute_trainer.cpp and
// train_finetune in finetune_trainer.cpp): the head module, the losses, the group split, the
// epoch loop with early stopping, folding the head into an attr::AttributeModel and scoring it.
// Internal to src/train.
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/train/attribute_trainer.h"

namespace faceatlas::train::detail {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0);

struct HeadImpl : torch::nn::Module {
    HeadImpl(int in, int hidden, int out, double dropout)
        : fc1(register_module("fc1", torch::nn::Linear(in, hidden))),
          bn(register_module("bn", torch::nn::BatchNorm1d(hidden))),
          drop(register_module("drop", torch::nn::Dropout(dropout))),
          fc2(register_module("fc2", torch::nn::Linear(hidden, out))) {}
    // Logits.
    torch::Tensor forward(torch::Tensor x) { return fc2(drop(bn(torch::relu(fc1(x))))); }
    torch::nn::Linear fc1;
    torch::nn::BatchNorm1d bn;
    torch::nn::Dropout drop;
    torch::nn::Linear fc2;
};
TORCH_MODULE(Head);

// Keras cosine_proximity: -sum(l2n(y_true) * l2n(y_pred)) per sample, averaged.
torch::Tensor cosine_loss(const torch::Tensor& logits, const torch::Tensor& y);

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::vector<torch::Tensor>& params,
                                                        const TrainOptions& o, double scale = 1.0);

struct Split {
    std::vector<std::int64_t> tr, va;
};
// Training / validation rows, grouped by identity (split_by_group); throws kCorruptData when
// either side is too small.
Split make_split(const std::vector<std::int64_t>& group, const TrainOptions& options);
void check_empty(std::size_t n, std::size_t na);
// Training positives per attribute; throws kUnsupported for an attribute with one class only.
torch::Tensor positives(const torch::Tensor& Ytr, const std::vector<std::string>& names);
void count_identities(const std::vector<std::int64_t>& group, const Split& sp, TrainResult& result);
// Per-sample loss of the options (cosine proximity or positive-weighted BCE).
torch::Tensor loss_of(const TrainOptions& options, const torch::Tensor& logits,
                      const torch::Tensor& y, const torch::Tensor& pos_weight);
// Mean accuracy and balanced accuracy at 0.5 of [n, na] probabilities against 0/1 truth.
void half_scores(const std::vector<float>& probs, const std::vector<float>& truth, int na,
                 EpochReport& r);

// The epoch loop shared by head and finetune training: shuffled batches of the training rows
// (train_step gets the batch's positions in the training split and returns its loss), validation
// after each epoch (validate returns the validation logits), early stopping on the validation
// loss, the best epoch's state kept through snapshot/restore.
struct EpochLoop {
    std::function<double(const std::vector<long>&, std::mt19937_64&)> train_step;
    std::function<torch::Tensor()> validate;
    std::function<void()> snapshot, restore;
};
void run_epochs(const TrainOptions& options, std::size_t ntr, const torch::Tensor& Yva,
                const torch::Tensor& pos_weight, const EpochLoop& loop, const EpochFn& on_epoch,
                TrainResult& result);

std::vector<torch::Tensor> state_of(const std::vector<torch::nn::Module*>& mods);
void load_state(const std::vector<torch::nn::Module*>& mods, const std::vector<torch::Tensor>& st);
// The trained head as dense layers on raw features (standardization folded into the first).
std::vector<attr::DenseLayer> fold_head(Head& head, const torch::Tensor& mu,
                                        const torch::Tensor& sd, int dim, int hidden, int na);
void score_validation(attr::AttributeModel& m, const std::vector<float>& probs,
                      const std::vector<float>& vy, const torch::Tensor& pos, std::size_t ntr,
                      const std::vector<std::string>& names, TrainResult& result);
nlohmann::json training_json(const TrainOptions& options, const TrainResult& result,
                             const char* mode, int copies);

}  // namespace faceatlas::train::detail
