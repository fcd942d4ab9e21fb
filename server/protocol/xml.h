// A small, strict XML reader for request bodies of the rest-xml and query
// protocols (S3 CreateBucketConfiguration, DeleteObjects, ...): elements,
// attributes, text, entities, CDATA; comments, processing instructions and
// DOCTYPE-free documents only. Names keep their local part ("s3:Key" -> "Key").
// And xml_to_dict: a document as the JSON LocalStack makes of query responses.
#pragma once
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace podstack::protocol {

struct XmlNode {
  std::string name;
  std::string text;  // concatenated character data directly inside this element
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<XmlNode> children;

  const XmlNode* child(std::string_view n) const {
    for (auto& c : children)
      if (c.name == n) return &c;
    return nullptr;
  }
};

// nullopt and a one-line reason in *error for anything malformed.
std::optional<XmlNode> parse_xml(std::string_view in, std::string* error);

// The document as Python's xmltodict.parse gives it, without xmlns (what
// LocalStack answers a query-protocol request that accepts application/json):
// {root: value}, where an element's value is its text (leading and trailing
// whitespace stripped), null when empty, or an object of "@attribute"s, its
// children by name (repeated names: an array, in order) and "#text".
boost::json::value xml_to_dict(const XmlNode& root);

}  // namespace podstack::protocol
