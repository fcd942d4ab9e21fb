#!/usr/bin/env python3
"""Pin an AWS service model into server/protocol/models/ without its documentation.

  tools/trim_model.py SOURCE/service-2.json server/protocol/models/NAME.json "SOURCE DESCRIPTION" [PATCH.json]

PATCH (tools/model_patches/NAME.json) adds what the model leaves to the
SDKs' hand-written code: extra metadata, and "outputRoots" (operation ->
the XML root element AWS sends, e.g. S3's ListBucketResult), stored as the
output's "podstackXmlRoot", and "addMembers" (shape -> members newer
than the pinned model, e.g. S3's conditional-write If-None-Match), with
"addShapes" / "setOutputs" for outputs the model lacks (HeadBucket's region).

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
if len(sys.argv) > 4:
    patch = json.load(open(sys.argv[4]))
    model["metadata"].update(patch.get("metadata", {}))
    model["shapes"].update(patch.get("addShapes", {}))
    for op, shape in patch.get("setOutputs", {}).items():
        model["operations"][op]["output"] = {"shape": shape}
    for shape, members in patch.get("addMembers", {}).items():
        model["shapes"][shape]["members"].update(members)
    for op, root in patch.get("outputRoots", {}).items():
        model["operations"][op]["output"]["podstackXmlRoot"] = root
with open(dst, "w") as f:
    json.dump(model, f, separators=(",", ":"), sort_keys=True)
    f.write("\n")
