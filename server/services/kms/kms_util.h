// KMS helpers shared by the handler files: Limit/Marker paging and policy checks.
#pragma once
#include <cstdio>
#include <string>

#include "server/service.h"
#include "server/services/kms/kms_errors.h"
#include "server/services/pagination.h"

namespace podstack::kms {

// KMS pages with Limit and Marker, and answers NextMarker and Truncated; a
// marker it did not issue is InvalidMarkerException.
inline Page marker_page(const Input& in, int64_t default_max) {
  try {
    return Page(in, default_max, "Limit", "Marker");
  } catch (const ApiError&) {
    throw invalid_marker_exception();
  }
}
inline void emit_marker(const Page& page, json::object& out) {
  page.emit(out, "NextMarker");
  out["Truncated"] = out.contains("NextMarker");
}
// A position in a list as a key that sorts like the position.
inline std::string index_key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08d", i);
  return buf;
}

// A key policy must be a JSON object with a Statement: MalformedPolicyDocumentException.
void check_policy(std::string_view policy);

}  // namespace podstack::kms
