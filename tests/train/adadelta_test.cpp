// AdaDelta against its update formula, step by step in double precision.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "faceatlas/core/error.h"
#include "faceatlas/train/adadelta.h"

using faceatlas::train::AdaDelta;
using faceatlas::train::AdaDeltaOptions;

TEST(AdaDelta, MatchesKerasUpdateFormula) {
    const std::vector<double> p0 = {0.5, -1.25, 2.0};
    auto p = torch::tensor(std::vector<float>(p0.begin(), p0.end())).requires_grad_(true);
    const double lr = 0.7, rho = 0.9, eps = 1e-6;
    AdaDelta opt({p}, AdaDeltaOptions(lr).rho(rho).eps(eps));
    std::vector<double> ref = p0, acc_g(3, 0.0), acc_d(3, 0.0);
    for (int step = 0; step < 5; ++step) {
        opt.zero_grad();
        // loss = sum(c_i * p_i^2) with c = (1, 2, 3): gradient 2 c_i p_i.
        auto loss = (p * p * torch::tensor({1.f, 2.f, 3.f})).sum();
        loss.backward();
        opt.step();
        for (int i = 0; i < 3; ++i) {
            const double g = 2.0 * (i + 1) * ref[static_cast<std::size_t>(i)];
            auto& ag = acc_g[static_cast<std::size_t>(i)];
            auto& ad = acc_d[static_cast<std::size_t>(i)];
            ag = rho * ag + (1 - rho) * g * g;
            const double delta = g * std::sqrt(ad + eps) / std::sqrt(ag + eps);
            ref[static_cast<std::size_t>(i)] -= lr * delta;
            ad = rho * ad + (1 - rho) * delta * delta;
        }
        for (int i = 0; i < 3; ++i)
            EXPECT_NEAR(p[i].item<double>(), ref[static_cast<std::size_t>(i)], 1e-6)
                << "step " << step << " i " << i;
    }
    // It moved (a test that cannot fail otherwise would be worthless).
    EXPECT_GT(std::abs(ref[0] - p0[0]), 1e-4);
}

TEST(AdaDelta, DefaultsAreKeras) {
    AdaDeltaOptions o;
    EXPECT_DOUBLE_EQ(o.lr(), 1.0);
    EXPECT_DOUBLE_EQ(o.rho(), 0.95);
    EXPECT_DOUBLE_EQ(o.eps(), 1e-7);
}

TEST(AdaDelta, RejectsBadOptions) {
    auto p = torch::zeros({2}).requires_grad_(true);
    EXPECT_THROW(AdaDelta({p}, AdaDeltaOptions(1.0).rho(1.5)), faceatlas::Error);
    EXPECT_THROW(AdaDelta({p}, AdaDeltaOptions(-1.0)), faceatlas::Error);
}
