// Mean face and eigenfaces (PCA over the aligned, flattened face thumbnails of one person).
#pragma once

#include <opencv2/core.hpp>
#include <vector>

namespace faceatlas::summary {

struct EigenfaceOptions {
    int size = 96;          // faces are resized to size x size before flattening
    int components = 5;     // at most this many components (and at most faces - 1)
    void validate() const;  // throws faceatlas::Error (kInvalidArgument)
};

struct Eigenfaces {
    int faces = 0;                    // faces used
    cv::Mat mean;                     // CV_8UC3 BGR, size x size: the average face in colour
    std::vector<cv::Mat> components;  // CV_8UC1, size x size: grey 128 = 0, scaled by max |value|
    std::vector<double> explained;    // share of the total (greyscale) variance each one explains
};

// `faces` are BGR or greyscale images of any size (resized). No components for one face or for
// identical faces (zero variance). Throws faceatlas::Error (kInvalidArgument) when `faces` is
// empty or holds an empty image.
Eigenfaces compute_eigenfaces(const std::vector<cv::Mat>& faces,
                              const EigenfaceOptions& options = {});

}  // namespace faceatlas::summary
