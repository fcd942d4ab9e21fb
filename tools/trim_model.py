#!/usr/bin/env python3
"""Pin an AWS service model into server/protocol/models/ without its documentation.

  tools/trim_model.py SOURCE/service-2.json server/protocol/models/NAME.json "SOURCE DESCRIPTION" [KEY=VALUE ...]

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


src, dst, origin = sys.argv[1], sys.argv[2], sys.argv[3]
model = trim(json.load(open(src)))
model["metadata"]["podstackSource"] = origin
for extra in sys.argv[4:]:
    key, _, value = extra.partition("=")
    model["metadata"][key] = value
with open(dst, "w") as f:
    json.dump(model, f, separators=(",", ":"), sort_keys=True)
    f.write("\n")
