// A persistent nearest-neighbour index over float vectors keyed by caller ids (face ids), backed
// by FAISS (faiss::IndexIDMap2 over a flat, IVF-flat or HNSW index). The id map is kept apart
// from the storage rows, so the caller can ask which ids the index holds, add new ones, and
// rebuild when some were deleted (FAISS' IVF/HNSW cannot remove cheaply).
//
// Distances are true distances: Euclidean (FAISS returns squared L2; this takes the root) or
// cosine (1 - cos; vectors are L2-normalised copies, searched by inner product). No OpenCV.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::cluster {

enum class IndexKind {
    kFlat,     // exact brute force (FAISS' blocked BLAS search)
    kIvfFlat,  // inverted lists over a k-means coarse quantizer; probes `nprobe` lists
    kHnsw,     // hierarchical navigable small-world graph (Malkov & Yashunin 2018)
};

const char* to_string(IndexKind kind);
// ensures: parses "flat", "ivf", "hnsw"; anything else throws faceatlas::Error.
IndexKind index_kind_from_string(std::string_view name);

// The index a search asked for "auto" uses for `rows` vectors: none (exact brute-force search)
// below `exact_below` rows or when FAISS is not built in (`faiss_available` =
// VectorIndex::available()), else kHnsw.
std::optional<IndexKind> auto_index_kind(std::size_t rows, std::size_t exact_below,
                                         bool faiss_available);

struct VectorIndexOptions {
    IndexKind kind = IndexKind::kFlat;
    Metric metric = Metric::kEuclidean;  // kEuclidean or kCosine (others throw)
    int ivf_lists = 0;  // IVF lists; 0 = 4 * sqrt(N at the first add), clamped to [1, N/39]
    int nprobe = 16;    // IVF lists probed per query
    int hnsw_m = 32;    // HNSW links per node
    int hnsw_ef_construction = 40;
    int hnsw_ef_search = 64;  // HNSW search beam; raised to k when k is larger
    std::uint64_t seed = 0;   // seeds the IVF k-means
    // ensures: throws faceatlas::Error unless metric is Euclidean/cosine and every count >= 1
    //          (ivf_lists >= 0).
    void validate() const;
};

struct Neighbor {
    std::int64_t id = 0;
    float distance = 0;
};

class VectorIndex {
  public:
    // ensures: an empty index of dimension dim (>= 1). Throws kUnsupported when faceatlas was
    //          built without FAISS.
    VectorIndex(std::size_t dim, const VectorIndexOptions& options);
    ~VectorIndex();
    VectorIndex(VectorIndex&&) noexcept;
    VectorIndex& operator=(VectorIndex&&) noexcept;
    VectorIndex(const VectorIndex&) = delete;
    VectorIndex& operator=(const VectorIndex&) = delete;

    // True when faceatlas was built with FAISS (else every constructor throws).
    static bool available();

    std::size_t dim() const;
    std::size_t size() const;
    const VectorIndexOptions& options() const;
    // The ids held, in insertion order.
    std::vector<std::int64_t> ids() const;
    bool contains(std::int64_t id) const;

    // requires: x.cols == dim(), x finite, ids.size() == x.rows, ids new and distinct (else
    //           throws faceatlas::Error). IVF trains its quantizer on the first non-empty add.
    void add(const MatrixView& x, const std::vector<std::int64_t>& ids);

    // requires: queries.cols == dim(), finite; k >= 1.
    // ensures: per query, the min(k, size()) nearest ids by (distance, id) ascending (exact for
    //          kFlat; approximate otherwise).
    std::vector<std::vector<Neighbor>> search(const MatrixView& queries, int k) const;
    // Same, into caller arrays of queries.rows * k entries (row-major); rows with fewer than k
    // results are padded with id -1 and distance +inf. No per-query allocation.
    void search(const MatrixView& queries, int k, std::int64_t* ids, float* distances) const;

    // ensures: writes the FAISS index to `path` and the options to `path` + ".json" (both
    //          replaced atomically via a temporary file + rename).
    void save(const std::filesystem::path& path) const;
    // ensures: reads what save wrote; throws kNotFound / kCorruptData naming the file.
    static VectorIndex load(const std::filesystem::path& path);

  private:
    struct Impl;
    explicit VectorIndex(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace faceatlas::cluster
