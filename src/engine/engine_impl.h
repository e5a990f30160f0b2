// What the Engine's verbs share: the model pools and the borrowing of the
// models one recognition request needs.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine/model_pool.h"
#include "facekit/engine.h"
#include "facekit/fusion.h"
#include "facekit/gallery.h"

namespace facekit {

// The models of one recognition request, borrowed for one call (or one
// enrollment worker's life).
struct RecognitionModels {
  ModelPool<Recognizer>::Lease recognizer;
  std::optional<ModelPool<Detector>::Lease> detector;  // none with no_detect
  ModelPool<Landmarker>::Lease landmarker;
  Metric metric = Metric::kCosine;
  std::string detector_name;  // "none" with no_detect
  bool whole_image_fallback = false;  // if_no_face == "whole-image"
  FaceChoice face = FaceChoice::kCenter;  // the request's face (--face)
};

// The faces of `image` with their embeddings; with `one_face`, only the face
// models.face chooses. Throws Error naming the image.
std::vector<FaceEmbedding> embed_with(RecognitionModels& models, const NamedImage& image, bool one_face);

// The threshold a decision uses (the user's, else the calibration's for the
// user's FAR, else the calibrated one), the calibration it came from, and
// where it came from ("user", or the calibration's source with ", FAR <key>").
// Throws Error naming the (model, metric) when none is known, and for
// --threshold with --far or a FAR the calibration cannot give
// (threshold_for_far).
struct Decision {
  double threshold = 0;
  Calibration calibration;
  std::string source;
};
Decision decide(const Recognizer& recognizer, Metric metric, const std::optional<double>& user_threshold,
                const std::optional<double>& far);

// An opened gallery and the identifier over one model's vectors. identify()
// and the thumbnail reads go through `mutex` (a Gallery is one connection).
struct Finder {
  std::string db;
  std::string model;
  Decision decision;
  Metric metric = Metric::kCosine;
  std::unique_ptr<Gallery> gallery;
  std::vector<StoredVector> vectors;  // a fused model's: its first member's (thumbnails)
  std::optional<Identifier> identifier;
  // A fused model's card and one identifier per member over that member's
  // vectors (card order); identifier is then empty.
  std::optional<FusionCard> fusion;
  std::vector<Identifier> member_identifiers;
  std::mutex mutex;
};

// The models of a fused request (fusion.h): one RecognitionModels per
// member, in the card's order; the first member's detector finds the faces.
struct FusedModels {
  FusionCard card;
  std::vector<RecognitionRequest> requests;
  std::vector<RecognitionModels> members;
};

// A face of a fused request: one embedding per member (card order).
struct FusedFace {
  Face face;
  bool face_found = true;
  std::vector<std::vector<float>> embeddings;
  cv::Mat crop;  // the first member's aligned crop
};

// The faces of `image` (one detection) embedded by every member. Throws
// Error naming the image.
std::vector<FusedFace> embed_fused(FusedModels& models, const NamedImage& image, bool one_face);

// The fused distance threshold: the user's (checked within [0, 1]), else
// 1 − the card's probability threshold. Throws Error for a --far target: a
// fusion card has no false-accept table.
double fused_threshold(const FusionCard& card, const std::optional<double>& user_threshold,
                       const std::optional<double>& far);

// Each member's distance between two fused faces (card order).
std::vector<double> member_distances(const FusionCard& card, const FusedFace& a, const FusedFace& b);

struct EngineImpl {
  EngineOptions options;

  std::mutex pools_mutex;  // guards the maps, not the pools (each has its own lock)
  std::map<std::string, std::unique_ptr<ModelPool<Detector>>> detectors;
  std::map<std::string, std::unique_ptr<ModelPool<Landmarker>>> landmarkers;
  std::map<std::string, std::unique_ptr<ModelPool<Recognizer>>> recognizers;
  std::map<std::string, std::unique_ptr<ModelPool<Analyzer>>> analyzers;

  std::mutex finders_mutex;  // guards `finders`; held while one is opened
  std::map<std::string, std::shared_ptr<Finder>> finders;
  std::atomic<int64_t> finders_built{0}, finders_updated_in_place{0}, finders_updated_by_rebuild{0};

  // The models of `request`, each made with `threads` threads (0: all cores).
  RecognitionModels borrow(const RecognitionRequest& request, int threads);
  // The same for a fused request (Engine::fused_request's members).
  FusedModels borrow_fused(const RecognitionRequest& request, int threads);
  ModelPool<Detector>::Lease borrow_detector(const std::string& name, const DetectOptions& options);
  ModelPool<Analyzer>::Lease borrow_analyzer(const AnalyzeOptions& options, const std::string& actions);
  // The 68-point landmarker `name`, shared with the recognition verbs' pool.
  ModelPool<Landmarker>::Lease borrow_landmarker(const std::string& name, int threads);

  std::shared_ptr<Finder> finder(const FindRequest& request, const Listener& listener);
  // A fused model's finder (finder() calls it with finders_mutex held).
  std::shared_ptr<Finder> fused_finder(const FindRequest& request, const Listener& listener);
  // Opens the request's gallery into `finder` (a people folder: each member
  // request's vectors enrolled in memory).
  void open_gallery(Finder& finder, const FindRequest& request, const std::vector<RecognitionRequest>& members,
                    const Listener& listener);
  void forget_finders(const std::string& db);
  void update_finders(const std::string& db, std::span<const int64_t> vector_ids);
};

// Engine::verify for a fused model.
VerifyResult verify_fused(EngineImpl& engine, const NamedImage& a, const NamedImage& b, const VerifyRequest& request);

// The enrollment of `folder` into `gallery` (Engine::enroll; find on a people
// folder): counts in `result`, notes and progress to `listener`.
void enroll_folder(EngineImpl& engine, Gallery& gallery, const RecognitionRequest& request, int threads,
                   const std::string& folder, int batch, int jobs, const Listener& listener, EnrollResult& result);

// `value` in a cache key: every digit, so that two values never share a key.
std::string key_number(double value);

// The listener's note, when it has one.
void note(const Listener& listener, const std::string& line);

}  // namespace facekit
