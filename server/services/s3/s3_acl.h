// S3 access control lists as stored: a JSON array of AWS's Grant shape
// ({"Grantee": {...,"Type"}, "Permission"}); empty means the default, the
// owner's FULL_CONTROL. ACLs are stored and answered, not enforced (podstack
// checks no credentials), except that a bucket whose ObjectOwnership is
// BucketOwnerEnforced refuses them as AWS does.
#pragma once
#include <optional>
#include <string>

#include "server/service.h"
#include "server/services/s3/s3_state.h"

namespace podstack::s3 {

// The ACL a request sets: AccessControlPolicy (Put*Acl only), a canned
// x-amz-acl, or x-amz-grant-* headers; nullopt when it names none. Throws
// AWS's errors for a mix of them, an unknown group or a bad grant header.
// The canned "private" (and bucket-owner-full-control) is "".
std::optional<std::string> acl_from_input(const Input& in);
// The grants a stored ACL answers with.
json::array acl_grants(const std::string& stored);
// AccessControlListNotSupported when the bucket's ObjectOwnership is
// BucketOwnerEnforced and `acl` grants anything beyond the owner.
void check_acls_allowed(const BucketState& b, const std::string& acl);

}  // namespace podstack::s3
