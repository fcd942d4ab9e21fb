#!/usr/bin/env python3
"""SNS and SES write paths, side by side with moto (and nginx's 1 KiB file as
the loopback ceiling), wrk on the same two cores, PERSISTENCE=1:

  Publish      to a topic with 3 SQS subscribers (each publish commits the
               SNS event and three SQS messages in one batch)
  SendEmail    from a verified identity (recorded for /_aws/ses)

  tests/bench/notify_bench.py [--duration 5] [--connections 16]

Not a test.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402


def form(params):
    """A query-protocol form body as json_post.lua's UNIQUE mode takes it (a Lua format string):
    percent-escapes doubled, the %d placeholders kept."""
    return urllib.parse.urlencode(params).replace("%", "%%").replace("%%25d", "%d")


def setup(port):
    import boto3.session
    kw = dict(endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
              aws_access_key_id="test", aws_secret_access_key="test")
    s = boto3.session.Session()
    sns, sqs, ses = s.client("sns", **kw), s.client("sqs", **kw), s.client("ses", **kw)
    topic = sns.create_topic(Name="bench")["TopicArn"]
    urls = []
    for i in range(3):
        url = sqs.create_queue(QueueName=f"bench-{i}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        urls.append(url)
    ses.verify_email_identity(EmailAddress="bench@example.com")
    return topic, (sqs, urls)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--connections", type=int, default=16)
    a = ap.parse_args()
    results = {}
    procs = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            servers = {}
            port = run.free_port()
            procs.append(run.start_podstack(os.path.join(tmp, "data"), port))
            if run.wait_http(f"http://127.0.0.1:{port}/_localstack/health"):
                servers["podstack"] = port
            mport = run.free_port()
            moto_py = os.environ.get("MOTO_PYTHON", "python3")
            procs.append(subprocess.Popen([moto_py, "-m", "moto.server", "-p", str(mport)],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            if run.wait_http(f"http://127.0.0.1:{mport}/moto-api/"):
                servers["moto"] = mport
            nport = run.start_nginx(tmp, procs)
            if nport:
                rps, p99, _ = run.nginx_ceiling(nport, a.duration, a.connections, procs)
                results["nginx"] = (rps, p99)
            for name, p in servers.items():
                topic, (sqs, urls) = setup(p)
                ops = {
                    "Publish": ("sns", form({"Action": "Publish", "Version": "2010-03-31", "TopicArn": topic,
                                             "Message": "delivery receipt %d-%d"})),
                    "SendEmail": ("ses", form({"Action": "SendEmail", "Version": "2010-12-01",
                                               "Source": "bench@example.com",
                                               "Destination.ToAddresses.member.1": "to@example.com",
                                               "Message.Subject.Data": "hi %d", "Message.Body.Text.Data": "body %d"})),
                }
                for op, (svc, body) in ops.items():
                    env = {"TARGET": "", "CONTENT_TYPE": "application/x-www-form-urlencoded", "BODY": body,
                           "UNIQUE": "1", "AUTH": run.auth(svc)}
                    rps, p99, errors = run.wrk(f"http://127.0.0.1:{p}/", a.duration, a.connections, env=env)
                    results[(op, name)] = (rps, p99, errors)
        finally:
            for p in procs:
                p.terminate()
                p.wait()
    ceiling = results.get("nginx", (0, 0))[0]
    print(f"{'operation':<12}{'podstack rps':>14}{'p99 ms':>9}{'moto rps':>10}{'moto p99':>10}{'x moto':>8}{'% nginx':>9}")
    for op in ("Publish", "SendEmail"):
        ps, mo = results.get((op, "podstack")), results.get((op, "moto"))
        if not ps:
            continue
        ratio = f"{ps[0] / mo[0]:.0f}x" if mo and mo[0] else "-"
        pct = f"{100 * ps[0] / ceiling:.0f}%" if ceiling else "-"
        errs = "" if not ps[2] else f"  ({ps[2]} errors)"
        print(f"{op:<12}{ps[0]:>14.0f}{ps[1]:>9.2f}{(mo or (0, 0))[0]:>10.0f}{(mo or (0, 0))[1]:>10.2f}{ratio:>8}{pct:>9}{errs}")
    if ceiling:
        print(f"nginx 1 KiB: {ceiling:.0f} req/s")


if __name__ == "__main__":
    main()
