#include "faceatlas/pipeline/records.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <set>
#include <tuple>

#include "faceatlas/core/error.h"

namespace faceatlas::pipeline {

void RecordOptions::validate() const {
    auto bad = [](const std::string& m) {
        throw Error(ErrorCode::kInvalidArgument, m, "RecordOptions");
    };
    if (thumbnail_size < 16 || thumbnail_size > 1024) bad("thumbnail_size must be in [16, 1024]");
    if (thumbnail_quality < 1 || thumbnail_quality > 100)
        bad("thumbnail_quality must be in [1, 100]");
}

namespace {

float blur_measure(const cv::Mat& rgb_chip) {
    cv::Mat gray, lap;
    cv::cvtColor(rgb_chip, gray, cv::COLOR_RGB2GRAY);
    cv::Laplacian(gray, lap, CV_32F);
    cv::Scalar mean, stddev;
    cv::meanStdDev(lap, mean, stddev);
    return static_cast<float>(stddev[0] * stddev[0]);
}

}  // namespace

catalog::FaceRecord make_face_record(const vision::FaceResult& f, const CaptureDate& date,
                                     const RecordOptions& o) {
    catalog::FaceRecord r;
    r.box = f.box;
    r.score = f.score;
    for (const auto& p : f.landmarks) {
        r.landmarks.push_back(p[0]);
        r.landmarks.push_back(p[1]);
    }
    r.face_size = std::sqrt(std::max(0.f, f.box[2] * f.box[3]));
    r.age = f.age;
    r.age_faceres = f.age_faceres;
    r.age_probs = f.age_faceres_probs;
    r.male_prob = f.gender == "male" ? f.gender_prob : 1.f - f.gender_prob;
    r.male_prob_faceres = f.gender_faceres_prob;
    r.expression.assign(f.expression.begin(), f.expression.end());
    if (auto y = date.year()) r.birth_year = *y - f.age_faceres;
    r.embedding_dlib = f.embedding_dlib;
    r.embedding_faceres = f.embedding_faceres;
    if (!f.dlib_chip.empty()) {
        r.blur = blur_measure(f.dlib_chip);
        cv::Mat thumb, bgr;
        cv::resize(f.dlib_chip, thumb, cv::Size(o.thumbnail_size, o.thumbnail_size), 0, 0,
                   cv::INTER_AREA);
        cv::cvtColor(thumb, bgr, cv::COLOR_RGB2BGR);
        cv::imencode(".jpg", bgr, r.thumbnail, {cv::IMWRITE_JPEG_QUALITY, o.thumbnail_quality});
    }
    return r;
}

namespace {

float l2(const std::vector<float>& a, const std::vector<float>& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
    return static_cast<float>(std::sqrt(s));
}

float iou(const std::array<float, 4>& a, const std::array<float, 4>& b) {
    const float ix = std::max(0.f, std::min(a[0] + a[2], b[0] + b[2]) - std::max(a[0], b[0]));
    const float iy = std::max(0.f, std::min(a[1] + a[3], b[1] + b[3]) - std::max(a[1], b[1]));
    const float inter = ix * iy, uni = a[2] * a[3] + b[2] * b[3] - inter;
    return uni > 0 ? inter / uni : 0.f;
}

void normalize(std::vector<float>& v) {
    double s = 0;
    for (float x : v) s += x * x;
    if (s <= 0) return;
    const float inv = static_cast<float>(1.0 / std::sqrt(s));
    for (float& x : v) x *= inv;
}

// Links faces of consecutive sampled frames into tracks (greedy, best match first), then
// summarises each track: normalised mean embeddings, mean age and gender.
}  // namespace

std::vector<catalog::TrackRecord> build_tracks(std::vector<catalog::FaceRecord>& faces,
                                               const TrackOptions& o) {
    std::vector<catalog::TrackRecord> tracks;
    struct Open {
        int track;
        std::size_t last_face;
        int last_frame;
    };
    std::vector<Open> open;
    int next = 0;
    std::map<int, std::vector<std::size_t>> frames;
    for (std::size_t i = 0; i < faces.size(); ++i) frames[*faces[i].frame_index].push_back(i);
    for (const auto& [frame, ids] : frames) {
        std::vector<std::tuple<float, std::size_t, std::size_t>> cand;  // cost, open idx, face
        for (std::size_t a = 0; a < open.size(); ++a) {
            if (frame - open[a].last_frame > 3 * o.frame_step) continue;
            const auto& prev = faces[open[a].last_face];
            for (std::size_t f : ids) {
                const float dist = l2(prev.embedding_dlib, faces[f].embedding_dlib);
                const float ov = iou(prev.box, faces[f].box);
                if (dist < o.max_distance || (ov > o.min_iou && dist < 1.5f * o.max_distance))
                    cand.emplace_back(dist - ov, a, f);
            }
        }
        std::sort(cand.begin(), cand.end());
        std::set<std::size_t> used_open, used_face;
        for (const auto& [c, a, f] : cand) {
            if (used_open.count(a) || used_face.count(f)) continue;
            used_open.insert(a);
            used_face.insert(f);
            faces[f].track_index = open[a].track;
            open[a].last_face = f;
            open[a].last_frame = frame;
        }
        for (std::size_t f : ids)
            if (!used_face.count(f)) {
                faces[f].track_index = next;
                open.push_back({next++, f, frame});
            }
    }
    tracks.assign(static_cast<std::size_t>(next), catalog::TrackRecord{});
    for (const auto& f : faces) {
        auto& t = tracks[static_cast<std::size_t>(*f.track_index)];
        if (t.embedding_dlib.empty()) t.embedding_dlib.assign(f.embedding_dlib.size(), 0.f);
        if (t.embedding_faceres.empty())
            t.embedding_faceres.assign(f.embedding_faceres.size(), 0.f);
        for (std::size_t k = 0; k < f.embedding_dlib.size(); ++k)
            t.embedding_dlib[k] += f.embedding_dlib[k];
        for (std::size_t k = 0; k < f.embedding_faceres.size(); ++k)
            t.embedding_faceres[k] += f.embedding_faceres[k];
        t.age += f.age_faceres;
        t.male_prob += f.male_prob_faceres;
        ++t.frames;
    }
    for (auto& t : tracks) {
        // dlib embeddings are compared by Euclidean distance: keep the mean's scale.
        for (float& x : t.embedding_dlib) x /= static_cast<float>(t.frames);
        normalize(t.embedding_faceres);
        t.age /= static_cast<float>(t.frames);
        t.male_prob /= static_cast<float>(t.frames);
    }
    return tracks;
}

}  // namespace faceatlas::pipeline
