#include "faceatlas/train/adadelta.h"

#include <torch/torch.h>

#include "faceatlas/core/error.h"

namespace faceatlas::train {

AdaDelta::AdaDelta(std::vector<torch::optim::OptimizerParamGroup> groups, AdaDeltaOptions defaults)
    : torch::optim::Optimizer(std::move(groups), std::make_unique<AdaDeltaOptions>(defaults)) {
    if (!(defaults.lr() >= 0) || !(defaults.rho() >= 0 && defaults.rho() <= 1) ||
        !(defaults.eps() >= 0) || !(defaults.weight_decay() >= 0))
        throw Error(ErrorCode::kInvalidArgument,
                    "AdaDelta needs lr >= 0, 0 <= rho <= 1, eps >= 0, weight_decay >= 0",
                    "AdaDeltaOptions");
}

torch::Tensor AdaDelta::step(LossClosure closure) {
    torch::NoGradGuard no_grad;
    torch::Tensor loss;
    if (closure) {
        torch::AutoGradMode enable(true);
        loss = closure();
    }
    for (auto& group : param_groups_) {
        const auto& o = static_cast<const AdaDeltaOptions&>(group.options());
        for (auto& p : group.params()) {
            if (!p.grad().defined()) continue;
            auto g = p.grad();
            if (o.weight_decay() != 0) g = g.add(p, o.weight_decay());
            const auto key = c10::guts::to_string(p.unsafeGetTensorImpl());
            auto it = state_.find(key);
            if (it == state_.end()) {
                auto s = std::make_unique<AdaDeltaParamState>();
                s->square_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                s->acc_delta(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                it = state_.emplace(key, std::move(s)).first;
            }
            auto& s = static_cast<AdaDeltaParamState&>(*it->second);
            s.step(s.step() + 1);
            auto& sq = s.square_avg();
            auto& acc = s.acc_delta();
            sq.mul_(o.rho()).addcmul_(g, g, 1.0 - o.rho());
            auto delta = acc.add(o.eps()).sqrt_().div_(sq.add(o.eps()).sqrt_()).mul_(g);
            p.add_(delta, -o.lr());
            acc.mul_(o.rho()).addcmul_(delta, delta, 1.0 - o.rho());
        }
    }
    return loss;
}

}  // namespace faceatlas::train
