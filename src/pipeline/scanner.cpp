#include "faceatlas/pipeline/scanner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <opencv2/core/utility.hpp>
#include <optional>
#include <set>
#include <thread>

#include "faceatlas/core/csv.h"
#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/attribute_apply.h"
#include "faceatlas/pipeline/decode.h"
#include "faceatlas/pipeline/media.h"
#include "faceatlas/pipeline/records.h"
#include "faceatlas/vision/model_set.h"

namespace fs = std::filesystem;

namespace faceatlas::pipeline {

void ScanOptions::validate() const {
    auto bad = [](const std::string& m) {
        throw Error(ErrorCode::kInvalidArgument, m, "ScanOptions");
    };
    if (threads < 0) bad("threads must be >= 0 (0 = all cores)");
    if (video_frame_step < 1) bad("video_frame_step must be >= 1");
    if (max_video_frames < 0) bad("max_video_frames must be >= 0");
    if (thumbnail_size < 16 || thumbnail_size > 1024) bad("thumbnail_size must be in [16, 1024]");
    if (thumbnail_quality < 1 || thumbnail_quality > 100)
        bad("thumbnail_quality must be in [1, 100]");
    if (!(track_max_distance > 0)) bad("track_max_distance must be > 0");
    analyze.validate();
}

std::vector<CropEntry> read_crops_manifest(const fs::path& csv) {
    const auto t = read_csv(csv);
    const auto fc = t.require_column("file");
    const auto pc = t.column("photo");
    const auto dc = t.column("date");
    std::vector<CropEntry> out;
    for (const auto& r : t.rows) {
        CropEntry e;
        e.file = fs::path(r[fc]);
        if (e.file.is_relative()) {
            // Beside the CSV; the labelled data sets keep their crops in images/ next to it.
            const auto beside = csv.parent_path() / e.file,
                       in_images = csv.parent_path() / "images" / e.file;
            e.file = !fs::exists(beside) && fs::exists(in_images) ? in_images : beside;
        }
        if (pc) e.photo = r[*pc];
        if (dc) e.date = r[*dc];
        out.push_back(std::move(e));
    }
    return out;
}

namespace {

struct Job {
    MediaFile file;
    std::string hash;
    CaptureDate date;
    std::optional<std::string> group;
    std::optional<std::int64_t> existing_id;
};

struct Done {
    catalog::PhotoRecord photo;
    std::vector<catalog::FaceRecord> faces;
    std::vector<catalog::TrackRecord> tracks;
    bool skipped = false;
    std::size_t attribute_skipped = 0;  // faces the attribute model found no features for
};

// A skip reason: the error's message and what to do about it, without the file name (the
// record names the file), so that files skipped for one cause share one reason.
std::string reason_of(const Error& e) {
    return e.hint().empty() ? e.message() : e.message() + "; " + e.hint();
}

class Worker {
  public:
    // Builds this thread's sessions from the shared, already parsed weights.
    Worker(const vision::ModelSet& set, const nn::ModelManifest& models, const ScanOptions& o)
        : analyzer_(vision::Analyzer::create(set)), o_(o) {
        if (o.attribute_model) attributes_.emplace(*o.attribute_model, &models, &set);
        records_.thumbnail_size = o.thumbnail_size;
        records_.thumbnail_quality = o.thumbnail_quality;
    }

    Done run(const Job& job) {
        Done d;
        auto& p = d.photo;
        p.path = job.file.path.string();
        p.content_hash = job.hash;
        p.size = job.file.size;
        p.mtime = job.file.mtime;
        p.kind = is_video(job.file.type) ? catalog::MediaKind::kVideo : catalog::MediaKind::kImage;
        p.taken_at = job.date.iso;
        p.date_source = job.date.source;
        p.group = job.group;
        if (job.existing_id) p.id = *job.existing_id;
        try {
            if (is_video(job.file.type))
                run_video(job, d);
            else
                run_image(job, d);
        } catch (const Error& e) {
            skip(d, e.what());
        } catch (const cv::Exception& e) {
            skip(d, std::string("processing failed: ") + e.err);
        } catch (const std::bad_alloc&) {
            skip(d, "out of memory while processing");
        } catch (const std::exception& e) {
            // Anything else must not escape the worker thread (std::terminate): skip this file.
            skip(d, std::string("processing failed: ") + e.what());
        }
        return d;
    }

  private:
    static void skip(Done& d, const std::string& reason) {
        d.skipped = true;
        d.photo.status = catalog::MediaStatus::kSkipped;
        d.photo.skip_reason = reason;
        d.faces.clear();
        d.tracks.clear();
    }

    // Analyze -> records -> attributes, for one decoded image or video frame.
    void analyze(const Job& job, const cv::Mat& rgb, bool crops, std::optional<int> frame,
                 Done& d) {
        auto opts = o_.analyze;
        opts.crops = crops;
        const std::size_t first = d.faces.size();
        for (const auto& f : analyzer_.analyze_image(rgb, opts)) {
            auto r = make_face_record(f, job.date, records_);
            r.frame_index = frame;
            d.faces.push_back(std::move(r));
        }
        if (!attributes_ || d.faces.size() == first) return;
        // The attribute model sees the pixels already in memory: no second decode.
        std::vector<const catalog::FaceRecord*> faces;
        for (std::size_t i = first; i < d.faces.size(); ++i) faces.push_back(&d.faces[i]);
        auto labels = attributes_->label(faces, rgb);
        for (std::size_t i = 0; i < faces.size(); ++i) {
            if (labels[i].empty()) ++d.attribute_skipped;
            d.faces[first + i].attributes = std::move(labels[i]);
        }
    }

    void run_image(const Job& job, Done& d) {
        cv::Mat rgb;
        try {
            rgb = decode_still(job.file.path, job.file.type);
        } catch (const Error& e) {
            return skip(d, reason_of(e));  // no file name: the record names the file
        }
        d.photo.width = rgb.cols;
        d.photo.height = rgb.rows;
        analyze(job, rgb, o_.crops, std::nullopt, d);
    }

    void run_video(const Job& job, Done& d) {
        std::optional<VideoFrames> opened;
        try {
            opened.emplace(job.file.path, o_.video_frame_step);
        } catch (const Error& e) {
            return skip(d, reason_of(e));
        }
        auto& video = *opened;
        d.photo.width = video.width();
        d.photo.height = video.height();
        cv::Mat rgb;
        int index = 0, sampled = 0;
        while (video.next(index, rgb)) {
            ++sampled;
            analyze(job, rgb, /*crops=*/false, index, d);
            if (o_.max_video_frames > 0 && sampled >= o_.max_video_frames) break;
        }
        if (sampled == 0) return skip(d, "video has no decodable frames");
        if (!d.faces.empty())
            d.tracks = build_tracks(d.faces, TrackOptions{o_.video_frame_step,
                                                          o_.track_max_distance, o_.track_min_iou});
    }

    vision::Analyzer analyzer_;
    const ScanOptions& o_;
    RecordOptions records_;
    std::optional<AttributeRunner> attributes_;
};

// Runs jobs on worker threads; results are handed to `store` on the calling thread, in
// completion order, so the catalog is written by one thread only.
// `set` is parsed from `models` on first use (a scan with nothing to analyze parses nothing).
void run_pool(const std::vector<Job>& jobs, const nn::ModelManifest& models,
              std::shared_ptr<const vision::ModelSet>& set, const ScanOptions& o,
              const std::function<bool(const Job&, Done&&)>& store) {
    if (jobs.empty()) return;
    int threads = o.threads > 0
                      ? o.threads
                      : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    threads = std::min<int>(threads, static_cast<int>(jobs.size()));
    // The weights are parsed once; the set is const and shared by every worker.
    if (!set)
        set =
            std::make_shared<const vision::ModelSet>(models, vision::ModelSet::analyzer_networks());
    // One OpenCV thread per worker: parallel workers already fill the cores.
    const int cv_threads = cv::getNumThreads();
    if (threads > 1) cv::setNumThreads(1);

    // Finished results wait for the storer in a bounded queue: when the catalog is slower than
    // analysis (slow disk, fsync), workers pause instead of piling up faces and thumbnails.
    // The storer pops until every worker has left, so a waiting worker always wakes.
    const std::size_t max_finished = 2 * static_cast<std::size_t>(threads);
    std::mutex mu;
    std::condition_variable cv_done, cv_room;
    std::size_t next = 0;
    int active = threads;
    bool stop = false;
    std::deque<std::pair<std::size_t, Done>> finished;
    std::exception_ptr failure;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&]() {
            std::optional<Worker> w;
            try {
                w.emplace(*set, models, o);
            } catch (...) {
                std::lock_guard<std::mutex> lk(mu);
                if (!failure) failure = std::current_exception();
                stop = true;
            }
            while (w) {
                std::size_t i;
                {
                    std::lock_guard<std::mutex> lk(mu);
                    if (stop || next >= jobs.size()) break;
                    i = next++;
                }
                Done d = w->run(jobs[i]);
                std::unique_lock<std::mutex> lk(mu);
                cv_room.wait(lk, [&] { return finished.size() < max_finished; });
                finished.emplace_back(i, std::move(d));
                cv_done.notify_all();
            }
            std::lock_guard<std::mutex> lk(mu);
            --active;
            cv_done.notify_all();
        });
    }
    // The calling thread stores results as they come; stopping lets in-flight photos finish.
    std::exception_ptr store_failure;
    for (;;) {
        std::pair<std::size_t, Done> item;
        {
            std::unique_lock<std::mutex> lk(mu);
            cv_done.wait(lk, [&] { return !finished.empty() || active == 0; });
            if (finished.empty()) break;
            item = std::move(finished.front());
            finished.pop_front();
            cv_room.notify_all();
        }
        if (store_failure) continue;
        bool go_on = true;
        try {
            go_on = store(jobs[item.first], std::move(item.second));
        } catch (...) {
            store_failure = std::current_exception();
            go_on = false;
        }
        if (!go_on) {
            std::lock_guard<std::mutex> lk(mu);
            stop = true;
        }
    }
    for (auto& th : pool) th.join();
    cv::setNumThreads(cv_threads);
    if (store_failure) std::rethrow_exception(store_failure);
    if (failure) std::rethrow_exception(failure);
}

bool under_any(const std::string& path, const std::vector<std::string>& roots) {
    for (const auto& r : roots) {
        if (path == r) return true;
        if (path.size() > r.size() && path.compare(0, r.size(), r) == 0 &&
            (r.back() == '/' || path[r.size()] == '/'))
            return true;
    }
    return false;
}

}  // namespace

Scanner::Scanner(catalog::Catalog& catalog, const nn::ModelManifest& models, ScanOptions options)
    : catalog_(catalog), models_(models), options_(std::move(options)) {
    options_.validate();
}

namespace {

// Shared by scan() and scan_crops(): decides unchanged / moved / process, runs the pool, stores.
ScanSummary execute(catalog::Catalog& catalog, const nn::ModelManifest& models,
                    std::shared_ptr<const vision::ModelSet>& set, const ScanOptions& o,
                    std::vector<Job> candidates, std::vector<SkippedFile> skipped_files,
                    const std::vector<std::string>& roots, const ScanCallback& on_event) {
    const auto t0 = std::chrono::steady_clock::now();
    ScanSummary s;
    s.found = candidates.size() + skipped_files.size();
    const bool had_set = set != nullptr;
    std::size_t done = 0;
    bool cancelled = false;
    auto emit = [&](ScanEvent e) {
        e.done = ++done;
        e.total = s.found;
        if (on_event && !on_event(e)) cancelled = true;
    };

    for (const auto& sk : skipped_files) {
        s.skipped.emplace_back(sk.path.string(), sk.reason);
        // Keep what an earlier run stored: only new paths get a 'skipped' record.
        if (!catalog.find_photo_by_path(sk.path.string())) {
            catalog::PhotoRecord p;
            p.path = sk.path.string();
            p.status = catalog::MediaStatus::kSkipped;
            p.skip_reason = sk.reason;
            catalog.store_photo(p, {});
        }
        emit({ScanEvent::Kind::kSkipped, sk.path, 0, sk.reason});
    }

    std::vector<Job> jobs;
    std::set<std::string> seen;
    for (auto& job : candidates) {
        if (cancelled) break;
        const std::string path = job.file.path.string();
        seen.insert(path);
        auto existing = catalog.find_photo_by_path(path);
        try {
            job.hash = content_hash(job.file.path);
        } catch (const Error& e) {
            s.skipped.emplace_back(path, e.message());
            emit({ScanEvent::Kind::kSkipped, job.file.path, 0, e.message()});
            continue;
        }
        if (existing && !o.rescan && existing->content_hash == job.hash &&
            existing->status != catalog::MediaStatus::kSkipped && existing->group == job.group) {
            if (existing->mtime != job.file.mtime ||
                existing->status == catalog::MediaStatus::kDeleted)
                catalog.update_photo_location(existing->id, path, job.file.mtime);
            ++s.unchanged;
            emit({ScanEvent::Kind::kUnchanged, job.file.path});
            continue;
        }
        if (!existing && !o.rescan) {
            auto same = catalog.find_photo_by_hash(job.hash);
            if (same && same->status != catalog::MediaStatus::kSkipped && !fs::exists(same->path) &&
                same->group == job.group) {
                catalog.update_photo_location(same->id, path, job.file.mtime);
                ++s.moved;
                emit({ScanEvent::Kind::kMoved, job.file.path});
                continue;
            }
        }
        if (existing) job.existing_id = existing->id;
        if (job.date.source.empty()) job.date = read_capture_date(job.file.path, job.file.mtime);
        jobs.push_back(std::move(job));
    }

    if (!cancelled) {
        run_pool(jobs, models, set, o, [&](const Job& job, Done&& d) {
            if (d.skipped) {
                s.skipped.emplace_back(d.photo.path, d.photo.skip_reason);
                // Never replace faces an earlier run stored with a skipped record.
                auto existing = catalog.find_photo_by_path(d.photo.path);
                if (!existing || existing->status == catalog::MediaStatus::kSkipped)
                    catalog.store_photo(d.photo, {});
                emit({ScanEvent::Kind::kSkipped, job.file.path, 0, d.photo.skip_reason});
            } else {
                catalog.store_photo(d.photo, d.faces, d.tracks);
                if (o.attribute_model) {
                    s.attribute_skipped += d.attribute_skipped;
                    s.attribute_faces += d.faces.size() - d.attribute_skipped;
                }
                (d.photo.kind == catalog::MediaKind::kVideo ? s.videos : s.photos) += 1;
                s.faces += d.faces.size();
                emit(
                    {ScanEvent::Kind::kProcessed, job.file.path, static_cast<int>(d.faces.size())});
            }
            return !cancelled;
        });
    }

    if (!cancelled && !roots.empty()) {
        for (const auto& p : catalog.photos()) {
            if (p.status == catalog::MediaStatus::kDeleted || seen.count(p.path) ||
                !under_any(p.path, roots))
                continue;
            std::error_code ec;
            if (fs::exists(p.path, ec)) continue;
            catalog.mark_deleted(p.id);
            ++s.deleted;
            emit({ScanEvent::Kind::kDeleted, p.path});
        }
    }
    s.cancelled = cancelled;
    if (set && !had_set) {  // this run parsed the weights
        s.model_files_parsed = set->files_parsed();
        s.model_parse_seconds = set->parse_seconds();
    }
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return s;
}

}  // namespace

ScanSummary Scanner::scan(const std::vector<fs::path>& roots, const ScanCallback& on_event) {
    // A missing root is a mistyped path or an unmounted drive: reporting it as a skipped file
    // would let the scan mark every photo under it deleted. Fail before touching the catalog.
    for (const auto& r : roots) {
        std::error_code ec;
        if (!fs::exists(r, ec))
            throw Error(ErrorCode::kNotFound, "input not found", r.string(),
                        "check the path (is the drive mounted?); the catalog was not changed");
    }
    auto walked = walk_media(roots);
    std::vector<Job> candidates;
    for (auto& f : walked.files) {
        Job j;
        j.file = std::move(f);
        candidates.push_back(std::move(j));
    }
    std::vector<std::string> root_strings;
    for (const auto& r : roots) {
        std::error_code ec;
        root_strings.push_back(fs::absolute(r, ec).lexically_normal().string());
    }
    return execute(catalog_, models_, model_set_, options_, std::move(candidates),
                   std::move(walked.skipped), root_strings, on_event);
}

ScanSummary Scanner::scan_crops(const std::vector<CropEntry>& crops, const ScanCallback& on_event) {
    auto o = options_;
    o.crops = true;
    std::vector<Job> candidates;
    std::vector<SkippedFile> skipped;
    for (const auto& c : crops) {
        auto walked = walk_media({c.file});
        for (auto& s : walked.skipped) skipped.push_back(std::move(s));
        for (auto& f : walked.files) {
            if (is_video(f.type)) {
                skipped.push_back({f.path, "a video cannot be a face crop"});
                continue;
            }
            Job j;
            j.file = std::move(f);
            if (!c.photo.empty()) j.group = c.photo;
            if (!c.date.empty()) {
                j.date.iso = c.date.size() == 10 ? c.date + "T00:00:00" : c.date;
                j.date.source = "manifest";
            }
            candidates.push_back(std::move(j));
        }
    }
    return execute(catalog_, models_, model_set_, o, std::move(candidates), std::move(skipped), {},
                   on_event);
}

}  // namespace faceatlas::pipeline
