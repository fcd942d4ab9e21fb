"""S3 through boto3, raw HTTP and the aws CLI, as AWS documents it; bodies survive restart and kill -9."""
import base64
import concurrent.futures
import datetime
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
import zlib

import pytest
from botocore.exceptions import ClientError

from podstack_server import AWS_CLI, PodstackServer, aws_run, error_code as code, module_server

MiB = 1024 * 1024
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


# ---- fixtures and helpers ----

@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    """One server for the tests that do not restart it."""
    with module_server(tmp_path_factory.mktemp("s3")) as s:
        yield s


@pytest.fixture(scope="module")
def s3(srv):
    return srv.client("s3")


def new_name(prefix="b"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def bucket(s3):
    name = new_name()
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def vbucket(s3):
    name = new_name("v")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


def md5(b):
    return hashlib.md5(b).hexdigest()


def raw(server, method, path, body=None, headers=None, host=None):
    """An unsigned request over http.client; returns (status, headers dict lower-cased, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host or f"127.0.0.1:{server.port}")
        hdrs = dict(headers or {})
        if body is not None and "Content-Length" not in hdrs:
            hdrs["Content-Length"] = str(len(body))
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders()
        if body:
            conn.send(body)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def xml_code(body):
    return ET.fromstring(body).findtext("Code")


# ---- buckets ----

def test_bucket_create_head_list_delete(s3):
    name = new_name()
    s3.create_bucket(Bucket=name)
    s3.head_bucket(Bucket=name)
    listed = s3.list_buckets()
    assert name in [b["Name"] for b in listed["Buckets"]]
    assert all("CreationDate" in b for b in listed["Buckets"])
    assert listed["Owner"]["ID"]
    s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket=name)
    assert code(e) == "404"
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_missing_bucket_errors(s3):
    name = new_name("missing")
    for call in (lambda: s3.delete_bucket(Bucket=name),
                 lambda: s3.list_objects_v2(Bucket=name),
                 lambda: s3.put_object(Bucket=name, Key="k", Body=b"x"),
                 lambda: s3.get_bucket_location(Bucket=name)):
        with pytest.raises(ClientError) as e:
            call()
        assert code(e) == "NoSuchBucket"
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_bucket_already_owned_outside_us_east_1(srv):
    eu = srv.client("s3", region="eu-west-1")
    name = new_name()
    eu.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    with pytest.raises(ClientError) as e:
        eu.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert code(e) == "BucketAlreadyOwnedByYou"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_bucket_namespace_is_global(srv, s3, bucket):
    """One namespace across regions (BucketAlreadyOwnedByYou) and accounts (BucketAlreadyExists); listing is per account."""
    eu = srv.client("s3", region="eu-west-1")
    with pytest.raises(ClientError) as e:
        eu.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert code(e) == "BucketAlreadyOwnedByYou"
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert eu.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"
    other = srv.client("s3", aws_access_key_id="111111111111")
    with pytest.raises(ClientError) as e:
        other.create_bucket(Bucket=bucket)
    assert code(e) == "BucketAlreadyExists"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert bucket not in [b["Name"] for b in other.list_buckets()["Buckets"]]


def test_bucket_not_empty(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=bucket)
    assert code(e) == "BucketNotEmpty"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)


@pytest.mark.parametrize("name", ["ab", "a" * 64, "Upper-Case", "under_score", "-leading", "trailing-",
                                  "double..dot", "192.168.5.4"])
def test_invalid_bucket_name(s3, name):
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket=name)
    assert code(e) == "InvalidBucketName"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_bucket_location(srv, s3):
    name = new_name()
    s3.create_bucket(Bucket=name)
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    eu = srv.client("s3", region="eu-west-1")
    other = new_name()
    eu.create_bucket(Bucket=other, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert eu.get_bucket_location(Bucket=other)["LocationConstraint"] == "eu-west-1"
    assert s3.head_bucket(Bucket=other)["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "eu-west-1"


def test_create_existing_bucket_in_us_east_1_is_a_no_op(s3, bucket):
    """us-east-1 answers 200 to re-creating a bucket you own (AWS CreateBucket docs)."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"kept")
    s3.create_bucket(Bucket=bucket)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"kept"


def test_illegal_location_constraint(s3):
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket=new_name(), CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert code(e) == "IllegalLocationConstraintException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_method_not_allowed(srv, bucket):
    st, _, body = raw(srv, "PATCH", f"/{bucket}/k", body=b"")
    assert (st, xml_code(body)) == (405, "MethodNotAllowed")


# ---- bucket configuration ----

def test_bucket_tagging(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket=bucket)
    assert code(e) == "NoSuchTagSet"
    tags = [{"Key": "team", "Value": "data"}, {"Key": "env", "Value": "dev"}]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert sorted(s3.get_bucket_tagging(Bucket=bucket)["TagSet"], key=lambda t: t["Key"]) == \
        sorted(tags, key=lambda t: t["Key"])
    s3.delete_bucket_tagging(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket=bucket)
    assert code(e) == "NoSuchTagSet"


def test_bucket_policy(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy(Bucket=bucket)
    assert code(e) == "NoSuchBucketPolicy"
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                                      "Resource": f"arn:aws:s3:::{bucket}/*"}]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == policy
    s3.delete_bucket_policy(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy(Bucket=bucket)
    assert code(e) == "NoSuchBucketPolicy"


def test_bucket_policy_malformed(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.put_bucket_policy(Bucket=bucket, Policy="{not json")
    assert code(e) == "MalformedPolicy"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_bucket_cors(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_bucket_cors(Bucket=bucket)
    assert code(e) == "NoSuchCORSConfiguration"
    rules = [{"AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["https://example.com"],
              "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300}]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == rules
    s3.delete_bucket_cors(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_cors(Bucket=bucket)
    assert code(e) == "NoSuchCORSConfiguration"


def test_cors_preflight_and_response_headers(srv, s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["https://example.com"], "AllowedHeaders": ["*"],
         "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300}]})
    s3.put_object(Bucket=bucket, Key="c", Body=b"cors")
    st, h, _ = raw(srv, "OPTIONS", f"/{bucket}/c", headers={
        "Origin": "https://example.com", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type"})
    assert st == 200
    assert h["access-control-allow-origin"] == "https://example.com"
    assert "PUT" in h["access-control-allow-methods"]
    assert h["access-control-max-age"] == "300"
    st, h, body = raw(srv, "GET", f"/{bucket}/c", headers={"Origin": "https://example.com"})
    assert (st, body) == (200, b"cors")
    assert h["access-control-allow-origin"] == "https://example.com"
    assert "etag" in h["access-control-expose-headers"].lower()
    st, _, _ = raw(srv, "OPTIONS", f"/{bucket}/c", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"})
    assert st == 403


def test_bucket_lifecycle(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert code(e) == "NoSuchLifecycleConfiguration"
    rules = [{"ID": "expire-logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Expiration": {"Days": 30}}]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == rules
    s3.delete_bucket_lifecycle(Bucket=bucket)
    with pytest.raises(ClientError) as e:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert code(e) == "NoSuchLifecycleConfiguration"


def test_bucket_encryption_default_and_set(s3, bucket):
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/k"},
         "BucketKeyEnabled": True}]})
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/k"}
    assert rule["BucketKeyEnabled"] is True


def test_put_object_reports_default_encryption(s3, bucket):
    r = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert r["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"


def test_acl_calls_answered(s3, bucket):
    acl = s3.get_bucket_acl(Bucket=bucket)
    assert acl["Owner"]["ID"]
    assert acl["Grants"][0]["Permission"] == "FULL_CONTROL"
    assert acl["Grants"][0]["Grantee"]["Type"] == "CanonicalUser"
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="private")
    assert s3.get_object_acl(Bucket=bucket, Key="k")["Grants"][0]["Permission"] == "FULL_CONTROL"
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="private")


def test_unconfigured_bucket_reads(s3, bucket):
    """What Terraform's aws_s3_bucket refresh reads on a plain bucket: empty answers or the documented not-found codes."""
    for op in ("get_bucket_notification_configuration", "get_bucket_accelerate_configuration", "get_bucket_logging"):
        r = getattr(s3, op)(Bucket=bucket)
        r.pop("ResponseMetadata")
        assert r == {}, op
    assert s3.get_bucket_request_payment(Bucket=bucket).get("Payer", "BucketOwner") == "BucketOwner"
    for op, err in (("get_bucket_website", "NoSuchWebsiteConfiguration"),
                    ("get_bucket_replication", "ReplicationConfigurationNotFoundError"),
                    ("get_bucket_ownership_controls", "OwnershipControlsNotFoundError"),
                    ("get_public_access_block", "NoSuchPublicAccessBlockConfiguration")):
        with pytest.raises(ClientError) as e:
            getattr(s3, op)(Bucket=bucket)
        assert code(e) == err, op


def test_malformed_xml(srv, s3, bucket):
    for path, body in ((f"/{bucket}?tagging", b"<Tagging><TagSet><Tag><Key>a</Key>"),
                       (f"/{bucket}?versioning", b"not xml at all"),
                       (f"/{bucket}?delete", b"<Delete><Object><Key>x</Key></Object>")):
        method = "POST" if path.endswith("?delete") else "PUT"
        st, _, body = raw(srv, method, path, body=body,
                          headers={"Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode()})
        assert (st, xml_code(body)) == (400, "MalformedXML"), path
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket=bucket)
    assert code(e) == "NoSuchTagSet"


# ---- objects: put / get / head ----

def test_put_get_head_with_metadata_and_content_headers(s3, bucket):
    body = b"hello world"
    r = s3.put_object(Bucket=bucket, Key="doc.txt", Body=body, Metadata={"Owner": "me", "x": "y z"},
                      ContentType="text/plain", ContentEncoding="identity", ContentLanguage="en",
                      ContentDisposition='attachment; filename="d.txt"', CacheControl="max-age=60",
                      Expires=datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc),
                      StorageClass="STANDARD_IA")
    assert r["ETag"] == f'"{md5(body)}"'
    for resp in (s3.get_object(Bucket=bucket, Key="doc.txt"), s3.head_object(Bucket=bucket, Key="doc.txt")):
        assert resp["ETag"] == r["ETag"]
        assert resp["ContentLength"] == len(body)
        assert resp["Metadata"] == {"owner": "me", "x": "y z"}
        assert resp["ContentType"] == "text/plain"
        assert resp["ContentEncoding"] == "identity"
        assert resp["ContentLanguage"] == "en"
        assert resp["ContentDisposition"] == 'attachment; filename="d.txt"'
        assert resp["CacheControl"] == "max-age=60"
        assert resp["Expires"] == datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
        assert resp["StorageClass"] == "STANDARD_IA"
        assert resp["AcceptRanges"] == "bytes"
        assert isinstance(resp["LastModified"], datetime.datetime)
    assert s3.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == body
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert (listed["Key"], listed["Size"], listed["ETag"], listed["StorageClass"]) == \
        ("doc.txt", len(body), r["ETag"], "STANDARD_IA")


def test_standard_storage_class_not_in_head(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="k")
    assert s3.list_objects_v2(Bucket=bucket)["Contents"][0]["StorageClass"] == "STANDARD"


def test_default_content_type_and_empty_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    h = s3.head_object(Bucket=bucket, Key="empty")
    assert h["ContentLength"] == 0
    assert h["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    assert h["ContentType"] in ("binary/octet-stream", "application/octet-stream")
    assert s3.get_object(Bucket=bucket, Key="empty")["Body"].read() == b""


def test_missing_key(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="nope")
    assert code(e) == "NoSuchKey"
    assert e.value.response["Error"]["Key"] == "nope"
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="nope")
    assert code(e) == "404"
    # DeleteObject of a missing key succeeds (204)
    assert s3.delete_object(Bucket=bucket, Key="nope")["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_overwrite_replaces_body_and_metadata(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"one", Metadata={"a": "1"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"second")
    r = s3.get_object(Bucket=bucket, Key="k")
    assert (r["Body"].read(), r["Metadata"]) == (b"second", {})


def test_invalid_enum_values_get_s3_codes(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass="NOPE")
    assert code(e) == "InvalidStorageClass"
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="c", CopySource=f"{bucket}/k", MetadataDirective="NOPE")
    assert code(e) == "InvalidArgument"


def test_put_without_content_length(srv, s3, bucket):
    sock = socket.create_connection(("127.0.0.1", srv.port))
    sock.settimeout(10)
    sock.sendall(f"PUT /{bucket}/nl HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    resp = b""
    while chunk := sock.recv(4096):
        resp += chunk
    sock.close()
    assert resp.startswith(b"HTTP/1.1 411"), resp[:100]
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0

def crc64nvme_b64(data):
    crc = 0xFFFFFFFFFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x9A6C9329AC4BC9B5 if crc & 1 else crc >> 1
    return base64.b64encode((crc ^ 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")).decode()


def test_key_too_long(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert code(e) == "KeyTooLongError"
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_conditional_put(srv, s3, bucket):
    """PutObject with If-None-Match: * (write only if absent) and If-Match (write only if unchanged)."""
    assert raw(srv, "PUT", f"/{bucket}/k", body=b"first", headers={"If-None-Match": "*"})[0] == 200
    st, _, body = raw(srv, "PUT", f"/{bucket}/k", body=b"second", headers={"If-None-Match": "*"})
    assert (st, xml_code(body)) == (412, "PreconditionFailed")
    st, _, body = raw(srv, "PUT", f"/{bucket}/k", body=b"third", headers={"If-Match": '"0123456789abcdef0123456789abcdef"'})
    assert (st, xml_code(body)) == (412, "PreconditionFailed")
    assert raw(srv, "PUT", f"/{bucket}/k", body=b"fourth", headers={"If-Match": f'"{md5(b"first")}"'})[0] == 200
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"fourth"


def test_null_version_of_unversioned_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"x"


KEYS = ["with space", "unicode/ü/日本語", "percent%20sign%", "plus+sign", "double//slash", "/leading", "//two", "trailing/",
        "q?mark", "hash#tag", "amp&eq=", "tilde~*'()!", "a" * 1024, "semi;colon,comma", "dot/./dot/../x"]


@pytest.mark.parametrize("key", KEYS, ids=range(len(KEYS)))
def test_special_keys_round_trip(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
    assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == len(key.encode())
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [key]
    assert [o["Key"] for o in s3.list_objects(Bucket=bucket)["Contents"]] == [key]
    s3.delete_object(Bucket=bucket, Key=key)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_xml_special_and_whitespace_keys(s3, vbucket):
    """Keys that need XML escaping survive ListObjects v1/v2, ListObjectVersions, DeleteObjects and CopySource."""
    keys = ["a<b>&'\"c", "tab\tkey", "nl\nkey", "cr\rkey", "q?mark=1&x", "sp ace"]
    for k in keys:
        s3.put_object(Bucket=vbucket, Key=k, Body=k.encode())
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=vbucket)["Contents"]] == sorted(keys)
    assert [o["Key"] for o in s3.list_objects(Bucket=vbucket)["Contents"]] == sorted(keys)
    assert [v["Key"] for v in s3.list_object_versions(Bucket=vbucket)["Versions"]] == sorted(keys)
    v = s3.put_object(Bucket=vbucket, Key="q?mark=1&x", Body=b"second")["VersionId"]
    s3.put_object(Bucket=vbucket, Key="q?mark=1&x", Body=b"third")
    s3.copy_object(Bucket=vbucket, Key="copied", CopySource={"Bucket": vbucket, "Key": "q?mark=1&x", "VersionId": v})
    assert s3.get_object(Bucket=vbucket, Key="copied")["Body"].read() == b"second"
    r = s3.delete_objects(Bucket=vbucket, Delete={"Objects": [{"Key": k} for k in keys]})
    assert sorted(d["Key"] for d in r["Deleted"]) == sorted(keys)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=vbucket)["Contents"]] == ["copied"]


def test_multi_character_delimiter(s3, bucket):
    for k in ("dir::a::b", "dir::c", "other"):
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    r = s3.list_objects_v2(Bucket=bucket, Prefix="dir::", Delimiter="::")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["dir::a::"]
    assert [o["Key"] for o in r["Contents"]] == ["dir::c"]


def test_plus_in_path_is_a_plus_not_a_space(srv, s3, bucket):
    """S3 decodes '+' in the path as '+', and '%20' as a space."""
    assert raw(srv, "PUT", f"/{bucket}/a+b", body=b"plus")[0] == 200
    assert raw(srv, "PUT", f"/{bucket}/a%20b", body=b"space")[0] == 200
    assert s3.get_object(Bucket=bucket, Key="a+b")["Body"].read() == b"plus"
    assert s3.get_object(Bucket=bucket, Key="a b")["Body"].read() == b"space"


# ---- addressing ----

@pytest.mark.parametrize("host", ["{b}.s3.localhost.localstack.cloud:{p}", "{b}.localhost:{p}",
                                  "{b}.s3.localhost.localstack.cloud", "{b}.s3.us-east-1.localhost.localstack.cloud:{p}"])
def test_virtual_hosted_style(srv, s3, bucket, host):
    h = host.format(b=bucket, p=srv.port)
    st, _, _ = raw(srv, "PUT", "/dir/with%20space.txt", body=b"vhost", host=h)
    assert st == 200
    assert s3.get_object(Bucket=bucket, Key="dir/with space.txt")["Body"].read() == b"vhost"
    st, _, body = raw(srv, "GET", "/dir/with%20space.txt", host=h)
    assert (st, body) == (200, b"vhost")
    st, _, body = raw(srv, "GET", "/?list-type=2&prefix=dir/", host=h)
    assert st == 200
    assert [k.text for k in ET.fromstring(body).iter(NS + "Key")] == ["dir/with space.txt"]
    st, _, body = raw(srv, "GET", "/missing", host=h)
    assert (st, xml_code(body)) == (404, "NoSuchKey")


@pytest.mark.parametrize("suffix", ["s3.localhost.localstack.cloud", "localhost"])
@pytest.mark.parametrize("dotted", [False, True])
def test_virtual_hosted_bucket_operations(srv, s3, suffix, dotted):
    """Bucket-level calls on a virtual host: create, head, location, POST ?delete, delete (dotted names too)."""
    b = new_name("vh") + (".with.dots" if dotted else "")
    host = f"{b}.{suffix}:{srv.port}"
    assert raw(srv, "PUT", "/", body=b"", host=host)[0] == 200
    assert b in [x["Name"] for x in s3.list_buckets()["Buckets"]]
    assert raw(srv, "PUT", "/k", body=b"x", host=host)[0] == 200
    assert raw(srv, "HEAD", "/", host=host)[0] == 200
    st, _, body = raw(srv, "GET", "/?location", host=host)
    assert st == 200 and ET.fromstring(body).text is None
    d = b"<Delete><Object><Key>k</Key></Object></Delete>"
    st, _, body = raw(srv, "POST", "/?delete", body=d, host=host,
                      headers={"Content-MD5": base64.b64encode(hashlib.md5(d).digest()).decode()})
    assert st == 200 and [k.text for k in ET.fromstring(body).iter(NS + "Key")] == ["k"]
    assert raw(srv, "DELETE", "/", host=host)[0] == 204
    assert b not in [x["Name"] for x in s3.list_buckets()["Buckets"]]


def test_virtual_hosted_missing_bucket(srv):
    st, _, body = raw(srv, "GET", "/k", host=f"{new_name('nob')}.s3.localhost.localstack.cloud:{srv.port}")
    assert (st, xml_code(body)) == (404, "NoSuchBucket")


def test_bucket_paths_with_trailing_slash_and_sdk_query_markers(srv, s3):
    """`/bucket/` is the bucket (not key ""), and the `x-id` marker newer SDKs add to the query is ignored."""
    b = new_name()
    assert raw(srv, "PUT", f"/{b}/", body=b"")[0] == 200
    s3.put_object(Bucket=b, Key="k", Body=b"x")
    st, _, body = raw(srv, "GET", f"/{b}/?list-type=2")
    assert st == 200 and [k.text for k in ET.fromstring(body).iter(NS + "Key")] == ["k"]
    assert raw(srv, "HEAD", f"/{b}/")[0] == 200
    assert raw(srv, "GET", f"/{b}/k?x-id=GetObject")[::2] == (200, b"x")
    st, _, body = raw(srv, "DELETE", f"/{b}/")
    assert (st, xml_code(body)) == (409, "BucketNotEmpty")


def test_path_style_on_localstack_host(srv, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"path")
    st, _, body = raw(srv, "GET", f"/{bucket}/k", host=f"s3.localhost.localstack.cloud:{srv.port}")
    assert (st, body) == (200, b"path")
    st, _, body = raw(srv, "GET", f"/{bucket}/k", host=f"localhost:{srv.port}")
    assert (st, body) == (200, b"path")


def test_date_header(srv, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for path in (f"/{bucket}/k", f"/{bucket}", f"/{bucket}/missing"):
        assert "date" in raw(srv, "GET", path)[1], path


# ---- range and conditional reads ----

@pytest.fixture
def digits(s3, bucket):
    s3.put_object(Bucket=bucket, Key="d", Body=b"0123456789")
    return bucket


@pytest.mark.parametrize("rng,body,content_range", [
    ("bytes=0-3", b"0123", "bytes 0-3/10"),
    ("bytes=4-", b"456789", "bytes 4-9/10"),
    ("bytes=-3", b"789", "bytes 7-9/10"),
    ("bytes=8-100", b"89", "bytes 8-9/10"),
    ("bytes=-20", b"0123456789", "bytes 0-9/10"),
])
def test_range(s3, digits, rng, body, content_range):
    r = s3.get_object(Bucket=digits, Key="d", Range=rng)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert r["Body"].read() == body
    assert r["ContentRange"] == content_range
    assert r["ContentLength"] == len(body)


def test_head_with_range(s3, digits):
    h = s3.head_object(Bucket=digits, Key="d", Range="bytes=2-4")
    assert h["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert h["ContentLength"] == 3


def test_ranges_across_chunk_boundaries(s3, bucket):
    """Bodies are stored in 1 MiB chunks: ranges that start, end or span chunk boundaries come back exact."""
    body = os.urandom(3 * MiB + 5)
    s3.put_object(Bucket=bucket, Key="big", Body=body)
    for first, last in ((MiB - 3, MiB + 2), (MiB, 2 * MiB - 1), (MiB - 1, MiB - 1), (5, 3 * MiB + 1),
                        (2 * MiB, 3 * MiB + 4), (3 * MiB + 4, 3 * MiB + 4)):
        r = s3.get_object(Bucket=bucket, Key="big", Range=f"bytes={first}-{last}")
        assert r["Body"].read() == body[first:last + 1], (first, last)
    assert s3.get_object(Bucket=bucket, Key="big", Range=f"bytes=-{MiB + 7}")["Body"].read() == body[-(MiB + 7):]
    assert s3.get_object(Bucket=bucket, Key="big", Range=f"bytes={2 * MiB - 1}-")["Body"].read() == body[2 * MiB - 1:]


def test_range_unsatisfiable(s3, digits):
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=digits, Key="d", Range="bytes=10-20")
    assert code(e) == "InvalidRange"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416
    assert e.value.response["Error"]["ActualObjectSize"] == "10"
    assert e.value.response["Error"]["RangeRequested"] == "bytes=10-20"


def test_range_ignored_when_malformed(s3, digits):
    """An unparsable Range header is ignored: the whole object comes back with 200."""
    r = s3.get_object(Bucket=digits, Key="d", Range="bytes=garbage")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert r["Body"].read() == b"0123456789"


def test_conditional_get(s3, digits):
    head = s3.head_object(Bucket=digits, Key="d")
    etag, lm = head["ETag"], head["LastModified"]
    past, future = lm - datetime.timedelta(days=1), lm + datetime.timedelta(days=1)
    assert s3.get_object(Bucket=digits, Key="d", IfMatch=etag)["Body"].read() == b"0123456789"
    assert s3.get_object(Bucket=digits, Key="d", IfNoneMatch='"other"')["Body"].read() == b"0123456789"
    assert s3.get_object(Bucket=digits, Key="d", IfModifiedSince=past)["Body"].read() == b"0123456789"
    assert s3.get_object(Bucket=digits, Key="d", IfUnmodifiedSince=future)["Body"].read() == b"0123456789"
    for kw, status, err in ((dict(IfMatch='"other"'), 412, "PreconditionFailed"),
                            (dict(IfUnmodifiedSince=past), 412, "PreconditionFailed"),
                            (dict(IfNoneMatch=etag), 304, "304"),
                            (dict(IfModifiedSince=future), 304, "304"),
                            # If-Match true wins over If-Unmodified-Since false; If-None-Match false over IMS true
                            (dict(IfNoneMatch=etag, IfModifiedSince=past), 304, "304")):
        with pytest.raises(ClientError) as e:
            s3.get_object(Bucket=digits, Key="d", **kw)
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == status, kw
        assert code(e) == err, kw
    assert s3.get_object(Bucket=digits, Key="d", IfMatch=etag, IfUnmodifiedSince=past)["Body"].read() == b"0123456789"
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=digits, Key="d", IfMatch='"other"')
    assert code(e) == "412"
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=digits, Key="d", IfNoneMatch="*")
    assert code(e) == "304"


def test_revalidation_with_own_last_modified(srv, s3, bucket):
    """If-Modified-Since / If-Unmodified-Since equal to the object's own Last-Modified (second precision, while
    the stored time has milliseconds): not modified, and unmodified."""
    for i in range(3):
        s3.put_object(Bucket=bucket, Key=f"k{i}", Body=b"x")
        lm = raw(srv, "HEAD", f"/{bucket}/k{i}")[1]["last-modified"]
        assert raw(srv, "GET", f"/{bucket}/k{i}", headers={"If-Modified-Since": lm})[0] == 304
        assert raw(srv, "GET", f"/{bucket}/k{i}", headers={"If-Unmodified-Since": lm})[0] == 200


def test_not_modified_carries_etag(srv, s3, digits):
    etag = s3.head_object(Bucket=digits, Key="d")["ETag"]
    st, h, body = raw(srv, "GET", f"/{digits}/d", headers={"If-None-Match": etag})
    assert (st, body) == (304, b"")
    assert h["etag"] == etag


def test_response_overrides(s3, digits):
    r = s3.get_object(Bucket=digits, Key="d", ResponseContentType="application/json",
                      ResponseContentDisposition="attachment", ResponseCacheControl="no-cache",
                      ResponseContentLanguage="fr", ResponseContentEncoding="gzip",
                      ResponseExpires=datetime.datetime(2031, 1, 1, tzinfo=datetime.timezone.utc))
    assert r["ContentType"] == "application/json"
    assert r["ContentDisposition"] == "attachment"
    assert r["CacheControl"] == "no-cache"
    assert r["ContentLanguage"] == "fr"
    assert r["ContentEncoding"] == "gzip"
    assert r["Expires"] == datetime.datetime(2031, 1, 1, tzinfo=datetime.timezone.utc)


def test_part_number_on_single_part_object(s3, digits):
    r = s3.get_object(Bucket=digits, Key="d", PartNumber=1)
    assert r["Body"].read() == b"0123456789"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=digits, Key="d", PartNumber=2)
    assert code(e) == "InvalidPartNumber"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416


# ---- delete objects ----

def test_delete_objects(s3, bucket):
    for k in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}, {"Key": "missing"}]})
    assert sorted(d["Key"] for d in r["Deleted"]) == ["a", "b", "missing"]
    assert "Errors" not in r
    q = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "c"}], "Quiet": True})
    assert "Deleted" not in q and "Errors" not in q
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_delete_objects_limit_1000(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": str(i)} for i in range(1001)]})
    assert code(e) == "MalformedXML"


# ---- copy ----

def test_copy_object_metadata_directive(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"data", Metadata={"a": "1"}, ContentType="text/plain")
    r = s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "src"})
    assert r["CopyObjectResult"]["ETag"] == f'"{md5(b"data")}"'
    g = s3.get_object(Bucket=bucket, Key="copy")
    assert (g["Body"].read(), g["Metadata"], g["ContentType"]) == (b"data", {"a": "1"}, "text/plain")
    s3.copy_object(Bucket=bucket, Key="copy2", CopySource=f"{bucket}/src", MetadataDirective="REPLACE",
                   Metadata={"b": "2"}, ContentType="application/json")
    g = s3.get_object(Bucket=bucket, Key="copy2")
    assert (g["Body"].read(), g["Metadata"], g["ContentType"]) == (b"data", {"b": "2"}, "application/json")


def test_copy_cross_bucket_and_special_key(s3, bucket):
    other = new_name()
    s3.create_bucket(Bucket=other)
    key = "dir/ü ber+plus%.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"cross")
    s3.copy_object(Bucket=other, Key=key, CopySource={"Bucket": bucket, "Key": key})
    assert s3.get_object(Bucket=other, Key=key)["Body"].read() == b"cross"


def test_copy_missing_source(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "missing"})
    assert code(e) == "NoSuchKey"
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": new_name("nob"), "Key": "x"})
    assert code(e) == "NoSuchBucket"


def test_copy_to_itself(s3, bucket):
    s3.put_object(Bucket=bucket, Key="self", Body=b"x", Metadata={"a": "1"})
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"})
    assert code(e) == "InvalidRequest"
    s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"},
                   MetadataDirective="REPLACE", Metadata={"a": "2"})
    assert s3.head_object(Bucket=bucket, Key="self")["Metadata"] == {"a": "2"}
    s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"}, StorageClass="STANDARD_IA")
    assert s3.head_object(Bucket=bucket, Key="self")["StorageClass"] == "STANDARD_IA"


def test_copy_source_conditions(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"c")
    h = s3.head_object(Bucket=bucket, Key="src")
    past, future = h["LastModified"] - datetime.timedelta(days=1), h["LastModified"] + datetime.timedelta(days=1)
    src = {"Bucket": bucket, "Key": "src"}
    s3.copy_object(Bucket=bucket, Key="ok", CopySource=src, CopySourceIfMatch=h["ETag"])
    for kw in (dict(CopySourceIfMatch='"nope"'), dict(CopySourceIfNoneMatch=h["ETag"]),
               dict(CopySourceIfUnmodifiedSince=past), dict(CopySourceIfModifiedSince=future)):
        with pytest.raises(ClientError) as e:
            s3.copy_object(Bucket=bucket, Key="no", CopySource=src, **kw)
        assert code(e) == "PreconditionFailed", kw
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["ok", "src"]


# ---- listing ----

@pytest.fixture(scope="module")
def tree(s3):
    name = new_name("tree")
    s3.create_bucket(Bucket=name)
    keys = ["a.txt", "b/1.txt", "b/2.txt", "b/c/3.txt", "d/4.txt", "e f/5.txt", "z.txt"]
    for k in keys:
        s3.put_object(Bucket=name, Key=k, Body=b"x")
    return name, keys


def test_list_v2_prefix_delimiter(s3, tree):
    name, keys = tree
    r = s3.list_objects_v2(Bucket=name, Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["a.txt", "z.txt"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["b/", "d/", "e f/"]
    assert r["KeyCount"] == 5
    r = s3.list_objects_v2(Bucket=name, Prefix="b/", Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["b/1.txt", "b/2.txt"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["b/c/"]
    r = s3.list_objects_v2(Bucket=name, Prefix="nothing")
    assert r["KeyCount"] == 0 and "Contents" not in r


def test_list_v2_max_keys_and_continuation(s3, tree):
    name, keys = tree
    seen, token = [], None
    while True:
        kw = {"ContinuationToken": token} if token else {}
        r = s3.list_objects_v2(Bucket=name, MaxKeys=2, **kw)
        assert r["MaxKeys"] == 2 and r["KeyCount"] <= 2
        seen += [o["Key"] for o in r.get("Contents", [])]
        if not r["IsTruncated"]:
            break
        token = r["NextContinuationToken"]
    assert seen == keys
    # common prefixes count towards max-keys
    r = s3.list_objects_v2(Bucket=name, Delimiter="/", MaxKeys=2)
    assert (r["KeyCount"], r["IsTruncated"]) == (2, True)
    assert [o["Key"] for o in r["Contents"]] + [p["Prefix"] for p in r["CommonPrefixes"]] == ["a.txt", "b/"]
    r2 = s3.list_objects_v2(Bucket=name, Delimiter="/", MaxKeys=10, ContinuationToken=r["NextContinuationToken"])
    assert [p["Prefix"] for p in r2["CommonPrefixes"]] == ["d/", "e f/"]
    assert [o["Key"] for o in r2["Contents"]] == ["z.txt"]


def test_list_v2_start_after_and_owner(s3, tree):
    name, keys = tree
    r = s3.list_objects_v2(Bucket=name, StartAfter="b/2.txt")
    assert [o["Key"] for o in r["Contents"]] == ["b/c/3.txt", "d/4.txt", "e f/5.txt", "z.txt"]
    assert r["StartAfter"] == "b/2.txt"
    assert "Owner" not in r["Contents"][0]
    r = s3.list_objects_v2(Bucket=name, FetchOwner=True, MaxKeys=1)
    assert r["Contents"][0]["Owner"]["ID"]


def test_list_v2_max_keys_zero(s3, tree):
    """MaxKeys=0 lists nothing and reports truncation (moto's _truncate_result models AWS this way)."""
    r = s3.list_objects_v2(Bucket=tree[0], MaxKeys=0)
    assert (r["KeyCount"], r["IsTruncated"], r.get("Contents")) == (0, True, None)


def test_list_v2_bad_continuation_token(s3, tree):
    with pytest.raises(ClientError) as e:
        s3.list_objects_v2(Bucket=tree[0], ContinuationToken="garbage")
    assert code(e) == "InvalidArgument"


def test_list_v1_marker(s3, tree):
    name, keys = tree
    r = s3.list_objects(Bucket=name, MaxKeys=3)
    assert [o["Key"] for o in r["Contents"]] == keys[:3]
    assert r["IsTruncated"] is True
    assert "NextMarker" not in r  # only with a delimiter
    r = s3.list_objects(Bucket=name, Marker=keys[2])
    assert [o["Key"] for o in r["Contents"]] == keys[3:]
    r = s3.list_objects(Bucket=name, Delimiter="/", MaxKeys=2)
    assert r["IsTruncated"] is True and r["NextMarker"] == "b/"
    r = s3.list_objects(Bucket=name, Delimiter="/", Marker="b/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["d/", "e f/"]
    assert r["Contents"][0]["Owner"]["ID"]


def test_list_order_is_utf8_byte_order(s3, bucket):
    keys = ["a", "B", "ä", "z", "~", "日", "\U0001F600", "\ufb00", "a/b", "a-b", "a0"]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=b"")
    expected = sorted(keys, key=lambda k: k.encode())
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == expected
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2})
    assert [o["Key"] for p in pages for o in p["Contents"]] == expected


def test_list_encoding_type_url(srv, s3, bucket):
    s3.put_object(Bucket=bucket, Key="sp ace/ü+%", Body=b"x")
    st, _, body = raw(srv, "GET", f"/{bucket}?list-type=2&encoding-type=url&delimiter=/")
    root = ET.fromstring(body)
    assert st == 200
    assert root.findtext(NS + "EncodingType") == "url"
    assert root.find(NS + "CommonPrefixes").findtext(NS + "Prefix") in ("sp+ace/", "sp%20ace/")
    st, _, body = raw(srv, "GET", f"/{bucket}?encoding-type=url")
    key = ET.fromstring(body).find(NS + "Contents").findtext(NS + "Key")
    assert urllib.parse.unquote_plus(key) == "sp ace/ü+%"
    assert "%" in key and "ü" not in key
    # boto3 decodes it back
    assert s3.list_objects_v2(Bucket=bucket)["Contents"][0]["Key"] == "sp ace/ü+%"


def test_paginate_2500_keys(srv, s3):
    name = new_name("many")
    s3.create_bucket(Bucket=name)
    keys = sorted(f"k/{i:05d}" for i in range(2500))

    def put(chunk):  # plain keep-alive PUTs: boto3 would spend most of this test signing requests
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
        try:
            for k in chunk:
                conn.request("PUT", f"/{name}/{k}", body=b"")
                r = conn.getresponse()
                r.read()
                assert r.status == 200
        finally:
            conn.close()

    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        list(ex.map(put, [keys[i::4] for i in range(4)]))
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=name))
    assert [len(p["Contents"]) for p in pages] == [1000, 1000, 500]
    assert [o["Key"] for p in pages for o in p["Contents"]] == keys
    pages = list(s3.get_paginator("list_objects").paginate(Bucket=name, PaginationConfig={"PageSize": 1000}))
    assert [o["Key"] for p in pages for o in p["Contents"]] == keys
    r = s3.delete_objects(Bucket=name, Delete={"Objects": [{"Key": k} for k in keys[:1000]], "Quiet": True})
    assert "Errors" not in r
    assert s3.list_objects_v2(Bucket=name)["Contents"][0]["Key"] == keys[1000]


# ---- object tagging ----

def test_object_tagging(s3, bucket):
    s3.put_object(Bucket=bucket, Key="t", Body=b"x", Tagging="a=1&b=two%20words")
    assert s3.get_object(Bucket=bucket, Key="t")["TagCount"] == 2
    assert sorted((t["Key"], t["Value"]) for t in s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"]) == \
        [("a", "1"), ("b", "two words")]
    s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": [{"Key": "c", "Value": "3"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == [{"Key": "c", "Value": "3"}]
    s3.delete_object_tagging(Bucket=bucket, Key="t")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == []
    with pytest.raises(ClientError) as e:
        s3.get_object_tagging(Bucket=bucket, Key="missing")
    assert code(e) == "NoSuchKey"


def test_copy_tagging_directive_and_per_version_tags(s3, vbucket):
    s3.put_object(Bucket=vbucket, Key="src", Body=b"x", Tagging="a=1")
    s3.copy_object(Bucket=vbucket, Key="c1", CopySource=f"{vbucket}/src")
    assert s3.get_object_tagging(Bucket=vbucket, Key="c1")["TagSet"] == [{"Key": "a", "Value": "1"}]
    s3.copy_object(Bucket=vbucket, Key="c2", CopySource=f"{vbucket}/src", TaggingDirective="REPLACE", Tagging="b=2")
    assert s3.get_object_tagging(Bucket=vbucket, Key="c2")["TagSet"] == [{"Key": "b", "Value": "2"}]
    v1 = s3.put_object(Bucket=vbucket, Key="v", Body=b"1", Tagging="t=1")["VersionId"]
    s3.put_object(Bucket=vbucket, Key="v", Body=b"2", Tagging="t=2")
    s3.put_object_tagging(Bucket=vbucket, Key="v", VersionId=v1, Tagging={"TagSet": [{"Key": "t", "Value": "x"}]})
    assert s3.get_object_tagging(Bucket=vbucket, Key="v", VersionId=v1)["TagSet"] == [{"Key": "t", "Value": "x"}]
    assert s3.get_object_tagging(Bucket=vbucket, Key="v")["TagSet"] == [{"Key": "t", "Value": "2"}]


# ---- versioning ----

def test_versioning_status(s3, bucket):
    v = s3.get_bucket_versioning(Bucket=bucket)
    assert "Status" not in v
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_unversioned_bucket_has_null_version(s3, bucket):
    r = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert "VersionId" not in r
    v = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [(x["Key"], x["VersionId"], x["IsLatest"]) for x in v] == [("k", "null", True)]


def test_versions_and_delete_markers(s3, vbucket):
    v1 = s3.put_object(Bucket=vbucket, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=vbucket, Key="k", Body=b"two")["VersionId"]
    assert v1 and v2 and v1 != v2 and "null" not in (v1, v2)
    g = s3.get_object(Bucket=vbucket, Key="k")
    assert (g["Body"].read(), g["VersionId"]) == (b"two", v2)
    assert s3.get_object(Bucket=vbucket, Key="k", VersionId=v1)["Body"].read() == b"one"
    assert s3.head_object(Bucket=vbucket, Key="k", VersionId=v1)["VersionId"] == v1

    d = s3.delete_object(Bucket=vbucket, Key="k")
    assert d["DeleteMarker"] is True
    marker = d["VersionId"]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=vbucket, Key="k")
    assert code(e) == "NoSuchKey"
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=vbucket, Key="k", VersionId=marker)
    assert code(e) == "MethodNotAllowed"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=vbucket, Key="k", VersionId=marker)
    assert code(e) == "405"
    assert s3.get_object(Bucket=vbucket, Key="k", VersionId=v2)["Body"].read() == b"two"
    assert s3.list_objects_v2(Bucket=vbucket)["KeyCount"] == 0

    lv = s3.list_object_versions(Bucket=vbucket)
    assert [(v["VersionId"], v["IsLatest"]) for v in lv["Versions"]] == [(v2, False), (v1, False)]
    assert [(m["Key"], m["VersionId"], m["IsLatest"]) for m in lv["DeleteMarkers"]] == [("k", marker, True)]

    # deleting the marker brings the object back
    r = s3.delete_object(Bucket=vbucket, Key="k", VersionId=marker)
    assert r["DeleteMarker"] is True and r["VersionId"] == marker
    assert s3.get_object(Bucket=vbucket, Key="k")["Body"].read() == b"two"
    # deleting a version permanently
    s3.delete_object(Bucket=vbucket, Key="k", VersionId=v2)
    assert s3.get_object(Bucket=vbucket, Key="k")["Body"].read() == b"one"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=vbucket, Key="k", VersionId=v2)
    assert code(e) == "NoSuchVersion"


def test_invalid_version_id(s3, vbucket):
    s3.put_object(Bucket=vbucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=vbucket, Key="k", VersionId="not-a-version")
    assert code(e) in ("InvalidArgument", "NoSuchVersion")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 404)


def test_list_object_versions_paging_and_prefix(s3, vbucket):
    ids = {}
    for k in ("a", "b", "c"):
        ids[k] = [s3.put_object(Bucket=vbucket, Key=k, Body=f"{k}{i}".encode())["VersionId"] for i in range(2)]
    r = s3.list_object_versions(Bucket=vbucket, MaxKeys=3)
    assert r["IsTruncated"] is True
    assert [(v["Key"], v["VersionId"]) for v in r["Versions"]] == \
        [("a", ids["a"][1]), ("a", ids["a"][0]), ("b", ids["b"][1])]
    r2 = s3.list_object_versions(Bucket=vbucket, KeyMarker=r["NextKeyMarker"], VersionIdMarker=r["NextVersionIdMarker"])
    assert [(v["Key"], v["VersionId"]) for v in r2["Versions"]] == \
        [("b", ids["b"][0]), ("c", ids["c"][1]), ("c", ids["c"][0])]
    assert [v["Key"] for v in s3.list_object_versions(Bucket=vbucket, Prefix="b")["Versions"]] == ["b", "b"]


def test_list_object_versions_pages_through_delete_markers(s3, vbucket):
    for k in ("a", "b", "c"):
        s3.put_object(Bucket=vbucket, Key=k, Body=b"1")
        s3.delete_object(Bucket=vbucket, Key=k)
        s3.put_object(Bucket=vbucket, Key=k, Body=b"2")

    def entries(r):
        return [(v["Key"], v["VersionId"]) for v in r.get("Versions", [])] + \
            [(m["Key"], m["VersionId"]) for m in r.get("DeleteMarkers", [])]

    everything = sorted(entries(s3.list_object_versions(Bucket=vbucket)))
    assert len(everything) == 9
    for size in (1, 2, 4):
        pages = s3.get_paginator("list_object_versions").paginate(Bucket=vbucket, PaginationConfig={"PageSize": size})
        got = [e for p in pages for e in entries(p)]
        assert sorted(got) == everything and len(got) == 9, size


def test_suspended_versioning_writes_null_version(s3, vbucket):
    v1 = s3.put_object(Bucket=vbucket, Key="k", Body=b"kept")["VersionId"]
    s3.put_bucket_versioning(Bucket=vbucket, VersioningConfiguration={"Status": "Suspended"})
    r = s3.put_object(Bucket=vbucket, Key="k", Body=b"null1")
    assert r.get("VersionId", "null") == "null"
    s3.put_object(Bucket=vbucket, Key="k", Body=b"null2")
    versions = s3.list_object_versions(Bucket=vbucket)["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [("null", True), (v1, False)]
    assert s3.get_object(Bucket=vbucket, Key="k")["Body"].read() == b"null2"
    assert s3.get_object(Bucket=vbucket, Key="k", VersionId="null")["Body"].read() == b"null2"
    d = s3.delete_object(Bucket=vbucket, Key="k")
    assert d["DeleteMarker"] is True and d["VersionId"] == "null"
    assert s3.get_object(Bucket=vbucket, Key="k", VersionId=v1)["Body"].read() == b"kept"


def test_delete_objects_versioned(s3, vbucket):
    v = s3.put_object(Bucket=vbucket, Key="k", Body=b"x")["VersionId"]
    s3.put_object(Bucket=vbucket, Key="j", Body=b"y")
    r = s3.delete_objects(Bucket=vbucket, Delete={"Objects": [{"Key": "k", "VersionId": v}, {"Key": "j"}]})
    by_key = {d["Key"]: d for d in r["Deleted"]}
    assert by_key["k"]["VersionId"] == v
    assert by_key["j"]["DeleteMarker"] is True and by_key["j"]["DeleteMarkerVersionId"]


def test_list_object_versions_delimiter(s3, vbucket):
    s3.put_object(Bucket=vbucket, Key="a/1", Body=b"x")
    s3.put_object(Bucket=vbucket, Key="b", Body=b"x")
    s3.delete_object(Bucket=vbucket, Key="a/1")
    r = s3.list_object_versions(Bucket=vbucket, Delimiter="/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/"]
    assert [v["Key"] for v in r["Versions"]] == ["b"] and "DeleteMarkers" not in r


def test_versioned_bucket_with_only_delete_markers_is_not_empty(s3, vbucket):
    v = s3.put_object(Bucket=vbucket, Key="k", Body=b"x")["VersionId"]
    s3.delete_object(Bucket=vbucket, Key="k")
    s3.delete_object(Bucket=vbucket, Key="k", VersionId=v)
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=vbucket)
    assert code(e) == "BucketNotEmpty"
    marker = s3.list_object_versions(Bucket=vbucket)["DeleteMarkers"][0]["VersionId"]
    s3.delete_object(Bucket=vbucket, Key="k", VersionId=marker)
    s3.delete_bucket(Bucket=vbucket)


def test_multipart_in_versioned_bucket(s3, vbucket):
    uid = s3.create_multipart_upload(Bucket=vbucket, Key="mp")["UploadId"]
    e = s3.upload_part(Bucket=vbucket, Key="mp", UploadId=uid, PartNumber=1, Body=b"x")["ETag"]
    with pytest.raises(ClientError) as err:
        s3.complete_multipart_upload(Bucket=vbucket, Key="mp", UploadId=uid, MultipartUpload={"Parts": []})
    assert code(err) == "MalformedXML"
    done = s3.complete_multipart_upload(Bucket=vbucket, Key="mp", UploadId=uid,
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e}]})
    assert done["VersionId"] == s3.head_object(Bucket=vbucket, Key="mp")["VersionId"]


def test_copy_specific_version(s3, vbucket):
    v1 = s3.put_object(Bucket=vbucket, Key="src", Body=b"old")["VersionId"]
    s3.put_object(Bucket=vbucket, Key="src", Body=b"new")
    r = s3.copy_object(Bucket=vbucket, Key="dst", CopySource={"Bucket": vbucket, "Key": "src", "VersionId": v1})
    assert r["CopySourceVersionId"] == v1 and r["VersionId"]
    assert s3.get_object(Bucket=vbucket, Key="dst")["Body"].read() == b"old"


# ---- checksums ----

def crc32_b64(b):
    return base64.b64encode(zlib.crc32(b).to_bytes(4, "big")).decode()


@pytest.mark.parametrize("algo", ["CRC32", "SHA256", "SHA1", "CRC32C"])
def test_checksum_put_and_get(s3, bucket, algo):
    body = b"checksum me" * 100
    r = s3.put_object(Bucket=bucket, Key="c", Body=body, ChecksumAlgorithm=algo)
    sent = r[f"Checksum{algo}"]
    if algo == "CRC32":
        assert sent == crc32_b64(body)
    if algo == "SHA256":
        assert sent == base64.b64encode(hashlib.sha256(body).digest()).decode()
    g = s3.get_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")
    assert g[f"Checksum{algo}"] == sent
    assert g["Body"].read() == body
    assert s3.head_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")[f"Checksum{algo}"] == sent
    assert f"Checksum{algo}" not in s3.head_object(Bucket=bucket, Key="c")


def test_checksum_mismatch_stores_nothing(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="bad", Body=b"abc", ChecksumCRC32=crc32_b64(b"abd"))
    assert code(e) == "BadDigest"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_content_md5_mismatch_stores_nothing(s3, bucket):
    s3.put_object(Bucket=bucket, Key="good", Body=b"abc", ContentMD5=base64.b64encode(hashlib.md5(b"abc").digest()).decode())
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="bad", Body=b"abc", ContentMD5=base64.b64encode(hashlib.md5(b"x").digest()).decode())
    assert code(e) == "BadDigest"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="bad", Body=b"abc", ContentMD5="not-base64-md5")
    assert code(e) == "InvalidDigest"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["good"]


def test_server_computed_checksum(srv, s3, bucket):
    """x-amz-sdk-checksum-algorithm without a value asks the server to compute and store the checksum."""
    st, h, _ = raw(srv, "PUT", f"/{bucket}/c32c", body=b"abc", headers={"x-amz-sdk-checksum-algorithm": "CRC32C"})
    assert st == 200 and h["x-amz-checksum-crc32c"] == "Nks/tw=="  # CRC32C("abc") = 0x364b3fb7
    assert s3.head_object(Bucket=bucket, Key="c32c", ChecksumMode="ENABLED")["ChecksumCRC32C"] == "Nks/tw=="


def test_checksum_header_errors(srv, s3, bucket):
    st, _, resp = raw(srv, "PUT", f"/{bucket}/a", body=b"abc", headers={"x-amz-checksum-crc32": "!!!"})
    assert (st, xml_code(resp)) == (400, "InvalidRequest")
    st, _, resp = raw(srv, "PUT", f"/{bucket}/b", body=b"abc", headers={
        "x-amz-checksum-crc32": base64.b64encode(zlib.crc32(b"abc").to_bytes(4, "big")).decode(),
        "x-amz-checksum-sha1": base64.b64encode(hashlib.sha1(b"abc").digest()).decode()})
    assert st == 400, resp
    assert xml_code(resp) == "InvalidRequest"


def aws_chunked(body, chunk=4, trailer=None):
    out = b""
    for i in range(0, len(body), chunk):
        c = body[i:i + chunk]
        out += f"{len(c):x}\r\n".encode() + c + b"\r\n"
    out += b"0\r\n"
    if trailer:
        out += f"{trailer[0]}:{trailer[1]}\r\n".encode()
    return out + b"\r\n"


def test_aws_chunked_with_crc32_trailer(srv, s3, bucket):
    body = b"trailing checksum body"
    wire = aws_chunked(body, trailer=("x-amz-checksum-crc32", crc32_b64(body)))
    st, h, resp = raw(srv, "PUT", f"/{bucket}/tr", body=wire, headers={
        "Content-Encoding": "aws-chunked", "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-decoded-content-length": str(len(body)), "x-amz-trailer": "x-amz-checksum-crc32"})
    assert st == 200, resp
    assert h["x-amz-checksum-crc32"] == crc32_b64(body)
    g = s3.get_object(Bucket=bucket, Key="tr", ChecksumMode="ENABLED")
    assert g["Body"].read() == body
    assert g["ChecksumCRC32"] == crc32_b64(body)
    assert g.get("ContentEncoding") in (None, "")  # aws-chunked is not stored


def test_aws_chunked_bad_trailer_stores_nothing(srv, s3, bucket):
    body = b"trailing checksum body"
    wire = aws_chunked(body, trailer=("x-amz-checksum-crc32", crc32_b64(b"other")))
    st, _, resp = raw(srv, "PUT", f"/{bucket}/tr", body=wire, headers={
        "Content-Encoding": "aws-chunked", "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-decoded-content-length": str(len(body)), "x-amz-trailer": "x-amz-checksum-crc32"})
    assert (st, xml_code(resp)) == (400, "BadDigest")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_aws_chunked_signed_chunks(srv, s3, bucket):
    """STREAMING-AWS4-HMAC-SHA256-PAYLOAD framing: each chunk header carries ;chunk-signature=."""
    body = os.urandom(70000)
    sig = b";chunk-signature=" + b"0" * 64
    wire = b""
    for i in range(0, len(body), 65536):
        c = body[i:i + 65536]
        wire += b"%x" % len(c) + sig + b"\r\n" + c + b"\r\n"
    wire += b"0" + sig + b"\r\n\r\n"
    st, _, resp = raw(srv, "PUT", f"/{bucket}/signed", body=wire, headers={
        "Content-Encoding": "aws-chunked", "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "x-amz-decoded-content-length": str(len(body))})
    assert st == 200, resp
    g = s3.get_object(Bucket=bucket, Key="signed")
    assert (g["Body"].read(), g["ContentLength"]) == (body, len(body))


def test_keep_alive_across_bodiless_responses(srv, s3, bucket):
    """HEAD, 304, 204 and HEAD-404 responses carry no body, so one keep-alive connection keeps parsing after them."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"keepalive")
    etag = f'"{md5(b"keepalive")}"'
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        seen = []
        for method, path, headers in (("HEAD", f"/{bucket}/k", {}), ("GET", f"/{bucket}/k", {"If-None-Match": etag}),
                                      ("HEAD", f"/{bucket}/missing", {}), ("DELETE", f"/{bucket}/gone", {}),
                                      ("GET", f"/{bucket}/missing", {}), ("GET", f"/{bucket}/k", {"Range": "bytes=0-3"}),
                                      ("GET", f"/{bucket}/k", {})):
            conn.request(method, path, headers=headers)
            r = conn.getresponse()
            seen.append((r.status, r.read()))
        assert [st for st, _ in seen] == [200, 304, 404, 204, 404, 206, 200]
        assert seen[0][1] == seen[1][1] == seen[2][1] == seen[3][1] == b""
        assert xml_code(seen[4][1]) == "NoSuchKey"
        assert (seen[5][1], seen[6][1]) == (b"keep", b"keepalive")
    finally:
        conn.close()


def test_truncated_body_stores_nothing(srv, s3, bucket):
    sock = socket.create_connection(("127.0.0.1", srv.port))
    sock.sendall(f"PUT /{bucket}/trunc HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n".encode() + b"x" * 10)
    sock.shutdown(socket.SHUT_WR)
    sock.settimeout(10)
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass
    sock.close()
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    s3.put_object(Bucket=bucket, Key="after", Body=b"still serving")
    assert s3.get_object(Bucket=bucket, Key="after")["Body"].read() == b"still serving"


def test_truncated_aws_chunked_body_stores_nothing(srv, s3, bucket):
    body = b"x" * 100
    wire = aws_chunked(body, chunk=50)[:60]
    sock = socket.create_connection(("127.0.0.1", srv.port))
    sock.sendall((f"PUT /{bucket}/trunc HTTP/1.1\r\nHost: localhost\r\nContent-Encoding: aws-chunked\r\n"
                  f"x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\n"
                  f"x-amz-decoded-content-length: 100\r\nContent-Length: {len(aws_chunked(body, chunk=50))}\r\n\r\n"
                  ).encode() + wire)
    sock.shutdown(socket.SHUT_WR)
    sock.settimeout(10)
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass
    sock.close()
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_expect_100_continue(srv, s3, bucket):
    sock = socket.create_connection(("127.0.0.1", srv.port))
    sock.settimeout(10)
    sock.sendall(f"PUT /{bucket}/e HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n".encode())
    first = sock.recv(4096)
    assert first.startswith(b"HTTP/1.1 100")
    sock.sendall(b"hello")
    resp = b""
    while b"\r\n\r\n" not in resp:
        resp += sock.recv(4096)
    sock.close()
    assert resp.split(b"\r\n\r\n")[-2].startswith(b"HTTP/1.1 200") or b"HTTP/1.1 200" in resp
    assert s3.get_object(Bucket=bucket, Key="e")["Body"].read() == b"hello"


# ---- presigned URLs ----

def test_presigned_get_and_put(s3, bucket):
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "pre sig+ned"}, ExpiresIn=300)
    req = urllib.request.Request(put_url, data=b"presigned body", method="PUT")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "pre sig+ned"}, ExpiresIn=300)
    with urllib.request.urlopen(get_url, timeout=10) as r:
        assert r.read() == b"presigned body"
    url = s3.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": "pre sig+ned", "ResponseContentDisposition": "attachment; filename=x.bin"})
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.headers["Content-Disposition"] == "attachment; filename=x.bin"


def test_presigned_get_missing_key(s3, bucket):
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "missing"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(url, timeout=10)
    assert e.value.code == 404
    assert xml_code(e.value.read()) == "NoSuchKey"


# ---- multipart ----

def test_multipart_upload(s3, bucket):
    mpu = s3.create_multipart_upload(Bucket=bucket, Key="mp", Metadata={"m": "1"}, ContentType="text/csv")
    uid = mpu["UploadId"]
    p1, p2 = os.urandom(5 * MiB), b"tail"
    e1 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1, Body=p1)["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=2, Body=p2)["ETag"]
    assert e1 == f'"{md5(p1)}"'
    parts = s3.list_parts(Bucket=bucket, Key="mp", UploadId=uid)["Parts"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in parts] == [(1, e1, 5 * MiB), (2, e2, 4)]
    ups = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in ups] == [("mp", uid)]
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    expected = hashlib.md5(bytes.fromhex(md5(p1)) + bytes.fromhex(md5(p2))).hexdigest() + "-2"
    assert done["ETag"] == f'"{expected}"'
    assert done["Key"] == "mp" and done["Bucket"] == bucket
    g = s3.get_object(Bucket=bucket, Key="mp")
    assert g["Body"].read() == p1 + p2
    assert (g["ETag"], g["Metadata"], g["ContentType"]) == (f'"{expected}"', {"m": "1"}, "text/csv")
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    # GET by part number
    g = s3.get_object(Bucket=bucket, Key="mp", PartNumber=2)
    assert g["Body"].read() == p2
    assert g["PartsCount"] == 2
    assert g["ContentRange"] == f"bytes {5 * MiB}-{5 * MiB + 3}/{5 * MiB + 4}"
    assert s3.head_object(Bucket=bucket, Key="mp", PartNumber=1)["ContentLength"] == 5 * MiB
    r = s3.get_object(Bucket=bucket, Key="mp", Range=f"bytes={5 * MiB - 2}-{5 * MiB + 1}")
    assert r["Body"].read() == p1[-2:] + p2[:2]


def test_transfer_manager_stream_up_ranged_download(s3, bucket, tmp_path):
    """boto3's transfer manager: a non-seekable stream goes up in parts; download_file fetches ranges in parallel."""
    from boto3.s3.transfer import TransferConfig
    body = os.urandom(21 * MiB + 11)

    class Stream(io.RawIOBase):  # readable, not seekable: the size is unknown to the uploader
        def __init__(self):
            self.pos = 0

        def readable(self):
            return True

        def readinto(self, b):
            n = min(len(b), len(body) - self.pos)
            b[:n] = body[self.pos:self.pos + n]
            self.pos += n
            return n

    cfg = TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB, max_concurrency=4)
    s3.upload_fileobj(Stream(), bucket, "streamed", Config=cfg)
    assert s3.head_object(Bucket=bucket, Key="streamed")["ETag"].endswith('-3"')
    s3.download_file(bucket, "streamed", str(tmp_path / "out"), Config=cfg)
    assert (tmp_path / "out").read_bytes() == body


def test_multipart_abort(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="ab")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="ab", UploadId=uid, PartNumber=1, Body=b"x")
    s3.abort_multipart_upload(Bucket=bucket, Key="ab", UploadId=uid)
    for call in (lambda: s3.list_parts(Bucket=bucket, Key="ab", UploadId=uid),
                 lambda: s3.upload_part(Bucket=bucket, Key="ab", UploadId=uid, PartNumber=2, Body=b"y"),
                 lambda: s3.complete_multipart_upload(Bucket=bucket, Key="ab", UploadId=uid,
                                                      MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"x"'}]})):
        with pytest.raises(ClientError) as e:
            call()
        assert code(e) == "NoSuchUpload"
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_multipart_errors(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="e")["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="e", UploadId=uid, PartNumber=1, Body=b"small")["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="e", UploadId=uid, PartNumber=2, Body=b"small")["ETag"]
    big = s3.upload_part(Bucket=bucket, Key="e", UploadId=uid, PartNumber=3, Body=b"b" * (5 * MiB))["ETag"]

    def complete(parts):
        with pytest.raises(ClientError) as e:
            s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid, MultipartUpload={"Parts": parts})
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        return code(e)

    assert complete([{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]) == "EntityTooSmall"
    assert complete([{"PartNumber": 1, "ETag": '"0123456789abcdef0123456789abcdef"'}]) == "InvalidPart"
    assert complete([{"PartNumber": 4, "ETag": e1}]) == "InvalidPart"
    assert complete([{"PartNumber": 3, "ETag": big}, {"PartNumber": 1, "ETag": e1}]) == "InvalidPartOrder"
    # the upload is still there after failed completes, and a single small part completes
    done = s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid,
                                        MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": e2}]})
    assert done["ETag"].endswith('-1"')
    assert s3.get_object(Bucket=bucket, Key="e")["Body"].read() == b"small"


def test_multipart_complete_details(s3, bucket):
    """Tagging given at create applies at complete; ETags may come unquoted; a repeated part number is out of order."""
    uid = s3.create_multipart_upload(Bucket=bucket, Key="k", Tagging="a=1")["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="k", UploadId=uid, PartNumber=1, Body=b"x" * (5 * MiB))["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="k", UploadId=uid, PartNumber=2, Body=b"y")["ETag"]
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=uid, MultipartUpload={"Parts": [
            {"PartNumber": 1, "ETag": e1}, {"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    assert code(e) == "InvalidPartOrder"
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": e1.strip('"')}, {"PartNumber": 2, "ETag": e2.strip('"')}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "a", "Value": "1"}]
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=uid, PartNumber=3, Body=b"late")
    assert code(e) == "NoSuchUpload"


def test_multipart_invalid_part_number(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="n")["UploadId"]
    for n in (0, 10001):
        with pytest.raises(ClientError) as e:
            s3.upload_part(Bucket=bucket, Key="n", UploadId=uid, PartNumber=n, Body=b"x")
        assert code(e) == "InvalidArgument"


def test_list_parts_paging_and_part_md5(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="lp")["UploadId"]
    etags = [s3.upload_part(Bucket=bucket, Key="lp", UploadId=uid, PartNumber=n, Body=b"p%d" % n)["ETag"]
             for n in (1, 2, 3)]
    r = s3.list_parts(Bucket=bucket, Key="lp", UploadId=uid, MaxParts=2)
    assert r["IsTruncated"] is True and [p["PartNumber"] for p in r["Parts"]] == [1, 2]
    r = s3.list_parts(Bucket=bucket, Key="lp", UploadId=uid, PartNumberMarker=r["NextPartNumberMarker"])
    assert [(p["PartNumber"], p["ETag"]) for p in r["Parts"]] == [(3, etags[2])]
    # re-uploading a part replaces it; a wrong Content-MD5 is BadDigest and keeps the old part
    e2 = s3.upload_part(Bucket=bucket, Key="lp", UploadId=uid, PartNumber=2, Body=b"new two")["ETag"]
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="lp", UploadId=uid, PartNumber=2, Body=b"bad",
                       ContentMD5=base64.b64encode(hashlib.md5(b"other").digest()).decode())
    assert code(e) == "BadDigest"
    parts = s3.list_parts(Bucket=bucket, Key="lp", UploadId=uid)["Parts"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in parts][1] == (2, e2, 7)


def test_complete_racing_abort_has_one_winner(srv, s3, bucket):
    """CompleteMultipartUpload and AbortMultipartUpload at once: exactly one succeeds, and the state says which."""
    def call(fn):
        try:
            fn()
            return "ok"
        except ClientError as e:
            return e.response["Error"]["Code"]

    c1, c2 = srv.client("s3"), srv.client("s3")
    for i in range(8):
        key = f"k{i}"
        uid = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=uid, PartNumber=1, Body=b"x" * 1000)["ETag"]
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            done = ex.submit(call, lambda: c1.complete_multipart_upload(
                Bucket=bucket, Key=key, UploadId=uid, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}))
            aborted = ex.submit(call, lambda: c2.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=uid))
            outcome = (done.result(), aborted.result())
        assert outcome in (("ok", "NoSuchUpload"), ("NoSuchUpload", "ok")), outcome
        exists = call(lambda: s3.head_object(Bucket=bucket, Key=key)) == "ok"
        assert exists == (outcome[0] == "ok")
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_upload_part_copy_with_range(s3, bucket):
    src = bytes(range(256)) * (6 * MiB // 256)
    s3.put_object(Bucket=bucket, Key="src", Body=src)
    uid = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    c1 = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=uid, PartNumber=1,
                             CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange=f"bytes=0-{5 * MiB - 1}")
    c2 = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=uid, PartNumber=2,
                             CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange="bytes=100-199")
    assert c1["CopyPartResult"]["ETag"] == f'"{md5(src[:5 * MiB])}"'
    s3.complete_multipart_upload(Bucket=bucket, Key="dst", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": c1["CopyPartResult"]["ETag"]}, {"PartNumber": 2, "ETag": c2["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == src[:5 * MiB] + src[100:200]
    uid = s3.create_multipart_upload(Bucket=bucket, Key="dst2")["UploadId"]
    for rng in (f"bytes=0-{len(src)}", "bytes=10-5"):
        with pytest.raises(ClientError) as e:
            s3.upload_part_copy(Bucket=bucket, Key="dst2", UploadId=uid, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange=rng)
        assert code(e) == "InvalidArgument", rng


def test_multipart_with_checksum(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="ck", ChecksumAlgorithm="SHA256")["UploadId"]
    body = b"part one body"
    p = s3.upload_part(Bucket=bucket, Key="ck", UploadId=uid, PartNumber=1, Body=body, ChecksumAlgorithm="SHA256")
    assert p["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(body).digest()).decode()
    done = s3.complete_multipart_upload(Bucket=bucket, Key="ck", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": p["ETag"], "ChecksumSHA256": p["ChecksumSHA256"]}]})
    composite = base64.b64encode(hashlib.sha256(hashlib.sha256(body).digest()).digest()).decode() + "-1"
    assert done["ChecksumSHA256"] == composite
    assert s3.head_object(Bucket=bucket, Key="ck", ChecksumMode="ENABLED")["ChecksumSHA256"] == composite


def test_list_multipart_uploads_paging(s3, bucket):
    ids = [s3.create_multipart_upload(Bucket=bucket, Key=f"u{i}")["UploadId"] for i in range(3)]
    r = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=2)
    assert r["IsTruncated"] is True
    assert [u["Key"] for u in r["Uploads"]] == ["u0", "u1"]
    r2 = s3.list_multipart_uploads(Bucket=bucket, KeyMarker=r["NextKeyMarker"], UploadIdMarker=r["NextUploadIdMarker"])
    assert [(u["Key"], u["UploadId"]) for u in r2["Uploads"]] == [("u2", ids[2])]


def test_reads_never_see_a_torn_body_during_overwrites(srv, s3, bucket):
    """Each GET returns one whole body whose MD5 is the ETag it came with, while another client overwrites the key."""
    a, b = os.urandom(2 * MiB), os.urandom(2 * MiB)
    s3.put_object(Bucket=bucket, Key="k", Body=a)
    stop = []

    def writer():
        c, i = srv.client("s3"), 0
        while not stop:
            c.put_object(Bucket=bucket, Key="k", Body=(a, b)[i % 2])
            i += 1

    with concurrent.futures.ThreadPoolExecutor(1) as ex:
        fut = ex.submit(writer)
        try:
            for _ in range(20):
                g = s3.get_object(Bucket=bucket, Key="k")
                body = g["Body"].read()
                assert body in (a, b)
                assert g["ETag"] == f'"{md5(body)}"'
        finally:
            stop.append(True)
        fut.result()


def test_concurrent_writers_to_one_key(srv, s3, bucket):
    def put(i):
        c = srv.client("s3")
        for j in range(10):
            c.put_object(Bucket=bucket, Key="k", Body=b"%d-%d" % (i, j))

    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        list(ex.map(put, range(6)))
    g = s3.get_object(Bucket=bucket, Key="k")
    body = g["Body"].read()
    assert body.endswith(b"-9") and g["ETag"] == f'"{md5(body)}"'
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]


def test_get_object_attributes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"attrs", ChecksumAlgorithm="SHA256")
    a = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ETag", "ObjectSize", "StorageClass", "Checksum"])
    assert a["ETag"] == md5(b"attrs")  # no quotes in GetObjectAttributes
    assert a["ObjectSize"] == 5
    assert a["StorageClass"] == "STANDARD"
    assert a["Checksum"]["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(b"attrs").digest()).decode()


# ---- persistence ----

def test_objects_and_multipart_survive_restart_and_kill9(server, restart_check):
    s3 = server.client("s3")
    s3.create_bucket(Bucket="persist")
    s3.put_bucket_versioning(Bucket="persist", VersioningConfiguration={"Status": "Enabled"})
    bodies = {"small": b"s", "binary": bytes(range(256)) * 1000, "empty": b"", "dir/ü nicode+": os.urandom(3 * MiB)}
    for k, b in bodies.items():
        s3.put_object(Bucket="persist", Key=k, Body=b, Metadata={"k": "v"})
    v_old = s3.put_object(Bucket="persist", Key="small", Body=b"s2")["VersionId"]
    s3.delete_object(Bucket="persist", Key="binary")
    s3.put_bucket_tagging(Bucket="persist", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    uid = s3.create_multipart_upload(Bucket="persist", Key="mp")["UploadId"]
    p1 = os.urandom(5 * MiB)
    e1 = s3.upload_part(Bucket="persist", Key="mp", UploadId=uid, PartNumber=1, Body=p1)["ETag"]

    def read():
        out = {}
        for k in bodies:
            try:
                g = s3.get_object(Bucket="persist", Key=k)
                out[k] = (hashlib.sha256(g["Body"].read()).hexdigest(), g["ETag"], g["VersionId"], g["Metadata"],
                          g["LastModified"])
            except ClientError as e:
                out[k] = e.response["Error"]["Code"]
        out["versions"] = [(v["Key"], v["VersionId"], v["IsLatest"], v["ETag"])
                           for v in s3.list_object_versions(Bucket="persist")["Versions"]]
        out["tags"] = s3.get_bucket_tagging(Bucket="persist")["TagSet"]
        out["parts"] = [(p["PartNumber"], p["ETag"]) for p in s3.list_parts(Bucket="persist", Key="mp", UploadId=uid)["Parts"]]
        return out

    got = restart_check(read)
    assert got["binary"] == "NoSuchKey"
    assert got["small"][0] == hashlib.sha256(b"s2").hexdigest() and got["small"][2] == v_old
    assert got["dir/ü nicode+"][0] == hashlib.sha256(bodies["dir/ü nicode+"]).hexdigest()
    assert got["parts"] == [(1, e1)]
    # finish the upload begun before the restarts
    e2 = s3.upload_part(Bucket="persist", Key="mp", UploadId=uid, PartNumber=2, Body=b"end")["ETag"]
    s3.complete_multipart_upload(Bucket="persist", Key="mp", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    h = server.state_hash()
    server.crash_restart()
    assert server.state_hash() == h
    assert hashlib.sha256(s3.get_object(Bucket="persist", Key="mp")["Body"].read()).hexdigest() == \
        hashlib.sha256(p1 + b"end").hexdigest()


def test_kill9_mid_upload_part_keeps_the_upload(server):
    """kill -9 while a part's body is in flight: after restart the upload has the earlier part only, and completes."""
    s3 = server.client("s3")
    s3.create_bucket(Bucket="midpart")
    uid = s3.create_multipart_upload(Bucket="midpart", Key="k")["UploadId"]
    p1 = os.urandom(5 * MiB)
    e1 = s3.upload_part(Bucket="midpart", Key="k", UploadId=uid, PartNumber=1, Body=p1)["ETag"]
    s3.put_object(Bucket="midpart", Key="other", Body=b"kept")
    h = server.state_hash()
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(f"PUT /midpart/k?partNumber=2&uploadId={uid} HTTP/1.1\r\nHost: x\r\n"
                 f"Content-Length: {8 * MiB}\r\n\r\n".encode() + os.urandom(3 * MiB))
    server.kill9()
    sock.close()
    server.start()
    assert server.state_hash() == h
    assert [(p["PartNumber"], p["ETag"]) for p in s3.list_parts(Bucket="midpart", Key="k", UploadId=uid)["Parts"]] == \
        [(1, e1)]
    s3.complete_multipart_upload(Bucket="midpart", Key="k", UploadId=uid,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}]})
    assert s3.get_object(Bucket="midpart", Key="k")["Body"].read() == p1
    assert s3.get_object(Bucket="midpart", Key="other")["Body"].read() == b"kept"


def test_bucket_configuration_survives_restart_and_kill9(server, restart_check):
    s3 = server.client("s3")
    eu = server.client("s3", region="eu-west-1")
    s3.create_bucket(Bucket="conf")
    eu.create_bucket(Bucket="conf-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_versioning(Bucket="conf", VersioningConfiguration={"Status": "Suspended"})
    s3.put_bucket_policy(Bucket="conf", Policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
    s3.put_bucket_cors(Bucket="conf", CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"],
                                                                         "AllowedOrigins": ["*"]}]})
    s3.put_bucket_lifecycle_configuration(Bucket="conf", LifecycleConfiguration={"Rules": [
        {"ID": "r", "Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"Days": 1}}]})
    s3.put_bucket_encryption(Bucket="conf", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    s3.put_object(Bucket="conf", Key="t", Body=b"x", Tagging="a=b")
    # a deleted bucket stays deleted, and its re-creation starts empty
    s3.create_bucket(Bucket="gone")
    s3.put_object(Bucket="gone", Key="k", Body=b"old")
    s3.delete_object(Bucket="gone", Key="k")
    s3.delete_bucket(Bucket="gone")

    def read():
        return (sorted(b["Name"] for b in s3.list_buckets()["Buckets"]),
                eu.get_bucket_location(Bucket="conf-eu")["LocationConstraint"],
                s3.get_bucket_versioning(Bucket="conf")["Status"],
                s3.get_bucket_policy(Bucket="conf")["Policy"],
                s3.get_bucket_cors(Bucket="conf")["CORSRules"],
                s3.get_bucket_lifecycle_configuration(Bucket="conf")["Rules"],
                s3.get_bucket_encryption(Bucket="conf")["ServerSideEncryptionConfiguration"],
                s3.get_object_tagging(Bucket="conf", Key="t")["TagSet"])

    got = restart_check(read)
    assert got[0] == ["conf", "conf-eu"] and got[1] == "eu-west-1" and got[2] == "Suspended"
    s3.create_bucket(Bucket="gone")
    assert s3.list_objects_v2(Bucket="gone")["KeyCount"] == 0


def test_pod_round_trip_and_rollback_carry_bodies(server):
    """A pod saved with S3 bodies loads them back after a reset; a rollback brings back an overwritten body."""
    from podstack_server import BIN
    s3 = server.client("s3")
    s3.create_bucket(Bucket="podded")
    a, b = os.urandom(3 * MiB), os.urandom(MiB)
    s3.put_object(Bucket="podded", Key="a", Body=a)
    env = {**os.environ, "DATA_DIR": server.data_dir}
    r = subprocess.run([BIN, "pod", "save", "s3pod", "--endpoint", server.endpoint, "--json"], capture_output=True,
                       text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr
    h = server.state_hash()
    s3.put_object(Bucket="podded", Key="a", Body=b)
    server.post("/_localstack/state/reset")
    assert s3.list_buckets()["Buckets"] == []
    r = subprocess.run([BIN, "pod", "load", "s3pod", "--endpoint", server.endpoint, "--json"], capture_output=True,
                       text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr
    assert server.state_hash() == h
    assert s3.get_object(Bucket="podded", Key="a")["Body"].read() == a
    seq = server.state()["last_sequence"]
    s3.put_object(Bucket="podded", Key="a", Body=b)
    r = subprocess.run([BIN, "state", "rollback", "--to-seq", str(seq), "--endpoint", server.endpoint],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert s3.get_object(Bucket="podded", Key="a")["Body"].read() == a
    server.crash_restart()
    assert server.state_hash() == h
    assert s3.get_object(Bucket="podded", Key="a")["Body"].read() == a


def test_in_memory_mode(tmp_path):
    s = PodstackServer(tmp_path / "mem", persistence=False).start()
    try:
        s3 = s.client("s3")
        s3.create_bucket(Bucket="mem")
        body = os.urandom(3 * MiB)
        s3.put_object(Bucket="mem", Key="k", Body=body)
        assert s3.get_object(Bucket="mem", Key="k")["Body"].read() == body
        s.restart()
        assert s3.list_buckets()["Buckets"] == []
    finally:
        s.stop()


def test_state_hash_covers_s3(server):
    s3 = server.client("s3")
    h0 = server.state()
    s3.create_bucket(Bucket="hashed")
    h1 = server.state()
    assert h1["hash"] != h0["hash"]
    assert "s3" in h1["services"]
    s3.put_object(Bucket="hashed", Key="k", Body=b"1")
    h2 = server.state()["services"]["s3"]
    s3.put_object(Bucket="hashed", Key="k", Body=b"2")
    assert server.state()["services"]["s3"] != h2


# ---- aws CLI ----

AWS = AWS_CLI
aws = aws_run


def tree_digest(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = hashlib.sha256(fh.read()).hexdigest()
    return out


@pytest.mark.skipif(AWS is None, reason="aws CLI missing")
def test_cli_sync_round_trip_across_restart(server, tmp_path):
    """aws s3 sync up and back down is byte-identical, before and after a restart and a kill -9."""
    src = tmp_path / "src"
    files = {"top.txt": b"top", "a/b/c/deep.bin": os.urandom(1000), "a/space name.txt": b"sp",
             "a/ünï+%.txt": "ü".encode(), "big/large.bin": os.urandom(9 * MiB), "empty": b""}
    for rel, data in files.items():
        p = src / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    s3 = server.client("s3")
    s3.create_bucket(Bucket="synced")
    aws(server, "s3", "sync", str(src), "s3://synced/root")
    expected = tree_digest(src)
    head = s3.head_object(Bucket="synced", Key="root/big/large.bin")
    assert head["ContentLength"] == 9 * MiB
    assert head["ETag"].endswith('-2"')  # the CLI's 8 MiB multipart threshold and part size
    for n, restart in enumerate((None, server.restart, server.crash_restart)):
        if restart:
            restart()
        dst = tmp_path / f"dst{n}"
        aws(server, "s3", "sync", "s3://synced/root", str(dst))
        assert tree_digest(dst) == expected
    # nothing changed, so a second sync uploads nothing
    r = aws(server, "s3", "sync", str(src), "s3://synced/root")
    assert "upload:" not in r.stdout


@pytest.mark.skipif(AWS is None, reason="aws CLI missing")
def test_cli_ls_cp_rm(srv, s3, bucket, tmp_path):
    b = bucket
    f = tmp_path / "f.txt"
    f.write_bytes(b"cli body")
    aws(srv, "s3", "cp", str(f), f"s3://{b}/x/f.txt")
    aws(srv, "s3", "cp", f"s3://{b}/x/f.txt", f"s3://{b}/y/g.txt")
    out = aws(srv, "s3", "ls", f"s3://{b}/").stdout
    assert "PRE x/" in out and "PRE y/" in out
    out = aws(srv, "s3", "ls", "--recursive", f"s3://{b}").stdout
    assert "x/f.txt" in out and "y/g.txt" in out and " 8 " in out
    assert aws(srv, "s3", "cp", f"s3://{b}/y/g.txt", "-").stdout == "cli body"
    head = json.loads(aws(srv, "s3api", "head-object", "--bucket", b, "--key", "x/f.txt").stdout)
    assert head["ContentLength"] == 8 and head["ETag"] == f'"{md5(b"cli body")}"'
    aws(srv, "s3", "rm", "--recursive", f"s3://{b}/")
    assert s3.list_objects_v2(Bucket=b)["KeyCount"] == 0


# A second CLI on PATH (e.g. the pip awscli on a current botocore) sends CRC32 checksums by default.
AWS_OTHER = shutil.which("aws") if shutil.which("aws") and os.path.realpath(shutil.which("aws")) != os.path.realpath(AWS or "") else None


@pytest.mark.skipif(AWS_OTHER is None, reason="only one aws CLI installed")
def test_second_cli_with_default_checksums(srv, s3, bucket, tmp_path):
    big, small = tmp_path / "big.bin", tmp_path / "small.txt"
    big.write_bytes(os.urandom(9 * MiB))
    small.write_bytes(b"small")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_PAGER": "", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
    r = subprocess.run([AWS_OTHER, "--endpoint-url", srv.endpoint, "s3", "cp", "--recursive", str(tmp_path),
                        f"s3://{bucket}/up/"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    for f in (big, small):
        g = s3.get_object(Bucket=bucket, Key=f"up/{f.name}")
        assert hashlib.sha256(g["Body"].read()).digest() == hashlib.sha256(f.read_bytes()).digest()
    version = subprocess.run([AWS_OTHER, "--version"], capture_output=True, text=True, env=env).stdout
    botocore = re.search(r"botocore/(\d+)\.(\d+)", version)
    if botocore and (int(botocore[1]), int(botocore[2])) >= (1, 36):  # CRC32 by default from botocore 1.36
        assert s3.head_object(Bucket=bucket, Key="up/small.txt", ChecksumMode="ENABLED")["ChecksumCRC32"] == \
            crc32_b64(b"small")
        assert s3.head_object(Bucket=bucket, Key="up/big.bin", ChecksumMode="ENABLED")["ChecksumCRC32"].endswith("-2")


# ---- 1 GiB ----

def test_one_gib_object(srv, tmp_path):
    """1 GiB up through boto3's multipart path from a file and streamed back into a hash."""
    from boto3.s3.transfer import TransferConfig
    s3 = srv.client("s3")
    b = new_name("gib")
    s3.create_bucket(Bucket=b)
    src = tmp_path / "src.bin"
    block = os.urandom(MiB)
    crc = 0
    with open(src, "wb") as f:
        for i in range(1024):
            chunk = i.to_bytes(8, "big") + block[8:]
            f.write(chunk)
            crc = zlib.crc32(chunk, crc)
    s3.upload_file(str(src), b, "big", Config=TransferConfig(multipart_chunksize=64 * MiB, max_concurrency=4))
    src.unlink()
    g = s3.get_object(Bucket=b, Key="big")
    assert g["ContentLength"] == 1024 * MiB and g["ETag"].endswith('-16"')
    crc2, size = 0, 0
    for chunk in g["Body"].iter_chunks(4 * MiB):
        crc2 = zlib.crc32(chunk, crc2)
        size += len(chunk)
    assert (size, crc2) == (1024 * MiB, crc)
    s3.delete_object(Bucket=b, Key="big")


def test_expired_presigned_url_is_refused(s3, bucket):
    """A presigned URL past X-Amz-Date + X-Amz-Expires gets 403 AccessDenied "Request has expired" (no clock games:
    the URL's signing date is moved into the past; podstack does not check signatures)."""
    import boto3
    from botocore.config import Config
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    v4 = boto3.client("s3", endpoint_url=s3.meta.endpoint_url, aws_access_key_id="test", aws_secret_access_key="test",
                      region_name="us-east-1", config=Config(signature_version="s3v4"))
    cases = [(v4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60),
              r"X-Amz-Date=\d{8}T\d{6}Z", "X-Amz-Date=20200101T000000Z"),
             (s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60),
              r"Expires=\d+", "Expires=1577836800")]  # SigV2 query auth, boto3 1.26's default for S3
    for url, pattern, past in cases:
        with urllib.request.urlopen(url, timeout=10) as r:
            assert r.read() == b"v"
        old = re.sub(pattern, past, url)
        assert old != url
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(old, timeout=10)
        assert e.value.code == 403
        body = e.value.read()
        assert xml_code(body) == "AccessDenied"
        assert b"Request has expired" in body


def test_metadata_over_2_kib_is_refused_and_nothing_stored(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="meta", Body=b"x", Metadata={"big": "v" * 2100})
    assert e.value.response["Error"]["Code"] == "MetadataTooLarge"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="meta", Body=b"x", Metadata={"ok": "v" * 1000})
    assert s3.head_object(Bucket=bucket, Key="meta")["Metadata"] == {"ok": "v" * 1000}


def test_sse_kms_key_ids_and_bucket_default(s3, bucket):
    """SSE-KMS: the algorithm and key id are stored and returned (as a key ARN); a bucket's
    default encryption applies to objects that name none; a key without aws:kms is refused."""
    r = s3.put_object(Bucket=bucket, Key="kms", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId="1234abcd-12ab")
    arn = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab"
    assert r["ServerSideEncryption"] == "aws:kms" and r["SSEKMSKeyId"] == arn
    for got in (s3.head_object(Bucket=bucket, Key="kms"), s3.get_object(Bucket=bucket, Key="kms")):
        assert got["ServerSideEncryption"] == "aws:kms" and got["SSEKMSKeyId"] == arn
    r = s3.put_object(Bucket=bucket, Key="managed", Body=b"x", ServerSideEncryption="aws:kms")
    assert r["SSEKMSKeyId"] == "arn:aws:kms:us-east-1:000000000000:alias/aws/s3"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="bad", Body=b"x", SSEKMSKeyId="k1")
    assert code(e) == "InvalidArgument"

    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/app"}}]})
    r = s3.put_object(Bucket=bucket, Key="default", Body=b"x")
    assert r["ServerSideEncryption"] == "aws:kms"
    assert r["SSEKMSKeyId"] == "arn:aws:kms:us-east-1:000000000000:alias/app"
    assert s3.head_object(Bucket=bucket, Key="default")["SSEKMSKeyId"] == r["SSEKMSKeyId"]
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    assert up["ServerSideEncryption"] == "aws:kms" and up["SSEKMSKeyId"] == r["SSEKMSKeyId"]
    # An explicit SSE-S3 request wins over the bucket default.
    assert s3.put_object(Bucket=bucket, Key="s3", Body=b"x", ServerSideEncryption="AES256")["ServerSideEncryption"] == "AES256"
    assert "SSEKMSKeyId" not in s3.head_object(Bucket=bucket, Key="s3")


def test_head_with_range_reports_content_range(s3, bucket):
    s3.put_object(Bucket=bucket, Key="r", Body=b"0123456789")
    h = s3.head_object(Bucket=bucket, Key="r", Range="bytes=2-4")
    assert h["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert h["ContentLength"] == 3
    assert h["ResponseMetadata"]["HTTPHeaders"]["content-range"] == "bytes 2-4/10"


def test_complete_multipart_location_names_the_endpoint(srv, s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="dir/a b")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="dir/a b", UploadId=up, PartNumber=1, Body=b"x")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="dir/a b", UploadId=up,
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert done["Location"] == f"{srv.endpoint}/{bucket}/dir/a%20b"


def test_object_lock_configuration_stored(s3, vbucket):
    """What SDK-based tools (e.g. Terraform) read for every bucket: 404 ObjectLockConfigurationNotFoundError
    until one is put, then the configuration back. (AWS takes one only on a versioned bucket:
    test_s3_compat.py.)"""
    bucket = vbucket
    with pytest.raises(ClientError) as e:
        s3.get_object_lock_configuration(Bucket=bucket)
    assert code(e) == "ObjectLockConfigurationNotFoundError"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    cfg = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=cfg)
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == cfg


def test_list_multipart_uploads_with_delimiter(s3, bucket):
    for key in ["a/1", "a/2", "b/x/1", "c", "b/y"]:
        s3.create_multipart_upload(Bucket=bucket, Key=key)
    r = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [u["Key"] for u in r["Uploads"]] == ["c"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/", "b/"]
    assert r["Delimiter"] == "/"
    r = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/", Prefix="b/")
    assert [u["Key"] for u in r["Uploads"]] == ["b/y"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["b/x/"]
    # Pagination counts a common prefix as one entry and resumes after it.
    page = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/", MaxUploads=1)
    assert page["IsTruncated"] and [p["Prefix"] for p in page["CommonPrefixes"]] == ["a/"]
    rest = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/", KeyMarker=page["NextKeyMarker"])
    assert [p["Prefix"] for p in rest.get("CommonPrefixes", [])] == ["b/"]
    assert [u["Key"] for u in rest["Uploads"]] == ["c"]


def test_crc64nvme_checksum_stored_and_returned(srv, bucket):
    """CRC64NVME (what current SDKs send by default): checked on upload and returned with ChecksumMode."""
    import requests
    data = b"notify csv row\n" * 100
    url = f"{srv.endpoint}/{bucket}/crc64"
    bad = requests.put(url, data=data, headers={"x-amz-checksum-crc64nvme": crc64nvme_b64(b"other")})
    assert bad.status_code == 400 and "BadDigest" in bad.text
    ok = requests.put(url, data=data, headers={"x-amz-checksum-crc64nvme": crc64nvme_b64(data)})
    assert ok.status_code == 200
    assert ok.headers["x-amz-checksum-crc64nvme"] == crc64nvme_b64(data)
    got = requests.get(url, headers={"x-amz-checksum-mode": "ENABLED"})
    assert got.content == data
    assert got.headers["x-amz-checksum-crc64nvme"] == crc64nvme_b64(data)
    assert "x-amz-checksum-crc64nvme" not in requests.get(url).headers


# Why: Debian's botocore sends boolean headers as "True"; AWS parses booleans case-insensitively.
# (AWS takes the header only on an Object Lock bucket; there "True" is what lets the governed
# version go.)
def test_bypass_governance_header_is_case_insensitive(srv):
    s3 = srv.client("s3")
    bucket = new_name("lock")
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    vid = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                        ObjectLockRetainUntilDate=datetime.datetime(2099, 1, 1))["VersionId"]

    def capitalise(request, **_):
        request.headers["x-amz-bypass-governance-retention"] = "True"
    s3.meta.events.register("before-send.s3.DeleteObjects", capitalise)
    r = s3.delete_objects(Bucket=bucket, BypassGovernanceRetention=True, Delete={"Objects": [{"Key": "k", "VersionId": vid}]})
    assert [d["Key"] for d in r["Deleted"]] == ["k"]
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
