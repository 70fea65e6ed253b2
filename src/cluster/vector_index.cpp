#include "faceatlas/cluster/vector_index.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <utility>

#include "faceatlas/core/error.h"

#ifdef FACEATLAS_HAVE_FAISS
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/FaissException.h>
#include <faiss/index_io.h>
#endif

namespace faceatlas::cluster {

const char* to_string(IndexKind kind) {
    switch (kind) {
        case IndexKind::kFlat:
            return "flat";
        case IndexKind::kIvfFlat:
            return "ivf";
        case IndexKind::kHnsw:
            return "hnsw";
    }
    return "?";
}

IndexKind index_kind_from_string(std::string_view name) {
    if (name == "flat") return IndexKind::kFlat;
    if (name == "ivf") return IndexKind::kIvfFlat;
    if (name == "hnsw") return IndexKind::kHnsw;
    throw Error(ErrorCode::kInvalidArgument, "unknown index kind '" + std::string(name) + "'",
                "VectorIndexOptions", "use flat, ivf or hnsw");
}

std::optional<IndexKind> auto_index_kind(std::size_t rows, std::size_t exact_below,
                                         bool faiss_available) {
    if (rows < exact_below || !faiss_available) return std::nullopt;
    return IndexKind::kHnsw;
}

void VectorIndexOptions::validate() const {
    if (metric != Metric::kEuclidean && metric != Metric::kCosine) {
        throw Error(
            ErrorCode::kInvalidArgument,
            std::string("vector index: metric ") + cluster::to_string(metric) + " is not supported",
            "VectorIndexOptions", "use euclidean or cosine");
    }
    if (ivf_lists < 0 || nprobe < 1 || hnsw_m < 2 || hnsw_ef_construction < 1 ||
        hnsw_ef_search < 1) {
        throw Error(ErrorCode::kInvalidArgument,
                    "vector index: nprobe, hnsw_ef_* must be >= 1, hnsw_m >= 2, ivf_lists >= 0",
                    "VectorIndexOptions");
    }
}

#ifdef FACEATLAS_HAVE_FAISS

namespace {

nlohmann::json options_to_json(const VectorIndexOptions& o, std::size_t dim) {
    return {{"format", "faceatlas-vector-index"},
            {"version", 1},
            {"dim", dim},
            {"kind", to_string(o.kind)},
            {"metric", cluster::to_string(o.metric)},
            {"ivf_lists", o.ivf_lists},
            {"nprobe", o.nprobe},
            {"hnsw_m", o.hnsw_m},
            {"hnsw_ef_construction", o.hnsw_ef_construction},
            {"hnsw_ef_search", o.hnsw_ef_search},
            {"seed", o.seed}};
}

// Rows of x as float, L2-normalised for cosine (zero rows stay zero: distance 1 to everything).
std::vector<float> prepared_rows(const MatrixView& x, Metric metric) {
    std::vector<float> v(x.data, x.data + x.rows * x.cols);
    if (metric == Metric::kCosine) {
        for (std::size_t i = 0; i < x.rows; ++i) {
            float* r = v.data() + i * x.cols;
            double s = 0;
            for (std::size_t j = 0; j < x.cols; ++j) s += static_cast<double>(r[j]) * r[j];
            if (s > 0) {
                const auto inv = static_cast<float>(1.0 / std::sqrt(s));
                for (std::size_t j = 0; j < x.cols; ++j) r[j] *= inv;
            }
        }
    }
    return v;
}

}  // namespace

struct VectorIndex::Impl {
    std::size_t dim = 0;
    VectorIndexOptions options;
    std::unique_ptr<faiss::IndexIDMap2> index;

    faiss::MetricType faiss_metric() const {
        return options.metric == Metric::kCosine ? faiss::METRIC_INNER_PRODUCT : faiss::METRIC_L2;
    }

    // The inner index is created at the first add (IVF needs N to size its lists).
    void create_inner(std::size_t n_first) {
        faiss::Index* inner = nullptr;
        const auto d = static_cast<faiss::Index::idx_t>(dim);
        switch (options.kind) {
            case IndexKind::kFlat:
                inner = new faiss::IndexFlat(d, faiss_metric());
                break;
            case IndexKind::kHnsw: {
                auto* h =
                    new faiss::IndexHNSWFlat(static_cast<int>(dim), options.hnsw_m, faiss_metric());
                h->hnsw.efConstruction = options.hnsw_ef_construction;
                h->hnsw.efSearch = options.hnsw_ef_search;
                inner = h;
                break;
            }
            case IndexKind::kIvfFlat: {
                std::size_t lists =
                    options.ivf_lists > 0
                        ? static_cast<std::size_t>(options.ivf_lists)
                        : static_cast<std::size_t>(4.0 * std::sqrt(static_cast<double>(n_first)));
                lists = std::clamp<std::size_t>(lists, 1, std::max<std::size_t>(1, n_first / 39));
                auto* quantizer = new faiss::IndexFlat(d, faiss_metric());
                auto* ivf = new faiss::IndexIVFFlat(quantizer, dim, lists, faiss_metric());
                ivf->own_fields = true;
                ivf->cp.seed = static_cast<int>(options.seed & 0x7fffffff);
                // Coarse quantizer: 10 k-means iterations on at most 64 points per list (FAISS
                // defaults 25 and 256 cost minutes at 1M points for no recall gain here).
                ivf->cp.niter = 10;
                ivf->cp.max_points_per_centroid = 64;
                ivf->nprobe = static_cast<std::size_t>(options.nprobe);
                options.ivf_lists = static_cast<int>(lists);
                inner = ivf;
                break;
            }
        }
        index = std::make_unique<faiss::IndexIDMap2>(inner);
        index->own_fields = true;
    }
};

VectorIndex::VectorIndex(std::size_t dim, const VectorIndexOptions& options)
    : impl_(std::make_unique<Impl>()) {
    options.validate();
    if (dim < 1) throw Error(ErrorCode::kInvalidArgument, "vector index: dim must be >= 1");
    impl_->dim = dim;
    impl_->options = options;
}

VectorIndex::VectorIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VectorIndex::~VectorIndex() = default;
VectorIndex::VectorIndex(VectorIndex&&) noexcept = default;
VectorIndex& VectorIndex::operator=(VectorIndex&&) noexcept = default;

bool VectorIndex::available() { return true; }
std::size_t VectorIndex::dim() const { return impl_->dim; }
std::size_t VectorIndex::size() const {
    return impl_->index ? static_cast<std::size_t>(impl_->index->ntotal) : 0;
}
const VectorIndexOptions& VectorIndex::options() const { return impl_->options; }

std::vector<std::int64_t> VectorIndex::ids() const {
    if (!impl_->index) return {};
    return {impl_->index->id_map.begin(), impl_->index->id_map.end()};
}

bool VectorIndex::contains(std::int64_t id) const {
    return impl_->index && impl_->index->rev_map.count(id) > 0;
}

void VectorIndex::add(const MatrixView& x, const std::vector<std::int64_t>& ids) {
    if (x.rows == 0) return;
    if (x.cols != impl_->dim) {
        throw Error(ErrorCode::kInvalidArgument,
                    "vector index: vectors have " + std::to_string(x.cols) +
                        " dimensions, the index " + std::to_string(impl_->dim),
                    "VectorIndex::add", "index vectors of one embedding model only");
    }
    check_matrix(x, "VectorIndex::add");
    if (ids.size() != x.rows) {
        throw Error(ErrorCode::kInvalidArgument, "vector index: one id per row needed",
                    "VectorIndex::add");
    }
    {
        std::vector<std::int64_t> sorted = ids;
        std::sort(sorted.begin(), sorted.end());
        const auto dup = std::adjacent_find(sorted.begin(), sorted.end());
        if (dup != sorted.end()) {
            throw Error(ErrorCode::kInvalidArgument,
                        "vector index: id " + std::to_string(*dup) + " given twice",
                        "VectorIndex::add");
        }
        for (const auto id : ids) {
            if (contains(id)) {
                throw Error(ErrorCode::kInvalidArgument,
                            "vector index: id " + std::to_string(id) + " is already indexed",
                            "VectorIndex::add", "rebuild the index to replace a vector");
            }
        }
    }
    const std::vector<float> v = prepared_rows(x, impl_->options.metric);
    try {
        if (!impl_->index) impl_->create_inner(x.rows);
        if (!impl_->index->is_trained)
            impl_->index->train(static_cast<faiss::Index::idx_t>(x.rows), v.data());
        impl_->index->add_with_ids(static_cast<faiss::Index::idx_t>(x.rows), v.data(), ids.data());
    } catch (const faiss::FaissException& e) {
        throw Error(ErrorCode::kInternal, std::string("FAISS: ") + e.what(), "VectorIndex::add");
    }
}

void VectorIndex::search(const MatrixView& queries, int k, std::int64_t* ids,
                         float* distances) const {
    if (k < 1) throw Error(ErrorCode::kInvalidArgument, "vector index: k must be >= 1");
    if (queries.rows == 0) return;
    if (queries.cols != impl_->dim) {
        throw Error(ErrorCode::kInvalidArgument,
                    "vector index: queries have " + std::to_string(queries.cols) +
                        " dimensions, the index " + std::to_string(impl_->dim),
                    "VectorIndex::search", "query with the embedding the index was built from");
    }
    check_matrix(queries, "VectorIndex::search");
    const std::size_t nq = queries.rows;
    const auto kk = static_cast<std::size_t>(k);
    std::fill(ids, ids + nq * kk, -1);
    std::fill(distances, distances + nq * kk, std::numeric_limits<float>::infinity());
    if (size() == 0) return;
    const std::vector<float> q = prepared_rows(queries, impl_->options.metric);
    try {
        if (auto* h = dynamic_cast<faiss::IndexHNSW*>(impl_->index->index)) {
            h->hnsw.efSearch = std::max(impl_->options.hnsw_ef_search, k);
        }
        impl_->index->search(static_cast<faiss::Index::idx_t>(nq), q.data(),
                             static_cast<faiss::Index::idx_t>(k), distances, ids);
    } catch (const faiss::FaissException& e) {
        throw Error(ErrorCode::kInternal, std::string("FAISS: ") + e.what(), "VectorIndex::search");
    }
    const bool cosine = impl_->options.metric == Metric::kCosine;
    std::vector<std::pair<float, std::int64_t>> row(kk);
    for (std::size_t i = 0; i < nq; ++i) {
        float* d = distances + i * kk;
        std::int64_t* id = ids + i * kk;
        std::size_t m = 0;
        for (std::size_t t = 0; t < kk; ++t) {
            if (id[t] < 0) continue;
            const float dist =
                cosine ? std::max(0.0f, 1.0f - d[t]) : std::sqrt(std::max(0.0f, d[t]));
            row[m++] = {dist, id[t]};
        }
        std::sort(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(m));
        for (std::size_t t = 0; t < kk; ++t) {
            id[t] = t < m ? row[t].second : -1;
            d[t] = t < m ? row[t].first : std::numeric_limits<float>::infinity();
        }
    }
}

std::vector<std::vector<Neighbor>> VectorIndex::search(const MatrixView& queries, int k) const {
    if (k < 1) throw Error(ErrorCode::kInvalidArgument, "vector index: k must be >= 1");
    const auto kk = static_cast<std::size_t>(k);
    std::vector<std::int64_t> ids(queries.rows * kk);
    std::vector<float> dist(queries.rows * kk);
    search(queries, k, ids.data(), dist.data());
    std::vector<std::vector<Neighbor>> out(queries.rows);
    for (std::size_t i = 0; i < queries.rows; ++i) {
        for (std::size_t t = 0; t < kk; ++t) {
            if (ids[i * kk + t] >= 0) out[i].push_back({ids[i * kk + t], dist[i * kk + t]});
        }
    }
    return out;
}

void VectorIndex::save(const std::filesystem::path& path) const {
    const std::filesystem::path tmp = path.string() + ".tmp";
    const std::filesystem::path meta = path.string() + ".json";
    const std::filesystem::path meta_tmp = meta.string() + ".tmp";
    try {
        if (impl_->index) {
            faiss::write_index(impl_->index.get(), tmp.c_str());
        } else {
            std::ofstream(tmp, std::ios::binary | std::ios::trunc);  // empty index: empty file
        }
    } catch (const faiss::FaissException& e) {
        throw Error(ErrorCode::kIo, std::string("cannot write the index: ") + e.what(),
                    path.string(), "check the folder is writable");
    }
    {
        std::ofstream out(meta_tmp, std::ios::trunc);
        out << options_to_json(impl_->options, impl_->dim).dump(2) << "\n";
        if (!out) throw Error(ErrorCode::kIo, "cannot write", meta_tmp.string());
    }
    std::filesystem::rename(tmp, path);
    std::filesystem::rename(meta_tmp, meta);
}

VectorIndex VectorIndex::load(const std::filesystem::path& path) {
    const std::filesystem::path meta = path.string() + ".json";
    if (!std::filesystem::exists(path) || !std::filesystem::exists(meta)) {
        throw Error(ErrorCode::kNotFound, "no vector index here", path.string(),
                    "build it first (it is written next to the catalog)");
    }
    nlohmann::json j;
    try {
        std::ifstream in(meta);
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::kCorruptData, std::string("bad index metadata: ") + e.what(),
                    meta.string(), "delete the index files; they are rebuilt");
    }
    if (j.value("format", "") != "faceatlas-vector-index") {
        throw Error(ErrorCode::kCorruptData, "not a faceatlas vector index", meta.string(),
                    "delete the index files; they are rebuilt");
    }
    auto impl = std::make_unique<Impl>();
    try {
        impl->dim = j.at("dim").get<std::size_t>();
        impl->options.kind = index_kind_from_string(j.at("kind").get<std::string>());
        impl->options.metric = metric_from_string(j.at("metric").get<std::string>());
        impl->options.ivf_lists = j.at("ivf_lists").get<int>();
        impl->options.nprobe = j.at("nprobe").get<int>();
        impl->options.hnsw_m = j.at("hnsw_m").get<int>();
        impl->options.hnsw_ef_construction = j.at("hnsw_ef_construction").get<int>();
        impl->options.hnsw_ef_search = j.at("hnsw_ef_search").get<int>();
        impl->options.seed = j.at("seed").get<std::uint64_t>();
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::kCorruptData, std::string("bad index metadata: ") + e.what(),
                    meta.string(), "delete the index files; they are rebuilt");
    }
    if (std::filesystem::file_size(path) == 0) return VectorIndex(std::move(impl));
    faiss::Index* raw = nullptr;
    try {
        raw = faiss::read_index(path.c_str());
    } catch (const faiss::FaissException& e) {
        throw Error(ErrorCode::kCorruptData, std::string("cannot read the index: ") + e.what(),
                    path.string(), "delete the index files; they are rebuilt");
    }
    auto* idmap = dynamic_cast<faiss::IndexIDMap2*>(raw);
    if (!idmap || static_cast<std::size_t>(raw->d) != impl->dim) {
        delete raw;
        throw Error(ErrorCode::kCorruptData, "index does not match its metadata", path.string(),
                    "delete the index files; they are rebuilt");
    }
    impl->index.reset(idmap);
    if (impl->index->rev_map.size() != impl->index->id_map.size()) impl->index->construct_rev_map();
    if (auto* ivf = dynamic_cast<faiss::IndexIVF*>(impl->index->index)) {
        ivf->nprobe = static_cast<std::size_t>(impl->options.nprobe);
    }
    return VectorIndex(std::move(impl));
}

#else  // !FACEATLAS_HAVE_FAISS

struct VectorIndex::Impl {};

namespace {
[[noreturn]] void no_faiss() {
    throw Error(ErrorCode::kUnsupported, "faceatlas was built without FAISS", "VectorIndex",
                "install libfaiss-dev (scripts/setup.sh) and rebuild");
}
}  // namespace

VectorIndex::VectorIndex(std::size_t, const VectorIndexOptions&) { no_faiss(); }
VectorIndex::VectorIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VectorIndex::~VectorIndex() = default;
VectorIndex::VectorIndex(VectorIndex&&) noexcept = default;
VectorIndex& VectorIndex::operator=(VectorIndex&&) noexcept = default;
bool VectorIndex::available() { return false; }
std::size_t VectorIndex::dim() const { no_faiss(); }
std::size_t VectorIndex::size() const { no_faiss(); }
const VectorIndexOptions& VectorIndex::options() const { no_faiss(); }
std::vector<std::int64_t> VectorIndex::ids() const { no_faiss(); }
bool VectorIndex::contains(std::int64_t) const { no_faiss(); }
void VectorIndex::add(const MatrixView&, const std::vector<std::int64_t>&) { no_faiss(); }
void VectorIndex::search(const MatrixView&, int, std::int64_t*, float*) const { no_faiss(); }
std::vector<std::vector<Neighbor>> VectorIndex::search(const MatrixView&, int) const { no_faiss(); }
void VectorIndex::save(const std::filesystem::path&) const { no_faiss(); }
VectorIndex VectorIndex::load(const std::filesystem::path&) { no_faiss(); }

#endif

}  // namespace faceatlas::cluster
