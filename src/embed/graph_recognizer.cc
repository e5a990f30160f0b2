#include "embed/graph_recognizer.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "facekit/error.h"
#include "facekit/nn/executor.h"
#include "image/to_tensor.h"

namespace facekit {

namespace {

// [N, H, W, C] → [N, C, H, W].
nn::Tensor to_nchw(const nn::Tensor& nhwc) {
  const int64_t n = nhwc.dim(0), h = nhwc.dim(1), w = nhwc.dim(2), c = nhwc.dim(3);
  nn::Tensor out(nn::DType::kFloat32, {n, c, h, w});
  const float* src = nhwc.data<float>();
  float* dst = out.data<float>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x)
        for (int64_t k = 0; k < c; ++k) dst[((b * c + k) * h + y) * w + x] = src[((b * h + y) * w + x) * c + k];
  return out;
}

class GraphRecognizer : public Recognizer {
 public:
  GraphRecognizer(nn::Graph graph, RecognizerCard card, const RecognizerOptions& options)
      : graph_(std::move(graph)), card_(std::move(card)) {
    check_card();
    card_.flip = options.flip.value_or(card_.flip);
    if (!card_.output.empty()) {
      try {
        graph_.set_outputs({card_.output});
      } catch (const Error& e) {
        throw Error(context() + ": no output '" + card_.output + "' in " + graph_.name + " (" + e.what() + ")");
      }
    } else {
      check(!graph_.outputs.empty(), context(), graph_.name + " has no outputs");
      graph_.set_outputs({graph_.values[graph_.outputs.front()].name});
    }
    check_input();
    if (batch_ > 1) free_the_batch();
    dimension_ = infer_dimension();
    executor_ = nn::make_executor(options.executor, graph_, {options.threads});
    if (!options.alignment.empty()) {
      check(card_.input_size.width == card_.input_size.height, context(),
            "alignment '" + options.alignment + "' needs a square input");
      card_.alignment = named_template(options.alignment, card_.input_size.width);
    } else if (card_.alignment.points.empty() && card_.alignment.kind == AlignKind::kSimilarity) {
      check(card_.input_size.width == card_.input_size.height, context(),
            "a non-square input needs an explicit alignment template");
      card_.alignment = card_.input_size.width == arcface_template().size.width
                            ? arcface_template()
                            : scaled_template(arcface_template(), card_.input_size.width);
    }
  }

  std::vector<float> embed(const cv::Mat& aligned_rgb) override {
    return embed(std::vector<cv::Mat>{aligned_rgb}).front();
  }

  std::vector<std::vector<float>> embed(const std::vector<cv::Mat>& crops) override {
    std::vector<cv::Mat> inputs;
    for (size_t i = 0; i < crops.size(); ++i) inputs.push_back(network_pixels(crops[i], i));
    if (card_.flip) {
      for (size_t i = 0; i < crops.size(); ++i) {
        cv::Mat mirrored;
        cv::flip(inputs[i], mirrored, 1);
        inputs.push_back(mirrored);
      }
    }
    std::vector<std::vector<float>> embeddings = run_batches(inputs);
    if (!card_.flip) return embeddings;
    // The mean of each crop's embedding and its mirror's.
    embeddings.resize(crops.size() * 2);
    for (size_t i = 0; i < crops.size(); ++i) {
      const auto& mirrored = embeddings[crops.size() + i];
      for (int k = 0; k < dimension_; ++k) embeddings[i][k] = 0.5f * (embeddings[i][k] + mirrored[k]);
    }
    embeddings.resize(crops.size());
    return embeddings;
  }

  const AlignTemplate& alignment() const override { return card_.alignment; }
  int dimension() const override { return dimension_; }
  std::string name() const override { return card_.name; }
  const RecognizerCard& card() const override { return card_; }

 private:
  std::string context() const { return "recognizer '" + card_.name + "'"; }

  void check_card() const {
    check(card_.input_size.width > 0 && card_.input_size.height > 0, context(), "the input size must be positive");
    for (const auto* list : {&card_.mean, &card_.std})
      check(list->size() == 1 || list->size() == 3, context(), "mean and std need 1 or 3 values");
    for (float s : card_.std) check(s != 0 && std::isfinite(s), context(), "std must be finite and non-zero");
    for (float m : card_.mean) check(std::isfinite(m), context(), "mean must be finite");
  }

  // The graph's input must be a 4-D, 3-channel image of the card's size
  // (free dimensions accepted); its batch dimension fixes how many crops run
  // at once (0 when free).
  void check_input() {
    check(graph_.inputs.size() == 1, context(),
          graph_.name + " has " + std::to_string(graph_.inputs.size()) + " inputs, a recognizer takes one");
    const nn::Shape& shape = graph_.values[graph_.inputs.front()].shape;
    const bool nchw = card_.layout == InputLayout::kNCHW;
    const std::string expected = nchw ? "[N,3," + std::to_string(card_.input_size.height) + "," +
                                            std::to_string(card_.input_size.width) + "]"
                                      : "[N," + std::to_string(card_.input_size.height) + "," +
                                            std::to_string(card_.input_size.width) + ",3]";
    const std::string why = graph_.name + " takes " + nn::shape_str(shape) + ", the card says " + expected;
    check(shape.size() == 4, context(), why);
    const int64_t c = nchw ? shape[1] : shape[3], h = nchw ? shape[2] : shape[1], w = nchw ? shape[3] : shape[2];
    auto fits = [](int64_t dim, int64_t want) { return dim < 0 || dim == want; };
    check(fits(c, 3) && fits(h, card_.input_size.height) && fits(w, card_.input_size.width), context(), why);
    batch_ = shape[0] > 0 ? static_cast<int>(shape[0]) : 0;
  }

  // A file with a fixed batch (expo's MobileFaceNet: 2) would make every crop
  // cost a whole batch. Where that batch appears only as the input's first
  // dimension and as the leading entry of constant Reshape targets, the graph
  // is re-declared with a free batch — kept only if it still finalizes and
  // gives one embedding per crop at batch 1; otherwise the fixed batch stays.
  void free_the_batch() {
    const int64_t fixed = batch_;
    nn::Graph g = graph_;
    g.values[g.inputs.front()].shape[0] = -1;
    for (nn::Node& node : g.nodes) {
      if (node.op != "Reshape") continue;
      if (node.inputs.size() > 1 && node.inputs[1] >= 0) {
        nn::Value& target = g.values[node.inputs[1]];
        if (!target.constant) return;
        std::vector<int64_t> dims = target.constant->to_int64();
        if (dims.empty() || dims[0] != fixed || std::count(dims.begin(), dims.end(), -1) != 0) continue;
        dims[0] = -1;
        const int id = g.add_constant(target.name + "/free_batch",
                                      nn::Tensor::from_ints({static_cast<int64_t>(dims.size())},
                                                            std::vector<int32_t>(dims.begin(), dims.end())));
        node.inputs[1] = id;
      } else {
        std::vector<int64_t> dims = node.attrs.ints("shape");
        if (dims.empty() || dims[0] != fixed || std::count(dims.begin(), dims.end(), -1) != 0) continue;
        dims[0] = -1;
        node.attrs.set("shape", dims);
      }
    }
    try {
      g.finalize();
      const auto shapes = g.infer_shapes({input_shape(1)});
      const nn::Shape& out = shapes[g.outputs.front()];
      if (out.empty() || out[0] != 1) return;
    } catch (const Error&) {
      return;
    }
    graph_ = std::move(g);
    batch_ = 0;
  }

  nn::Shape input_shape(int64_t batch) const {
    const int64_t h = card_.input_size.height, w = card_.input_size.width;
    return card_.layout == InputLayout::kNCHW ? nn::Shape{batch, 3, h, w} : nn::Shape{batch, h, w, 3};
  }

  int infer_dimension() const {
    const int64_t batch = std::max(batch_, 1);
    const nn::Shape out = graph_.infer_shapes({input_shape(batch)})[graph_.outputs.front()];
    int64_t n = 1;
    for (int64_t d : out) n *= d;
    check(!out.empty() && n > 0 && n % batch == 0, context(),
          "output " + graph_.values[graph_.outputs.front()].name + " has shape " + nn::shape_str(out) +
              ", not one embedding per crop");
    return static_cast<int>(n / batch);
  }

  // Crop `i` checked, at the input size and in the network's colour order.
  cv::Mat network_pixels(const cv::Mat& crop, size_t i) const {
    const std::string what = context() + ": crop " + std::to_string(i);
    check(!crop.empty(), what, "is empty");
    check(crop.type() == CV_8UC3, what, "has OpenCV type " + std::to_string(crop.type()) +
                                            ", expected 8-bit RGB (CV_8UC3)");
    cv::Mat out = crop;
    if (crop.size() != card_.input_size) {
      const bool shrinking = crop.cols > card_.input_size.width || crop.rows > card_.input_size.height;
      cv::resize(crop, out, card_.input_size, 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    }
    if (card_.color == ColorOrder::kBGR) cv::cvtColor(out, out, cv::COLOR_RGB2BGR);
    return out;
  }

  // (x − mean) / std per channel, in the card's layout.
  nn::Tensor network_input(const std::vector<cv::Mat>& images) const {
    nn::Tensor t = to_tensor(images, 0.f, 1.f);
    float* x = t.data<float>();
    for (int64_t i = 0; i < t.numel(); ++i) {
      const size_t c = static_cast<size_t>(i % 3);
      x[i] = (x[i] - card_.mean[c % card_.mean.size()]) / card_.std[c % card_.std.size()];
    }
    return card_.layout == InputLayout::kNCHW ? to_nchw(t) : t;
  }

  // Runs the network over `images` in batches of its batch size; a fixed
  // batch is filled up by repeating the last image (results discarded).
  std::vector<std::vector<float>> run_batches(const std::vector<cv::Mat>& images) {
    std::vector<std::vector<float>> out;
    const size_t step = batch_ > 0 ? static_cast<size_t>(batch_) : std::max<size_t>(images.size(), 1);
    for (size_t begin = 0; begin < images.size(); begin += step) {
      const size_t count = std::min(step, images.size() - begin);
      std::vector<cv::Mat> chunk(images.begin() + begin, images.begin() + begin + count);
      while (batch_ > 0 && chunk.size() < static_cast<size_t>(batch_)) chunk.push_back(chunk.back());
      const nn::Tensor result = executor_->run({network_input(chunk)}).front();
      check(result.numel() == static_cast<int64_t>(chunk.size()) * dimension_, context(),
            "output shape " + nn::shape_str(result.shape()) + " for a batch of " + std::to_string(chunk.size()));
      const float* v = result.data<float>();
      for (size_t i = 0; i < count; ++i) {
        std::vector<float> e(v + i * dimension_, v + (i + 1) * dimension_);
        check(std::all_of(e.begin(), e.end(), [](float f) { return std::isfinite(f); }), context(),
              "the embedding of crop " + std::to_string(begin + i) + " holds NaN or infinity");
        out.push_back(std::move(e));
      }
    }
    return out;
  }

  nn::Graph graph_;  // the executor reads it: declared before executor_
  RecognizerCard card_;
  int batch_ = 0;
  int dimension_ = 0;
  std::unique_ptr<nn::Executor> executor_;
};

}  // namespace

std::unique_ptr<Recognizer> make_graph_recognizer(nn::Graph graph, RecognizerCard card,
                                                  const RecognizerOptions& options) {
  return std::make_unique<GraphRecognizer>(std::move(graph), std::move(card), options);
}

}  // namespace facekit
