// AssumeRole and the federation operations: credentials for a role (by an
// IAM caller, a web identity token, a SAML assertion) or a federated user.
// Nothing is verified (no signatures, no trust policies): what the tokens
// claim is reported back, as AWS reports it.
#include <cctype>

#include "base/digest.h"
#include "server/protocol/encoding.h"
#include "server/services/arn.h"
#include "server/services/sts/sts_errors.h"
#include "server/services/sts/sts_service.h"
#include "server/services/sts/sts_util.h"

namespace podstack::sts {
namespace {

// The session of an AssumeRole* call: credentials and the assumed-role user.
json::object role_session(const Request& req, std::string_view role_arn, std::string_view session, int64_t duration) {
  Principal p = assumed_role(req.ctx, role_arn, session);
  json::object o;
  o["Credentials"] = issue_credentials(req.ctx, p, duration);
  o["AssumedRoleUser"] = assumed_role_user(p);
  packed_policy_size(req.in, o);
  return o;
}

// The claims of a JWT (header.payload.signature, base64url); empty when the
// token is not one.
json::object jwt_claims(std::string_view token) {
  size_t a = token.find('.');
  if (a == std::string_view::npos) return {};
  size_t b = token.find('.', a + 1);
  std::string part(token.substr(a + 1, b == std::string_view::npos ? std::string_view::npos : b - a - 1));
  for (auto& c : part) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (part.size() % 4) part += '=';
  auto bytes = protocol::base64_decode(part);
  if (!bytes) return {};
  boost::system::error_code ec;
  json::value v = json::parse(*bytes, ec);
  if (ec || !v.is_object()) return {};
  return std::move(v.as_object());
}

std::string claim(const json::object& claims, std::string_view name) {
  auto* v = claims.if_contains(name);
  if (!v) return {};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_array() && !v->as_array().empty() && v->as_array()[0].is_string()) return std::string(v->as_array()[0].as_string());
  return {};
}

// ---- a SAML 2.0 response, read just enough: elements by local name ----

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The next start tag named `local` (any namespace prefix) at or after `from`:
// [start of its attributes, end of the tag) and the position after it.
struct Tag {
  std::string_view attrs;
  size_t content = std::string_view::npos;  // after '>'
};
Tag find_tag(std::string_view xml, std::string_view local, size_t from = 0) {
  for (size_t p = xml.find('<', from); p != std::string_view::npos; p = xml.find('<', p + 1)) {
    size_t name_end = xml.find_first_of(" \t\r\n/>", p + 1);
    if (name_end == std::string_view::npos) break;
    std::string_view name = xml.substr(p + 1, name_end - p - 1);
    if (name.empty() || name[0] == '/' || name[0] == '?' || name[0] == '!') continue;
    if (size_t colon = name.find(':'); colon != std::string_view::npos) name.remove_prefix(colon + 1);
    if (name != local) continue;
    size_t end = xml.find('>', name_end);
    if (end == std::string_view::npos) break;
    return Tag{xml.substr(name_end, end - name_end), end + 1};
  }
  return {};
}
std::string_view text_after(std::string_view xml, const Tag& t) {
  if (t.content == std::string_view::npos || (!t.attrs.empty() && t.attrs.back() == '/')) return {};
  size_t end = xml.find('<', t.content);
  return trim(xml.substr(t.content, end == std::string_view::npos ? std::string_view::npos : end - t.content));
}
std::string_view attribute(std::string_view attrs, std::string_view name) {
  for (size_t p = attrs.find(name); p != std::string_view::npos; p = attrs.find(name, p + 1)) {
    bool starts = p > 0 && std::isspace(static_cast<unsigned char>(attrs[p - 1]));
    size_t q = p + name.size();
    while (q < attrs.size() && std::isspace(static_cast<unsigned char>(attrs[q]))) ++q;
    if (!starts || q >= attrs.size() || attrs[q] != '=') continue;
    ++q;
    while (q < attrs.size() && std::isspace(static_cast<unsigned char>(attrs[q]))) ++q;
    if (q >= attrs.size() || (attrs[q] != '"' && attrs[q] != '\'')) continue;
    size_t end = attrs.find(attrs[q], q + 1);
    if (end == std::string_view::npos) return {};
    return attrs.substr(q + 1, end - q - 1);
  }
  return {};
}
// The first AttributeValue of the Attribute named `name`.
std::string_view saml_attribute(std::string_view xml, std::string_view name) {
  for (Tag t = find_tag(xml, "Attribute"); t.content != std::string_view::npos; t = find_tag(xml, "Attribute", t.content))
    if (attribute(t.attrs, "Name") == name) return text_after(xml, find_tag(xml, "AttributeValue", t.content));
  return {};
}

}  // namespace

void StsService::assume_role(const Request& req, Decision& d) const {
  std::string_view role_arn = req.in.str("RoleArn");
  std::string_view session = req.in.str("RoleSessionName");
  check_name_pattern(session, "roleSessionName");
  d.output = role_session(req, role_arn, session, req.in.opt_int("DurationSeconds").value_or(3600));
}

// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
// SubjectFromWebIdentityToken: the token's `sub`; Audience: its `aud`;
// Provider: ProviderId (OAuth 2.0) or the token's `iss` (OpenID Connect).
void StsService::assume_role_with_web_identity(const Request& req, Decision& d) const {
  std::string_view role_arn = req.in.str("RoleArn");
  std::string_view session = req.in.str("RoleSessionName");
  check_name_pattern(session, "roleSessionName");
  json::object claims = jwt_claims(req.in.str("WebIdentityToken"));
  json::object o = role_session(req, role_arn, session, req.in.opt_int("DurationSeconds").value_or(3600));
  if (std::string sub = claim(claims, "sub"); !sub.empty()) o["SubjectFromWebIdentityToken"] = std::move(sub);
  if (std::string aud = claim(claims, "aud"); !aud.empty()) o["Audience"] = std::move(aud);
  std::string provider = req.in.str_or("ProviderId", "");
  if (provider.empty()) provider = claim(claims, "iss");
  if (!provider.empty()) o["Provider"] = std::move(provider);
  d.output = std::move(o);
}

// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html
// The session name is the assertion's RoleSessionName attribute; Subject and
// SubjectType its NameID; Issuer the assertion's issuer; Audience the
// SubjectConfirmationData's Recipient; NameQualifier
// base64(sha1(Issuer + account + "/" + provider name)).
void StsService::assume_role_with_saml(const Request& req, Decision& d) const {
  std::string_view role_arn = req.in.str("RoleArn");
  std::string_view principal_arn = req.in.str("PrincipalArn");
  check_arn(principal_arn);
  auto xml_bytes = protocol::base64_decode(trim(req.in.str("SAMLAssertion")));
  if (!xml_bytes || xml_bytes->find('<') == std::string::npos)
    throw invalid_identity_token("Invalid base64 SAMLResponse (check that there is no whitespace): Invalid base64 character");
  std::string_view xml = *xml_bytes;
  // The Assertion's own Issuer, else the Response's.
  Tag assertion = find_tag(xml, "Assertion");
  std::string_view issuer = text_after(xml, find_tag(xml, "Issuer", assertion.content == std::string_view::npos ? 0 : assertion.content));
  if (issuer.empty()) issuer = text_after(xml, find_tag(xml, "Issuer"));
  Tag name_id = find_tag(xml, "NameID");
  std::string_view subject = text_after(xml, name_id);
  std::string_view format = attribute(name_id.attrs, "Format");
  std::string_view recipient = attribute(find_tag(xml, "SubjectConfirmationData").attrs, "Recipient");
  std::string session(saml_attribute(xml, "https://aws.amazon.com/SAML/Attributes/RoleSessionName"));
  if (session.empty()) session = std::string(subject);
  if (session.empty())
    throw invalid_identity_token("The SAML assertion does not name a RoleSessionName (https://aws.amazon.com/SAML/Attributes/RoleSessionName).");
  int64_t duration = 3600;
  if (std::string_view sd = saml_attribute(xml, "https://aws.amazon.com/SAML/Attributes/SessionDuration");
      !sd.empty() && sd.size() < 7 && sd.find_first_not_of("0123456789") == std::string_view::npos)
    duration = std::stoll(std::string(sd));
  duration = req.in.opt_int("DurationSeconds").value_or(duration);

  json::object o = role_session(req, role_arn, session, duration);
  if (!issuer.empty()) o["Issuer"] = std::string(issuer);
  if (!recipient.empty()) o["Audience"] = std::string(recipient);
  if (!subject.empty()) o["Subject"] = std::string(subject);
  constexpr std::string_view kFormatPrefix = "urn:oasis:names:tc:SAML:2.0:nameid-format:";
  if (format.rfind(kFormatPrefix, 0) == 0) format.remove_prefix(kFormatPrefix.size());
  if (!format.empty()) o["SubjectType"] = std::string(format);
  RoleRef provider = parse_role_arn(principal_arn);  // its account and its last path element
  std::string account = provider.account.empty() ? req.ctx.account : provider.account;
  o["NameQualifier"] = protocol::base64_encode(digest(DigestAlgorithm::kSha1, std::string(issuer) + account + "/" + provider.name));
  d.output = std::move(o);
}

// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
void StsService::get_federation_token(const Request& req, Decision& d) const {
  std::string name(req.in.str("Name"));
  check_name_pattern(name, "name");
  const CallContext& ctx = req.ctx;
  Principal p{ctx.account, ctx.account + ":" + name, arn_prefix(ctx.region) + "sts::" + ctx.account + ":federated-user/" + name};
  json::object o;
  o["Credentials"] = issue_credentials(ctx, p, req.in.opt_int("DurationSeconds").value_or(43200));
  json::object user;
  user["FederatedUserId"] = p.user_id;
  user["Arn"] = p.arn;
  o["FederatedUser"] = std::move(user);
  packed_policy_size(req.in, o);
  d.output = std::move(o);
}

}  // namespace podstack::sts
