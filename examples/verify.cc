// Are the faces of two photos the same person? facekit's engine API in a few
// lines (README, "From C++"); built and run by ctest (tests/example_verify_test.sh).
//
//   example_verify a.jpg b.jpg
//
// Prints `facekit verify`'s JSON; exits 0 for the same person, 2 for
// different people, 1 with a message for an unreadable image, one without a
// face or a missing model.
#include <iostream>

#include <facekit/engine.h>
#include <facekit/error.h>
#include <facekit/json.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: " << argv[0] << " IMAGE_A IMAGE_B\n";
    return 1;
  }
  try {
    facekit::Engine engine;              // models load on first use, then stay
    facekit::VerifyRequest request;      // mobilefacenet, its calibrated threshold
    const facekit::VerifyResult result =
        engine.verify(facekit::read_named_image(argv[1]), facekit::read_named_image(argv[2]), request);
    std::cout << facekit::dump(facekit::to_json(result), 2) << "\n";
    return result.decision.verified ? 0 : 2;
  } catch (const facekit::Error& e) {    // names the image or model and the reason
    std::cerr << "example_verify: " << e.what() << "\n";
    return 1;
  }
}
