"""The example stack's app: GET /_status reports whether each AWS dependency
is reachable through podstack, the way notifications-api checks its own."""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3

# Debian 12's boto3 (1.26) predates AWS_ENDPOINT_URL support, so pass it.
ENDPOINT = os.environ["AWS_ENDPOINT_URL"]


def client(service):
    return boto3.session.Session().client(service, endpoint_url=ENDPOINT)


def checks():
    probes = {
        "s3": lambda: client("s3").head_bucket(Bucket=os.environ["CSV_UPLOAD_BUCKET"]),
        "sns": lambda: [t for t in client("sns").list_topics()["Topics"]
                        if t["TopicArn"].endswith(":" + os.environ["SNS_TOPIC_NAME"])][0],
        "ses": lambda: client("ses").get_identity_verification_attributes(
            Identities=[os.environ["SES_IDENTITY"]])["VerificationAttributes"][os.environ["SES_IDENTITY"]],
        "ssm": lambda: client("ssm").get_parameter(Name="/notify/api/secret-key", WithDecryption=True),
        "secretsmanager": lambda: client("secretsmanager").get_secret_value(SecretId="notify/api/admin-client"),
    }
    out = {}
    for name, probe in probes.items():
        try:
            probe()
            out[name] = "ok"
        except Exception as e:  # the report is the point: say what failed
            out[name] = f"error: {e}"
    return out


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/_status":
            body, status = b'{"status": "ok"}', 200
        elif self.path == "/":
            result = checks()
            body, status = json.dumps(result).encode(), 200
        else:
            body, status = b"{}", 404
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    print("checks at startup:", json.dumps(checks()), flush=True)
    ThreadingHTTPServer(("0.0.0.0", 6011), Handler).serve_forever()
