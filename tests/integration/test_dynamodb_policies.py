"""DynamoDB resource-based policies, contributor insights and Kinesis
streaming destinations: the calls the Terraform AWS provider makes on every
refresh. Not in Debian's boto3 1.26 model, so sent as raw JSON requests."""
import json

import pytest


from test_dynamodb import make_table, raw

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "dynamodb:GetItem",
    "Resource": "arn:aws:dynamodb:us-east-1:000000000000:table/pol"}]})


def test_resource_policy_lifecycle(server, ddb, restart_check):
    make_table(ddb, "pol", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    arn = ddb.describe_table(TableName="pol")["Table"]["TableArn"]
    st, body = raw(server, "GetResourcePolicy", {"ResourceArn": arn})
    assert st == 400 and body["__type"].endswith("PolicyNotFoundException")
    st, body = raw(server, "PutResourcePolicy", {"ResourceArn": arn, "Policy": POLICY})
    assert st == 200 and body["RevisionId"]
    rev = body["RevisionId"]
    got = restart_check(lambda: raw(server, "GetResourcePolicy", {"ResourceArn": arn}))
    assert got == (200, {"Policy": POLICY, "RevisionId": rev})
    # A stale ExpectedRevisionId is refused; the right one replaces.
    st, body = raw(server, "PutResourcePolicy", {"ResourceArn": arn, "Policy": POLICY, "ExpectedRevisionId": "1"})
    assert st == 400 and body["__type"].endswith("PolicyNotFoundException")
    # The stream has its own policy.
    stream = ddb.describe_table(TableName="pol")["Table"]["LatestStreamArn"]
    st, body = raw(server, "GetResourcePolicy", {"ResourceArn": stream})
    assert st == 400 and body["__type"].endswith("PolicyNotFoundException")
    st, body = raw(server, "PutResourcePolicy", {"ResourceArn": stream, "Policy": POLICY})
    assert st == 200
    st, body = raw(server, "DeleteResourcePolicy", {"ResourceArn": arn})
    assert (st, body) == (200, {"RevisionId": rev})
    st, body = raw(server, "GetResourcePolicy", {"ResourceArn": arn})
    assert st == 400 and body["__type"].endswith("PolicyNotFoundException")
    assert raw(server, "GetResourcePolicy", {"ResourceArn": stream})[0] == 200


def test_resource_policy_errors(server, ddb):
    make_table(ddb, "pet")
    arn = ddb.describe_table(TableName="pet")["Table"]["TableArn"]
    st, body = raw(server, "PutResourcePolicy", {"ResourceArn": arn, "Policy": "not json"})
    assert st == 400 and body["__type"].endswith("ValidationException")
    st, body = raw(server, "GetResourcePolicy", {"ResourceArn": arn.replace("table/pet", "table/nope")})
    assert st == 400 and body["__type"].endswith("ResourceNotFoundException")
    st, body = raw(server, "DeleteResourcePolicy", {"ResourceArn": arn})
    assert st == 400 and body["__type"].endswith("PolicyNotFoundException")


def test_contributor_insights(server, ddb, restart_check):
    make_table(ddb, "cit", extra_attrs=[{"AttributeName": "g", "AttributeType": "S"}], GlobalSecondaryIndexes=[{
        "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}])
    d = ddb.describe_contributor_insights(TableName="cit")
    assert d["ContributorInsightsStatus"] == "DISABLED" and d["TableName"] == "cit"
    u = ddb.update_contributor_insights(TableName="cit", ContributorInsightsAction="ENABLE")
    assert u["ContributorInsightsStatus"] == "ENABLING"
    ddb.update_contributor_insights(TableName="cit", IndexName="byg", ContributorInsightsAction="ENABLE")
    got = restart_check(lambda: ddb.describe_contributor_insights(TableName="cit")["ContributorInsightsStatus"])
    assert got == "ENABLED"
    assert ddb.describe_contributor_insights(TableName="cit", IndexName="byg")["ContributorInsightsStatus"] == "ENABLED"
    summaries = ddb.list_contributor_insights(TableName="cit")["ContributorInsightsSummaries"]
    assert [(s["TableName"], s.get("IndexName"), s["ContributorInsightsStatus"]) for s in summaries] == [
        ("cit", None, "ENABLED"), ("cit", "byg", "ENABLED")]
    assert ddb.update_contributor_insights(TableName="cit", ContributorInsightsAction="DISABLE")["ContributorInsightsStatus"] == "DISABLING"
    assert ddb.describe_contributor_insights(TableName="cit")["ContributorInsightsStatus"] == "DISABLED"
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.describe_contributor_insights(TableName="cit", IndexName="nope")
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.describe_contributor_insights(TableName="nope")


def test_kinesis_streaming_destination_is_empty(ddb):
    make_table(ddb, "kin")
    d = ddb.describe_kinesis_streaming_destination(TableName="kin")
    assert d["TableName"] == "kin" and d["KinesisDataStreamDestinations"] == []
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.describe_kinesis_streaming_destination(TableName="nope")
