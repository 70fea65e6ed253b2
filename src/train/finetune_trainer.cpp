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

}  // namespace faceatlas::train
