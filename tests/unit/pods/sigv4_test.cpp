#include "pods/sigv4.h"

#include <doctest/doctest.h>

using namespace podstack::pods;

namespace {
constexpr const char* kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
}

// AWS's Signature Version 4 test suite (aws-c-auth/tests/aws-signing-test-suite/v4), credentials
// AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, us-east-1, service "service".
TEST_CASE("sigv4 matches AWS's get-vanilla and post-vanilla test vectors") {
  AwsCredentials c{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  SigV4Request r{"GET", "/", {}, {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}}, kEmptyHash};
  auto s = sigv4_sign(r, c, "us-east-1", "service", "20150830T123600Z");
  CHECK(s.canonical_request ==
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + std::string(kEmptyHash));
  CHECK(s.string_to_sign ==
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  CHECK(s.authorization ==
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  r.method = "POST";
  CHECK(sigv4_sign(r, c, "us-east-1", "service", "20150830T123600Z").signature ==
        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

// The S3 "GET Object" example of the S3 SigV4 documentation (sig-v4-header-based-auth.html).
TEST_CASE("sigv4 matches the S3 documentation's GetObject example") {
  AwsCredentials c{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  SigV4Request r{"GET",
                 "/test.txt",
                 {},
                 {{"Host", "examplebucket.s3.amazonaws.com"},
                  {"Range", "bytes=0-9"},
                  {"x-amz-content-sha256", kEmptyHash},
                  {"x-amz-date", "20130524T000000Z"}},
                 kEmptyHash};
  auto s = sigv4_sign(r, c, "us-east-1", "s3", "20130524T000000Z");
  CHECK(s.string_to_sign ==
        "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
        "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  CHECK(s.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST_CASE("query strings are encoded and sorted; paths keep their slashes") {
  CHECK(uri_encode("a b/c~d=e", true) == "a%20b/c~d%3De");
  CHECK(uri_encode("a/b", false) == "a%2Fb");
  AwsCredentials c{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  SigV4Request r{"GET", "/", {{"prefix", "p/x"}, {"list-type", "2"}}, {{"host", "h"}}, kEmptyHash};
  auto s = sigv4_sign(r, c, "us-east-1", "s3", "20150830T123600Z");
  CHECK(s.canonical_request.find("\nlist-type=2&prefix=p%2Fx\n") != std::string::npos);
  CHECK(amz_date_now().size() == 16);
}
