#include "represent_command.h"

#include "output.h"
#include "recognition_options.h"

namespace facekit::cli {

CLI::App* add_represent_command(CLI::App& app, RepresentCommandOptions& o) {
  auto* cmd = app.add_subcommand("represent", "embeddings of the faces in images, as JSON Lines");
  cmd->add_option("images", o.images, "image files")->required();
  o.request.recognition.if_no_face = "whole-image";  // an answer, flagged, rather than none
  add_recognition_options(cmd, o.request.recognition, false);
  add_threads_option(cmd, o.engine);
  cmd->add_option_function<std::string>(
         "--face",
         [&o](const std::string& value) {
           o.request.one_face = value != "all";
           if (o.request.one_face) o.request.recognition.face = value;
         },
         "the faces embedded: all (the default), or one per image: center (nearest the image centre) or largest")
      ->check(CLI::IsMember({"all", "largest", "center"}));
  cmd->add_flag_callback(
         "--largest",
         [&o] {
           o.request.one_face = true;
           o.request.recognition.face = "largest";
         },
         "the old spelling of --face largest")
      ->group("");  // hidden
  return cmd;
}

int run_represent(const RepresentCommandOptions& o) {
  Engine engine(o.engine);
  engine.prepare(o.request);
  return for_each_image(o.images, [&](const NamedImage& image) { print_json(to_json(engine.represent(image, o.request))); });
}

}  // namespace facekit::cli
