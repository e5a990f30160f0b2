// The OpenAPI 3 document of the route table: every route the server
// registers is described, because both come from the same table.
#include <cctype>

#include "facekit/doctor.h"
#include "serve/service.h"

namespace facekit::serve {

namespace {

Json schema_of(const std::string& type) {
  if (type == "image" || type == "video") return {{"type", "string"}, {"format", "binary"}};
  if (type == "array") return {{"type", "array"}, {"items", {{"type", "string"}}}};
  return {{"type", type}};
}

Json error_response(const std::string& description) {
  return {{"description", description},
          {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

}  // namespace

Json openapi_document(const std::vector<Route>& routes) {
  Json paths = Json::object();
  for (const Route& r : routes) {
    Json parameters = Json::array();
    Json body_properties = Json::object();
    for (const Param& p : r.params) {
      if (p.in == "body") {
        Json property = schema_of(p.type);
        property["description"] = p.description;
        body_properties[p.name] = property;
      } else {
        parameters.push_back({{"name", p.name}, {"in", p.in}, {"required", p.in == "path"},
                              {"description", p.description}, {"schema", schema_of(p.type)}});
      }
    }
    Json operation = {{"summary", r.summary}};
    if (!parameters.empty()) operation["parameters"] = parameters;
    if (!body_properties.empty()) {
      const Json schema = {{"type", "object"}, {"properties", body_properties}};
      operation["requestBody"] = {{"content", {{"multipart/form-data", {{"schema", schema}}},
                                               {"application/json", {{"schema", schema}}}}}};
      for (const Param& p : r.params)  // a clip may also be the body itself
        if (p.type == "video") operation["requestBody"]["content"]["application/octet-stream"] = {{"schema", schema_of("video")}};
    }
    Json responses = {{"200", {{"description", "the answer (JSON)"}}},
                      {"400", error_response("a bad request; code 28: no face found")}};
    if (r.access != Access::kOpen) {
      responses["401"] = error_response("no or unknown API key");
      operation["security"] = Json::array({{{"bearer", Json::array()}}, {{"apiKey", Json::array()}}});
    }
    if (r.access == Access::kWrite) responses["403"] = error_response("a read-only key, or one for another gallery");
    if (r.computes) responses["503"] = error_response("too many requests in flight (see Retry-After)");
    operation["responses"] = responses;
    std::string method = r.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[r.path][method] = operation;
  }
  return {{"openapi", "3.0.3"},
          {"info", {{"title", "facekit"}, {"version", version()},
                    {"description", "face detection, recognition and analysis; deepface- and CompreFace-shaped routes"}}},
          {"paths", paths},
          {"components",
           {{"securitySchemes",
             {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
              {"apiKey", {{"type", "apiKey"}, {"in", "header"}, {"name", "x-api-key"}}}}},
            {"schemas",
             {{"Error",
               {{"type", "object"},
                {"properties",
                 {{"error", {{"type", "string"}}}, {"message", {{"type", "string"}}}, {"code", {{"type", "integer"}}}}},
                {"required", {"error", "message", "code"}}}}}}}}};
}

}  // namespace facekit::serve
