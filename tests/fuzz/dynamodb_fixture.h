// The fixed names, values and item the DynamoDB expression and PartiQL
// fuzzers evaluate against: every attribute type, nested maps and lists, so
// that whatever an expression names exists in some shape.
#pragma once
#include <boost/json.hpp>

#include "server/services/dynamodb/expression.h"

namespace podstack::fuzz {

inline const boost::json::object& ddb_names() {
  static const boost::json::object o = boost::json::parse(R"({
    "#a":"a","#b":"b","#c":"c","#l":"l","#m":"m","#n":"n","#s":"ss","#k":"pk","#d":"a.b"
  })").as_object();
  return o;
}

inline const boost::json::object& ddb_values() {
  static const boost::json::object o = boost::json::parse(R"({
    ":s":{"S":"hello"},":t":{"S":"he"},":n":{"N":"5"},":m":{"N":"-1.5E3"},":z":{"N":"0"},
    ":big":{"N":"99999999999999999999999999999999999999"},":b":{"B":"abc"},
    ":ss":{"SS":["a","b"]},":ns":{"NS":["1","2.5"]},":bs":{"BS":["x"]},
    ":l":{"L":[{"S":"x"},{"N":"1"}]},":e":{"L":[]},":map":{"M":{"a":{"S":"x"},"b":{"L":[{"N":"2"}]}}},
    ":true":{"BOOL":true},":null":{"NULL":true}
  })").as_object();
  return o;
}

inline const dynamodb::Item& ddb_item() {
  static const dynamodb::Item item = dynamodb::item_from_json(boost::json::parse(R"({
    "pk":{"S":"k"},"a":{"S":"hello"},"b":{"N":"5"},"c":{"BOOL":false},"n":{"NULL":true},
    "l":{"L":[{"S":"x"},{"N":"1"},{"L":[{"N":"2"}]},{"M":{"q":{"S":"r"}}}]},
    "m":{"M":{"a":{"S":"x"},"b":{"L":[{"N":"2"}]},"c":{"M":{"d":{"N":"7"}}}}},
    "ss":{"SS":["a","b"]},"ns":{"NS":["1","3"]},"bs":{"BS":["x","y"]},"bin":{"B":"abc"},
    "a.b":{"S":"dotted"}
  })"));
  return item;
}

// After an update the item must still be one DynamoDB could store: its wire
// form reads back (no empty sets, valid numbers) to the same item.
inline bool item_round_trips(const dynamodb::Item& item, std::string& why) {
  try {
    dynamodb::Item again = dynamodb::item_from_json(dynamodb::item_to_json(item));
    if (dynamodb::item_bytes(again) != dynamodb::item_bytes(item)) {
      why = "the item changes through its wire form";
      return false;
    }
  } catch (const protocol::ApiError& e) {
    why = "the updated item is not a valid item: " + e.message;
    return false;
  }
  return true;
}

}  // namespace podstack::fuzz
