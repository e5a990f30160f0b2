// JSON values (json.h's results) as Python objects.
#include "bindings.h"

namespace facekit::python {

py::object to_python(const Json& json) {
  switch (json.type()) {
    case Json::value_t::null: return py::none();
    case Json::value_t::boolean: return py::bool_(json.get<bool>());
    case Json::value_t::number_integer: return py::int_(json.get<int64_t>());
    case Json::value_t::number_unsigned: return py::int_(json.get<uint64_t>());
    case Json::value_t::number_float: return py::float_(json.get<double>());
    case Json::value_t::string: return py::str(json.get_ref<const std::string&>());
    case Json::value_t::array: {
      py::list list(json.size());
      for (size_t i = 0; i < json.size(); ++i) list[i] = to_python(json[i]);
      return list;
    }
    case Json::value_t::object: {
      py::dict dict;
      for (const auto& [key, value] : json.items()) dict[py::str(key)] = to_python(value);
      return dict;
    }
    case Json::value_t::binary:
    case Json::value_t::discarded: break;
  }
  throw py::value_error("a result holds a JSON value of no JSON type");  // json.h never makes one
}

}  // namespace facekit::python
