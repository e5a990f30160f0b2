// Names as bytes: a file or person name is whatever bytes a file system
// allows, not necessarily UTF-8, and may hold control characters. These say
// how such a name is shown to a person (printable) and written into JSON
// (json.h's put_name).
#pragma once

#include <string>
#include <string_view>

namespace facekit {

// Whether `bytes` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
bool is_utf8(std::string_view bytes);

// `bytes` as valid UTF-8: each byte that does not start a well-formed
// sequence becomes U+FFFD (the replacement character), one per byte; valid
// text is returned unchanged.
std::string to_utf8_lossy(std::string_view bytes);

// `bytes` safe to print on a terminal, on one line: control characters (C0,
// DEL and the C1 code points U+0080–U+009F, which start terminal escape
// sequences) and bytes that are not UTF-8 are written \xNN (each byte), a
// backslash as \\; everything else (printable UTF-8) unchanged. So a newline
// in a path cannot split an error line and a name cannot drive the terminal.
std::string printable(std::string_view bytes);

// RFC 4648 base64 (with padding) of `bytes`.
std::string base64(std::string_view bytes);

}  // namespace facekit
