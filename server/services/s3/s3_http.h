// What the gateway asks S3 before its model sees a request (Service's HTTP
// hooks): virtual-hosted addressing and S3's words for refused input.
#pragma once
#include <string>
#include <string_view>

#include "server/protocol/api_error.h"

namespace podstack::s3 {

// S3 virtual-hosted style: "bucket.s3.localhost.localstack.cloud",
// "bucket.localhost", "bucket.s3.us-east-1.amazonaws.com" -> "bucket"; else empty.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
std::string virtual_bucket(std::string_view host);
// The path the rest model matches: virtual-hosted requests get "/<bucket>" prepended.
std::string addressed_path(std::string_view host, std::string_view path);
// S3 has no ValidationException: a value the model refuses is InvalidArgument,
// or the specific code S3 uses for that member.
protocol::ApiError input_error(protocol::ApiError e);
// The bucket of an addressed path ("/bucket/key" -> "bucket").
std::string_view bucket_of(std::string_view addressed_path);

}  // namespace podstack::s3
