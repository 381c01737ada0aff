// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>
#include <string>

#include "sim/sha256.hpp"

using breachsim::sim::sha256_hex;

// Expected digests from FIPS 180-4's examples (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf").
TEST_CASE("sha256 matches the FIPS 180-4 example vectors", "[sha256]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Lengths around the points where the 9 bytes of padding stop fitting in the last block
// (55 fits, 56 spills into a second block) and around whole blocks (64, 120). Expected
// values are GNU coreutils `sha256sum` of the same bytes, e.g. for 56:
//   printf 'The quick brown fox jumps over the lazy dog. %.0s' 1 2 3 | head -c 56 | sha256sum
TEST_CASE("sha256 pads correctly at block boundaries", "[sha256]") {
  std::string text;
  for (int i = 0; i < 3; ++i) text += "The quick brown fox jumps over the lazy dog. ";
  struct Case {
    std::size_t length;
    const char* digest;
  };
  const Case cases[] = {
      {55, "24f97e70d9742a384ecd9abb0a543b15eba57b06aa5084991a5d6705a32bfe1f"},
      {56, "f1629a1264c01780c6a928c503a7b440059992800034238d1ce1fc439f7f2038"},
      {57, "253e09b260da286c951de78eaabb1ed5fdc2c9d19ff25a6d4363a1c06caf9597"},
      {63, "f35d185537ff4332e1c413bd5875ae84554231d2205332bf8076c3ffdea82e0e"},
      {64, "3e65a688760ada5cffafb936ef148f2399478da10c177369b4ff6931e0df2881"},
      {65, "dea97e0b2552edb41fe9bbb4fef494b7374306bbcb9be507fbff71ae3e621058"},
      {119, "693ec834a9f17110c83394a10636ca8fddcb77b6fc3c570c36622153d01cec0c"},
      {120, "31391c3f849493441c34ffcf97c909e5235f78f1c14db6711d936b9f9b7ae81b"},
  };
  for (const Case& c : cases) {
    INFO("length " << c.length);
    CHECK(sha256_hex(text.substr(0, c.length)) == c.digest);
  }
}

TEST_CASE("sha256 hashes bytes, including NUL and high bytes", "[sha256]") {
  // printf 'a\0b\377' | sha256sum
  CHECK(sha256_hex(std::string("a\0b\xff", 4)) ==
        "a37cc3026aae4d519e0b19c298fa913b4dccfdf0658cbccbb7deaa0226d5acdb");
}
