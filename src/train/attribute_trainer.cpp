#include "faceatlas/train/attribute_trainer.h"

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

namespace faceatlas::train {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

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
torch::Tensor cosine_loss(const torch::Tensor& logits, const torch::Tensor& y) {
    const auto p = torch::sigmoid(logits);
    auto l2n = [](const torch::Tensor& t) {
        return t / torch::sqrt(torch::clamp_min((t * t).sum(1, true), 1e-12));
    };
    return -(l2n(y) * l2n(p)).sum(1).mean();
}

}  // namespace

void TrainOptions::validate() const {
    auto bad = [](const std::string& what) {
        throw Error(ErrorCode::kInvalidArgument, what, "train options");
    };
    attr::backbone_dim(backbone);
    if (epochs < 1) bad("epochs must be >= 1");
    if (batch_size < 2) bad("batch size must be >= 2 (BatchNorm)");
    if (patience < 1) bad("patience must be >= 1");
    if (!(val_fraction > 0 && val_fraction < 1)) bad("val fraction must be in (0, 1)");
    if (!(learning_rate >= 0)) bad("learning rate must be >= 0");
    if (hidden < 1) bad("hidden must be >= 1");
    if (!(dropout >= 0 && dropout < 1)) bad("dropout must be in [0, 1)");
    if (threads < 1) bad("threads must be >= 1");
    if (backbone == attr::kBackboneFaceresBlocks) vision::AttributeFeatureSpec::parse(features);
    if (augment_copies < 0 || augment_copies > 64) bad("augmented copies must be in [0, 64]");
    if (augment_copies > 0 && backbone != attr::kBackboneFaceresBlocks)
        bad("augmentation needs --backbone faceres-blocks (features of the augmented chips)");
    if (finetune_blocks < 1 || finetune_blocks > 4) bad("finetune blocks must be in 1..4");
    if (!(finetune_lr_scale >= 0 && finetune_lr_scale <= 10))
        bad("finetune learning-rate scale must be in [0, 10]");
    if (mode == TrainMode::kFinetune) {
        if (backbone != attr::kBackboneFaceresBlocks)
            bad("finetune mode needs --backbone faceres-blocks (it trains the last faceres "
                "blocks)");
        if (augment_copies > 0)
            bad("finetune mode does not take augmented copies yet (--augment-copies 0)");
        for (const auto& b : vision::AttributeFeatureSpec::parse(features).blocks)
            if (b.layer != "pw13")
                bad("finetune mode reads pw13 blocks only, not " + b.to_string() +
                    " (e.g. pw13@0.25,pw13@0.6,pw13@1)");
    }
    augment.validate();
    std::set<std::string> seen;
    for (const auto& a : attributes)
        if (!seen.insert(a).second) bad("attribute " + a + " is listed twice");
}

namespace {
// Mean of one score field over the attributes (0 when there are none).
double mean_of(const std::vector<AttributeScore>& scores, double AttributeScore::*field) {
    double s = 0;
    for (const auto& a : scores) s += a.*field;
    return scores.empty() ? 0 : s / static_cast<double>(scores.size());
}
}  // namespace

double TrainResult::mean_accuracy() const { return mean_of(scores, &AttributeScore::accuracy); }
double TrainResult::mean_balanced_accuracy() const {
    return mean_of(scores, &AttributeScore::balanced_accuracy);
}
double TrainResult::mean_accuracy_at_half() const {
    return mean_of(scores, &AttributeScore::accuracy_at_half);
}
double TrainResult::mean_balanced_accuracy_at_half() const {
    return mean_of(scores, &AttributeScore::balanced_accuracy_at_half);
}
double TrainResult::mean_majority_accuracy() const {
    return mean_of(scores, &AttributeScore::majority_accuracy);
}

std::vector<bool> split_by_group(const std::vector<std::int64_t>& group, double fraction,
                                 std::uint64_t seed) {
    std::map<std::int64_t, std::size_t> count;
    for (auto g : group) ++count[g];
    std::vector<std::int64_t> ids;
    for (const auto& [g, c] : count) ids.push_back(g);
    std::mt19937_64 rng(seed);
    std::shuffle(ids.begin(), ids.end(), rng);
    const auto target =
        static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(group.size())));
    std::set<std::int64_t> val;
    std::size_t taken = 0;
    for (auto g : ids) {
        if (taken >= target) break;
        val.insert(g);
        taken += count[g];
    }
    std::vector<bool> out(group.size());
    for (std::size_t i = 0; i < group.size(); ++i) out[i] = val.count(group[i]) > 0;
    return out;
}

namespace {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::vector<torch::Tensor>& params,
                                                        const TrainOptions& o, double scale = 1.0) {
    if (o.optimizer == OptimizerKind::kAdaDelta)
        return std::make_unique<AdaDelta>(
            params, AdaDeltaOptions((o.learning_rate > 0 ? o.learning_rate : 1.0) * scale));
    return std::make_unique<torch::optim::Adam>(
        params, torch::optim::AdamOptions((o.learning_rate > 0 ? o.learning_rate : 1e-3) * scale));
}

struct Split {
    std::vector<std::int64_t> tr, va;
};

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

}  // namespace

TrainResult train_head(const LabelledFeatures& data, const std::string& backbone,
                       const TrainOptions& options, const EpochFn& on_epoch) {
    options.validate();
    const auto t0 = Clock::now();
    const int dim = data.dim;
    const auto n = data.size();
    const auto na = static_cast<int>(data.names.size());
    check_empty(n, data.names.size());
    assert(data.x.size() == n * static_cast<std::size_t>(dim));
    assert(data.y.size() == n * static_cast<std::size_t>(na));
    if (options.mode == TrainMode::kFinetune)
        throw Error(ErrorCode::kInvalidArgument, "train_head trains heads only", "--mode finetune",
                    "finetuning runs through train_finetune (faceres-blocks activations)");
    const auto sp = make_split(data.group, options);
    if (data.copies < 0 || data.x_aug.size() != static_cast<std::size_t>(data.copies) * n *
                                                    static_cast<std::size_t>(dim))
        throw Error(ErrorCode::kInvalidArgument, "augmented copies do not match the features",
                    "training data");
    torch::manual_seed(options.seed);
    torch::set_num_threads(options.threads);
    const auto X = torch::from_blob(const_cast<float*>(data.x.data()), {static_cast<long>(n), dim},
                                    torch::kFloat32);
    auto Y = torch::from_blob(const_cast<std::uint8_t*>(data.y.data()), {static_cast<long>(n), na},
                              torch::kUInt8)
                 .to(torch::kFloat32);
    const auto tr = torch::tensor(sp.tr, torch::kLong), va = torch::tensor(sp.va, torch::kLong);
    // Standardise with training statistics (folded into the first layer at save).
    auto Xtr = X.index_select(0, tr);
    const auto mu = Xtr.mean(0);
    const auto sd = Xtr.std(0, false).clamp_min(1e-6);
    Xtr = (Xtr - mu) / sd;
    const auto Xva = (X.index_select(0, va) - mu) / sd;
    // Augmented copies of the training rows: [copies * ntr, dim], copy-major.
    torch::Tensor Xaug_tr;
    if (data.copies > 0) {
        const auto A = torch::from_blob(const_cast<float*>(data.x_aug.data()),
                                        {static_cast<long>(data.copies), static_cast<long>(n), dim},
                                        torch::kFloat32);
        Xaug_tr = ((A.index_select(1, tr) - mu) / sd).reshape({-1, dim});
    }
    const auto ntr = static_cast<long>(sp.tr.size());
    const auto Ytr = Y.index_select(0, tr), Yva = Y.index_select(0, va);
    const auto pos = positives(Ytr, data.names);
    const auto pos_weight = (static_cast<double>(ntr) - pos) / pos;

    Head head(dim, options.hidden, na, options.dropout);
    auto opt = make_optimizer(head->parameters(), options);
    TrainResult result;
    count_identities(data.group, sp, result);
    std::vector<torch::Tensor> best_state;
    EpochLoop loop;
    loop.train_step = [&](const std::vector<long>& rows, std::mt19937_64& rng) {
        head->train();
        const auto idx = torch::tensor(rows, torch::kLong);
        auto xb = Xtr.index_select(0, idx);
        if (data.copies > 0) {
            // Each sample: itself (copy 0) or one of its augmented copies, uniformly.
            std::vector<long> pick(rows.size()), arows;
            for (std::size_t j = 0; j < rows.size(); ++j) {
                const auto c =
                    static_cast<long>(rng() % static_cast<std::uint64_t>(data.copies + 1));
                pick[j] = c;
                arows.push_back(c > 0 ? (c - 1) * ntr + rows[j] : 0);
            }
            const auto aug = Xaug_tr.index_select(0, torch::tensor(arows, torch::kLong));
            const auto use = (torch::tensor(pick, torch::kLong) > 0).unsqueeze(1);
            xb = torch::where(use, aug, xb);
        }
        opt->zero_grad();
        auto loss = loss_of(options, head->forward(xb), Ytr.index_select(0, idx), pos_weight);
        loss.backward();
        opt->step();
        return loss.item<double>();
    };
    loop.validate = [&]() {
        head->eval();
        return head->forward(Xva);
    };
    loop.snapshot = [&]() { best_state = state_of({head.get()}); };
    loop.restore = [&]() { load_state({head.get()}, best_state); };
    run_epochs(options, sp.tr.size(), Yva, pos_weight, loop, on_epoch, result);
    head->eval();
    torch::NoGradGuard ng;

    attr::AttributeModel m;
    m.backbone = backbone;
    m.feature_dim = dim;
    m.layers = fold_head(head, mu, sd, dim, options.hidden, na);
    for (int k = 0; k < na; ++k)
        m.attributes.push_back({data.names[static_cast<std::size_t>(k)], 0.5f, 0, 0, 0});
    // Thresholds and scores on the validation split, from the folded (LibTorch-free) model.
    std::vector<float> xva_raw(sp.va.size() * static_cast<std::size_t>(dim));
    for (std::size_t i = 0; i < sp.va.size(); ++i)
        std::copy_n(
            data.x.data() + static_cast<std::size_t>(sp.va[i]) * static_cast<std::size_t>(dim), dim,
            xva_raw.data() + i * static_cast<std::size_t>(dim));
    score_validation(m, m.predict(xva_raw.data(), sp.va.size()), tensor_values(Yva), pos,
                     sp.tr.size(), data.names, result);
    m.training = training_json(options, result, "head", data.copies);
    result.model = std::move(m);
    result.train_seconds = since(t0);
    return result;
}

namespace {

// One grid x grid average pool of an NCHW tensor, cell-major like core/grid_pool.h: [N, g*g*C].
torch::Tensor grid_pool_torch(const torch::Tensor& x, int grid) {
    if (grid == 1) return x.mean({2, 3});
    const long H = x.size(2), W = x.size(3);
    std::vector<torch::Tensor> cells;
    for (int gy = 0; gy < grid; ++gy)
        for (int gx = 0; gx < grid; ++gx) {
            const long y0 = gy * H / grid, y1 = std::max(y0 + 1, (gy + 1) * H / grid);
            const long x0 = gx * W / grid, x1 = std::max(x0 + 1, (gx + 1) * W / grid);
            cells.push_back(x.slice(2, y0, y1).slice(3, x0, x1).mean({2, 3}));
        }
    return torch::cat(cells, 1);
}

}  // namespace

TrainResult train_finetune(const LabelledActivations& data,
                           const vision::AttributeFeatureSpec& spec,
                           const std::filesystem::path& faceres_weights,
                           const TrainOptions& options, const EpochFn& on_epoch) {
    options.validate();
    const auto t0 = Clock::now();
    const auto n = data.size();
    const auto na = static_cast<int>(data.names.size());
    check_empty(n, data.names.size());
    if (!data.act) throw Error(ErrorCode::kInvalidArgument, "no activations", "finetune");
    const ActivationSet& A = *data.act;
    assert(data.y.size() == n * static_cast<std::size_t>(na));
    const int first = 14 - options.finetune_blocks;
    const std::string want_layer = "pw" + std::to_string(first - 1);
    if (A.layer != want_layer)
        throw Error(ErrorCode::kInvalidArgument,
                    "finetuning " + std::to_string(options.finetune_blocks) + " blocks needs " +
                        want_layer + " activations, not " + A.layer,
                    "finetune");
    // Per block: the padding row of the activations.
    std::vector<std::size_t> pad_of;
    for (const auto& b : spec.blocks) {
        if (b.layer != "pw13")
            throw Error(ErrorCode::kInvalidArgument,
                        "finetune mode reads pw13 blocks only, not " + b.to_string(), "--features",
                        "use pw13[gGRID]@PADDING blocks, e.g. pw13@0.25,pw13@0.6,pw13@1");
        const auto it = std::find(A.paddings.begin(), A.paddings.end(), b.padding);
        if (it == A.paddings.end())
            throw Error(ErrorCode::kInvalidArgument,
                        "no activations at padding of " + b.to_string(), "finetune");
        pad_of.push_back(static_cast<std::size_t>(it - A.paddings.begin()));
    }
    const auto sp = make_split(data.group, options);
    torch::manual_seed(options.seed);
    torch::set_num_threads(options.threads);
    MobileNetSuffix suffix(faceres_weights, first);
    const bool frozen = options.finetune_lr_scale == 0;
    if (frozen)
        for (auto& p : suffix->parameters()) p.set_requires_grad(false);
    const long C = A.channels, H = A.height, W = A.width;
    const auto ss = A.sample_size();
    // Features [B, dim] of samples (indices into data) through the current suffix.
    auto features = [&](const std::vector<long>& samples) {
        std::vector<torch::Tensor> by_pad(A.paddings.size());
        std::vector<torch::Tensor> parts;
        for (std::size_t b = 0; b < spec.blocks.size(); ++b) {
            const auto pi = pad_of[b];
            if (!by_pad[pi].defined()) {
                auto h = torch::empty({static_cast<long>(samples.size()), C, H, W}, torch::kHalf);
                auto* dst = reinterpret_cast<std::uint16_t*>(h.data_ptr());
                for (std::size_t j = 0; j < samples.size(); ++j)
                    std::memcpy(dst + j * ss,
                                A.row(pi, data.file_of[static_cast<std::size_t>(samples[j])]),
                                ss * sizeof(std::uint16_t));
                by_pad[pi] = suffix->forward(h.to(torch::kFloat32));
            }
            parts.push_back(grid_pool_torch(by_pad[pi], spec.blocks[b].grid));
        }
        return torch::cat(parts, 1);
    };
    auto chunked = [&](const std::vector<std::int64_t>& rows) {
        torch::NoGradGuard ng;
        std::vector<torch::Tensor> out;
        for (std::size_t b = 0; b < rows.size(); b += 256)
            out.push_back(features(std::vector<long>(
                rows.begin() + static_cast<long>(b),
                rows.begin() + static_cast<long>(std::min(rows.size(), b + 256)))));
        return torch::cat(out, 0);
    };
    auto Y = torch::from_blob(const_cast<std::uint8_t*>(data.y.data()), {static_cast<long>(n), na},
                              torch::kUInt8)
                 .to(torch::kFloat32);
    const auto tr = torch::tensor(sp.tr, torch::kLong), va = torch::tensor(sp.va, torch::kLong);
    const auto Ytr = Y.index_select(0, tr), Yva = Y.index_select(0, va);
    const auto pos = positives(Ytr, data.names);
    const auto ntr = static_cast<long>(sp.tr.size());
    const auto pos_weight = (static_cast<double>(ntr) - pos) / pos;
    // Standardisation from the initial (pretrained) suffix's training features, then fixed.
    torch::Tensor Ftr0 = chunked(sp.tr);
    const int dim = static_cast<int>(Ftr0.size(1));
    if (dim != spec.dim())
        throw Error(ErrorCode::kInternal, "finetune feature size differs from the spec", "finetune",
                    "report this as a bug");
    const auto mu = Ftr0.mean(0);
    const auto sd = Ftr0.std(0, false).clamp_min(1e-6);
    torch::Tensor Fva0_raw, Fva0;
    if (frozen) {
        Ftr0 = (Ftr0 - mu) / sd;  // the suffix never changes: features once
        Fva0_raw = chunked(sp.va);
        Fva0 = (Fva0_raw - mu) / sd;
    } else {
        Ftr0 = torch::Tensor();
    }
    Head head(dim, options.hidden, na, options.dropout);
    auto opt = make_optimizer(head->parameters(), options);
    std::unique_ptr<torch::optim::Optimizer> opt_suffix;
    if (!frozen)
        opt_suffix = make_optimizer(suffix->parameters(), options, options.finetune_lr_scale);
    TrainResult result;
    count_identities(data.group, sp, result);
    std::vector<torch::Tensor> best_state;
    EpochLoop loop;
    loop.train_step = [&](const std::vector<long>& rows, std::mt19937_64&) {
        head->train();
        const auto idx = torch::tensor(rows, torch::kLong);
        torch::Tensor xb;
        if (frozen) {
            xb = Ftr0.index_select(0, idx);
        } else {
            std::vector<long> samples(rows.size());
            for (std::size_t j = 0; j < rows.size(); ++j)
                samples[j] = static_cast<long>(sp.tr[static_cast<std::size_t>(rows[j])]);
            xb = (features(samples) - mu) / sd;
        }
        opt->zero_grad();
        if (opt_suffix) opt_suffix->zero_grad();
        auto loss = loss_of(options, head->forward(xb), Ytr.index_select(0, idx), pos_weight);
        loss.backward();
        opt->step();
        if (opt_suffix) opt_suffix->step();
        return loss.item<double>();
    };
    loop.validate = [&]() {
        head->eval();
        return head->forward(frozen ? Fva0 : (chunked(sp.va) - mu) / sd);
    };
    loop.snapshot = [&]() { best_state = state_of({head.get(), suffix.get()}); };
    loop.restore = [&]() { load_state({head.get(), suffix.get()}, best_state); };
    run_epochs(options, sp.tr.size(), Yva, pos_weight, loop, on_epoch, result);
    head->eval();
    torch::NoGradGuard ng;

    attr::AttributeModel m;
    m.backbone = attr::kBackboneFaceresBlocks;
    m.feature_dim = dim;
    m.layers = fold_head(head, mu, sd, dim, options.hidden, na);
    m.suffix = suffix->to_conv_suffix();
    m.preprocessing["features"] = spec.to_json();
    const auto Fva = (frozen ? Fva0_raw : chunked(sp.va)).contiguous();
    score_validation(m, m.predict(Fva.data_ptr<float>(), sp.va.size()), tensor_values(Yva), pos,
                     sp.tr.size(), data.names, result);
    m.training = training_json(options, result, "finetune", 0);
    m.training["finetune_blocks"] = options.finetune_blocks;
    m.training["finetune_lr_scale"] = options.finetune_lr_scale;
    result.model = std::move(m);
    result.train_seconds = since(t0);
    return result;
}

TrainResult train_attributes(const std::filesystem::path& data_dir, const nn::ModelManifest& models,
                             const TrainOptions& options, const DataOptions& data_options,
                             const ProgressFn& feature_progress, const EpochFn& on_epoch) {
    options.validate();
    data_options.features.validate();
    const auto table = attr::read_celeba_attributes(data_dir / "list_attr_celeba.txt");
    std::map<std::string, std::int64_t> ids;
    const auto id_path = data_dir / "identity_CelebA.txt";
    if (std::filesystem::exists(id_path)) ids = attr::read_celeba_identities(id_path);
    const auto wanted =
        options.attributes.empty() ? attr::default_attribute_names() : options.attributes;
    std::vector<int> cols;
    for (const auto& a : wanted) {
        const int c = table.index_of(a);
        if (c < 0)
            throw Error(ErrorCode::kNotFound, "attribute '" + a + "' is not in the annotations",
                        (data_dir / "list_attr_celeba.txt").string(),
                        "pick --attrs from the file's header line");
        cols.push_back(c);
    }
    LabelledFeatures data;
    data.names = wanted;
    const auto folder = image_folder(data_dir);
    std::vector<std::filesystem::path> files;
    for (std::size_t i = 0; i < table.files.size(); ++i) {
        files.push_back(folder / table.files[i]);
        const auto it = ids.find(table.files[i]);
        if (!ids.empty() && it == ids.end())
            throw Error(ErrorCode::kNotFound, "image " + table.files[i] + " has no identity",
                        id_path.string(),
                        "add its row (identities keep one person out of both splits)");
        data.group.push_back(it != ids.end() ? it->second : -static_cast<std::int64_t>(i) - 1);
        for (int c : cols) data.y.push_back(table.label(i, static_cast<std::size_t>(c)));
    }
    const auto tf = Clock::now();
    bool cached = false;
    const auto na = data.names.size();
    LabelledFeatures kept;
    kept.names = data.names;
    std::size_t skipped = 0;
    std::optional<vision::AttributeFeatureSpec> spec;
    std::vector<std::size_t> kept_files;  // file index of each kept sample
    // The validation split's image names, from the rows the trainer held out.
    auto validation_files = [&](const TrainResult& r, const std::vector<std::size_t>& file_of) {
        std::vector<std::string> out;
        for (auto k : r.validation_rows) out.push_back(table.files[file_of[k]]);
        return out;
    };
    if (options.mode == TrainMode::kFinetune) {
        const auto fspec = vision::AttributeFeatureSpec::parse(options.features);
        const auto act = load_or_extract_activations(
            files, "pw" + std::to_string(13 - options.finetune_blocks), fspec.paddings(), models,
            data_options.features, feature_progress, &cached);
        LabelledActivations la;
        la.act = &act;
        la.names = data.names;
        for (std::size_t i = 0; i < files.size(); ++i) {
            if (!act.ok[i]) {
                ++skipped;
                continue;
            }
            la.file_of.push_back(i);
            la.y.insert(la.y.end(), data.y.begin() + static_cast<std::ptrdiff_t>(i * na),
                        data.y.begin() + static_cast<std::ptrdiff_t>((i + 1) * na));
            la.group.push_back(data.group[i]);
        }
        const double feature_seconds = since(tf);
        auto result = train_finetune(la, fspec, models.get("faceres").weights, options, on_epoch);
        result.validation_files = validation_files(result, la.file_of);
        result.skipped_images = skipped;
        result.feature_seconds = feature_seconds;
        result.features_from_cache = cached;
        result.model.preprocessing = {
            {"pipeline",
             "landmark net on the whole image as the face box (crops = true), then per block the "
             "aligned 224 chip at the block's padding (vision::AttributeFeatureExtractor)"},
            {"feature",
             "pw13 of the finetuned faceres suffix (suffix), average-pooled over a grid"},
            {"features", fspec.to_json()},
            {"standardisation", "folded into layer 0"}};
        result.model.training["data"] = data_dir.string();
        return result;
    }
    if (options.backbone == attr::kBackboneFaceresBlocks) {
        BlockOptions bo;
        bo.spec = vision::AttributeFeatureSpec::parse(options.features);
        bo.copies = options.augment_copies;
        bo.augment = options.augment;
        bo.seed = options.seed;
        spec = bo.spec;
        const auto bf = load_or_extract_blocks(files, bo, models, data_options.features,
                                               feature_progress, &cached);
        kept.dim = bf.dim;
        kept.copies = bf.copies;
        std::vector<std::size_t> ok;
        for (std::size_t i = 0; i < files.size(); ++i) {
            if (!bf.valid(i)) {
                ++skipped;
                continue;
            }
            ok.push_back(i);
            kept_files.push_back(i);
            kept.x.insert(kept.x.end(), bf.row(0, i), bf.row(0, i) + bf.dim);
            kept.y.insert(kept.y.end(), data.y.begin() + static_cast<std::ptrdiff_t>(i * na),
                          data.y.begin() + static_cast<std::ptrdiff_t>((i + 1) * na));
            kept.group.push_back(data.group[i]);
        }
        for (int c = 1; c <= bf.copies; ++c)
            for (auto i : ok)
                kept.x_aug.insert(kept.x_aug.end(), bf.row(c, i), bf.row(c, i) + bf.dim);
    } else {
        auto fs = load_or_extract_features(files, options.backbone, models, data_options.features,
                                           feature_progress, &cached);
        kept.dim = fs.dim;
        // Leave out images the pipeline failed on.
        for (std::size_t i = 0; i < files.size(); ++i) {
            if (!fs.valid(i)) {
                ++skipped;
                continue;
            }
            kept_files.push_back(i);
            kept.x.insert(kept.x.end(),
                          fs.values.begin() +
                              static_cast<std::ptrdiff_t>(i * static_cast<std::size_t>(fs.dim)),
                          fs.values.begin() + static_cast<std::ptrdiff_t>(
                                                  (i + 1) * static_cast<std::size_t>(fs.dim)));
            kept.y.insert(kept.y.end(), data.y.begin() + static_cast<std::ptrdiff_t>(i * na),
                          data.y.begin() + static_cast<std::ptrdiff_t>((i + 1) * na));
            kept.group.push_back(data.group[i]);
        }
    }
    const double feature_seconds = since(tf);
    auto result = train_head(kept, options.backbone, options, on_epoch);
    result.validation_files = validation_files(result, kept_files);
    result.skipped_images = skipped;
    result.feature_seconds = feature_seconds;
    result.features_from_cache = cached;
    if (spec) {
        result.model.preprocessing = {
            {"pipeline",
             "landmark net on the whole image as the face box (crops = true), then per block the "
             "aligned 224 chip at the block's padding (vision::AttributeFeatureExtractor)"},
            {"feature", "faceres layers average-pooled over a grid (vision/attribute_features.h)"},
            {"features", spec->to_json()},
            {"standardisation", "folded into layer 0"}};
        if (options.augment_copies > 0)
            result.model.training["augmentation"] = {
                {"copies", options.augment_copies}, {"rotation_deg", options.augment.rotation_deg},
                {"shift", options.augment.shift},   {"shear", options.augment.shear},
                {"zoom", options.augment.zoom},     {"flip", options.augment.flip}};
        result.model.training["data"] = data_dir.string();
        return result;
    }
    result.model.preprocessing = {
        {"pipeline", "vision::Analyzer, crops = true (landmarks + alignment)"},
        {"feature", options.backbone == attr::kBackboneFaceres
                        ? "faceres 1024-d global-average-pool feature of the "
                          "aligned 224 chip (padding 0.25), not normalised"
                        : "dlib ResNet 128-d descriptor of the aligned 150 "
                          "chip (padding 0.25)"},
        {"standardisation", "folded into layer 0"}};
    result.model.training["data"] = data_dir.string();
    return result;
}

}  // namespace faceatlas::train
