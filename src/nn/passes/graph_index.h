// GraphIndex: who produces and who reads each value, the lookups every
// pattern matcher needs. Built once per pass; a pass that rewrites nodes
// marks them dead and calls remove_dead_nodes() at the end.
#pragma once

#include <optional>
#include <vector>

#include "facekit/nn/graph.h"

namespace facekit::nn::passes {

class GraphIndex {
 public:
  explicit GraphIndex(const Graph& g);

  // The node producing `value`, or -1 (inputs, constants, omitted).
  int producer(int value) const { return value >= 0 ? producer_[value] : -1; }
  // Nodes reading `value` (a node reading it twice appears twice).
  const std::vector<int>& readers(int value) const { return readers_[value]; }
  bool is_output(int value) const { return is_output_[value] != 0; }
  // True when `value` is read only by nodes in `allowed` and is not an output:
  // the value disappears when those nodes are replaced.
  bool private_to(int value, const std::vector<int>& allowed) const;
  // The single reader of `value` when it has exactly one and is not an output.
  int sole_reader(int value) const;

 private:
  std::vector<int> producer_;
  std::vector<std::vector<int>> readers_;
  std::vector<char> is_output_;
};

// The constant tensor of `value` when it is a float32 constant, else null.
const Tensor* float_constant(const Graph& g, int value);
// The value of a float32 constant holding exactly one element.
std::optional<float> scalar_constant(const Graph& g, int value);
// The node's op when `node` >= 0, else "" (so matchers can chain lookups).
const std::string& op_of(const Graph& g, int node);

// `c` broadcast against an output of rank `rank` whose channel axis (of
// length `channels`) is `channel_axis`, as `channels` values — or nullopt
// when `c` varies along another axis or would enlarge the output.
std::optional<std::vector<float>> per_channel_values(const Tensor& c, int rank, int channel_axis,
                                                     int64_t channels);

// Where the output channels of a Conv or Dense node lie: the output's rank,
// the channel axis and the channel count. nullopt for other nodes, for
// weights that are not constant and for outputs of unknown rank.
struct ChannelAxis {
  int rank, axis;
  int64_t channels;
};
std::optional<ChannelAxis> output_channels(const Graph& g, const Node& node);

// Erases nodes whose `dead` flag is set, keeping the others' order.
void remove_dead_nodes(Graph& g, const std::vector<char>& dead);

}  // namespace facekit::nn::passes
