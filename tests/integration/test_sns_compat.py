"""SNS behaviour checked against AWS's documentation and recorded answers (issue 18): MessageGroupId on
standard topics (fair queues), FIFO queues on standard topics, FifoThroughputScope, disabled platform
endpoints, AddPermission validation. Sources are named in each test."""
import json

import pytest
from botocore.exceptions import ClientError

from podstack_server import error_code as code

ACCOUNT = "000000000000"
REGION = "us-east-1"


def queue(sqs, name, **attrs):
    kw = {"Attributes": attrs} if attrs else {}
    url = sqs.create_queue(QueueName=name, **kw)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


# ---- 7. MessageGroupId on standard topics ----
# https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (MessageGroupId: "For standard topics: optional and
# forwarded only to Amazon SQS standard subscriptions to activate fair queues ... the same validation rules apply as
# for FIFO topics"); same for PublishBatchRequestEntry.

def test_standard_topic_forwards_message_group_id_to_sqs(sns, sqs, server):
    topic = sns.create_topic(Name="fair")["TopicArn"]
    url, arn = queue(sqs, "tenant-q")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    raw_url, raw_arn = queue(sqs, "tenant-raw")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=raw_arn, Attributes={"RawMessageDelivery": "true"})
    mid = sns.publish(TopicArn=topic, Message="hello", MessageGroupId="tenant-1")["MessageId"]
    r = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "b1", "MessageGroupId": "tenant-2"}, {"Id": "b", "Message": "b2"}])
    assert [e["Id"] for e in r["Successful"]] == ["a", "b"] and r["Failed"] == []

    def groups(u):
        got = sqs.receive_message(QueueUrl=u, MaxNumberOfMessages=10, AttributeNames=["MessageGroupId"],
                                  VisibilityTimeout=0).get("Messages", [])
        out = {}
        for m in got:
            body = m["Body"] if u == raw_url else json.loads(m["Body"])["Message"]
            out[body] = m.get("Attributes", {}).get("MessageGroupId")
        return out
    server.restart()  # the group is part of the stored SQS message
    server.crash_restart()
    assert groups(url) == {"hello": "tenant-1", "b1": "tenant-2", "b2": None}
    assert groups(raw_url) == {"hello": "tenant-1", "b1": "tenant-2", "b2": None}
    # The envelope carries no group (it is not sent to other endpoint types).
    m = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)["Messages"]
    env = [json.loads(x["Body"]) for x in m if json.loads(x["Body"])["MessageId"] == mid][0]
    assert "MessageGroupId" not in env


def test_standard_topic_group_id_is_validated_and_dedup_id_still_refused(sns):
    topic = sns.create_topic(Name="fair2")["TopicArn"]
    for bad in ("has space", "x" * 129):
        with pytest.raises(ClientError) as e:
            sns.publish(TopicArn=topic, Message="m", MessageGroupId=bad)
        assert code(e) == "InvalidParameter"
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=topic, Message="m", MessageGroupId="g", MessageDeduplicationId="d")
    assert code(e) == "InvalidParameter"
    assert e.value.response["Error"]["Message"] == ("Invalid parameter: MessageDeduplicationId Reason: The request includes "
                                                    "MessageDeduplicationId parameter that is not valid for this topic type")


# ---- 8. FIFO queue on a standard topic ----
# LocalStack's AWS snapshot tests/aws/services/sns/test_sns.snapshot.json
# TestSNSSubscriptionSQSFifo::test_validations_for_fifo "not-fifo-topic" (2025-08).

def test_fifo_queue_cannot_subscribe_to_standard_topic(sns, sqs):
    topic = sns.create_topic(Name="std")["TopicArn"]
    _, arn = queue(sqs, "q.fifo", FifoQueue="true")
    with pytest.raises(ClientError) as e:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    assert code(e) == "InvalidParameter" and e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert e.value.response["Error"]["Message"] == \
        "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics"
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    fifo_topic = sns.create_topic(Name="f.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    assert sns.subscribe(TopicArn=fifo_topic, Protocol="sqs", Endpoint=arn)["SubscriptionArn"].startswith(fifo_topic)


# ---- 9. FifoThroughputScope ----
# https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html (FifoThroughputScope: Topic | MessageGroup,
# FIFO topics); https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_sns.FifoThroughputScope.html
# (MessageGroup: "Message deduplication is only verified within a message group").

def test_fifo_throughput_scope(sns, sqs, restart_check):
    t = sns.create_topic(Name="scope.fifo", Attributes={"FifoTopic": "true", "FifoThroughputScope": "MessageGroup"})["TopicArn"]
    assert sns.get_topic_attributes(TopicArn=t)["Attributes"]["FifoThroughputScope"] == "MessageGroup"
    url, arn = queue(sqs, "scope.fifo", FifoQueue="true")
    sns.subscribe(TopicArn=t, Protocol="sqs", Endpoint=arn)
    a = sns.publish(TopicArn=t, Message="1", MessageGroupId="g1", MessageDeduplicationId="same")
    b = sns.publish(TopicArn=t, Message="2", MessageGroupId="g2", MessageDeduplicationId="same")
    c = sns.publish(TopicArn=t, Message="3", MessageGroupId="g1", MessageDeduplicationId="same")
    assert a["MessageId"] != b["MessageId"] and c["MessageId"] == a["MessageId"]  # per group
    sns.set_topic_attributes(TopicArn=t, AttributeName="FifoThroughputScope", AttributeValue="Topic")
    assert restart_check(lambda: sns.get_topic_attributes(TopicArn=t)["Attributes"]["FifoThroughputScope"]) == "Topic"
    d = sns.publish(TopicArn=t, Message="4", MessageGroupId="g3", MessageDeduplicationId="other")
    e2 = sns.publish(TopicArn=t, Message="5", MessageGroupId="g4", MessageDeduplicationId="other")
    assert d["MessageId"] == e2["MessageId"]  # across the topic
    with pytest.raises(ClientError) as e:
        sns.set_topic_attributes(TopicArn=t, AttributeName="FifoThroughputScope", AttributeValue="Queue")
    assert code(e) == "InvalidParameter"
    std = sns.create_topic(Name="plain")["TopicArn"]
    with pytest.raises(ClientError) as e:
        sns.set_topic_attributes(TopicArn=std, AttributeName="FifoThroughputScope", AttributeValue="MessageGroup")
    assert code(e) == "InvalidParameter"
    with pytest.raises(ClientError) as e:
        sns.create_topic(Name="plain2", Attributes={"FifoThroughputScope": "Topic"})
    assert code(e) == "InvalidParameter"


# ---- 10. disabled platform endpoint ----
# https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (EndpointDisabled, 400: "Exception error indicating
# endpoint disabled."); message as LocalStack's test_publish_disabled_endpoint.

def test_publish_to_disabled_endpoint(sns):
    app = sns.create_platform_application(Name="app", Platform="GCM",
                                          Attributes={"PlatformCredential": "k"})["PlatformApplicationArn"]
    ep = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="t")["EndpointArn"]
    sns.publish(TargetArn=ep, Message="on")
    sns.set_endpoint_attributes(EndpointArn=ep, Attributes={"Enabled": "false"})
    with pytest.raises(ClientError) as e:
        sns.publish(TargetArn=ep, Message="off")
    assert code(e) == "EndpointDisabled" and e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert e.value.response["Error"]["Message"] == "Endpoint is disabled"


# ---- 11. AddPermission ----
# LocalStack's AWS snapshots TestSNSTopicCrudV2::test_add_permission_errors, test_topic_add_permission,
# test_topic_add_multiple_permissions (2025-12).

def test_add_permission_validation_and_statement_shape(sns):
    arn = sns.create_topic(Name="perm")["TopicArn"]
    sns.add_permission(TopicArn=arn, Label="one", AWSAccountId=["111122223333"], ActionName=["Publish"])
    sns.add_permission(TopicArn=arn, Label="two", AWSAccountId=["111122223333", "444455556666"],
                       ActionName=["Publish", "Subscribe"])
    st = {s["Sid"]: s for s in json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])["Statement"]}
    assert st["one"] == {"Sid": "one", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                         "Action": "SNS:Publish", "Resource": arn}
    assert st["two"]["Action"] == ["SNS:Publish", "SNS:Subscribe"]
    assert st["two"]["Principal"] == {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]}
    with pytest.raises(ClientError) as e:
        sns.add_permission(TopicArn=arn, Label="one", AWSAccountId=["111122223333"], ActionName=["AddPermission"])
    assert (code(e), e.value.response["Error"]["Message"]) == ("InvalidParameter", "Invalid parameter: Statement already exists")
    with pytest.raises(ClientError) as e:
        sns.add_permission(TopicArn=arn, Label="three", AWSAccountId=["111122223333"], ActionName=["InvalidAction"])
    assert (code(e), e.value.response["Error"]["Message"]) == \
        ("InvalidParameter", "Invalid parameter: Policy statement action out of service scope!")
    with pytest.raises(ClientError) as e:
        sns.add_permission(TopicArn=arn + "-gone", Label="x", AWSAccountId=["111122223333"], ActionName=["Publish"])
    assert (code(e), e.value.response["Error"]["Message"]) == ("NotFound", "Topic does not exist")


def test_add_permission_needs_account_ids(sns):
    # AWS resolves each AWSAccountId to a principal: anything but a 12-digit account id is refused, with no
    # statement added (AWS's answer: InvalidParameter "Invalid parameter: Policy Error: PrincipalNotFound").
    arn = sns.create_topic(Name="perm-ids")["TopicArn"]
    before = sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"]
    for bad in ["1234", "not-an-account", "1111222233334", "arn:aws:iam::111122223333:root"]:
        with pytest.raises(ClientError) as e:
            sns.add_permission(TopicArn=arn, Label="x", AWSAccountId=["111122223333", bad], ActionName=["Publish"])
        assert (code(e), e.value.response["Error"]["Message"]) == \
            ("InvalidParameter", "Invalid parameter: Policy Error: PrincipalNotFound"), bad
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"] == before


# ---- 12. numeric filter policies ----
# https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html ("-10^9 to 10^9, with five
# digits of precision after the decimal point"); the matching itself is unit-tested in filter_policy_test.cpp.

def test_filter_policy_number_out_of_range_is_refused(sns, sqs):
    topic = sns.create_topic(Name="nums")["TopicArn"]
    _, arn = queue(sqs, "nums")
    with pytest.raises(ClientError) as e:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                      Attributes={"FilterPolicy": json.dumps({"price": [{"numeric": [">", 1e10]}]})})
    assert code(e) == "InvalidParameter"
    assert e.value.response["Error"]["Message"] == \
        "Invalid parameter: Attributes Reason: FilterPolicy: Value must be between -1.0E9 and 1.0E9, inclusive"
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)["SubscriptionArn"]
    with pytest.raises(ClientError) as e:
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy",
                                        AttributeValue=json.dumps({"price": [2000000000]}))
    assert code(e) == "InvalidParameter"
