"""DynamoDB time to live on podstack's clock (issue 23): when the clock passes an item's TTL, the item reads as
gone at once and is then deleted by an event (the engine's due work), which the table's stream shows as a REMOVE
made by the service, as AWS's streams do. Nothing sleeps: the clock is advanced, and the log is long-polled for
the delete."""
import pytest

from podstack_server import wait_until

HOUR = 3600


def clock(server, body):
    status, c = server.call_json("POST", "/_podstack/clock", body)
    assert status == 200, c
    return c


def now_s(server):
    status, c = server.call_json("GET", "/_podstack/clock")
    assert status == 200, c
    return c["now_ms"] // 1000


def ttl_deletes(server, since=1, wait=0):
    """The TTL delete events in the log from `since` (long-polling `wait` seconds for the first)."""
    answer = server.get_json(f"/_podstack/log?since={since}&service=dynamodb&operation=DueWork&wait={wait}&limit=1000")
    return answer["events"]


def make_table(ddb, name="ttl", stream=True):
    """A table with TTL on attribute `exp`. The tests freeze the clock first, so that only advances move it."""
    kw = {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}} if stream else {}
    ddb.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST", **kw)
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})


def stream_records(server, table):
    ddb, streams = server.client("dynamodb"), server.client("dynamodbstreams")
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return streams.get_records(ShardIterator=it)["Records"]


def keys(ddb, table):
    return sorted(i["pk"]["S"] for i in ddb.scan(TableName=table, ConsistentRead=True)["Items"])


def test_an_expired_item_is_deleted_by_an_event_with_a_service_remove_in_the_stream(server):
    ddb = server.client("dynamodb")
    clock(server, {"freeze": True})
    make_table(ddb)
    t = now_s(server)
    ddb.put_item(TableName="ttl", Item={"pk": {"S": "soon"}, "exp": {"N": str(t + 1800)}, "v": {"S": "x"}})
    ddb.put_item(TableName="ttl", Item={"pk": {"S": "later"}, "exp": {"N": str(t + 3 * HOUR)}})
    ddb.put_item(TableName="ttl", Item={"pk": {"S": "never"}})
    ddb.put_item(TableName="ttl", Item={"pk": {"S": "manual"}})
    ddb.delete_item(TableName="ttl", Key={"pk": {"S": "manual"}})
    assert ttl_deletes(server) == []
    since = server.state()["last_sequence"] + 1

    clock(server, {"advance": "1h"})
    # Gone at once for readers, whether or not the delete is written yet.
    assert "Item" not in ddb.get_item(TableName="ttl", Key={"pk": {"S": "soon"}})
    [ev] = ttl_deletes(server, since, wait=30)
    assert "expired by time to live=1" in ev["summary"]
    assert keys(ddb, "ttl") == ["later", "never"]

    records = stream_records(server, "ttl")
    assert [r["eventName"] for r in records] == ["INSERT", "INSERT", "INSERT", "INSERT", "REMOVE", "REMOVE"]
    manual, expired = records[4], records[5]
    assert "userIdentity" not in manual  # a caller's DeleteItem names no identity
    assert expired["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
    assert expired["dynamodb"]["Keys"] == {"pk": {"S": "soon"}}
    assert expired["dynamodb"]["OldImage"]["v"] == {"S": "x"}
    assert "NewImage" not in expired["dynamodb"]

    # The delete is an event: it replays after a kill -9, and the rest expires on the restored clock.
    server.crash_restart()
    assert keys(server.client("dynamodb"), "ttl") == ["later", "never"]
    since = server.state()["last_sequence"] + 1
    clock(server, {"advance": "3h"})
    ttl_deletes(server, since, wait=30)
    assert keys(server.client("dynamodb"), "ttl") == ["never"]


def test_many_items_due_at_once_are_one_commit(server):
    ddb = server.client("dynamodb")
    clock(server, {"freeze": True})
    make_table(ddb, stream=False)
    t = now_s(server)
    for chunk in range(4):
        ddb.batch_write_item(RequestItems={"ttl": [
            {"PutRequest": {"Item": {"pk": {"S": f"k{chunk}-{i}"}, "exp": {"N": str(t + 60 + i)}}}} for i in range(25)]})
    since = server.state()["last_sequence"] + 1
    clock(server, {"advance": "1d"})
    events = ttl_deletes(server, since, wait=30)
    assert len(events) == 1 and "expired by time to live=100" in events[0]["summary"]
    assert keys(ddb, "ttl") == []


def test_values_too_old_fractions_and_non_numbers(server):
    ddb = server.client("dynamodb")
    clock(server, {"freeze": True})
    make_table(ddb, stream=False)
    t = now_s(server)
    items = {
        "zero": {"N": "0"},                    # more than five years past: AWS never expires it
        "six-years-ago": {"N": str(t - 6 * 365 * 86400)},
        "millis": {"N": str((t + 60) * 1000)},  # a millisecond value is far in the future
        "string": {"S": str(t)},               # not a number: no TTL
        "fraction": {"N": f"{t + 100}.5"},     # expires at the next whole second
    }
    for k, v in items.items():
        ddb.put_item(TableName="ttl", Item={"pk": {"S": k}, "exp": v})
    clock(server, {"advance": "100s"})
    assert "Item" in ddb.get_item(TableName="ttl", Key={"pk": {"S": "fraction"}})
    since = server.state()["last_sequence"] + 1
    clock(server, {"advance": "2s"})
    [ev] = ttl_deletes(server, since, wait=30)
    assert "expired by time to live=1" in ev["summary"]
    assert keys(ddb, "ttl") == ["millis", "six-years-ago", "string", "zero"]
    # Nothing else comes due, and the values that cannot expire do not keep the due work busy.
    clock(server, {"advance": "1d"})
    assert ttl_deletes(server, since) == [ev]
    assert keys(ddb, "ttl") == ["millis", "six-years-ago", "string", "zero"]


def test_disabling_ttl_stops_deletes_and_enabling_applies_to_existing_items(server):
    ddb = server.client("dynamodb")
    clock(server, {"freeze": True})
    make_table(ddb, stream=False)
    t = now_s(server)
    ddb.put_item(TableName="ttl", Item={"pk": {"S": "a"}, "exp": {"N": str(t + 60)}})
    ddb.update_time_to_live(TableName="ttl", TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    clock(server, {"advance": "1h"})
    assert keys(ddb, "ttl") == ["a"]
    assert ttl_deletes(server) == []
    since = server.state()["last_sequence"] + 1
    ddb.update_time_to_live(TableName="ttl", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    ttl_deletes(server, since, wait=30)  # already past: deleted as soon as TTL is on
    assert keys(ddb, "ttl") == []


def test_rewriting_the_ttl_moves_the_delete(server):
    ddb = server.client("dynamodb")
    clock(server, {"freeze": True})
    make_table(ddb, stream=False)
    t = now_s(server)
    ddb.put_item(TableName="ttl", Item={"pk": {"S": "a"}, "exp": {"N": str(t + 60)}})
    ddb.update_item(TableName="ttl", Key={"pk": {"S": "a"}}, UpdateExpression="SET exp = :e",
                    ExpressionAttributeValues={":e": {"N": str(t + 2 * HOUR)}})
    clock(server, {"advance": "1h"})
    assert keys(ddb, "ttl") == ["a"]
    ddb.update_item(TableName="ttl", Key={"pk": {"S": "a"}}, UpdateExpression="REMOVE exp")
    clock(server, {"advance": "2h"})
    assert keys(ddb, "ttl") == ["a"]
    assert ttl_deletes(server) == []
