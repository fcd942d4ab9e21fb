"""DynamoDB validation and edge behaviour as real AWS answers it (issue 18).

Each test cites where AWS's answer was taken from: ScyllaDB alternator's
test suite (test/alternator/*.py, run against real DynamoDB) or dynalite's
tests (architect/dynalite test/*.js, recorded against real DynamoDB).
"""
import json
import urllib.request

import pytest
from botocore.exceptions import ClientError

from podstack_server import error_code as code


def message(e):
    return e.value.response["Error"]["Message"]


def make_table(ddb, name="tbl", **kw):
    ddb.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST", **kw)
    return name


def invalid(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    assert code(e) == "ValidationException", e.value.response
    return message(e)


# ---- 1. expression limits (alternator test_limits.py) ----

def test_expression_size_and_operator_limits(ddb):
    make_table(ddb)
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "k"}, "a": {"N": "1"}, "b": {"N": "2"}})
    spaces = " " * 4085
    ddb.update_item(TableName="tbl", Key={"pk": {"S": "k"}}, UpdateExpression=f"SET{spaces}z = :val",  # 4096 bytes
                    ExpressionAttributeValues={":val": {"N": "1"}})
    assert invalid(ddb.update_item, TableName="tbl", Key={"pk": {"S": "k"}}, UpdateExpression=f"SET {spaces}z = :val",
                   ExpressionAttributeValues={":val": {"N": "1"}}) == \
        "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"
    deep = "a<b " + "or (a<b " * 20000 + ")" * 20000
    assert invalid(ddb.update_item, TableName="tbl", Key={"pk": {"S": "k"}}, UpdateExpression="SET z = :v",
                   ConditionExpression=deep, ExpressionAttributeValues={":v": {"N": "1"}}) == \
        f"Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: {len(deep)}"
    # 149 levels of parentheses, 299 operators: fine.
    ok = "a<b " + "or (a<b " * 149 + ")" * 149
    ddb.update_item(TableName="tbl", Key={"pk": {"S": "k"}}, UpdateExpression="SET z = :v", ConditionExpression=ok,
                    ExpressionAttributeValues={":v": {"N": "2"}})
    assert ddb.get_item(TableName="tbl", Key={"pk": {"S": "k"}})["Item"]["z"] == {"N": "2"}
    too_many = "a<b " + "or (a<b " * 454 + ")" * 454
    assert invalid(ddb.update_item, TableName="tbl", Key={"pk": {"S": "k"}}, UpdateExpression="SET z = :v",
                   ConditionExpression=too_many, ExpressionAttributeValues={":v": {"N": "1"}}) == \
        "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"
    assert invalid(ddb.update_item, TableName="tbl", Key={"pk": {"S": "k"}}, UpdateExpression="SET z = :v",
                   ConditionExpression="(" * 2046 + "a<b" + ")" * 2046, ExpressionAttributeValues={":v": {"N": "1"}}) == \
        "Invalid ConditionExpression: The expression has redundant parentheses;"
    assert invalid(ddb.scan, TableName="tbl", ProjectionExpression="x" * 4097) == \
        "Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"


# ---- 2. names start with a letter (alternator test_update_expression.py::test_update_expression_name_token) ----

def test_names_starting_with_underscore_or_digit_are_syntax_errors(ddb):
    make_table(ddb)
    for expr, tok, near in (("SET _123 = :v", "_", "SET _123"), ("SET 123a = :v", "123", "SET 123a")):
        assert invalid(ddb.update_item, TableName="tbl", Key={"pk": {"S": "k"}}, UpdateExpression=expr,
                       ExpressionAttributeValues={":v": {"N": "1"}}) == \
            f'Invalid UpdateExpression: Syntax error; token: "{tok}", near: "{near}"'
    ddb.update_item(TableName="tbl", Key={"pk": {"S": "k"}}, UpdateExpression="SET A123_ = :v",
                    ExpressionAttributeValues={":v": {"N": "1"}})


# ---- 3. ordering comparisons with list/map/set/bool constants (alternator test_update_condition_lt; dynalite scan.js) ----

def test_ordering_comparison_with_non_scalar_constant(ddb):
    make_table(ddb)
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "k"}, "a": {"N": "1"}, "x": {"L": [{"N": "1"}]}})
    for value, t in (({"L": [{"N": "1"}]}, "L"), ({"M": {}}, "M"), ({"SS": ["a"]}, "SS"), ({"BOOL": True}, "BOOL")):
        assert invalid(ddb.update_item, TableName="tbl", Key={"pk": {"S": "k"}}, UpdateExpression="SET z = :n",
                       ConditionExpression="a < :v", ExpressionAttributeValues={":v": value, ":n": {"N": "1"}}) == \
            f"Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: {t}"
    # From the item, the wrong type is a failed condition.
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName="tbl", Key={"pk": {"S": "k"}}, UpdateExpression="SET z = :n", ConditionExpression="x < :n",
                        ExpressionAttributeValues={":n": {"N": "1"}})
    assert code(e) == "ConditionalCheckFailedException"
    for op in ("LT", "GE", "BETWEEN", "IN"):
        vals = [{"SS": ["a"]}] * (2 if op == "BETWEEN" else 1)
        assert invalid(ddb.scan, TableName="tbl", ScanFilter={"a": {"ComparisonOperator": op, "AttributeValueList": vals}}) == \
            f"One or more parameter values were invalid: ComparisonOperator {op} is not valid for SS AttributeValue type"
    assert invalid(ddb.update_item, TableName="tbl", Key={"pk": {"S": "k"}}, AttributeUpdates={"z": {"Value": {"N": "1"}}},
                   Expected={"a": {"ComparisonOperator": "GT", "AttributeValueList": [{"L": []}]}}) == \
        "One or more parameter values were invalid: ComparisonOperator GT is not valid for L AttributeValue type"
    assert invalid(ddb.scan, TableName="tbl", ScanFilter={"a": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"N": "1"}]}}) == \
        "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"


# ---- 4. <> of two absent attributes (alternator test_update_condition_ne_two_unset) ----

def test_not_equal_of_two_absent_attributes_is_true(ddb):
    make_table(ddb)
    ddb.update_item(TableName="tbl", Key={"pk": {"S": "k"}}, UpdateExpression="SET a = :v", ConditionExpression="q <> z",
                    ExpressionAttributeValues={":v": {"N": "2"}})
    assert ddb.get_item(TableName="tbl", Key={"pk": {"S": "k"}})["Item"]["a"] == {"N": "2"}


# ---- 5. attribute_type / size operands (alternator test_condition_expression.py; dynalite scan.js) ----

def test_attribute_type_and_size_operands(ddb):
    make_table(ddb)
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "k"}, "a": {"N": "1"}, "b": {"S": "N"}})
    base = dict(TableName="tbl", Key={"pk": {"S": "k"}}, UpdateExpression="SET c = :v")
    ddb.update_item(**base, ConditionExpression="attribute_type(:v, :t)", ExpressionAttributeValues={":v": {"N": "0"}, ":t": {"S": "N"}})
    assert invalid(ddb.update_item, **base, ConditionExpression="attribute_type(a, b)", ExpressionAttributeValues={":v": {"N": "1"}}).startswith(
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: ")
    assert invalid(ddb.update_item, **base, ConditionExpression="attribute_type(a, :t)",
                   ExpressionAttributeValues={":v": {"N": "1"}, ":t": {"S": "DOG"}}) == \
        "Invalid ConditionExpression: Invalid attribute type name found; type: DOG, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"
    assert invalid(ddb.update_item, **base, ConditionExpression="size(:x) >= :v", ExpressionAttributeValues={":v": {"N": "1"}, ":x": {"N": "123"}}) == \
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N"
    assert invalid(ddb.update_item, **base, ConditionExpression="size(size(b)) >= :v", ExpressionAttributeValues={":v": {"N": "1"}}) == \
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N"
    assert invalid(ddb.update_item, **base, ConditionExpression="size(b)", ExpressionAttributeValues={":v": {"N": "1"}}) == \
        "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"
    ddb.update_item(**base, ConditionExpression="size(:x) >= :v", ExpressionAttributeValues={":v": {"N": "3"}, ":x": {"S": "abc"}})


# ---- 6. the two parameter styles mixed (dynalite updateItem.js/query.js validations) ----

def test_mixed_expression_and_legacy_parameters(ddb):
    make_table(ddb)
    key = {"pk": {"S": "k"}}
    assert invalid(ddb.update_item, TableName="tbl", Key=key, AttributeUpdates={"a": {"Value": {"N": "1"}}}, Expected={"a": {"Exists": False}},
                   UpdateExpression="SET b = :v", ConditionExpression="attribute_exists(a)", ExpressionAttributeValues={":v": {"N": "1"}}) == \
        "Can not use both expression and non-expression parameters in the same request: " \
        "Non-expression parameters: {AttributeUpdates, Expected} Expression parameters: {UpdateExpression, ConditionExpression}"
    assert invalid(ddb.update_item, TableName="tbl", Key=key, AttributeUpdates={"a": {"Value": {"N": "1"}}},
                   ConditionExpression="attribute_exists(a)") == \
        "Can not use both expression and non-expression parameters in the same request: " \
        "Non-expression parameters: {AttributeUpdates} Expression parameters: {ConditionExpression}"
    assert invalid(ddb.update_item, TableName="tbl", Key=key, UpdateExpression="SET b = :v", Expected={"a": {"Exists": False}},
                   ExpressionAttributeValues={":v": {"N": "1"}}) == \
        "Can not use both expression and non-expression parameters in the same request: " \
        "Non-expression parameters: {Expected} Expression parameters: {UpdateExpression}"
    assert invalid(ddb.scan, TableName="tbl", FilterExpression="a = :v", AttributesToGet=["a"], ExpressionAttributeValues={":v": {"N": "1"}}) == \
        "Can not use both expression and non-expression parameters in the same request: " \
        "Non-expression parameters: {AttributesToGet} Expression parameters: {FilterExpression}"
    assert invalid(ddb.query, TableName="tbl", KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "k"}]}},
                   QueryFilter={"a": {"ComparisonOperator": "NOT_NULL"}}, ProjectionExpression="a") == \
        "Can not use both expression and non-expression parameters in the same request: " \
        "Non-expression parameters: {QueryFilter} Expression parameters: {ProjectionExpression}"
    assert invalid(ddb.scan, TableName="tbl", FilterExpression="attribute_exists(a)", ConditionalOperator="OR") == \
        "Can not use both expression and non-expression parameters in the same request: " \
        "Non-expression parameters: {ConditionalOperator} Expression parameters: {FilterExpression}"
    # KeyConditions with a FilterExpression is allowed.
    ddb.query(TableName="tbl", KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "k"}]}},
              FilterExpression="attribute_exists(a)")
    # ConditionalOperator without Expected (alternator test_expected.py::test_conditional_operator_expected_missing).
    assert "ConditionalOperator" in invalid(ddb.update_item, TableName="tbl", Key=key, AttributeUpdates={"z": {"Value": {"N": "4"}}},
                                            ConditionalOperator="OR")
    assert "ConditionalOperator" in invalid(ddb.update_item, TableName="tbl", Key=key, AttributeUpdates={"z": {"Value": {"N": "4"}}},
                                            Expected={}, ConditionalOperator="AND")
    assert invalid(ddb.update_item, TableName="tbl", Key=key, ExpressionAttributeValues={":v": {"N": "1"}},
                   AttributeUpdates={"z": {"Value": {"N": "4"}}}) == \
        "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null"


# ---- 7-10. update semantics (alternator test_update_expression.py; dynalite updateItem.js) ----

def test_remove_only_update_does_not_create_item(ddb):
    make_table(ddb)
    ddb.update_item(TableName="tbl", Key={"pk": {"S": "nope"}}, UpdateExpression="REMOVE a, b.c")
    assert "Item" not in ddb.get_item(TableName="tbl", Key={"pk": {"S": "nope"}})
    assert ddb.scan(TableName="tbl")["Count"] == 0


def test_remove_through_a_non_map_is_invalid(ddb):
    make_table(ddb)
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "k"}, "a": {"S": "hello"}, "b": {"L": [{"S": "hi"}]}, "m": {"M": {"x": {"N": "3"}}}})
    for expr in ("REMOVE a.c", "REMOVE b.c", "REMOVE c.c", "REMOVE a[0]"):
        assert invalid(ddb.update_item, TableName="tbl", Key={"pk": {"S": "k"}}, UpdateExpression=expr) == \
            "The document path provided in the update expression is invalid for update", expr
    ddb.update_item(TableName="tbl", Key={"pk": {"S": "k"}}, UpdateExpression="REMOVE m.y, b[7], c")  # absent leaves: ignored
    assert ddb.get_item(TableName="tbl", Key={"pk": {"S": "k"}})["Item"]["m"] == {"M": {"x": {"N": "3"}}}


def test_overlapping_and_conflicting_update_paths(ddb):
    make_table(ddb)
    key = {"pk": {"S": "k"}}
    assert invalid(ddb.update_item, TableName="tbl", Key=key, UpdateExpression="SET a = :v, a.b = :v", ExpressionAttributeValues={":v": {"N": "1"}}) == \
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"
    assert invalid(ddb.update_item, TableName="tbl", Key=key, UpdateExpression="SET a = :v REMOVE a", ExpressionAttributeValues={":v": {"N": "1"}}) == \
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"
    assert invalid(ddb.update_item, TableName="tbl", Key=key, UpdateExpression="REMOVE a.c SET a[1] = :v", ExpressionAttributeValues={":v": {"N": "1"}}) == \
        "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, c], path two: [a, [1]]"


def test_set_past_the_end_appends_in_index_order(ddb):
    make_table(ddb)
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "k"}, "a": {"L": [{"N": "1"}, {"N": "2"}]}})
    ddb.update_item(TableName="tbl", Key={"pk": {"S": "k"}}, UpdateExpression="SET a[10] = :x, a[7] = :y",
                    ExpressionAttributeValues={":x": {"S": "x"}, ":y": {"S": "y"}})
    assert ddb.get_item(TableName="tbl", Key={"pk": {"S": "k"}})["Item"]["a"] == {"L": [{"N": "1"}, {"N": "2"}, {"S": "y"}, {"S": "x"}]}


# ---- 12. TagResource/UntagResource answer an empty body (botocore model: no output shape) ----

def raw_post(server, op, body):
    req = urllib.request.Request(server.endpoint, data=json.dumps(body).encode(), method="POST", headers={
        "X-Amz-Target": "DynamoDB_20120810." + op, "Content-Type": "application/x-amz-json-1.0"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, r.read()


def test_tag_and_untag_answer_an_empty_body(server, ddb):
    make_table(ddb)
    arn = ddb.describe_table(TableName="tbl")["Table"]["TableArn"]
    assert raw_post(server, "TagResource", {"ResourceArn": arn, "Tags": [{"Key": "k", "Value": "v"}]}) == (200, b"")
    assert raw_post(server, "UntagResource", {"ResourceArn": arn, "TagKeys": ["k"]}) == (200, b"")
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []


# ---- 15. DescribeEndpoints names the endpoint the client reached ----

def test_describe_endpoints_names_podstack(server, ddb):
    host = server.endpoint.split("://", 1)[1].rstrip("/")
    assert ddb.describe_endpoints()["Endpoints"] == [{"Address": host, "CachePeriodInMinutes": 1440}]


# ---- 16. DynamoDB Streams argument checks (alternator test_streams.py::test_get_shard_iterator,
# test_describe_nonexistent_stream; aws-sdk-js integration: "Invalid StreamArn") ----

def test_streams_refuse_malformed_arns_and_misplaced_sequence_numbers(server, ddb):
    streams = server.client("dynamodbstreams")
    make_table(ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    arn = ddb.describe_table(TableName="tbl")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    seq = shard["SequenceNumberRange"]["StartingSequenceNumber"]
    for bad in ("sdfadfsdfnlfkajakfgjalksfgklasjklasdjfklasdfasdfgasf", "arn:aws:dynamodb:us-east-1:000000000000:table/tbl"):
        assert invalid(streams.describe_stream, StreamArn=bad) == "Invalid StreamArn"
        assert invalid(streams.get_shard_iterator, StreamArn=bad, ShardId=shard["ShardId"], ShardIteratorType="LATEST") == "Invalid StreamArn"
    # Well-formed, but no such stream: ResourceNotFoundException.
    with pytest.raises(ClientError) as e:
        streams.describe_stream(StreamArn=arn.replace("table/tbl/", "table/nope/"))
    assert code(e) == "ResourceNotFoundException"
    for t in ("TRIM_HORIZON", "LATEST"):
        assert invalid(streams.get_shard_iterator, StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType=t, SequenceNumber=seq) == \
            f"Cannot specify SequenceNumber when ShardIteratorType is {t}"
    for t in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        assert invalid(streams.get_shard_iterator, StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType=t) == \
            f"Must provide SequenceNumber when ShardIteratorType is {t}"
        assert streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType=t, SequenceNumber=seq)["ShardIterator"]
