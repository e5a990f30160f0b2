// A user's program: the version from the headers and from the library, the
// recognizers and detectors compiled in, an image written and read back, and
// facekit::Error caught by type across the library boundary.
#include <cstdio>
#include <filesystem>
#include <string>

#include <facekit/detect.h>
#include <facekit/doctor.h>
#include <facekit/embed.h>
#include <facekit/error.h>
#include <facekit/image.h>
#include <facekit/version.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer SCRATCH_DIR\n");
    return 2;
  }
  if (std::string(facekit::version()) != FACEKIT_VERSION) {
    std::fprintf(stderr, "headers %s, library %s\n", FACEKIT_VERSION, facekit::version());
    return 1;
  }
  std::printf("facekit %s\n", facekit::version());
  std::printf("recognizers:");
  for (const auto& name : facekit::recognizer_names()) std::printf(" %s", name.c_str());
  std::printf("\ndetectors:");
  for (const auto& name : facekit::detector_names()) std::printf(" %s", name.c_str());
  std::printf("\n");

  const std::string png = (std::filesystem::path(argv[1]) / "grey.png").string();
  facekit::write_image(png, cv::Mat(24, 32, CV_8UC3, cv::Scalar(10, 20, 30)));
  const cv::Mat back = facekit::read_image(png);
  std::printf("image %dx%d\n", back.cols, back.rows);
  try {
    facekit::read_image(png + ".absent");
    std::fprintf(stderr, "no error for a missing image\n");
    return 1;
  } catch (const facekit::Error& e) {
    std::printf("caught facekit::Error\n");
  }
  return back.cols == 32 && back.rows == 24 ? 0 : 1;
}
