"""SES v1 / v2 resources beyond sending: contact lists and contacts, receipt rule sets, identity
policies, dedicated IP pools, MAIL FROM validation, reputation options, Handlebars templates.

Sources (per test): the SES API references (v1 https://docs.aws.amazon.com/ses/latest/APIReference/,
v2 https://docs.aws.amazon.com/ses/latest/APIReference-V2/), LocalStack's recorded AWS answers
(tests/aws/services/ses/test_ses.snapshot.json), floci's SES (error strings its authors verified
against AWS, floci-io/floci PRs #1638 / #1723) and moto's ses/models.py.
"""
import json

import pytest
from botocore.exceptions import ClientError

from podstack_server import error_code as code, without_metadata as strip


def err(call):
    with pytest.raises(ClientError) as e:
        call()
    return code(e), e.value.response["Error"]["Message"], e.value.response["ResponseMetadata"]["HTTPStatusCode"]


# ---- 8. contact lists and contacts ----

TOPICS = [{"TopicName": "news", "DisplayName": "News", "Description": "weekly",
           "DefaultSubscriptionStatus": "OPT_IN"},
          {"TopicName": "promo", "DisplayName": "Promotions", "DefaultSubscriptionStatus": "OPT_OUT"}]


def test_contact_list_crud(sesv2, restart_check):
    sesv2.create_contact_list(ContactListName="members", Topics=TOPICS, Description="all members",
                              Tags=[{"Key": "k", "Value": "v"}])
    got = restart_check(lambda: strip(sesv2.get_contact_list(ContactListName="members")))
    assert got["ContactListName"] == "members" and got["Description"] == "all members"
    assert got["Topics"] == TOPICS and got["Tags"] == [{"Key": "k", "Value": "v"}]
    assert got["CreatedTimestamp"] and got["LastUpdatedTimestamp"]
    listed = sesv2.list_contact_lists()["ContactLists"]
    assert [x["ContactListName"] for x in listed] == ["members"] and "LastUpdatedTimestamp" in listed[0]
    # One contact list per account (floci's AWS-verified answer).
    assert err(lambda: sesv2.create_contact_list(ContactListName="second")) == (
        "BadRequestException", "A maximum of 1 Lists allowed per account.", 400)
    sesv2.update_contact_list(ContactListName="members", Topics=TOPICS[:1], Description="changed")
    got = restart_check(lambda: strip(sesv2.get_contact_list(ContactListName="members")))
    assert got["Topics"] == TOPICS[:1] and got["Description"] == "changed"
    sesv2.delete_contact_list(ContactListName="members")
    assert err(lambda: sesv2.get_contact_list(ContactListName="members")) == (
        "NotFoundException", "List with name: members doesn't exist.", 404)
    assert err(lambda: sesv2.delete_contact_list(ContactListName="members"))[0] == "NotFoundException"
    assert restart_check(lambda: sesv2.list_contact_lists()["ContactLists"]) == []


def test_contacts_crud_and_preferences(sesv2, restart_check):
    sesv2.create_contact_list(ContactListName="l", Topics=TOPICS)
    sesv2.create_contact(ContactListName="l", EmailAddress="a@example.com",
                         TopicPreferences=[{"TopicName": "promo", "SubscriptionStatus": "OPT_IN"}],
                         AttributesData='{"name": "Ana"}')
    sesv2.create_contact(ContactListName="l", EmailAddress="b@example.com", UnsubscribeAll=True)
    c = restart_check(lambda: strip(sesv2.get_contact(ContactListName="l", EmailAddress="a@example.com")))
    assert c["EmailAddress"] == "a@example.com" and c["ContactListName"] == "l"
    assert c["TopicPreferences"] == [{"TopicName": "promo", "SubscriptionStatus": "OPT_IN"}]
    assert c["TopicDefaultPreferences"] == [{"TopicName": "news", "SubscriptionStatus": "OPT_IN"}]
    assert c["UnsubscribeAll"] is False and c["AttributesData"] == '{"name": "Ana"}'
    assert err(lambda: sesv2.create_contact(ContactListName="l", EmailAddress="a@example.com")) == (
        "AlreadyExistsException", "a@example.com already exists in List.", 400)
    assert err(lambda: sesv2.get_contact(ContactListName="l", EmailAddress="z@example.com")) == (
        "NotFoundException", "z@example.com doesn't exist in List.", 404)
    assert err(lambda: sesv2.create_contact(ContactListName="nolist", EmailAddress="a@example.com")) == (
        "NotFoundException", "List with name: nolist doesn't exist.", 404)
    assert err(lambda: sesv2.create_contact(ContactListName="l", EmailAddress="c@example.com",
                                            TopicPreferences=[{"TopicName": "nope", "SubscriptionStatus": "OPT_IN"}])
               ) == ("BadRequestException", "List: l doesn't contain Topic: nope", 400)
    sesv2.update_contact(ContactListName="l", EmailAddress="a@example.com", UnsubscribeAll=True,
                         TopicPreferences=[{"TopicName": "news", "SubscriptionStatus": "OPT_OUT"}])
    c = restart_check(lambda: strip(sesv2.get_contact(ContactListName="l", EmailAddress="a@example.com")))
    assert c["UnsubscribeAll"] is True
    assert c["TopicPreferences"] == [{"TopicName": "news", "SubscriptionStatus": "OPT_OUT"}]
    assert c["TopicDefaultPreferences"] == [{"TopicName": "promo", "SubscriptionStatus": "OPT_OUT"}]
    listed = restart_check(lambda: sorted(x["EmailAddress"] for x in sesv2.list_contacts(ContactListName="l")["Contacts"]))
    assert listed == ["a@example.com", "b@example.com"]
    page = sesv2.list_contacts(ContactListName="l", PageSize=1)
    assert len(page["Contacts"]) == 1 and page["NextToken"]
    rest = sesv2.list_contacts(ContactListName="l", PageSize=1, NextToken=page["NextToken"])
    assert [x["EmailAddress"] for x in page["Contacts"] + rest["Contacts"]] == ["a@example.com", "b@example.com"]
    sesv2.delete_contact(ContactListName="l", EmailAddress="b@example.com")
    assert err(lambda: sesv2.delete_contact(ContactListName="l", EmailAddress="b@example.com"))[0] == "NotFoundException"
    # Deleting the list deletes its contacts: a new list of that name starts empty.
    sesv2.delete_contact_list(ContactListName="l")
    sesv2.create_contact_list(ContactListName="l")
    assert restart_check(lambda: sesv2.list_contacts(ContactListName="l")["Contacts"]) == []


# ---- 9. receipt rule sets and rules (v1) ----

RULE1 = {"Name": "MyRule1", "Enabled": True, "ScanEnabled": True, "TlsPolicy": "Optional",
         "Actions": [{"AddHeaderAction": {"HeaderName": "test-header", "HeaderValue": "test"}}]}
RULE2 = {"Name": "MyRule2", "Enabled": True, "ScanEnabled": True, "TlsPolicy": "Optional",
         "Actions": [{"S3Action": {"BucketName": "bucket", "ObjectKeyPrefix": "template"}}]}


def test_receipt_rule_sets_rules_clone_and_order(ses, restart_check):
    # LocalStack snapshot test_clone_receipt_rule_set (AWS): the clone has the same rules in order.
    assert strip(ses.create_receipt_rule_set(RuleSetName="RuleSetToClone")) == {}
    ses.create_receipt_rule(RuleSetName="RuleSetToClone", Rule=RULE1)
    ses.create_receipt_rule(RuleSetName="RuleSetToClone", Rule=RULE2, After="MyRule1")
    assert strip(ses.clone_receipt_rule_set(RuleSetName="RuleSetToCreate", OriginalRuleSetName="RuleSetToClone")) == {}
    for name in ("RuleSetToClone", "RuleSetToCreate"):
        d = restart_check(lambda: strip(ses.describe_receipt_rule_set(RuleSetName=name)))
        assert d["Metadata"]["Name"] == name and d["Metadata"]["CreatedTimestamp"]
        assert d["Rules"] == [RULE1, RULE2]
    assert err(lambda: ses.create_receipt_rule_set(RuleSetName="RuleSetToClone")) == (
        "AlreadyExists", "Rule set already exists: RuleSetToClone", 400)
    assert err(lambda: ses.describe_receipt_rule_set(RuleSetName="nope")) == (
        "RuleSetDoesNotExist", "Rule set does not exist: nope", 400)
    assert err(lambda: ses.create_receipt_rule(RuleSetName="RuleSetToClone", Rule=RULE1)) == (
        "AlreadyExists", "Rule already exists: MyRule1", 400)
    assert err(lambda: ses.create_receipt_rule(RuleSetName="RuleSetToClone", Rule={"Name": "X"}, After="nope")) == (
        "RuleDoesNotExist", "Rule does not exist: nope", 400)
    # Without After a rule goes first.
    ses.create_receipt_rule(RuleSetName="RuleSetToClone", Rule={"Name": "First"})
    names = lambda: [r["Name"] for r in ses.describe_receipt_rule_set(RuleSetName="RuleSetToClone")["Rules"]]
    assert restart_check(names) == ["First", "MyRule1", "MyRule2"]
    ses.reorder_receipt_rule_set(RuleSetName="RuleSetToClone", RuleNames=["MyRule2", "First", "MyRule1"])
    assert restart_check(names) == ["MyRule2", "First", "MyRule1"]
    assert err(lambda: ses.reorder_receipt_rule_set(RuleSetName="RuleSetToClone", RuleNames=["MyRule2"]))[0] == \
        "InvalidParameterValue"
    # Update / describe / delete one rule.
    ses.update_receipt_rule(RuleSetName="RuleSetToClone", Rule={**RULE1, "Enabled": False})
    r = restart_check(lambda: strip(ses.describe_receipt_rule(RuleSetName="RuleSetToClone", RuleName="MyRule1")))
    assert r["Rule"]["Enabled"] is False
    assert err(lambda: ses.update_receipt_rule(RuleSetName="RuleSetToClone", Rule={"Name": "ghost"})) == (
        "RuleDoesNotExist", "Rule does not exist: ghost", 400)
    assert err(lambda: ses.describe_receipt_rule(RuleSetName="RuleSetToClone", RuleName="ghost"))[0] == "RuleDoesNotExist"
    ses.delete_receipt_rule(RuleSetName="RuleSetToClone", RuleName="First")
    assert restart_check(names) == ["MyRule2", "MyRule1"]
    listed = ses.list_receipt_rule_sets()["RuleSets"]
    assert [x["Name"] for x in listed] == ["RuleSetToClone", "RuleSetToCreate"]


def test_active_receipt_rule_set(ses, restart_check):
    assert strip(ses.describe_active_receipt_rule_set()) == {}
    ses.create_receipt_rule_set(RuleSetName="active")
    ses.create_receipt_rule(RuleSetName="active", Rule=RULE1)
    assert err(lambda: ses.set_active_receipt_rule_set(RuleSetName="nope")) == (
        "RuleSetDoesNotExist", "Rule set does not exist: nope", 400)
    ses.set_active_receipt_rule_set(RuleSetName="active")
    d = restart_check(lambda: strip(ses.describe_active_receipt_rule_set()))
    assert d["Metadata"]["Name"] == "active" and d["Rules"] == [RULE1]
    assert err(lambda: ses.delete_receipt_rule_set(RuleSetName="active")) == (
        "CannotDelete", "Cannot delete active rule set: active", 400)
    ses.set_active_receipt_rule_set()  # no name: no active rule set
    assert restart_check(lambda: strip(ses.describe_active_receipt_rule_set())) == {}
    ses.delete_receipt_rule_set(RuleSetName="active")
    assert restart_check(lambda: ses.list_receipt_rule_sets()["RuleSets"]) == []


# ---- 10. identity policies and dedicated IP pools (v2) ----

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                             "Action": "ses:SendEmail", "Resource": "*"}]})


def test_email_identity_policies(sesv2, restart_check):
    sesv2.create_email_identity(EmailIdentity="example.com")
    sesv2.create_email_identity_policy(EmailIdentity="example.com", PolicyName="p1", Policy=POLICY)
    got = restart_check(lambda: sesv2.get_email_identity_policies(EmailIdentity="example.com")["Policies"])
    assert list(got) == ["p1"] and json.loads(got["p1"]) == json.loads(POLICY)
    assert json.loads(sesv2.get_email_identity(EmailIdentity="example.com")["Policies"]["p1"]) == json.loads(POLICY)
    assert err(lambda: sesv2.create_email_identity_policy(EmailIdentity="example.com", PolicyName="p1", Policy=POLICY)) \
        == ("AlreadyExistsException", "Policy <p1> already exists", 400)
    other = json.dumps({"Version": "2012-10-17", "Statement": []})
    sesv2.update_email_identity_policy(EmailIdentity="example.com", PolicyName="p1", Policy=other)
    assert json.loads(restart_check(lambda: sesv2.get_email_identity_policies(EmailIdentity="example.com")
                                    ["Policies"])["p1"]) == json.loads(other)
    assert err(lambda: sesv2.update_email_identity_policy(EmailIdentity="example.com", PolicyName="p2", Policy=other)) \
        == ("NotFoundException", "Policy <p2> does not exist", 404)
    assert err(lambda: sesv2.create_email_identity_policy(EmailIdentity="nope.com", PolicyName="p", Policy=POLICY))[0] \
        == "NotFoundException"
    sesv2.delete_email_identity_policy(EmailIdentity="example.com", PolicyName="p1")
    assert restart_check(lambda: sesv2.get_email_identity_policies(EmailIdentity="example.com")["Policies"]) == {}
    assert err(lambda: sesv2.delete_email_identity_policy(EmailIdentity="example.com", PolicyName="p1"))[0] == \
        "NotFoundException"


def test_dedicated_ip_pools(sesv2, restart_check):
    sesv2.create_dedicated_ip_pool(PoolName="pool-a")
    sesv2.create_dedicated_ip_pool(PoolName="pool-b", Tags=[{"Key": "k", "Value": "v"}])
    assert restart_check(lambda: sesv2.list_dedicated_ip_pools()["DedicatedIpPools"]) == ["pool-a", "pool-b"]
    assert err(lambda: sesv2.create_dedicated_ip_pool(PoolName="pool-a")) == (
        "AlreadyExistsException", "The pool <pool-a> already exists.", 400)
    # No IPs are leased: a pool has none.
    assert sesv2.get_dedicated_ips(PoolName="pool-a")["DedicatedIps"] == []
    assert err(lambda: sesv2.get_dedicated_ips(PoolName="nope")) == (
        "NotFoundException", "The requested pool <nope> does not exist.", 404)
    sesv2.delete_dedicated_ip_pool(PoolName="pool-a")
    assert restart_check(lambda: sesv2.list_dedicated_ip_pools()["DedicatedIpPools"]) == ["pool-b"]
    assert err(lambda: sesv2.delete_dedicated_ip_pool(PoolName="pool-a")) == (
        "NotFoundException", "The requested pool <pool-a> does not exist.", 404)


# ---- 11. Handlebars in templates ----

HB_HTML = ("<ul>{{#each items}}<li>{{@index}}:{{this.name}}={{price}}</li>{{else}}<li>none</li>{{/each}}</ul>"
           "{{#if vip}}VIP {{user.name}}{{else}}regular{{/if}}"
           "{{#each tags}}[{{this}}]{{/each}}{{#unless vip}}!{{/unless}}")


def test_handlebars_each_if_else(ses, sesv2):
    ses.create_template(Template={"TemplateName": "hb", "SubjectPart": "Hi {{user.name}}", "HtmlPart": HB_HTML})
    data = {"user": {"name": "Ana"}, "vip": True, "items": [{"name": "a", "price": 1}, {"name": "b", "price": 2}],
            "tags": ["x", "y"]}
    out = ses.test_render_template(TemplateName="hb", TemplateData=json.dumps(data))["RenderedTemplate"]
    assert "Subject: Hi Ana" in out
    assert "<ul><li>0:a=1</li><li>1:b=2</li></ul>VIP Ana[x][y]" in out
    data = {"user": {"name": "Bo"}, "vip": False, "items": [], "tags": []}
    out = sesv2.test_render_email_template(TemplateName="hb", TemplateData=json.dumps(data))["RenderedTemplate"]
    assert "<ul><li>none</li></ul>regular!" in out


# ---- 12. MAIL FROM domain validation ----

def test_mail_from_domain_must_be_a_subdomain(ses, sesv2, restart_check):
    ses.verify_domain_identity(Domain="example.com")
    ses.verify_email_identity(EmailAddress="me@example.org")
    # moto's text for AWS's InvalidParameterValue.
    assert err(lambda: ses.set_identity_mail_from_domain(Identity="example.com", MailFromDomain="mail.other.com")) == (
        "InvalidParameterValue",
        "Provided MAIL-FROM domain 'mail.other.com' is not subdomain of the domain of the identity 'example.com'.", 400)
    assert err(lambda: ses.set_identity_mail_from_domain(Identity="example.com", MailFromDomain="example.com"))[0] == \
        "InvalidParameterValue"
    assert err(lambda: ses.set_identity_mail_from_domain(Identity="nobody.com", MailFromDomain="m.nobody.com"))[0] == \
        "InvalidParameterValue"
    ses.set_identity_mail_from_domain(Identity="example.com", MailFromDomain="bounce.example.com",
                                      BehaviorOnMXFailure="RejectMessage")
    ses.set_identity_mail_from_domain(Identity="me@example.org", MailFromDomain="m.example.org")
    got = restart_check(lambda: ses.get_identity_mail_from_domain_attributes(
        Identities=["example.com", "me@example.org"])["MailFromDomainAttributes"])
    assert got["example.com"]["MailFromDomain"] == "bounce.example.com"
    assert got["example.com"]["BehaviorOnMXFailure"] == "RejectMessage"
    assert got["me@example.org"]["MailFromDomain"] == "m.example.org"
    # v2: PutEmailIdentityMailFromAttributes, the same rule as a BadRequestException.
    assert err(lambda: sesv2.put_email_identity_mail_from_attributes(
        EmailIdentity="example.com", MailFromDomain="x.other.com"))[0:1] == ("BadRequestException",)
    assert err(lambda: sesv2.put_email_identity_mail_from_attributes(
        EmailIdentity="nope.com", MailFromDomain="x.nope.com"))[0] == "NotFoundException"
    sesv2.put_email_identity_mail_from_attributes(EmailIdentity="example.com", MailFromDomain="mf.example.com",
                                                  BehaviorOnMxFailure="USE_DEFAULT_VALUE")
    m = restart_check(lambda: sesv2.get_email_identity(EmailIdentity="example.com")["MailFromAttributes"])
    assert m["MailFromDomain"] == "mf.example.com" and m["BehaviorOnMxFailure"] == "USE_DEFAULT_VALUE"
    # No MailFromDomain: the custom MAIL FROM domain is removed.
    ses.set_identity_mail_from_domain(Identity="example.com")
    assert "MailFromAttributes" not in sesv2.get_email_identity(EmailIdentity="example.com")


# ---- 13. reputation metrics ----

def test_reputation_metrics_enabled(ses, sesv2, restart_check):
    ses.create_configuration_set(ConfigurationSet={"Name": "rep"})
    d = ses.describe_configuration_set(ConfigurationSetName="rep", ConfigurationSetAttributeNames=["reputationOptions"])
    assert d["ReputationOptions"]["ReputationMetricsEnabled"] is False
    assert strip(ses.update_configuration_set_reputation_metrics_enabled(ConfigurationSetName="rep", Enabled=True)) == {}
    d = restart_check(lambda: strip(ses.describe_configuration_set(
        ConfigurationSetName="rep", ConfigurationSetAttributeNames=["reputationOptions"])))
    assert d["ReputationOptions"]["ReputationMetricsEnabled"] is True and d["ReputationOptions"]["SendingEnabled"] is True
    assert sesv2.get_configuration_set(ConfigurationSetName="rep")["ReputationOptions"]["ReputationMetricsEnabled"] is True
    assert err(lambda: ses.update_configuration_set_reputation_metrics_enabled(ConfigurationSetName="nope", Enabled=True)) \
        == ("ConfigurationSetDoesNotExist", "Configuration set <nope> does not exist.", 400)
