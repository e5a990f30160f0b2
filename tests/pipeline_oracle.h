// What the end-to-end pipeline goldens share: the LFW images they compare on,
// and a reference pipeline run in Node on exactly the pixels facekit decoded.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "facekit/eval.h"
#include "facekit/image.h"
#include "facekit/pipeline.h"
#include "temp_dir.h"
#include "testing.h"

namespace facekit::testing {

inline double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) ab += double(a[i]) * b[i], aa += double(a[i]) * a[i], bb += double(b[i]) * b[i];
  return ab / std::sqrt(aa * bb);
}

// A face the reference pipeline found: its box (in facekit's convention) and
// its embedding.
struct ReferenceFace {
  cv::Rect2f box;
  std::vector<float> embedding;
};

// Each of `want` against the face of `got` whose box overlaps it most: a
// test failure when there is none with IoU ≥ `min_iou` (that face scores 0)
// or its cosine is below `min_cosine`, and when the counts differ. Returns
// the worst cosine. `image` and `reference` name the photo and the
// reference pipeline in the messages.
inline double worst_cosine_to_reference(const std::vector<FaceEmbedding>& got, const std::vector<ReferenceFace>& want,
                                        float min_iou, double min_cosine, const std::string& image,
                                        const std::string& reference) {
  EXPECT_EQ(got.size(), want.size()) << image;
  double worst = 1;
  for (const ReferenceFace& face : want) {
    const auto best = std::max_element(got.begin(), got.end(), [&](const FaceEmbedding& a, const FaceEmbedding& b) {
      return iou(a.face.box, face.box) < iou(b.face.box, face.box);
    });
    if (best == got.end() || iou(best->face.box, face.box) < min_iou) {
      ADD_FAILURE() << image << ": facekit has no face at " << reference << "'s " << face.box;
      worst = 0;
      continue;
    }
    const double c = cosine(best->embedding, face.embedding);
    EXPECT_GE(c, min_cosine) << image << " face at " << reference << "'s " << face.box << ", facekit's box "
                             << best->face.box;
    worst = std::min(worst, c);
  }
  return worst;
}

// The images of LFW View 1 DevTest's first pairs, in pair order, `count` in
// all (both images of each pair; a repeated image stays repeated).
inline std::vector<std::filesystem::path> lfw_devtest_images(const std::filesystem::path& lfw, size_t count) {
  std::vector<std::filesystem::path> images;
  for (const auto& pair : eval::read_lfw_pairs(lfw / "pairsDevTest.txt", lfw / "images")) {
    for (const auto& image : {pair.a, pair.b})
      if (images.size() < count) images.push_back(image);
    if (images.size() == count) break;
  }
  return images;
}

struct OracleRun {
  std::vector<cv::Mat> pixels;  // each image as facekit decoded it (RGB)
  nlohmann::json output;        // the oracle's JSON: {"images": [one entry per image]}
};

// Runs `node script args... OUT.json IMAGE.ppm...` on `images`, handed over
// as PPM so that the oracle sees exactly the pixels facekit decoded. Fails
// the test (and returns an empty run) when the script fails or answers for
// another number of images.
inline OracleRun run_pipeline_oracle(const std::string& script, const std::string& args,
                                     const std::vector<std::filesystem::path>& images) {
  TempDir dir("pipeline_oracle");
  std::string command = "node " + quoted(source_dir() / "tools" / "oracle" / script) + " " + args + " " +
                        quoted(dir.path / "out.json");
  OracleRun run;
  for (size_t k = 0; k < images.size(); ++k) {
    run.pixels.push_back(read_image(images[k].string()));
    const cv::Mat& rgb = run.pixels.back();
    const std::filesystem::path ppm = dir.path / (std::to_string(k) + ".ppm");
    std::ofstream out(ppm, std::ios::binary);
    out << "P6\n" << rgb.cols << " " << rgb.rows << "\n255\n";
    for (int r = 0; r < rgb.rows; ++r) out.write(rgb.ptr<char>(r), static_cast<std::streamsize>(rgb.cols) * 3);
    command += " " + quoted(ppm);
  }
  const auto [status, output] = run_command(command);
  if (status != 0) {
    ADD_FAILURE() << script << " failed: " << output;
    return {};
  }
  std::ifstream in(dir.path / "out.json");
  run.output = nlohmann::json::parse(in);
  if (run.output["images"].size() != images.size()) {
    ADD_FAILURE() << script << " answered for " << run.output["images"].size() << " of " << images.size() << " images";
    return {};
  }
  return run;
}

// The worst cosine over a set of images, and how many reference faces they
// hold.
struct GoldenComparison {
  double worst = 1;
  size_t faces = 0;
};

// `compare(rgb, entry)` (the worst cosine of one image's faces) for each
// entry of a committed golden, tests/data/`file`: {"images": [{"image",
// "width", "faces", …}]}. A test failure when it holds another number of
// images than `images` or a photo decodes to another width than recorded.
template <class Compare>
GoldenComparison compare_with_golden_file(const std::string& file, size_t images, Compare compare) {
  std::ifstream in(source_dir() / "tests" / "data" / file);
  const nlohmann::json golden = nlohmann::json::parse(in);
  EXPECT_EQ(golden["images"].size(), images) << file;
  GoldenComparison result;
  for (const auto& image : golden["images"]) {
    const cv::Mat rgb = read_image((source_dir() / image["image"].get<std::string>()).string());
    if (rgb.cols != image["width"].get<int>()) {
      ADD_FAILURE() << image["image"] << " decodes " << rgb.cols << " wide, the golden says " << image["width"];
      continue;
    }
    result.worst = std::min(result.worst, compare(rgb, image));
    result.faces += image["faces"].size();
  }
  return result;
}

// `compare(rgb, entry)` for each image of an oracle run.
template <class Compare>
GoldenComparison compare_with_oracle_run(const OracleRun& run, Compare compare) {
  GoldenComparison result;
  for (size_t k = 0; k < run.pixels.size(); ++k) {
    result.worst = std::min(result.worst, compare(run.pixels[k], run.output["images"][k]));
    result.faces += run.output["images"][k]["faces"].size();
  }
  return result;
}

}  // namespace facekit::testing
