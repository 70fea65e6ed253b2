#include "faceatlas/train/features.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <cstring>
#include <fstream>
#include <limits>
#include <mutex>
#include <sstream>
#include <thread>

#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/core/error.h"

namespace faceatlas::train {
namespace {

constexpr const char* kCacheMagic = "faceatlas-features 1";

std::uint64_t fnv1a(const std::string& s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

std::string cache_key(const std::vector<std::filesystem::path>& files, const FeatureOptions& o) {
    std::ostringstream k;
    k << "crops=" << o.analyze.crops << " pad=" << o.analyze.crop_padding << " dlibpad=" << o.analyze.dlib_chip_padding
      << " frpad=" << o.analyze.faceres_chip_padding << "\n";
    for (const auto& f : files) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(f, ec);
        const auto mtime = std::filesystem::last_write_time(f, ec).time_since_epoch().count();
        k << f.string() << ' ' << size << ' ' << mtime << '\n';
    }
    return k.str();
}

std::filesystem::path cache_path_for(const std::string& key, const std::string& backbone,
                                     const std::filesystem::path& dir) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a(key)));
    return dir / ("features-" + backbone + "-" + hex + ".bin");
}

bool read_cache(const std::filesystem::path& path, const std::string& key, std::size_t n, int dim,
                std::vector<float>& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::string magic, stored_key;
    std::getline(in, magic);
    if (magic != kCacheMagic) return false;
    std::uint64_t klen = 0, count = 0;
    std::int32_t d = 0;
    in.read(reinterpret_cast<char*>(&klen), 8);
    if (!in || klen != key.size()) return false;
    stored_key.resize(klen);
    in.read(stored_key.data(), static_cast<std::streamsize>(klen));
    in.read(reinterpret_cast<char*>(&count), 8);
    in.read(reinterpret_cast<char*>(&d), 4);
    if (!in || stored_key != key || count != n || d != dim) return false;
    out.resize(n * static_cast<std::size_t>(dim));
    in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size() * sizeof(float)));
    return static_cast<std::size_t>(in.gcount()) == out.size() * sizeof(float);
}

void write_cache(const std::filesystem::path& path, const std::string& key, std::size_t n, int dim,
                 const std::vector<float>& values) {
    std::string bytes = std::string(kCacheMagic) + "\n";
    const std::uint64_t klen = key.size(), count = n;
    const std::int32_t d = dim;
    bytes.append(reinterpret_cast<const char*>(&klen), 8);
    bytes += key;
    bytes.append(reinterpret_cast<const char*>(&count), 8);
    bytes.append(reinterpret_cast<const char*>(&d), 4);
    bytes.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
    std::filesystem::create_directories(path.parent_path());
    attr::write_file_atomic(path, bytes);
}

}  // namespace

void FeatureOptions::validate() const {
    if (threads < 1 || threads > 256)
        throw Error(ErrorCode::kInvalidArgument, "threads must be in [1, 256]", "FeatureOptions");
    analyze.validate();
}

std::filesystem::path image_folder(const std::filesystem::path& data_dir) {
    for (const char* sub : {"img_align_celeba", "images"})
        if (std::filesystem::is_directory(data_dir / sub)) return data_dir / sub;
    return data_dir;
}

std::filesystem::path feature_cache_path(const std::vector<std::filesystem::path>& files, const std::string& backbone,
                                         const FeatureOptions& options) {
    return cache_path_for(cache_key(files, options), backbone, options.cache_dir);
}

FeatureSet load_or_extract_features(const std::vector<std::filesystem::path>& files, const std::string& backbone,
                                    const nn::ModelManifest& models, const FeatureOptions& options,
                                    const ProgressFn& progress, bool* from_cache) {
    options.validate();
    FeatureSet fs;
    fs.backbone = backbone;
    fs.dim = attr::backbone_dim(backbone);
    for (const auto& f : files)
        if (!std::filesystem::is_regular_file(f))
            throw Error(ErrorCode::kNotFound, "the annotations list an image that does not exist", f.string(),
                        "remove its row from the annotation file or add the image");
    const auto key = cache_key(files, options);
    if (from_cache) *from_cache = false;
    if (!options.cache_dir.empty() &&
        read_cache(cache_path_for(key, backbone, options.cache_dir), key, files.size(), fs.dim, fs.values)) {
        if (from_cache) *from_cache = true;
        return fs;
    }
    // One pass computes both backbones.
    const int dims[2] = {attr::backbone_dim(attr::kBackboneFaceres), attr::backbone_dim(attr::kBackboneDlib)};
    std::vector<float> both[2] = {std::vector<float>(files.size() * static_cast<std::size_t>(dims[0])),
                                  std::vector<float>(files.size() * static_cast<std::size_t>(dims[1]))};
    std::atomic<std::size_t> next{0}, done{0};
    std::atomic<bool> cancelled{false};
    std::mutex mu;
    std::optional<Error> failure;
    auto worker = [&]() {
        try {
            auto analyzer = vision::Analyzer::load(models);
            for (std::size_t i = next++; i < files.size() && !cancelled; i = next++) {
                const auto r = analyzer.analyze_file(files[i], options.analyze);
                if (r.error || r.faces.empty()) {
                    // The pipeline failed on this image (unreadable, degenerate landmarks): it
                    // is marked missing and left out of training.
                    both[0][i * static_cast<std::size_t>(dims[0])] = std::numeric_limits<float>::quiet_NaN();
                    both[1][i * static_cast<std::size_t>(dims[1])] = std::numeric_limits<float>::quiet_NaN();
                    const auto d = ++done;
                    if (progress) {
                        std::lock_guard lock(mu);
                        if (!progress(d, files.size())) cancelled = true;
                    }
                    continue;
                }
                const auto& f = r.faces.front();
                std::memcpy(both[0].data() + i * static_cast<std::size_t>(dims[0]), f.embedding_faceres.data(),
                            sizeof(float) * static_cast<std::size_t>(dims[0]));
                std::memcpy(both[1].data() + i * static_cast<std::size_t>(dims[1]), f.embedding_dlib.data(),
                            sizeof(float) * static_cast<std::size_t>(dims[1]));
                const auto d = ++done;
                if (progress) {
                    std::lock_guard lock(mu);
                    if (!progress(d, files.size())) cancelled = true;
                }
            }
        } catch (const Error& e) {
            std::lock_guard lock(mu);
            if (!failure) failure = e;
            cancelled = true;
        }
    };
    const int nthreads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(options.threads), files.size()));
    std::vector<std::thread> pool;
    for (int t = 0; t < std::max(1, nthreads); ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
    if (failure) throw *failure;
    if (cancelled) throw Error(ErrorCode::kIo, "feature extraction cancelled", "features");
    if (!options.cache_dir.empty()) {
        write_cache(cache_path_for(key, attr::kBackboneFaceres, options.cache_dir), key, files.size(), dims[0], both[0]);
        write_cache(cache_path_for(key, attr::kBackboneDlib, options.cache_dir), key, files.size(), dims[1], both[1]);
    }
    fs.values = std::move(both[backbone == attr::kBackboneFaceres ? 0 : 1]);
    return fs;
}

}  // namespace faceatlas::train
