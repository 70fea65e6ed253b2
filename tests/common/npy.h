// Minimal .npy reader/writer for test fixtures (little-endian, C order, float32/int32/uint8).
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace faceatlas::testing {

struct NpyArray {
    std::vector<int> shape;
    std::vector<float> data;  // converted to float
    std::size_t size() const { return data.size(); }
};

inline NpyArray read_npy(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path);
    char magic[6];
    f.read(magic, 6);
    if (std::memcmp(magic, "\x93NUMPY", 6) != 0)
        throw std::runtime_error("not an npy file: " + path);
    uint8_t ver[2];
    f.read(reinterpret_cast<char*>(ver), 2);
    uint32_t hlen = 0;
    if (ver[0] == 1) {
        uint16_t h;
        f.read(reinterpret_cast<char*>(&h), 2);
        hlen = h;
    } else {
        f.read(reinterpret_cast<char*>(&hlen), 4);
    }
    std::string header(hlen, ' ');
    f.read(header.data(), hlen);
    auto descr_pos = header.find("'descr'");
    auto q1 = header.find('\'', header.find(':', descr_pos));
    auto q2 = header.find('\'', q1 + 1);
    const std::string descr = header.substr(q1 + 1, q2 - q1 - 1);
    if (header.find("'fortran_order': True") != std::string::npos)
        throw std::runtime_error("fortran order not supported: " + path);
    auto s1 = header.find('(', header.find("'shape'"));
    auto s2 = header.find(')', s1);
    NpyArray a;
    std::size_t n = 1;
    std::string dims = header.substr(s1 + 1, s2 - s1 - 1);
    std::size_t pos = 0;
    while (pos < dims.size()) {
        auto comma = dims.find(',', pos);
        std::string tok =
            dims.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (tok.find_first_of("0123456789") != std::string::npos) {
            a.shape.push_back(std::stoi(tok));
            n *= static_cast<std::size_t>(a.shape.back());
        }
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    a.data.resize(n);
    if (descr == "<f4") {
        f.read(reinterpret_cast<char*>(a.data.data()), static_cast<std::streamsize>(n * 4));
    } else if (descr == "<i4") {
        std::vector<int32_t> v(n);
        f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * 4));
        for (std::size_t i = 0; i < n; ++i) a.data[i] = static_cast<float>(v[i]);
    } else if (descr == "|u1") {
        std::vector<uint8_t> v(n);
        f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n));
        for (std::size_t i = 0; i < n; ++i) a.data[i] = v[i];
    } else {
        throw std::runtime_error("unsupported npy dtype " + descr + " in " + path);
    }
    if (!f) throw std::runtime_error("truncated npy file: " + path);
    return a;
}

inline void write_npy(const std::string& path, const std::vector<int>& shape, const float* data) {
    std::string shp = "(";
    std::size_t n = 1;
    for (int d : shape) {
        shp += std::to_string(d) + ",";
        n *= static_cast<std::size_t>(d);
    }
    shp += ")";
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shp + ", }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::ofstream f(path, std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    const uint16_t hlen = static_cast<uint16_t>(header.size());
    f.write(reinterpret_cast<const char*>(&hlen), 2);
    f.write(header.data(), static_cast<std::streamsize>(header.size()));
    f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n * 4));
}

}  // namespace faceatlas::testing
