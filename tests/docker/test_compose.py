"""docker/compose.yaml end to end, the way README's "Docker" section says to run it: Postgres 15, Redis 7,
podstack (with the example's ready.d hook) and the example app come up healthy behind health-gated
depends_on; the hook's bucket, topic and SES identity exist; the app reaches S3, SNS and SES through
podstack (and Postgres and Redis), and what it did is visible in podstack; `docker-compose stop` and
`start` of podstack keep its state. Always torn down with `down -v` (containers, network, volumes).

Where no registry is reachable, tools/docker_standins.sh supplies local stand-ins for postgres:15 and
redis:7 (podstack-local/…) and the app builds on the local base image. Host ports are loopback-only and
chosen by the OS (PODSTACK_PORT= APP_PORT=), found with `docker-compose port`; the project name is
unique per run, so parallel runs never collide. Skipped, with the reason, when Docker cannot run here.
"""
import json
import os
import shutil
import subprocess
import time
import urllib.request
import uuid

import pytest

from dockerenv import REPO, build_image, docker, docker_unavailable, poll

reason = docker_unavailable()
if not reason and not shutil.which("docker-compose"):
    reason = "no docker-compose command (./tools/docker_setup.sh installs Debian 12's)"
if reason:
    print(f"SKIPPED docker tests: {reason}")
    pytest.skip(reason, allow_module_level=True)

COMPOSE_FILE = os.path.join(REPO, "docker", "compose.yaml")
# This test's own tags, so it never retags what a user built (podstack:latest, podstack:latest-hooks).
PODSTACK_IMAGE = "podstack:compose-test"


class Stack:
    def __init__(self):
        self.project = "podstack-compose-" + uuid.uuid4().hex[:8]
        self.env = dict(os.environ)

    def compose(self, *args, check=True, timeout=600):
        r = subprocess.run(["docker-compose", "-p", self.project, "-f", COMPOSE_FILE, *args], capture_output=True,
                           text=True, env=self.env, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"docker-compose {' '.join(args)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
        return r

    def container(self, service):
        cid = self.compose("ps", "-q", service).stdout.strip()
        assert cid, f"no container for {service}"
        return json.loads(docker("inspect", cid).stdout)[0]

    def health(self, service):
        st = self.container(service)["State"]
        assert st["Running"] or st["Status"] == "created", f"{service} exited ({st['ExitCode']}):\n" + self.logs(service)
        return st.get("Health", {}).get("Status")

    def wait_healthy(self, *services, timeout=120):
        for s in services:
            poll(lambda: self.health(s) == "healthy", timeout, f"{s} healthy")

    def url(self, service, port):
        return "http://" + self.compose("port", service, str(port)).stdout.strip()

    def logs(self, service):
        r = self.compose("logs", "--no-color", service, check=False)
        return r.stdout + r.stderr


def http(url, data=None):
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def aws(endpoint, service):
    import boto3.session
    from botocore.config import Config
    return boto3.session.Session().client(service, endpoint_url=endpoint, region_name="us-east-1",
                                          aws_access_key_id="test", aws_secret_access_key="test",
                                          config=Config(retries={"total_max_attempts": 1}))


TAGS = {"PODSTACK_IMAGE": PODSTACK_IMAGE, "PODSTACK_HOOKS_IMAGE": PODSTACK_IMAGE + "-hooks",
        "APP_IMAGE": "podstack-example-app:compose-test"}


def image_id(ref):
    r = docker("image", "inspect", "-f", "{{.Id}}", ref, check=False)
    return r.stdout.strip() if r.returncode == 0 else None


def retire(old_ids):
    """This test's images of an earlier run that a rebuild left untagged: removed, so runs do not pile up."""
    for old in old_ids:
        if old and docker("image", "inspect", "-f", "{{len .RepoTags}}", old, check=False).stdout.strip() == "0":
            docker("rmi", old, check=False)


@pytest.fixture(scope="module")
def stack():
    t0 = time.monotonic()
    earlier = [image_id(t) for t in TAGS.values()]
    build_image(PODSTACK_IMAGE, hooks=True)  # and PODSTACK_IMAGE-hooks, which the file runs
    r = subprocess.run([os.path.join(REPO, "tools", "docker_standins.sh")], capture_output=True, text=True,
                       timeout=900)
    assert r.returncode == 0, r.stderr
    print(r.stderr.strip())
    s = Stack()
    s.env.update(dict(line.split("=", 1) for line in r.stdout.split()))  # POSTGRES_IMAGE, REDIS_IMAGE, BASE
    s.env.update(TAGS, PODSTACK_PORT="", APP_PORT="", AUTO_LOAD_POD="")
    print(f"project {s.project}: POSTGRES_IMAGE={s.env['POSTGRES_IMAGE']} REDIS_IMAGE={s.env['REDIS_IMAGE']} "
          f"BASE={s.env['BASE']} (images ready in {time.monotonic() - t0:.0f}s)")
    try:
        t1 = time.monotonic()
        # v1 waits for db, redis and podstack to be healthy before it creates the app (depends_on).
        s.compose("up", "-d", "--build")
        s.wait_healthy("db", "redis", "podstack", "app")
        print(f"stack up and healthy in {time.monotonic() - t1:.0f}s")
        s.podstack = s.url("podstack", 4566)
        s.app = s.url("app", 6011)
        yield s
    finally:
        t2 = time.monotonic()
        r = s.compose("down", "-v", "--remove-orphans", check=False, timeout=300)
        print(f"down -v in {time.monotonic() - t2:.0f}s")
        left = docker("ps", "-aq", "--filter", f"label=com.docker.compose.project={s.project}").stdout.split()
        left += docker("volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={s.project}").stdout.split()
        left += docker("network", "ls", "-q", "--filter", f"label=com.docker.compose.project={s.project}").stdout.split()
        retire(earlier)
        assert r.returncode == 0 and not left, (r.stdout + r.stderr, left)


def test_published_on_loopback_only_on_free_ports(stack):
    for service, port in (("podstack", 4566), ("app", 6011)):
        bindings = stack.container(service)["NetworkSettings"]["Ports"][f"{port}/tcp"]
        assert [b["HostIp"] for b in bindings] == ["127.0.0.1"] and bindings[0]["HostPort"] != str(port), bindings
    for service in ("db", "redis"):
        assert not any(stack.container(service)["NetworkSettings"]["Ports"].values())


def test_ready_hook_made_the_apps_resources(stack):
    init = http(stack.podstack + "/_localstack/init")
    assert init["scripts"] == [{"stage": "READY", "name": "10-notify-resources.sh", "state": "SUCCESSFUL"}], init
    logs = stack.logs("podstack")
    for what in ("bucket notify-csv-uploads", "topic notify-delivery-receipts", "SES identity notify.example.gov",
                 "parameter /notify/api/secret-key", "secret notify/api/admin-client"):
        assert f"ok: {what}" in logs, logs
    assert "notify-csv-uploads" in [b["Name"] for b in aws(stack.podstack, "s3").list_buckets()["Buckets"]]
    topics = [t["TopicArn"] for t in aws(stack.podstack, "sns").list_topics()["Topics"]]
    assert any(t.endswith(":notify-delivery-receipts") for t in topics), topics
    assert "notify.example.gov" in aws(stack.podstack, "ses").list_identities()["Identities"]


def test_app_reaches_s3_sns_ses_postgres_and_redis(stack):
    assert http(stack.app + "/") == {k: "ok" for k in ("s3", "sns", "ses", "ssm", "secretsmanager", "postgres", "redis")}
    # An SQS queue on the app's topic shows what the app published.
    sqs, sns = aws(stack.podstack, "sqs"), aws(stack.podstack, "sns")
    queue = sqs.create_queue(QueueName="receipts-seen-by-test")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = [t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(":notify-delivery-receipts")][0]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})

    sent = [http(stack.app + "/notify", json.dumps({"to": f"user{i}@example.com"}).encode()) for i in range(2)]
    assert [s["postgres_rows"] for s in sent] == [1, 2] and [s["redis_sent"] for s in sent] == [1, 2], sent
    last = sent[-1]
    body = aws(stack.podstack, "s3").get_object(Bucket=last["bucket"], Key=last["key"])["Body"].read()
    assert body == b"email address\nuser1@example.com\n"
    mail = http(stack.podstack + "/_aws/ses?id=" + last["ses_message_id"])["messages"]
    assert len(mail) == 1 and mail[0]["Source"] == "no-reply@notify.example.gov", mail
    assert mail[0]["Destination"]["ToAddresses"] == ["user1@example.com"], mail

    seen = {}

    def receipts():
        for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            r = json.loads(m["Body"])
            seen[r["notification_id"]] = r["ses_message_id"]
        return len(seen) == len(sent)
    poll(receipts, 30, "the app's SNS receipts in the subscribed queue")
    assert seen == {s["job"]: s["ses_message_id"] for s in sent}

def test_stop_and_start_of_podstack_keeps_state(stack):
    def state_hash():
        r = stack.compose("exec", "-T", "podstack", "podstack", "state", "hash")
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()
    before = http(stack.podstack + "/_podstack/state")
    hash_before = state_hash()
    assert hash_before == before["hash"] and before["last_sequence"] > 0

    t0 = time.monotonic()
    stack.compose("stop", "podstack")
    took = time.monotonic() - t0
    assert stack.container("podstack")["State"]["ExitCode"] == 0 and took < 10, took
    assert "stopped cleanly at sequence" in stack.logs("podstack")
    stack.compose("start", "podstack")
    stack.wait_healthy("podstack")
    stack.podstack = stack.url("podstack", 4566)  # a new free port after the restart
    # The hook ran again (ready.d runs on every start) and found everything in place: no new events.
    assert http(stack.podstack + "/_podstack/state") == before
    assert state_hash() == hash_before
    logs = stack.logs("podstack")
    assert "exists: parameter /notify/api/secret-key" in logs and "exists: secret notify/api/admin-client" in logs, logs
    # and the app, which kept running, reaches it again.
    assert http(stack.app + "/")["s3"] == "ok"
