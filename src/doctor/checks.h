// The doctor's checks, one area each (include/facekit/doctor.h); each
// appends its findings.
#pragma once

#include <string>
#include <vector>

#include "facekit/doctor.h"

namespace facekit::doctor {

void check_version(std::vector<Finding>& out);
void check_models(bool verify, std::vector<Finding>& out);
void check_cpu(std::vector<Finding>& out);
void check_threads(std::vector<Finding>& out);
void check_databases(const std::string& location, std::vector<Finding>& out);
void check_optional_parts(const std::filesystem::path& tools_dir, std::vector<Finding>& out);

}  // namespace facekit::doctor
