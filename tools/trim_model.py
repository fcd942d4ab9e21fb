#!/usr/bin/env python3
"""Pin an AWS service model into server/protocol/models/ without its documentation.

  tools/trim_model.py SOURCE/service-2.json server/protocol/models/NAME.json "SOURCE DESCRIPTION" [OVERLAY.json] [KEY=VALUE ...]

OVERLAY (optional) is merged into the model before pinning: objects merge
key by key, a null removes the key. It records what podstack adds to an older
model (e.g. the JSON protocol metadata of SQS over Debian's query-only model).
S3's overlay adds the XML root elements AWS sends where the model names none
(operations.X.output.podstackXmlRoot, e.g. ListBucketResult) and members
newer than the pinned model (PutObject's If-None-Match, HeadBucket's region).
KEY=VALUE pairs are added to the model's metadata (podstack's own settings,
e.g. podstackErrorTypePrefix=com.amazonaws.dynamodb.v20120810# for DynamoDB).

The models drive podstack's protocol layer (parsing, validation, serialization),
so they are pinned in the repository: builds are reproducible and do not
depend on which botocore happens to be installed.
"""
import json
import sys

DROP = {"documentation", "documentationUrl", "examples", "deprecatedMessage", "box"}


def trim(node):
    if isinstance(node, dict):
        return {k: trim(v) for k, v in node.items() if k not in DROP}
    if isinstance(node, list):
        return [trim(v) for v in node]
    return node


def merge(base, over):
    for k, v in over.items():
        if v is None:
            base.pop(k, None)
        elif isinstance(v, dict) and isinstance(base.get(k), dict):
            merge(base[k], v)
        else:
            base[k] = v
    return base


src, dst, origin = sys.argv[1], sys.argv[2], sys.argv[3]
model = trim(json.load(open(src)))
extras = sys.argv[4:]
if extras and extras[0].endswith(".json"):
    merge(model, json.load(open(extras.pop(0))))
model["metadata"]["podstackSource"] = origin
for extra in extras:
    key, _, value = extra.partition("=")
    model["metadata"][key] = value
with open(dst, "w") as f:
    json.dump(model, f, separators=(",", ":"), sort_keys=True)
    f.write("\n")
