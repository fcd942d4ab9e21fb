"""S3 event notifications (PutBucketNotificationConfiguration) into SQS: AWS's
validation, its event JSON, prefix/suffix filters, every object event, and
deliveries that replay with their cause (restart and kill -9)."""
import json
import urllib.parse

import pytest
from botocore.exceptions import ClientError

from podstack_server import error_code as code


def make_queue(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def drain(sqs, url):
    """Every message now in the queue (bodies parsed), deleted as read."""
    out = []
    while True:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        msgs = r.get("Messages", [])
        if not msgs:
            return out
        for m in msgs:
            out.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def records(msgs):
    return [r for m in msgs for r in m.get("Records", [])]


def configure(s3, bucket, arn, events, rules=None, cid=None):
    cfg = {"QueueArn": arn, "Events": events}
    if rules:
        cfg["Filter"] = {"Key": {"FilterRules": [{"Name": n, "Value": v} for n, v in rules]}}
    if cid:
        cfg["Id"] = cid
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [cfg]})


def test_test_event_and_object_created_record(s3, sqs):
    s3.create_bucket(Bucket="uploads")
    url, arn = make_queue(sqs, "uploads-events")
    configure(s3, "uploads", arn, ["s3:ObjectCreated:*"], cid="csv-uploads")
    test_events = drain(sqs, url)
    assert len(test_events) == 1
    t = test_events[0]
    assert t["Service"] == "Amazon S3" and t["Event"] == "s3:TestEvent" and t["Bucket"] == "uploads"

    put = s3.put_object(Bucket="uploads", Key="dir/my file+1.csv", Body=b"a,b\n1,2\n")
    recs = records(drain(sqs, url))
    assert len(recs) == 1
    r = recs[0]
    assert r["eventVersion"] == "2.1"
    assert r["eventSource"] == "aws:s3"
    assert r["eventName"] == "ObjectCreated:Put"
    assert r["awsRegion"] == "us-east-1"
    assert r["eventTime"].endswith("Z")
    assert r["s3"]["configurationId"] == "csv-uploads"
    assert r["s3"]["bucket"]["name"] == "uploads"
    assert r["s3"]["bucket"]["arn"] == "arn:aws:s3:::uploads"
    obj = r["s3"]["object"]
    # Keys are URL-encoded with '+' for spaces, as AWS sends them.
    assert obj["key"] == "dir/my+file%2B1.csv"
    assert urllib.parse.unquote_plus(obj["key"]) == "dir/my file+1.csv"
    assert obj["size"] == 8
    assert obj["eTag"] == put["ETag"].strip('"')
    assert "sequencer" in obj


def test_get_configuration_round_trips_with_generated_ids(s3, sqs):
    s3.create_bucket(Bucket="cfg")
    _, arn = make_queue(sqs, "cfg-q")
    assert "QueueConfigurations" not in s3.get_bucket_notification_configuration(Bucket="cfg")
    configure(s3, "cfg", arn, ["s3:ObjectCreated:Put", "s3:ObjectRemoved:*"], rules=[("prefix", "in/"), ("suffix", ".csv")])
    got = s3.get_bucket_notification_configuration(Bucket="cfg")["QueueConfigurations"]
    assert len(got) == 1
    assert got[0]["QueueArn"] == arn
    assert got[0]["Events"] == ["s3:ObjectCreated:Put", "s3:ObjectRemoved:*"]
    assert got[0]["Id"]  # AWS names an unnamed configuration
    rules = {r["Name"].lower(): r["Value"] for r in got[0]["Filter"]["Key"]["FilterRules"]}
    assert rules == {"prefix": "in/", "suffix": ".csv"}
    # An empty configuration turns notifications off.
    s3.put_bucket_notification_configuration(Bucket="cfg", NotificationConfiguration={})
    assert "QueueConfigurations" not in s3.get_bucket_notification_configuration(Bucket="cfg")


@pytest.mark.parametrize("cfg,message", [
    ({"QueueArn": "ARN", "Events": ["s3:NotAnEvent"]}, "The event is not supported for notifications"),
    ({"QueueArn": "arn:aws:sqs:us-east-1:000000000000", "Events": ["s3:ObjectCreated:*"]}, "The ARN is not well formed"),
    ({"QueueArn": "arn:aws:sns:us-east-1:000000000000:t", "Events": ["s3:ObjectCreated:*"]}, "The ARN is not well formed"),
    ({"QueueArn": "ARN", "Events": ["s3:ObjectCreated:*"],
      "Filter": {"Key": {"FilterRules": [{"Name": "middle", "Value": "x"}]}}}, "filter rule name must be either prefix or suffix"),
    ({"QueueArn": "ARN", "Events": ["s3:ObjectCreated:*"],
      "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a"}, {"Name": "Prefix", "Value": "b"}]}}},
     "Cannot specify more than one prefix rule in a filter."),
])
def test_invalid_configurations_are_rejected(s3, sqs, cfg, message):
    s3.create_bucket(Bucket="bad")
    url, arn = make_queue(sqs, "bad-q")
    if cfg["QueueArn"] == "ARN":
        cfg = dict(cfg, QueueArn=arn)
    with pytest.raises(ClientError) as e:
        s3.put_bucket_notification_configuration(Bucket="bad", NotificationConfiguration={"QueueConfigurations": [cfg]})
    assert code(e) == "InvalidArgument"
    assert e.value.response["Error"]["Message"] == message
    # Nothing stored, nothing sent.
    assert "QueueConfigurations" not in s3.get_bucket_notification_configuration(Bucket="bad")
    assert drain(sqs, url) == []


def test_prefix_and_suffix_filters(s3, sqs):
    s3.create_bucket(Bucket="filtered")
    url, arn = make_queue(sqs, "filtered-q")
    configure(s3, "filtered", arn, ["s3:ObjectCreated:Put"], rules=[("prefix", "incoming/"), ("suffix", ".csv")])
    drain(sqs, url)
    for key in ["incoming/a.csv", "incoming/b.txt", "other/c.csv", "incoming/sub/d.csv", "incoming.csv"]:
        s3.put_object(Bucket="filtered", Key=key, Body=b"x")
    keys = [r["s3"]["object"]["key"] for r in records(drain(sqs, url))]
    assert keys == ["incoming/a.csv", "incoming/sub/d.csv"]


def test_every_object_event(s3, sqs):
    s3.create_bucket(Bucket="events")
    url, arn = make_queue(sqs, "events-q")
    configure(s3, "events", arn, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*", "s3:ObjectTagging:*"])
    drain(sqs, url)
    s3.put_object(Bucket="events", Key="a", Body=b"1")
    s3.copy_object(Bucket="events", Key="b", CopySource="events/a")
    up = s3.create_multipart_upload(Bucket="events", Key="m")["UploadId"]
    part = s3.upload_part(Bucket="events", Key="m", UploadId=up, PartNumber=1, Body=b"p" * 10)
    s3.complete_multipart_upload(Bucket="events", Key="m", UploadId=up,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    s3.put_object_tagging(Bucket="events", Key="a", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    s3.delete_object_tagging(Bucket="events", Key="a")
    s3.delete_object(Bucket="events", Key="a")
    s3.delete_objects(Bucket="events", Delete={"Objects": [{"Key": "b"}, {"Key": "m"}, {"Key": "never-existed"}]})
    got = [(r["eventName"], r["s3"]["object"]["key"]) for r in records(drain(sqs, url))]
    assert got == [
        ("ObjectCreated:Put", "a"),
        ("ObjectCreated:Copy", "b"),
        ("ObjectCreated:CompleteMultipartUpload", "m"),
        ("ObjectTagging:Put", "a"),
        ("ObjectTagging:Delete", "a"),
        ("ObjectRemoved:Delete", "a"),
        ("ObjectRemoved:Delete", "b"),
        ("ObjectRemoved:Delete", "m"),
    ]


def test_versioned_bucket_delete_marker_and_version_ids(s3, sqs):
    s3.create_bucket(Bucket="versioned")
    s3.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
    url, arn = make_queue(sqs, "versioned-q")
    configure(s3, "versioned", arn, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])
    drain(sqs, url)
    v1 = s3.put_object(Bucket="versioned", Key="k", Body=b"1")["VersionId"]
    marker = s3.delete_object(Bucket="versioned", Key="k")["VersionId"]
    s3.delete_object(Bucket="versioned", Key="k", VersionId=v1)
    recs = records(drain(sqs, url))
    assert [(r["eventName"], r["s3"]["object"].get("versionId")) for r in recs] == [
        ("ObjectCreated:Put", v1),
        ("ObjectRemoved:DeleteMarkerCreated", marker),
        ("ObjectRemoved:Delete", v1),
    ]
    assert "size" not in recs[1]["s3"]["object"] and "eTag" not in recs[1]["s3"]["object"]


def test_only_the_matching_event_types(s3, sqs):
    s3.create_bucket(Bucket="removals")
    url, arn = make_queue(sqs, "removals-q")
    configure(s3, "removals", arn, ["s3:ObjectRemoved:Delete"])
    drain(sqs, url)
    s3.put_object(Bucket="removals", Key="x", Body=b"1")
    s3.delete_object(Bucket="removals", Key="x")
    assert [r["eventName"] for r in records(drain(sqs, url))] == ["ObjectRemoved:Delete"]


def test_a_deleted_queue_drops_the_event_but_not_the_upload(s3, sqs):
    s3.create_bucket(Bucket="orphan")
    url, arn = make_queue(sqs, "orphan-q")
    configure(s3, "orphan", arn, ["s3:ObjectCreated:*"])
    sqs.delete_queue(QueueUrl=url)
    s3.put_object(Bucket="orphan", Key="k", Body=b"still stored")
    assert s3.get_object(Bucket="orphan", Key="k")["Body"].read() == b"still stored"


def test_events_are_committed_with_the_upload_and_replay(server, s3, sqs, restart_check):
    s3.create_bucket(Bucket="durable")
    url, arn = make_queue(sqs, "durable-q")
    configure(s3, "durable", arn, ["s3:ObjectCreated:*"])
    for i in range(5):
        s3.put_object(Bucket="durable", Key=f"f{i}.csv", Body=b"x" * i)

    def read():
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
        return attrs["ApproximateNumberOfMessages"]

    assert restart_check(read) == "6"  # the test event and five uploads
    msgs = drain(sqs, url)
    assert [r["s3"]["object"]["key"] for r in records(msgs)] == [f"f{i}.csv" for i in range(5)]
