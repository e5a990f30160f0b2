// The service's input parsing, against hand-computed answers: API key lines
// and their lookup, base64 (RFC 4648's test vectors), Prometheus labels.
#include <gtest/gtest.h>

#include "facekit/error.h"
#include "serve/api_keys.h"
#include "serve/metrics.h"
#include "serve/request_fields.h"

namespace facekit::serve {
namespace {

std::string text_of(const std::optional<std::vector<uint8_t>>& bytes) {
  return bytes ? std::string(bytes->begin(), bytes->end()) : "<not base64>";
}

TEST(ServeInputsTest, Base64DecodesRfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"Zg==", "f"}, {"Zm8=", "fo"}, {"Zm9v", "foo"}, {"Zm9vYg==", "foob"}, {"Zm9vYmE=", "fooba"}, {"Zm9vYmFy", "foobar"}};
  for (const auto& [encoded, plain] : vectors) EXPECT_EQ(text_of(decode_base64(encoded)), plain) << encoded;
  EXPECT_EQ(text_of(decode_base64("Zm9v\nYmFy")), "foobar");  // line breaks ignored
  EXPECT_EQ(text_of(decode_base64("Zm9vYg")), "foob");        // padding optional
  EXPECT_EQ(text_of(decode_base64("-_8")), "\xfb\xff");       // URL-safe alphabet
}

TEST(ServeInputsTest, Base64RefusesWhatIsNot) {
  for (const char* bad : {"", "Z", "Zm9v!", "Zg==Zg", "Zg===", "../etc/passwd", "a b.jpg"})
    EXPECT_FALSE(decode_base64(bad)) << bad;
}

TEST(ServeInputsTest, KeyLinesAndTheirRights) {
  const auto keys = parse_api_keys(
      "# comment\n\nfull-key-0123456789abcdef\r\nread-key-0123456789abcdef read-only;"
      "team-key-0123456789abcdef gallery=team read-only\n",
      "keys");
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_FALSE(keys[0].read_only);
  EXPECT_TRUE(keys[0].gallery.empty());
  EXPECT_TRUE(keys[1].read_only);
  EXPECT_EQ(keys[2].gallery, "team");
  EXPECT_TRUE(keys[2].read_only);
  const KeyRing ring(keys);
  ASSERT_NE(ring.find("read-key-0123456789abcdef"), nullptr);
  EXPECT_TRUE(ring.find("read-key-0123456789abcdef")->read_only);
  ASSERT_NE(ring.find("team-key-0123456789abcdef"), nullptr);
  EXPECT_EQ(ring.find("team-key-0123456789abcdef")->gallery, "team");
  EXPECT_EQ(ring.find("team-key-0123456789abcde"), nullptr);   // a prefix
  EXPECT_EQ(ring.find("team-key-0123456789abcdefg"), nullptr);  // longer
  EXPECT_EQ(ring.find(""), nullptr);
}

TEST(ServeInputsTest, BadKeyLinesNameTheLine) {
  auto error_of = [](const std::string& text) {
    try {
      parse_api_keys(text, "keys");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of("\nshort"), "keys:2: a key must have at least 16 characters (e.g. `openssl rand -hex 24`)");
  EXPECT_EQ(error_of("aaaaaaaaaaaaaaaa writeable"),
            "keys:1: unknown word 'writeable' (expected: KEY [read-only] [gallery=NAME])");
  EXPECT_EQ(error_of("aaaaaaaaaaaaaaaa gallery="), "keys:1: gallery= needs a name");
  EXPECT_EQ(error_of("aaaaaaaaaaaaaaaa\naaaaaaaaaaaaaaaa read-only"), "keys:2: this key is given twice");
  EXPECT_EQ(error_of("aaaaaaaaaaaaaaa\xc3\xa9"), "keys:1: a key must be printable ASCII");
}

TEST(ServeInputsTest, PresentedKey) {
  EXPECT_EQ(presented_key("Bearer abc", "xyz"), "abc");
  EXPECT_EQ(presented_key("Basic abc", "xyz"), "xyz");
  EXPECT_EQ(presented_key("Bearer ", "xyz"), "xyz");
  EXPECT_EQ(presented_key("", ""), "");
}

TEST(ServeInputsTest, MetricsCountAndEscape) {
  EXPECT_EQ(label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  Metrics metrics;
  metrics.record("POST /verify", 200, 0.02);
  metrics.record("POST /verify", 400, 3);
  const std::string text = metrics.prometheus_text();
  EXPECT_NE(text.find("facekit_http_requests_total{route=\"POST /verify\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("facekit_http_errors_total{route=\"POST /verify\"} 1\n"), std::string::npos) << text;
  // 0.02 s is under the 0.025 bucket, 3 s only under 5 and above.
  EXPECT_NE(text.find("le=\"0.025\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("le=\"2.5\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("le=\"5\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("le=\"+Inf\"} 2\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace facekit::serve
