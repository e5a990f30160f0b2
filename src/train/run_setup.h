// What a training run is built from, shared by train(), export_checkpoint()
// and the tests: the split of the data, the network and its fingerprint.
#pragma once

#include <string>
#include <vector>

#include <torch/torch.h>

#include "facekit/train.h"
#include "train/attributes.h"
#include "train/face_folder.h"
#include "train/modalities.h"
#include "train/multitask.h"

namespace facekit::train {

// The images of each side and their labels (no pixels read yet).
struct DataSplit {
  FaceFolder folder;
  Modalities modalities;
  std::vector<int> train_images, val_images;  // indices into folder.images
  std::vector<int> train_labels;              // 0..classes−1, dense over the training identities
  std::vector<int> val_labels;                // folder identity indices
  int classes = 0;
  AttributeLabels attributes;                 // empty unless options.attributes
};

// Throws Error as train() does (train.h) for options out of range and data
// that cannot be split.
DataSplit split_data(const TrainOptions& options);

// The network the options and split describe (not yet trained).
MultiTaskNet make_network(const TrainOptions& options, const DataSplit& split);

// The model options a checkpoint must match.
std::string fingerprint(const TrainOptions& options, const DataSplit& split);

// "auto" → CUDA when libtorch sees a GPU, else the CPU. Throws Error for
// "cuda" without one, or another name.
torch::Device pick_device(const std::string& name);

// The network of `checkpoint`, on the CPU, in evaluation mode.
MultiTaskNet load_trained_network(const TrainOptions& options, const std::string& checkpoint);

}  // namespace facekit::train
