"""S3 lifecycle rules act on podstack's clock (issue 23): expiration of current versions (Days, Date), of
noncurrent versions (NoncurrentDays, NewerNoncurrentVersions), of expired object delete markers, and the abort of
incomplete multipart uploads, with prefix, tag, And and size filters; Disabled rules do nothing.

Nothing sleeps. Each test freezes the clock at a known instant (days are counted in midnights UTC), advances it,
and waits for the due-work commit in the log (GET /_podstack/log?wait=, service s3, operation DueWork): one
decision holds everything due in the account, so objects that must survive are checked after that commit."""
import json

import pytest
from botocore.exceptions import ClientError

from podstack_server import error_code

START = "2099-01-01T23:30:00Z"  # 30 minutes before a midnight: a 1-day rule is due at 2099-01-03T00:00


def clock(server, body):
    status, c = server.call_json("POST", "/_podstack/clock", body)
    assert status == 200, c
    return c


def advance(server, amount):
    """Advances the clock; returns the log sequence from which its consequences are written."""
    since = server.state()["last_sequence"] + 1
    clock(server, {"advance": amount})
    return since


def due_work(server, since):
    """The lifecycle events committed from `since` on, waiting (a long poll, not a sleep) for the first."""
    events = server.get_json(f"/_podstack/log?since={since}&wait=8&service=s3&operation=DueWork")["events"]
    assert events, "no lifecycle work was committed"
    # The whole decision is one commit: every event of it is in the log once the first is.
    return server.get_json(f"/_podstack/log?since={since}&service=s3&operation=DueWork&limit=100000")["events"]


def exists(s3, bucket, key):
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return True
    except ClientError as e:
        assert e.response["Error"]["Code"] == "404"
        return False


def keys(s3, bucket):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def versions(s3, bucket, prefix=""):
    """[(key, version id, is delete marker, is latest)] newest first per key."""
    r = s3.list_object_versions(Bucket=bucket, Prefix=prefix)
    out = [(v["Key"], v["VersionId"], False, v["IsLatest"], v["LastModified"]) for v in r.get("Versions", [])]
    out += [(m["Key"], m["VersionId"], True, m["IsLatest"], m["LastModified"]) for m in r.get("DeleteMarkers", [])]
    out.sort(key=lambda v: (v[0], not v[3], -v[4].timestamp()))  # a frozen clock gives equal times: latest first
    return [v[:4] for v in out]


def lifecycle(s3, bucket, *rules):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": list(rules)})


@pytest.fixture
def s3(server):
    clock(server, {"set": START, "freeze": True})
    yield server.client("s3")
    # decide_due() acted on everything next_due() announced, and the engine had nothing to complain of.
    assert not [line for line in server.log_lines if "error" in line.lower() or "due work" in line], server.log_lines


def test_an_object_expires_a_day_after_creation_rounded_to_midnight_also_after_kill9(server, s3):
    s3.create_bucket(Bucket="bkt")
    lifecycle(s3, "bkt", {"ID": "day", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}})
    s3.put_object(Bucket="bkt", Key="report.csv", Body=b"x")
    # A witness due at the next midnight (an Expiration.Date): its commit shows the due work of the 1 h advance ran.
    s3.create_bucket(Bucket="witness")
    lifecycle(s3, "witness", {"ID": "date", "Status": "Enabled", "Filter": {},
                              "Expiration": {"Date": "2099-01-02T00:00:00Z"}})
    s3.put_object(Bucket="witness", Key="w", Body=b"w")

    due_work(server, advance(server, "1h"))  # 2099-01-02T00:30: the witness went
    assert not exists(s3, "witness", "w")
    assert exists(s3, "bkt", "report.csv")  # created + 1 day is 2099-01-02T23:30, rounded up to 2099-01-03T00:00
    assert keys(s3, "bkt") == ["report.csv"]

    since = advance(server, "2d")
    # Reads answer from the due time on, whether or not the due work is committed yet.
    assert not exists(s3, "bkt", "report.csv")
    assert keys(s3, "bkt") == []
    events = due_work(server, since)
    assert any("s3://bkt/report.csv" in e["summary"] and "lifecycle rule=day" in e["summary"] for e in events), events
    assert not exists(s3, "bkt", "report.csv")
    assert keys(s3, "bkt") == []
    server.crash_restart()
    assert not exists(s3, "bkt", "report.csv")
    assert keys(s3, "bkt") == []


def test_prefix_tag_and_size_filters_select_what_expires(server, s3):
    s3.create_bucket(Bucket="filters")
    lifecycle(s3, "filters",
              {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 1}},
              {"ID": "legacy", "Status": "Enabled", "Prefix": "tmp/", "Expiration": {"Days": 1}},
              {"ID": "tag", "Status": "Enabled", "Filter": {"Tag": {"Key": "temp", "Value": "yes"}},
               "Expiration": {"Days": 1}},
              {"ID": "and", "Status": "Enabled",
               "Filter": {"And": {"Prefix": "big/", "Tags": [{"Key": "k", "Value": "v"}], "ObjectSizeGreaterThan": 3}},
               "Expiration": {"Days": 1}},
              {"ID": "small", "Status": "Enabled", "Filter": {"ObjectSizeLessThan": 2}, "Expiration": {"Days": 1}})
    put = lambda key, body=b"data", tags=None: s3.put_object(Bucket="filters", Key=key, Body=body,  # noqa: E731
                                                             **({"Tagging": tags} if tags else {}))
    put("logs/a")
    put("tmp/b")
    put("data/tagged", tags="temp=yes")
    put("data/tag-other-value", tags="temp=no")
    put("big/match", body=b"12345", tags="k=v")
    put("big/too-small", body=b"123", tags="k=v")
    put("big/untagged", body=b"12345")
    put("tiny", body=b"1")
    put("data/kept")
    put("logsx/not-the-prefix")
    due_work(server, advance(server, "2d"))
    assert keys(s3, "filters") == ["big/too-small", "big/untagged", "data/kept", "data/tag-other-value", "logsx/not-the-prefix"]


def test_versioned_bucket_markers_noncurrent_versions_and_expired_delete_markers(server, s3):
    s3.create_bucket(Bucket="versioned")
    s3.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
    lifecycle(s3, "versioned",
              {"ID": "cur", "Status": "Enabled", "Filter": {"Prefix": "cur/"}, "Expiration": {"Days": 1},
               "NoncurrentVersionExpiration": {"NoncurrentDays": 2}},
              {"ID": "keep1", "Status": "Enabled", "Filter": {"Prefix": "keep/"},
               "NoncurrentVersionExpiration": {"NoncurrentDays": 1, "NewerNoncurrentVersions": 1}},
              {"ID": "eodm", "Status": "Enabled", "Filter": {"Prefix": "gone/"},
               "Expiration": {"ExpiredObjectDeleteMarker": True}, "NoncurrentVersionExpiration": {"NoncurrentDays": 1}})
    cur1 = s3.put_object(Bucket="versioned", Key="cur/k", Body=b"1")["VersionId"]
    cur2 = s3.put_object(Bucket="versioned", Key="cur/k", Body=b"2")["VersionId"]
    keep = [s3.put_object(Bucket="versioned", Key="keep/k", Body=str(i).encode())["VersionId"] for i in range(4)]
    gone = s3.put_object(Bucket="versioned", Key="gone/k", Body=b"g")["VersionId"]
    marker = s3.delete_object(Bucket="versioned", Key="gone/k")["VersionId"]
    assert [v[1] for v in versions(s3, "versioned", "gone/")] == [marker, gone]

    events = due_work(server, advance(server, "2d"))  # 2099-01-03T23:30
    # The current version of cur/k expired: a delete marker is its latest version, the data versions stay.
    cur = versions(s3, "versioned", "cur/")
    assert [(v[1], v[2], v[3]) for v in cur[1:]] == [(cur2, False, False), (cur1, False, False)]
    assert cur[0][2] and cur[0][3]  # a delete marker, the latest
    assert not exists(s3, "versioned", "cur/k")
    assert any("s3://versioned/cur/k delete-marker" in e["summary"] and "lifecycle rule=cur" in e["summary"] for e in events)
    # keep/k: the newest noncurrent version is kept (NewerNoncurrentVersions 1), the older ones went.
    assert [v[1] for v in versions(s3, "versioned", "keep/")] == [keep[3], keep[2]]
    # gone/k: the noncurrent version went, and then the delete marker left alone went too.
    assert versions(s3, "versioned", "gone/") == []

    due_work(server, advance(server, "3d"))  # 2099-01-06T23:30
    # cur/k's versions are noncurrent for 2 days; then its marker is an expired delete marker, removed by Days.
    assert versions(s3, "versioned", "cur/") == []
    assert [v[1] for v in versions(s3, "versioned", "keep/")] == [keep[3], keep[2]]
    server.crash_restart()
    assert versions(s3, "versioned", "") == [("keep/k", keep[3], False, True), ("keep/k", keep[2], False, False)]


def test_a_suspended_bucket_expires_into_a_null_delete_marker(server, s3):
    s3.create_bucket(Bucket="suspended")
    s3.put_bucket_versioning(Bucket="suspended", VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket="suspended", Key="k", Body=b"versioned")["VersionId"]
    s3.put_bucket_versioning(Bucket="suspended", VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket="suspended", Key="k", Body=b"null version")
    lifecycle(s3, "suspended", {"ID": "day", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}})
    due_work(server, advance(server, "2d"))
    # The null version is replaced by a null delete marker; the older versioned version stays.
    assert versions(s3, "suspended") == [("k", "null", True, True), ("k", old, False, False)]
    assert not exists(s3, "suspended", "k")


def test_incomplete_multipart_uploads_are_aborted(server, s3):
    s3.create_bucket(Bucket="multipart")
    lifecycle(s3, "multipart", {"ID": "abort", "Status": "Enabled", "Filter": {"Prefix": "up/"},
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}})
    up = s3.create_multipart_upload(Bucket="multipart", Key="up/big")["UploadId"]
    s3.upload_part(Bucket="multipart", Key="up/big", UploadId=up, PartNumber=1, Body=b"part")
    other = s3.create_multipart_upload(Bucket="multipart", Key="other/big")["UploadId"]
    assert len(s3.list_multipart_uploads(Bucket="multipart")["Uploads"]) == 2
    events = due_work(server, advance(server, "2d"))
    assert any(f"upload={up} lifecycle rule=abort" in e["summary"] for e in events), events
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket="multipart").get("Uploads", [])] == [other]
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket="multipart", Key="up/big", UploadId=up)
    assert error_code(e) == "NoSuchUpload"


def test_a_disabled_rule_does_nothing(server, s3):
    s3.create_bucket(Bucket="rule-off")
    lifecycle(s3, "rule-off", {"ID": "off", "Status": "Disabled", "Filter": {}, "Expiration": {"Days": 1},
                          "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}})
    s3.put_object(Bucket="rule-off", Key="k", Body=b"x")
    s3.create_multipart_upload(Bucket="rule-off", Key="u")
    s3.create_bucket(Bucket="rule-on")  # its expiry is the commit the test waits for
    lifecycle(s3, "rule-on", {"ID": "on", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}})
    s3.put_object(Bucket="rule-on", Key="k", Body=b"x")
    events = due_work(server, advance(server, "2d"))
    assert keys(s3, "rule-on") == []
    assert keys(s3, "rule-off") == ["k"]
    assert len(s3.list_multipart_uploads(Bucket="rule-off")["Uploads"]) == 1
    assert all("s3://rule-on/" in e["summary"] for e in events), events


def test_the_deletions_are_s3_events_in_the_log(server, s3):
    s3.create_bucket(Bucket="logged")
    lifecycle(s3, "logged", {"ID": "day", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}})
    for i in range(5):
        s3.put_object(Bucket="logged", Key=f"k{i}", Body=b"x")
    since = advance(server, "2d")
    events = due_work(server, since)
    # One decision for everything due: five deletions, one sequence range, no other writes between.
    assert [(e["service"], e["operation"]) for e in events] == [("s3", "DueWork")] * 5
    assert sorted(e["summary"] for e in events) == [f"s3://logged/k{i} version=null lifecycle rule=day" for i in range(5)]
    seqs = [e["sequence"] for e in events]
    assert seqs == list(range(seqs[0], seqs[0] + 5))
    # Nothing more is due: the clock moving on writes nothing for S3.
    after = server.state()["last_sequence"]
    clock(server, {"advance": "1d"})
    s3.put_object(Bucket="logged", Key="late", Body=b"x")  # a write after the advance: the log is past it
    assert [e["operation"] for e in server.get_json(f"/_podstack/log?since={after + 1}")["events"]] == \
        ["__SetClock", "PutObject"]


def test_bad_lifecycle_configurations_are_refused(server, s3):
    s3.create_bucket(Bucket="bad")
    bad = [
        ({"ID": "r", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 0}}, "InvalidArgument"),
        ({"ID": "r", "Status": "Enabled", "Filter": {}, "Expiration": {"Date": "2099-01-01T10:00:00Z"}}, "InvalidArgument"),
        ({"ID": "r", "Status": "Enabled", "Filter": {}, "NoncurrentVersionExpiration": {"NoncurrentDays": 0}},
         "InvalidArgument"),
        ({"ID": "r", "Status": "Enabled", "Filter": {},
          "Expiration": {"Days": 1, "ExpiredObjectDeleteMarker": True}}, "MalformedXML"),
        ({"ID": "r", "Status": "Enabled", "Filter": {}}, "MalformedXML"),
    ]
    for rule, code in bad:
        with pytest.raises(ClientError) as e:
            lifecycle(s3, "bad", rule)
        assert error_code(e) == code, rule
    with pytest.raises(ClientError) as e:
        s3.get_bucket_lifecycle_configuration(Bucket="bad")
    assert error_code(e) == "NoSuchLifecycleConfiguration"


def test_notifications_name_lifecycle_deletions(server, s3):
    sqs = server.client("sqs")
    urls = {name: sqs.create_queue(QueueName=name)["QueueUrl"] for name in ("lifecycle", "removed")}
    arn = lambda name: sqs.get_queue_attributes(QueueUrl=urls[name], AttributeNames=["QueueArn"])[  # noqa: E731
        "Attributes"]["QueueArn"]
    for bucket, versioning in (("notified", None), ("notified-versioned", "Enabled")):
        s3.create_bucket(Bucket=bucket)
        if versioning:
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": versioning})
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
            {"QueueArn": arn("lifecycle"), "Events": ["s3:LifecycleExpiration:*"]},
            {"QueueArn": arn("removed"), "Events": ["s3:ObjectRemoved:*"]}]})
        lifecycle(s3, bucket, {"ID": "day", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}})
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    due_work(server, advance(server, "2d"))

    def records(name):
        got = []
        while True:
            msgs = sqs.receive_message(QueueUrl=urls[name], MaxNumberOfMessages=10).get("Messages", [])
            if not msgs:
                return sorted(got)
            for m in msgs:
                body = json.loads(m["Body"])
                got += [(r["s3"]["bucket"]["name"], r["eventName"]) for r in body.get("Records", [])]
                sqs.delete_message(QueueUrl=urls[name], ReceiptHandle=m["ReceiptHandle"])
    assert records("lifecycle") == [("notified", "LifecycleExpiration:Delete"),
                                    ("notified-versioned", "LifecycleExpiration:DeleteMarkerCreated")]
    assert records("removed") == []  # a lifecycle deletion is not an ObjectRemoved event, as on AWS
