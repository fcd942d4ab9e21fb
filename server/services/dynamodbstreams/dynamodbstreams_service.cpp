// DynamoDB Streams: ListStreams, DescribeStream, GetShardIterator,
// GetRecords. One shard per stream; a shard iterator is base64 of
// "arn\nshard\nnext sequence number to return".
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html
#include "server/services/dynamodbstreams/dynamodbstreams_service.h"

#include "server/protocol/encoding.h"
#include "server/services/dynamodb/hash.h"
#include "server/services/dynamodb/item.h"
#include "server/services/dynamodbstreams/dynamodbstreams_errors.h"

namespace podstack {
namespace dynamodbstreams {
namespace {

using dynamodb::StreamInfo;
using dynamodb::StreamRecord;

// arn:<partition>:dynamodb:<region>:<account>:table/<name>/stream/<label>
void check_stream_arn(std::string_view arn) {
  size_t table = arn.find(":table/"), stream = arn.find("/stream/");
  if (arn.rfind("arn:", 0) != 0 || arn.find(":dynamodb:") == std::string_view::npos || table == std::string_view::npos ||
      stream == std::string_view::npos || stream <= table + 7 || stream + 8 >= arn.size())
    throw invalid_stream_arn();
}

ApiError stream_not_found(std::string_view arn) {
  return resource_not_found("Requested resource not found: Stream: " + std::string(arn) + " not found");
}

// The sequence number after `seq` (decimal digits, incremented).
std::string next_after(std::string_view seq) {
  std::string s(seq);
  for (size_t i = s.size(); i-- > 0;) {
    if (s[i] < '9') {
      ++s[i];
      return s;
    }
    s[i] = '0';
  }
  return "1" + s;
}

}  // namespace

// The table a stream ARN names ("...:table/<name>/stream/<label>"); empty if none.
static std::string_view table_of(std::string_view arn) {
  size_t a = arn.find(":table/");
  if (a == std::string_view::npos) return {};
  arn.remove_prefix(a + 7);
  return arn.substr(0, arn.find("/stream/"));
}

void DynamoDbStreamsService::list_streams(const Request& req, Decision& out) const {
  // Pages by table name: Limit streams after ExclusiveStartStreamArn's table;
  // LastEvaluatedStreamArn when more remain.
  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_ListStreams.html
  json::array streams;
  std::string only = req.in.str_or("TableName", "");
  const int64_t limit = std::min<int64_t>(req.in.opt_int("Limit").value_or(100), 100);
  std::optional<std::string> after;
  if (auto start = req.in.opt_str("ExclusiveStartStreamArn")) after = std::string(table_of(*start));
  std::string last_arn;
  bool more = false;
  for (StreamInfo& s : source_.list_streams(req.ctx, only)) {
    if (after && s.table <= *after) continue;
    if (static_cast<int64_t>(streams.size()) >= limit) {
      more = true;
      break;
    }
    last_arn = s.arn;
    streams.push_back(json::object{{"StreamArn", std::move(s.arn)}, {"TableName", std::move(s.table)}, {"StreamLabel", std::move(s.label)}});
  }
  json::object o{{"Streams", std::move(streams)}};
  if (more) o["LastEvaluatedStreamArn"] = last_arn;
  out.output = std::move(o);
}

void DynamoDbStreamsService::describe_stream(const Request& req, Decision& out) const {
  std::string_view arn = req.in.str("StreamArn");
  check_stream_arn(arn);
  std::optional<StreamInfo> s = source_.describe_stream(req.ctx, arn);
  if (!s) throw stream_not_found(arn);
  json::object range;
  range["StartingSequenceNumber"] = s->first_sequence.empty() ? std::string("000000000000000000001") : s->first_sequence;
  // One shard: ExclusiveStartShardId at (or past) it pages to an empty list,
  // as AWS's last page does (no LastEvaluatedShardId).
  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_DescribeStream.html
  json::array shards;
  auto start = req.in.opt_str("ExclusiveStartShardId");
  if (!start || std::string_view(s->shard_id) > *start)
    shards.push_back(json::object{{"ShardId", s->shard_id}, {"SequenceNumberRange", std::move(range)}});
  json::array ks;
  for (auto& [name, type] : s->key_schema) ks.push_back(json::object{{"AttributeName", name}, {"KeyType", type}});
  out.output = json::object{{"StreamDescription", json::object{
      {"StreamArn", s->arn}, {"StreamLabel", s->label}, {"StreamStatus", "ENABLED"},
      {"StreamViewType", s->view_type}, {"CreationRequestDateTime", s->created}, {"TableName", s->table},
      {"KeySchema", std::move(ks)},
      {"Shards", std::move(shards)}}}};
}

void DynamoDbStreamsService::get_shard_iterator(const Request& req, Decision& out) const {
  const Input& in = req.in;
  std::string arn(in.str("StreamArn"));
  check_stream_arn(arn);
  std::string type(in.str("ShardIteratorType"));
  // A SequenceNumber goes with AT_/AFTER_SEQUENCE_NUMBER only.
  if ((type == "TRIM_HORIZON" || type == "LATEST") && in.opt_str("SequenceNumber"))
    throw ApiError::validation("Cannot specify SequenceNumber when ShardIteratorType is " + type);
  std::optional<StreamInfo> s = source_.describe_stream(req.ctx, arn);
  if (!s) throw stream_not_found(arn);
  if (in.str("ShardId") != s->shard_id) throw resource_not_found("Requested resource not found: Shard does not exist");
  std::string from;
  if (type == "TRIM_HORIZON") {
    from = "0";
  } else if (type == "LATEST") {
    from = s->last_sequence.empty() ? "0" : next_after(s->last_sequence);
  } else {
    auto seq = in.opt_str("SequenceNumber");
    if (!seq) throw ApiError::validation("Must provide SequenceNumber when ShardIteratorType is " + type);
    from = type == "AT_SEQUENCE_NUMBER" ? std::string(*seq) : next_after(*seq);
  }
  out.output = json::object{{"ShardIterator", protocol::base64_encode(arn + "\n" + s->shard_id + "\n" + from)}};
}

void DynamoDbStreamsService::get_records(const Request& req, Decision& out) const {
  const Input& in = req.in;
  const CallContext& ctx = req.ctx;
  auto raw = protocol::base64_decode(in.str("ShardIterator"));
  auto bad = [] { return ApiError::validation("Invalid ShardIterator"); };
  if (!raw) throw bad();
  size_t a = raw->find('\n'), b = a == std::string::npos ? a : raw->find('\n', a + 1);
  if (b == std::string::npos) throw bad();
  std::string arn = raw->substr(0, a), from = raw->substr(b + 1);
  while (from.size() < 21) from.insert(0, "0");
  int64_t limit = in.opt_int("Limit").value_or(1000);
  json::array records;
  std::string last = from;
  std::optional<StreamInfo> s = source_.read_records(ctx, arn, from, [&](const StreamRecord& r) {
    if (static_cast<int64_t>(records.size()) >= limit) return false;
    json::object d;
    d["ApproximateCreationDateTime"] = r.created();
    dynamodb::Item keys;
    keys.ParseFromString(r.keys());
    d["Keys"] = dynamodb::item_to_json(keys);
    if (r.has_new()) {
      dynamodb::Item img;
      img.ParseFromString(r.new_image());
      d["NewImage"] = dynamodb::item_to_json(img);
    }
    if (r.has_old()) {
      dynamodb::Item img;
      img.ParseFromString(r.old_image());
      d["OldImage"] = dynamodb::item_to_json(img);
    }
    d["SequenceNumber"] = r.sequence_number();
    d["SizeBytes"] = r.size_bytes();
    d["StreamViewType"] = r.view_type();
    json::object rec{{"eventID", std::to_string(dynamodb::fnv1a(arn + r.sequence_number()))}, {"eventName", r.event_name()},
                     {"eventVersion", "1.1"}, {"eventSource", "aws:dynamodb"}, {"awsRegion", ctx.region}, {"dynamodb", std::move(d)}};
    // A delete made by time to live names the service that made it, in the
    // API's Identity shape (a Lambda event spells the members in lower case).
    // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_Identity.html
    if (r.by_ttl()) rec["userIdentity"] = json::object{{"PrincipalId", "dynamodb.amazonaws.com"}, {"Type", "Service"}};
    records.push_back(std::move(rec));
    last = next_after(r.sequence_number());
    return true;
  });
  if (!s) throw stream_not_found(arn);
  out.output = json::object{{"Records", std::move(records)},
                            {"NextShardIterator", protocol::base64_encode(arn + "\n" + s->shard_id + "\n" + last)}};
}

}  // namespace dynamodbstreams

std::unique_ptr<Service> make_dynamodb_streams_service(const dynamodb::StreamSource& source) {
  return std::make_unique<dynamodbstreams::DynamoDbStreamsService>(source);
}

}  // namespace podstack
