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
#include "training_steps.h"

namespace faceatlas::train {

using namespace detail;

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
