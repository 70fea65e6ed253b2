#include "faceatlas/train/attribute_trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <set>

#include "faceatlas/attr/celeba.h"
#include "faceatlas/core/error.h"
#include "faceatlas/train/adadelta.h"

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

std::vector<float> tensor_values(const torch::Tensor& t) {
    auto c = t.contiguous().to(torch::kFloat32);
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
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

TrainResult train_head(const LabelledFeatures& data, const std::string& backbone,
                       const TrainOptions& options, const EpochFn& on_epoch) {
    options.validate();
    const auto t0 = Clock::now();
    const int dim = data.dim;
    const auto n = data.size();
    const auto na = static_cast<int>(data.names.size());
    if (n == 0 || na == 0)
        throw Error(ErrorCode::kCorruptData, "the training set is empty", "training data",
                    "check the annotation file lists images and attributes");
    assert(data.x.size() == n * static_cast<std::size_t>(dim));
    assert(data.y.size() == n * static_cast<std::size_t>(na));
    if (options.mode == TrainMode::kFinetune)
        throw Error(ErrorCode::kUnsupported, "finetune mode is not implemented yet",
                    "--mode finetune", "use --mode head (frozen backbone)");

    const auto is_val = split_by_group(data.group, options.val_fraction, options.seed);
    std::vector<std::int64_t> tr_idx, va_idx;
    for (std::size_t i = 0; i < n; ++i)
        (is_val[i] ? va_idx : tr_idx).push_back(static_cast<std::int64_t>(i));
    if (tr_idx.size() < 2 || va_idx.empty())
        throw Error(ErrorCode::kCorruptData,
                    "too few samples to split into training (" + std::to_string(tr_idx.size()) +
                        ") and validation (" + std::to_string(va_idx.size()) + ")",
                    "training data", "add images or change --val-fraction");

    if (data.copies < 0 ||
        data.x_aug.size() != static_cast<std::size_t>(data.copies) * n * static_cast<std::size_t>(dim))
        throw Error(ErrorCode::kInvalidArgument, "augmented copies do not match the features", "training data");
    torch::manual_seed(options.seed);
    torch::set_num_threads(options.threads);
    const auto X = torch::from_blob(const_cast<float*>(data.x.data()), {static_cast<long>(n), dim},
                                    torch::kFloat32);
    auto Y = torch::from_blob(const_cast<std::uint8_t*>(data.y.data()), {static_cast<long>(n), na},
                              torch::kUInt8)
                 .to(torch::kFloat32);
    const auto tr = torch::tensor(tr_idx, torch::kLong), va = torch::tensor(va_idx, torch::kLong);
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
    const auto ntr = static_cast<long>(tr_idx.size());
    const auto Ytr = Y.index_select(0, tr), Yva = Y.index_select(0, va);
    const auto pos = Ytr.sum(0);
    for (int k = 0; k < na; ++k) {
        const double p = pos[k].item<double>();
        if (p == 0 || p == static_cast<double>(tr_idx.size()))
            throw Error(ErrorCode::kUnsupported,
                        "attribute " + data.names[static_cast<std::size_t>(k)] + " has only " +
                            (p == 0 ? "negative" : "positive") + " examples in the training split",
                        "training data",
                        "add examples of both classes or leave the attribute out with --attrs");
    }
    const auto pos_weight = (static_cast<double>(tr_idx.size()) - pos) / pos;

    Head head(dim, options.hidden, na, options.dropout);
    std::unique_ptr<torch::optim::Optimizer> opt;
    if (options.optimizer == OptimizerKind::kAdaDelta)
        opt = std::make_unique<AdaDelta>(
            head->parameters(),
            AdaDeltaOptions(options.learning_rate > 0 ? options.learning_rate : 1.0));
    else
        opt = std::make_unique<torch::optim::Adam>(
            head->parameters(),
            torch::optim::AdamOptions(options.learning_rate > 0 ? options.learning_rate : 1e-3));
    auto loss_fn = [&](const torch::Tensor& logits, const torch::Tensor& y) {
        if (options.loss == LossKind::kCosine) return cosine_loss(logits, y);
        return torch::nn::functional::binary_cross_entropy_with_logits(
            logits, y,
            torch::nn::functional::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(
                pos_weight));
    };

    TrainResult result;
    result.train_samples = tr_idx.size();
    result.val_samples = va_idx.size();
    {
        std::set<std::int64_t> gt, gv;
        for (auto i : tr_idx) gt.insert(data.group[static_cast<std::size_t>(i)]);
        for (auto i : va_idx) gv.insert(data.group[static_cast<std::size_t>(i)]);
        result.train_identities = gt.size();
        result.val_identities = gv.size();
    }
    std::vector<torch::Tensor> best_state;
    double best_loss = std::numeric_limits<double>::infinity();
    int since_best = 0;
    std::mt19937_64 rng(options.seed);
    std::vector<long> order(tr_idx.size());
    std::iota(order.begin(), order.end(), 0);
    const auto vy = tensor_values(Yva);
    for (int epoch = 1; epoch <= options.epochs; ++epoch) {
        const auto te = Clock::now();
        head->train();
        std::shuffle(order.begin(), order.end(), rng);
        double sum = 0;
        std::size_t batches = 0;
        for (std::size_t b = 0; b < order.size();
             b += static_cast<std::size_t>(options.batch_size)) {
            const auto e = std::min(order.size(), b + static_cast<std::size_t>(options.batch_size));
            if (e - b < 2) continue;  // BatchNorm needs two samples
            const auto idx = torch::tensor(std::vector<long>(order.begin() + static_cast<long>(b),
                                                             order.begin() + static_cast<long>(e)),
                                           torch::kLong);
            auto xb = Xtr.index_select(0, idx);
            if (data.copies > 0) {
                // Each sample: itself (copy 0) or one of its augmented copies, uniformly.
                std::vector<long> pick(static_cast<std::size_t>(e - b));
                std::vector<long> rows;
                for (std::size_t j = b; j < e; ++j) {
                    const auto c = static_cast<long>(rng() % static_cast<std::uint64_t>(data.copies + 1));
                    pick[j - b] = c;
                    rows.push_back(c > 0 ? (c - 1) * ntr + order[j] : 0);
                }
                const auto aug = Xaug_tr.index_select(0, torch::tensor(rows, torch::kLong));
                const auto use = (torch::tensor(pick, torch::kLong) > 0).unsqueeze(1);
                xb = torch::where(use, aug, xb);
            }
            opt->zero_grad();
            auto loss = loss_fn(head->forward(xb), Ytr.index_select(0, idx));
            loss.backward();
            opt->step();
            sum += loss.item<double>();
            ++batches;
        }
        head->eval();
        torch::NoGradGuard ng;
        const auto logits = head->forward(Xva);
        EpochReport r;
        r.epoch = epoch;
        r.epochs = options.epochs;
        r.train_loss = batches ? sum / static_cast<double>(batches) : 0;
        r.val_loss = loss_fn(logits, Yva).item<double>();
        const auto probs = tensor_values(torch::sigmoid(logits));
        for (int k = 0; k < na; ++k) {
            std::vector<float> s(va_idx.size());
            std::vector<std::uint8_t> t(va_idx.size());
            for (std::size_t i = 0; i < va_idx.size(); ++i) {
                s[i] = probs[i * static_cast<std::size_t>(na) + static_cast<std::size_t>(k)];
                t[i] = vy[i * static_cast<std::size_t>(na) + static_cast<std::size_t>(k)] > 0.5f;
            }
            const auto bs = attr::binary_scores(s, t, 0.5f);
            r.val_accuracy += bs.accuracy / na;
            r.val_balanced_accuracy += bs.balanced_accuracy / na;
        }
        r.improved = r.val_loss < best_loss - 1e-6;
        if (r.improved) {
            best_loss = r.val_loss;
            result.best_epoch = epoch;
            since_best = 0;
            best_state.clear();
            for (const auto& p : head->parameters()) best_state.push_back(p.detach().clone());
            for (const auto& b : head->buffers()) best_state.push_back(b.detach().clone());
        } else {
            ++since_best;
        }
        r.seconds = since(te);
        result.epochs.push_back(r);
        if (on_epoch && !on_epoch(r)) break;
        if (since_best >= options.patience) break;
    }
    {
        torch::NoGradGuard ng;
        std::size_t i = 0;
        for (auto& p : head->parameters()) p.copy_(best_state[i++]);
        for (auto& b : head->buffers()) b.copy_(best_state[i++]);
    }
    head->eval();
    torch::NoGradGuard ng;

    // Fold: standardisation into fc1, BatchNorm (after the ReLU) into fc2.
    attr::AttributeModel m;
    m.backbone = backbone;
    m.feature_dim = dim;
    {
        const auto w1 = head->fc1->weight / sd.unsqueeze(0);
        const auto b1 = head->fc1->bias - torch::matmul(head->fc1->weight, mu / sd);
        const auto scale =
            head->bn->weight / torch::sqrt(head->bn->running_var + head->bn->options.eps());
        const auto shift = head->bn->bias - head->bn->running_mean * scale;
        const auto w2 = head->fc2->weight * scale.unsqueeze(0);
        const auto b2 = head->fc2->bias + torch::matmul(head->fc2->weight, shift);
        m.layers.push_back(
            {dim, options.hidden, tensor_values(w1), tensor_values(b1), attr::Activation::kRelu});
        m.layers.push_back(
            {options.hidden, na, tensor_values(w2), tensor_values(b2), attr::Activation::kSigmoid});
    }
    // Thresholds and scores on the validation split, from the folded (LibTorch-free) model.
    std::vector<float> xva_raw(va_idx.size() * static_cast<std::size_t>(dim));
    for (std::size_t i = 0; i < va_idx.size(); ++i)
        std::copy_n(
            data.x.data() + static_cast<std::size_t>(va_idx[i]) * static_cast<std::size_t>(dim),
            dim, xva_raw.data() + i * static_cast<std::size_t>(dim));
    for (int k = 0; k < na; ++k)
        m.attributes.push_back({data.names[static_cast<std::size_t>(k)], 0.5f, 0, 0, 0});
    const auto probs = m.predict(xva_raw.data(), va_idx.size());
    for (int k = 0; k < na; ++k) {
        std::vector<float> s(va_idx.size());
        std::vector<std::uint8_t> t(va_idx.size());
        for (std::size_t i = 0; i < va_idx.size(); ++i) {
            s[i] = probs[i * static_cast<std::size_t>(na) + static_cast<std::size_t>(k)];
            t[i] = vy[i * static_cast<std::size_t>(na) + static_cast<std::size_t>(k)] > 0.5f;
        }
        AttributeScore sc;
        sc.name = data.names[static_cast<std::size_t>(k)];
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
        auto& info = m.attributes[static_cast<std::size_t>(k)];
        info.threshold = sc.threshold;
        info.val_accuracy = sc.accuracy;
        info.val_balanced_accuracy = sc.balanced_accuracy;
        info.train_positive_rate = pos[k].item<double>() / static_cast<double>(tr_idx.size());
        result.scores.push_back(sc);
    }
    m.training = {
        {"mode", "head"},
        {"augment_copies", data.copies},
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
    result.model = std::move(m);
    result.train_seconds = since(t0);
    return result;
}

TrainResult train_attributes(const std::filesystem::path& data_dir, const nn::ModelManifest& models,
                             const TrainOptions& options, const DataOptions& data_options,
                             const ProgressFn& feature_progress, const EpochFn& on_epoch) {
    options.validate();
    data_options.features.validate();
    if (options.mode == TrainMode::kFinetune)
        throw Error(ErrorCode::kUnsupported, "finetune mode is not implemented yet",
                    "--mode finetune", "use --mode head (frozen backbone, cached features)");
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
    if (options.backbone == attr::kBackboneFaceresBlocks) {
        BlockOptions bo;
        bo.spec = vision::AttributeFeatureSpec::parse(options.features);
        bo.copies = options.augment_copies;
        bo.augment = options.augment;
        bo.seed = options.seed;
        spec = bo.spec;
        const auto bf = load_or_extract_blocks(files, bo, models, data_options.features, feature_progress, &cached);
        kept.dim = bf.dim;
        kept.copies = bf.copies;
        std::vector<std::size_t> ok;
        for (std::size_t i = 0; i < files.size(); ++i) {
            if (!bf.valid(i)) {
                ++skipped;
                continue;
            }
            ok.push_back(i);
            kept.x.insert(kept.x.end(), bf.row(0, i), bf.row(0, i) + bf.dim);
            kept.y.insert(kept.y.end(), data.y.begin() + static_cast<std::ptrdiff_t>(i * na),
                          data.y.begin() + static_cast<std::ptrdiff_t>((i + 1) * na));
            kept.group.push_back(data.group[i]);
        }
        for (int c = 1; c <= bf.copies; ++c)
            for (auto i : ok) kept.x_aug.insert(kept.x_aug.end(), bf.row(c, i), bf.row(c, i) + bf.dim);
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
            kept.x.insert(kept.x.end(),
                          fs.values.begin() + static_cast<std::ptrdiff_t>(i * static_cast<std::size_t>(fs.dim)),
                          fs.values.begin() + static_cast<std::ptrdiff_t>((i + 1) * static_cast<std::size_t>(fs.dim)));
            kept.y.insert(kept.y.end(), data.y.begin() + static_cast<std::ptrdiff_t>(i * na),
                          data.y.begin() + static_cast<std::ptrdiff_t>((i + 1) * na));
            kept.group.push_back(data.group[i]);
        }
    }
    const double feature_seconds = since(tf);
    auto result = train_head(kept, options.backbone, options, on_epoch);
    result.skipped_images = skipped;
    result.feature_seconds = feature_seconds;
    result.features_from_cache = cached;
    if (spec) {
        result.model.preprocessing = {
            {"pipeline", "landmark net on the whole image as the face box (crops = true), then per block the "
                         "aligned 224 chip at the block's padding (vision::AttributeFeatureExtractor)"},
            {"feature", "faceres layers average-pooled over a grid (vision/attribute_features.h)"},
            {"features", spec->to_json()},
            {"standardisation", "folded into layer 0"}};
        if (options.augment_copies > 0)
            result.model.training["augmentation"] = {
                {"copies", options.augment_copies},     {"rotation_deg", options.augment.rotation_deg},
                {"shift", options.augment.shift},       {"shear", options.augment.shear},
                {"zoom", options.augment.zoom},         {"flip", options.augment.flip}};
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
