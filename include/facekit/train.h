// Training a recognizer of one's own on libtorch (library facekit_train; the
// runtime library `facekit` never loads libtorch): a folder per identity in,
// an ONNX model out that make_recognizer() and `facekit verify --model` run.
//
// Data: root/<identity>/<images> (eval::scan_identity_folders). Identities
// are split into training and validation ones by a seeded shuffle, so
// validation measures verification of people never seen in training (or,
// with val_light_degrees, of the training people under lights never seen).
// Every image is resized (INTER_AREA) to input_size² and held in
// memory; with `align`, it is instead cropped as `facekit verify --no-detect`
// crops a face — the faceapi-68 landmarks of the whole image mapped onto the
// ArcFace template at input_size² — so that the runtime sees what training saw.
//
// Modalities (the channels of one sample):
//   image          the image as RGB (a grey image repeated three times); 3
//   stereo         photometric stereo maps of the identity (stereo.h's stacked
//                  albedo, normal x, y, z, depth) solved from the sample's
//                  image and stereo_images − 1 other images of the identity
//                  drawn at random from the same split, their lights read
//                  from Extended Yale B file names (…A+035E-20…); 5
//   image+stereo   both; 8
// Only "image" models take RGB crops, so only they run in `facekit verify`.
//
// Each epoch: batches (P identities × K images for the pair losses — triplet,
// contrastive — and for any loss when batch_size is 0; else shuffled batches
// of batch_size), augmented with one random draw per sample shared by all its
// channels (shift by up to input_size/32 with zero fill, horizontal flip that
// also negates normal x, brightness on the intensity channels, Gaussian
// noise), one optimiser step per batch; then validation: the cosine distance
// of every pair of validation samples → verification AUC and EER
// (eval.h). The same options and seed give the same run on the same machine
// and thread count; a run resumed from its last checkpoint continues exactly
// as the uninterrupted run would have.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace facekit::train {

// An attribute head beside the identity embedding (multi-task training).
// Labels come from TrainOptions::attributes_csv.
struct AttributeOptions {
  std::string name;          // a column of the CSV
  float weight = 1.f;        // its loss is multiplied by this
  bool adversarial = false;  // behind gradient reversal: the embedding unlearns it
  float focal_gamma = 0.f;   // 0: cross-entropy
};

struct TrainOptions {
  std::string data_dir;                 // root/<identity>/<images>
  std::string backbone = "iresnet18";   // iresnet18 | iresnet34 | iresnet50 | mobilefacenet
  int embedding_dim = 128;
  bool attention = false;               // channel + spatial attention after each stage
  float dropout = 0.f;
  std::string loss = "arcface";         // a name of identity_loss_names() (losses.h)
  float margin = -1.f;                  // < 0: the loss's default
  float scale = 32.f;                   // s of the margin losses
  std::string modalities = "image";     // image | stereo | image+stereo (see above)
  int stereo_images = 8;                // lit images per stereo solve (≥ 3)
  int input_size = 64;                  // a multiple of 16
  bool align = false;                   // crop as `facekit verify --no-detect` does (below); image only
  int epochs = 10;
  int steps_per_epoch = 0;              // 0: as many batches as cover the training images once
  int identities_per_batch = 4;         // P
  int images_per_identity = 4;          // K; an identity with fewer is drawn with repeats
  int batch_size = 0;                   // > 0: shuffled batches for the classifier losses
  std::string optimizer = "sgd";        // sgd (momentum 0.9, Nesterov) | adamw
  double lr = 0.05;                     // peak; cosine decay to 0 over the epochs
  double weight_decay = 5e-4;
  bool augment = true;
  uint64_t seed = 1;
  double val_share = 0.4;               // of identities held out (at least one identity each side)
  double val_light_degrees = 0;         // > 0: split by light instead: images whose Yale B light is
                                        // more than this off the camera axis are the validation set
  std::string checkpoint_dir;           // empty: no checkpoints (last.pt each epoch, best.pt at best AUC)
  bool resume = false;                  // continue from checkpoint_dir/last.pt when it exists
  std::string device = "auto";          // auto (CUDA when present) | cpu | cuda
  int threads = 0;                      // libtorch intra-op threads; 0 = all cores
  std::string attributes_csv;           // path,<attribute>,...: integer class per image (path relative to data_dir)
  std::vector<AttributeOptions> attributes;
  std::string onnx_out;                 // non-empty: export the best-AUC epoch's model here
};

// One line of the training log.
struct EpochReport {
  int epoch = 0;               // 1-based
  double train_loss = 0;       // mean over the epoch's batches (identity loss + weighted attribute losses)
  double val_auc = 0;
  double val_eer = 0;
  double val_eer_threshold = 0;  // cosine distance at the EER
  double lr = 0;
  double seconds = 0;          // training and validation
  double images_per_second = 0;  // training images (forward + backward) per second
};

// Called after each batch of an epoch: (batch, batches, running mean loss).
using BatchCallback = std::function<void(int, int, double)>;
using EpochCallback = std::function<void(const EpochReport&)>;

struct TrainResult {
  std::vector<EpochReport> epochs;  // every epoch, including those a resumed run loaded
  int best_epoch = 0;               // highest val AUC (the earliest on ties)
  std::string device;               // where it ran: cpu | cuda
  int train_identities = 0, val_identities = 0;
  std::vector<std::string> val_identity_names;  // the validation side's folders
  int train_samples = 0, val_samples = 0;
  int channels = 0;
};

// Trains as the options say, calling `on_epoch` after each epoch and
// `on_batch` after each batch (either may be empty); exports to
// options.onnx_out at the end. Throws Error naming the option, folder or file
// for options out of range, an unknown backbone, loss, modality, optimiser or
// device, fewer than two identities on either side of the split, a Yale B
// name without a light code in a stereo modality, an unreadable image or
// checkpoint, or a checkpoint written with other model options.
TrainResult train(const TrainOptions& options, const EpochCallback& on_epoch = {}, const BatchCallback& on_batch = {});

// Writes the model of checkpoint `checkpoint` (best.pt or last.pt of a run
// with `options`) as ONNX to `onnx_path`, with a card: model id and name the
// file's stem (so that `facekit calibrate` can store thresholds under it),
// input input_size², RGB, NCHW, (x − 127.5) / 128, cosine metric, threshold
// `cosine_threshold`. train() exports the same way, with the best epoch's
// EER threshold.
// Throws Error naming the file as train() does.
void export_checkpoint(const TrainOptions& options, const std::string& checkpoint, const std::string& onnx_path,
                       double cosine_threshold);

}  // namespace facekit::train
