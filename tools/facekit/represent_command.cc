#include "represent_command.h"

#include <iostream>

#include "facekit/error.h"

namespace facekit::cli {

CLI::App* add_represent_command(CLI::App& app, RepresentCommandOptions& o) {
  auto* cmd = app.add_subcommand("represent", "embeddings of the faces in images, as JSON Lines");
  cmd->add_option("images", o.images, "image files")->required();
  o.recognition.if_no_face = "whole-image";  // as verify: an embedding, flagged
  add_recognition_options(cmd, o.recognition, false);
  cmd->add_flag("--largest", o.largest, "only the largest face of each image");
  return cmd;
}

int run_represent(const RepresentCommandOptions& options) {
  RecognitionModels models = load_recognition_models(options.recognition);
  const Recognizer& recognizer = *models.recognizer;
  bool failed = false;
  for (const std::string& path : options.images) {
    try {
      nlohmann::ordered_json faces = nlohmann::ordered_json::array();
      for (const FaceEmbedding& f : embed_image(path, models, options.largest)) {
        nlohmann::ordered_json face = face_summary_json(f.face);
        face["face_found"] = f.face_found;
        face["embedding"] = f.embedding;
        faces.push_back(std::move(face));
      }
      const nlohmann::ordered_json line = {{"image", path},
                                           {"model", recognizer.name()},
                                           {"dimension", recognizer.dimension()},
                                           {"l2_normalized", recognizer.card().l2_normalized},
                                           {"detector", models.detector_name},
                                           {"faces", faces}};
      std::cout << line.dump() << std::endl;
    } catch (const Error& e) {
      std::cerr << "facekit: " << e.what() << "\n";
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

}  // namespace facekit::cli
