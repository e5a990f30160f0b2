// POST /api/v1/video/watch on a Server on loopback: a clip made from
// face-api's sample photos (Ann enrolled through the API, panned, scaled and
// hidden; Cy, a stranger, drifting) is answered with the events Engine::watch
// gives on the same bytes, whether posted as a multipart file, base64 in
// JSON or the raw body; Ann is named, Cy never. Keys, --max-body, the clip
// limits, bad options and damaged clips get one error each, counted in
// /metrics, and no temporary file is left behind.
#include <gtest/gtest.h>
#include <httplib.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "facekit/engine.h"
#include "facekit/json.h"
#include "facekit/serve.h"
#include "facekit/video_clip.h"
#include "serve/request_fields.h"
#include "temp_dir.h"
#include "testing.h"
#include "video_clips.h"

namespace facekit {
namespace {

namespace fs = std::filesystem;

const std::string kKey = "video-test-key-0123456789";

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// RFC 4648 base64 (standard alphabet, padded).
std::string base64(const std::string& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t v = 0;
    for (size_t k = 0; k < 3; ++k) v = (v << 8) | (k < n ? static_cast<uint8_t>(bytes[i + k]) : 0);
    for (size_t k = 0; k < 4; ++k) out += k <= n ? alphabet[(v >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

std::string png_of(const cv::Mat& rgb) {
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<uint8_t> out;
  cv::imencode(".png", bgr, out);
  return {out.begin(), out.end()};
}

// A Server on a free loopback port, run on a thread, with one API key.
class Node {
 public:
  explicit Node(ServeOptions o) {
    o.port = 0;
    o.threads = 1;
    o.workers = 1;
    o.keys_text = kKey;
    server_ = std::make_unique<Server>(o, log_);
    thread_ = std::thread([this] { server_->run(); });
    port = server_->port();
    client = std::make_unique<httplib::Client>("127.0.0.1", port);
    client->set_read_timeout(300, 0);
    client->set_default_headers({{"x-api-key", kKey}});
  }
  ~Node() {
    server_->stop();
    thread_.join();
  }
  std::unique_ptr<httplib::Client> client;
  int port = 0;

 private:
  std::ostringstream log_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

class ServeVideoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"faceapi-samples", "mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet", "mobilefacenet-tflite"})
      if (!testing::zoo_model(id)) GTEST_SKIP() << "model " << id << " not installed: run `facekit models install`";
    fs::create_directories(tmp_);
    previous_tmpdir_ = getenv("TMPDIR") ? getenv("TMPDIR") : "";
    setenv("TMPDIR", tmp_.c_str(), 1);  // where the route's clip files go: watched for leftovers
    const fs::path samples = testing::zoo_model("faceapi-samples")->parent_path();
    Engine engine({.threads = 1});
    for (const auto& [name, n] : {std::pair{"Ann", 1}, {"Cy", 3}}) {
      const NamedImage photo = read_named_image((samples / ("sample" + std::to_string(n) + ".jpg")).string());
      const DetectResult found = engine.detect(photo, {});
      ASSERT_FALSE(found.faces.empty()) << photo.name;
      patches_[name] = testing::cut_patch(name, photo.rgb, found.faces[*largest_face(found.faces)].box);
    }
    ServeOptions o;
    o.galleries = {(dir_.path / "people.db").string(), "empty=" + (dir_.path / "empty.db").string()};
    o.max_body = 8 << 20;
    o.clip_limits.max_frames = 40;
    node_ = std::make_unique<Node>(o);
    // Ann is enrolled through the API from her patch (its centre face is hers).
    const httplib::MultipartFormDataItems ann = {{"file", png_of(patches_["Ann"].rgb), "ann.png", "image/png"}};
    const auto added = node_->client->Post("/api/v1/recognition/faces?subject=Ann", ann);
    ASSERT_TRUE(added);
    ASSERT_EQ(added->status, 201) << added->body;
  }
  void TearDown() override {
    node_.reset();
    if (previous_tmpdir_.empty()) unsetenv("TMPDIR");
    else setenv("TMPDIR", previous_tmpdir_.c_str(), 1);
  }

  // Ann panned and grown, hidden on frames 12–17; Cy drifting below.
  testing::Clip clip(int frames = 30) {
    const testing::Actor ann{patches_["Ann"], [](int f) {
                               if (f >= 12 && f < 18) return testing::Placement{};
                               return testing::Placement{40 + 8.0f * f, 40, 120 + 2.0f * f};
                             }};
    const testing::Actor cy{patches_["Cy"], [](int f) { return testing::Placement{460 - 3.0f * f, 300, 150}; }};
    return testing::make_clip({ann, cy}, frames);
  }

  // `clip` as a Motion JPEG AVI at 30 fps.
  std::string avi(const testing::Clip& c) {
    const fs::path path = dir_.path / "clip.avi";
    {
      cv::VideoWriter writer(path.string(), cv::CAP_OPENCV_MJPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 30,
                             c.frames[0].size());
      EXPECT_TRUE(writer.isOpened());
      for (const cv::Mat& rgb : c.frames) {
        cv::Mat bgr;
        cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
        writer.write(bgr);
      }
    }
    return file_bytes(path);
  }

  httplib::Result post_file(const std::string& bytes, const std::string& query = "") {
    return node_->client->Post("/api/v1/video/watch" + query, {{"file", bytes, "clip.avi", "video/x-msvideo"}});
  }

  // The events, each without what the route and the engine may word differently (none today).
  static Json events_of(const httplib::Result& r) {
    EXPECT_TRUE(r);
    if (!r) return Json();
    EXPECT_EQ(r->status, 200) << r->body;
    return r->status == 200 ? Json::parse(r->body)["events"] : Json();
  }

  bool leftovers() const { return !fs::is_empty(tmp_); }

  testing::TempDir dir_{"serve_video"};
  fs::path tmp_ = dir_.path / "tmp";
  std::string previous_tmpdir_;
  std::map<std::string, testing::FacePatch> patches_;
  std::unique_ptr<Node> node_;
};

TEST_F(ServeVideoTest, AClipIsAnsweredWithTheEventsOfEngineWatch) {
  const std::string bytes = avi(clip());
  const auto answer = post_file(bytes);
  const Json events = events_of(answer);
  ASSERT_TRUE(events.is_array());
  const Json summary = Json::parse(answer->body)["summary"];
  EXPECT_EQ(summary["source"], "clip.avi");
  EXPECT_EQ(summary["frames"], 30);
  EXPECT_EQ(summary["detector"], kWatchDetector);

  // The engine on the same bytes against the same gallery, as the CLI runs it.
  Engine engine({.threads = 1});
  WatchRequest request;
  request.db = (dir_.path / "people.db").string();
  auto source = clip_video("clip.avi", std::vector<uint8_t>(bytes.begin(), bytes.end()));
  Json expected = Json::array();
  WatchListener listener;
  listener.event = [&](const TrackEvent& e) { expected.push_back(to_json(e)); };
  engine.watch(*source, request, listener);
  EXPECT_EQ(events, expected);

  // Ann is named, Cy (not enrolled) never; two tracks start and end.
  int started = 0, ended = 0;
  bool ann_named = false;
  for (const Json& e : events) {
    started += e["event"] == "started";
    ended += e["event"] == "ended";
    if (!e["identity"].is_null()) {
      EXPECT_EQ(e["identity"], "Ann") << e.dump();
      ann_named = true;
    }
  }
  EXPECT_TRUE(ann_named);
  EXPECT_EQ(started, 2);
  EXPECT_EQ(ended, 2);

  // The same clip as the raw body, and as base64 in JSON.
  const auto raw = node_->client->Post("/api/v1/video/watch", bytes, "video/x-msvideo");
  EXPECT_EQ(events_of(raw), expected);
  const Json json_body = {{"file", base64(bytes)}};
  EXPECT_EQ(events_of(node_->client->Post("/api/v1/video/watch", json_body.dump(), "application/json")), expected);
  EXPECT_FALSE(leftovers());
}

TEST_F(ServeVideoTest, KeysLimitsAndDamagedClipsAreOneErrorEach) {
  const std::string bytes = avi(clip(24));
  const auto status_and_message = [](const httplib::Result& r) {
    if (!r) return std::pair<int, std::string>{0, "no answer"};
    const Json body = Json::parse(r->body, nullptr, false);
    return std::pair<int, std::string>{r->status, body.is_object() ? body.value("message", "") : r->body};
  };
  const auto post = [&](const std::string& clip, const std::string& query = "") {
    return status_and_message(post_file(clip, query));
  };
  // No key.
  httplib::Client anonymous("127.0.0.1", node_->port);
  const auto refused = anonymous.Post("/api/v1/video/watch", bytes, "video/x-msvideo");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  // Over --max-body (8 MiB): answered before routing (counted as "unmatched").
  EXPECT_EQ(post(std::string(9 << 20, 'x')).first, 413);
  // No clip, another body type, a playlist, garbage behind an AVI header, a cut clip.
  EXPECT_EQ(status_and_message(node_->client->Post("/api/v1/video/watch", "", "application/x-www-form-urlencoded")),
            (std::pair<int, std::string>{400, "no clip: send it as file (a multipart file, or base64 in a JSON body), or as "
                                              "the body itself (Content-Type video/mp4, video/x-msvideo, video/webm or "
                                              "application/octet-stream)"}));
  EXPECT_EQ(status_and_message(node_->client->Post("/api/v1/video/watch", bytes, "text/plain")).first, 415);
  EXPECT_EQ(post("#EXTM3U\nfile:///etc/passwd\n"),
            (std::pair<int, std::string>{400, "clip.avi: is not an AVI, MP4/QuickTime or Matroska/WebM video"}));
  std::string garbage = bytes.substr(0, 12);
  for (int i = 0; i < 5000; ++i) garbage += static_cast<char>((i * 7919) % 251);
  EXPECT_EQ(post(garbage), (std::pair<int, std::string>{400, "clip.avi: cannot be decoded (a damaged or cut clip, or a "
                                                             "codec no backend here reads)"}));
  const auto [cut_status, cut_message] = post(bytes.substr(0, bytes.size() / 2));
  EXPECT_EQ(cut_status, 400);
  EXPECT_EQ(cut_message.rfind("clip.avi: ends after ", 0), 0u) << cut_message;
  EXPECT_NE(cut_message.find("of the 24 frames its container states"), std::string::npos) << cut_message;
  // Over the server's --clip-max-frames (40).
  EXPECT_EQ(post(avi(clip(45))), (std::pair<int, std::string>{400, "clip.avi: states 45 frames, over the limit of 40"}));
  // Options as request fields, checked before the clip is read, named as fields.
  EXPECT_EQ(post(bytes, "?detect_every=0"),
            (std::pair<int, std::string>{400, "detect_every: must be an integer in [1, 1000]"}));
  const auto [iou_status, iou_message] = post(bytes, "?min_iou=2");
  EXPECT_EQ(iou_status, 400);
  EXPECT_NE(iou_message.find("(min_iou): must be in [0, 1]"), std::string::npos) << iou_message;
  const auto [both_status, both_message] = post(bytes, "?threshold=0.5&far=0.001");
  EXPECT_EQ(both_status, 400);
  EXPECT_EQ(both_message.rfind("far: cannot be combined with threshold", 0), 0u) << both_message;
  EXPECT_EQ(post(bytes, "?model_name=mobilefacenet%2Bfaceapi").first, 400);
  EXPECT_EQ(post(bytes, "?gallery=empty"),
            (std::pair<int, std::string>{400, "gallery empty holds no faces of model mobilefacenet: add some first (POST "
                                              "/api/v1/recognition/faces?subject=NAME)"}));
  EXPECT_FALSE(leftovers());
  // Counted per route.
  const auto metrics = node_->client->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("facekit_http_errors_total{route=\"POST /api/v1/video/watch\"} 12"), std::string::npos)
      << metrics->body;
}

TEST(ServeVideoOptionsTest, ClipLimitsAreCheckedWithTheServer) {
  ServeOptions o;
  o.clip_limits.max_frames = 0;
  EXPECT_NE(testing::error_of([&] { check_serve_options(o); }).find("--clip-max-frames"), std::string::npos);
  o = {};
  o.clip_limits.max_pixels = int64_t{1} << 40;
  EXPECT_NE(testing::error_of([&] { check_serve_options(o); }).find("--clip-max-pixels"), std::string::npos);
}

}  // namespace
}  // namespace facekit
