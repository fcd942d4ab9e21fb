"""DynamoDB input validation and reply shapes as real AWS answers them (issue 18, second pass).

Sources, each recorded against real DynamoDB:
- dynalite (architect/dynalite test/*.js): table and index name messages,
  duplicate AttributesToGet, base64, the parallel-scan segment check.
- ScyllaDB alternator (scylladb/scylladb test/alternator/*.py): base64 is a
  SerializationException (test_manual_requests.py), Select=ALL_ATTRIBUTES on
  indexes (test_gsi.py, test_lsi.py).
- DynamoDB Local (its AttributeValue translator, isValidNestedLevel: level < 32,
  the top-level attribute at level 1): the nesting limit.
- LocalStack's recorded AWS reply of DeleteTable
  (tests/aws/services/dynamodb/test_dynamodb.snapshot.json, test_table_crud).
"""
import base64
import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from podstack_server import error_code as code


def raw(server, op, body):
    req = urllib.request.Request(server.endpoint, data=json.dumps(body).encode(), method="POST", headers={
        "X-Amz-Target": "DynamoDB_20120810." + op, "Content-Type": "application/x-amz-json-1.0"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def raw_error(server, op, body):
    status, out = raw(server, op, body)
    assert status == 400, out
    return out["__type"].split("#")[-1], out.get("message", out.get("Message"))


def make_table(ddb, name="tbl", **kw):
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}] + kw.pop("extra_attrs", [])
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}] + kw.pop("extra_keys", [])
    ddb.create_table(TableName=name, AttributeDefinitions=attrs, KeySchema=schema, BillingMode="PAY_PER_REQUEST", **kw)
    return name


def invalid(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    assert code(e) == "ValidationException", e.value.response
    return e.value.response["Error"]["Message"]


PATTERN = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"


# ---- 1a. table names (dynalite getItem.js, query.js, deleteTable.js, describeTable.js, createTable.js) ----

def test_item_operations_check_the_table_name(server):
    key = {"pk": {"S": "k"}}
    for op, body in (("GetItem", {"Key": key}), ("PutItem", {"Item": key}), ("DeleteItem", {"Key": key}),
                     ("UpdateItem", {"Key": key}), ("Query", {"KeyConditionExpression": "pk = :v", "ExpressionAttributeValues": {":v": {"S": "k"}}}),
                     ("Scan", {})):
        assert raw_error(server, op, dict(body, TableName="abc;")) == (
            "ValidationException", f"1 validation error detected: Value 'abc;' at 'tableName' failed to satisfy constraint: {PATTERN}")
        assert raw_error(server, op, dict(body, TableName="a;")) == (
            "ValidationException", f"2 validation errors detected: Value 'a;' at 'tableName' failed to satisfy constraint: {PATTERN}; "
                                   "Value 'a;' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3")
        assert raw_error(server, op, dict(body, TableName="ab")) == (
            "ValidationException", "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
                                   "Member must have length greater than or equal to 3")
        long = "a" * 256
        assert raw_error(server, op, dict(body, TableName=long)) == (
            "ValidationException", f"1 validation error detected: Value '{long}' at 'tableName' failed to satisfy constraint: "
                                   "Member must have length less than or equal to 255")
        # A well-formed name of no table: not found.
        assert raw_error(server, op, dict(body, TableName="nope"))[0] == "ResourceNotFoundException"


def test_table_operations_check_the_table_name(server):
    for op in ("DescribeTable", "DeleteTable", "UpdateTable", "DescribeTimeToLive"):
        for bad in ("a;", "ab", "a" * 256):
            assert raw_error(server, op, {"TableName": bad}) == (
                "ValidationException", "TableName must be at least 3 characters long and at most 255 characters long"), (op, bad)
        assert raw_error(server, op, {"TableName": "abc;"}) == (
            "ValidationException", f"1 validation error detected: Value 'abc;' at 'tableName' failed to satisfy constraint: {PATTERN}")
    create = {"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
              "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}
    assert raw_error(server, "CreateTable", dict(create, TableName="ab")) == (
        "ValidationException", "TableName must be at least 3 characters long and at most 255 characters long")
    assert raw_error(server, "CreateTable", dict(create, TableName="abc;")) == (
        "ValidationException", f"1 validation error detected: Value 'abc;' at 'tableName' failed to satisfy constraint: {PATTERN}")


def test_batch_request_items_check_the_table_names(server):
    for op, body in (("BatchGetItem", {"ab": {"Keys": [{"pk": {"S": "k"}}]}}),
                     ("BatchWriteItem", {"ab": [{"PutRequest": {"Item": {"pk": {"S": "k"}}}}]})):
        kind, msg = raw_error(server, op, {"RequestItems": body})
        assert kind == "ValidationException"
        assert msg.startswith("1 validation error detected: Value '{") and msg.endswith(
            "}' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 255, "
            f"Member must have length greater than or equal to 3, {PATTERN}]"), msg


# ---- 1b. duplicate AttributesToGet (dynalite getItem.js, query.js, scan.js, batchGetItem.js) ----

def test_duplicate_attributes_to_get(ddb):
    make_table(ddb)
    msg = "One or more parameter values were invalid: Duplicate value in attribute name: a"
    assert invalid(ddb.get_item, TableName="tbl", Key={"pk": {"S": "k"}}, AttributesToGet=["a", "b", "a"]) == msg
    assert invalid(ddb.scan, TableName="tbl", AttributesToGet=["a", "a"]) == msg
    assert invalid(ddb.query, TableName="tbl", AttributesToGet=["a", "a"],
                   KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "k"}]}}) == msg
    assert invalid(ddb.batch_get_item, RequestItems={"tbl": {"Keys": [{"pk": {"S": "k"}}], "AttributesToGet": ["a", "a"]}}) == msg


# ---- 1c. index names (dynalite createTable.js, query.js) ----

def test_index_names_must_match_the_pattern(server, ddb):
    body = {"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}
    gsi = {"IndexName": "by@s", "KeySchema": [{"AttributeName": "s", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}
    assert raw_error(server, "CreateTable", dict(body, GlobalSecondaryIndexes=[gsi])) == (
        "ValidationException", f"1 validation error detected: Value 'by@s' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: {PATTERN}")
    lsi = {"IndexName": "by@s", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
           "Projection": {"ProjectionType": "ALL"}}
    body2 = dict(body, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}],
                 AttributeDefinitions=body["AttributeDefinitions"] + [{"AttributeName": "r", "AttributeType": "S"}])
    assert raw_error(server, "CreateTable", dict(body2, LocalSecondaryIndexes=[lsi])) == (
        "ValidationException", f"1 validation error detected: Value 'by@s' at 'localSecondaryIndexes.1.member.indexName' failed to satisfy constraint: {PATTERN}")
    make_table(ddb)
    assert raw_error(server, "UpdateTable", {"TableName": "tbl", "AttributeDefinitions": [{"AttributeName": "s", "AttributeType": "S"}],
                                             "GlobalSecondaryIndexUpdates": [{"Create": gsi}]}) == (
        "ValidationException", f"1 validation error detected: Value 'by@s' at 'globalSecondaryIndexUpdates.1.member.create.indexName' failed to satisfy constraint: {PATTERN}")
    assert raw_error(server, "Scan", {"TableName": "tbl", "IndexName": "by@s"}) == (
        "ValidationException", f"1 validation error detected: Value 'by@s' at 'indexName' failed to satisfy constraint: {PATTERN}")
    assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName="tbl")["Table"]


# ---- 1d. nesting (DynamoDB Local: containers allowed at levels 1..31, the top-level attribute is level 1) ----

def nested(levels):
    v = {"S": "x"}
    for i in range(levels):
        v = {"M": {"a": v}} if i % 2 else {"L": [v]}
    return v


NEST = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"


def test_item_nesting_limit(ddb):
    make_table(ddb)
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "ok"}, "d": nested(31)})
    assert ddb.get_item(TableName="tbl", Key={"pk": {"S": "ok"}})["Item"]["d"] == nested(31)
    assert invalid(ddb.put_item, TableName="tbl", Item={"pk": {"S": "deep"}, "d": nested(32)}) == NEST
    assert "Item" not in ddb.get_item(TableName="tbl", Key={"pk": {"S": "deep"}})
    # UpdateItem: a value that makes the item too deep, directly or under a path.
    assert invalid(ddb.update_item, TableName="tbl", Key={"pk": {"S": "u"}}, UpdateExpression="SET d = :v",
                   ExpressionAttributeValues={":v": nested(32)}) == NEST
    ddb.update_item(TableName="tbl", Key={"pk": {"S": "u"}}, UpdateExpression="SET d = :v", ExpressionAttributeValues={":v": {"M": {}}})
    assert invalid(ddb.update_item, TableName="tbl", Key={"pk": {"S": "u"}}, UpdateExpression="SET d.e = :v",
                   ExpressionAttributeValues={":v": nested(31)}) == NEST
    ddb.update_item(TableName="tbl", Key={"pk": {"S": "u"}}, UpdateExpression="SET d.e = :v", ExpressionAttributeValues={":v": nested(30)})
    assert ddb.get_item(TableName="tbl", Key={"pk": {"S": "u"}})["Item"]["d"] == {"M": {"e": nested(30)}}
    # A value in a condition may be as deep as 32 levels: it is not stored.
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "c"}}, ConditionExpression="attribute_not_exists(x) OR x = :v",
                 ExpressionAttributeValues={":v": nested(32)})


# ---- 1e. base64 (alternator test_manual_requests.py test_base64_missing_padding; dynalite helpers.js Blob) ----

def test_unpadded_base64_is_a_serialization_error(server, ddb):
    make_table(ddb)
    assert raw_error(server, "PutItem", {"TableName": "tbl", "Item": {"pk": {"S": "k"}, "b": {"B": "YWJjZGVmZ2g"}}}) == (
        "SerializationException", "Base64 encoded length is expected a multiple of 4 bytes but found: 11")
    assert raw_error(server, "PutItem", {"TableName": "tbl", "Item": {"pk": {"S": "k"}, "b": {"BS": ["YWJj", "23456"]}}}) == (
        "SerializationException", "Base64 encoded length is expected a multiple of 4 bytes but found: 5")
    assert raw_error(server, "UpdateItem", {"TableName": "tbl", "Key": {"pk": {"S": "k"}}, "UpdateExpression": "SET a = :v",
                                            "ExpressionAttributeValues": {":v": {"B": "fakebase64"}}})[0] == "SerializationException"
    assert raw(server, "PutItem", {"TableName": "tbl", "Item": {"pk": {"S": "k"}, "b": {"B": base64.b64encode(b"abcdefgh").decode()}}})[0] == 200
    assert ddb.get_item(TableName="tbl", Key={"pk": {"S": "k"}})["Item"]["b"] == {"B": b"abcdefgh"}


# ---- 1f. parallel Scan: ExclusiveStartKey of another segment (dynalite scan.js) ----

def test_scan_start_key_outside_the_segment(ddb):
    make_table(ddb)
    for i in range(10):
        ddb.put_item(TableName="tbl", Item={"pk": {"S": str(i)}})
    items = ddb.scan(TableName="tbl", Segment=1, TotalSegments=2)["Items"]
    assert items
    assert invalid(ddb.scan, TableName="tbl", Segment=0, TotalSegments=2, ExclusiveStartKey={"pk": items[0]["pk"]}) == \
        "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: 2 Segment: 0"
    # In its own segment it continues.
    ddb.scan(TableName="tbl", Segment=1, TotalSegments=2, ExclusiveStartKey={"pk": items[0]["pk"]})


# ---- 1g. more than 50 tags at creation, as TagResource refuses them ----

def test_create_table_with_more_than_50_tags(ddb):
    tags = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    assert invalid(make_table, ddb=ddb, Tags=tags) == "One or more parameter values were invalid: The number of tags exceeds the limit of 50"
    with pytest.raises(ClientError) as e:
        ddb.describe_table(TableName="tbl")
    assert code(e) == "ResourceNotFoundException"
    make_table(ddb, Tags=tags[:50])
    arn = ddb.describe_table(TableName="tbl")["Table"]["TableArn"]
    assert len(ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]) == 50


# ---- 1h. tag characters, an empty tag list and a non-ARN (alternator test_tag.py::test_tag_resource_incorrect,
# recorded against AWS; the pattern is AWS's tag pattern [\p{L}\p{Z}\p{N}_.:/=+\-@]*) ----

TAG_PATTERN = "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*"


def test_tag_characters_and_empty_tag_lists(ddb):
    make_table(ddb)
    arn = ddb.describe_table(TableName="tbl")["Table"]["TableArn"]
    for key, value in [("ok", "#!%%^$$&"), ("->>;-)])", "ok"), ("!!!\\|", "<><")]:
        msg = invalid(ddb.tag_resource, ResourceArn=arn, Tags=[{"Key": key, "Value": value}])
        assert TAG_PATTERN in msg and "at 'tags.1.member." in msg, msg
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []
    assert invalid(ddb.tag_resource, ResourceArn=arn, Tags=[]) == \
        "1 validation error detected: Value '[]' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1"
    assert "ARNs must start with 'arn:'" in invalid(ddb.tag_resource, ResourceArn="I_do_not_exist", Tags=[{"Key": "7", "Value": "8"}])
    # Letters of any script, spaces, digits and _ . : / = + - @ are taken (alternator test_tag_resource_basic and
    # test_tag_resource_unicode, the latter passing on AWS).
    good = [{"Key": "a b:c/d=e+f-g@h_i.j", "Value": " "}, {"Key": "законные буквы", "Value": "ѮѮѮvalue"}, {"Key": "7", "Value": ""}]
    ddb.tag_resource(ResourceArn=arn, Tags=good)
    assert sorted(ddb.list_tags_of_resource(ResourceArn=arn)["Tags"], key=lambda t: t["Key"]) == sorted(good, key=lambda t: t["Key"])


def test_create_table_checks_tag_characters(ddb):
    msg = invalid(make_table, ddb=ddb, Tags=[{"Key": "bad<", "Value": "v"}])
    assert TAG_PATTERN in msg, msg
    with pytest.raises(ClientError) as e:
        ddb.describe_table(TableName="tbl")
    assert code(e) == "ResourceNotFoundException"


# ---- 2. DeleteTable's reply (LocalStack test_table_crud recorded against AWS: no AttributeDefinitions,
# KeySchema or CreationDateTime in the TableDescription) ----

def test_delete_table_reply_shape(server, ddb):
    ddb.create_table(TableName="tbl", AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    status, out = raw(server, "DeleteTable", {"TableName": "tbl"})  # raw: Debian's botocore drops DeletionProtectionEnabled
    assert status == 200
    d = out["TableDescription"]
    arn, tid = d.pop("TableArn"), d.pop("TableId")
    assert arn.endswith(":table/tbl") and len(tid) == 36
    assert d == {"DeletionProtectionEnabled": False, "ItemCount": 0, "TableName": "tbl", "TableSizeBytes": 0, "TableStatus": "DELETING",
                 "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}
    make_table(ddb, "ondemand")
    d = raw(server, "DeleteTable", {"TableName": "ondemand"})[1]["TableDescription"]
    assert d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert d["ProvisionedThroughput"] == {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    assert not {"KeySchema", "AttributeDefinitions", "CreationDateTime"} & set(d)


# ---- 3. Select=ALL_ATTRIBUTES on partial projections (alternator test_gsi.py: refused on a GSI;
# test_lsi.py: allowed on an LSI, which fetches from the table; dynalite query.js for the message) ----

def test_select_all_attributes_on_partial_indexes(ddb):
    make_table(ddb, extra_attrs=[{"AttributeName": "r", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "S"}],
               extra_keys=[{"AttributeName": "r", "KeyType": "RANGE"}],
               LocalSecondaryIndexes=[{"IndexName": "lsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
                                       "Projection": {"ProjectionType": "KEYS_ONLY"}}],
               GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": [{"AttributeName": "s", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]}}])
    item = {"pk": {"S": "p"}, "r": {"S": "r"}, "s": {"S": "s"}, "a": {"S": "a"}, "b": {"S": "b"}}
    ddb.put_item(TableName="tbl", Item=item)
    assert invalid(ddb.query, TableName="tbl", IndexName="gsi", Select="ALL_ATTRIBUTES", KeyConditionExpression="s = :s",
                   ExpressionAttributeValues={":s": {"S": "s"}}) == \
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index gsi because its projection type is not ALL"
    assert invalid(ddb.scan, TableName="tbl", IndexName="gsi", Select="ALL_ATTRIBUTES") == \
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index gsi because its projection type is not ALL"
    assert ddb.query(TableName="tbl", IndexName="lsi", Select="ALL_ATTRIBUTES", KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "p"}})["Items"] == [item]
    assert ddb.scan(TableName="tbl", IndexName="lsi", Select="ALL_ATTRIBUTES")["Items"] == [item]
    # The default stays the projection.
    assert ddb.query(TableName="tbl", IndexName="lsi", KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "p"}})["Items"] == [{"pk": {"S": "p"}, "r": {"S": "r"}, "s": {"S": "s"}}]
