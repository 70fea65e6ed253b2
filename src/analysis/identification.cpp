#include "faceatlas/analysis/identification.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "faceatlas/core/error.h"

namespace faceatlas::analysis {

void IdentificationOptions::validate() const {
    if (gallery_sizes.empty() ||
        std::any_of(gallery_sizes.begin(), gallery_sizes.end(), [](int r) { return r < 1; })) {
        throw Error(ErrorCode::kInvalidArgument, "gallery sizes must be >= 1", "--per-person",
                    "e.g. --per-person 1,2,3");
    }
    if (splits < 1) throw Error(ErrorCode::kInvalidArgument, "splits must be >= 1", "--seeds");
}

std::vector<IdentificationRow> identification_accuracy(const cluster::MatrixView& x,
                                                       const std::vector<int>& identity,
                                                       const IdentificationOptions& options) {
    options.validate();
    cluster::check_matrix(x, "identification_accuracy");
    if (identity.size() != x.rows) {
        throw Error(ErrorCode::kInvalidArgument, "identification: one identity per face needed");
    }
    std::map<int, std::vector<std::size_t>> photos;
    for (std::size_t i = 0; i < identity.size(); ++i) {
        if (identity[i] < 0) {
            throw Error(ErrorCode::kInvalidArgument, "identification: negative identity label");
        }
        photos[identity[i]].push_back(i);
    }
    std::vector<IdentificationRow> out;
    for (int r : options.gallery_sizes) {
        IdentificationRow row;
        row.gallery_per_person = r;
        std::vector<const std::vector<std::size_t>*> persons;
        for (const auto& [id, list] : photos) {
            if (list.size() > static_cast<std::size_t>(r)) persons.push_back(&list);
        }
        row.persons = persons.size();
        if (persons.empty()) {
            row.mean = row.std = std::numeric_limits<double>::quiet_NaN();
            out.push_back(row);
            continue;
        }
        for (int s = 0; s < options.splits; ++s) {
            std::mt19937_64 rng(options.seed + static_cast<std::uint64_t>(s));
            std::vector<std::size_t> gallery, probes;
            for (const auto* list : persons) {
                std::vector<std::size_t> v = *list;
                std::shuffle(v.begin(), v.end(), rng);
                gallery.insert(gallery.end(), v.begin(), v.begin() + r);
                probes.insert(probes.end(), v.begin() + r, v.end());
            }
            cluster::Matrix g(gallery.size(), x.cols), p(probes.size(), x.cols);
            for (std::size_t i = 0; i < gallery.size(); ++i) {
                std::copy(x.row(gallery[i]), x.row(gallery[i]) + x.cols, g.row(i));
            }
            for (std::size_t i = 0; i < probes.size(); ++i) {
                std::copy(x.row(probes[i]), x.row(probes[i]) + x.cols, p.row(i));
            }
            const cluster::Matrix d = cluster::pairwise_distances(p, g, options.metric);
            std::size_t correct = 0;
            for (std::size_t i = 0; i < probes.size(); ++i) {
                std::size_t best = 0;
                for (std::size_t j = 1; j < gallery.size(); ++j) {
                    if (d(i, j) < d(i, best)) best = j;
                }
                correct += identity[gallery[best]] == identity[probes[i]] ? 1 : 0;
            }
            row.gallery = gallery.size();
            row.probes = probes.size();
            row.per_split.push_back(static_cast<double>(correct) /
                                    static_cast<double>(probes.size()));
        }
        double sum = 0;
        for (double a : row.per_split) sum += a;
        row.mean = sum / static_cast<double>(row.per_split.size());
        double ss = 0;
        for (double a : row.per_split) ss += (a - row.mean) * (a - row.mean);
        row.std = std::sqrt(ss / static_cast<double>(row.per_split.size()));
        out.push_back(std::move(row));
    }
    return out;
}

}  // namespace faceatlas::analysis
