// facekit::Engine — the library's application layer: one object that answers
// detect, represent, verify, analyze, enroll, find and cluster requests, as the
// command line, a server or bindings ask them. Each request is a plain struct
// whose fields mirror the `facekit` verb's flags (the flag is named beside each
// field); each answer is a plain struct, written as JSON by json.h.
//
// Models are loaded lazily, by name, the first time a request needs them, and
// kept for the Engine's life. Model objects are not safe to call from two
// threads at once, so the Engine keeps a pool of instances per model (name and
// options): a call borrows one for its duration and returns it; when every
// instance is busy, the borrowing thread loads another. A lone caller thus
// loads each model once; N threads calling at once hold at most N instances of
// a model, never more than the peak number of concurrent callers. (Chosen over
// one instance behind a mutex, which would run concurrent calls one at a time,
// and over per-thread instances, which would load again on every new thread
// and never give them back.)
//
// Every public member function may be called from any number of threads at
// once. Errors are facekit::Error naming the input and the reason.
//
//   facekit::Engine engine;                        // loads nothing yet
//   const facekit::VerifyResult r = engine.verify(facekit::read_named_image("a.jpg"),
//                                                 facekit::read_named_image("b.jpg"), {});
//   std::cout << facekit::dump(facekit::to_json(r), 1) << "\n";  // json.h: as `facekit verify` prints
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "facekit/analyze.h"
#include "facekit/cluster.h"
#include "facekit/detect.h"
#include "facekit/error.h"
#include "facekit/fusion.h"
#include "facekit/gallery.h"
#include "facekit/identify.h"
#include "facekit/match.h"
#include "facekit/pipeline.h"
#include "facekit/tracker_options.h"

namespace facekit {

// Engine::watch's types (video.h), used here by reference only.
struct TrackEvent;
struct TrackState;
struct VideoFrame;
class VideoSource;

// An image to work on, decoded, and the name its results carry (a path, an
// upload's file name).
struct NamedImage {
  std::string name;
  cv::Mat rgb;  // 8-bit RGB (CV_8UC3)
};

// read_image(path), named by the path. Throws Error naming the file.
NamedImage read_named_image(const std::string& path);

struct EngineOptions {
  int threads = 0;  // --threads: threads of each model call; 0 = all cores. Must not be negative
};

// The recognizer the recognition verbs use unless told otherwise (docs/recognition.md
// says why: the most accurate in facekit's own measurements).
inline constexpr const char* kDefaultRecognizer = "mobilefacenet";

// What the recognition verbs (represent, verify, enroll, find, cluster, eval,
// calibrate) share.
struct RecognitionRequest {
  std::string model = kDefaultRecognizer;  // --model: a recognizer name or a facekit-train .onnx
  std::string metric;                      // --metric: empty = the recognizer card's own
  std::string detector = kDefaultDetector;  // --detector
  std::string landmarker = "faceapi-68";   // --landmarker: for detectors that give no 5 points
  bool no_detect = false;                  // --no-detect: the whole image is the face (a crop)
  // --if-no-face: when no face is found, also on a padded copy, "refuse" (the
  // image gives no face) or "whole-image" (the whole image is the face,
  // flagged face_found = false: deepface's enforce_detection = false). The
  // CLI's verify, represent and eval default to "whole-image", the gallery
  // verbs to "refuse" (docs/recognition.md says why).
  std::string if_no_face = "refuse";
  std::optional<bool> flip = {};           // --flip on|off: flip test-time augmentation; nullopt = the card's
  std::string alignment;                   // --alignment: arcface | dlib | faceapi; empty = the card's crop
  // --face: the face taken where a verb takes one per image (verify without
  // all_pairs, represent with one_face, enroll, eval, calibrate, a service's
  // register): "largest" or "center" (FaceChoice, pipeline.h; README,
  // "Which face" says why the default). find and cluster take every face.
  std::string face = kDefaultFace;
};

// What a verb says of an image in which no face was found, also on a padded copy.
inline constexpr const char* kNoFaceAdvice =
    "no face found, also with a padded border (crop the image wider around the face, or pass --if-no-face whole-image "
    "to use the whole image as the face, flagged face_found: false)";

// The Error for an image in which no face was found, also on a padded copy,
// so that a front-end can answer it apart from other bad input (the
// service's code 28, Python's facekit.NoFaceError) without reading the
// message. The message names the image, as every Error's does. (Declared
// here rather than in error.h, which every file of the library includes.)
class NoFaceError : public Error {
 public:
  using Error::Error;
};

// Throws NoFaceError("IMAGE: " + kNoFaceAdvice) unless `found`.
inline void require_face(bool found, const std::string& image) {
  if (!found) throw NoFaceError(image + ": " + kNoFaceAdvice);
}

struct DetectRequest {
  std::string detector = kDefaultDetector;  // --detector
  float min_face = 20;              // --min-face, pixels (≥ 1)
  float score_threshold = -1;       // --threshold; < 0: the detector's own
  int max_faces = 0;                // --max-faces; 0: all
  std::string executor = "fast";    // --executor: fast | reference
};

struct RepresentRequest {
  RecognitionRequest recognition;
  bool one_face = false;  // --face largest|center: only the face recognition.face takes (default: every face)
};

struct VerifyRequest {
  RecognitionRequest recognition;
  std::optional<double> threshold;  // --threshold: overrides the calibrated one
  std::optional<double> far;        // --far: the calibration's threshold for this false accept rate (threshold_for_far); not with threshold
  bool all_pairs = false;           // --all-pairs: every face of A against every face of B
};

struct AnalyzeRequest {
  std::string actions = "age,gender,emotion,race,spoof";  // --actions
  // --detector: SSD, not kDefaultDetector: face-api's attribute heads were
  // built on SSD's crops, and no other detector was measured for them.
  std::string detector = "ssd";
  std::string executor = "fast";                          // --executor
  bool no_detect = false;                                 // --no-detect: the image is one face
};

struct EnrollRequest {
  std::string folder;  // people/NAME/*.jpg or people/NAME.jpg (people_folder())
  std::string db;      // --db: a SQLite file (created when absent) or a postgresql:// URI
  int batch = 16;      // --batch: photos per transaction (≥ 1)
  int jobs = 0;        // --jobs: photos examined at once; 0 = all cores
  RecognitionRequest recognition;
};

// One image into a gallery (Engine::enroll_image).
struct EnrollImageRequest {
  std::string identity;  // who the image shows (any bytes but NUL; never made a path)
  std::string db;        // as EnrollRequest::db
  // The photo's file, recorded as its provenance: a later image of the same
  // identity under the same file replaces it, as a changed file does in a
  // people folder. Empty: "sha256:<hash of the pixels>", so that images
  // without a file never replace one another.
  std::string file;
  RecognitionRequest recognition;
};

struct FindRequest {
  std::string db;  // --db: a gallery (file or URI), or a people folder enrolled in memory
  int k = 5;                          // -k: candidates per face (≥ 1)
  std::string aggregation = "best";   // --aggregation
  int top_n = 3;                      // --top-n (≥ 1)
  std::string index = "exact";        // --index
  std::string thumbnails;             // --thumbnails: folder for the matched thumbnails; empty: none
  RecognitionRequest recognition;
  std::optional<double> threshold;    // --threshold: empty = the calibrated one
  std::optional<double> far;        // --far: the calibration's threshold for this false accept rate (threshold_for_far); not with threshold
};

struct ClusterRequest {
  std::string folder;  // images directly inside it (list_image_files())
  RecognitionRequest recognition;
  std::optional<double> threshold;  // --threshold: empty = the calibrated one
  std::optional<double> far;        // --far: the calibration's threshold for this false accept rate (threshold_for_far); not with threshold
};

// Where the long verbs (enroll, find on a folder, cluster) say what they do:
// `note` gets one line per input left out and why (no "facekit: " prefix);
// `progress` gets (done, total, item at hand). Either may be empty. They are
// called on the calling thread.
struct Listener {
  std::function<void(const std::string& note)> note;
  std::function<void(size_t done, size_t total, const std::string& item)> progress;
};

struct DetectResult {
  std::string image;
  int width = 0, height = 0;
  std::string detector;
  std::vector<Face> faces;
};

struct RepresentResult {
  std::string image;
  std::string model;
  int dimension = 0;
  bool l2_normalized = false;
  std::string detector;  // "none" with no_detect
  std::vector<FaceEmbedding> faces;
};

struct VerifiedPair {
  size_t a = 0, b = 0;  // face indices in each image
  Verification verification;
};

// One member's distance in a fused decision (fusion.h).
struct MemberDistance {
  std::string model, metric;
  double distance = 0;
};

struct VerifyResult {
  std::string image_a, image_b;
  Face face_a, face_b;           // the pair decided on (the closest)
  bool face_found_a = true, face_found_b = true;  // false: the whole image stood in (if_no_face)
  Verification decision;         // of that pair
  std::string threshold_source;  // "user", or the calibration's source ("card", "user:<file>"), with ", FAR 1e-3" for --far
  std::string metric, model, detector;
  bool all_pairs = false;
  std::vector<VerifiedPair> pairs;  // every pair compared (one unless all_pairs)
  // A fused model's (metric "fusion"): each member's distance for the pair
  // decided on; the decision's distance is 1 − P(same), its probability_same P.
  std::vector<MemberDistance> members;
};

struct AnalyzeResult {
  std::string image;
  int width = 0, height = 0;
  std::string detector;            // "none" with no_detect
  std::vector<std::string> heads;  // the heads that ran
  std::vector<Face> faces;
  std::vector<FaceAnalysis> analyses;  // one per face
};

struct EnrollResult {
  std::string db;     // the gallery's location (password masked)
  std::string model;  // gallery_model(); a fused model's name (its counts: per member)
  int added = 0, replaced = 0, unchanged = 0, duplicates = 0, faceless = 0, unreadable = 0;
  int64_t people = 0, vectors = 0;
  // enroll_image / enroll_photo only: the photo's stored vectors (EnrollReport::vector_ids),
  // and for a duplicate whom the same image is stored for already.
  std::vector<int64_t> vector_ids;
  std::string existing_identity;
};

struct FoundFace {
  Face face;
  Identification identification;
  std::optional<std::string> thumbnail;  // the file written, with FindRequest::thumbnails
};

struct FindResult {
  std::string image;
  std::string model, metric;
  double threshold = 0;
  std::string threshold_source;  // as VerifyResult's
  std::string aggregation;
  std::vector<FoundFace> faces;
};

struct ClusteredFace {
  std::string image;
  cv::Rect2f box;
};

struct ClusterResult {
  std::string folder;
  std::string model, metric;
  double threshold = 0;
  std::string threshold_source;  // as VerifyResult's
  std::vector<ClusteredFace> faces;  // every face found, the input of the clustering
  Clustering clustering;             // indices into `faces`
  int unreadable = 0;                // images left out because they could not be read
};

// The detector `facekit watch` uses unless told otherwise: MTCNN, as the other
// verbs. BlazeFace full range is 5× faster but lost a tilted face of the test
// clips on every frame (README, "Video"), and a face never detected is never
// tracked.
inline constexpr const char* kWatchDetector = kDefaultDetector;
// The recognition defaults with kWatchDetector.
inline RecognitionRequest watch_recognition() {
  RecognitionRequest r;
  r.detector = kWatchDetector;
  return r;
}

// Faces followed through a video (Engine::watch; video.h says how tracks,
// evidence and attributes work).
struct WatchRequest {
  RecognitionRequest recognition = watch_recognition();  // --model, --detector, ...; not a fused model
  std::string db;                    // --db: a gallery (as FindRequest::db); empty: faces tracked, not identified
  std::optional<double> threshold;   // --threshold: as FindRequest's
  std::optional<double> far;         // --far: as FindRequest's
  // --detect-every: detection, embedding, identification and analysis run on
  // every k-th frame (the first included), in [1, 1000]; frames between move
  // the boxes only. 3: measured (README, "Video") to keep 30 fps on one core
  // while the first identification still comes within a few frames.
  int detect_every = 3;
  std::string actions;               // --actions: as AnalyzeRequest's; empty: no analysis
  TrackerOptions tracker;            // --min-iou, --max-age, --decide-confidence (metric and gate: the recognizer's)
};

// Where Engine::watch reports: each event as it happens, and each frame with
// the live tracks after it (for drawing). Either may be empty.
struct WatchListener {
  std::function<void(const TrackEvent& event)> event;
  std::function<void(const VideoFrame& frame, const std::vector<TrackState>& tracks)> frame;
};

struct WatchSummary {
  std::string source;
  int64_t frames = 0, detection_frames = 0;
  int tracks = 0;                    // tracks started
  std::string model, metric, detector;
  double threshold = 0;              // the identification threshold and association gate
  std::string threshold_source;      // as VerifyResult's
  double seconds = 0;                // wall-clock time of the whole watch
};

// A fused model (`--model mobilefacenet+faceapi`, fusion.h) is taken by
// verify, enroll, find and eval/calibrate (through fused_request): one
// detection per image, each member its own crop and vectors; verify and find
// give fused distances (1 − P(same), metric "fusion", threshold 1 − the
// card's unless the user gives one, within [0, 1]); the gallery keeps each
// member's vectors under its own gallery_model(). represent, cluster and
// embed() take one recognizer (Error naming the fused model).
struct EngineImpl;

class Engine {
 public:
  // Loads nothing yet. Throws Error for negative threads.
  explicit Engine(EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Each prepare() checks a request's names and values and loads the models
  // it needs (and, for verify and find, that a threshold is known; for find,
  // opens the gallery), so that a mistake in the request is one error before
  // any image is read. The verbs below do the same on their own.
  void prepare(const DetectRequest& request);
  void prepare(const RepresentRequest& request);
  void prepare(const VerifyRequest& request);
  void prepare(const AnalyzeRequest& request);
  void prepare(const FindRequest& request, const Listener& listener = {});
  void prepare(const ClusterRequest& request);

  // Every face of `image`, best score first, with landmarks and quality.
  DetectResult detect(const NamedImage& image, const DetectRequest& request);

  // Every face (or, with one_face, the one recognition.face takes) with its
  // raw embedding (embed_faces()).
  RepresentResult represent(const NamedImage& image, const RepresentRequest& request);

  // Are the faces of `a` and `b` the same person? The face of each that
  // recognition.face takes (with all_pairs: every pair, the closest decided on). Throws Error naming
  // the image that has no face, or the (model, metric) when no threshold is
  // known and none was given.
  VerifyResult verify(const NamedImage& a, const NamedImage& b, const VerifyRequest& request);

  // Age, gender, emotion, race and liveness of every face (analyze.h).
  AnalyzeResult analyze(const NamedImage& image, const AnalyzeRequest& request);

  // Enrolls a people folder into a gallery, `batch` photos per transaction,
  // `jobs` photos examined at once; the gallery, the notes and the counts do
  // not depend on `jobs`. Incremental by content hash. An unreadable or
  // faceless photo, a duplicate or a stray entry is noted and counted, and the
  // rest go on. Throws Error for an unusable folder or gallery.
  EnrollResult enroll(const EnrollRequest& request, const Listener& listener = {});

  // Enrolls the face request.recognition.face takes of one image under request.identity, in one
  // transaction. The photo's content hash is the SHA-256 of its pixels (not
  // of a file's bytes, as enroll() uses), so storing the same pixels again is
  // counted unchanged (same identity and file) or a duplicate (elsewhere:
  // nothing stored). Throws Error naming the image when no face is found
  // (unless recognition.if_no_face is "whole-image"), or for an unusable
  // gallery or identity.
  EnrollResult enroll_image(const NamedImage& image, const EnrollImageRequest& request);
  // enroll_image's two halves, for a caller that keeps its gallery open (a
  // service). enrollment_of: the photo enroll_image stores (the largest face
  // embedded, its thumbnail, the pixels' hash, the file or "sha256:<hash>");
  // throws as enroll_image does, except for the gallery, which it does not
  // open (request.db is not read). enroll_photo: stores it into `gallery` in
  // one transaction and counts it as enroll_image does (the caller serialises
  // its use of `gallery`, and calls forget_gallery for its location
  // afterwards); throws Error as Gallery::enroll does.
  PhotoEnrollment enrollment_of(const NamedImage& image, const EnrollImageRequest& request);
  static EnrollResult enroll_photo(const PhotoEnrollment& photo, Gallery& gallery);

  // Removes `identity` with all their photos, vectors and thumbnails from the
  // gallery at `db`. Throws Error when the gallery cannot be opened for
  // writing or holds no such person.
  void remove_person(const std::string& db, const std::string& identity);

  // Who each face of `image` is, against the request's gallery (opened once
  // per distinct request and kept; a people folder is enrolled in memory the
  // first time, its notes going to `listener`). Throws Error for a missing or
  // empty gallery, or when no threshold is known.
  FindResult find(const NamedImage& image, const FindRequest& request, const Listener& listener = {});

  // Follows the faces of `source` until it ends: every detect_every-th frame
  // its faces are detected and embedded (and identified against request.db,
  // and analysed for request.actions), and a Tracker (video.h) gets them;
  // the events and frames go to `listener` as they come; at the end every
  // live track ends. Throws Error for bad options (before any frame is
  // read), a fused model, a source that gives no frame or a bad frame
  // (naming the source and the frame).
  WatchSummary watch(VideoSource& source, const WatchRequest& request, const WatchListener& listener = {});
  // Checks a watch request and loads what it needs, as the other prepare()s.
  void prepare(const WatchRequest& request);

  // Groups the faces of the images in a folder by person. An unreadable or
  // faceless image is noted (and counted in `unreadable` when unreadable).
  ClusterResult cluster(const ClusterRequest& request, const Listener& listener = {});

  // The faces of an image with their embeddings, as represent() computes them
  // (for callers that need the vectors only, such as eval); with `one_face`,
  // only the face request.face takes.
  std::vector<FaceEmbedding> embed(const NamedImage& image, const RecognitionRequest& request, bool one_face);

  // The metric a recognition request uses (its own, else its recognizer's).
  Metric metric_of(const RecognitionRequest& request);
  // The card of the recognizer a recognition request names (loading it).
  RecognizerCard card_of(const RecognitionRequest& request);
  // The gallery key (gallery_model()) of the vectors a recognition request
  // makes (loading its recognizer).
  std::string gallery_model_of(const RecognitionRequest& request);

  // The models loaded so far, as "detector:NAME", "landmarker:NAME",
  // "recognizer:NAME" and "analyzer:ACTIONS", sorted, each once.
  std::vector<std::string> loaded_models();

  // Forgets what find() keeps of gallery `db` (its opened connection and
  // search structure), so that the next find() sees a write made to it
  // elsewhere (e.g. through a Gallery of the caller's own).
  void forget_gallery(const std::string& db);
  // Brings what find() keeps of gallery `db` up to date with changes made
  // to it elsewhere: vectors `vector_ids` (StoredVector::id) added,
  // removed or changed (GalleryChanges). Each one's state is read from the
  // gallery and the search structure updated in place
  // (Identifier::update); searches meanwhile wait and see all of it or none.
  // What cannot be updated so (a fused model's, a people folder's, one
  // whose gallery cannot be read now) is forgotten, as forget_gallery does.
  // Never throws.
  void update_gallery(const std::string& db, std::span<const int64_t> vector_ids);
  // How find()'s search structures came about since this Engine was made:
  // built over a whole gallery (at a first search, or after being
  // forgotten), or updated by update_gallery in place or by rebuilding its
  // indexes from the vectors it held (Identifier::update returned false).
  struct IndexCounts {
    int64_t built = 0, updated_in_place = 0, updated_by_rebuild = 0;
  };
  IndexCounts index_counts() const;

  // Everything the one-face embeddings of a recognition request depend
  // on, as one line (eval::EmbeddingCache's configuration): gallery_model(),
  // the model file and the face-finding settings.
  std::string embedding_configuration(const RecognitionRequest& request);

  // A fused model's card (fusion_card()) and its member requests: each
  // member's model with the card's metric and flip, the request's other
  // settings. Throws Error as fusion_card() does, and when the request sets
  // --metric, --flip or --alignment, which a fusion fixes per member.
  struct FusedRequest {
    FusionCard card;
    std::vector<RecognitionRequest> members;
  };
  static FusedRequest fused_request(const RecognitionRequest& request);
  // The same for a fusion yet to be fitted (`facekit calibrate --model a+b`):
  // each member with its own card's metric and flip, the weights zero.
  // Throws Error as fusion_members() does and for the flags above.
  FusedRequest unfitted_fusion(const RecognitionRequest& request);

  // The threshold verify, find and cluster would decide with for `request`
  // and the user's --threshold / --far, and where it comes from (as
  // VerifyResult::threshold_source). Throws Error as verify does when none is
  // known, for both flags at once, or for a FAR the calibration cannot give.
  struct ThresholdChoice {
    double threshold = 0;
    std::string source;
  };
  ThresholdChoice threshold_of(const RecognitionRequest& request, const std::optional<double>& threshold,
                               const std::optional<double>& far);

 private:
  std::unique_ptr<EngineImpl> impl_;
};

// The calibration of a recognizer's (model, metric): load_calibration's, else
// the threshold in the recognizer's own card (source "card": a model exported
// by facekit-train carries its thresholds in its file).
Calibration recognizer_calibration(const Recognizer& recognizer, Metric metric);

// The gallery key of the vectors a recognition request makes: the
// recognizer's name, "@<alignment>" with another crop than the card's and
// "+flip" with flip test-time augmentation (the request's, else the card's:
// their vectors differ).
std::string gallery_model(const RecognitionRequest& request, const Recognizer& recognizer);

// The image files directly inside `folder`, sorted by name (not recursive).
// Each other entry is passed to `skipped` with the reason. Throws Error naming
// the folder when it cannot be listed.
std::vector<std::string> list_image_files(const std::filesystem::path& folder,
                                          const std::function<void(const std::string& note)>& skipped);

// The images command-line inputs name: files as given (reading them reports
// what is wrong, if anything), folders expanded by list_image_files. Skipped
// folder entries go to `skipped`; a folder that cannot be listed or holds no
// image goes to `failed` (the reason, naming it), and the rest go on.
std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs,
                                       const std::function<void(const std::string& note)>& skipped,
                                       const std::function<void(const std::string& error)>& failed);

struct LabelledPhoto {
  std::string identity;
  std::filesystem::path file;
};

// The photos under `root`, sorted by identity then file: each subfolder is a
// person (named exactly as the folder) holding their photos (not searched
// further down); an image directly in `root` is the person its file name
// without the extension names. Every other entry goes to `skipped` with the
// reason. Throws Error naming `root` when it is not a readable folder.
std::vector<LabelledPhoto> people_folder(const std::filesystem::path& root,
                                         const std::function<void(const std::string& note)>& skipped);

}  // namespace facekit
