// Placeholder until alignment is written.
#include "facekit/align.h"
#include "facekit/error.h"

namespace facekit {}  // namespace facekit
