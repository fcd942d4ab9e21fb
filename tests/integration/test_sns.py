"""SNS through boto3 (query protocol) and the aws CLI: topics, subscriptions, publish with
filter policies, delivery into SQS, HTTP subscribers (confirmation, notification, retries and
dead-lettering), email through an SMTP sink, SMS at /_aws/sns/sms-messages; state and external
deliveries survive restart and kill -9 without repeating."""
import base64
import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from botocore.exceptions import ClientError

from podstack_server import AWS_CLI, PodstackServer, aws_json, error_code as code, wait_until
from sqs_digest import md5_of_attributes
from sinks import HttpSink, SmtpSink, free_port

ACCOUNT = "000000000000"
REGION = "us-east-1"


def queue(sqs, name, **attrs):
    """(url, arn) of a new queue."""
    kw = {"Attributes": attrs} if attrs else {}
    url = sqs.create_queue(QueueName=name, **kw)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def drain(sqs, url):
    """Every message now in the queue (deliveries commit with the publish: no waiting needed)."""
    out = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                                  AttributeNames=["All"]).get("Messages", [])
        if not got:
            return out
        out += got
        for m in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


@pytest.fixture
def http_sink():
    sinks = []

    def make(**kw):
        s = HttpSink(**kw)
        sinks.append(s)
        return s
    yield make
    for s in sinks:
        s.stop()


# ---- topics ----

def test_create_list_get_delete_topic(sns):
    """Topic ARNs are arn:aws:sns:REGION:ACCOUNT:NAME; create is idempotent; attributes carry AWS's defaults."""
    arn = sns.create_topic(Name="orders")["TopicArn"]
    assert arn == f"arn:aws:sns:{REGION}:{ACCOUNT}:orders"
    assert sns.create_topic(Name="orders")["TopicArn"] == arn
    assert [t["TopicArn"] for t in sns.list_topics()["Topics"]] == [arn]
    a = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert a["TopicArn"] == arn and a["Owner"] == ACCOUNT and a["DisplayName"] == ""
    assert (a["SubscriptionsConfirmed"], a["SubscriptionsPending"], a["SubscriptionsDeleted"]) == ("0", "0", "0")
    policy = json.loads(a["Policy"])
    assert policy["Statement"][0]["Resource"] == arn and "SNS:Publish" in policy["Statement"][0]["Action"]
    assert json.loads(a["EffectiveDeliveryPolicy"])["http"]["defaultHealthyRetryPolicy"]["numRetries"] == 3
    sns.delete_topic(TopicArn=arn)
    assert sns.list_topics()["Topics"] == []
    sns.delete_topic(TopicArn=arn)  # AWS: deleting a topic that does not exist is not an error
    with pytest.raises(ClientError) as e:
        sns.get_topic_attributes(TopicArn=arn)
    assert code(e) == "NotFound" and e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_create_topic_validation(sns):
    """Bad names, FIFO names without FifoTopic, and a re-create with other attributes are InvalidParameter."""
    for kw in ({"Name": "bad name"}, {"Name": "x.fifo"}, {"Name": "plain", "Attributes": {"FifoTopic": "true"}},
               {"Name": "t", "Attributes": {"Bogus": "1"}}):
        with pytest.raises(ClientError) as e:
            sns.create_topic(**kw)
        assert code(e) == "InvalidParameter", kw
    sns.create_topic(Name="t", Attributes={"DisplayName": "one"})
    with pytest.raises(ClientError) as e:
        sns.create_topic(Name="t", Attributes={"DisplayName": "two"})
    assert code(e) == "InvalidParameter" and "different attributes" in e.value.response["Error"]["Message"]


def test_list_topics_pages_of_100(sns):
    """ListTopics returns 100 topics per page and a NextToken for the rest."""
    arns = sorted(sns.create_topic(Name=f"t{i:03d}")["TopicArn"] for i in range(105))
    first = sns.list_topics()
    assert len(first["Topics"]) == 100 and "NextToken" in first
    second = sns.list_topics(NextToken=first["NextToken"])
    assert "NextToken" not in second
    with pytest.raises(ClientError) as e:
        sns.list_topics(NextToken="not-ours")
    assert code(e) == "InvalidParameter"
    assert [t["TopicArn"] for t in first["Topics"] + second["Topics"]] == arns


def test_topic_attributes_fifo_and_restart(sns, restart_check):
    """SetTopicAttributes, FIFO attributes, and both survive restart and kill -9."""
    arn = sns.create_topic(Name="events")["TopicArn"]
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Events")
    fifo = sns.create_topic(Name="events.fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})
    with pytest.raises(ClientError) as e:
        sns.set_topic_attributes(TopicArn=arn, AttributeName="ContentBasedDeduplication", AttributeValue="true")
    assert code(e) == "InvalidParameter"
    got = restart_check(lambda: (sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"],
                                 {k: v for k, v in sns.get_topic_attributes(TopicArn=fifo["TopicArn"])["Attributes"].items()
                                  if k in ("FifoTopic", "ContentBasedDeduplication")}))
    assert got == ("Events", {"FifoTopic": "true", "ContentBasedDeduplication": "true"})


def test_tags(sns, restart_check):
    """Tags at creation, TagResource, UntagResource, ListTagsForResource; an unknown ARN is ResourceNotFound."""
    arn = sns.create_topic(Name="tagged", Tags=[{"Key": "env", "Value": "dev"}])["TopicArn"]
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "a"}, {"Key": "cost", "Value": "1"}])
    sns.untag_resource(ResourceArn=arn, TagKeys=["cost"])
    got = restart_check(lambda: sns.list_tags_for_resource(ResourceArn=arn)["Tags"])
    assert got == [{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "a"}]
    with pytest.raises(ClientError) as e:
        sns.list_tags_for_resource(ResourceArn=arn + "-nope")
    assert code(e) == "ResourceNotFound"


def test_data_protection_policy(sns):
    """DataProtectionPolicy at CreateTopic and through Put/GetDataProtectionPolicy is stored and returned."""
    policy = json.dumps({"Name": "p", "Version": "2021-06-01", "Statement": []})
    arn = sns.create_topic(Name="dpp", DataProtectionPolicy=policy)["TopicArn"]
    assert sns.get_data_protection_policy(ResourceArn=arn)["DataProtectionPolicy"] == policy
    other = json.dumps({"Name": "q", "Version": "2021-06-01", "Statement": []})
    sns.put_data_protection_policy(ResourceArn=arn, DataProtectionPolicy=other)
    assert sns.get_data_protection_policy(ResourceArn=arn)["DataProtectionPolicy"] == other
    with pytest.raises(ClientError) as e:
        sns.put_data_protection_policy(ResourceArn=arn, DataProtectionPolicy="{nope")
    assert code(e) == "InvalidParameter"


def test_add_and_remove_permission(sns):
    """AddPermission adds a statement to the topic policy under its label; RemovePermission takes it out."""
    arn = sns.create_topic(Name="shared")["TopicArn"]
    sns.add_permission(TopicArn=arn, Label="pub", AWSAccountId=["111122223333"], ActionName=["Publish"])
    st = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])["Statement"]
    mine = [s for s in st if s["Sid"] == "pub"][0]
    assert mine["Action"] == "SNS:Publish" and mine["Principal"]["AWS"] == "arn:aws:iam::111122223333:root"  # one: a string, as AWS
    with pytest.raises(ClientError) as e:
        sns.add_permission(TopicArn=arn, Label="pub", AWSAccountId=["1"], ActionName=["Publish"])
    assert code(e) == "InvalidParameter"
    sns.remove_permission(TopicArn=arn, Label="pub")
    st = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])["Statement"]
    assert [s["Sid"] for s in st] == ["__default_statement_ID"]


# ---- subscriptions ----

def test_subscribe_list_attributes_unsubscribe(sns, sqs, restart_check):
    """An SQS subscription is confirmed at once; its attributes, lists, idempotent re-subscribe and Unsubscribe."""
    topic = sns.create_topic(Name="t")["TopicArn"]
    _, qarn = queue(sqs, "q")
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn)["SubscriptionArn"]
    assert sub.startswith(topic + ":")
    assert sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn)["SubscriptionArn"] == sub
    expected = {"SubscriptionArn": sub, "Owner": ACCOUNT, "Protocol": "sqs", "Endpoint": qarn, "TopicArn": topic}
    assert sns.list_subscriptions()["Subscriptions"] == [expected]
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == [expected]
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery", AttributeValue="true")
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue='{"a":["b"]}')
    a = restart_check(lambda: sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"])
    assert a["PendingConfirmation"] == "false" and a["RawMessageDelivery"] == "true"
    assert a["FilterPolicy"] == '{"a":["b"]}' and a["FilterPolicyScope"] == "MessageAttributes"
    assert a["TopicArn"] == topic and a["Endpoint"] == qarn and a["Protocol"] == "sqs"
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsConfirmed"] == "1"
    sns.unsubscribe(SubscriptionArn=sub)
    assert sns.list_subscriptions()["Subscriptions"] == []
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsDeleted"] == "1"
    with pytest.raises(ClientError) as e:
        sns.get_subscription_attributes(SubscriptionArn=sub)
    assert code(e) == "NotFound"


def test_list_subscriptions_pages_of_100(sns):
    """ListSubscriptions and ListSubscriptionsByTopic page by 100 with NextToken."""
    topic = sns.create_topic(Name="many")["TopicArn"]
    for i in range(105):
        sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint=f"+1555000{i:04d}")
    for call in (lambda **kw: sns.list_subscriptions(**kw), lambda **kw: sns.list_subscriptions_by_topic(TopicArn=topic, **kw)):
        first = call()
        assert len(first["Subscriptions"]) == 100
        second = call(NextToken=first["NextToken"])
        assert len(second["Subscriptions"]) == 5 and "NextToken" not in second
        endpoints = {s["Endpoint"] for s in first["Subscriptions"] + second["Subscriptions"]}
        assert len(endpoints) == 105


def test_subscribe_validation(sns, sqs):
    """Unknown protocols, mismatched endpoints, bad attributes and bad filter policies are InvalidParameter."""
    topic = sns.create_topic(Name="v")["TopicArn"]
    _, qarn = queue(sqs, "vq")
    cases = [
        dict(Protocol="carrier-pigeon", Endpoint="x"),
        dict(Protocol="http", Endpoint="https://example.com"),
        dict(Protocol="sqs", Endpoint="not-an-arn"),
        dict(Protocol="sqs", Endpoint=qarn, Attributes={"RawMessageDelivery": "maybe"}),
        dict(Protocol="sqs", Endpoint=qarn, Attributes={"FilterPolicy": '{"a": []}'}),
        dict(Protocol="sqs", Endpoint=qarn, Attributes={"FilterPolicy": '{"a": {"b": ["c"]}}'}),
        dict(Protocol="sqs", Endpoint=qarn, Attributes={"FilterPolicyScope": "Everything"}),
        dict(Protocol="sqs", Endpoint=qarn, Attributes={"RedrivePolicy": '{"nope": 1}'}),
        dict(Protocol="email", Endpoint="a@b.c", Attributes={"RawMessageDelivery": "true"}),
    ]
    for kw in cases:
        with pytest.raises(ClientError) as e:
            sns.subscribe(TopicArn=topic, **kw)
        assert code(e) == "InvalidParameter", kw
    with pytest.raises(ClientError) as e:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn, Attributes={"FilterPolicy": '{"a": []}'})
    assert e.value.response["Error"]["Message"] == \
        "Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed"
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn)["SubscriptionArn"]
    with pytest.raises(ClientError) as e:
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy",
                                        AttributeValue='{"price": [{"numeric": [">", "x"]}]}')
    assert e.value.response["Error"]["Message"] == "Invalid parameter: FilterPolicy: Value of > must be numeric"
    with pytest.raises(ClientError) as e:
        sns.subscribe(TopicArn=topic.replace(":v", ":gone"), Protocol="sqs", Endpoint=qarn)
    assert code(e) == "NotFound"


# ---- publish into SQS ----

def test_publish_envelope_into_sqs(sns, sqs):
    """The SQS message is SNS's JSON envelope with AWS's fields; MD5OfBody matches the body."""
    topic = sns.create_topic(Name="env")["TopicArn"]
    url, qarn = queue(sqs, "envq")
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn)["SubscriptionArn"]
    mid = sns.publish(TopicArn=topic, Message="hello", Subject="greeting", MessageAttributes={
        "color": {"DataType": "String", "StringValue": "red"},
        "n": {"DataType": "Number", "StringValue": "42"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
    })["MessageId"]
    [m] = drain(sqs, url)
    assert m["MD5OfBody"] == hashlib.md5(m["Body"].encode()).hexdigest()
    env = json.loads(m["Body"])
    assert env["Type"] == "Notification" and env["MessageId"] == mid and env["TopicArn"] == topic
    assert env["Message"] == "hello" and env["Subject"] == "greeting" and env["SignatureVersion"] == "1"
    assert env["Timestamp"].endswith("Z") and env["Signature"] and env["SigningCertURL"]
    assert "Action=Unsubscribe" in env["UnsubscribeURL"] and sub in env["UnsubscribeURL"]
    assert env["MessageAttributes"] == {"blob": {"Type": "Binary", "Value": base64.b64encode(b"\x00\x01").decode()},
                                        "color": {"Type": "String", "Value": "red"},
                                        "n": {"Type": "Number", "Value": "42"}}
    assert "MessageAttributes" not in m  # enveloped: attributes travel inside the body
    with urllib.request.urlopen(env["UnsubscribeURL"], timeout=10) as r:  # a plain GET unsubscribes
        assert r.status == 200
    assert sns.list_subscriptions()["Subscriptions"] == []


def test_publish_raw_into_sqs(sns, sqs):
    """RawMessageDelivery: the body is the message and attributes become SQS message attributes."""
    topic = sns.create_topic(Name="raw")["TopicArn"]
    url, qarn = queue(sqs, "rawq")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="just this", MessageAttributes={
        "color": {"DataType": "String", "StringValue": "red"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x07"},
    })
    [m] = drain(sqs, url)
    assert m["Body"] == "just this"
    assert m["MD5OfBody"] == hashlib.md5(b"just this").hexdigest()
    assert m["MessageAttributes"] == {"color": {"DataType": "String", "StringValue": "red"},
                                      "blob": {"DataType": "Binary", "BinaryValue": b"\x07"}}
    assert m["MD5OfMessageAttributes"] == md5_of_attributes(m["MessageAttributes"])


def test_message_structure_json(sns, sqs, server):
    """MessageStructure=json: each protocol gets its key, else "default"; "default" is required."""
    topic = sns.create_topic(Name="multi")["TopicArn"]
    url, qarn = queue(sqs, "mq")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn, Attributes={"RawMessageDelivery": "true"})
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15550001111")
    sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"default": "dflt", "sqs": "for sqs"}))
    assert [m["Body"] for m in drain(sqs, url)] == ["for sqs"]
    sms = server.get_json("/_aws/sns/sms-messages")["sms_messages"]["+15550001111"]
    assert [m["Message"] for m in sms] == ["dflt"]
    for bad in ('{"sqs": "x"}', "not json"):
        with pytest.raises(ClientError) as e:
            sns.publish(TopicArn=topic, MessageStructure="json", Message=bad)
        assert code(e) == "InvalidParameter"


def test_publish_validation(sns):
    """Publish needs one target, a message, valid attributes and an existing topic."""
    topic = sns.create_topic(Name="pv")["TopicArn"]
    cases = [
        dict(Message="x"),
        dict(TopicArn=topic, PhoneNumber="+15550001111", Message="x"),
        dict(TopicArn=topic, Message=""),
        dict(TopicArn=topic, Message="x", Subject="two\nlines"),
        dict(TopicArn=topic, Message="x", MessageAttributes={"a": {"DataType": "Weird", "StringValue": "1"}}),
        dict(TopicArn=topic, Message="x", MessageAttributes={"a": {"DataType": "Number", "StringValue": "one"}}),
        dict(TopicArn=topic, Message="x", MessageAttributes={"a": {"DataType": "String.Array", "StringValue": "[1"}}),
        dict(TopicArn=topic, Message="x", MessageGroupId="not valid"),  # a standard topic takes a valid group (fair queues)
        dict(PhoneNumber="call me", Message="x"),
        dict(TopicArn=topic, Message="x", MessageAttributes={"AWS.mine": {"DataType": "String", "StringValue": "1"}}),
    ]
    for kw in cases:
        with pytest.raises(ClientError) as e:
            sns.publish(**kw)
        assert code(e) == "InvalidParameter", kw
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=topic + "-gone", Message="x")
    assert code(e) == "NotFound"


ATTRIBUTE_MESSAGES = {
    "m1": {"store": ("String", "example_corp"), "price": ("Number", "100"), "event": ("String", "order_placed"),
           "interests": ("String.Array", '["rugby", "football"]'), "ip": ("String", "10.0.0.7")},
    "m2": {"store": ("String", "other"), "price": ("Number", "5"), "event": ("String", "ORDER_cancelled")},
    "m3": {},
}
ATTRIBUTE_POLICIES = [  # (policy, messages that pass)
    ({"store": ["example_corp"]}, {"m1"}),
    ({"price": [100]}, {"m1"}),
    ({"event": [{"prefix": "order"}]}, {"m1"}),
    ({"event": [{"suffix": "cancelled"}]}, {"m2"}),
    ({"event": [{"equals-ignore-case": "order_cancelled"}]}, {"m2"}),
    ({"store": [{"anything-but": "example_corp"}]}, {"m2"}),
    ({"store": [{"anything-but": ["example_corp", "x"]}]}, {"m2"}),
    ({"event": [{"anything-but": {"prefix": "order"}}]}, {"m2"}),
    ({"price": [{"numeric": [">", 10, "<=", 100]}]}, {"m1"}),
    ({"price": [{"numeric": ["<", 10]}]}, {"m2"}),
    ({"price": [{"numeric": ["=", 5]}]}, {"m2"}),
    ({"interests": [{"exists": True}]}, {"m1"}),
    ({"interests": [{"exists": False}]}, {"m2", "m3"}),
    ({"interests": ["football"]}, {"m1"}),
    ({"store": ["other"], "price": [100]}, set()),
    ({"$or": [{"store": ["other"]}, {"price": [100]}]}, {"m1", "m2"}),
    ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"m1"}),
    (None, {"m1", "m2", "m3"}),
]
BODY_MESSAGES = {
    "b1": {"order": {"status": "shipped", "total": 42}, "tags": ["a", "b"]},
    "b2": {"order": {"status": "pending", "total": 7}},
    "b3": "plain text",
}
BODY_POLICIES = [
    ({"order": {"status": ["shipped"]}}, {"b1"}),
    ({"order": {"total": [{"numeric": ["<", 10]}]}}, {"b2"}),
    ({"tags": ["b"]}, {"b1"}),
    ({"order": {"status": [{"anything-but": "shipped"}]}}, {"b2"}),
    ({"$or": [{"tags": ["a"]}, {"order": {"total": [7]}}]}, {"b1", "b2"}),
]


def test_filter_policies_end_to_end(sns, sqs):
    """Every filter rule, in both scopes: each SQS subscriber receives exactly the messages its policy passes."""
    topic = sns.create_topic(Name="filtered")["TopicArn"]
    queues = []
    for i, (policy, want) in enumerate(ATTRIBUTE_POLICIES + BODY_POLICIES):
        url, qarn = queue(sqs, f"f{i}")
        attrs = {"RawMessageDelivery": "true"}
        if policy is not None:
            attrs["FilterPolicy"] = json.dumps(policy)
            attrs["FilterPolicyScope"] = "MessageBody" if i >= len(ATTRIBUTE_POLICIES) else "MessageAttributes"
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn, Attributes=attrs)
        queues.append((policy, want, url, i >= len(ATTRIBUTE_POLICIES)))
    for name, attrs in ATTRIBUTE_MESSAGES.items():
        kw = {"MessageAttributes": {k: {"DataType": t, "StringValue": v} for k, (t, v) in attrs.items()}} if attrs else {}
        sns.publish(TopicArn=topic, Message=name, **kw)
    body_of = {}
    for name, body in BODY_MESSAGES.items():
        text = json.dumps(body) if isinstance(body, dict) else body
        body_of[text] = name
        sns.publish(TopicArn=topic, Message=text)
    for policy, want, url, body_scope in queues:
        got = {body_of.get(m["Body"], m["Body"]) for m in drain(sqs, url)}
        # The attribute messages' bodies are not JSON: no body-scope policy passes them. The body
        # messages have no attributes: an attribute-scope policy treats them as it treats m3.
        expected = set(want) if body_scope else set(want) | (set(BODY_MESSAGES) if "m3" in want else set())
        assert got == expected, policy


def test_fifo_topic_to_fifo_queue(sns, sqs):
    """A FIFO topic needs a group and a dedup id; duplicates get the first MessageId; order is kept into a FIFO queue."""
    topic = sns.create_topic(Name="o.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    url, qarn = queue(sqs, "o.fifo", FifoQueue="true")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn, Attributes={"RawMessageDelivery": "true"})
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=topic, Message="x", MessageDeduplicationId="d")
    assert code(e) == "InvalidParameter"
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=topic, Message="x", MessageGroupId="g")
    assert code(e) == "InvalidParameter"  # no dedup id and no content-based deduplication
    sent = [sns.publish(TopicArn=topic, Message=f"m{i}", MessageGroupId="g", MessageDeduplicationId=f"d{i}")
            for i in range(5)]
    seqs = [int(r["SequenceNumber"]) for r in sent]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5
    again = sns.publish(TopicArn=topic, Message="m2 again", MessageGroupId="g", MessageDeduplicationId="d2")
    assert (again["MessageId"], again["SequenceNumber"]) == (sent[2]["MessageId"], sent[2]["SequenceNumber"])
    got = drain(sqs, url)
    assert [m["Body"] for m in got] == [f"m{i}" for i in range(5)]
    assert {m["Attributes"]["MessageGroupId"] for m in got} == {"g"}
    cbd = sns.create_topic(Name="c.fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    a = sns.publish(TopicArn=cbd, Message="same", MessageGroupId="g")
    b = sns.publish(TopicArn=cbd, Message="same", MessageGroupId="g")
    assert a["MessageId"] == b["MessageId"]


def test_publish_batch(sns, sqs):
    """PublishBatch delivers the good entries and reports the bad ones; batch-level errors as AWS names them."""
    topic = sns.create_topic(Name="b")["TopicArn"]
    url, qarn = queue(sqs, "bq")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn, Attributes={"RawMessageDelivery": "true"})
    r = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "one"},
        {"Id": "b", "Message": "two", "MessageAttributes": {"x": {"DataType": "Nope", "StringValue": "1"}}},
        {"Id": "c", "Message": "three"},
    ])
    assert [s["Id"] for s in r["Successful"]] == ["a", "c"]
    assert [(f["Id"], f["Code"], f["SenderFault"]) for f in r["Failed"]] == [("b", "InvalidParameter", True)]
    assert sorted(m["Body"] for m in drain(sqs, url)) == ["one", "three"]
    for entries, err in (([{"Id": "a", "Message": "x"}, {"Id": "a", "Message": "y"}], "BatchEntryIdsNotDistinct"),
                         ([{"Id": f"i{i}", "Message": "x"} for i in range(11)], "TooManyEntriesInBatchRequest"),
                         ([{"Id": "bad id!", "Message": "x"}], "InvalidBatchEntryId"),
                         ([], "EmptyBatchRequest")):
        with pytest.raises(ClientError) as e:
            sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
        assert code(e) == err
    fifo = sns.create_topic(Name="bf.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    r = sns.publish_batch(TopicArn=fifo, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "x", "MessageGroupId": "g", "MessageDeduplicationId": "1"},
        {"Id": "b", "Message": "y", "MessageGroupId": "g", "MessageDeduplicationId": "2"}])
    assert int(r["Successful"][0]["SequenceNumber"]) < int(r["Successful"][1]["SequenceNumber"])


def test_sqs_redrive_when_queue_is_gone(sns, sqs):
    """A subscription whose queue was deleted delivers to its RedrivePolicy's dead-letter queue."""
    topic = sns.create_topic(Name="dl")["TopicArn"]
    gone_url, gone_arn = queue(sqs, "gone")
    dlq_url, dlq_arn = queue(sqs, "dlq")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=gone_arn,
                  Attributes={"RawMessageDelivery": "true", "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})})
    sqs.delete_queue(QueueUrl=gone_url)
    sns.publish(TopicArn=topic, Message="lost?")
    assert [m["Body"] for m in drain(sqs, dlq_url)] == ["lost?"]


# ---- HTTP subscribers ----

def effects_recorded(server):
    """How many outbox attempts the sns log records (each attempt is an event)."""
    return sum(e["operation"] == "EffectAttempted"
               for e in server.get_json("/_podstack/log?service=sns&limit=100000")["events"])


def subscription_of(sns, topic):
    [s] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    return s["SubscriptionArn"]


def test_http_confirmation_notification_and_no_repeat_after_restart(sns, server, http_sink):
    """http: a real SubscriptionConfirmation POST; GET of its SubscribeURL confirms; a Notification follows
    with AWS's headers; restart and kill -9 repeat nothing and keep the state hash."""
    sink = http_sink()
    topic = sns.create_topic(Name="web")["TopicArn"]
    assert sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=sink.url + "/hook")["SubscriptionArn"] == \
        "pending confirmation"
    assert subscription_of(sns, topic) == "PendingConfirmation"
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsPending"] == "1"
    [conf] = sink.wait("SubscriptionConfirmation", 1)
    assert conf["path"] == "/hook"
    assert conf["headers"]["x-amz-sns-topic-arn"] == topic
    assert conf["headers"]["content-type"] == "text/plain; charset=UTF-8"
    body = json.loads(conf["body"])
    assert body["Type"] == "SubscriptionConfirmation" and body["TopicArn"] == topic
    assert conf["headers"]["x-amz-sns-message-id"] == body["MessageId"]
    assert set(body) >= {"Token", "Message", "SubscribeURL", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"}
    with urllib.request.urlopen(body["SubscribeURL"], timeout=10) as r:
        assert r.status == 200 and b"ConfirmSubscriptionResult" in r.read()
    sub = subscription_of(sns, topic)
    assert sub.startswith(topic + ":")
    mid = sns.publish(TopicArn=topic, Message="ping", Subject="s")["MessageId"]
    [note] = sink.wait("Notification", 1)
    assert note["headers"]["x-amz-sns-message-id"] == mid
    assert note["headers"]["x-amz-sns-subscription-arn"] == sub
    assert note["headers"]["x-amz-sns-topic-arn"] == topic
    env = json.loads(note["body"])
    assert (env["Type"], env["Message"], env["Subject"], env["MessageId"]) == ("Notification", "ping", "s", mid)

    wait_until(lambda: effects_recorded(server) == 2, what="both attempts recorded")
    before = server.state_hash()
    server.restart()
    assert server.state_hash() == before
    server.crash_restart()
    assert server.state_hash() == before
    # A marker published after the restarts arrives only once the outbox has scanned what replay
    # re-armed: by then any repeated delivery would have been made.
    sns.publish(TopicArn=topic, Message="marker")
    notes = sink.wait("Notification", 2)
    assert [json.loads(n["body"])["Message"] for n in notes] == ["ping", "marker"]
    assert len(sink.of("SubscriptionConfirmation")) == 1


def test_http_confirm_subscription_api_and_raw(sns, http_sink):
    """ConfirmSubscription(TopicArn, Token) confirms; a wrong token is InvalidParameter; raw delivery posts the message."""
    sink = http_sink()
    topic = sns.create_topic(Name="api")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=sink.url, Attributes={"RawMessageDelivery": "true"})
    token = json.loads(sink.wait("SubscriptionConfirmation", 1)[0]["body"])["Token"]
    with pytest.raises(ClientError) as e:
        sns.confirm_subscription(TopicArn=topic, Token="0" * len(token))
    assert code(e) == "InvalidParameter"
    # Subscribing the pending endpoint again sends the confirmation again, with the same token.
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=sink.url, Attributes={"RawMessageDelivery": "true"})
    assert [json.loads(r["body"])["Token"] for r in sink.wait("SubscriptionConfirmation", 2)] == [token, token]
    sub = sns.confirm_subscription(TopicArn=topic, Token=token)["SubscriptionArn"]
    assert subscription_of(sns, topic) == sub
    assert sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=sink.url)["SubscriptionArn"] == sub
    assert len(sink.of("SubscriptionConfirmation")) == 2
    sns.publish(TopicArn=topic, Message="raw body")
    [note] = sink.wait("Notification", 1)
    assert note["body"] == "raw body" and note["headers"]["x-amz-sns-rawdelivery"] == "true"


def test_subscription_token_endpoint_and_confirm_in_another_region(server, http_sink):
    """/_aws/sns/subscription-tokens/<arn> gives the confirmation token (LocalStack); a plain GET confirming a topic
    of eu-west-1 (no credential scope) acts on the topic's region, and that replays."""
    sink = http_sink()
    sns = server.client("sns", region="eu-west-1")
    topic = sns.create_topic(Name="far")["TopicArn"]
    assert ":eu-west-1:" in topic
    sub = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=sink.url, ReturnSubscriptionArn=True)["SubscriptionArn"]
    body = json.loads(sink.wait("SubscriptionConfirmation", 1)[0]["body"])
    got = server.get_json("/_aws/sns/subscription-tokens/" + sub)
    assert got == {"subscription_token": body["Token"], "subscription_arn": sub}
    with pytest.raises(urllib.error.HTTPError) as e:
        server.get_json("/_aws/sns/subscription-tokens/" + sub + "-nope")
    assert e.value.code == 404
    url = server.endpoint + "/?" + urllib.parse.urlencode(
        {"Action": "ConfirmSubscription", "TopicArn": topic, "Token": body["Token"]})
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.status == 200
    assert subscription_of(sns, topic) == sub
    wait_until(lambda: effects_recorded(server) == 1, what="the confirmation attempt recorded")
    before = server.state_hash()
    server.crash_restart()
    assert server.state_hash() == before
    assert subscription_of(sns, topic) == sub


def test_http_failures_retried_then_dead_lettered(sns, sqs, server, http_sink):
    """An endpoint answering 500 gets 3 attempts (1 s, 2 s apart), then the message goes to the RedrivePolicy DLQ;
    each attempt is in the log."""
    sink = http_sink(status=lambda kind: 200 if kind == "SubscriptionConfirmation" else 500)
    topic = sns.create_topic(Name="flaky")["TopicArn"]
    dlq_url, dlq_arn = queue(sqs, "http-dlq")
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=sink.url,
                  Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})})
    token = json.loads(sink.wait("SubscriptionConfirmation", 1)[0]["body"])["Token"]
    sns.confirm_subscription(TopicArn=topic, Token=token)
    mid = sns.publish(TopicArn=topic, Message="doomed")["MessageId"]
    got = []
    wait_until(lambda: got.extend(sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1).get("Messages", [])) or got,
               timeout=30, what="dead-lettered message")
    env = json.loads(got[0]["Body"])
    assert (env["Message"], env["MessageId"]) == ("doomed", mid)
    assert len(sink.of("Notification")) == 3
    summaries = [e["summary"] for e in server.get_json("/_podstack/log?service=sns")["events"]
                 if e["operation"] == "EffectAttempted"]
    assert sum("failed" in s for s in summaries) == 3 and summaries[-1].endswith("dead-lettered")


def test_http_retries_follow_podstack_clock(sns, sqs, server, http_sink):
    """A retry is due on podstack's clock: with the clock frozen none is made, however long real time runs;
    each advance past the backoff makes the next attempt at once, and the last dead-letters."""
    sink = http_sink(status=lambda kind: 200 if kind == "SubscriptionConfirmation" else 500)
    topic = sns.create_topic(Name="clocked")["TopicArn"]
    dlq_url, dlq_arn = queue(sqs, "clocked-dlq")
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=sink.url,
                  Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})})
    token = json.loads(sink.wait("SubscriptionConfirmation", 1)[0]["body"])["Token"]
    sns.confirm_subscription(TopicArn=topic, Token=token)
    assert server.call_json("POST", "/_podstack/clock", {"freeze": True})[0] == 200
    sns.publish(TopicArn=topic, Message="later")
    wait_until(lambda: effects_recorded(server) == 2, what="the first, failed, attempt")  # confirmation + 1
    since = server.state()["last_sequence"] + 1
    # Real time passes well beyond the 1 s backoff; the frozen clock does not.
    quiet = server.get_json(f"/_podstack/log?since={since}&service=sns&operation=EffectAttempted&wait=3")
    assert quiet["events"] == [] and len(sink.of("Notification")) == 1
    for n, step in ((2, "1s"), (3, "2s")):
        assert server.call_json("POST", "/_podstack/clock", {"advance": step})[0] == 200
        wait_until(lambda: effects_recorded(server) == n + 1, what=f"attempt {n} after the advance")
    assert len(sink.of("Notification")) == 3
    assert [json.loads(m["Body"])["Message"] for m in drain(sqs, dlq_url)] == ["later"]


def test_pending_http_delivery_is_rearmed_after_kill9(sns, sqs, server, http_sink):
    """A delivery still pending (first attempt failed) when podstack is killed is retried after replay:
    delivered once, not dead-lettered, nothing sent twice."""
    answer = {"Notification": 500}
    sink = http_sink(status=lambda kind: answer.get(kind, 200))
    topic = sns.create_topic(Name="rearm")["TopicArn"]
    dlq_url, dlq_arn = queue(sqs, "rearm-dlq")
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=sink.url,
                  Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})})
    token = json.loads(sink.wait("SubscriptionConfirmation", 1)[0]["body"])["Token"]
    sns.confirm_subscription(TopicArn=topic, Token=token)
    sns.publish(TopicArn=topic, Message="eventually")
    wait_until(lambda: effects_recorded(server) == 2, what="the first, failed, attempt recorded")  # confirmation + 1
    server.kill9()
    answer["Notification"] = 200
    server.start()
    notes = sink.wait("Notification", 2)
    wait_until(lambda: effects_recorded(server) == 3, what="the retry recorded")
    assert [json.loads(n["body"])["Message"] for n in notes] == ["eventually", "eventually"]
    assert drain(sqs, dlq_url) == []
    summaries = [e["summary"] for e in server.get_json("/_podstack/log?service=sns")["events"]
                 if e["operation"] == "EffectAttempted"]
    assert summaries[-1].endswith("delivered (HTTP 200)")
    sns.publish(TopicArn=topic, Message="marker")
    assert len(sink.wait("Notification", 3)) == 3


# ---- email ----

@pytest.fixture
def smtp_server(tmp_path):
    """(podstack with SMTP_HOST, SMTP sink); both stopped after the test."""
    sink = SmtpSink()
    s = PodstackServer(tmp_path / "data", env={"SMTP_HOST": f"127.0.0.1:{sink.port}"}).start()
    yield s, sink
    s.stop()
    sink.stop()


def test_email_through_smtp_and_no_repeat_after_restart(smtp_server):
    """email gets the plain message, email-json the envelope, through SMTP_HOST; confirmed at once (LocalStack);
    restart and kill -9 send nothing again."""
    server, sink = smtp_server
    sns = server.client("sns")
    topic = sns.create_topic(Name="mail")["TopicArn"]
    s1 = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")["SubscriptionArn"]
    s2 = sns.subscribe(TopicArn=topic, Protocol="email-json", Endpoint="bot@example.com")["SubscriptionArn"]
    assert s1.startswith(topic + ":") and s2.startswith(topic + ":")
    sns.publish(TopicArn=topic, Message="disk full", Subject="Alarm")
    mails = {m.rcpt_tos[0]: m for m in sink.wait(2)}
    plain = mails["ops@example.com"]
    assert plain.mail_from == "admin@localstack.cloud"
    text = plain.content.decode()
    assert "Subject: Alarm" in text and text.split("\r\n\r\n", 1)[1].strip() == "disk full"
    env = json.loads(mails["bot@example.com"].content.decode().split("\r\n\r\n", 1)[1])
    assert env["Type"] == "Notification" and env["Message"] == "disk full" and env["Subject"] == "Alarm"
    wait_until(lambda: effects_recorded(server) == 2, what="both attempts recorded")
    before = server.state_hash()
    server.restart()
    server.crash_restart()
    assert server.state_hash() == before
    sns.publish(TopicArn=topic, Message="marker")
    assert len(sink.wait(4)) == 4  # the two markers only: nothing repeated
    assert sum(b"disk full" in m.content for m in sink.envelopes) == 2


def test_unreachable_smtp_host_dead_letters_email(tmp_path):
    """An SMTP relay that refuses connections: 3 attempts, then the mail body goes to the RedrivePolicy DLQ."""
    server = PodstackServer(tmp_path / "data", env={"SMTP_HOST": f"127.0.0.1:{free_port()}"}).start()
    try:
        sns, sqs = server.client("sns"), server.client("sqs")
        topic = sns.create_topic(Name="nomailer")["TopicArn"]
        dlq_url, dlq_arn = queue(sqs, "mail-dlq")
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com",
                      Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})})
        sns.publish(TopicArn=topic, Message="undeliverable")
        got = []
        wait_until(lambda: got.extend(sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1).get("Messages", []))
                   or got, timeout=30, what="dead-lettered mail")
        assert got[0]["Body"] == "undeliverable"
        assert effects_recorded(server) == 3
    finally:
        server.stop()


def test_email_without_smtp_host_is_recorded(sns, server):
    """Without SMTP_HOST an email is recorded in state and shown by `podstack log`, not sent."""
    topic = sns.create_topic(Name="nomail")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="me@example.com")
    sns.publish(TopicArn=topic, Message="hi")
    summaries = [e["summary"] for e in server.get_json("/_podstack/log?service=sns")["events"]]
    assert any("email=me@example.com" in s for s in summaries)


# ---- SMS, platform applications, other subscribers ----

def delete(server, path):
    req = urllib.request.Request(server.endpoint + path, method="DELETE")
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status


def test_sms_messages_endpoint(sns, server, restart_check):
    """SMS from topic subscriptions and direct publishes are listed as LocalStack lists them, filtered by
    phoneNumber, survive restarts, and DELETE clears them (as an event)."""
    topic = sns.create_topic(Name="texts")["TopicArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15551230001")["SubscriptionArn"]
    m1 = sns.publish(TopicArn=topic, Message="via topic")["MessageId"]
    m2 = sns.publish(PhoneNumber="+15551230002", Message="direct", MessageAttributes={
        "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}})["MessageId"]
    got = restart_check(lambda: server.get_json("/_aws/sns/sms-messages"))
    assert got["region"] == REGION
    assert got["sms_messages"]["+15551230001"] == [{
        "PhoneNumber": "+15551230001", "TopicArn": topic, "SubscriptionArn": sub, "MessageId": m1,
        "Message": "via topic", "MessageAttributes": {}, "MessageStructure": None, "Subject": None}]
    [direct] = got["sms_messages"]["+15551230002"]
    assert direct["MessageId"] == m2 and direct["TopicArn"] is None
    assert direct["MessageAttributes"] == {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}
    only = server.get_json("/_aws/sns/sms-messages?phoneNumber=%2B15551230002")["sms_messages"]
    assert list(only) == ["+15551230002"]
    assert server.get_json("/_aws/sns/sms-messages?phoneNumber=%2B19999999999")["sms_messages"] == {"+19999999999": []}
    assert server.get_json("/_aws/sns/sms-messages?region=eu-west-1")["sms_messages"] == {}
    seq = server.state()["last_sequence"]
    assert delete(server, "/_aws/sns/sms-messages") == 204
    assert server.get_json("/_aws/sns/sms-messages")["sms_messages"] == {}
    assert server.state()["last_sequence"] == seq + 1
    server.restart()
    assert server.get_json("/_aws/sns/sms-messages")["sms_messages"] == {}


def test_sms_attributes_and_opt_out(sns):
    """SMS settings are stored; no number is opted out in podstack; bad input is InvalidParameter."""
    sns.set_sms_attributes(attributes={"DefaultSMSType": "Transactional", "DefaultSenderID": "podstack"})
    assert sns.get_sms_attributes()["attributes"] == {"DefaultSMSType": "Transactional", "DefaultSenderID": "podstack"}
    assert sns.get_sms_attributes(attributes=["DefaultSenderID"])["attributes"] == {"DefaultSenderID": "podstack"}
    assert sns.check_if_phone_number_is_opted_out(phoneNumber="+15550001111")["isOptedOut"] is False
    assert sns.list_phone_numbers_opted_out()["phoneNumbers"] == []
    sns.opt_in_phone_number(phoneNumber="+15550001111")
    with pytest.raises(ClientError) as e:
        sns.set_sms_attributes(attributes={"Nope": "1"})
    assert code(e) == "InvalidParameter"
    with pytest.raises(ClientError) as e:
        sns.check_if_phone_number_is_opted_out(phoneNumber="abc")
    assert code(e) == "InvalidParameter"


def test_platform_applications_and_endpoints(sns, server, restart_check):
    """Platform applications and endpoints are stored and answered; a publish to an endpoint is recorded."""
    app = sns.create_platform_application(Name="app", Platform="GCM",
                                          Attributes={"PlatformCredential": "secret"})["PlatformApplicationArn"]
    assert app == f"arn:aws:sns:{REGION}:{ACCOUNT}:app/GCM/app"
    ep = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="tok", CustomUserData="u")["EndpointArn"]
    assert sns.create_platform_endpoint(PlatformApplicationArn=app, Token="tok", CustomUserData="u")["EndpointArn"] == ep
    assert ep.startswith(f"arn:aws:sns:{REGION}:{ACCOUNT}:endpoint/GCM/app/")
    sns.set_endpoint_attributes(EndpointArn=ep, Attributes={"CustomUserData": "v"})
    got = restart_check(lambda: (sns.list_platform_applications()["PlatformApplications"],
                                 sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"],
                                 sns.get_endpoint_attributes(EndpointArn=ep)["Attributes"]))
    assert [a["PlatformApplicationArn"] for a in got[0]] == [app]
    assert "PlatformCredential" not in got[0][0]["Attributes"]
    assert got[2] == {"CustomUserData": "v", "Enabled": "true", "Token": "tok"}
    mid = sns.publish(TargetArn=ep, Message="push")["MessageId"]
    msgs = server.get_json("/_aws/sns/platform-endpoint-messages")["platform_endpoint_messages"]
    assert [(m["MessageId"], m["Message"], m["TargetArn"]) for m in msgs[ep]] == [(mid, "push", ep)]
    assert delete(server, "/_aws/sns/platform-endpoint-messages") == 204
    assert server.get_json("/_aws/sns/platform-endpoint-messages")["platform_endpoint_messages"] == {}
    sns.set_platform_application_attributes(PlatformApplicationArn=app, Attributes={"EventEndpointCreated": "x"})
    assert sns.get_platform_application_attributes(PlatformApplicationArn=app)["Attributes"]["EventEndpointCreated"] == "x"
    sns.delete_endpoint(EndpointArn=ep)
    assert sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"] == []
    sns.delete_platform_application(PlatformApplicationArn=app)
    assert sns.list_platform_applications()["PlatformApplications"] == []
    with pytest.raises(ClientError) as e:
        sns.get_platform_application_attributes(PlatformApplicationArn=app)
    assert code(e) == "NotFound"


def test_lambda_and_application_subscriptions_are_recorded(sns, server):
    """lambda and application subscribers are stored and their deliveries recorded (nothing is invoked)."""
    topic = sns.create_topic(Name="fn")["TopicArn"]
    fn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:handler"
    sub = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=fn)["SubscriptionArn"]
    assert sub.startswith(topic + ":")
    sns.publish(TopicArn=topic, Message="event")
    assert any(f"lambda={fn}" in e["summary"] for e in server.get_json("/_podstack/log?service=sns")["events"])


def test_unimplemented_operation_is_an_aws_error(sns):
    """An SNS operation podstack does not implement answers in AWS's error shape."""
    with pytest.raises(ClientError) as e:
        sns.get_sms_sandbox_account_status()
    assert code(e) == "NotImplemented"


# ---- aws CLI ----

@pytest.mark.skipif(AWS_CLI is None, reason="no aws CLI")
def test_aws_cli_create_subscribe_publish(server, sqs):
    """The aws CLI creates a topic, subscribes a queue and publishes; the queue receives the envelope."""
    topic = aws_json(server, "sns", "create-topic", "--name", "cli")["TopicArn"]
    url, qarn = queue(sqs, "cliq")
    aws_json(server, "sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs", "--notification-endpoint", qarn)
    mid = aws_json(server, "sns", "publish", "--topic-arn", topic, "--message", "from cli")["MessageId"]
    [m] = drain(sqs, url)
    assert json.loads(m["Body"])["MessageId"] == mid
    assert [t["TopicArn"] for t in aws_json(server, "sns", "list-topics")["Topics"]] == [topic]


# ---- deliveries into SNS from other services ----

def test_s3_event_notification_through_sns_to_sqs(server, sns, sqs):
    """An S3 TopicConfiguration publishes into SNS in the upload's batch: the SQS subscriber gets SNS's envelope
    around the S3 event, filter policies apply, a deleted topic drops the event, and it all replays."""
    s3 = server.client("s3")
    topic = sns.create_topic(Name="uploads")["TopicArn"]
    url, qarn = queue(sqs, "uploads-q")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn)
    s3.create_bucket(Bucket="media")
    s3.put_bucket_notification_configuration(Bucket="media", NotificationConfiguration={"TopicConfigurations": [
        {"TopicArn": topic, "Events": ["s3:ObjectCreated:*"]}]})
    drain(sqs, url)  # the s3:TestEvent of the configuration, if any
    s3.put_object(Bucket="media", Key="cat.jpg", Body=b"meow")
    [m] = drain(sqs, url)
    env = json.loads(m["Body"])
    assert env["Type"] == "Notification" and env["TopicArn"] == topic and env["Subject"] == "Amazon S3 Notification"
    record = json.loads(env["Message"])["Records"][0]
    assert record["eventSource"] == "aws:s3" and record["s3"]["object"]["key"] == "cat.jpg"
    before = server.state_hash()
    server.crash_restart()
    assert server.state_hash() == before
    sns.delete_topic(TopicArn=topic)
    s3.put_object(Bucket="media", Key="dog.jpg", Body=b"woof")  # the topic is gone: dropped, the upload stands
    assert drain(sqs, url) == []
    assert s3.get_object(Bucket="media", Key="dog.jpg")["Body"].read() == b"woof"
