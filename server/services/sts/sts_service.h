// STS: identity and temporary credentials. Nothing here changes state, so
// no operation emits events: credentials carry their principal themselves
// (sts_util.h, docs/decisions.md "Assumed credentials carry their account").
// AWS reference: https://docs.aws.amazon.com/STS/latest/APIReference/
#pragma once
#include <memory>

#include "server/service.h"

namespace podstack {
std::unique_ptr<Service> make_sts_service();
}

namespace podstack::sts {

class StsService final : public StatelessService<StsService> {
 public:
  static constexpr std::string_view kName = "sts";

  static const Table& operations();

  // sts_service.cpp
  void get_caller_identity(const Request& req, Decision& out) const;
  void get_access_key_info(const Request& req, Decision& out) const;
  void get_session_token(const Request& req, Decision& out) const;
  // sts_federation.cpp
  void assume_role(const Request& req, Decision& out) const;
  void assume_role_with_web_identity(const Request& req, Decision& out) const;
  void assume_role_with_saml(const Request& req, Decision& out) const;
  void get_federation_token(const Request& req, Decision& out) const;
};

}  // namespace podstack::sts
