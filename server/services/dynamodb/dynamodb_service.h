// Amazon DynamoDB: tables, items, the expression languages, Query/Scan with
// indexes, batches, transactions and PartiQL. The handlers are in
// dynamodb_<area>.cpp, the state in dynamodb_state.h; DynamoDB Streams
// (its own service) reads the stream records through StreamSource.
// AWS reference: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/service.h"
#include "server/services/dynamodb/dynamodb_errors.h"
#include "server/services/dynamodb/dynamodb_state.h"
#include "server/services/dynamodb/expression.h"
#include "server/services/dynamodb/stream_source.h"

namespace podstack {

std::unique_ptr<Service> make_dynamodb_service();
// What DynamoDB Streams reads: `dynamodb` is the service make_dynamodb_service() made.
const dynamodb::StreamSource& dynamodb_stream_source(const Service& dynamodb);

namespace dynamodb {

void validate_item_table_name(std::string_view name);  // dynamodb_util.h

class DynamoDbService final : public StatefulService<DynamoDbService, DynamoDbState>, public StreamSource {
 public:
  static constexpr std::string_view kName = "dynamodb";

  static const Table& operations() {
    static const Table t = {
        {"CreateTable", write(&DynamoDbService::create_table)},
        {"DescribeTable", read(&DynamoDbService::describe_table)},
        {"ListTables", read(&DynamoDbService::list_tables)},
        {"DeleteTable", write(&DynamoDbService::delete_table)},
        {"UpdateTable", write(&DynamoDbService::update_table)},
        {"UpdateTimeToLive", write(&DynamoDbService::update_ttl)},
        {"DescribeTimeToLive", read(&DynamoDbService::describe_ttl)},
        {"TagResource", write(&DynamoDbService::tag_resource)},
        {"UntagResource", write(&DynamoDbService::untag_resource)},
        {"ListTagsOfResource", read(&DynamoDbService::list_tags)},
        {"DescribeEndpoints", read(&DynamoDbService::describe_endpoints)},
        {"DescribeLimits", read(&DynamoDbService::describe_limits)},
        {"DescribeContinuousBackups", read(&DynamoDbService::describe_continuous_backups)},
        {"UpdateContinuousBackups", write(&DynamoDbService::update_continuous_backups)},
        // dynamodb_policies_insights.cpp
        {"PutResourcePolicy", write(&DynamoDbService::put_resource_policy)},
        {"GetResourcePolicy", read(&DynamoDbService::get_resource_policy)},
        {"DeleteResourcePolicy", write(&DynamoDbService::delete_resource_policy)},
        {"DescribeContributorInsights", read(&DynamoDbService::describe_contributor_insights)},
        {"UpdateContributorInsights", write(&DynamoDbService::update_contributor_insights)},
        {"ListContributorInsights", read(&DynamoDbService::list_contributor_insights)},
        {"DescribeKinesisStreamingDestination", read(&DynamoDbService::describe_kinesis_streaming_destination)},
        {"PutItem", write(&DynamoDbService::put_item)},
        {"GetItem", read(&DynamoDbService::get_item)},
        {"DeleteItem", write(&DynamoDbService::delete_item)},
        {"UpdateItem", write(&DynamoDbService::update_item)},
        {"Query", read(&DynamoDbService::query)},
        {"Scan", read(&DynamoDbService::scan)},
        {"BatchGetItem", read(&DynamoDbService::batch_get)},
        {"BatchWriteItem", write(&DynamoDbService::batch_write)},
        {"TransactGetItems", read(&DynamoDbService::transact_get)},
        {"TransactWriteItems", write(&DynamoDbService::transact_write)},
        // May write: decided under the exclusive lock; reads emit no events.
        {"ExecuteStatement", write(&DynamoDbService::execute_statement)},
        {"BatchExecuteStatement", write(&DynamoDbService::batch_execute_statement)},
        {"ExecuteTransaction", write(&DynamoDbService::execute_transaction)},
    };
    return t;
  }

  // ---- time to live as due work (dynamodb_ttl_tags.cpp): an item is
  // deleted by an event when its time passes, with a REMOVE in the stream ----
  DueWork next_due() const override;
  void decide_due(const CallContext& ctx, Decision& out) const override;

  // ---- StreamSource (dynamodb_stream_source.cpp): each takes mutex() shared ----
  std::vector<StreamInfo> list_streams(const CallContext& ctx, std::string_view table) const override;
  std::optional<StreamInfo> describe_stream(const CallContext& ctx, std::string_view arn) const override;
  std::optional<StreamInfo> read_records(const CallContext& ctx, std::string_view arn, std::string_view from,
                                         const std::function<bool(const StreamRecord&)>& visit) const override;

 private:
  // ---- tables (dynamodb_tables.cpp) ----
  void create_table(const Request& req, Decision& out) const;
  void describe_table(const Request& req, Decision& out) const;
  void list_tables(const Request& req, Decision& out) const;
  void delete_table(const Request& req, Decision& out) const;
  void update_table(const Request& req, Decision& out) const;
  void describe_endpoints(const Request& req, Decision& out) const;
  void describe_limits(const Request& req, Decision& out) const;
  void describe_continuous_backups(const Request& req, Decision& out) const;
  void update_continuous_backups(const Request& req, Decision& out) const;
  // The table DescribeContinuousBackups/UpdateContinuousBackups name (by name
  // or ARN), or TableNotFoundException.
  const TableState& backup_table(const CallContext& ctx, std::string_view name_or_arn) const;

  // ---- time to live and tags (dynamodb_ttl_tags.cpp) ----
  void update_ttl(const Request& req, Decision& out) const;
  void describe_ttl(const Request& req, Decision& out) const;
  void tag_resource(const Request& req, Decision& out) const;
  void untag_resource(const Request& req, Decision& out) const;
  void list_tags(const Request& req, Decision& out) const;
  const TableState& table_by_arn(const CallContext& ctx, std::string_view arn) const;

  // ---- resource policies, contributor insights, Kinesis destinations (dynamodb_policies_insights.cpp) ----
  void put_resource_policy(const Request& req, Decision& out) const;
  void get_resource_policy(const Request& req, Decision& out) const;
  void delete_resource_policy(const Request& req, Decision& out) const;
  void describe_contributor_insights(const Request& req, Decision& out) const;
  void update_contributor_insights(const Request& req, Decision& out) const;
  void list_contributor_insights(const Request& req, Decision& out) const;
  void describe_kinesis_streaming_destination(const Request& req, Decision& out) const;

  // ---- items (dynamodb_items.cpp) ----
  void put_item(const Request& req, Decision& out) const;
  void get_item(const Request& req, Decision& out) const;
  void delete_item(const Request& req, Decision& out) const;
  void update_item(const Request& req, Decision& out) const;
  // UpdateItem's core, shared with TransactWriteItems: the new image or an error.
  struct UpdateResult {
    std::optional<Item> old;
    Item updated;
    std::vector<UpdateAction> actions;
    // AWS: an update that only REMOVEs attributes of an absent item writes nothing.
    bool writes = true;
  };
  static UpdateResult compute_update(const TableState& t, const json::object& o, std::string_view rv_on_fail, int64_t now_ms);

  // ---- Query and Scan (dynamodb_query_scan.cpp) ----
  void query(const Request& req, Decision& out) const;
  void scan(const Request& req, Decision& out) const;

  // ---- batches and transactions (dynamodb_batch_transact.cpp) ----
  void batch_get(const Request& req, Decision& out) const;
  void batch_write(const Request& req, Decision& out) const;
  void transact_get(const Request& req, Decision& out) const;
  void transact_write(const Request& req, Decision& out) const;
  // A ClientRequestToken (TransactWriteItems, ExecuteTransaction) checked
  // against the tokens of recent transactions.
  struct TokenCheck {
    std::string token, digest;
    bool repeat = false;  // a repeat of a committed transaction: answer success, write nothing
    // Records the token on the transaction's event (written even without writes).
    void record(Event& ev) const {
      if (token.empty()) return;
      ev.mutable_items()->set_client_token(token);
      ev.mutable_items()->set_request_digest(digest);
    }
  };
  TokenCheck client_token(const Input& in, const CallContext& ctx) const;

  // ---- PartiQL (dynamodb_partiql.cpp) ----
  void execute_statement(const Request& req, Decision& out) const;
  void batch_execute_statement(const Request& req, Decision& out) const;
  void execute_transaction(const Request& req, Decision& out) const;
  // ExecuteStatement's paging of a SELECT: at most `limit` items evaluated
  // and 1 MB read, then a NextToken to continue after the last one.
  struct Paging {
    int64_t limit = INT64_MAX;
    std::optional<std::string_view> next_token;
  };
  // Runs one statement: reads fill the result, writes are appended to `ev`.
  json::object run_statement(const CallContext& ctx, std::string_view text, const json::array* params, Event& ev,
                             const Paging* paging = nullptr) const;

  // The table `name` of the caller's partition, or ResourceNotFoundException.
  const TableState& table(const CallContext& ctx, std::string_view name) const {
    const TableState* t = state().find_table(ctx, name);
    if (!t) {
      validate_item_table_name(name);  // only on a miss: no badly named table exists
      throw resource_not_found();
    }
    return *t;
  }
};

}  // namespace dynamodb
}  // namespace podstack
