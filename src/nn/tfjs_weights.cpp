#include "faceatlas/nn/tfjs_weights.h"

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "faceatlas/core/error.h"

namespace faceatlas::nn {
namespace {

constexpr const char* kFix =
    "re-run scripts/fetch_models.sh (or scripts/setup.sh) to restore the model files";

std::vector<char> read_file(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) throw Error(ErrorCode::kNotFound, "cannot open model file", p.string(), kFix);
    f.seekg(0, std::ios::end);
    const auto n = static_cast<std::size_t>(f.tellg());
    f.seekg(0);
    std::vector<char> buf(n);
    if (n && !f.read(buf.data(), static_cast<std::streamsize>(n)))
        throw Error(ErrorCode::kIo, "cannot read model file", p.string(), kFix);
    return buf;
}

float half_to_float(uint16_t h) {
    const uint32_t sign = (h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: normalise
            exp = 127 - 15 + 1;
            while ((mant & 0x400u) == 0) {
                mant <<= 1;
                --exp;
            }
            mant &= 0x3ffu;
            bits = sign | (exp << 23) | (mant << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

std::size_t element_bytes(const std::string& dtype, const std::string& where) {
    if (dtype == "float32" || dtype == "int32") return 4;
    if (dtype == "uint16" || dtype == "float16") return 2;
    if (dtype == "uint8") return 1;
    throw Error(ErrorCode::kUnsupported, "unsupported weight dtype '" + dtype + "'", where,
                "only float32/int32 and uint8/uint16/float16 quantization are supported");
}

}  // namespace

std::string shape_to_string(const std::vector<int>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

WeightMap WeightMap::load(const std::filesystem::path& manifest_path) {
    WeightMap map;
    map.source_ = manifest_path;
    const std::string where = manifest_path.string();
    nlohmann::json j;
    {
        auto text = read_file(manifest_path);
        try {
            j = nlohmann::json::parse(text.begin(), text.end());
        } catch (const nlohmann::json::exception& e) {
            throw Error(ErrorCode::kCorruptData,
                        std::string("manifest is not valid JSON: ") + e.what(), where, kFix);
        }
    }
    // Layers models: the manifest is the array; graph models: model.json["weightsManifest"].
    const nlohmann::json* groups = &j;
    if (j.is_object()) {
        if (!j.contains("weightsManifest"))
            throw Error(ErrorCode::kCorruptData, "no weightsManifest in model JSON", where, kFix);
        groups = &j["weightsManifest"];
    }
    if (!groups->is_array() || groups->empty())
        throw Error(ErrorCode::kCorruptData, "weights manifest has no groups", where, kFix);

    const auto dir = manifest_path.parent_path();
    try {
        for (const auto& group : *groups) {
            // Shards of one group are concatenated, then tensors are read in order.
            std::vector<char> blob;
            std::string shards;  // the group's files, for messages
            for (const auto& p : group.at("paths")) {
                const auto file = dir / p.get<std::string>();
                auto shard = read_file(file);
                blob.insert(blob.end(), shard.begin(), shard.end());
                shards += (shards.empty() ? "" : ", ") + file.string();
            }
            std::size_t offset = 0;
            for (const auto& w : group.at("weights")) {
                WeightTensor t;
                t.name = w.at("name").get<std::string>();
                t.dtype = w.at("dtype").get<std::string>();
                std::size_t count = 1;
                for (const auto& d : w.at("shape")) {
                    const int v = d.get<int>();
                    if (v < 0)
                        throw Error(ErrorCode::kCorruptData, "negative dimension in " + t.name,
                                    where, kFix);
                    t.shape.push_back(v);
                    count *= static_cast<std::size_t>(v);
                }
                if (t.dtype != "float32" && t.dtype != "int32")
                    throw Error(ErrorCode::kUnsupported,
                                "tensor " + t.name + " has dtype " + t.dtype, where,
                                "only float32 and int32 tensors are supported");
                std::string stored = t.dtype;
                double scale = 1.0, minv = 0.0;
                bool affine = false;
                if (w.contains("quantization")) {
                    const auto& q = w["quantization"];
                    stored = q.at("dtype").get<std::string>();
                    if (stored == "uint8" || stored == "uint16") {
                        scale = q.at("scale").get<double>();
                        minv = q.at("min").get<double>();
                        affine = true;
                    } else if (stored != "float16") {
                        throw Error(ErrorCode::kUnsupported,
                                    "tensor " + t.name + " quantized as " + stored, where,
                                    "only uint8/uint16/float16 quantization is supported");
                    }
                }
                const std::size_t nbytes = count * element_bytes(stored, where);
                if (offset + nbytes > blob.size())
                    throw Error(ErrorCode::kCorruptData,
                                "weight data truncated at tensor " + t.name + " (needs " +
                                    std::to_string(offset + nbytes) + " bytes, " + shards +
                                    " hold " + std::to_string(blob.size()) + ")",
                                where, kFix);
                const char* src = blob.data() + offset;
                t.data.resize(count);
                if (affine && stored == "uint8") {
                    for (std::size_t i = 0; i < count; ++i)
                        t.data[i] = static_cast<float>(static_cast<uint8_t>(src[i]) * scale + minv);
                } else if (affine) {
                    for (std::size_t i = 0; i < count; ++i) {
                        uint16_t v;
                        std::memcpy(&v, src + 2 * i, 2);
                        t.data[i] = static_cast<float>(v * scale + minv);
                    }
                } else if (stored == "float16") {
                    for (std::size_t i = 0; i < count; ++i) {
                        uint16_t v;
                        std::memcpy(&v, src + 2 * i, 2);
                        t.data[i] = half_to_float(v);
                    }
                } else if (stored == "int32") {
                    for (std::size_t i = 0; i < count; ++i) {
                        int32_t v;
                        std::memcpy(&v, src + 4 * i, 4);
                        t.data[i] = static_cast<float>(v);
                    }
                } else {
                    std::memcpy(t.data.data(), src, nbytes);
                }
                offset += nbytes;
                if (map.tensors_.count(t.name))
                    throw Error(ErrorCode::kCorruptData, "duplicate tensor " + t.name, where, kFix);
                map.tensors_.emplace(t.name, std::move(t));
            }
            if (offset != blob.size())
                throw Error(ErrorCode::kCorruptData,
                            "weight shards " + shards + " hold " + std::to_string(blob.size()) +
                                " bytes but the manifest describes " + std::to_string(offset),
                            where, kFix);
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::kCorruptData, std::string("malformed weights manifest: ") + e.what(),
                    where, kFix);
    }
    return map;
}

const WeightTensor& WeightMap::get(const std::string& name,
                                   const std::vector<int>& expected_shape) const {
    auto it = tensors_.find(name);
    if (it == tensors_.end())
        throw Error(ErrorCode::kCorruptData, "model has no tensor '" + name + "'", source_.string(),
                    "the model files do not match this faceatlas version; " + std::string(kFix));
    if (!expected_shape.empty() && it->second.shape != expected_shape)
        throw Error(ErrorCode::kCorruptData,
                    "tensor '" + name + "' has shape " + shape_to_string(it->second.shape) +
                        ", expected " + shape_to_string(expected_shape),
                    source_.string(), std::string(kFix));
    return it->second;
}

std::vector<std::string> WeightMap::names() const {
    std::vector<std::string> out;
    out.reserve(tensors_.size());
    for (const auto& [k, v] : tensors_) out.push_back(k);
    return out;
}

}  // namespace faceatlas::nn
