#include "faceatlas/summary/eigenfaces.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "faceatlas/core/error.h"

namespace faceatlas::summary {

void EigenfaceOptions::validate() const {
    if (size < 8 || size > 1024)
        throw Error(ErrorCode::kInvalidArgument, "size must be in [8, 1024]", "EigenfaceOptions");
    if (components < 0 || components > 64)
        throw Error(ErrorCode::kInvalidArgument, "components must be in [0, 64]",
                    "EigenfaceOptions");
}

Eigenfaces compute_eigenfaces(const std::vector<cv::Mat>& faces, const EigenfaceOptions& o) {
    o.validate();
    if (faces.empty())
        throw Error(ErrorCode::kInvalidArgument, "no faces to compute eigenfaces from",
                    "compute_eigenfaces");
    const int n = static_cast<int>(faces.size());
    const int d = o.size * o.size;
    cv::Mat grey(n, d, CV_64F);
    cv::Mat colour_sum = cv::Mat::zeros(o.size, o.size, CV_64FC3);
    for (int i = 0; i < n; ++i) {
        const cv::Mat& f = faces[static_cast<std::size_t>(i)];
        if (f.empty())
            throw Error(ErrorCode::kInvalidArgument,
                        "face " + std::to_string(i) + " is an empty image", "compute_eigenfaces",
                        "drop faces whose thumbnail could not be decoded");
        cv::Mat bgr;
        if (f.channels() == 1)
            cv::cvtColor(f, bgr, cv::COLOR_GRAY2BGR);
        else if (f.channels() == 4)
            cv::cvtColor(f, bgr, cv::COLOR_BGRA2BGR);
        else
            bgr = f;
        cv::Mat sized;
        cv::resize(bgr, sized, cv::Size(o.size, o.size), 0, 0,
                   bgr.cols > o.size ? cv::INTER_AREA : cv::INTER_LINEAR);
        cv::Mat sized64;
        sized.convertTo(sized64, CV_64FC3);
        colour_sum += sized64;
        cv::Mat g;
        cv::cvtColor(sized, g, cv::COLOR_BGR2GRAY);
        g.reshape(1, 1).convertTo(grey.row(i), CV_64F);
    }
    Eigenfaces e;
    e.faces = n;
    cv::Mat mean_colour = colour_sum / n;
    mean_colour.convertTo(e.mean, CV_8UC3);

    const int k = std::min(o.components, n - 1);
    if (k <= 0) return e;
    cv::Mat mean_row;
    cv::reduce(grey, mean_row, 0, cv::REDUCE_AVG);
    cv::Mat centred = grey - cv::repeat(mean_row, n, 1);
    const double total = cv::sum(centred.mul(centred))[0];
    if (total <= 1e-9) return e;  // identical faces: nothing varies

    // Eigenvectors of the n x n Gram matrix give those of the d x d covariance (n << d).
    cv::Mat gram = centred * centred.t();
    cv::Mat evals, evecs;
    cv::eigen(gram, evals, evecs);  // descending
    for (int c = 0; c < k; ++c) {
        const double lambda = evals.at<double>(c);
        if (lambda <= total * 1e-9) break;
        cv::Mat v = evecs.row(c) * centred;  // 1 x d
        v /= cv::norm(v);
        double lo, hi;
        cv::minMaxLoc(v, &lo, &hi);
        if (-lo > hi) v = -v;  // sign is arbitrary: make the largest magnitude positive
        const double scale = std::max(std::abs(lo), std::abs(hi));
        cv::Mat img;
        v.reshape(1, o.size).convertTo(img, CV_8U, 127.0 / scale, 128.0);
        e.components.push_back(img);
        e.explained.push_back(lambda / total);
    }
    return e;
}

}  // namespace faceatlas::summary
