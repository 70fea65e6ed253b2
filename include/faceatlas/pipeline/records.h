// Building records, the pipeline's fifth stage: what the analyzer found in one image becomes the
// catalog's FaceRecord (thumbnail, blur, birth year), and the faces of a video's sampled frames
// are linked into tracks.
#pragma once

#include <vector>

#include "faceatlas/catalog/catalog.h"
#include "faceatlas/pipeline/media.h"
#include "faceatlas/vision/analyzer.h"

namespace faceatlas::pipeline {

struct RecordOptions {
    int thumbnail_size = 160;    // side of the stored JPEG thumbnail; [16, 1024]
    int thumbnail_quality = 85;  // its JPEG quality; [1, 100]
    void validate() const;
};

// ensures: box, landmarks, attributes and embeddings of `face`; birth year = capture year minus
//          the faceres age when the date is known; blur (variance of the Laplacian) and a JPEG
//          thumbnail of the aligned dlib chip when the analyzer kept it.
catalog::FaceRecord make_face_record(const vision::FaceResult& face, const CaptureDate& date,
                                     const RecordOptions& options);

struct TrackOptions {
    int frame_step = 5;         // the video's sampling step (a track may skip 3 sampled frames)
    float max_distance = 0.6f;  // dlib distance for a face to continue a track
    float min_iou = 0.2f;       // box overlap alternative (with up to 1.5x the distance)
};

// requires: every face has a frame_index.
// ensures: faces of consecutive sampled frames are linked greedily (best match first); every
//          face gets a track_index into the returned tracks, each the normalised mean faceres
//          embedding, mean dlib embedding (Euclidean scale kept), mean age and gender.
std::vector<catalog::TrackRecord> build_tracks(std::vector<catalog::FaceRecord>& faces,
                                               const TrackOptions& options);

}  // namespace faceatlas::pipeline
