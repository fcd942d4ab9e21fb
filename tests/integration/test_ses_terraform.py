"""SES v1 and v2 operations the Terraform AWS provider calls, beyond what
test_terraform_calls.py checks: configuration-set options (v1 delivery, sending and
tracking options; v2 Put*Options), v1 identity (sending authorization) policies, v2 tags,
v2 email-identity attributes (configuration set, DKIM, feedback) and v2 account attributes.
Each answers AWS's errors, and every change survives restart and kill -9.

AWS references: https://docs.aws.amazon.com/ses/latest/APIReference/ (v1) and
https://docs.aws.amazon.com/ses/latest/APIReference-V2/ (v2); error codes from botocore's
models (ses 2010-12-01, sesv2 2019-09-27)."""
import json

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"
REGION = "us-east-1"


def err(call, **kw):
    """call(**kw) must fail: (code, HTTP status, message)."""
    with pytest.raises(ClientError) as e:
        call(**kw)
    r = e.value.response
    return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"].get("Message", "")


def body(r):
    return {k: v for k, v in r.items() if k != "ResponseMetadata"}


def policy(identity, action="ses:SendEmail"):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": action,
        "Resource": f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{identity}"}]})


# ---- v1 configuration-set options ----

def test_v1_configuration_set_options(ses, sesv2):
    ses.create_configuration_set(ConfigurationSet={"Name": "cs"})
    attrs = ["deliveryOptions", "reputationOptions", "trackingOptions"]
    d = ses.describe_configuration_set(ConfigurationSetName="cs", ConfigurationSetAttributeNames=attrs)
    assert d["DeliveryOptions"] == {"TlsPolicy": "Optional"}
    assert d["ReputationOptions"]["SendingEnabled"] is True
    assert "TrackingOptions" not in d

    ses.put_configuration_set_delivery_options(ConfigurationSetName="cs", DeliveryOptions={"TlsPolicy": "Require"})
    ses.update_configuration_set_sending_enabled(ConfigurationSetName="cs", Enabled=False)
    ses.create_configuration_set_tracking_options(ConfigurationSetName="cs",
                                                  TrackingOptions={"CustomRedirectDomain": "t.example.com"})
    d = ses.describe_configuration_set(ConfigurationSetName="cs", ConfigurationSetAttributeNames=attrs)
    assert d["DeliveryOptions"] == {"TlsPolicy": "Require"}
    assert d["ReputationOptions"]["SendingEnabled"] is False
    assert d["TrackingOptions"] == {"CustomRedirectDomain": "t.example.com"}
    # One state behind both APIs.
    g = sesv2.get_configuration_set(ConfigurationSetName="cs")
    assert g["DeliveryOptions"]["TlsPolicy"] == "REQUIRE" and g["SendingOptions"]["SendingEnabled"] is False
    assert g["TrackingOptions"]["CustomRedirectDomain"] == "t.example.com"

    # Tracking options: create once, update and delete only what exists.
    assert err(ses.create_configuration_set_tracking_options, ConfigurationSetName="cs",
               TrackingOptions={"CustomRedirectDomain": "u.example.com"})[:2] == ("TrackingOptionsAlreadyExistsException", 400)
    ses.update_configuration_set_tracking_options(ConfigurationSetName="cs",
                                                  TrackingOptions={"CustomRedirectDomain": "u.example.com"})
    d = ses.describe_configuration_set(ConfigurationSetName="cs", ConfigurationSetAttributeNames=["trackingOptions"])
    assert d["TrackingOptions"] == {"CustomRedirectDomain": "u.example.com"}
    ses.delete_configuration_set_tracking_options(ConfigurationSetName="cs")
    d = ses.describe_configuration_set(ConfigurationSetName="cs", ConfigurationSetAttributeNames=["trackingOptions"])
    assert "TrackingOptions" not in d
    assert err(ses.delete_configuration_set_tracking_options,
               ConfigurationSetName="cs")[:2] == ("TrackingOptionsDoesNotExistException", 400)
    assert err(ses.update_configuration_set_tracking_options, ConfigurationSetName="cs",
               TrackingOptions={"CustomRedirectDomain": "u.example.com"})[:2] == ("TrackingOptionsDoesNotExistException", 400)

    # PutConfigurationSetDeliveryOptions without DeliveryOptions resets the TLS policy.
    ses.put_configuration_set_delivery_options(ConfigurationSetName="cs")
    d = ses.describe_configuration_set(ConfigurationSetName="cs", ConfigurationSetAttributeNames=["deliveryOptions"])
    assert d["DeliveryOptions"] == {"TlsPolicy": "Optional"}


def test_v1_configuration_set_options_on_missing_set(ses):
    missing = ("ConfigurationSetDoesNotExist", 400, "Configuration set <nope> does not exist.")
    assert err(ses.put_configuration_set_delivery_options, ConfigurationSetName="nope",
               DeliveryOptions={"TlsPolicy": "Require"}) == missing
    assert err(ses.update_configuration_set_sending_enabled, ConfigurationSetName="nope", Enabled=True) == missing
    for call in (ses.create_configuration_set_tracking_options, ses.update_configuration_set_tracking_options):
        assert err(call, ConfigurationSetName="nope", TrackingOptions={"CustomRedirectDomain": "t.example.com"}) == missing
    assert err(ses.delete_configuration_set_tracking_options, ConfigurationSetName="nope") == missing


# ---- v2 configuration-set options ----

def test_v2_configuration_set_options(sesv2, ses):
    sesv2.create_configuration_set(ConfigurationSetName="cs2", Tags=[{"Key": "env", "Value": "dev"}])
    sesv2.put_configuration_set_delivery_options(ConfigurationSetName="cs2", TlsPolicy="REQUIRE")
    sesv2.put_configuration_set_reputation_options(ConfigurationSetName="cs2", ReputationMetricsEnabled=True)
    sesv2.put_configuration_set_sending_options(ConfigurationSetName="cs2", SendingEnabled=False)
    sesv2.put_configuration_set_suppression_options(ConfigurationSetName="cs2", SuppressedReasons=["COMPLAINT"])
    sesv2.put_configuration_set_tracking_options(ConfigurationSetName="cs2", CustomRedirectDomain="t.example.com")
    sesv2.put_configuration_set_vdm_options(ConfigurationSetName="cs2", VdmOptions={
        "DashboardOptions": {"EngagementMetrics": "ENABLED"}, "GuardianOptions": {"OptimizedSharedDelivery": "DISABLED"}})
    g = sesv2.get_configuration_set(ConfigurationSetName="cs2")
    assert g["DeliveryOptions"] == {"TlsPolicy": "REQUIRE"}
    assert g["ReputationOptions"]["ReputationMetricsEnabled"] is True
    assert g["SendingOptions"] == {"SendingEnabled": False}
    assert g["SuppressionOptions"] == {"SuppressedReasons": ["COMPLAINT"]}
    assert g["TrackingOptions"] == {"CustomRedirectDomain": "t.example.com"}
    assert g["VdmOptions"] == {"DashboardOptions": {"EngagementMetrics": "ENABLED"},
                               "GuardianOptions": {"OptimizedSharedDelivery": "DISABLED"}}
    assert g["Tags"] == [{"Key": "env", "Value": "dev"}]
    d = ses.describe_configuration_set(ConfigurationSetName="cs2", ConfigurationSetAttributeNames=[
        "deliveryOptions", "reputationOptions", "trackingOptions"])
    assert d["DeliveryOptions"] == {"TlsPolicy": "Require"} and d["ReputationOptions"]["SendingEnabled"] is False

    # An empty list keeps suppression options with no reasons; leaving the members out removes them.
    sesv2.put_configuration_set_suppression_options(ConfigurationSetName="cs2", SuppressedReasons=[])
    assert sesv2.get_configuration_set(ConfigurationSetName="cs2")["SuppressionOptions"] == {"SuppressedReasons": []}
    sesv2.put_configuration_set_suppression_options(ConfigurationSetName="cs2")
    sesv2.put_configuration_set_tracking_options(ConfigurationSetName="cs2")
    sesv2.put_configuration_set_vdm_options(ConfigurationSetName="cs2")
    g = sesv2.get_configuration_set(ConfigurationSetName="cs2")
    assert "SuppressionOptions" not in g and "TrackingOptions" not in g and "VdmOptions" not in g

    for call, kw in [(sesv2.put_configuration_set_delivery_options, {"TlsPolicy": "REQUIRE"}),
                     (sesv2.put_configuration_set_reputation_options, {"ReputationMetricsEnabled": True}),
                     (sesv2.put_configuration_set_sending_options, {"SendingEnabled": True}),
                     (sesv2.put_configuration_set_suppression_options, {"SuppressedReasons": []}),
                     (sesv2.put_configuration_set_tracking_options, {"CustomRedirectDomain": "t.example.com"}),
                     (sesv2.put_configuration_set_vdm_options, {"VdmOptions": {}})]:
        assert err(call, ConfigurationSetName="nope", **kw) == (
            "NotFoundException", 404, "Configuration set <nope> does not exist."), call.__name__


# ---- v1 identity policies ----

def test_v1_identity_policies(ses, sesv2):
    ses.verify_domain_identity(Domain="pol.example.com")
    doc = policy("pol.example.com")
    ses.put_identity_policy(Identity="pol.example.com", PolicyName="p1", Policy=doc)
    ses.put_identity_policy(Identity="pol.example.com", PolicyName="a-2_", Policy=doc)
    assert ses.list_identity_policies(Identity="pol.example.com")["PolicyNames"] == ["a-2_", "p1"]
    got = ses.get_identity_policies(Identity="pol.example.com", PolicyNames=["p1", "missing"])["Policies"]
    assert got == {"p1": doc}
    # Put replaces; the identity's ARN names it as well as its name.
    doc2 = policy("pol.example.com", "ses:SendRawEmail")
    ses.put_identity_policy(Identity=f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/pol.example.com", PolicyName="p1", Policy=doc2)
    assert ses.get_identity_policies(Identity="pol.example.com", PolicyNames=["p1"])["Policies"] == {"p1": doc2}
    # v2 sees v1's policies (one state).
    assert sesv2.get_email_identity(EmailIdentity="pol.example.com")["Policies"] == {"a-2_": doc, "p1": doc2}
    # Deleting an unknown policy succeeds (AWS: "returns successfully even if a policy with the
    # specified name does not exist").
    ses.delete_identity_policy(Identity="pol.example.com", PolicyName="a-2_")
    ses.delete_identity_policy(Identity="pol.example.com", PolicyName="never")
    assert ses.list_identity_policies(Identity="pol.example.com")["PolicyNames"] == ["p1"]
    # Deleting the identity takes its policies with it.
    ses.delete_identity(Identity="pol.example.com")
    ses.verify_domain_identity(Domain="pol.example.com")
    assert ses.list_identity_policies(Identity="pol.example.com")["PolicyNames"] == []


def test_v1_identity_policy_errors(ses):
    ses.verify_email_identity(EmailAddress="pol@example.com")
    doc = policy("pol@example.com")
    code, status, msg = err(ses.put_identity_policy, Identity="pol@example.com", PolicyName="p", Policy="{not json")
    assert (code, status) == ("InvalidPolicy", 400) and "JSON" in msg
    assert err(ses.put_identity_policy, Identity="pol@example.com", PolicyName="p", Policy="[1]")[:2] == ("InvalidPolicy", 400)
    code, status, msg = err(ses.put_identity_policy, Identity="pol@example.com", PolicyName="bad name", Policy=doc)
    assert (code, status) == ("InvalidParameterValue", 400) and "bad name" in msg
    assert err(ses.put_identity_policy, Identity="pol@example.com", PolicyName="p",
               Policy=json.dumps({"Version": "2012-10-17", "Statement": [], "Pad": "x" * 4096}))[:2] == ("InvalidPolicy", 400)
    for i in range(20):
        ses.put_identity_policy(Identity="pol@example.com", PolicyName=f"p{i:02}", Policy=doc)
    ses.put_identity_policy(Identity="pol@example.com", PolicyName="p00", Policy=doc)  # replacing is not adding
    code, status, msg = err(ses.put_identity_policy, Identity="pol@example.com", PolicyName="p20", Policy=doc)
    assert (code, status) == ("LimitExceeded", 400) and "20" in msg
    assert len(ses.list_identity_policies(Identity="pol@example.com")["PolicyNames"]) == 20
    # An identity that does not exist.
    for call, kw in [(ses.put_identity_policy, {"PolicyName": "p", "Policy": doc}),
                     (ses.get_identity_policies, {"PolicyNames": ["p"]}),
                     (ses.list_identity_policies, {}),
                     (ses.delete_identity_policy, {"PolicyName": "p"})]:
        assert err(call, Identity="ghost@example.com", **kw) == (
            "InvalidParameterValue", 400, "Identity <ghost@example.com> does not exist or is not verified."), call.__name__


# ---- v2 tags ----

def test_v2_tags(sesv2):
    sesv2.create_email_identity(EmailIdentity="tag.example.com", Tags=[{"Key": "env", "Value": "dev"}])
    sesv2.create_configuration_set(ConfigurationSetName="tagcs")
    sesv2.create_email_template(TemplateName="tagt", TemplateContent={"Subject": "s", "Text": "t"})
    arns = {k: f"arn:aws:ses:{REGION}:{ACCOUNT}:{k}" for k in
            ("identity/tag.example.com", "configuration-set/tagcs", "template/tagt")}
    assert sesv2.list_tags_for_resource(ResourceArn=arns["identity/tag.example.com"])["Tags"] == [{"Key": "env", "Value": "dev"}]
    for arn in arns.values():
        sesv2.tag_resource(ResourceArn=arn, Tags=[{"Key": "b", "Value": "1"}, {"Key": "a", "Value": ""}])
        sesv2.tag_resource(ResourceArn=arn, Tags=[{"Key": "b", "Value": "2"}])  # an existing key is replaced
        sesv2.untag_resource(ResourceArn=arn, TagKeys=["a", "not-there"])
    assert sesv2.list_tags_for_resource(ResourceArn=arns["identity/tag.example.com"])["Tags"] == [
        {"Key": "b", "Value": "2"}, {"Key": "env", "Value": "dev"}]
    assert sesv2.get_email_identity(EmailIdentity="tag.example.com")["Tags"] == [
        {"Key": "b", "Value": "2"}, {"Key": "env", "Value": "dev"}]
    assert sesv2.list_tags_for_resource(ResourceArn=arns["configuration-set/tagcs"])["Tags"] == [{"Key": "b", "Value": "2"}]
    assert sesv2.get_configuration_set(ConfigurationSetName="tagcs")["Tags"] == [{"Key": "b", "Value": "2"}]
    assert sesv2.list_tags_for_resource(ResourceArn=arns["template/tagt"])["Tags"] == [{"Key": "b", "Value": "2"}]


def test_v2_tag_errors(sesv2):
    sesv2.create_configuration_set(ConfigurationSetName="tagerr")
    arn = f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/tagerr"
    for bad in ("not-an-arn", f"arn:aws:sqs:{REGION}:{ACCOUNT}:configuration-set/tagerr",
                f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set"):
        assert err(sesv2.list_tags_for_resource, ResourceArn=bad)[:2] == ("BadRequestException", 400), bad
    for missing in (f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/nope",
                    f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/nope.example.com",
                    f"arn:aws:ses:{REGION}:{ACCOUNT}:template/nope",
                    f"arn:aws:ses:{REGION}:{ACCOUNT}:gadget/x"):
        assert err(sesv2.list_tags_for_resource, ResourceArn=missing)[:2] == ("NotFoundException", 404), missing
        assert err(sesv2.tag_resource, ResourceArn=missing, Tags=[{"Key": "k", "Value": "v"}])[:2] == ("NotFoundException", 404)
        assert err(sesv2.untag_resource, ResourceArn=missing, TagKeys=["k"])[:2] == ("NotFoundException", 404)
    assert err(sesv2.list_tags_for_resource, ResourceArn=f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/nope") == (
        "NotFoundException", 404, "No ConfigurationSet present with name: nope")
    # Another region's ARN.
    assert err(sesv2.tag_resource, ResourceArn=arn.replace(REGION, "eu-west-1"),
               Tags=[{"Key": "k", "Value": "v"}]) == ("BadRequestException", 400, "Failed to tag resource")
    assert err(sesv2.tag_resource, ResourceArn=arn, Tags=[])[:2] == ("BadRequestException", 400)
    assert err(sesv2.tag_resource, ResourceArn=arn, Tags=[{"Key": "", "Value": "v"}])[:2] == ("BadRequestException", 400)
    assert err(sesv2.tag_resource, ResourceArn=arn, Tags=[{"Key": "k" * 129, "Value": "v"}])[:2] == ("BadRequestException", 400)
    assert err(sesv2.tag_resource, ResourceArn=arn, Tags=[{"Key": "k", "Value": "v" * 257}])[:2] == ("BadRequestException", 400)
    code, status, msg = err(sesv2.tag_resource, ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])
    assert (code, status) == ("BadRequestException", 400) and "50" in msg
    assert sesv2.list_tags_for_resource(ResourceArn=arn)["Tags"] == []


# ---- v2 email-identity attributes ----

def test_v2_email_identity_attributes(sesv2, ses):
    sesv2.create_configuration_set(ConfigurationSetName="idcs")
    sesv2.create_email_identity(EmailIdentity="attr.example.com")
    sesv2.put_email_identity_configuration_set_attributes(EmailIdentity="attr.example.com", ConfigurationSetName="idcs")
    assert sesv2.get_email_identity(EmailIdentity="attr.example.com")["ConfigurationSetName"] == "idcs"
    assert err(sesv2.put_email_identity_configuration_set_attributes, EmailIdentity="attr.example.com",
               ConfigurationSetName="nope") == ("NotFoundException", 404, "Configuration set <nope> does not exist.")
    sesv2.put_email_identity_configuration_set_attributes(EmailIdentity="attr.example.com")
    assert "ConfigurationSetName" not in sesv2.get_email_identity(EmailIdentity="attr.example.com")

    # DKIM signing on and off, seen by v1's GetIdentityDkimAttributes too.
    sesv2.put_email_identity_dkim_attributes(EmailIdentity="attr.example.com", SigningEnabled=False)
    assert sesv2.get_email_identity(EmailIdentity="attr.example.com")["DkimAttributes"]["SigningEnabled"] is False
    assert ses.get_identity_dkim_attributes(Identities=["attr.example.com"])["DkimAttributes"]["attr.example.com"]["DkimEnabled"] is False
    sesv2.put_email_identity_dkim_attributes(EmailIdentity="attr.example.com", SigningEnabled=True)
    assert sesv2.get_email_identity(EmailIdentity="attr.example.com")["DkimAttributes"]["SigningEnabled"] is True

    # Easy DKIM key length, then BYODKIM (the selector is the token), then back to Easy DKIM.
    tokens = sesv2.get_email_identity(EmailIdentity="attr.example.com")["DkimAttributes"]["Tokens"]
    r = sesv2.put_email_identity_dkim_signing_attributes(EmailIdentity="attr.example.com", SigningAttributesOrigin="AWS_SES",
                                                         SigningAttributes={"NextSigningKeyLength": "RSA_1024_BIT"})
    assert r["DkimStatus"] == "SUCCESS" and r["DkimTokens"] == tokens
    dk = sesv2.get_email_identity(EmailIdentity="attr.example.com")["DkimAttributes"]
    assert dk["SigningAttributesOrigin"] == "AWS_SES" and dk["NextSigningKeyLength"] == "RSA_1024_BIT"
    r = sesv2.put_email_identity_dkim_signing_attributes(EmailIdentity="attr.example.com", SigningAttributesOrigin="EXTERNAL",
                                                         SigningAttributes={"DomainSigningSelector": "sel1",
                                                                            "DomainSigningPrivateKey": "QUJD"})
    assert r["DkimTokens"] == ["sel1"]
    dk = sesv2.get_email_identity(EmailIdentity="attr.example.com")["DkimAttributes"]
    assert dk["SigningAttributesOrigin"] == "EXTERNAL" and dk["Tokens"] == ["sel1"] and "NextSigningKeyLength" not in dk
    code, status, _ = err(sesv2.put_email_identity_dkim_signing_attributes, EmailIdentity="attr.example.com",
                          SigningAttributesOrigin="EXTERNAL", SigningAttributes={"DomainSigningSelector": "sel1"})
    assert (code, status) == ("BadRequestException", 400)
    r = sesv2.put_email_identity_dkim_signing_attributes(EmailIdentity="attr.example.com", SigningAttributesOrigin="AWS_SES")
    assert len(r["DkimTokens"]) == 3 and r["DkimTokens"] != ["sel1"]
    assert sesv2.get_email_identity(EmailIdentity="attr.example.com")["DkimAttributes"]["SigningAttributesOrigin"] == "AWS_SES"

    # Feedback forwarding, seen by v1's GetIdentityNotificationAttributes too.
    sesv2.put_email_identity_feedback_attributes(EmailIdentity="attr.example.com", EmailForwardingEnabled=False)
    assert sesv2.get_email_identity(EmailIdentity="attr.example.com")["FeedbackForwardingStatus"] is False
    n = ses.get_identity_notification_attributes(Identities=["attr.example.com"])["NotificationAttributes"]["attr.example.com"]
    assert n["ForwardingEnabled"] is False

    missing = ("NotFoundException", 404, "Email identity <nope.example.com> does not exist.")
    assert err(sesv2.put_email_identity_configuration_set_attributes, EmailIdentity="nope.example.com") == missing
    assert err(sesv2.put_email_identity_dkim_attributes, EmailIdentity="nope.example.com", SigningEnabled=True) == missing
    assert err(sesv2.put_email_identity_dkim_signing_attributes, EmailIdentity="nope.example.com",
               SigningAttributesOrigin="AWS_SES") == missing
    assert err(sesv2.put_email_identity_feedback_attributes, EmailIdentity="nope.example.com",
               EmailForwardingEnabled=True) == missing


# ---- v2 account attributes ----

def test_v2_account_attributes(sesv2, ses):
    a = sesv2.get_account()
    assert a["SuppressionAttributes"] == {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]}
    assert a["VdmAttributes"] == {"VdmEnabled": "DISABLED"} and a["SendingEnabled"] is True
    sesv2.put_account_suppression_attributes(SuppressedReasons=["COMPLAINT"])
    sesv2.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED",
                                                    "DashboardAttributes": {"EngagementMetrics": "ENABLED"}})
    sesv2.put_account_sending_attributes(SendingEnabled=False)
    sesv2.put_account_details(MailType="TRANSACTIONAL", WebsiteURL="https://example.com", UseCaseDescription="tests",
                              ContactLanguage="EN", AdditionalContactEmailAddresses=["ops@example.com"])
    a = sesv2.get_account()
    assert a["SuppressionAttributes"] == {"SuppressedReasons": ["COMPLAINT"]}
    assert a["VdmAttributes"] == {"VdmEnabled": "ENABLED", "DashboardAttributes": {"EngagementMetrics": "ENABLED"}}
    assert a["SendingEnabled"] is False
    assert ses.get_account_sending_enabled()["Enabled"] is False
    assert a["Details"]["MailType"] == "TRANSACTIONAL" and a["Details"]["WebsiteURL"] == "https://example.com"
    assert a["Details"]["AdditionalContactEmailAddresses"] == ["ops@example.com"]
    ses.update_account_sending_enabled(Enabled=True)
    assert sesv2.get_account()["SendingEnabled"] is True
    sesv2.put_account_suppression_attributes(SuppressedReasons=[])
    assert sesv2.get_account()["SuppressionAttributes"] == {"SuppressedReasons": []}


def test_paused_sending(sesv2, ses):
    ses.verify_email_identity(EmailAddress="from@example.com")
    ses.create_configuration_set(ConfigurationSet={"Name": "paused"})
    ses.update_configuration_set_sending_enabled(ConfigurationSetName="paused", Enabled=False)
    msg = {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}
    dest = {"ToAddresses": ["to@example.com"]}
    code, status, _ = err(ses.send_email, Source="from@example.com", Destination=dest, Message=msg, ConfigurationSetName="paused")
    assert (code, status) == ("ConfigurationSetSendingPausedException", 400)
    code, status, _ = err(sesv2.send_email, FromEmailAddress="from@example.com", Destination=dest,
                          Content={"Simple": msg}, ConfigurationSetName="paused")
    assert (code, status) == ("SendingPausedException", 400)
    ses.send_email(Source="from@example.com", Destination=dest, Message=msg)
    ses.update_account_sending_enabled(Enabled=False)
    assert err(ses.send_email, Source="from@example.com", Destination=dest, Message=msg)[:2] == (
        "AccountSendingPausedException", 400)
    assert err(sesv2.send_email, FromEmailAddress="from@example.com", Destination=dest,
               Content={"Simple": msg})[:2] == ("SendingPausedException", 400)
    sesv2.put_account_sending_attributes(SendingEnabled=True)
    ses.send_email(Source="from@example.com", Destination=dest, Message=msg)


# ---- restart ----

def test_changes_survive_restart_and_kill9(ses, sesv2, restart_check):
    ses.create_configuration_set(ConfigurationSet={"Name": "rcs"})
    ses.put_configuration_set_delivery_options(ConfigurationSetName="rcs", DeliveryOptions={"TlsPolicy": "Require"})
    ses.create_configuration_set_tracking_options(ConfigurationSetName="rcs", TrackingOptions={"CustomRedirectDomain": "t.example.com"})
    sesv2.put_configuration_set_vdm_options(ConfigurationSetName="rcs", VdmOptions={"DashboardOptions": {"EngagementMetrics": "ENABLED"}})
    sesv2.tag_resource(ResourceArn=f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/rcs", Tags=[{"Key": "k", "Value": "v"}])
    sesv2.create_email_identity(EmailIdentity="r.example.com")
    ses.put_identity_policy(Identity="r.example.com", PolicyName="p", Policy=policy("r.example.com"))
    sesv2.put_email_identity_feedback_attributes(EmailIdentity="r.example.com", EmailForwardingEnabled=False)
    sesv2.put_email_identity_dkim_signing_attributes(EmailIdentity="r.example.com", SigningAttributesOrigin="EXTERNAL",
                                                     SigningAttributes={"DomainSigningSelector": "s", "DomainSigningPrivateKey": "QUJD"})
    sesv2.create_email_template(TemplateName="rt", TemplateContent={"Subject": "s"})
    sesv2.tag_resource(ResourceArn=f"arn:aws:ses:{REGION}:{ACCOUNT}:template/rt", Tags=[{"Key": "k", "Value": "t"}])
    sesv2.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
    sesv2.put_account_suppression_attributes(SuppressedReasons=["BOUNCE"])
    ses.update_account_sending_enabled(Enabled=False)

    def read():
        a = sesv2.get_account()
        return (ses.describe_configuration_set(ConfigurationSetName="rcs", ConfigurationSetAttributeNames=[
                    "deliveryOptions", "reputationOptions", "trackingOptions"])["TrackingOptions"],
                body(sesv2.get_configuration_set(ConfigurationSetName="rcs")),
                body(sesv2.get_email_identity(EmailIdentity="r.example.com")),
                ses.get_identity_policies(Identity="r.example.com", PolicyNames=["p"])["Policies"],
                sesv2.list_tags_for_resource(ResourceArn=f"arn:aws:ses:{REGION}:{ACCOUNT}:template/rt")["Tags"],
                a["VdmAttributes"], a["SuppressionAttributes"], a["SendingEnabled"])
    before = restart_check(read)
    assert before[0] == {"CustomRedirectDomain": "t.example.com"}
    assert before[1]["Tags"] == [{"Key": "k", "Value": "v"}] and before[2]["FeedbackForwardingStatus"] is False
    assert before[4] == [{"Key": "k", "Value": "t"}]
    assert before[5:] == ({"VdmEnabled": "ENABLED"}, {"SuppressedReasons": ["BOUNCE"]}, False)
