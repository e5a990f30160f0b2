// facekit::Engine (include/facekit/engine.h) on face-api's sample photos
// gives exactly what the library's own calls give: the same faces, the same
// embeddings bit for bit, the same decisions, analyses, identities and
// clusters; a model is loaded once and reused; bad requests are one Error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "facekit/cluster.h"
#include "facekit/engine.h"
#include "facekit/error.h"
#include "facekit/gallery.h"
#include "facekit/identify.h"
#include "facekit/image.h"
#include "temp_dir.h"
#include "testing.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;

class EngineResultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"faceapi-samples", "mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet", "faceapi-landmark68", "mobilefacenet-tflite"})
      if (!testing::zoo_model(id)) GTEST_SKIP() << "model " << id << " not installed: run `facekit models install`";
    samples_ = testing::zoo_model("faceapi-samples")->parent_path();
  }

  NamedImage sample(int n) const { return read_named_image((samples_ / ("sample" + std::to_string(n) + ".jpg")).string()); }

  // The library's own recognition models, as the engine makes them (one thread).
  struct Models {
    std::unique_ptr<Detector> detector = make_detector(kDefaultDetector, {.threads = 1});
    std::unique_ptr<Landmarker> landmarker = make_landmarker("faceapi-68", {.threads = 1});
    std::unique_ptr<Recognizer> recognizer = make_recognizer("mobilefacenet", {.threads = 1});
    // Every face, or only the one the engine's default --face takes.
    std::vector<FaceEmbedding> embed(const cv::Mat& rgb, bool one_face) {
      EmbedFacesOptions o;
      if (one_face) o.one_face = parse_face_choice(kDefaultFace);
      return embed_faces(rgb, detector.get(), *recognizer, landmarker.get(), o);
    }
  };

  fs::path samples_;
  Engine engine_{{.threads = 1}};
};

TEST_F(EngineResultsTest, DetectGivesTheDetectorsFaces) {
  const NamedImage image = sample(1);
  const DetectResult r = engine_.detect(image, {});
  const auto want = make_detector(kDefaultDetector, {.threads = 1})->detect(image.rgb);
  EXPECT_EQ(r.image, image.name);
  EXPECT_EQ(r.width, image.rgb.cols);
  EXPECT_EQ(r.height, image.rgb.rows);
  EXPECT_EQ(r.detector, kDefaultDetector);
  ASSERT_EQ(r.faces.size(), want.size());
  ASSERT_GE(r.faces.size(), 3u);  // tests/data/faces-labelled.json: 3 to 5 faces
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(r.faces[i].box, want[i].box);
    EXPECT_EQ(r.faces[i].score, want[i].score);
    EXPECT_EQ(r.faces[i].landmarks, want[i].landmarks);
  }
  DetectRequest at_most_two;
  at_most_two.max_faces = 2;
  EXPECT_EQ(engine_.detect(image, at_most_two).faces.size(), 2u);
}

TEST_F(EngineResultsTest, RepresentGivesThePipelinesEmbeddings) {
  Models models;
  for (int n : {1, 3}) {
    const NamedImage image = sample(n);
    const RepresentResult r = engine_.represent(image, {});
    const auto want = models.embed(image.rgb, false);
    EXPECT_EQ(r.model, "mobilefacenet");
    EXPECT_EQ(r.dimension, models.recognizer->dimension());
    EXPECT_EQ(r.detector, kDefaultDetector);
    ASSERT_EQ(r.faces.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(r.faces[i].face.box, want[i].face.box);
      EXPECT_EQ(r.faces[i].embedding, want[i].embedding) << "sample" << n << " face " << i;
    }
  }
}

TEST_F(EngineResultsTest, VerifyDecidesOnTheDefaultFacesWithTheCalibratedThreshold) {
  Models models;
  const NamedImage a = sample(1), b = sample(2);
  const VerifyResult r = engine_.verify(a, b, {});
  const auto fa = models.embed(a.rgb, true), fb = models.embed(b.rgb, true);
  ASSERT_EQ(fa.size(), 1u);
  ASSERT_EQ(fb.size(), 1u);
  const Metric metric = parse_metric(models.recognizer->card().metric);
  const Calibration calibration = recognizer_calibration(*models.recognizer, metric);
  ASSERT_TRUE(calibration.threshold.has_value());
  const Verification want = verify(fa[0].embedding, fb[0].embedding, metric, std::nullopt, calibration);
  EXPECT_EQ(r.decision.distance, want.distance);
  EXPECT_EQ(r.decision.threshold, *calibration.threshold);
  EXPECT_EQ(r.decision.verified, want.verified);
  EXPECT_EQ(r.threshold_source, calibration.source);
  EXPECT_EQ(r.face_a.box, fa[0].face.box);
  EXPECT_EQ(r.face_b.box, fb[0].face.box);
  EXPECT_EQ(r.metric, metric_name(metric));
  ASSERT_EQ(r.pairs.size(), 1u);

  // The same photo against itself: the same person, distance 0.
  EXPECT_TRUE(engine_.verify(a, a, {}).decision.verified);

  // Every pair: the decision is on the closest one, and a user threshold wins.
  VerifyRequest all;
  all.all_pairs = true;
  all.threshold = 0.25;
  const VerifyResult every = engine_.verify(a, b, all);
  const auto ea = models.embed(a.rgb, false), eb = models.embed(b.rgb, false);
  ASSERT_EQ(every.pairs.size(), ea.size() * eb.size());
  double closest = 1e9;
  for (const auto& x : ea)
    for (const auto& y : eb) closest = std::min(closest, distance(x.embedding, y.embedding, metric));
  EXPECT_EQ(every.decision.distance, closest);
  EXPECT_EQ(every.decision.threshold, 0.25);
  EXPECT_EQ(every.threshold_source, "user");
}

TEST_F(EngineResultsTest, AVerifyWithoutAFaceNamesTheImage) {
  NamedImage grey{"grey.png", cv::Mat(96, 96, CV_8UC3, cv::Scalar(128, 128, 128))};
  try {
    engine_.verify(sample(1), grey, {});
    FAIL() << "a faceless image was verified";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("grey.png: no face found"), std::string::npos) << e.what();
  }
}

TEST_F(EngineResultsTest, AnalyzeGivesTheAnalyzersResults) {
  if (!testing::zoo_model("faceapi-age-gender")) GTEST_SKIP() << "faceapi-age-gender not installed";
  const NamedImage image = sample(4);
  AnalyzeRequest request;
  request.actions = "age,gender";
  const AnalyzeResult r = engine_.analyze(image, request);
  AnalyzeOptions options;
  options.actions = parse_actions("age,gender");
  Analyzer analyzer(options);
  auto faces = make_detector("ssd", {.threads = 1})->detect(image.rgb);  // analyze keeps SSD
  // face-api's heads follow its chain with landmarks: face-api's 68 points first.
  const auto landmarker = make_landmarker("faceapi-68", {.threads = 1});
  for (Face& face : faces) landmarker->locate(image.rgb, face);
  const auto want = analyzer.analyze(image.rgb, faces);
  EXPECT_EQ(r.heads, analyzer.heads());
  ASSERT_EQ(r.analyses.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(r.analyses[i].age.has_value(), want[i].age.has_value());
    if (want[i].age) {
      EXPECT_EQ(r.analyses[i].age->years, want[i].age->years);
    }
    EXPECT_EQ(r.analyses[i].gender, want[i].gender);
    EXPECT_EQ(r.analyses[i].gender_probability, want[i].gender_probability);
  }
  // --no-detect: the whole image is the one face.
  request.no_detect = true;
  const AnalyzeResult whole = engine_.analyze(image, request);
  EXPECT_EQ(whole.detector, "none");
  ASSERT_EQ(whole.faces.size(), 1u);
  EXPECT_EQ(whole.faces[0].box, cv::Rect2f(0, 0, image.rgb.cols, image.rgb.rows));
}

TEST_F(EngineResultsTest, EnrollThenFindNamesEachPersonAsTheIdentifierDoes) {
  const testing::TempDir dir("engine_find");
  const fs::path people = dir.path / "people";
  for (int n : {1, 2, 3}) {
    fs::create_directories(people / ("P" + std::to_string(n)));
    fs::copy_file(samples_ / ("sample" + std::to_string(n) + ".jpg"), people / ("P" + std::to_string(n)) / "a.jpg");
  }
  std::vector<std::string> notes;
  Listener listener{.note = [&](const std::string& line) { notes.push_back(line); }, .progress = {}};
  EnrollRequest enroll;
  enroll.folder = people.string();
  enroll.db = (dir.path / "people.db").string();
  enroll.jobs = 2;
  const EnrollResult enrolled = engine_.enroll(enroll, listener);
  EXPECT_EQ(enrolled.added, 3);
  EXPECT_EQ(enrolled.people, 3);
  EXPECT_EQ(enrolled.vectors, 3);
  EXPECT_EQ(enrolled.model, "mobilefacenet");
  EXPECT_TRUE(notes.empty());
  EXPECT_EQ(engine_.enroll(enroll).unchanged, 3) << "a rerun is incremental";

  FindRequest find;
  find.db = enroll.db;
  Models models;
  const Metric metric = parse_metric(models.recognizer->card().metric);
  const Gallery gallery(enroll.db);
  IdentifyOptions options;
  options.metric = metric;
  options.threshold = *recognizer_calibration(*models.recognizer, metric).threshold;
  options.logistic = recognizer_calibration(*models.recognizer, metric).logistic;
  const Identifier identifier(gallery.vectors("mobilefacenet"), options);
  for (int n : {1, 2, 3}) {
    const NamedImage image = sample(n);
    const FindResult r = engine_.find(image, find);
    const auto faces = models.embed(image.rgb, false);
    ASSERT_EQ(r.faces.size(), faces.size());
    EXPECT_EQ(r.threshold, options.threshold);
    for (size_t i = 0; i < faces.size(); ++i) {
      const Identification want = identifier.identify(faces[i].embedding, find.k);
      EXPECT_EQ(r.faces[i].identification.identity, want.identity);
      EXPECT_EQ(r.faces[i].identification.distance, want.distance);
      EXPECT_EQ(r.faces[i].identification.confidence, want.confidence);
    }
    // The face enroll took of each photo (the default --face) is the person it was enrolled as.
    std::vector<Face> found;
    for (const auto& f : r.faces) found.push_back(f.face);
    EXPECT_EQ(r.faces[*choose_face(found, image.rgb.size(), parse_face_choice(kDefaultFace))].identification.identity,
              "P" + std::to_string(n));
  }
}

TEST_F(EngineResultsTest, ClusterGroupsTheEmbeddingsAsClusterFacesDoes) {
  const testing::TempDir dir("engine_cluster");
  for (int n : {1, 2, 3})
    fs::copy_file(samples_ / ("sample" + std::to_string(n) + ".jpg"), dir.path / ("s" + std::to_string(n) + ".jpg"));
  std::ofstream(dir.path / "broken.jpg") << "not a jpeg";
  ClusterRequest request;
  request.folder = dir.path.string();
  std::vector<std::string> notes;
  const ClusterResult r = engine_.cluster(request, {.note = [&](const std::string& line) { notes.push_back(line); }, .progress = {}});
  EXPECT_EQ(r.unreadable, 1);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("broken.jpg"), std::string::npos) << notes[0];

  Models models;
  std::vector<std::vector<float>> vectors;
  for (int n : {1, 2, 3})
    for (const auto& f : models.embed(read_image((dir.path / ("s" + std::to_string(n) + ".jpg")).string()), false))
      vectors.push_back(f.embedding);
  ASSERT_EQ(r.faces.size(), vectors.size());
  ClusterOptions options;
  options.metric = parse_metric(models.recognizer->card().metric);
  options.threshold = r.threshold;
  const Clustering want = cluster_faces(vectors, options);
  EXPECT_EQ(r.clustering.cluster_of, want.cluster_of);
}

TEST_F(EngineResultsTest, BadRequestsAreOneError) {
  RepresentRequest unknown;
  unknown.recognition.model = "nope";
  EXPECT_THROW(engine_.prepare(unknown), Error);
  DetectRequest bad_executor;
  bad_executor.executor = "turbo";
  EXPECT_THROW(engine_.prepare(bad_executor), Error);
  DetectRequest tiny;
  tiny.min_face = 0;
  EXPECT_THROW(engine_.detect(sample(1), tiny), Error);
  FindRequest missing;
  missing.db = "/nonexistent/people.db";
  EXPECT_THROW(engine_.prepare(missing), Error);
  EXPECT_THROW(Engine({.threads = -1}), Error);
  VerifyRequest bad_face;
  bad_face.recognition.face = "biggest";
  EXPECT_THROW(engine_.prepare(bad_face), Error);
}

}  // namespace
}  // namespace facekit
