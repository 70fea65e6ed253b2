#include "faceatlas/train/features.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <limits>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <opencv2/core/utility.hpp>

#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/core/error.h"
#include "faceatlas/vision/image_io.h"
#include "faceatlas/vision/landmarks.h"
#include "train/for_each_image.h"

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
    k << "crops=" << o.analyze.crops << " pad=" << o.analyze.crop_padding
      << " dlibpad=" << o.analyze.dlib_chip_padding << " frpad=" << o.analyze.faceres_chip_padding
      << "\n";
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
    in.read(reinterpret_cast<char*>(out.data()),
            static_cast<std::streamsize>(out.size() * sizeof(float)));
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

void require_files(const std::vector<std::filesystem::path>& files) {
    for (const auto& f : files)
        if (!std::filesystem::is_regular_file(f))
            throw Error(ErrorCode::kNotFound, "the annotations list an image that does not exist",
                        f.string(), "remove its row from the annotation file or add the image");
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

std::filesystem::path feature_cache_path(const std::vector<std::filesystem::path>& files,
                                         const std::string& backbone,
                                         const FeatureOptions& options) {
    return cache_path_for(cache_key(files, options), backbone, options.cache_dir);
}

FeatureSet load_or_extract_features(const std::vector<std::filesystem::path>& files,
                                    const std::string& backbone, const nn::ModelManifest& models,
                                    const FeatureOptions& options, const ProgressFn& progress,
                                    bool* from_cache) {
    options.validate();
    FeatureSet fs;
    fs.backbone = backbone;
    fs.dim = attr::backbone_dim(backbone);
    require_files(files);
    const auto key = cache_key(files, options);
    if (from_cache) *from_cache = false;
    if (!options.cache_dir.empty() && read_cache(cache_path_for(key, backbone, options.cache_dir),
                                                 key, files.size(), fs.dim, fs.values)) {
        if (from_cache) *from_cache = true;
        return fs;
    }
    // One pass computes both backbones.
    const int dims[2] = {attr::backbone_dim(attr::kBackboneFaceres),
                         attr::backbone_dim(attr::kBackboneDlib)};
    std::vector<float> both[2] = {
        std::vector<float>(files.size() * static_cast<std::size_t>(dims[0])),
        std::vector<float>(files.size() * static_cast<std::size_t>(dims[1]))};
    for_each_image(
        files, options.threads, progress, /*single_cv_thread=*/false, "feature extraction",
        [&] { return vision::Analyzer::load(models); },
        [&](vision::Analyzer& analyzer, std::size_t i) {
            const auto r = analyzer.analyze_file(files[i], options.analyze);
            if (r.error || r.faces.empty()) {
                // The pipeline failed on this image (unreadable, degenerate landmarks): it is
                // marked missing and left out of training.
                both[0][i * static_cast<std::size_t>(dims[0])] =
                    std::numeric_limits<float>::quiet_NaN();
                both[1][i * static_cast<std::size_t>(dims[1])] =
                    std::numeric_limits<float>::quiet_NaN();
                return;
            }
            const auto& f = r.faces.front();
            std::memcpy(both[0].data() + i * static_cast<std::size_t>(dims[0]),
                        f.embedding_faceres.data(),
                        sizeof(float) * static_cast<std::size_t>(dims[0]));
            std::memcpy(both[1].data() + i * static_cast<std::size_t>(dims[1]),
                        f.embedding_dlib.data(), sizeof(float) * static_cast<std::size_t>(dims[1]));
        });
    if (!options.cache_dir.empty()) {
        write_cache(cache_path_for(key, attr::kBackboneFaceres, options.cache_dir), key,
                    files.size(), dims[0], both[0]);
        write_cache(cache_path_for(key, attr::kBackboneDlib, options.cache_dir), key, files.size(),
                    dims[1], both[1]);
    }
    fs.values = std::move(both[backbone == attr::kBackboneFaceres ? 0 : 1]);
    return fs;
}

void BlockOptions::validate() const {
    spec.validate();
    if (copies < 0 || copies > 64)
        throw Error(ErrorCode::kInvalidArgument, "augmented copies must be in [0, 64]",
                    "BlockOptions");
    augment.validate();
}

namespace {

std::vector<vision::FeatureBlock> standard_blocks(double padding) {
    std::vector<vision::FeatureBlock> out;
    for (const auto& [layer, grid] : std::vector<std::pair<std::string, int>>{{"pw5", 1},
                                                                              {"pw9", 1},
                                                                              {"pw11", 1},
                                                                              {"pw11", 2},
                                                                              {"pw13", 1},
                                                                              {"pw13", 2},
                                                                              {"feats", 1}})
        out.push_back({layer, grid, padding});
    return out;
}

std::string block_key(const std::string& base, const vision::FeatureBlock& b, int copy,
                      const BlockOptions& o) {
    std::ostringstream k;
    k << base << "attribute-block " << b.to_string() << " copy " << copy;
    if (copy > 0)
        k << " seed " << o.seed << " aug " << o.augment.rotation_deg << ' ' << o.augment.shift
          << ' ' << o.augment.shear << ' ' << o.augment.zoom << ' ' << o.augment.flip;
    return k.str();
}

}  // namespace

BlockFeatures load_or_extract_blocks(const std::vector<std::filesystem::path>& files,
                                     const BlockOptions& bo, const nn::ModelManifest& models,
                                     const FeatureOptions& options, const ProgressFn& progress,
                                     bool* from_cache) {
    options.validate();
    bo.validate();
    require_files(files);
    const std::size_t n = files.size();
    const auto base = cache_key(files, options);
    BlockFeatures out;
    out.dim = bo.spec.dim();
    out.copies = bo.copies;
    out.files = n;
    out.values.assign(
        static_cast<std::size_t>(bo.copies + 1) * n * static_cast<std::size_t>(out.dim), 0.f);
    if (from_cache) *from_cache = true;
    // Place one block's [n, dim] values into the output.
    auto place = [&](std::size_t block_index, int copy, const std::vector<float>& v) {
        std::size_t off = 0;
        for (std::size_t b = 0; b < block_index; ++b)
            off += static_cast<std::size_t>(bo.spec.blocks[b].dim());
        const auto bd = static_cast<std::size_t>(bo.spec.blocks[block_index].dim());
        for (std::size_t i = 0; i < n; ++i) {
            float* dst =
                out.values.data() +
                (static_cast<std::size_t>(copy) * n + i) * static_cast<std::size_t>(out.dim) + off;
            std::copy_n(v.data() + i * bd, bd, dst);
        }
    };
    // Which (padding, copy) groups have a block missing from the cache.
    std::vector<std::pair<double, int>> groups;
    for (int c = 0; c <= bo.copies; ++c)
        for (std::size_t b = 0; b < bo.spec.blocks.size(); ++b) {
            const auto& blk = bo.spec.blocks[b];
            std::vector<float> v;
            const auto key = block_key(base, blk, c, bo);
            if (!options.cache_dir.empty() &&
                read_cache(cache_path_for(key, "blk", options.cache_dir), key, n, blk.dim(), v)) {
                place(b, c, v);
                continue;
            }
            if (std::find(groups.begin(), groups.end(), std::make_pair(blk.padding, c)) ==
                groups.end())
                groups.emplace_back(blk.padding, c);
        }
    if (groups.empty()) return out;
    if (from_cache) *from_cache = false;
    // One spec per group: the standard blocks plus the requested ones at its padding.
    std::vector<vision::AttributeFeatureSpec> gspecs;
    for (const auto& [pad, copy] : groups) {
        vision::AttributeFeatureSpec s;
        s.blocks = standard_blocks(pad);
        for (const auto& b : bo.spec.blocks)
            if (b.padding == pad &&
                std::find(s.blocks.begin(), s.blocks.end(), b) == s.blocks.end())
                s.blocks.push_back(b);
        gspecs.push_back(std::move(s));
    }
    std::vector<std::vector<float>> gvals(groups.size());
    for (std::size_t g = 0; g < groups.size(); ++g)
        gvals[g].assign(n * static_cast<std::size_t>(gspecs[g].dim()), 0.f);
    struct BlockNets {
        vision::LandmarkNet lmnet;
        vision::AttributeFeatureExtractor ex;
    };
    vision::AttributeFeatureSpec all;
    for (const auto& g : gspecs)
        for (const auto& b : g.blocks) all.blocks.push_back(b);
    for_each_image(
        files, options.threads, progress, /*single_cv_thread=*/true, "feature extraction",
        [&] {
            return BlockNets{vision::LandmarkNet::load(models),
                             vision::AttributeFeatureExtractor::load(models, all)};
        },
        [&](BlockNets& nets, std::size_t i) {
            bool ok = false;
            auto img = vision::load_image_rgb(files[i]);
            if (img) {
                try {
                    const auto lm = vision::crop_landmarks(nets.lmnet, img.value());
                    for (std::size_t g = 0; g < groups.size(); ++g) {
                        const int copy = groups[g].second;
                        std::optional<vision::AugmentDraw> a;
                        if (copy > 0)
                            a = vision::AugmentDraw::draw(bo.augment, bo.seed, i,
                                                          static_cast<std::uint64_t>(copy));
                        const auto f =
                            nets.ex.compute(img.value(), lm.points, gspecs[g], a ? &*a : nullptr);
                        std::copy(f.begin(), f.end(),
                                  gvals[g].begin() + static_cast<std::ptrdiff_t>(i * f.size()));
                    }
                    ok = true;
                } catch (const Error& e) {
                    if (e.code() != ErrorCode::kAlignmentFailed &&
                        e.code() != ErrorCode::kUnsupported)
                        throw;
                }
            }
            if (!ok)
                for (std::size_t g = 0; g < groups.size(); ++g)
                    std::fill_n(
                        gvals[g].begin() + static_cast<std::ptrdiff_t>(
                                               i * static_cast<std::size_t>(gspecs[g].dim())),
                        gspecs[g].dim(), std::numeric_limits<float>::quiet_NaN());
        });
    // Split each group's rows into its blocks; cache them; place the requested ones.
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const auto gd = static_cast<std::size_t>(gspecs[g].dim());
        std::size_t off = 0;
        for (const auto& blk : gspecs[g].blocks) {
            const auto bd = static_cast<std::size_t>(blk.dim());
            std::vector<float> v(n * bd);
            for (std::size_t i = 0; i < n; ++i) {
                const float* src = gvals[g].data() + i * gd;
                if (std::isnan(src[0]))
                    std::fill_n(v.begin() + static_cast<std::ptrdiff_t>(i * bd), bd,
                                std::numeric_limits<float>::quiet_NaN());
                else
                    std::copy_n(src + off, bd, v.begin() + static_cast<std::ptrdiff_t>(i * bd));
            }
            const auto key = block_key(base, blk, groups[g].second, bo);
            if (!options.cache_dir.empty())
                write_cache(cache_path_for(key, "blk", options.cache_dir), key, n,
                            static_cast<int>(bd), v);
            for (std::size_t b = 0; b < bo.spec.blocks.size(); ++b)
                if (bo.spec.blocks[b] == blk) place(b, groups[g].second, v);
            off += bd;
        }
    }
    return out;
}

namespace {

constexpr const char* kActivationMagic = "faceatlas-activations 1";

// Reads one padding's activations into `dst` (n * shape values). On the first file (`shape`
// all zero) the stored shape is taken and `alloc(shape)` gives the destination; later files must
// match it. `ok` ANDs every file's flags. False when the file is missing, stale or truncated.
template <class Alloc>
bool read_activation_cache(const std::filesystem::path& path, const std::string& key, std::size_t n,
                           std::int32_t shape[3], std::vector<std::uint8_t>& ok, Alloc alloc) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::string magic, stored_key;
    std::getline(in, magic);
    if (magic != kActivationMagic) return false;
    std::uint64_t klen = 0, count = 0;
    in.read(reinterpret_cast<char*>(&klen), 8);
    if (!in || klen != key.size()) return false;
    stored_key.resize(klen);
    in.read(stored_key.data(), static_cast<std::streamsize>(klen));
    std::int32_t sh[3] = {0, 0, 0};
    in.read(reinterpret_cast<char*>(&count), 8);
    in.read(reinterpret_cast<char*>(sh), sizeof sh);
    if (!in || stored_key != key || count != n) return false;
    if (sh[0] < 1 || sh[1] < 1 || sh[2] < 1) return false;
    if (shape[0] != 0 && (sh[0] != shape[0] || sh[1] != shape[1] || sh[2] != shape[2]))
        return false;
    std::vector<std::uint8_t> flags(n);
    in.read(reinterpret_cast<char*>(flags.data()), static_cast<std::streamsize>(n));
    if (!in) return false;
    std::copy_n(sh, 3, shape);
    std::uint16_t* dst = alloc(shape);
    const auto bytes = n * static_cast<std::size_t>(sh[0]) * sh[1] * sh[2] * sizeof(std::uint16_t);
    in.read(reinterpret_cast<char*>(dst), static_cast<std::streamsize>(bytes));
    if (static_cast<std::size_t>(in.gcount()) != bytes) return false;
    if (ok.empty())
        ok = flags;
    else
        for (std::size_t i = 0; i < n; ++i) ok[i] = ok[i] && flags[i];
    return true;
}

void write_activation_cache(const std::filesystem::path& path, const std::string& key,
                            std::size_t n, const std::int32_t shape[3],
                            const std::vector<std::uint8_t>& ok, const std::uint16_t* src) {
    std::string bytes = std::string(kActivationMagic) + "\n";
    const std::uint64_t klen = key.size(), count = n;
    bytes.append(reinterpret_cast<const char*>(&klen), 8);
    bytes += key;
    bytes.append(reinterpret_cast<const char*>(&count), 8);
    bytes.append(reinterpret_cast<const char*>(shape), 3 * sizeof(std::int32_t));
    bytes.append(reinterpret_cast<const char*>(ok.data()), n);
    bytes.append(
        reinterpret_cast<const char*>(src),
        n * static_cast<std::size_t>(shape[0]) * shape[1] * shape[2] * sizeof(std::uint16_t));
    std::filesystem::create_directories(path.parent_path());
    attr::write_file_atomic(path, bytes);
}

}  // namespace

ActivationSet load_or_extract_activations(const std::vector<std::filesystem::path>& files,
                                          const std::string& layer,
                                          const std::vector<double>& paddings,
                                          const nn::ModelManifest& models,
                                          const FeatureOptions& options, const ProgressFn& progress,
                                          bool* from_cache) {
    options.validate();
    if (paddings.empty())
        throw Error(ErrorCode::kInvalidArgument, "no chip paddings", "activations");
    vision::AttributeFeatureSpec
        chips_spec;  // one pw13 block per padding: chips() makes one chip each
    for (double p : paddings) chips_spec.blocks.push_back({"pw13", 1, p});
    chips_spec.validate();
    if (layer == "pw13" || vision::FeatureBlock{layer, 1, 0.25}.channels() <= 0 || layer == "feats")
        throw Error(ErrorCode::kInvalidArgument, "activations come from pw1 .. pw12, not " + layer,
                    "activations");
    require_files(files);
    const std::size_t n = files.size();
    const auto base = cache_key(files, options);
    auto key_of = [&](double p) {
        std::ostringstream k;
        k << base << "activation " << layer << "@" << p;
        return k.str();
    };
    ActivationSet out;
    out.layer = layer;
    out.paddings = paddings;
    out.files = n;
    if (from_cache) *from_cache = false;
    if (!options.cache_dir.empty()) {
        std::int32_t shape[3] = {0, 0, 0};
        bool read = true;
        for (std::size_t pi = 0; pi < paddings.size() && read; ++pi)
            read = read_activation_cache(
                cache_path_for(key_of(paddings[pi]), "act", options.cache_dir),
                key_of(paddings[pi]), n, shape, out.ok, [&](const std::int32_t* sh) {
                    if (out.values.empty()) {
                        out.channels = sh[0], out.height = sh[1], out.width = sh[2];
                        out.values.resize(paddings.size() * n * out.sample_size());
                    }
                    return out.values.data() + pi * n * out.sample_size();
                });
        if (read) {
            if (from_cache) *from_cache = true;
            return out;
        }
        out.values.clear();
        out.ok.clear();
    }
    out.ok.assign(n, 0);
    std::mutex alloc_mu;  // the first activation sets the shape and allocates `values`
    struct ActivationNets {
        vision::LandmarkNet lmnet;
        vision::AttributeFeatureExtractor ex;
    };
    for_each_image(
        files, options.threads, progress, /*single_cv_thread=*/true, "activation extraction",
        [&] {
            return ActivationNets{
                vision::LandmarkNet::load(models),
                vision::AttributeFeatureExtractor::load(models, std::vector<std::string>{layer})};
        },
        [&](ActivationNets& nets, std::size_t i) {
            auto img = vision::load_image_rgb(files[i]);
            if (!img) return;
            try {
                const auto lm = vision::crop_landmarks(nets.lmnet, img.value());
                const auto chips = nets.ex.chips(img.value(), lm.points, chips_spec);
                for (std::size_t pi = 0; pi < chips.size(); ++pi) {
                    const cv::Mat a = nets.ex.activation(chips[pi], layer);
                    CV_Assert(a.dims == 4 && a.size[0] == 1 && a.isContinuous());
                    {
                        std::lock_guard lock(alloc_mu);
                        if (out.values.empty()) {
                            out.channels = a.size[1], out.height = a.size[2], out.width = a.size[3];
                            out.values.assign(paddings.size() * n * out.sample_size(), 0);
                        }
                    }
                    if (a.size[1] != out.channels || a.size[2] != out.height ||
                        a.size[3] != out.width)
                        throw Error(ErrorCode::kInternal, "activation shape changed between images",
                                    "activations");
                    cv::Mat half;
                    cv::Mat(1, static_cast<int>(out.sample_size()), CV_32F,
                            const_cast<float*>(a.ptr<float>()))
                        .convertTo(half, CV_16F);
                    std::memcpy(out.values.data() + (pi * n + i) * out.sample_size(), half.ptr(),
                                out.sample_size() * sizeof(std::uint16_t));
                }
                out.ok[i] = 1;
            } catch (const Error& e) {
                if (e.code() != ErrorCode::kAlignmentFailed && e.code() != ErrorCode::kUnsupported)
                    throw;
            }
        });
    if (out.values.empty())
        throw Error(ErrorCode::kCorruptData, "no image could be aligned", "activations",
                    "check the images are face crops");
    if (!options.cache_dir.empty()) {
        const std::int32_t shape[3] = {out.channels, out.height, out.width};
        for (std::size_t pi = 0; pi < paddings.size(); ++pi)
            write_activation_cache(cache_path_for(key_of(paddings[pi]), "act", options.cache_dir),
                                   key_of(paddings[pi]), n, shape, out.ok,
                                   out.values.data() + pi * n * out.sample_size());
    }
    return out;
}

}  // namespace faceatlas::train
