// libFuzzer target for the TFLite loader: any bytes either load or raise one
// facekit::Error; anything else (a crash, a sanitizer report, another
// exception type) is a bug.
#include <cstddef>
#include <cstdint>

#include "facekit/error.h"
#include "facekit/nn/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    facekit::nn::load_tflite_bytes("fuzz.tflite", data, size);
  } catch (const facekit::Error&) {
  }
  return 0;
}
