// How the console talks to podstack: its internal endpoints (/_podstack/...,
// /_aws/...) and the AWS APIs themselves, as any SDK would, same origin.
// podstack checks only the shape of a SigV4 Authorization header and takes
// a 12-digit access key id as the account, so requests name the account and
// region chosen in the header bar with a placeholder signature.

export const DEFAULT_ACCOUNT = "000000000000";
export const DEFAULT_REGION = "us-east-1";
export const scope = { account: DEFAULT_ACCOUNT, region: DEFAULT_REGION };

export class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function amzDate() {
  return new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

export function authHeaders(service) {
  const date = amzDate();
  return {
    Authorization: `AWS4-HMAC-SHA256 Credential=${scope.account}/${date.slice(0, 8)}/${scope.region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    "X-Amz-Date": date,
  };
}

async function failure(res) {
  const text = await res.text();
  let message = text || res.statusText;
  let code;
  try {
    const j = JSON.parse(text);
    code = j.__type || j.code || j.Code;
    message = j.message || j.Message || j.error || message;
    if (code) code = String(code).split("#").pop();
  } catch {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    const c = doc.querySelector("Code");
    const m = doc.querySelector("Message");
    if (c) code = c.textContent;
    if (m) message = m.textContent;
  }
  return new ApiError(code ? `${code}: ${message}` : `${res.status} ${message}`, res.status, code);
}

// GET or POST one of podstack's JSON endpoints.
export async function internal(path, { method = "GET", body, signal, headers = {} } = {}) {
  const init = { method, signal, headers: { Accept: "application/json", ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  const res = await fetch(path, init);
  if (!res.ok) throw await failure(res);
  return res.json();
}

const JSON_TARGETS = {
  dynamodb: ["DynamoDB_20120810", "1.0"],
  dynamodbstreams: ["DynamoDBStreams_20120810", "1.0"],
  sqs: ["AmazonSQS", "1.0"],
  ssm: ["AmazonSSM", "1.1"],
  secretsmanager: ["secretsmanager", "1.1"],
  kms: ["TrentService", "1.1"],
  events: ["AWSEvents", "1.1"],
};

// An AWS JSON-protocol call: awsJson("dynamodb", "Scan", {TableName}).
export async function awsJson(service, operation, input = {}) {
  const [prefix, version] = JSON_TARGETS[service];
  const res = await fetch("/", {
    method: "POST",
    headers: {
      ...authHeaders(service === "dynamodbstreams" ? "dynamodb" : service),
      "Content-Type": `application/x-amz-json-${version}`,
      "X-Amz-Target": `${prefix}.${operation}`,
    },
    body: JSON.stringify(input),
  });
  if (!res.ok) throw await failure(res);
  return res.json();
}

function parseXml(text) {
  const doc = new DOMParser().parseFromString(text, "application/xml");
  if (doc.querySelector("parsererror")) throw new ApiError("the answer is not XML");
  return doc;
}

// An AWS query-protocol call (SNS): the XML answer as a Document.
export async function awsQuery(service, action, params = {}, version = "2010-03-31") {
  const body = new URLSearchParams({ Action: action, Version: version, ...params });
  const res = await fetch("/", {
    method: "POST",
    headers: { ...authHeaders(service), "Content-Type": "application/x-www-form-urlencoded" },
    body: body.toString(),
  });
  if (!res.ok) throw await failure(res);
  return parseXml(await res.text());
}

// A path of S3's REST API: /bucket/key with each segment escaped.
export function s3Path(bucket, key = "") {
  let p = "/" + encodeURIComponent(bucket);
  if (key) p += "/" + key.split("/").map(encodeURIComponent).join("/");
  return p;
}

// GET on S3's REST API (path style); the XML answer as a Document.
export async function s3Get(path, params = {}) {
  const q = new URLSearchParams(params).toString();
  const res = await fetch(path + (q ? "?" + q : ""), { headers: authHeaders("s3") });
  if (!res.ok) throw await failure(res);
  return parseXml(await res.text());
}

// A plain link that downloads an object (a presigned-style URL: podstack reads
// the account and region from X-Amz-Credential), saved, never shown inline.
export function s3DownloadUrl(bucket, key, versionId) {
  const date = amzDate();
  const q = new URLSearchParams({
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Credential": `${scope.account}/${date.slice(0, 8)}/${scope.region}/s3/aws4_request`,
    "X-Amz-Date": date,
    "X-Amz-Expires": "3600",
    "X-Amz-SignedHeaders": "host",
    "X-Amz-Signature": "0",
    "response-content-disposition": "attachment",
  });
  if (versionId) q.set("versionId", versionId);
  return s3Path(bucket, key) + "?" + q.toString();
}

// Children of an XML element by local name, and their text.
export function xmlAll(node, name) {
  return Array.from(node.getElementsByTagName(name));
}
export function xmlText(node, name) {
  const e = node.getElementsByTagName(name)[0];
  return e ? e.textContent : "";
}
