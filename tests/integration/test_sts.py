"""STS: identity and temporary credentials; nothing here changes state."""
import urllib.request

import pytest
from botocore.exceptions import ClientError


def test_get_caller_identity_default_account(server):
    """Any credentials are accepted; the default account is LocalStack's 000000000000."""
    ident = server.client("sts").get_caller_identity()
    assert ident["Account"] == "000000000000"
    assert ident["Arn"] == "arn:aws:iam::000000000000:root"
    assert ident["UserId"]


def test_account_comes_from_a_12_digit_access_key(server):
    ident = server.client("sts", aws_access_key_id="111122223333").get_caller_identity()
    assert ident["Account"] == "111122223333"


def test_assume_role(server):
    """AssumeRole returns ASIA credentials expiring after DurationSeconds and the assumed-role ARN."""
    r = server.client("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/deploy", RoleSessionName="ci",
                                         DurationSeconds=900)
    c = r["Credentials"]
    assert c["AccessKeyId"].startswith("ASIA") and len(c["AccessKeyId"]) == 20
    assert c["SecretAccessKey"] and c["SessionToken"]
    import datetime
    remaining = (c["Expiration"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    assert 800 < remaining <= 901
    assert r["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/deploy/ci"
    assert r["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA") and r["AssumedRoleUser"]["AssumedRoleId"].endswith(":ci")


def test_assume_role_duration_out_of_range(server):
    with pytest.raises(ClientError) as e:
        server.client("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="s1",
                                         DurationSeconds=50000)
    assert e.value.response["Error"]["Code"] == "ValidationError"


def test_get_session_token(server):
    c = server.client("sts").get_session_token(DurationSeconds=1800)["Credentials"]
    assert c["AccessKeyId"].startswith("ASIA")


def test_missing_parameter_is_an_xml_validation_error(server):
    """A raw query request without RoleArn gets AWS's <ErrorResponse> with ValidationError."""
    req = urllib.request.Request(server.endpoint + "/", method="POST",
                                 data=b"Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req)
    body = e.value.read().decode()
    assert e.value.code == 400
    assert "<ErrorResponse" in body and "<Code>ValidationError</Code>" in body and "roleArn" in body
    assert e.value.headers["x-amzn-RequestId"]


def test_sts_writes_no_events(server):
    """STS calls change nothing: the log stays empty."""
    sts = server.client("sts")
    sts.get_caller_identity()
    sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="s1")
    assert server.state()["last_sequence"] == 0
