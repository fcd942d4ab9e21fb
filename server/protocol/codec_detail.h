// Helpers shared by the codecs (codec.cpp: json, query; rest_codec.cpp:
// rest-json, rest-xml). Not part of the protocol layer's interface.
#pragma once
#include <boost/json.hpp>
#include <optional>
#include <string>

#include "server/protocol/codec.h"

namespace podstack::protocol::detail {

std::string lower_first(std::string_view s);
[[noreturn]] void type_error(const std::string& path, std::string_view expected);
// JSON wire value -> internal value (type checks; base64 blobs decoded; timestamps to epoch seconds).
void normalise_json(const Shape& s, boost::json::value& v, const std::string& path);
// Text (query parameter, header, URI label, XML text) -> internal value.
std::optional<boost::json::value> query_scalar(const Shape& s, const std::string& raw, const std::string& key);
void blobs_to_base64(const Shape& s, boost::json::value& v);
bool shape_has_blob(const Shape& s, int depth = 0);
void scalar_text(const Shape& s, const boost::json::value& v, std::string& out);
void xml_value(const Shape& s, const boost::json::value& v, std::string_view name, bool flattened, std::string& out);
void xml_members(const Shape& s, const boost::json::object& o, std::string& out);
std::string json_content_type(const ServiceModel* model);

}  // namespace podstack::protocol::detail

namespace podstack::protocol {
boost::json::object parse_rest_input(const ServiceModel& model, const Operation& op, const HttpRequest& req);
WireResponse render_rest_output(const ServiceModel& model, const Operation& op, boost::json::value output,
                                std::string_view request_id);
}  // namespace podstack::protocol
