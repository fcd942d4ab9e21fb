"""SES v1 (query) and v2 (rest-json) through boto3 and the aws CLI: one state behind both APIs,
LocalStack's /_aws/ses sent-mail view, the SMTP relay (SMTP_HOST) through the outbox, and all of
it across restart and kill -9."""
import email
import email.policy
import json
import urllib.request

import pytest
from botocore.exceptions import ClientError

from podstack_server import PodstackServer, error_code as code, wait_until
from podstack_server import AWS_CLI as AWS, aws_json as aws
from sinks import SmtpSink, free_port


@pytest.fixture
def sink():
    s = SmtpSink()
    yield s
    s.stop()


def sent(server, **query):
    q = "&".join(f"{k}={urllib.request.quote(v)}" for k, v in query.items())
    return server.get_json("/_aws/ses" + ("?" + q if q else ""))["messages"]


def delete_sent(server, **query):
    q = "&".join(f"{k}={urllib.request.quote(v)}" for k, v in query.items())
    req = urllib.request.Request(server.endpoint + "/_aws/ses" + ("?" + q if q else ""), method="DELETE")
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status


def ses_log(server):
    return server.get_json("/_podstack/log?service=ses")["events"]


def simple(subject="Hi", text="Hello", html=None):
    body = {"Text": {"Data": text}}
    if html is not None:
        body["Html"] = {"Data": html}
    return {"Subject": {"Data": subject}, "Body": body}


# ---- identities ----

def test_v1_identities_verify_list_page_and_delete(ses):
    # Why: identities gate sending; listing, filtering and paging are what setup scripts use.
    ses.verify_email_identity(EmailAddress="a@example.com")
    ses.verify_email_address(EmailAddress="b@example.com")
    token = ses.verify_domain_identity(Domain="example.org")["VerificationToken"]
    assert token and ses.verify_domain_identity(Domain="example.org")["VerificationToken"] == token
    dkim = ses.verify_domain_dkim(Domain="example.org")["DkimTokens"]
    assert len(dkim) == 3

    assert sorted(ses.list_identities()["Identities"]) == ["a@example.com", "b@example.com", "example.org"]
    assert ses.list_identities(IdentityType="Domain")["Identities"] == ["example.org"]
    assert sorted(ses.list_identities(IdentityType="EmailAddress")["Identities"]) == ["a@example.com", "b@example.com"]
    page1 = ses.list_identities(MaxItems=2)
    page2 = ses.list_identities(MaxItems=2, NextToken=page1["NextToken"])
    assert len(page1["Identities"]) == 2 and "NextToken" not in page2
    assert sorted(page1["Identities"] + page2["Identities"]) == ["a@example.com", "b@example.com", "example.org"]
    assert sorted(ses.list_verified_email_addresses()["VerifiedEmailAddresses"]) == ["a@example.com", "b@example.com"]

    attrs = ses.get_identity_verification_attributes(Identities=["a@example.com", "example.org", "nobody@x.com"])
    attrs = attrs["VerificationAttributes"]
    assert attrs["a@example.com"] == {"VerificationStatus": "Success"}
    assert attrs["example.org"] == {"VerificationStatus": "Success", "VerificationToken": token}
    assert "nobody@x.com" not in attrs
    d = ses.get_identity_dkim_attributes(Identities=["example.org"])["DkimAttributes"]["example.org"]
    assert d["DkimEnabled"] is True and d["DkimVerificationStatus"] == "Success" and d["DkimTokens"] == dkim

    ses.delete_identity(Identity="a@example.com")
    ses.delete_verified_email_address(EmailAddress="b@example.com")
    ses.delete_identity(Identity="never@example.com")  # AWS: no error
    assert ses.list_identities()["Identities"] == ["example.org"]

    with pytest.raises(ClientError) as e:
        ses.verify_email_identity(EmailAddress="not-an-address")
    assert code(e) == "InvalidParameterValue"


def test_notification_attributes(ses):
    # Why: SetIdentityNotificationTopic is how apps subscribe to delivery notices.
    ses.verify_email_identity(EmailAddress="n@example.com")
    topic = "arn:aws:sns:us-east-1:000000000000:mail-events"
    ses.set_identity_notification_topic(Identity="n@example.com", NotificationType="Delivery", SnsTopic=topic)
    ses.set_identity_notification_topic(Identity="n@example.com", NotificationType="Bounce", SnsTopic=topic)
    ses.set_identity_headers_in_notifications_enabled(Identity="n@example.com", NotificationType="Delivery", Enabled=True)
    a = ses.get_identity_notification_attributes(Identities=["n@example.com"])["NotificationAttributes"]["n@example.com"]
    assert a["DeliveryTopic"] == topic and a["BounceTopic"] == topic and "ComplaintTopic" not in a
    assert a["ForwardingEnabled"] is True and a["HeadersInDeliveryNotificationsEnabled"] is True
    ses.set_identity_notification_topic(Identity="n@example.com", NotificationType="Bounce")  # clears
    a = ses.get_identity_notification_attributes(Identities=["n@example.com"])["NotificationAttributes"]["n@example.com"]
    assert "BounceTopic" not in a
    with pytest.raises(ClientError) as e:
        ses.set_identity_notification_topic(Identity="ghost@example.com", NotificationType="Delivery", SnsTopic=topic)
    assert code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:  # AWS: forwarding off needs bounce and complaint topics
        ses.set_identity_feedback_forwarding_enabled(Identity="n@example.com", ForwardingEnabled=False)
    assert code(e) == "InvalidParameterValue"
    ses.set_identity_notification_topic(Identity="n@example.com", NotificationType="Bounce", SnsTopic=topic)
    ses.set_identity_notification_topic(Identity="n@example.com", NotificationType="Complaint", SnsTopic=topic)
    ses.set_identity_feedback_forwarding_enabled(Identity="n@example.com", ForwardingEnabled=False)
    a = ses.get_identity_notification_attributes(Identities=["n@example.com"])["NotificationAttributes"]["n@example.com"]
    assert a["ForwardingEnabled"] is False and a["ComplaintTopic"] == topic
    ses.set_identity_dkim_enabled(Identity="n@example.com", DkimEnabled=True)
    assert ses.get_identity_dkim_attributes(Identities=["n@example.com"])["DkimAttributes"]["n@example.com"]["DkimEnabled"] is True
    ses.set_identity_mail_from_domain(Identity="n@example.com", MailFromDomain="bounce.example.com")
    m = ses.get_identity_mail_from_domain_attributes(Identities=["n@example.com"])["MailFromDomainAttributes"]
    assert m["n@example.com"]["MailFromDomain"] == "bounce.example.com"


# ---- sending ----

def test_unverified_source_is_rejected_and_a_verified_domain_allows_any_address(ses):
    # Why: AWS's sandbox refuses mail from unverified identities; tests rely on seeing that error.
    with pytest.raises(ClientError) as e:
        ses.send_email(Source="someone@corp.example", Destination={"ToAddresses": ["r@x.com"]}, Message=simple())
    assert code(e) == "MessageRejected"
    assert e.value.response["Error"]["Message"] == (
        "Email address is not verified. The following identities failed the check in region US-EAST-1: someone@corp.example")
    ses.verify_domain_identity(Domain="corp.example")
    for source in ["someone@corp.example", "Other Person <other@corp.example>", "x@mail.corp.example"]:
        assert ses.send_email(Source=source, Destination={"ToAddresses": ["r@x.com"]}, Message=simple())["MessageId"]
    with pytest.raises(ClientError) as e:
        ses.send_raw_email(RawMessage={"Data": b"From: a@elsewhere.example\r\nTo: r@x.com\r\nSubject: s\r\n\r\nbody"})
    assert code(e) == "MessageRejected"
    with pytest.raises(ClientError) as e:
        ses.send_email(Source="someone@corp.example", Destination={"ToAddresses": []}, Message=simple())
    assert code(e) == "InvalidParameterValue"


def test_sent_mail_is_listed_filtered_and_deleted_through_aws_ses(server, ses):
    # Why: /_aws/ses is how tests assert on mail (LocalStack's endpoint); DELETE is a logged mutation.
    ses.verify_email_identity(EmailAddress="a@example.com")
    ses.verify_email_identity(EmailAddress="b@example.com")
    m1 = ses.send_email(Source="a@example.com",
                        Destination={"ToAddresses": ["t@x.com"], "CcAddresses": ["c@x.com"], "BccAddresses": ["h@x.com"]},
                        Message=simple("Subject 1", "text 1", "<p>html 1</p>"))["MessageId"]
    m2 = ses.send_email(Source="b@example.com", Destination={"ToAddresses": ["t@x.com"]}, Message=simple("S2", "t2"))["MessageId"]
    all_ = sent(server)
    assert [m["Id"] for m in all_] == [m1, m2]
    first = all_[0]
    assert first["Region"] == "us-east-1" and first["Source"] == "a@example.com" and first["Subject"] == "Subject 1"
    assert first["Destination"] == {"ToAddresses": ["t@x.com"], "CcAddresses": ["c@x.com"], "BccAddresses": ["h@x.com"]}
    assert first["Body"] == {"text_part": "text 1", "html_part": "<p>html 1</p>"}
    assert first["Timestamp"].endswith("Z")
    assert all_[1]["Body"] == {"text_part": "t2", "html_part": None}
    assert [m["Id"] for m in sent(server, id=m2)] == [m2]
    assert [m["Id"] for m in sent(server, email="a@example.com")] == [m1]
    assert sent(server, email="nobody@example.com") == []

    before = server.state()["last_sequence"]
    assert delete_sent(server, id=m1) == 204
    assert [m["Id"] for m in sent(server)] == [m2]
    assert server.state()["last_sequence"] == before + 1  # an event, like any mutation
    assert delete_sent(server) == 204
    assert sent(server) == []
    # Identities are not mail: they stay.
    assert len(ses.list_identities()["Identities"]) == 2


def test_send_raw_email_takes_source_and_recipients_from_the_headers(server, ses):
    # Why: SendRawEmail without Destinations must find recipients in To/Cc/Bcc as AWS does.
    ses.verify_email_identity(EmailAddress="from@example.com")
    raw = ("From: \"The Sender\" <from@example.com>\r\nTo: a@x.com, \"B, Jr\" <b@x.com>\r\nCc: c@x.com\r\n"
           "Bcc: d@x.com\r\nSubject: raw one\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nraw body\r\n")
    mid = ses.send_raw_email(RawMessage={"Data": raw.encode()})["MessageId"]
    [m] = sent(server, id=mid)
    assert m["RawData"] == raw and m["Source"] == "\"The Sender\" <from@example.com>"
    # Four recipients counted in the statistics: To (2), Cc, Bcc.
    assert ses.get_send_quota()["SentLast24Hours"] == 4.0
    # Explicit Source and Destinations win over the headers.
    mid2 = ses.send_raw_email(Source="from@example.com", Destinations=["only@x.com"], RawMessage={"Data": raw.encode()})["MessageId"]
    assert sent(server, id=mid2)[0]["Source"] == "from@example.com"
    assert ses.get_send_quota()["SentLast24Hours"] == 5.0


def test_quota_and_statistics_count_recipients(ses):
    # Why: GetSendQuota/GetSendStatistics are read by apps before sending; counts come from state.
    q = ses.get_send_quota()
    assert q == {**q, "Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 0.0}
    assert ses.get_send_statistics()["SendDataPoints"] == []
    ses.verify_email_identity(EmailAddress="a@example.com")
    ses.send_email(Source="a@example.com", Destination={"ToAddresses": ["1@x.com", "2@x.com"], "CcAddresses": ["3@x.com"]},
                   Message=simple())
    assert ses.get_send_quota()["SentLast24Hours"] == 3.0
    points = ses.get_send_statistics()["SendDataPoints"]
    assert sum(p["DeliveryAttempts"] for p in points) == 3 and all(p["Bounces"] == 0 for p in points)


# ---- templates ----

def test_v1_templates_crud_render_and_send(server, ses):
    # Why: templated mail is the common production path; rendering must match SES's {{var}} rules.
    tpl = {"TemplateName": "welcome", "SubjectPart": "Hello {{name}}", "TextPart": "Dear {{name}}, code {{ code }}.",
           "HtmlPart": "<b>{{name}}</b> {{user.city}}"}
    ses.create_template(Template=tpl)
    with pytest.raises(ClientError) as e:
        ses.create_template(Template=tpl)
    assert code(e) == "AlreadyExists"
    assert ses.get_template(TemplateName="welcome")["Template"] == tpl
    ses.update_template(Template={**tpl, "TextPart": "Hi {{name}}"})
    assert ses.get_template(TemplateName="welcome")["Template"]["TextPart"] == "Hi {{name}}"
    for n in ["t2", "t3"]:
        ses.create_template(Template={"TemplateName": n, "SubjectPart": "s"})
    page = ses.list_templates(MaxItems=2)
    assert [t["Name"] for t in page["TemplatesMetadata"]] == ["t2", "t3"]
    rest = ses.list_templates(MaxItems=2, NextToken=page["NextToken"])
    assert [t["Name"] for t in rest["TemplatesMetadata"]] == ["welcome"] and "NextToken" not in rest
    assert all("CreatedTimestamp" in t for t in page["TemplatesMetadata"])

    data = json.dumps({"name": "Ana", "code": 7, "user": {"city": "Porto"}})
    rendered = ses.test_render_template(TemplateName="welcome", TemplateData=data)["RenderedTemplate"]
    msg = email.message_from_string(rendered, policy=email.policy.default)
    assert msg["Subject"] == "Hello Ana"
    parts = {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}
    assert parts["text/plain"].strip() == "Hi Ana" and parts["text/html"].strip() == "<b>Ana</b> Porto"
    with pytest.raises(ClientError) as e:
        ses.test_render_template(TemplateName="welcome", TemplateData=json.dumps({"code": 1}))
    assert code(e) == "MissingRenderingAttribute"
    with pytest.raises(ClientError) as e:
        ses.test_render_template(TemplateName="welcome", TemplateData="{not json")
    assert code(e) == "InvalidRenderingParameter"
    with pytest.raises(ClientError) as e:
        ses.test_render_template(TemplateName="nope", TemplateData="{}")
    assert code(e) == "TemplateDoesNotExist"

    ses.verify_email_identity(EmailAddress="a@example.com")
    mid = ses.send_templated_email(Source="a@example.com", Destination={"ToAddresses": ["t@x.com"]},
                                   Template="welcome", TemplateData=data)["MessageId"]
    [m] = sent(server, id=mid)
    assert m["Template"] == "welcome" and m["TemplateData"] == data and m["Destination"] == {"ToAddresses": ["t@x.com"]}
    with pytest.raises(ClientError) as e:
        ses.send_templated_email(Source="a@example.com", Destination={"ToAddresses": ["t@x.com"]},
                                 Template="nope", TemplateData="{}")
    assert code(e) == "TemplateDoesNotExist"

    ses.delete_template(TemplateName="welcome")
    ses.delete_template(TemplateName="welcome")  # AWS: no error for a missing template
    with pytest.raises(ClientError) as e:
        ses.get_template(TemplateName="welcome")
    assert code(e) == "TemplateDoesNotExist"
    with pytest.raises(ClientError) as e:
        ses.update_template(Template=tpl)
    assert code(e) == "TemplateDoesNotExist"


def test_bulk_templated_email_reports_each_destination(server, ses):
    # Why: bulk sends return one status per destination; replacement data overrides the defaults.
    ses.verify_email_identity(EmailAddress="a@example.com")
    ses.create_template(Template={"TemplateName": "t", "SubjectPart": "Hi {{name}}", "TextPart": "{{greeting}} {{name}}"})
    r = ses.send_bulk_templated_email(
        Source="a@example.com", Template="t", DefaultTemplateData=json.dumps({"name": "all", "greeting": "Hello"}),
        Destinations=[{"Destination": {"ToAddresses": ["1@x.com"]}, "ReplacementTemplateData": json.dumps({"name": "One"})},
                      {"Destination": {"ToAddresses": ["2@x.com"]}},
                      {"Destination": {"ToAddresses": ["bad-address"]}}])
    s = r["Status"]
    assert [x["Status"] for x in s] == ["Success", "Success", "InvalidParameterValue"]
    msgs = {m["Id"]: m for m in sent(server)}
    assert json.loads(msgs[s[0]["MessageId"]]["TemplateData"]) == {"name": "One", "greeting": "Hello"}
    assert json.loads(msgs[s[1]["MessageId"]]["TemplateData"]) == {"name": "all", "greeting": "Hello"}
    with pytest.raises(ClientError) as e:
        ses.send_bulk_templated_email(Source="stranger@nowhere.example", Template="t", DefaultTemplateData="{}",
                                      Destinations=[{"Destination": {"ToAddresses": ["1@x.com"]}}])
    assert code(e) == "MessageRejected"


# ---- configuration sets ----

def test_v1_configuration_sets_and_event_destinations(ses):
    # Why: configuration sets route SES events to SNS; their CRUD errors are what IaC tools check.
    ses.create_configuration_set(ConfigurationSet={"Name": "cs1"})
    with pytest.raises(ClientError) as e:
        ses.create_configuration_set(ConfigurationSet={"Name": "cs1"})
    assert code(e) == "ConfigurationSetAlreadyExists"
    ses.create_configuration_set(ConfigurationSet={"Name": "cs2"})
    assert [c["Name"] for c in ses.list_configuration_sets()["ConfigurationSets"]] == ["cs1", "cs2"]

    dest = {"Name": "to-sns", "Enabled": True, "MatchingEventTypes": ["send", "delivery", "renderingFailure"],
            "SNSDestination": {"TopicARN": "arn:aws:sns:us-east-1:000000000000:ses-events"}}
    ses.create_configuration_set_event_destination(ConfigurationSetName="cs1", EventDestination=dest)
    with pytest.raises(ClientError) as e:
        ses.create_configuration_set_event_destination(ConfigurationSetName="cs1", EventDestination=dest)
    assert code(e) == "EventDestinationAlreadyExists"
    with pytest.raises(ClientError) as e:
        ses.create_configuration_set_event_destination(ConfigurationSetName="nope", EventDestination=dest)
    assert code(e) == "ConfigurationSetDoesNotExist"
    d = ses.describe_configuration_set(ConfigurationSetName="cs1", ConfigurationSetAttributeNames=["eventDestinations"])
    assert d["ConfigurationSet"] == {"Name": "cs1"} and d["EventDestinations"] == [dest]
    ses.update_configuration_set_event_destination(ConfigurationSetName="cs1",
                                                   EventDestination={**dest, "Enabled": False, "MatchingEventTypes": ["bounce"]})
    d = ses.describe_configuration_set(ConfigurationSetName="cs1", ConfigurationSetAttributeNames=["eventDestinations"])
    assert d["EventDestinations"][0]["Enabled"] is False and d["EventDestinations"][0]["MatchingEventTypes"] == ["bounce"]
    with pytest.raises(ClientError) as e:
        ses.update_configuration_set_event_destination(ConfigurationSetName="cs1", EventDestination={**dest, "Name": "other"})
    assert code(e) == "EventDestinationDoesNotExist"
    ses.delete_configuration_set_event_destination(ConfigurationSetName="cs1", EventDestinationName="to-sns")
    with pytest.raises(ClientError) as e:
        ses.delete_configuration_set_event_destination(ConfigurationSetName="cs1", EventDestinationName="to-sns")
    assert code(e) == "EventDestinationDoesNotExist"

    ses.verify_email_identity(EmailAddress="a@example.com")
    assert ses.send_email(Source="a@example.com", Destination={"ToAddresses": ["t@x.com"]}, Message=simple(),
                          ConfigurationSetName="cs1")["MessageId"]
    with pytest.raises(ClientError) as e:
        ses.send_email(Source="a@example.com", Destination={"ToAddresses": ["t@x.com"]}, Message=simple(),
                       ConfigurationSetName="missing")
    assert code(e) == "ConfigurationSetDoesNotExist"
    ses.delete_configuration_set(ConfigurationSetName="cs1")
    with pytest.raises(ClientError) as e:
        ses.describe_configuration_set(ConfigurationSetName="cs1")
    assert code(e) == "ConfigurationSetDoesNotExist"
    with pytest.raises(ClientError) as e:
        ses.delete_configuration_set(ConfigurationSetName="cs1")
    assert code(e) == "ConfigurationSetDoesNotExist"


# ---- v2 ----

def test_v2_identities_shared_with_v1(ses, sesv2):
    # Why: AWS has one set of identities behind both APIs; v2 errors are NotFound/AlreadyExists.
    r = sesv2.create_email_identity(EmailIdentity="v2@example.com")
    assert r["IdentityType"] == "EMAIL_ADDRESS" and r["VerifiedForSendingStatus"] is True
    r = sesv2.create_email_identity(EmailIdentity="v2.example", Tags=[{"Key": "team", "Value": "mail"}])
    assert r["IdentityType"] == "DOMAIN" and len(r["DkimAttributes"]["Tokens"]) == 3
    with pytest.raises(ClientError) as e:
        sesv2.create_email_identity(EmailIdentity="v2@example.com")
    assert code(e) == "AlreadyExistsException"
    ses.verify_email_identity(EmailAddress="v1@example.com")

    names = sorted(i["IdentityName"] for i in sesv2.list_email_identities()["EmailIdentities"])
    assert names == ["v1@example.com", "v2.example", "v2@example.com"]
    assert sorted(ses.list_identities()["Identities"]) == names
    page = sesv2.list_email_identities(PageSize=2)
    assert len(page["EmailIdentities"]) == 2 and "NextToken" in page

    g = sesv2.get_email_identity(EmailIdentity="v2.example")
    assert g["IdentityType"] == "DOMAIN" and g["VerificationStatus"] == "SUCCESS" and g["Tags"] == [{"Key": "team", "Value": "mail"}]
    assert sesv2.get_email_identity(EmailIdentity="v1@example.com")["VerifiedForSendingStatus"] is True
    with pytest.raises(ClientError) as e:
        sesv2.get_email_identity(EmailIdentity="ghost@example.com")
    assert code(e) == "NotFoundException" and e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    sesv2.delete_email_identity(EmailIdentity="v1@example.com")
    with pytest.raises(ClientError) as e:
        sesv2.delete_email_identity(EmailIdentity="v1@example.com")
    assert code(e) == "NotFoundException"
    assert sorted(ses.list_identities()["Identities"]) == ["v2.example", "v2@example.com"]


def test_v2_send_email_simple_raw_and_template(server, ses, sesv2):
    # Why: v2 SendEmail's three content kinds share v1's checks (verification, templates) and mailbox.
    sesv2.create_email_identity(EmailIdentity="sender.example")
    dst = {"ToAddresses": ["t@x.com"], "BccAddresses": ["b@x.com"]}
    m1 = sesv2.send_email(FromEmailAddress="me@sender.example", Destination=dst,
                          Content={"Simple": {"Subject": {"Data": "v2 subject"}, "Body": {"Text": {"Data": "v2 text"}}}})["MessageId"]
    raw = b"From: me@sender.example\r\nTo: r@x.com\r\nSubject: raw v2\r\n\r\nbody\r\n"
    m2 = sesv2.send_email(Content={"Raw": {"Data": raw}})["MessageId"]
    sesv2.create_email_template(TemplateName="v2t", TemplateContent={"Subject": "S {{x}}", "Text": "T {{x}}"})
    m3 = sesv2.send_email(FromEmailAddress="me@sender.example", Destination={"ToAddresses": ["t@x.com"]},
                          Content={"Template": {"TemplateName": "v2t", "TemplateData": "{\"x\": \"1\"}"}})["MessageId"]
    msgs = {m["Id"]: m for m in sent(server)}
    assert msgs[m1]["Subject"] == "v2 subject" and msgs[m1]["Body"]["text_part"] == "v2 text"
    assert msgs[m1]["Destination"] == dst
    assert msgs[m2]["RawData"] == raw.decode() and msgs[m2]["Source"] == "me@sender.example"
    assert msgs[m3]["Template"] == "v2t"
    # The v1 API sees the v2 template.
    assert ses.get_template(TemplateName="v2t")["Template"]["SubjectPart"] == "S {{x}}"

    with pytest.raises(ClientError) as e:
        sesv2.send_email(FromEmailAddress="me@unverified.example", Destination=dst,
                         Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}})
    assert code(e) == "MessageRejected"
    with pytest.raises(ClientError) as e:
        sesv2.send_email(FromEmailAddress="me@sender.example", Destination=dst,
                         Content={"Template": {"TemplateName": "missing", "TemplateData": "{}"}})
    assert code(e) == "NotFoundException"
    with pytest.raises(ClientError) as e:
        sesv2.send_email(FromEmailAddress="me@sender.example", Destination=dst, Content={})
    assert code(e) == "BadRequestException"
    with pytest.raises(ClientError) as e:
        sesv2.send_email(FromEmailAddress="me@sender.example", Destination=dst, ConfigurationSetName="nope",
                         Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}})
    assert code(e) == "NotFoundException"


def test_v2_templates_crud(ses, sesv2):
    # Why: v2 template CRUD with its own error codes, over the templates v1 also sees.
    sesv2.create_email_template(TemplateName="a", TemplateContent={"Subject": "s", "Text": "t", "Html": "<p>h</p>"})
    with pytest.raises(ClientError) as e:
        sesv2.create_email_template(TemplateName="a", TemplateContent={"Subject": "s"})
    assert code(e) == "AlreadyExistsException"
    g = sesv2.get_email_template(TemplateName="a")
    assert g["TemplateName"] == "a" and g["TemplateContent"] == {"Subject": "s", "Text": "t", "Html": "<p>h</p>"}
    sesv2.update_email_template(TemplateName="a", TemplateContent={"Subject": "s2 {{v}}"})
    assert sesv2.get_email_template(TemplateName="a")["TemplateContent"] == {"Subject": "s2 {{v}}"}
    assert "Subject: s2 V" in sesv2.test_render_email_template(TemplateName="a", TemplateData='{"v": "V"}')["RenderedTemplate"]
    ses.create_template(Template={"TemplateName": "b", "SubjectPart": "from v1"})
    assert [t["TemplateName"] for t in sesv2.list_email_templates()["TemplatesMetadata"]] == ["a", "b"]
    sesv2.delete_email_template(TemplateName="a")
    for call in (lambda: sesv2.get_email_template(TemplateName="a"),
                 lambda: sesv2.delete_email_template(TemplateName="a"),
                 lambda: sesv2.update_email_template(TemplateName="a", TemplateContent={"Subject": "x"})):
        with pytest.raises(ClientError) as e:
            call()
        assert code(e) == "NotFoundException"


def test_v2_configuration_sets_event_destinations_and_account(ses, sesv2):
    # Why: v2 configuration sets, their event destinations and GetAccount, shared with v1.
    sesv2.create_configuration_set(ConfigurationSetName="v2cs", SendingOptions={"SendingEnabled": True},
                                   Tags=[{"Key": "k", "Value": "v"}])
    with pytest.raises(ClientError) as e:
        sesv2.create_configuration_set(ConfigurationSetName="v2cs")
    assert code(e) == "AlreadyExistsException"
    g = sesv2.get_configuration_set(ConfigurationSetName="v2cs")
    assert g["ConfigurationSetName"] == "v2cs" and g["SendingOptions"] == {"SendingEnabled": True}
    assert g["Tags"] == [{"Key": "k", "Value": "v"}]
    assert sesv2.list_configuration_sets()["ConfigurationSets"] == ["v2cs"]
    assert [c["Name"] for c in ses.list_configuration_sets()["ConfigurationSets"]] == ["v2cs"]

    topic = "arn:aws:sns:us-east-1:000000000000:t"
    sesv2.create_configuration_set_event_destination(
        ConfigurationSetName="v2cs", EventDestinationName="d1",
        EventDestination={"Enabled": True, "MatchingEventTypes": ["SEND", "RENDERING_FAILURE"], "SnsDestination": {"TopicArn": topic}})
    with pytest.raises(ClientError) as e:
        sesv2.create_configuration_set_event_destination(ConfigurationSetName="v2cs", EventDestinationName="d1",
                                                         EventDestination={"Enabled": True, "MatchingEventTypes": ["SEND"]})
    assert code(e) == "AlreadyExistsException"
    [d] = sesv2.get_configuration_set_event_destinations(ConfigurationSetName="v2cs")["EventDestinations"]
    assert d == {"Name": "d1", "Enabled": True, "MatchingEventTypes": ["SEND", "RENDERING_FAILURE"], "SnsDestination": {"TopicArn": topic}}
    # v1 reads the same destination in its own spelling.
    v1 = ses.describe_configuration_set(ConfigurationSetName="v2cs", ConfigurationSetAttributeNames=["eventDestinations"])
    assert v1["EventDestinations"][0]["MatchingEventTypes"] == ["send", "renderingFailure"]
    sesv2.update_configuration_set_event_destination(ConfigurationSetName="v2cs", EventDestinationName="d1",
                                                     EventDestination={"Enabled": False, "MatchingEventTypes": ["DELIVERY"]})
    [d] = sesv2.get_configuration_set_event_destinations(ConfigurationSetName="v2cs")["EventDestinations"]
    assert d["Enabled"] is False and d["MatchingEventTypes"] == ["DELIVERY"] and "SnsDestination" not in d
    sesv2.delete_configuration_set_event_destination(ConfigurationSetName="v2cs", EventDestinationName="d1")
    with pytest.raises(ClientError) as e:
        sesv2.delete_configuration_set_event_destination(ConfigurationSetName="v2cs", EventDestinationName="d1")
    assert code(e) == "NotFoundException"
    with pytest.raises(ClientError) as e:
        sesv2.get_configuration_set_event_destinations(ConfigurationSetName="nope")
    assert code(e) == "NotFoundException"

    acct = sesv2.get_account()
    assert acct["SendQuota"]["Max24HourSend"] == 200.0 and acct["SendingEnabled"] is True
    assert acct["ProductionAccessEnabled"] is False
    sesv2.delete_configuration_set(ConfigurationSetName="v2cs")
    with pytest.raises(ClientError) as e:
        sesv2.get_configuration_set(ConfigurationSetName="v2cs")
    assert code(e) == "NotFoundException"


@pytest.mark.skipif(AWS is None, reason="aws CLI missing: tools/bootstrap.sh installs awscli")
def test_aws_cli_v1_and_v2(server):
    # Why: the CLI signs both APIs as "ses"; the gateway must tell them apart by path/Action.
    aws(server, "ses", "verify-email-identity", "--email-address", "cli@example.com")
    ids = aws(server, "sesv2", "list-email-identities")["EmailIdentities"]
    assert [i["IdentityName"] for i in ids] == ["cli@example.com"]
    mid = aws(server, "ses", "send-email", "--from", "cli@example.com", "--to", "r@x.com", "--subject", "cli",
              "--text", "from the cli")["MessageId"]
    assert sent(server, id=mid)[0]["Subject"] == "cli"
    aws(server, "sesv2", "create-email-template", "--template-name", "clit", "--template-content", '{"Subject": "x"}')
    assert aws(server, "ses", "list-templates")["TemplatesMetadata"][0]["Name"] == "clit"


# ---- state: restart, kill -9 ----

def test_state_survives_restart_and_kill9(server, ses, sesv2, restart_check):
    # Why: every SES mutation is an event; replay must rebuild identities, templates, sets and mail.
    ses.verify_email_identity(EmailAddress="a@example.com")
    sesv2.create_email_identity(EmailIdentity="d.example")
    ses.create_template(Template={"TemplateName": "t", "SubjectPart": "s {{x}}"})
    ses.create_configuration_set(ConfigurationSet={"Name": "cs"})
    ses.create_configuration_set_event_destination(ConfigurationSetName="cs", EventDestination={
        "Name": "d", "Enabled": True, "MatchingEventTypes": ["send"],
        "SNSDestination": {"TopicARN": "arn:aws:sns:us-east-1:000000000000:t"}})
    ses.send_email(Source="a@example.com", Destination={"ToAddresses": ["t@x.com"]}, Message=simple(), ConfigurationSetName="cs")
    ses.send_templated_email(Source="x@d.example", Destination={"ToAddresses": ["t@x.com"]}, Template="t", TemplateData='{"x": 1}')
    m = ses.send_email(Source="a@example.com", Destination={"ToAddresses": ["t@x.com"]}, Message=simple())["MessageId"]
    delete_sent(server, id=m)

    def read():
        return (sorted(ses.list_identities()["Identities"]),
                ses.get_template(TemplateName="t")["Template"],
                ses.describe_configuration_set(ConfigurationSetName="cs", ConfigurationSetAttributeNames=["eventDestinations"])["EventDestinations"],
                sent(server),
                ses.get_send_quota()["SentLast24Hours"],
                sesv2.get_email_identity(EmailIdentity="d.example")["DkimAttributes"]["Tokens"])
    before = restart_check(read)
    assert len(before[3]) == 2 and before[4] == 3.0


# ---- SMTP relay ----

def test_smtp_relay_delivers_each_mail_once_across_restarts(tmp_path, sink):
    # Why: with SMTP_HOST every mail reaches a real SMTP server with the right envelope (Bcc included)
    # and headers; replay after restart or kill -9 must never send a delivered mail again.
    server = PodstackServer(tmp_path / "data", env={"SMTP_HOST": f"127.0.0.1:{sink.port}"}).start()
    try:
        ses = server.client("ses")
        sesv2 = server.client("sesv2")
        ses.verify_email_identity(EmailAddress="from@example.com")
        # A template the data cannot fill is accepted (AWS fails it later) and recorded, never relayed.
        ses.create_template(Template={"TemplateName": "t", "SubjectPart": "Hi {{n}}", "TextPart": "Body {{n}}"})
        m0 = ses.send_templated_email(Source="from@example.com", Destination={"ToAddresses": ["never@x.com"]},
                                      Template="t", TemplateData="{}")["MessageId"]
        assert sent(server, id=m0)[0]["Template"] == "t"
        m1 = ses.send_email(Source="Sender <from@example.com>",
                            Destination={"ToAddresses": ["to@x.com"], "CcAddresses": ["cc@x.com"], "BccAddresses": ["bcc@x.com"]},
                            ReplyToAddresses=["reply@x.com"],
                            Message=simple("Relayed ü", "plain text", "<p>html</p>"))["MessageId"]
        raw = b"From: from@example.com\r\nTo: raw@x.com\r\nBcc: rawbcc@x.com\r\nSubject: raw\r\n\r\nraw body\r\n"
        m2 = ses.send_raw_email(RawMessage={"Data": raw})["MessageId"]
        m3 = sesv2.send_email(FromEmailAddress="from@example.com", Destination={"ToAddresses": ["tpl@x.com"]},
                              Content={"Template": {"TemplateName": "t", "TemplateData": '{"n": "Bo"}'}})["MessageId"]
        wait_until(lambda: len(sink.mails()) == 3, what="three relayed mails")
        by_id = {msg["Message-ID"]: (frm, rcpts, msg) for frm, rcpts, msg in sink.mails()}

        frm, rcpts, msg = by_id[f"<{m1}@email.amazonses.com>"]
        assert frm == "from@example.com" and sorted(rcpts) == ["bcc@x.com", "cc@x.com", "to@x.com"]
        assert msg["From"] == "Sender <from@example.com>" and msg["To"] == "to@x.com" and msg["Cc"] == "cc@x.com"
        assert msg["Reply-To"] == "reply@x.com" and msg["Subject"] == "Relayed ü" and "Bcc" not in msg and msg["Date"]
        assert msg.get_content_type() == "multipart/alternative"
        parts = {p.get_content_type(): p.get_content().strip() for p in msg.walk() if not p.is_multipart()}
        assert parts == {"text/plain": "plain text", "text/html": "<p>html</p>"}

        frm, rcpts, msg = next(x for x in by_id.values() if x[2]["Subject"] == "raw")
        assert frm == "from@example.com" and sorted(rcpts) == ["raw@x.com", "rawbcc@x.com"]
        assert msg.get_content().strip() == "raw body"

        frm, rcpts, msg = by_id[f"<{m3}@email.amazonses.com>"]
        assert rcpts == ["tpl@x.com"] and msg["Subject"] == "Hi Bo" and msg.get_content().strip() == "Body Bo"

        # Each attempt is an event in the log.
        wait_until(lambda: sum("delivered" in e["summary"] for e in ses_log(server)) == 3, what="three relay records")
        assert {m2} <= {m["Id"] for m in sent(server)}

        state = server.state_hash()
        mails = sent(server)
        server.restart()
        assert server.state_hash() == state and sent(server) == mails
        server.crash_restart()
        assert server.state_hash() == state and sent(server) == mails
        # A fresh mail after the restarts is relayed; the outbox would have re-sent any re-armed old
        # mail before it (it scans pending relays at start), so the sink now holds exactly four.
        m4 = ses.send_email(Source="from@example.com", Destination={"ToAddresses": ["late@x.com"]}, Message=simple("late"))["MessageId"]
        wait_until(lambda: any(m["Message-ID"] == f"<{m4}@email.amazonses.com>" for _, _, m in sink.mails()), what="the late mail")
        ids = [m["Message-ID"] for _, _, m in sink.mails()]
        assert len(ids) == 4 and len(set(ids)) == 4
        assert all("never@x.com" not in rcpts for _, rcpts, _ in sink.mails())
    finally:
        server.stop()


def test_dead_smtp_host_is_retried_then_given_up_even_across_kill9(tmp_path):
    # Why: a relay that cannot connect is retried with backoff and then given up, each attempt
    # logged; a kill -9 in between resumes the pending relay instead of losing or restarting it.
    port = free_port()  # nothing listens there
    server = PodstackServer(tmp_path / "data", env={"SMTP_HOST": f"127.0.0.1:{port}"}).start()
    try:
        ses = server.client("ses")
        ses.verify_email_identity(EmailAddress="from@example.com")
        mid = ses.send_email(Source="from@example.com", Destination={"ToAddresses": ["t@x.com"]}, Message=simple())["MessageId"]
        attempts = lambda: [e for e in ses_log(server) if e["operation"] == "EffectAttempted"]  # noqa: E731
        wait_until(lambda: len(attempts()) >= 1, what="a first attempt")
        assert "failed, retry at" in attempts()[0]["summary"] and mid in attempts()[0]["summary"]
        server.crash_restart()
        wait_until(lambda: any("given up" in e["summary"] for e in attempts()), what="the relay to be given up")
        summaries = [e["summary"] for e in attempts()]
        assert len(summaries) == 4 and sum("failed, retry at" in s for s in summaries) == 3
        assert "given up" in summaries[-1]
        state = server.state_hash()
        server.restart()
        assert server.state_hash() == state
        # Still nothing pending: a fresh mail's first attempt is the only new record.
        ses.send_email(Source="from@example.com", Destination={"ToAddresses": ["t@x.com"]}, Message=simple())
        wait_until(lambda: len(attempts()) == 5, what="the new mail's first attempt")
        assert mid not in attempts()[-1]["summary"]
    finally:
        server.stop()


# ---- SES -> SNS -> SQS (needs the SNS service) ----

def sns_available(server):
    try:
        server.client("sns").list_topics()
        return True
    except ClientError:
        return False


def test_configuration_set_events_reach_an_sqs_queue_through_sns(server, ses):
    # Why: event publishing to SNS is how apps learn of sends and deliveries (AWS's event JSON).
    if not sns_available(server):
        pytest.skip("this podstack has no SNS service yet")
    sns, sqs = server.client("sns"), server.client("sqs")
    topic = sns.create_topic(Name="ses-events")["TopicArn"]
    url = sqs.create_queue(QueueName="ses-events")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn, Attributes={"RawMessageDelivery": "true"})
    ses.create_configuration_set(ConfigurationSet={"Name": "cs"})
    ses.create_configuration_set_event_destination(ConfigurationSetName="cs", EventDestination={
        "Name": "sns", "Enabled": True, "MatchingEventTypes": ["send", "delivery"], "SNSDestination": {"TopicARN": topic}})
    ses.verify_email_identity(EmailAddress="a@example.com")
    mid = ses.send_email(Source="a@example.com", Destination={"ToAddresses": ["t@x.com"]}, Message=simple("evt"),
                         ConfigurationSetName="cs")["MessageId"]
    got = []
    wait_until(lambda: got.extend(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])) or len(got) >= 2,
               what="two SES events in the queue")
    events = sorted((json.loads(m["Body"]) for m in got), key=lambda e: e["eventType"])
    assert [e["eventType"] for e in events] == ["Delivery", "Send"]
    for e in events:
        assert e["mail"]["messageId"] == mid and e["mail"]["source"] == "a@example.com"
        assert e["mail"]["destination"] == ["t@x.com"] and e["mail"]["commonHeaders"]["subject"] == "evt"
        assert e["mail"]["tags"]["ses:configuration-set"] == ["cs"]
    assert events[0]["delivery"]["recipients"] == ["t@x.com"] and events[1]["send"] == {}
