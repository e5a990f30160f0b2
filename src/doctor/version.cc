#include "facekit/version.h"

#include "facekit/doctor.h"

namespace facekit {

const char* version() { return FACEKIT_VERSION; }

}  // namespace facekit
