// AdaDelta (Zeiler 2012) as a torch::optim::Optimizer; LibTorch 1.13's C++ API has none.
// Keras' form and defaults (the transfer-learning paper trained with Keras):
//   acc_g  <- rho * acc_g + (1 - rho) * g^2
//   delta  <- g * sqrt(acc_dx + eps) / sqrt(acc_g + eps)
//   p      <- p - lr * delta
//   acc_dx <- rho * acc_dx + (1 - rho) * delta^2
// (PyTorch's Python Adadelta is the same update with rho 0.9, eps 1e-6 and weight decay.)
#pragma once

#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>

#include <utility>
#include <vector>

namespace faceatlas::train {

struct AdaDeltaOptions : public torch::optim::OptimizerCloneableOptions<AdaDeltaOptions> {
    AdaDeltaOptions(double lr = 1.0) : lr_(lr) {}  // NOLINT(google-explicit-constructor)
    TORCH_ARG(double, lr) = 1.0;
    TORCH_ARG(double, rho) = 0.95;
    TORCH_ARG(double, eps) = 1e-7;
    TORCH_ARG(double, weight_decay) = 0;  // added to the gradient: g + wd * p

    double get_lr() const override { return lr(); }
    void set_lr(const double lr) override { this->lr(lr); }
};

struct AdaDeltaParamState : public torch::optim::OptimizerCloneableParamState<AdaDeltaParamState> {
    TORCH_ARG(torch::Tensor, square_avg);  // acc_g
    TORCH_ARG(torch::Tensor, acc_delta);   // acc_dx
    TORCH_ARG(int64_t, step) = 0;
};

class AdaDelta : public torch::optim::Optimizer {
  public:
    explicit AdaDelta(std::vector<torch::optim::OptimizerParamGroup> groups,
                      AdaDeltaOptions defaults = {});
    explicit AdaDelta(std::vector<torch::Tensor> params, AdaDeltaOptions defaults = {})
        : AdaDelta({torch::optim::OptimizerParamGroup(std::move(params))}, defaults) {}

    torch::Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace faceatlas::train
