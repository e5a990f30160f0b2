// The JSON of the engine's results (include/facekit/json.h) and the printable
// form of names (include/facekit/text.h): any byte string as a name gives
// valid UTF-8 JSON from which the exact bytes come back (issue 14, item 2:
// one non-UTF-8 person name used to break every `find`), and text output
// escapes control characters. Checked against RFC 4648's base64 test vectors
// and the UTF-8 rules of RFC 3629.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "facekit/json.h"
#include "facekit/text.h"

namespace facekit {
namespace {

// Decodes base64 independently of base64(): by the RFC's alphabet.
std::string from_base64(const std::string& text) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=') break;
    bits = (bits << 6) | static_cast<uint32_t>(alphabet.find(c));
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

TEST(TextTest, Base64MatchesRfc4648TestVectors) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64("Jos\xe9"), "Sm9z6Q==");
}

TEST(TextTest, Utf8ValidityFollowsRfc3629) {
  EXPECT_TRUE(is_utf8(""));
  EXPECT_TRUE(is_utf8("Zo\xc3\xab"));                  // Zoë
  EXPECT_TRUE(is_utf8("\xe2\x82\xac \xf0\x9f\x98\x80"));  // € 😀
  EXPECT_FALSE(is_utf8("Jos\xe9"));                      // Latin-1
  EXPECT_FALSE(is_utf8("bad\xff.jpg"));
  EXPECT_FALSE(is_utf8("\xc0\xaf"));              // overlong '/'
  EXPECT_FALSE(is_utf8("\xed\xa0\x80"));          // a surrogate
  EXPECT_FALSE(is_utf8("\xf4\x90\x80\x80"));      // above U+10FFFF
  EXPECT_FALSE(is_utf8("\xe2\x82"));              // cut short
  EXPECT_EQ(to_utf8_lossy("Jos\xe9"), "Jos\xef\xbf\xbd");
  EXPECT_EQ(to_utf8_lossy("a\xe2\x82" "b"), "a\xef\xbf\xbd\xef\xbf\xbd" "b");  // one U+FFFD per byte
  EXPECT_EQ(to_utf8_lossy("Zo\xc3\xab"), "Zo\xc3\xab");
}

TEST(TextTest, PrintableEscapesControlsAndBadBytesOnly) {
  EXPECT_EQ(printable("Zo\xc3\xab O'Brien"), "Zo\xc3\xab O'Brien");
  EXPECT_EQ(printable("a\nb.jpg"), "a\\x0ab.jpg");
  EXPECT_EQ(printable("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
  EXPECT_EQ(printable("csi\xc2\x9b" "2J"), "csi\\xc2\\x9b2J");  // C1 control U+009B
  EXPECT_EQ(printable("del\x7f"), "del\\x7f");
  EXPECT_EQ(printable("Jos\xe9"), "Jos\\xe9");
  EXPECT_EQ(printable("back\\slash"), "back\\\\slash");
}

TEST(JsonTest, ANonUtf8NameIsReadableAndItsBytesComeBack) {
  FindResult r;
  r.image = "query\xff.jpg";
  r.model = "mobilefacenet";
  r.metric = "cosine";
  r.threshold = 0.4;
  r.aggregation = "best";
  FoundFace face;
  face.identification.identity = "Jos\xe9";
  face.identification.candidates = {{"Jos\xe9", 0.1}, {"Zo\xc3\xab", 0.5}};
  r.faces.push_back(face);
  const std::string text = dump(to_json(r));  // threw json type_error 316 before
  const auto parsed = nlohmann::json::parse(text);  // strict: valid UTF-8 JSON
  EXPECT_EQ(parsed["image"], "query\xef\xbf\xbd.jpg");
  EXPECT_EQ(from_base64(parsed["image_bytes"]), "query\xff.jpg");
  const auto& f = parsed["faces"][0];
  EXPECT_EQ(f["identity"], "Jos\xef\xbf\xbd");
  EXPECT_EQ(from_base64(f["identity_bytes"]), "Jos\xe9");
  EXPECT_EQ(from_base64(f["candidates"][0]["identity_bytes"]), "Jos\xe9");
  // A valid name has no twin.
  EXPECT_EQ(f["candidates"][1]["identity"], "Zo\xc3\xab");
  EXPECT_FALSE(f["candidates"][1].contains("identity_bytes"));
  EXPECT_FALSE(parsed.contains("model_bytes"));
}

TEST(JsonTest, ShapesKeepTheirKeysInOrder) {
  DetectResult d{"a.jpg", 640, 480, "ssd", {}};
  EXPECT_EQ(dump(to_json(d)), R"({"image":"a.jpg","width":640,"height":480,"detector":"ssd","faces":[]})");
  EnrollResult e;
  e.db = "people.db";
  e.model = "faceapi";
  e.added = 3;
  e.people = 3;
  e.vectors = 3;
  EXPECT_EQ(dump(to_json(e)),
            R"({"db":"people.db","model":"faceapi","added":3,"replaced":0,"unchanged":0,"duplicates":0,)"
            R"("faceless":0,"unreadable":0,"people":3,"vectors":3})");
}

}  // namespace
}  // namespace facekit
