"""S3 behaviour matched against AWS's recorded answers (LocalStack's AWS-validated snapshots,
tests/aws/services/s3/test_s3.py and test_s3_api.py): object lock, bucket names, object-creation
headers, POST policies, presigned requests with CORS."""
import datetime
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from podstack_server import error_code as code, module_server

LOCKED = "Access Denied because object protected by object lock."
NO_LOCK_CONFIG = "Bucket is missing Object Lock Configuration"


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    with module_server(tmp_path_factory.mktemp("s3compat")) as s:
        yield s


@pytest.fixture(scope="module")
def s3(srv):
    return srv.client("s3")


def new_name(prefix="c"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def bucket(s3):
    name = new_name()
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def lbucket(s3):
    name = new_name("lock")
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    return name


def err(e):
    return e.value.response["Error"], e.value.response["ResponseMetadata"]["HTTPStatusCode"]


def future(**kw):
    return datetime.datetime.now(tz=datetime.timezone.utc) + datetime.timedelta(**kw)


# ---- object lock ----

def test_lock_bucket_is_versioned_with_lock_enabled(s3, lbucket):
    assert s3.get_bucket_versioning(Bucket=lbucket)["Status"] == "Enabled"
    assert s3.get_object_lock_configuration(Bucket=lbucket)["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}
    with pytest.raises(ClientError) as e:
        s3.put_bucket_versioning(Bucket=lbucket, VersioningConfiguration={"Status": "Suspended"})
    assert err(e) == ({"Code": "InvalidBucketState",
                       "Message": "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed."}, 409)
    s3.put_bucket_versioning(Bucket=lbucket, VersioningConfiguration={"Status": "Enabled"})


def test_lock_configuration_needs_versioning(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    assert err(e) == ({"Code": "InvalidBucketState",
                       "Message": "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration"}, 409)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}


@pytest.mark.parametrize("cfg", [
    {"Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}},
    {},
    {"ObjectLockEnabled": "Enabled", "Rule": {}},
    {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {}}},
    {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE"}}},
    {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "BAD-VALUE", "Days": 1}}},
    {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1, "Years": 1}}},
])
def test_lock_configuration_malformed(s3, lbucket, cfg):
    with pytest.raises(ClientError) as e:
        s3.put_object_lock_configuration(Bucket=lbucket, ObjectLockConfiguration=cfg)
    assert code(e) == "MalformedXML"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_retention_on_bucket_without_lock(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for call in (lambda: s3.put_object_retention(Bucket=bucket, Key="k",
                                                 Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future(days=1)}),
                 lambda: s3.get_object_retention(Bucket=bucket, Key="k"),
                 lambda: s3.put_object_legal_hold(Bucket=bucket, Key="k", LegalHold={"Status": "ON"}),
                 lambda: s3.get_object_legal_hold(Bucket=bucket, Key="k")):
        with pytest.raises(ClientError) as e:
            call()
        assert err(e) == ({"Code": "InvalidRequest", "Message": NO_LOCK_CONFIG}, 400)
    # Headers asking for a lock on such a bucket: the same code, the message without spaces
    # (AWS, as versity/versitygw#1751 records it).
    for call in (lambda: s3.put_object(Bucket=bucket, Key="k2", Body=b"x", ObjectLockLegalHoldStatus="ON"),
                 lambda: s3.create_multipart_upload(Bucket=bucket, Key="k2", ObjectLockMode="GOVERNANCE",
                                                    ObjectLockRetainUntilDate=future(days=1))):
        with pytest.raises(ClientError) as e:
            call()
        assert err(e) == ({"Code": "InvalidRequest", "Message": "Bucket is missing ObjectLockConfiguration"}, 400)


def test_bypass_header_only_on_lock_buckets(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    expected = {"Code": "InvalidArgument", "ArgumentName": "x-amz-bypass-governance-retention",
                "Message": "x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets."}
    for flag in (True, False):
        with pytest.raises(ClientError) as e:
            s3.delete_object(Bucket=bucket, Key="k", BypassGovernanceRetention=flag)
        assert err(e) == (expected, 400)
    with pytest.raises(ClientError) as e:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k"}]}, BypassGovernanceRetention=True)
    assert err(e) == (expected, 400)


def test_retention_errors(s3, lbucket):
    when = future(days=365)
    with pytest.raises(ClientError) as e:
        s3.put_object_retention(Bucket=lbucket, Key="nope", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": when})
    assert err(e) == ({"Code": "NoSuchKey", "Key": "nope", "Message": "The specified key does not exist."}, 404)
    vid = s3.put_object(Bucket=lbucket, Key="k", Body=b"test")["VersionId"]
    with pytest.raises(ClientError) as e:
        s3.get_object_retention(Bucket=lbucket, Key="k", VersionId=vid)
    assert err(e) == ({"Code": "NoSuchObjectLockConfiguration",
                       "Message": "The specified object does not have a ObjectLock configuration"}, 404)
    with pytest.raises(ClientError) as e:
        s3.get_object_legal_hold(Bucket=lbucket, Key="k", VersionId=vid)
    assert err(e) == ({"Code": "NoSuchObjectLockConfiguration",
                       "Message": "The specified object does not have a ObjectLock configuration"}, 404)
    with pytest.raises(ClientError) as e:
        s3.put_object_retention(Bucket=lbucket, Key="k", Retention={"Mode": "GOVERNANCE"}, BypassGovernanceRetention=True)
    assert code(e) == "MalformedXML"
    with pytest.raises(ClientError) as e:
        s3.put_object_retention(Bucket=lbucket, Key="k", Retention={"Mode": "BAD-VALUE", "RetainUntilDate": when})
    assert code(e) == "MalformedXML"
    with pytest.raises(ClientError) as e:
        s3.put_object_retention(Bucket=lbucket, Key="k",
                                Retention={"Mode": "GOVERNANCE", "RetainUntilDate": datetime.datetime(2020, 1, 1)})
    error, status = err(e)
    assert (error["Code"], error["Message"], error["ArgumentName"], status) == (
        "InvalidArgument", "The retain until date must be in the future!", "RetainUntilDate", 400)
    with pytest.raises(ClientError) as e:
        s3.put_object_legal_hold(Bucket=lbucket, Key="k")
    assert code(e) == "MalformedXML"


def test_governance_retention(s3, lbucket):
    vid = s3.put_object(Bucket=lbucket, Key="k", Body=b"test")["VersionId"]
    until = datetime.datetime(2099, 1, 1, tzinfo=datetime.timezone.utc)
    assert s3.put_object_retention(Bucket=lbucket, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until})
    assert s3.get_object_retention(Bucket=lbucket, Key="k")["Retention"] == {"Mode": "GOVERNANCE", "RetainUntilDate": until}
    head = s3.head_object(Bucket=lbucket, Key="k")
    assert (head["ObjectLockMode"], head["ObjectLockRetainUntilDate"]) == ("GOVERNANCE", until)
    assert "ObjectLockLegalHoldStatus" not in head
    got = s3.get_object(Bucket=lbucket, Key="k")
    assert (got["ObjectLockMode"], got["ObjectLockRetainUntilDate"]) == ("GOVERNANCE", until)
    # Shortening without bypass is refused; extending is not.
    with pytest.raises(ClientError) as e:
        s3.put_object_retention(Bucket=lbucket, Key="k", VersionId=vid,
                                Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until - datetime.timedelta(days=1)})
    assert err(e) == ({"Code": "AccessDenied", "Message": LOCKED}, 403)
    s3.put_object_retention(Bucket=lbucket, Key="k", VersionId=vid,
                            Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until + datetime.timedelta(days=1)})
    # Deleting the version: refused, then allowed with the bypass.
    with pytest.raises(ClientError) as e:
        s3.delete_object(Bucket=lbucket, Key="k", VersionId=vid)
    assert err(e) == ({"Code": "AccessDenied", "Message": LOCKED}, 403)
    r = s3.delete_objects(Bucket=lbucket, Delete={"Objects": [{"Key": "k", "VersionId": vid}]})
    assert r["Errors"] == [{"Key": "k", "VersionId": vid, "Code": "AccessDenied", "Message": LOCKED}]
    assert "Deleted" not in r
    # A delete marker is always allowed.
    marker = s3.delete_object(Bucket=lbucket, Key="k")
    assert marker["DeleteMarker"] is True
    # Retention of a delete marker: 405 as for GET.
    with pytest.raises(ClientError) as e:
        s3.put_object_retention(Bucket=lbucket, Key="k", VersionId=marker["VersionId"],
                                Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until})
    error, status = err(e)
    assert (error["Code"], error["Method"], error["ResourceType"], status) == ("MethodNotAllowed", "PUT", "DeleteMarker", 405)
    with pytest.raises(ClientError) as e:
        s3.get_object_retention(Bucket=lbucket, Key="k", VersionId=marker["VersionId"])
    error, status = err(e)
    assert (error["Code"], error["Method"], error["ResourceType"], status) == ("MethodNotAllowed", "GET", "DeleteMarker", 405)
    r = s3.delete_object(Bucket=lbucket, Key="k", VersionId=vid, BypassGovernanceRetention=True)
    assert r["VersionId"] == vid


def test_governance_retention_removed_with_bypass(s3, lbucket):
    vid = s3.put_object(Bucket=lbucket, Key="k", Body=b"test", ObjectLockMode="GOVERNANCE",
                        ObjectLockRetainUntilDate=future(days=1))["VersionId"]
    with pytest.raises(ClientError) as e:
        s3.put_object_retention(Bucket=lbucket, Key="k", Retention={})
    assert err(e) == ({"Code": "AccessDenied", "Message": LOCKED}, 403)
    s3.put_object_retention(Bucket=lbucket, Key="k", Retention={}, BypassGovernanceRetention=True)
    assert "ObjectLockMode" not in s3.head_object(Bucket=lbucket, Key="k")
    s3.delete_object(Bucket=lbucket, Key="k", VersionId=vid)


def test_compliance_retention(s3, lbucket):
    vid = s3.put_object(Bucket=lbucket, Key="k", Body=b"test")["VersionId"]
    soon = future(seconds=3)
    s3.put_object_retention(Bucket=lbucket, Key="k", Retention={"Mode": "COMPLIANCE", "RetainUntilDate": soon})
    for bypass in (False, True):
        with pytest.raises(ClientError) as e:
            s3.delete_object(Bucket=lbucket, Key="k", VersionId=vid, BypassGovernanceRetention=bypass)
        assert err(e) == ({"Code": "AccessDenied", "Message": LOCKED}, 403)
    for mode, when in (("COMPLIANCE", soon - datetime.timedelta(seconds=1)), ("GOVERNANCE", soon + datetime.timedelta(seconds=1))):
        with pytest.raises(ClientError) as e:
            s3.put_object_retention(Bucket=lbucket, Key="k", VersionId=vid, BypassGovernanceRetention=True,
                                    Retention={"Mode": mode, "RetainUntilDate": when})
        assert err(e) == ({"Code": "AccessDenied", "Message": LOCKED}, 403)
    time.sleep(max(0.0, (soon - future()).total_seconds()) + 1.1)
    assert s3.delete_object(Bucket=lbucket, Key="k", VersionId=vid)["VersionId"] == vid


def test_legal_hold(s3, lbucket):
    vid = s3.put_object(Bucket=lbucket, Key="k", Body=b"test", ObjectLockLegalHoldStatus="ON")["VersionId"]
    assert s3.head_object(Bucket=lbucket, Key="k")["ObjectLockLegalHoldStatus"] == "ON"
    assert s3.get_object_legal_hold(Bucket=lbucket, Key="k")["LegalHold"] == {"Status": "ON"}
    for bypass in (False, True):
        with pytest.raises(ClientError) as e:
            s3.delete_object(Bucket=lbucket, Key="k", VersionId=vid, BypassGovernanceRetention=bypass)
        assert err(e) == ({"Code": "AccessDenied", "Message": LOCKED}, 403)
    s3.put_object_legal_hold(Bucket=lbucket, Key="k", VersionId=vid, LegalHold={"Status": "OFF"})
    assert s3.head_object(Bucket=lbucket, Key="k", VersionId=vid)["ObjectLockLegalHoldStatus"] == "OFF"
    assert s3.get_object_legal_hold(Bucket=lbucket, Key="k")["LegalHold"] == {"Status": "OFF"}
    assert s3.delete_object(Bucket=lbucket, Key="k", VersionId=vid)["VersionId"] == vid


def test_copy_does_not_keep_the_lock(s3, lbucket):
    s3.put_object(Bucket=lbucket, Key="src", Body=b"x", ObjectLockLegalHoldStatus="ON", ObjectLockMode="GOVERNANCE",
                  ObjectLockRetainUntilDate=future(days=1))
    s3.copy_object(Bucket=lbucket, Key="dst", CopySource=f"{lbucket}/src")
    head = s3.head_object(Bucket=lbucket, Key="dst")
    assert not {"ObjectLockMode", "ObjectLockRetainUntilDate", "ObjectLockLegalHoldStatus"} & set(head)


def test_default_retention_applies_to_new_versions(s3, lbucket):
    s3.put_object_lock_configuration(Bucket=lbucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1}}})
    vid = s3.put_object(Bucket=lbucket, Key="k", Body=b"x")["VersionId"]
    head = s3.head_object(Bucket=lbucket, Key="k")
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] - head["LastModified"] - datetime.timedelta(days=1) < datetime.timedelta(seconds=2)
    with pytest.raises(ClientError) as e:
        s3.delete_object(Bucket=lbucket, Key="k", VersionId=vid, BypassGovernanceRetention=True)
    assert code(e) == "AccessDenied"
    # An explicit retention wins over the default; Years counts 365 days.
    s3.put_object(Bucket=lbucket, Key="g", Body=b"x", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=future(days=3))
    assert s3.head_object(Bucket=lbucket, Key="g")["ObjectLockMode"] == "GOVERNANCE"
    # Multipart uploads get it when completed.
    up = s3.create_multipart_upload(Bucket=lbucket, Key="mp")["UploadId"]
    part = s3.upload_part(Bucket=lbucket, Key="mp", UploadId=up, PartNumber=1, Body=b"x")
    s3.complete_multipart_upload(Bucket=lbucket, Key="mp", UploadId=up,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert s3.head_object(Bucket=lbucket, Key="mp")["ObjectLockMode"] == "COMPLIANCE"


def test_object_lock_headers_validated(s3, lbucket):
    both = "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=lbucket, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE")
    assert err(e) == ({"Code": "InvalidArgument", "Message": both, "ArgumentName": "x-amz-object-lock-retain-until-date"}, 400)
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=lbucket, Key="k", Body=b"x", ObjectLockRetainUntilDate=future(days=1))
    assert err(e) == ({"Code": "InvalidArgument", "Message": both, "ArgumentName": "x-amz-object-lock-mode"}, 400)
    for call in (lambda: s3.put_object(Bucket=lbucket, Key="k", Body=b"x", ObjectLockMode="BAD-VALUE",
                                       ObjectLockRetainUntilDate=future(days=1)),
                 lambda: s3.create_multipart_upload(Bucket=lbucket, Key="k", ObjectLockMode="BAD-VALUE",
                                                    ObjectLockRetainUntilDate=future(days=1))):
        with pytest.raises(ClientError) as e:
            call()
        assert err(e) == ({"Code": "InvalidArgument", "Message": "Unknown wormMode directive.",
                           "ArgumentName": "x-amz-object-lock-mode", "ArgumentValue": "BAD-VALUE"}, 400)


def test_object_lock_survives_restart(srv, lbucket):
    s3 = srv.client("s3")
    until = datetime.datetime(2099, 1, 1, tzinfo=datetime.timezone.utc)
    vid = s3.put_object(Bucket=lbucket, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until)["VersionId"]
    s3.put_object_legal_hold(Bucket=lbucket, Key="k", LegalHold={"Status": "ON"})
    s3.put_object_lock_configuration(Bucket=lbucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 2}}})

    def read():
        h = s3.head_object(Bucket=lbucket, Key="k")
        return (h["ObjectLockMode"], h["ObjectLockRetainUntilDate"], h["ObjectLockLegalHoldStatus"],
                s3.get_object_lock_configuration(Bucket=lbucket)["ObjectLockConfiguration"],
                s3.get_bucket_versioning(Bucket=lbucket)["Status"])
    before = read()
    srv.restart()
    assert read() == before
    srv.crash_restart()
    assert read() == before
    with pytest.raises(ClientError) as e:
        s3.delete_object(Bucket=lbucket, Key="k", VersionId=vid, BypassGovernanceRetention=True)
    assert code(e) == "AccessDenied"


# ---- bucket names (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html) ----

@pytest.mark.parametrize("name", ["xn--abc", "sthree-abc", "sthree-configurator-x", "amzn-s3-demo-bucket", "abc-s3alias",
                                  "abc--ol-s3", "abc.mrap", "abc--x-s3", "abc--table-s3", "a.-b", "a-.b", "10.0.0.1",
                                  "a" * 64, "ab", "a_b", "Abc", "abc-", ".abc"])
def test_reserved_bucket_names_refused(s3, name):
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket=name)
    assert err(e) == ({"Code": "InvalidBucketName", "Message": "The specified bucket is not valid.", "BucketName": name}, 400)


@pytest.mark.parametrize("template", ["a.b-c{u}", "my--bucket{u}", "1-2-3{u}", "xn-a{u}", "s3alias-{u}", "{u}-s3alia",
                                      "{u}-ol-s3", "{u}.mrap1", "{u}-x-s3", "{u}10.0.0.1", "sthree{u}", "amzn-s3-demo{u}",
                                      "{u}" + "a" * 51])
def test_valid_bucket_names_accepted(s3, template):
    name = template.format(u=uuid.uuid4().hex[:12])
    s3.create_bucket(Bucket=name)
    s3.head_bucket(Bucket=name)


# ---- object-creation headers (LocalStack's AWS-validated snapshots) ----

@pytest.mark.parametrize("storage_class", ["FOO", "OUTPOSTS"])
def test_invalid_storage_class(s3, bucket, storage_class):
    expected = ({"Code": "InvalidStorageClass", "Message": "The storage class you specified is not valid",
                 "StorageClassRequested": storage_class}, 400)
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass=storage_class)
    assert err(e) == expected
    with pytest.raises(ClientError) as e:
        s3.create_multipart_upload(Bucket=bucket, Key="k", StorageClass=storage_class)
    assert err(e) == expected


def test_invalid_server_side_encryption(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="FOO")
    assert err(e) == ({"Code": "InvalidArgument", "Message": "The encryption method specified is not supported",
                       "ArgumentName": "x-amz-server-side-encryption", "ArgumentValue": "FOO"}, 400)


def test_invalid_canned_acl(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="fake-acl")
    error, status = err(e)
    assert (error["Code"], error["ArgumentName"], error["ArgumentValue"], status) == ("InvalidArgument", "x-amz-acl", "fake-acl", 400)
    assert not error.get("Message")


@pytest.mark.parametrize("tagging", ["key1=val1&key1=val2", "key1=val1,key2=val2"])
def test_invalid_tagging_header(s3, bucket, tagging):
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k", Body=b"", Tagging=tagging)
    assert err(e) == ({"Code": "InvalidArgument", "ArgumentName": "x-amz-tagging", "ArgumentValue": tagging,
                       "Message": "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query "
                                  "parameters without tag name duplicates."}, 400)


def test_content_md5_errors(s3, bucket):
    import base64
    import hashlib
    for value in ["__invalid__", "000", "MTIz", base64.b64encode(b"test-string").decode()]:
        with pytest.raises(ClientError) as e:
            s3.put_object(Bucket=bucket, Key="k", Body=b"something", ContentMD5=value)
        assert err(e) == ({"Code": "InvalidDigest", "Message": "The Content-MD5 you specified was invalid.", "Content-MD5": value}, 400)
    wrong = hashlib.md5(b"something1").digest()
    calculated = base64.b64encode(hashlib.md5(b"something").digest()).decode()
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k", Body=b"something", ContentMD5=base64.b64encode(wrong).decode())
    assert err(e) == ({"Code": "BadDigest", "Message": "The Content-MD5 you specified did not match what we received.",
                       "CalculatedDigest": calculated, "ExpectedDigest": wrong.hex()}, 400)
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="mp", UploadId=up, PartNumber=1, Body=b"something",
                       ContentMD5=base64.b64encode(wrong).decode())
    assert err(e)[0]["ExpectedDigest"] == base64.b64encode(wrong).decode()


def test_invalid_object_ownership_at_creation(s3):
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket=new_name(), ObjectOwnership="RandomValue")
    assert err(e) == ({"Code": "InvalidArgument", "Message": "Invalid x-amz-object-ownership header: RandomValue",
                       "ArgumentName": "x-amz-object-ownership"}, 400)


def test_invalid_website_redirect_location(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", WebsiteRedirectLocation="elsewhere")
    assert err(e) == ({"Code": "InvalidRedirectLocation",
                       "Message": "The website redirect location must have a prefix of 'http://' or 'https://' or '/'."}, 400)
    for ok in ("/other", "https://example.com/x"):
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", WebsiteRedirectLocation=ok)
        assert s3.head_object(Bucket=bucket, Key="k")["WebsiteRedirectLocation"] == ok


# ---- POST Object: the tagging field and policy conditions (LocalStack's TestS3PresignedPost snapshots) ----

def form_post(url, fields, file_bytes=b"test-body"):
    import urllib.error
    import urllib.request
    boundary = "----compat" + uuid.uuid4().hex
    body = b""
    for k, v in fields.items():
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\n'
             "Content-Type: text/plain\r\n\r\n").encode() + file_bytes + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **kw):
            return None
    try:
        with urllib.request.build_opener(NoRedirect).open(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def xml_error(body):
    import xml.etree.ElementTree as ET
    root = ET.fromstring(body)
    return root.findtext("Code"), root.findtext("Message")


@pytest.mark.parametrize("tagging,tags", [
    ("<Tagging><TagSet><Tag><Key>TagName</Key><Value>TagValue</Value></Tag></TagSet></Tagging>",
     [{"Key": "TagName", "Value": "TagValue"}]),
    ("<Tagging><TagSet><Tag><Key>TagName</Key><Value>TagValue</Value></Tag><Tag><Key>TagName2</Key>"
     "<Value>TagValue2</Value></Tag></TagSet></Tagging>",
     [{"Key": "TagName", "Value": "TagValue"}, {"Key": "TagName2", "Value": "TagValue2"}]),
    ("<InvalidXmlTagging></InvalidXmlTagging>", []),
])
def test_post_object_tagging_field(s3, bucket, tagging, tags):
    p = s3.generate_presigned_post(bucket, "tagged", Fields={"tagging": tagging},
                                   Conditions=[{"bucket": bucket}, ["eq", "$tagging", tagging]])
    status, body = form_post(p["url"], p["fields"])
    assert status == 204, body
    assert s3.get_object_tagging(Bucket=bucket, Key="tagged")["TagSet"] == tags


def test_post_object_tagging_not_xml(s3, bucket):
    p = s3.generate_presigned_post(bucket, "tagged", Fields={"tagging": "not-xml"},
                                   Conditions=[{"bucket": bucket}, ["eq", "$tagging", "not-xml"]])
    status, body = form_post(p["url"], p["fields"])
    assert status == 400
    assert xml_error(body) == ("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="tagged")
    assert code(e) == "404"


def test_post_policy_tagging_condition_enforced(s3, bucket):
    tagging = "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>"
    p = s3.generate_presigned_post(bucket, "tagged", Fields={"tagging": tagging}, Conditions=[["eq", "$tagging", tagging]])
    p["fields"]["tagging"] = tagging.replace("<Value>1", "<Value>2")
    status, body = form_post(p["url"], p["fields"])
    assert status == 403
    assert xml_error(body) == ("AccessDenied", f'Invalid according to Policy: Policy Condition failed: ["eq", "$tagging", "{tagging}"]')


def test_post_policy_condition_forms(s3, bucket):
    where = "http://localhost.test/random"
    # A field named without "$" never matches.
    p = s3.generate_presigned_post(bucket, "k", Fields={"success_action_redirect": where},
                                   Conditions=[["eq", "success_action_redirect", where]])
    status, body = form_post(p["url"], p["fields"])
    assert (status, xml_error(body)) == (403, ("AccessDenied", "Invalid according to Policy: Policy Condition failed: "
                                                               f'["eq", "success_action_redirect", "{where}"]'))
    # A simple condition names exactly one field.
    p = s3.generate_presigned_post(bucket, "k", Fields={"success_action_redirect": where},
                                   Conditions=[{"bucket": bucket, "success_action_redirect": where}])
    status, body = form_post(p["url"], p["fields"])
    assert (status, xml_error(body)) == (400, ("InvalidPolicyDocument", "Invalid Policy: Invalid Simple-Condition: "
                                                                        "Simple-Conditions must have exactly one property specified."))
    # starts-with "" takes any value.
    p = s3.generate_presigned_post(bucket, "k", Fields={"success_action_redirect": where},
                                   Conditions=[["starts-with", "$success_action_redirect", ""]])
    p["fields"]["success_action_redirect"] = "http://wrong.location/test"
    status, body = form_post(p["url"], p["fields"])
    assert status == 303, body
    # An operator S3 does not know.
    p = s3.generate_presigned_post(bucket, "k", Conditions=[["ends-with", "$key", "k"]])
    status, body = form_post(p["url"], p["fields"])
    got_code, message = xml_error(body)
    assert (status, got_code) == (400, "InvalidPolicyDocument")
    assert message == 'Invalid Policy: Invalid Condition: unknown operation "ends-with".'


# ---- presigned requests with CORS (LocalStack's test_s3_cors.py snapshots) ----

CORS_DENIED = ("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request "
               "method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the "
               "resource's CORS spec.")


def test_presigned_requests_with_cors(s3, bucket):
    import xml.etree.ElementTree as ET
    import requests
    origin = "https://app.example.com"
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": [origin], "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["*"], "MaxAgeSeconds": 3000}]})
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "up.txt"}, ExpiresIn=300)
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "up.txt"}, ExpiresIn=300)
    # The browser's preflight of the presigned PUT.
    pre = requests.options(put_url, headers={"Origin": origin, "Access-Control-Request-Method": "PUT",
                                             "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200, pre.text
    assert pre.headers["Access-Control-Allow-Origin"] == origin
    assert pre.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert pre.headers["Access-Control-Allow-Headers"] == "content-type"
    assert pre.headers["Access-Control-Max-Age"] == "3000"
    assert pre.headers["Access-Control-Allow-Credentials"] == "true"
    # The presigned PUT and GET themselves carry the headers.
    put = requests.put(put_url, data=b"hello", headers={"Origin": origin, "Content-Type": "text/plain"})
    assert put.status_code == 200, put.text
    assert put.headers["Access-Control-Allow-Origin"] == origin
    assert put.headers["Vary"] == "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
    got = requests.get(get_url, headers={"Origin": origin})
    assert (got.status_code, got.content) == (200, b"hello")
    assert got.headers["Access-Control-Allow-Origin"] == origin
    assert got.headers["Access-Control-Max-Age"] == "3000"
    # No rule for the origin: the preflight is refused, the request itself gets no CORS headers.
    pre = requests.options(get_url, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 403
    root = ET.fromstring(pre.content)
    assert (root.findtext("Code"), root.findtext("Message"), root.findtext("Method"), root.findtext("ResourceType")) == (
        "AccessForbidden", CORS_DENIED, "GET", "OBJECT")
    got = requests.get(get_url, headers={"Origin": "https://evil.example"})
    assert got.status_code == 200 and "Access-Control-Allow-Origin" not in got.headers
    # A method no rule allows.
    pre = requests.options(put_url, headers={"Origin": origin, "Access-Control-Request-Method": "DELETE"})
    assert pre.status_code == 403


def test_cors_preflight_on_bucket_reports_bucket(s3, bucket):
    import xml.etree.ElementTree as ET
    import requests
    url = s3.generate_presigned_url("list_objects_v2", Params={"Bucket": bucket}, ExpiresIn=300)
    pre = requests.options(url, headers={"Origin": "https://a.example", "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 403
    root = ET.fromstring(pre.content)
    assert (root.findtext("Code"), root.findtext("Message"), root.findtext("ResourceType")) == (
        "AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.", "BUCKET")
