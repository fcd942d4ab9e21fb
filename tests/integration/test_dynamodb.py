"""DynamoDB through boto3 (client and the Table resource), as AWS documents it.

Each test names the behaviour it pins; nothing here is podstack-only: the
same assertions hold against real DynamoDB. Writes are checked across a
graceful restart and a kill -9 (restart_check) where state matters.
"""
import decimal
import re
import threading

import boto3.session
import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.config import Config
from botocore.exceptions import ClientError

from podstack_server import error_code as code


@pytest.fixture
def resource(server):
    return boto3.session.Session().resource(
        "dynamodb", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"total_max_attempts": 1}))


def raw(server, op, body):
    """POSTs a DynamoDB request as JSON: for parameters newer than Debian's boto3 model."""
    import json
    import urllib.error
    import urllib.request
    req = urllib.request.Request(server.endpoint, data=json.dumps(body).encode(), method="POST", headers={
        "X-Amz-Target": "DynamoDB_20120810." + op, "Content-Type": "application/x-amz-json-1.0"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def message(e):
    return e.value.response["Error"]["Message"]


def make_table(ddb, name="tbl", hash_type="S", range_key=None, range_type="S", **kw):
    attrs = [{"AttributeName": "pk", "AttributeType": hash_type}]
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if range_key:
        attrs.append({"AttributeName": range_key, "AttributeType": range_type})
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    attrs += kw.pop("extra_attrs", [])
    ddb.create_table(TableName=name, AttributeDefinitions=attrs, KeySchema=schema, BillingMode="PAY_PER_REQUEST", **kw)
    return name


# ---- tables ----

def test_create_describe_list_delete(ddb, restart_check):
    """A table's description survives restarts; ListTables pages by name; DeleteTable removes it."""
    for n in ("alpha", "beta", "gamma"):
        make_table(ddb, n, range_key="sk", range_type="N")
    d = ddb.describe_table(TableName="beta")["Table"]
    assert d["TableStatus"] == "ACTIVE"
    assert d["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    assert d["TableArn"] == "arn:aws:dynamodb:us-east-1:000000000000:table/beta"
    assert d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    page = ddb.list_tables(Limit=2)
    assert page["TableNames"] == ["alpha", "beta"] and page["LastEvaluatedTableName"] == "beta"
    assert ddb.list_tables(ExclusiveStartTableName="beta")["TableNames"] == ["gamma"]
    got = restart_check(lambda: ddb.describe_table(TableName="beta")["Table"]["TableId"])
    assert got == d["TableId"]
    assert ddb.delete_table(TableName="beta")["TableDescription"]["TableStatus"] == "DELETING"
    with pytest.raises(ClientError) as e:
        ddb.describe_table(TableName="beta")
    assert code(e) == "ResourceNotFoundException"
    assert message(e) == "Requested resource not found: Table: beta not found"


def test_create_table_errors(ddb):
    """AWS's messages for an existing table, undefined key attributes and billing mismatches."""
    make_table(ddb, "dup")
    with pytest.raises(ClientError) as e:
        make_table(ddb, "dup")
    assert code(e) == "ResourceInUseException" and message(e) == "Table already exists: dup"
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName="tbl_x1", AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "b", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    assert code(e) == "ValidationException" and "Some index key attributes are not defined" in message(e)
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName="tbl_x2", AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}])
    assert "ReadCapacityUnits and WriteCapacityUnits must both be specified" in message(e)
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName="tbl_x3", AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"},
                                                               {"AttributeName": "b", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    assert "Number of attributes in KeySchema does not exactly match" in message(e)


def test_error_type_is_qualified(server, ddb):
    """The wire __type carries DynamoDB's namespace; boto3 reads the part after '#'."""
    import json
    import urllib.request
    req = urllib.request.Request(server.endpoint, data=json.dumps({"TableName": "nope"}).encode(), method="POST", headers={
        "X-Amz-Target": "DynamoDB_20120810.DescribeTable", "Content-Type": "application/x-amz-json-1.0"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    body = json.loads(e.value.read())
    assert body["__type"] == "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"


def test_update_table_gsi_throughput_and_deletion_protection(server, ddb, restart_check):
    """UpdateTable adds a GSI over existing items, toggles deletion protection; survives restarts."""
    status, _ = raw(server, "CreateTable", {"TableName": "tbl_u", "BillingMode": "PAY_PER_REQUEST", "DeletionProtectionEnabled": True,
                                            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                                            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
    assert status == 200
    ddb.put_item(TableName="tbl_u", Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    with pytest.raises(ClientError) as e:
        ddb.delete_table(TableName="tbl_u")
    assert code(e) == "ValidationException"
    ddb.update_table(TableName="tbl_u", AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                              "Projection": {"ProjectionType": "ALL"}}}])
    got = restart_check(lambda: ddb.query(TableName="tbl_u", IndexName="byg", KeyConditionExpression="g = :g",
                                          ExpressionAttributeValues={":g": {"S": "x"}})["Items"])
    assert got == [{"pk": {"S": "a"}, "g": {"S": "x"}}]
    assert raw(server, "UpdateTable", {"TableName": "tbl_u", "DeletionProtectionEnabled": False})[0] == 200
    ddb.delete_table(TableName="tbl_u")


def test_ttl_and_tags(ddb, restart_check):
    """TTL settings and tags are stored and described; both survive restarts."""
    make_table(ddb, "tbl_tt")
    arn = ddb.describe_table(TableName="tbl_tt")["Table"]["TableArn"]
    assert ddb.describe_time_to_live(TableName="tbl_tt")["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    ddb.update_time_to_live(TableName="tbl_tt", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}])
    ddb.untag_resource(ResourceArn=arn, TagKeys=["b"])
    got = restart_check(lambda: (ddb.describe_time_to_live(TableName="tbl_tt")["TimeToLiveDescription"],
                                 ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]))
    assert got == ({"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}, [{"Key": "a", "Value": "1"}])
    with pytest.raises(ClientError) as e:
        ddb.update_time_to_live(TableName="tbl_tt", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    assert message(e) == "TimeToLive is already enabled"


def test_ttl_expired_items_read_as_absent(ddb):
    """With TTL on, an item whose TTL time has passed is not returned (AWS deletes it in the background);
    future or non-number TTL values keep items; a put on the key replaces it."""
    import time
    make_table(ddb, "ttl_items", range_key="sk", range_type="N")
    now = int(time.time())
    for sk, exp in ((1, {"N": str(now - 60)}), (2, {"N": str(now + 3600)}), (3, {"S": "not a number"})):
        ddb.put_item(TableName="ttl_items", Item={"pk": {"S": "p"}, "sk": {"N": str(sk)}, "exp": exp})
    key1 = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    assert "Item" in ddb.get_item(TableName="ttl_items", Key=key1)  # TTL not enabled yet
    ddb.update_time_to_live(TableName="ttl_items", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    assert "Item" not in ddb.get_item(TableName="ttl_items", Key=key1)
    out = ddb.query(TableName="ttl_items", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}})
    assert [i["sk"]["N"] for i in out["Items"]] == ["2", "3"]
    ddb.put_item(TableName="ttl_items", Item=dict(key1, v={"S": "new"}), ConditionExpression="attribute_not_exists(pk)")
    assert ddb.get_item(TableName="ttl_items", Key=key1)["Item"]["v"] == {"S": "new"}


# ---- items ----

def test_put_get_delete_round_trip_every_type(ddb, restart_check):
    """Every attribute type round-trips exactly (sets come back as sets); deletes stick across restarts."""
    make_table(ddb, "items")
    item = {"pk": {"S": "k"}, "s": {"S": "héllo"}, "n": {"N": "3.14"}, "b": {"B": b"\x00\xff"},
            "ss": {"SS": ["b", "a"]}, "ns": {"NS": ["10", "2"]}, "bs": {"BS": [b"x", b"y"]},
            "m": {"M": {"in": {"L": [{"N": "1"}, {"NULL": True}, {"BOOL": False}]}}}, "e": {"S": ""}}
    ddb.put_item(TableName="items", Item=item)
    ddb.put_item(TableName="items", Item={"pk": {"S": "gone"}})
    ddb.delete_item(TableName="items", Key={"pk": {"S": "gone"}})

    def read():
        got = ddb.get_item(TableName="items", Key={"pk": {"S": "k"}})["Item"]
        got["ss"]["SS"].sort(), got["ns"]["NS"].sort(), got["bs"]["BS"].sort()
        return got, "Item" in ddb.get_item(TableName="items", Key={"pk": {"S": "gone"}})
    got, gone_present = restart_check(read)
    expect = dict(item, ss={"SS": ["a", "b"]}, ns={"NS": ["10", "2"]})
    assert got == expect and not gone_present


def test_numbers_are_normalised_and_exact(ddb):
    """AWS returns numbers in canonical form and keeps 38 digits exactly; more is an error."""
    make_table(ddb, "num")
    cases = {"1.0": "1", "0.10": "0.1", "-0": "0", "+5": "5", "1e2": "100", "1.5E-3": "0.0015", "007": "7",
             "12345678901234567890123456789012345678": "12345678901234567890123456789012345678"}
    for i, (given, want) in enumerate(cases.items()):
        ddb.put_item(TableName="num", Item={"pk": {"S": str(i)}, "n": {"N": given}})
        assert ddb.get_item(TableName="num", Key={"pk": {"S": str(i)}})["Item"]["n"]["N"] == want
    for bad, msg in (("123456789012345678901234567890123456789", "Attempting to store more than 38 significant digits in a Number"),
                     ("1e126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
                     ("1e-131", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
                     ("abc", "The parameter cannot be converted to a numeric value: abc")):
        with pytest.raises(ClientError) as e:
            ddb.put_item(TableName="num", Item={"pk": {"S": "bad"}, "n": {"N": bad}})
        assert code(e) == "ValidationException" and message(e) == msg


def test_exact_decimal_arithmetic(ddb):
    """ADD and SET arithmetic are exact decimals: 0.1 + 0.2 == 0.3, big integers keep every digit."""
    make_table(ddb, "arith")
    key = {"pk": {"S": "a"}}
    ddb.put_item(TableName="arith", Item={"pk": {"S": "a"}, "x": {"N": "0.1"}, "big": {"N": "99999999999999999999999999999999999999"}})
    out = ddb.update_item(TableName="arith", Key=key, UpdateExpression="SET x = x + :v ADD big :m",
                          ExpressionAttributeValues={":v": {"N": "0.2"}, ":m": {"N": "-99999999999999999999999999999999999998"}},
                          ReturnValues="UPDATED_NEW")["Attributes"]
    assert out == {"x": {"N": "0.3"}, "big": {"N": "1"}}
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName="arith", Key=key, UpdateExpression="SET big = :a + :b",
                        ExpressionAttributeValues={":a": {"N": "99999999999999999999999999999999999999"}, ":b": {"N": "0.1"}})
    assert message(e) == "Attempting to store more than 38 significant digits in a Number"


def test_key_validation_messages(ddb):
    """Missing keys, wrong key types, extra key attributes and empty key strings give AWS's messages."""
    make_table(ddb, "tbl_kv", range_key="sk", range_type="N")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName="tbl_kv", Item={"pk": {"S": "a"}})
    assert message(e) == "One or more parameter values were invalid: Missing the key sk in the item"
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName="tbl_kv", Item={"pk": {"S": "a"}, "sk": {"S": "x"}})
    assert message(e) == "One or more parameter values were invalid: Type mismatch for key sk expected: N actual: S"
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName="tbl_kv", Key={"pk": {"S": "a"}})
    assert message(e) == "The provided key element does not match the schema"
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName="tbl_kv", Item={"pk": {"S": ""}, "sk": {"N": "1"}})
    assert "cannot contain an empty string value. Key: pk" in message(e)
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName="missing", Key={"pk": {"S": "a"}})
    assert code(e) == "ResourceNotFoundException" and message(e) == "Requested resource not found"


def test_attribute_value_validation(ddb):
    """Empty sets, duplicate set members, empty and multi-typed values are rejected as AWS does."""
    make_table(ddb, "tbl_av")
    cases = [({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty"),
             ({"SS": ["a", "a"]}, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."),
             ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
             ({"S": "a", "N": "1"}, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")]
    for value, msg in cases:
        with pytest.raises(ClientError) as e:
            ddb.put_item(TableName="tbl_av", Item={"pk": {"S": "a"}, "v": value})
        assert message(e) == msg


def test_item_size_limit(ddb):
    """An item over 400 KB is refused; one just under is stored."""
    make_table(ddb, "big")
    ddb.put_item(TableName="big", Item={"pk": {"S": "ok"}, "v": {"S": "x" * (400 * 1024 - 10)}})
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName="big", Item={"pk": {"S": "no"}, "v": {"S": "x" * (400 * 1024 + 1)}})
    assert message(e) == "Item size has exceeded the maximum allowed size"


def test_documents_nest_32_levels(ddb):
    """Maps nest up to 32 levels as AWS allows; an update that would nest deeper is refused."""
    make_table(ddb, "nest")
    deep = {"S": "leaf"}
    for _ in range(31):
        deep = {"M": {"k": deep}}
    ddb.put_item(TableName="nest", Item={"pk": {"S": "a"}, "d": deep})
    assert ddb.get_item(TableName="nest", Key={"pk": {"S": "a"}})["Item"]["d"] == deep
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName="nest", Key={"pk": {"S": "a"}}, UpdateExpression="SET d.k.k = :v",
                        ExpressionAttributeValues={":v": deep})
    # AWS's full message (DynamoDB Local's ITEM_NESTING_LEVELS_LIMIT_EXCEEDED with its detail).
    assert message(e) == "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"


# ---- conditions ----

def test_condition_expression_functions(ddb):
    """The condition grammar: comparisons, BETWEEN, IN, AND/OR/NOT and every function."""
    make_table(ddb, "cond")
    ddb.put_item(TableName="cond", Item={"pk": {"S": "a"}, "n": {"N": "5"}, "s": {"S": "hello"}, "l": {"L": [{"S": "x"}]},
                                         "ss": {"SS": ["p", "q"]}, "m": {"M": {"k": {"N": "1"}}}})
    ok = [("n = :five", {":five": {"N": "5.0"}}),
          ("n BETWEEN :a AND :b", {":a": {"N": "1"}, ":b": {"N": "9"}}),
          ("n IN (:a, :b)", {":a": {"N": "4"}, ":b": {"N": "5"}}),
          ("begins_with(s, :p) AND contains(ss, :q)", {":p": {"S": "he"}, ":q": {"S": "q"}}),
          ("contains(l, :x) OR n < :a", {":x": {"S": "x"}, ":a": {"N": "0"}}),
          ("size(s) = :five AND attribute_type(m, :t)", {":five": {"N": "5"}, ":t": {"S": "M"}}),
          ("NOT attribute_exists(nope) AND attribute_exists(m.k)", None),
          ("(n > :a OR n < :a) AND s <> :p", {":a": {"N": "2"}, ":p": {"S": "x"}}),
          ("m.k = :one", {":one": {"N": "1"}})]
    for expr, values in ok:
        ddb.update_item(TableName="cond", Key={"pk": {"S": "a"}}, UpdateExpression="SET touched = :touch",
                        ConditionExpression=expr, ExpressionAttributeValues={**(values or {}), ":touch": {"BOOL": True}})
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName="cond", Key={"pk": {"S": "a"}}, UpdateExpression="SET touched = :touch",
                        ConditionExpression="n > :ten", ExpressionAttributeValues={":ten": {"N": "10"}, ":touch": {"BOOL": True}})
    assert code(e) == "ConditionalCheckFailedException" and message(e) == "The conditional request failed"


def test_conditional_put_and_failed_item(server, ddb):
    """attribute_not_exists guards a create; ReturnValuesOnConditionCheckFailure returns the item."""
    make_table(ddb, "tbl_cp")
    ddb.put_item(TableName="tbl_cp", Item={"pk": {"S": "a"}, "v": {"N": "1"}}, ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName="tbl_cp", Item={"pk": {"S": "a"}, "v": {"N": "2"}}, ConditionExpression="attribute_not_exists(pk)")
    assert code(e) == "ConditionalCheckFailedException"
    status, body = raw(server, "PutItem", {"TableName": "tbl_cp", "Item": {"pk": {"S": "a"}, "v": {"N": "2"}, "b": {"B": "AAE="}},
                                           "ConditionExpression": "attribute_not_exists(pk)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert status == 400 and body["__type"].endswith("#ConditionalCheckFailedException")
    assert body["Item"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    assert ddb.get_item(TableName="tbl_cp", Key={"pk": {"S": "a"}})["Item"]["v"] == {"N": "1"}


def test_expression_names_and_values_validation(ddb):
    """Unused, undefined and reserved names/values are errors with AWS's messages."""
    make_table(ddb, "tbl_ev")
    key = {"pk": {"S": "a"}}
    cases = [
        (dict(UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": {"S": "x"}, ":extra": {"S": "y"}}),
         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:extra}"),
        (dict(UpdateExpression="SET a = :v", ExpressionAttributeNames={"#n": "x"}, ExpressionAttributeValues={":v": {"S": "x"}}),
         "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}"),
        (dict(UpdateExpression="SET #n = :v", ExpressionAttributeValues={":v": {"S": "x"}}),
         "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #n"),
        (dict(UpdateExpression="SET a = :missing", ExpressionAttributeValues={":v": {"S": "x"}}),
         "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :missing"),
        (dict(UpdateExpression="SET status = :v", ExpressionAttributeValues={":v": {"S": "x"}}),
         "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"),
        (dict(UpdateExpression="SET a = :v, a.b = :v", ExpressionAttributeValues={":v": {"S": "x"}}),
         "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"),
        (dict(UpdateExpression="SET pk = :v", ExpressionAttributeValues={":v": {"S": "x"}}),
         "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"),
        (dict(UpdateExpression="ADD a :v", ExpressionAttributeValues={":v": {"S": "x"}}),
         "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING"),
        (dict(UpdateExpression="SET a = :v", ConditionExpression="foo(a)", ExpressionAttributeValues={":v": {"S": "x"}}),
         "Invalid ConditionExpression: Invalid function name; function: foo"),
    ]
    for kw, msg in cases:
        with pytest.raises(ClientError) as e:
            ddb.update_item(TableName="tbl_ev", Key=key, **kw)
        assert code(e) == "ValidationException"
        assert message(e) == msg
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName="tbl_ev", Key=key, UpdateExpression="SET a = = :v", ExpressionAttributeValues={":v": {"S": "x"}})
    assert message(e).startswith("Invalid UpdateExpression: Syntax error; token: \"=\"")


def test_deeply_nested_expression_is_an_error_not_a_crash(ddb):
    """Hostile nesting is refused with a ValidationException and the server keeps serving."""
    make_table(ddb, "deep")
    expr = "(" * 5000 + "a = :v" + ")" * 5000
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName="deep", Item={"pk": {"S": "a"}}, ConditionExpression=expr, ExpressionAttributeValues={":v": {"S": "x"}})
    assert code(e) == "ValidationException"
    ddb.put_item(TableName="deep", Item={"pk": {"S": "a"}})


# ---- updates ----

def test_update_expression_language(ddb, restart_check):
    """SET with if_not_exists/list_append and nested paths, REMOVE of list elements, ADD and DELETE on sets."""
    make_table(ddb, "upd")
    key = {"pk": {"S": "a"}}
    ddb.put_item(TableName="upd", Item={"pk": {"S": "a"}, "l": {"L": [{"N": "0"}]}, "r": {"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}, {"N": "3"}]},
                                        "m": {"M": {"x": {"S": "1"}}}, "tags": {"SS": ["b", "c"]}, "gone": {"SS": ["a", "z"]}})
    ddb.update_item(TableName="upd", Key=key,
                    UpdateExpression="SET cnt = if_not_exists(cnt, :zero) + :one, l = list_append(l, :more), m.y = :y, #n = :y "
                                     "REMOVE r[0], r[2] ADD tags :d, hits :one DELETE gone :del, #n2 :del",
                    ExpressionAttributeNames={"#n": "name", "#n2": "absent"},
                    ExpressionAttributeValues={":zero": {"N": "0"}, ":one": {"N": "1"}, ":more": {"L": [{"N": "4"}]},
                                               ":y": {"S": "yes"}, ":d": {"SS": ["d"]}, ":del": {"SS": ["a", "z"]}})
    got = restart_check(lambda: ddb.get_item(TableName="upd", Key=key)["Item"])
    assert got["cnt"] == {"N": "1"} and got["hits"] == {"N": "1"}
    assert got["l"] == {"L": [{"N": "0"}, {"N": "4"}]} and got["r"] == {"L": [{"N": "1"}, {"N": "3"}]}
    assert got["m"] == {"M": {"x": {"S": "1"}, "y": {"S": "yes"}}} and got["name"] == {"S": "yes"}
    assert sorted(got["tags"]["SS"]) == ["b", "c", "d"] and "gone" not in got and "absent" not in got


# Why: AWS accepts parenthesised operands in SET values and conditions; podstack answered "Syntax error; token: "("".
def test_parenthesised_operands(ddb):
    make_table(ddb, "paren")
    key = {"pk": {"S": "a"}}
    values = {":z": {"N": "10"}, ":v": {"N": "3"}}
    ddb.update_item(TableName="paren", Key=key, UpdateExpression="SET #a = (if_not_exists(#a, :z) - :v), #b = (:v)",
                    ExpressionAttributeNames={"#a": "a", "#b": "b"}, ExpressionAttributeValues=values)
    ddb.update_item(TableName="paren", Key=key, UpdateExpression="SET #a = (if_not_exists(#a, :z) - :v)",
                    ConditionExpression="(#a) = :v OR ((#a) > :v AND NOT (#b) = :z)",
                    ExpressionAttributeNames={"#a": "a", "#b": "b"}, ExpressionAttributeValues=values)
    item = ddb.get_item(TableName="paren", Key=key)["Item"]
    assert item["a"] == {"N": "4"} and item["b"] == {"N": "3"}


def test_update_creates_item_and_return_values(ddb):
    """UpdateItem on a missing key creates it; ReturnValues ALL_OLD/UPDATED_OLD/ALL_NEW as AWS."""
    make_table(ddb, "tbl_rv")
    key = {"pk": {"S": "n"}}
    out = ddb.update_item(TableName="tbl_rv", Key=key, UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": {"N": "1"}},
                          ReturnValues="ALL_NEW")
    assert out["Attributes"] == {"pk": {"S": "n"}, "a": {"N": "1"}}
    out = ddb.update_item(TableName="tbl_rv", Key=key, UpdateExpression="SET a = :v, b = :v", ExpressionAttributeValues={":v": {"N": "2"}},
                          ReturnValues="UPDATED_OLD")
    assert out["Attributes"] == {"a": {"N": "1"}}
    out = ddb.update_item(TableName="tbl_rv", Key=key, UpdateExpression="REMOVE b", ReturnValues="ALL_OLD")
    assert out["Attributes"] == {"pk": {"S": "n"}, "a": {"N": "2"}, "b": {"N": "2"}}
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName="tbl_rv", Key=key, UpdateExpression="SET a = a + :s", ExpressionAttributeValues={":s": {"S": "x"}})
    assert message(e) == "An operand in the update expression has an incorrect data type"
    with pytest.raises(ClientError) as e:
        ddb.update_item(TableName="tbl_rv", Key=key, UpdateExpression="SET nope.deeper = :s", ExpressionAttributeValues={":s": {"S": "x"}})
    assert message(e) == "The document path provided in the update expression is invalid for update"


def test_projection_expression(ddb):
    """ProjectionExpression keeps nested structure and list positions as AWS does."""
    make_table(ddb, "proj")
    ddb.put_item(TableName="proj", Item={"pk": {"S": "a"}, "x": {"N": "1"}, "y": {"N": "2"},
                                         "m": {"M": {"a": {"S": "A"}, "b": {"S": "B"}}}, "l": {"L": [{"S": "0"}, {"S": "1"}, {"S": "2"}]}})
    got = ddb.get_item(TableName="proj", Key={"pk": {"S": "a"}}, ProjectionExpression="x, m.b, l[2], #z",
                       ExpressionAttributeNames={"#z": "missing"})["Item"]
    assert got == {"x": {"N": "1"}, "m": {"M": {"b": {"S": "B"}}}, "l": {"L": [{"S": "2"}]}}
    assert ddb.get_item(TableName="proj", Key={"pk": {"S": "a"}}, AttributesToGet=["y"])["Item"] == {"y": {"N": "2"}}


def test_legacy_expected_and_attribute_updates(ddb):
    """The legacy Expected and AttributeUpdates parameters are answered."""
    make_table(ddb, "legacy")
    key = {"pk": {"S": "a"}}
    ddb.put_item(TableName="legacy", Item={"pk": {"S": "a"}, "v": {"N": "1"}}, Expected={"pk": {"Exists": False}})
    ddb.update_item(TableName="legacy", Key=key, AttributeUpdates={"v": {"Action": "ADD", "Value": {"N": "2"}}, "w": {"Value": {"S": "x"}}},
                    Expected={"v": {"Value": {"N": "1"}}})
    assert ddb.get_item(TableName="legacy", Key=key)["Item"] == {"pk": {"S": "a"}, "v": {"N": "3"}, "w": {"S": "x"}}
    with pytest.raises(ClientError) as e:
        ddb.delete_item(TableName="legacy", Key=key, Expected={"v": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "5"}]}})
    assert code(e) == "ConditionalCheckFailedException"
    with pytest.raises(ClientError) as e:
        ddb.delete_item(TableName="legacy", Key=key, Expected={"v": {"Exists": False}}, ConditionExpression="attribute_exists(v)")
    assert message(e).startswith("Can not use both expression and non-expression parameters in the same request")


# ---- Query and Scan ----

def fill_orders(ddb, n=30):
    make_table(ddb, "orders", range_key="sk", range_type="N",
               extra_attrs=[{"AttributeName": "status", "AttributeType": "S"}, {"AttributeName": "amt", "AttributeType": "N"}],
               GlobalSecondaryIndexes=[{"IndexName": "by_status", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                                                                                {"AttributeName": "amt", "KeyType": "RANGE"}],
                                        "Projection": {"ProjectionType": "KEYS_ONLY"}}],
               LocalSecondaryIndexes=[{"IndexName": "by_amt", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                           {"AttributeName": "amt", "KeyType": "RANGE"}],
                                       "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]}}])
    for i in range(n):
        ddb.put_item(TableName="orders", Item={"pk": {"S": "c%d" % (i % 2)}, "sk": {"N": str(i - 10)}, "amt": {"N": str((i * 7) % 13)},
                                               "status": {"S": "open" if i % 3 else "done"}, "note": {"S": "n%d" % i}, "other": {"S": "o"}})


def test_query_orders_numbers_numerically_and_pages(ddb, restart_check):
    """Sort keys order numerically (negatives first); Limit and ExclusiveStartKey page without gaps; reverse works."""
    fill_orders(ddb)
    kw = dict(TableName="orders", KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
              ExpressionAttributeValues={":p": {"S": "c0"}, ":lo": {"N": "-10"}, ":hi": {"N": "100"}})
    seen, start = [], None
    while True:
        page = ddb.query(Limit=4, **({"ExclusiveStartKey": start} if start else {}), **kw)
        seen += [int(i["sk"]["N"]) for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert seen == list(range(-10, 20, 2))
    back = ddb.query(ScanIndexForward=False, **kw)
    assert [int(i["sk"]["N"]) for i in back["Items"]] == list(reversed(seen))
    got = restart_check(lambda: ddb.query(**kw)["Items"])
    assert len(got) == 15


def test_query_key_condition_forms_and_filter(ddb):
    """<, >=, begins_with on the sort key; FilterExpression counts; Select COUNT."""
    make_table(ddb, "tbl_kc", range_key="sk")
    for s in ("a1", "a2", "b1", "b2", "c"):
        ddb.put_item(TableName="tbl_kc", Item={"pk": {"S": "p"}, "sk": {"S": s}, "v": {"N": "1" if s.endswith("1") else "2"}})
    q = lambda expr, **kw: [i["sk"]["S"] for i in ddb.query(TableName="tbl_kc", KeyConditionExpression=expr, **kw)["Items"]]
    v = lambda **vals: {k: {"S": x} for k, x in vals.items()}
    assert q("pk = :p AND begins_with(sk, :b)", ExpressionAttributeValues=v(**{":p": "p", ":b": "b"})) == ["b1", "b2"]
    assert q("pk = :p AND sk < :b", ExpressionAttributeValues=v(**{":p": "p", ":b": "b1"})) == ["a1", "a2"]
    assert q("pk = :p AND sk >= :b", ExpressionAttributeValues=v(**{":p": "p", ":b": "b2"})) == ["b2", "c"]
    out = ddb.query(TableName="tbl_kc", KeyConditionExpression="pk = :p", FilterExpression="v = :one",
                    ExpressionAttributeValues={":p": {"S": "p"}, ":one": {"N": "1"}}, Select="COUNT")
    assert out["Count"] == 2 and out["ScannedCount"] == 5 and "Items" not in out
    with pytest.raises(ClientError) as e:
        ddb.query(TableName="tbl_kc", KeyConditionExpression="sk = :p", ExpressionAttributeValues={":p": {"S": "p"}})
    assert message(e) == "Query condition missed key schema element: pk"
    with pytest.raises(ClientError) as e:
        ddb.query(TableName="tbl_kc", KeyConditionExpression="pk = :p OR sk = :p", ExpressionAttributeValues={":p": {"S": "p"}})
    assert message(e) == "Invalid operator used in KeyConditionExpression: OR"
    with pytest.raises(ClientError) as e:
        ddb.query(TableName="tbl_kc", KeyConditionExpression="pk = :p", FilterExpression="sk = :p", ExpressionAttributeValues={":p": {"S": "p"}})
    assert message(e) == "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"


def test_query_gsi_and_lsi_projections(ddb):
    """A GSI query returns only projected attributes in index order; an LSI includes its NonKeyAttributes."""
    fill_orders(ddb)
    out = ddb.query(TableName="orders", IndexName="by_status", KeyConditionExpression="#s = :s AND amt > :a",
                    ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "done"}, ":a": {"N": "3"}})
    amts = [int(i["amt"]["N"]) for i in out["Items"]]
    assert amts == sorted(amts) and all(a > 3 for a in amts) and amts
    assert all(set(i) == {"pk", "sk", "status", "amt"} for i in out["Items"])
    out = ddb.query(TableName="orders", IndexName="by_amt", KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": "c1"}})
    assert all(set(i) == {"pk", "sk", "amt", "note"} for i in out["Items"]) and out["Count"] == 15
    with pytest.raises(ClientError) as e:
        ddb.query(TableName="orders", IndexName="nope", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "c1"}})
    assert message(e) == "The table does not have the specified index: nope"
    with pytest.raises(ClientError) as e:
        ddb.query(TableName="orders", IndexName="by_status", ConsistentRead=True, KeyConditionExpression="#s = :s",
                  ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "done"}})
    assert message(e) == "Consistent reads are not supported on global secondary indexes"


def test_scan_segments_filters_and_pagination(ddb):
    """Parallel segments partition the table; filters apply after Limit; pages cover every item once."""
    fill_orders(ddb)
    seen = []
    for seg in range(3):
        start = None
        while True:
            page = ddb.scan(TableName="orders", Segment=seg, TotalSegments=3, Limit=7, **({"ExclusiveStartKey": start} if start else {}))
            seen += [(i["pk"]["S"], i["sk"]["N"]) for i in page["Items"]]
            start = page.get("LastEvaluatedKey")
            if not start:
                break
    assert len(seen) == 30 and len(set(seen)) == 30
    out = ddb.scan(TableName="orders", FilterExpression="amt < :a", ExpressionAttributeValues={":a": {"N": "5"}})
    assert out["ScannedCount"] == 30 and out["Count"] == len([i for i in range(30) if (i * 7) % 13 < 5])
    with pytest.raises(ClientError) as e:
        ddb.scan(TableName="orders", Segment=3, TotalSegments=3)
    assert code(e) == "ValidationException"


def test_binary_sort_keys_order_bytewise(ddb):
    """Binary sort keys order as unsigned bytes."""
    make_table(ddb, "bin", range_key="sk", range_type="B")
    for b in (b"\xff", b"\x00", b"\x7f", b"\x80\x00"):
        ddb.put_item(TableName="bin", Item={"pk": {"S": "p"}, "sk": {"B": b}})
    out = ddb.query(TableName="bin", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}})
    assert [i["sk"]["B"] for i in out["Items"]] == [b"\x00", b"\x7f", b"\x80\x00", b"\xff"]


# ---- batches and transactions ----

def test_batch_write_and_get(ddb, restart_check):
    """BatchWriteItem puts and deletes in one call; BatchGetItem reads them; duplicates are refused."""
    make_table(ddb, "tbl_bw")
    ddb.put_item(TableName="tbl_bw", Item={"pk": {"S": "old"}})
    ddb.batch_write_item(RequestItems={"tbl_bw": [{"PutRequest": {"Item": {"pk": {"S": str(i)}, "v": {"N": str(i)}}}} for i in range(20)] +
                                             [{"DeleteRequest": {"Key": {"pk": {"S": "old"}}}}]})

    def read():
        out = ddb.batch_get_item(RequestItems={"tbl_bw": {"Keys": [{"pk": {"S": str(i)}} for i in range(0, 20, 5)] + [{"pk": {"S": "old"}}],
                                                      "ProjectionExpression": "v"}})
        return sorted(int(i["v"]["N"]) for i in out["Responses"]["tbl_bw"]), out["UnprocessedKeys"]
    assert restart_check(read) == ([0, 5, 10, 15], {})
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={"tbl_bw": [{"PutRequest": {"Item": {"pk": {"S": "d"}}}}, {"DeleteRequest": {"Key": {"pk": {"S": "d"}}}}]})
    assert message(e) == "Provided list of item keys contains duplicates"


def test_transact_write_all_or_nothing(ddb, restart_check):
    """A failed condition cancels the whole transaction with per-item reasons; a good one applies every write."""
    make_table(ddb, "tbl_tx")
    ddb.put_item(TableName="tbl_tx", Item={"pk": {"S": "acct"}, "bal": {"N": "10"}})
    items = lambda amount: [
        {"Update": {"TableName": "tbl_tx", "Key": {"pk": {"S": "acct"}}, "UpdateExpression": "SET bal = bal - :a",
                    "ConditionExpression": "bal >= :a", "ExpressionAttributeValues": {":a": {"N": amount}}}},
        {"Put": {"TableName": "tbl_tx", "Item": {"pk": {"S": "log" + amount}}}},
    ]
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=items("50"))
    assert code(e) == "TransactionCanceledException"
    assert [r["Code"] for r in e.value.response["CancellationReasons"]] == ["ConditionalCheckFailed", "None"]
    assert "Item" not in ddb.get_item(TableName="tbl_tx", Key={"pk": {"S": "log50"}})
    ddb.transact_write_items(TransactItems=items("4"))
    got = restart_check(lambda: ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": "tbl_tx", "Key": {"pk": {"S": "acct"}}}}, {"Get": {"TableName": "tbl_tx", "Key": {"pk": {"S": "log4"}}}}])["Responses"])
    assert got == [{"Item": {"pk": {"S": "acct"}, "bal": {"N": "6"}}}, {"Item": {"pk": {"S": "log4"}}}]
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "tbl_tx", "Item": {"pk": {"S": "x"}}}},
                                                {"Delete": {"TableName": "tbl_tx", "Key": {"pk": {"S": "x"}}}}])
    assert message(e) == "Transaction request cannot include multiple operations on one item"



def _add_one(table, token, amount="1"):
    return dict(ClientRequestToken=token, TransactItems=[{"Update": {
        "TableName": table, "Key": {"pk": {"S": "c"}}, "UpdateExpression": "ADD n :a",
        "ExpressionAttributeValues": {":a": {"N": amount}}}}])


def test_transact_write_client_token_is_idempotent_across_restarts(ddb, server, restart_check):
    """A retry with the same ClientRequestToken (a lost response) must not apply the writes twice, even after a restart or kill -9."""
    make_table(ddb, "tbl_tok")
    ddb.transact_write_items(**_add_one("tbl_tok", "retry-me"))

    def retry_and_read():
        ddb.transact_write_items(**_add_one("tbl_tok", "retry-me"))
        return ddb.get_item(TableName="tbl_tok", Key={"pk": {"S": "c"}})["Item"]["n"]
    assert restart_check(retry_and_read) == {"N": "1"}
    # Members in another order are the same request (AWS compares parameters, not bytes).
    status, _ = raw(server, "TransactWriteItems", {"ClientRequestToken": "retry-me", "TransactItems": [{"Update": {
        "ExpressionAttributeValues": {":a": {"N": "1"}}, "UpdateExpression": "ADD n :a", "Key": {"pk": {"S": "c"}}, "TableName": "tbl_tok"}}]})
    assert status == 200
    assert ddb.get_item(TableName="tbl_tok", Key={"pk": {"S": "c"}})["Item"]["n"] == {"N": "1"}


def test_transact_write_client_token_with_other_parameters_is_refused(ddb, server):
    """Reusing a token for a different request is a client bug AWS reports (IdempotentParameterMismatchException), also after kill -9."""
    make_table(ddb, "tbl_tokm")
    ddb.transact_write_items(**_add_one("tbl_tokm", "tok-1"))
    server.crash_restart()
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(**_add_one("tbl_tokm", "tok-1", amount="2"))
    assert code(e) == "IdempotentParameterMismatchException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert ddb.get_item(TableName="tbl_tokm", Key={"pk": {"S": "c"}})["Item"]["n"] == {"N": "1"}


def test_transact_write_cancelled_then_retried_with_same_token_applies(ddb):
    """A cancelled transaction wrote nothing, so its retry with the same token runs afresh (as AWS: only a success is remembered)."""
    make_table(ddb, "tbl_tokc")
    req = _add_one("tbl_tokc", "tok-c")
    req["TransactItems"][0]["Update"]["ConditionExpression"] = "attribute_exists(pk)"
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(**req)
    assert code(e) == "TransactionCanceledException"
    ddb.put_item(TableName="tbl_tokc", Item={"pk": {"S": "c"}, "n": {"N": "5"}})
    ddb.transact_write_items(**req)
    ddb.transact_write_items(**req)  # now a repeat of a success: no second write
    assert ddb.get_item(TableName="tbl_tokc", Key={"pk": {"S": "c"}})["Item"]["n"] == {"N": "6"}


def test_batch_write_limits(ddb):
    """BatchWriteItem takes at most 25 requests: per table the model's constraint, over tables AWS's own message; duplicates are refused."""
    make_table(ddb, "bwl_a")
    make_table(ddb, "bwl_b")
    puts = lambda n, prefix="": [{"PutRequest": {"Item": {"pk": {"S": prefix + str(i)}}}} for i in range(n)]
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={"bwl_a": puts(26)})
    assert code(e) == "ValidationException"
    assert re.fullmatch(r"1 validation error detected: Value '\{.+\}' at 'requestItems' failed to satisfy constraint: "
                        r"Map value must satisfy constraint: \[Member must have length less than or equal to 25, "
                        r"Member must have length greater than or equal to 1\]", message(e))
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={"bwl_a": puts(13), "bwl_b": puts(13)})
    assert message(e) == "Too many items requested for the BatchWriteItem call"
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={"bwl_a": puts(2) + puts(1)})
    assert message(e) == "Provided list of item keys contains duplicates"
    assert "Item" not in ddb.get_item(TableName="bwl_a", Key={"pk": {"S": "0"}})  # a refused batch writes nothing
    out = ddb.batch_write_item(RequestItems={"bwl_a": puts(12), "bwl_b": puts(13)})
    assert out["UnprocessedItems"] == {}


def test_batch_get_limits(ddb):
    """BatchGetItem takes at most 100 keys: per table the model's constraint, over tables AWS's own message."""
    make_table(ddb, "bgl_a")
    make_table(ddb, "bgl_b")
    keys = lambda n: [{"pk": {"S": str(i)}} for i in range(n)]
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={"bgl_a": {"Keys": keys(101)}})
    assert re.fullmatch(r"1 validation error detected: Value '\[.+\]' at 'requestItems.bgl_a.member.keys' failed to satisfy constraint: "
                        r"Member must have length less than or equal to 100", message(e))
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={"bgl_a": {"Keys": keys(100)}, "bgl_b": {"Keys": keys(1)}})
    assert message(e) == "Too many items requested for the BatchGetItem call"
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={"bgl_a": {"Keys": keys(2) + keys(1)}})
    assert message(e) == "Provided list of item keys contains duplicates"


def test_batch_get_over_16mb_returns_unprocessed_keys(ddb):
    """A BatchGetItem answer holds at most 16 MB; the rest comes back in UnprocessedKeys (with the table's parameters) to ask again."""
    make_table(ddb, "bg16")
    big = "x" * 390_000
    for start in range(0, 45, 15):
        ddb.batch_write_item(RequestItems={"bg16": [{"PutRequest": {"Item": {"pk": {"S": str(i)}, "v": {"S": big}, "i": {"N": str(i)}}}}
                                                    for i in range(start, start + 15)]})
    request = {"bg16": {"Keys": [{"pk": {"S": str(i)}} for i in range(45)], "ProjectionExpression": "pk, #i",
                        "ExpressionAttributeNames": {"#i": "i"}}}
    out = ddb.batch_get_item(RequestItems=request)
    first = out["Responses"]["bg16"]
    assert 0 < len(first) < 45
    left = out["UnprocessedKeys"]["bg16"]
    assert left["ProjectionExpression"] == "pk, #i" and left["ExpressionAttributeNames"] == {"#i": "i"}
    assert len(left["Keys"]) == 45 - len(first)
    rest = ddb.batch_get_item(RequestItems=out["UnprocessedKeys"])
    assert rest["UnprocessedKeys"] == {}
    got = sorted(int(i["i"]["N"]) for i in first + rest["Responses"]["bg16"])
    assert got == list(range(45))


# ---- the Table resource (boto3's high-level API) ----

def test_table_resource_workflow(resource, server, restart_check):
    """put, conditional update, query by GSI, batch writer and transactions through boto3's Table API, before and after kill -9."""
    table = resource.create_table(
        TableName="users", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "team", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_team", "KeySchema": [{"AttributeName": "team", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    table.wait_until_exists()
    table.put_item(Item={"id": "u1", "team": "red", "score": decimal.Decimal("1.5"), "roles": {"admin"}})
    with table.batch_writer() as bw:
        for i in range(2, 40):
            bw.put_item(Item={"id": "u%d" % i, "team": "red" if i % 2 else "blue", "score": i})
    table.update_item(Key={"id": "u1"}, UpdateExpression="SET score = score + :d", ConditionExpression=Attr("team").eq("red"),
                      ExpressionAttributeValues={":d": decimal.Decimal("0.25")})
    with pytest.raises(ClientError) as e:
        table.update_item(Key={"id": "u1"}, UpdateExpression="SET score = :z", ConditionExpression=Attr("team").eq("blue"),
                          ExpressionAttributeValues={":z": 0})
    assert code(e) == "ConditionalCheckFailedException"
    client = server.client("dynamodb")
    client.transact_write_items(TransactItems=[{"Update": {"TableName": "users", "Key": {"id": {"S": "u2"}}, "UpdateExpression": "SET team = :t",
                                                           "ExpressionAttributeValues": {":t": {"S": "red"}}}}])

    def read():
        red = table.query(IndexName="by_team", KeyConditionExpression=Key("team").eq("red"))["Items"]
        u1 = table.get_item(Key={"id": "u1"})["Item"]
        scan = table.scan(FilterExpression=Attr("score").gt(30))["Items"]
        return sorted(i["id"] for i in red), u1, sorted(i["id"] for i in scan)
    red, u1, high = restart_check(read)
    assert u1 == {"id": "u1", "team": "red", "score": decimal.Decimal("1.75"), "roles": {"admin"}}
    assert len(red) == 21 and "u2" in red
    assert high == sorted("u%d" % i for i in range(31, 40))


def test_concurrent_counter_increments_are_atomic(server):
    """ADD from many clients at once loses no increment (the service lock serialises decide+apply)."""
    ddb = server.client("dynamodb")
    make_table(ddb, "ctr")

    def worker():
        c = server.client("dynamodb")
        for _ in range(25):
            c.update_item(TableName="ctr", Key={"pk": {"S": "c"}}, UpdateExpression="ADD n :one", ExpressionAttributeValues={":one": {"N": "1"}})
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ddb.get_item(TableName="ctr", Key={"pk": {"S": "c"}})["Item"]["n"] == {"N": "100"}


def test_unsupported_operation_has_aws_error_shape(ddb):
    """An operation podstack does not implement answers with an AWS error, not a dropped connection."""
    with pytest.raises(ClientError) as e:
        ddb.list_backups()
    assert code(e) in ("NotImplemented", "UnknownOperationException")


# ---- PartiQL ----

def test_partiql_insert_select_update_delete(ddb, restart_check):
    """ExecuteStatement: INSERT (duplicates refused), SELECT by key and by filter, UPDATE and DELETE by key."""
    make_table(ddb, "pql", range_key="sk", range_type="N")
    ddb.execute_statement(Statement="INSERT INTO \"pql\" VALUE {'pk': ?, 'sk': ?, 'tags': <<'a', 'b'>>, 'm': {'x': [1, 'two']}}",
                          Parameters=[{"S": "p"}, {"N": "1"}])
    ddb.execute_statement(Statement="INSERT INTO pql VALUE {'pk': 'p', 'sk': 2, 'n': 5}")
    with pytest.raises(ClientError) as e:
        ddb.execute_statement(Statement="INSERT INTO pql VALUE {'pk': 'p', 'sk': 2}")
    assert code(e) == "DuplicateItemException"
    ddb.execute_statement(Statement="UPDATE pql SET n = n + 1 SET extra = 'yes' REMOVE gone WHERE pk = 'p' AND sk = 2")
    ddb.execute_statement(Statement="DELETE FROM pql WHERE pk = ? AND sk = ?", Parameters=[{"S": "p"}, {"N": "1"}])
    with pytest.raises(ClientError) as e:
        ddb.execute_statement(Statement="UPDATE pql SET n = 0 WHERE pk = 'p' AND sk = 99")
    assert code(e) == "ConditionalCheckFailedException"
    got = restart_check(lambda: ddb.execute_statement(Statement="SELECT * FROM pql WHERE pk = 'p'")["Items"])
    assert got == [{"pk": {"S": "p"}, "sk": {"N": "2"}, "n": {"N": "6"}, "extra": {"S": "yes"}}]
    out = ddb.execute_statement(Statement="SELECT n FROM \"pql\" WHERE n > ? AND extra IS NOT MISSING", Parameters=[{"N": "5"}])
    assert out["Items"] == [{"n": {"N": "6"}}]
    with pytest.raises(ClientError) as e:
        ddb.execute_statement(Statement="DELETE FROM pql WHERE n = 6")
    assert message(e) == "Where clause does not contain a mandatory equality on all key attributes"
    with pytest.raises(ClientError) as e:
        ddb.execute_statement(Statement="SELEKT * FROM pql")
    assert code(e) == "ValidationException"


def test_partiql_batch_reports_errors_per_statement(ddb):
    """BatchExecuteStatement answers each statement: items for reads, an Error entry for a failed write."""
    make_table(ddb, "pqlb")
    out = ddb.batch_execute_statement(Statements=[
        {"Statement": "INSERT INTO pqlb VALUE {'pk': 'a', 'v': 1}"},
        {"Statement": "INSERT INTO pqlb VALUE {'pk': 'b', 'v': 2}"},
        {"Statement": "UPDATE pqlb SET v = 3 WHERE pk = 'missing'"},
    ])["Responses"]
    assert "Error" not in out[0] and "Error" not in out[1]
    assert out[2]["Error"]["Code"] == "ConditionalCheckFailed"
    reads = ddb.batch_execute_statement(Statements=[{"Statement": "SELECT * FROM pqlb WHERE pk = ?", "Parameters": [{"S": "b"}]}])
    assert reads["Responses"][0]["Item"] == {"pk": {"S": "b"}, "v": {"N": "2"}}



def test_partiql_select_pages_with_limit_and_next_token(ddb):
    """ExecuteStatement evaluates at most Limit items a call and returns a NextToken to continue, as Query does with LastEvaluatedKey."""
    make_table(ddb, "pqlp", range_key="sk", range_type="N")
    for i in range(7):
        ddb.put_item(TableName="pqlp", Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "odd": {"BOOL": i % 2 == 1}})
    ddb.put_item(TableName="pqlp", Item={"pk": {"S": "q"}, "sk": {"N": "0"}})
    pages, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        out = ddb.execute_statement(Statement="SELECT sk FROM pqlp WHERE pk = 'p'", Limit=3, **kw)
        pages.append([int(i["sk"]["N"]) for i in out["Items"]])
        token = out.get("NextToken")
        if not token:
            break
    assert pages == [[0, 1, 2], [3, 4, 5], [6]]
    # Limit counts items evaluated, not matched: a filtered page may be short (or empty) and still continue.
    out = ddb.execute_statement(Statement="SELECT sk FROM pqlp WHERE pk = 'p' AND odd = true", Limit=2)
    assert [int(i["sk"]["N"]) for i in out["Items"]] == [1] and "NextToken" in out
    everything = ddb.execute_statement(Statement="SELECT * FROM pqlp")
    assert len(everything["Items"]) == 8 and "NextToken" not in everything


# ---- Streams ----

def test_streams_records_every_change_with_images(server, ddb, restart_check):
    """A NEW_AND_OLD_IMAGES stream holds INSERT, MODIFY and REMOVE records in order with their images;
    iterators resume after the last record; records survive restarts (they derive from the log)."""
    make_table(ddb, "strm", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    streams = server.client("dynamodbstreams")
    ddb.put_item(TableName="strm", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    ddb.update_item(TableName="strm", Key={"pk": {"S": "a"}}, UpdateExpression="SET v = :two", ExpressionAttributeValues={":two": {"N": "2"}})
    ddb.delete_item(TableName="strm", Key={"pk": {"S": "a"}})
    ddb.delete_item(TableName="strm", Key={"pk": {"S": "never-there"}})  # no change, no record
    arn = ddb.describe_table(TableName="strm")["Table"]["LatestStreamArn"]
    assert [s["StreamArn"] for s in streams.list_streams(TableName="strm")["Streams"]] == [arn]
    desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert desc["StreamViewType"] == "NEW_AND_OLD_IMAGES" and desc["StreamStatus"] == "ENABLED"
    shard = desc["Shards"][0]["ShardId"]

    def read():
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        recs = streams.get_records(ShardIterator=it)["Records"]
        return [(r["eventName"], r["dynamodb"]["Keys"], r["dynamodb"].get("OldImage"), r["dynamodb"].get("NewImage"),
                 r["dynamodb"]["SequenceNumber"]) for r in recs]
    recs = restart_check(read)
    a1, a2 = {"pk": {"S": "a"}, "v": {"N": "1"}}, {"pk": {"S": "a"}, "v": {"N": "2"}}
    assert [r[:4] for r in recs] == [("INSERT", {"pk": {"S": "a"}}, None, a1), ("MODIFY", {"pk": {"S": "a"}}, a1, a2),
                                     ("REMOVE", {"pk": {"S": "a"}}, a2, None)]
    assert [r[4] for r in recs] == sorted(r[4] for r in recs)
    latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    out = streams.get_records(ShardIterator=latest)
    assert out["Records"] == []
    ddb.put_item(TableName="strm", Item={"pk": {"S": "b"}})
    got = streams.get_records(ShardIterator=out["NextShardIterator"])["Records"]
    assert [(r["eventName"], r["dynamodb"]["Keys"]) for r in got] == [("INSERT", {"pk": {"S": "b"}})]
    after = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                       SequenceNumber=recs[1][4])["ShardIterator"]
    assert [r["eventName"] for r in streams.get_records(ShardIterator=after)["Records"]] == ["REMOVE", "INSERT"]


# Why: clients page shards and streams; the last page must end (not repeat the last shard), and Limit must hold.
def test_streams_paging(server, ddb):
    streams = server.client("dynamodbstreams")
    for n in ("pga", "pgb", "pgc"):
        make_table(ddb, n, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    arns = [ddb.describe_table(TableName=n)["Table"]["LatestStreamArn"] for n in ("pga", "pgb", "pgc")]
    desc = streams.describe_stream(StreamArn=arns[0])["StreamDescription"]
    shard = desc["Shards"][-1]["ShardId"]
    assert "LastEvaluatedShardId" not in desc
    nxt = streams.describe_stream(StreamArn=arns[0], ExclusiveStartShardId=shard)["StreamDescription"]
    assert nxt["Shards"] == [] and "LastEvaluatedShardId" not in nxt
    first = streams.list_streams(Limit=2)
    assert [s["StreamArn"] for s in first["Streams"]] == arns[:2]
    assert first["LastEvaluatedStreamArn"] == arns[1]
    rest = streams.list_streams(Limit=2, ExclusiveStartStreamArn=first["LastEvaluatedStreamArn"])
    assert [s["StreamArn"] for s in rest["Streams"]] == arns[2:] and "LastEvaluatedStreamArn" not in rest


def test_stream_view_types_and_disable(server, ddb):
    """KEYS_ONLY records carry only keys; disabling the stream removes it from ListStreams."""
    make_table(ddb, "strm2", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    streams = server.client("dynamodbstreams")
    ddb.put_item(TableName="strm2", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    arn = ddb.describe_table(TableName="strm2")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    rec = streams.get_records(ShardIterator=it)["Records"][0]["dynamodb"]
    assert rec["Keys"] == {"pk": {"S": "a"}} and "NewImage" not in rec and rec["StreamViewType"] == "KEYS_ONLY"
    ddb.update_table(TableName="strm2", StreamSpecification={"StreamEnabled": False})
    assert streams.list_streams(TableName="strm2")["Streams"] == []
    with pytest.raises(ClientError) as e:
        streams.describe_stream(StreamArn=arn)
    assert code(e) == "ResourceNotFoundException"


def test_partiql_transaction_all_or_nothing(ddb):
    """ExecuteTransaction applies every statement or none, with cancellation reasons."""
    make_table(ddb, "pqlt")
    ddb.execute_statement(Statement="INSERT INTO pqlt VALUE {'pk': 'a', 'v': 1}")
    with pytest.raises(ClientError) as e:
        ddb.execute_transaction(TransactStatements=[{"Statement": "INSERT INTO pqlt VALUE {'pk': 'b'}"},
                                                    {"Statement": "INSERT INTO pqlt VALUE {'pk': 'a'}"}])
    assert code(e) == "TransactionCanceledException"
    assert [r["Code"] for r in e.value.response["CancellationReasons"]] == ["None", "DuplicateItem"]
    assert ddb.execute_statement(Statement="SELECT * FROM pqlt WHERE pk = 'b'")["Items"] == []
    ddb.execute_transaction(TransactStatements=[{"Statement": "INSERT INTO pqlt VALUE {'pk': 'b'}"},
                                                {"Statement": "UPDATE pqlt SET v = 2 WHERE pk = 'a'"}])
    got = ddb.execute_transaction(TransactStatements=[{"Statement": "SELECT v FROM pqlt WHERE pk = 'a'"},
                                                      {"Statement": "SELECT * FROM pqlt WHERE pk = 'b'"}])["Responses"]
    assert got == [{"Item": {"v": {"N": "2"}}}, {"Item": {"pk": {"S": "b"}}}]


def test_partiql_transaction_client_token_is_idempotent(ddb):
    """ExecuteTransaction takes a ClientRequestToken too: a retried INSERT must not fail as a duplicate of itself."""
    make_table(ddb, "pqltok")
    stmts = [{"Statement": "INSERT INTO pqltok VALUE {'pk': 'x'}"}, {"Statement": "INSERT INTO pqltok VALUE {'pk': 'y'}"}]
    ddb.execute_transaction(TransactStatements=stmts, ClientRequestToken="pql-1")
    ddb.execute_transaction(TransactStatements=stmts, ClientRequestToken="pql-1")
    with pytest.raises(ClientError) as e:
        ddb.execute_transaction(TransactStatements=stmts[:1], ClientRequestToken="pql-1")
    assert code(e) == "IdempotentParameterMismatchException"
    with pytest.raises(ClientError) as e:
        ddb.execute_transaction(TransactStatements=stmts, ClientRequestToken="pql-2")
    assert code(e) == "TransactionCanceledException"


# Why: Terraform calls DescribeContinuousBackups for every table; PITR must default off, be settable and survive restart.
def test_continuous_backups(ddb, restart_check):
    make_table(ddb, "pitr")
    got = ddb.describe_continuous_backups(TableName="pitr")["ContinuousBackupsDescription"]
    assert got["ContinuousBackupsStatus"] == "ENABLED"
    assert got["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    with pytest.raises(ClientError) as e:
        ddb.describe_continuous_backups(TableName="missing")
    assert code(e) == "TableNotFoundException"
    with pytest.raises(ClientError) as e:
        ddb.update_continuous_backups(TableName="missing", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    assert code(e) == "TableNotFoundException"
    r = ddb.update_continuous_backups(TableName="pitr", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    pitr = r["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED" and "EarliestRestorableDateTime" in pitr

    def read():
        d = ddb.describe_continuous_backups(TableName="pitr")["ContinuousBackupsDescription"]
        return d["ContinuousBackupsStatus"], d["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"], \
            d["PointInTimeRecoveryDescription"]["EarliestRestorableDateTime"]
    assert restart_check(read)[:2] == ("ENABLED", "ENABLED")
    ddb.update_continuous_backups(TableName="pitr", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    d = ddb.describe_continuous_backups(TableName="pitr")["ContinuousBackupsDescription"]
    assert d["PointInTimeRecoveryDescription"] == {"PointInTimeRecoveryStatus": "DISABLED"}
