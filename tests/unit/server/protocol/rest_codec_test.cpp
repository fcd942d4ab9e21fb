// rest-json and rest-xml against small hand-written models shaped like
// botocore's (S3-like and Lambda-like operations).
#include <doctest/doctest.h>

#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "server/protocol/codec.h"
#include "server/protocol/encoding.h"
#include "server/protocol/xml.h"

using namespace podstack::protocol;
namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

const char* kRestXmlModel = R"({
 "metadata": {"protocol": "rest-xml", "endpointPrefix": "s3", "signatureVersion": "s3", "apiVersion": "2006-03-01"},
 "operations": {
  "GetObject": {"name": "GetObject", "http": {"method": "GET", "requestUri": "/{Bucket}/{Key+}"},
                "input": {"shape": "GetObjectRequest"}, "output": {"shape": "GetObjectOutput"}},
  "ListParts": {"name": "ListParts", "http": {"method": "GET", "requestUri": "/{Bucket}/{Key+}?uploadId"},
                "input": {"shape": "ListPartsRequest"}},
  "CreateBucket": {"name": "CreateBucket", "http": {"method": "PUT", "requestUri": "/{Bucket}"},
                   "input": {"shape": "CreateBucketRequest"}},
  "DeleteObjects": {"name": "DeleteObjects", "http": {"method": "POST", "requestUri": "/{Bucket}?delete"},
                    "input": {"shape": "DeleteObjectsRequest"}, "output": {"shape": "DeleteObjectsOutput"}}
 },
 "shapes": {
  "String": {"type": "string"}, "Integer": {"type": "integer"}, "Timestamp": {"type": "timestamp"}, "Body": {"type": "blob"},
  "Metadata": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "String"}},
  "GetObjectRequest": {"type": "structure", "required": ["Bucket", "Key"], "members": {
     "Bucket": {"shape": "String", "location": "uri", "locationName": "Bucket"},
     "Key": {"shape": "String", "location": "uri", "locationName": "Key"},
     "PartNumber": {"shape": "Integer", "location": "querystring", "locationName": "partNumber"},
     "IfModifiedSince": {"shape": "Timestamp", "location": "header", "locationName": "If-Modified-Since"}}},
  "GetObjectOutput": {"type": "structure", "payload": "Body", "members": {
     "Body": {"shape": "Body"},
     "ContentLength": {"shape": "Integer", "location": "header", "locationName": "Content-Length"},
     "LastModified": {"shape": "Timestamp", "location": "header", "locationName": "Last-Modified"},
     "Metadata": {"shape": "Metadata", "location": "headers", "locationName": "x-amz-meta-"}}},
  "ListPartsRequest": {"type": "structure", "members": {
     "Bucket": {"shape": "String", "location": "uri", "locationName": "Bucket"},
     "Key": {"shape": "String", "location": "uri", "locationName": "Key"},
     "UploadId": {"shape": "String", "location": "querystring", "locationName": "uploadId"}}},
  "CreateBucketConfiguration": {"type": "structure", "members": {"LocationConstraint": {"shape": "String"}}},
  "CreateBucketRequest": {"type": "structure", "payload": "CreateBucketConfiguration", "members": {
     "Bucket": {"shape": "String", "location": "uri", "locationName": "Bucket"},
     "CreateBucketConfiguration": {"shape": "CreateBucketConfiguration", "locationName": "CreateBucketConfiguration"}}},
  "ObjectIdentifier": {"type": "structure", "members": {"Key": {"shape": "String"}}},
  "ObjectIdentifierList": {"type": "list", "member": {"shape": "ObjectIdentifier"}, "flattened": true},
  "Delete": {"type": "structure", "members": {"Objects": {"shape": "ObjectIdentifierList", "locationName": "Object"}}},
  "DeleteObjectsRequest": {"type": "structure", "payload": "Delete", "members": {
     "Bucket": {"shape": "String", "location": "uri", "locationName": "Bucket"},
     "Delete": {"shape": "Delete", "locationName": "Delete"}}},
  "DeletedObject": {"type": "structure", "members": {"Key": {"shape": "String"}}},
  "DeletedObjects": {"type": "list", "member": {"shape": "DeletedObject"}, "flattened": true},
  "DeleteObjectsOutput": {"type": "structure", "members": {"Deleted": {"shape": "DeletedObjects"}}}
 }})";

const char* kRestJsonModel = R"({
 "metadata": {"protocol": "rest-json", "endpointPrefix": "lambda", "apiVersion": "2015-03-31"},
 "operations": {
  "Invoke": {"name": "Invoke", "http": {"method": "POST", "requestUri": "/2015-03-31/functions/{FunctionName}/invocations"},
             "input": {"shape": "InvokeRequest"}, "output": {"shape": "InvokeResponse"}},
  "CreateAlias": {"name": "CreateAlias", "http": {"method": "POST", "requestUri": "/2015-03-31/functions/{FunctionName}/aliases", "responseCode": 201},
                  "input": {"shape": "CreateAliasRequest"}, "output": {"shape": "AliasConfiguration"}}
 },
 "shapes": {
  "String": {"type": "string"}, "Integer": {"type": "integer"}, "Blob": {"type": "blob"},
  "InvokeRequest": {"type": "structure", "required": ["FunctionName"], "payload": "Payload", "members": {
     "FunctionName": {"shape": "String", "location": "uri", "locationName": "FunctionName"},
     "InvocationType": {"shape": "String", "location": "header", "locationName": "X-Amz-Invocation-Type"},
     "Payload": {"shape": "Blob"}}},
  "InvokeResponse": {"type": "structure", "payload": "Payload", "members": {
     "StatusCode": {"shape": "Integer", "location": "statusCode"},
     "ExecutedVersion": {"shape": "String", "location": "header", "locationName": "X-Amz-Executed-Version"},
     "Payload": {"shape": "Blob"}}},
  "CreateAliasRequest": {"type": "structure", "required": ["FunctionName", "Name"], "members": {
     "FunctionName": {"shape": "String", "location": "uri", "locationName": "FunctionName"},
     "Name": {"shape": "String"}, "FunctionVersion": {"shape": "String"}}},
  "AliasConfiguration": {"type": "structure", "members": {"AliasArn": {"shape": "String"}, "Name": {"shape": "String"}}}
 }})";

struct Req {
  http::fields headers;
  HttpRequest hr;
  std::string body;
};

const Operation* route(const ServiceModel& m, Req& r, std::string_view method, std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (target.find('?') != std::string_view::npos) r.hr.query = parse_form(target.substr(target.find('?') + 1));
  r.hr.method = method;
  r.hr.path = path;
  r.hr.headers = &r.headers;
  r.hr.body = r.body;
  return match_rest_operation(m, method, path, r.hr.query, r.hr.labels);
}

}  // namespace

TEST_CASE("rest: the most specific URI template wins; greedy labels keep slashes") {
  auto m = ServiceModel::parse(kRestXmlModel);
  Req a;
  const Operation* op = route(*m, a, "GET", "/bucket/dir/a%20b.txt");
  REQUIRE(op);
  CHECK(op->name == "GetObject");
  json::object in = parse_input(*m, *op, a.hr);
  CHECK(in.at("Bucket").as_string() == "bucket");
  CHECK(in.at("Key").as_string() == "dir/a b.txt");
  Req b;
  op = route(*m, b, "GET", "/bucket/key?uploadId=u1");
  REQUIRE(op);
  CHECK(op->name == "ListParts");
  CHECK(parse_input(*m, *op, b.hr).at("UploadId").as_string() == "u1");
  Req c;
  CHECK(route(*m, c, "DELETE", "/bucket") == nullptr);
}

TEST_CASE("rest-xml: query, header and payload members") {
  auto m = ServiceModel::parse(kRestXmlModel);
  Req r;
  r.headers.set("If-Modified-Since", "Tue, 29 Apr 2014 18:30:38 GMT");
  const Operation* op = route(*m, r, "GET", "/b/k?partNumber=3");
  json::object in = parse_input(*m, *op, r.hr);
  CHECK(in.at("PartNumber").as_int64() == 3);
  CHECK(in.at("IfModifiedSince").as_double() == doctest::Approx(1398796238));

  Req put;
  put.body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>";
  op = route(*m, put, "PUT", "/newbucket");
  REQUIRE(op);
  in = parse_input(*m, *op, put.hr);
  CHECK(in.at("CreateBucketConfiguration").at("LocationConstraint").as_string() == "eu-west-1");

  Req del;
  del.body = "<Delete><Object><Key>a</Key></Object><Object><Key>b&amp;c</Key></Object></Delete>";
  op = route(*m, del, "POST", "/bucket?delete");
  REQUIRE(op);
  CHECK(op->name == "DeleteObjects");
  in = parse_input(*m, *op, del.hr);
  REQUIRE(in.at("Delete").at("Objects").as_array().size() == 2);
  CHECK(in.at("Delete").at("Objects").as_array()[1].at("Key").as_string() == "b&c");

  Req bad;
  bad.body = "<Delete><Object></Delete>";
  op = route(*m, bad, "POST", "/bucket?delete");
  try {
    parse_input(*m, *op, bad.hr);
    FAIL("malformed XML accepted");
  } catch (const ApiError& e) {
    CHECK(e.code == "MalformedXML");
  }
}

TEST_CASE("rest: header members are bound whatever the header's case; other headers are ignored") {
  auto m = ServiceModel::parse(kRestXmlModel);
  Req r;
  r.headers.set("x-amz-unrelated", "1");
  r.headers.set("if-MODIFIED-since", "Tue, 29 Apr 2014 18:30:38 GMT");
  r.headers.insert("If-Modified-Since", "Wed, 30 Apr 2014 18:30:38 GMT");  // repeated: the first counts
  r.headers.set("Host", "b.s3.amazonaws.com");
  const Operation* op = route(*m, r, "GET", "/b/k");
  REQUIRE(op);
  json::object in = parse_input(*m, *op, r.hr);
  CHECK(in.at("IfModifiedSince").as_double() == doctest::Approx(1398796238));
  CHECK(in.size() == 3);  // Bucket, Key, IfModifiedSince
  Req none;
  op = route(*m, none, "GET", "/b/k");
  CHECK_FALSE(parse_input(*m, *op, none.hr).contains("IfModifiedSince"));
}

TEST_CASE("rest-xml: output headers, header maps and a streaming payload") {
  auto m = ServiceModel::parse(kRestXmlModel);
  json::object out{{"Body", "hello"}, {"LastModified", 1398796238.0}, {"Metadata", json::object{{"color", "red"}}}};
  WireResponse r = render_output(*m, *m->operation("GetObject"), out, "rid");
  CHECK(r.body == "hello");
  auto has = [&](std::string_view k, std::string_view v) {
    for (auto& [hk, hv] : r.headers)
      if (hk == k && hv == v) return true;
    return false;
  };
  CHECK(has("Last-Modified", "Tue, 29 Apr 2014 18:30:38 GMT"));
  CHECK(has("x-amz-meta-color", "red"));
  CHECK(has("x-amz-request-id", "rid"));
  json::object deleted{{"Deleted", json::array{json::object{{"Key", "a"}}, json::object{{"Key", "b"}}}}};
  r = render_output(*m, *m->operation("DeleteObjects"), deleted, "rid");
  CHECK(r.body.find("<DeleteObjectsResult><Deleted><Key>a</Key></Deleted><Deleted><Key>b</Key></Deleted></DeleteObjectsResult>") !=
        std::string::npos);
}

TEST_CASE("rest-json: body members, payload blobs, status codes") {
  auto m = ServiceModel::parse(kRestJsonModel);
  Req r;
  r.body = R"({"Name":"live","FunctionVersion":"3"})";
  const Operation* op = route(*m, r, "POST", "/2015-03-31/functions/fn/aliases");
  REQUIRE(op);
  json::object in = parse_input(*m, *op, r.hr);
  CHECK(in.at("FunctionName").as_string() == "fn");
  CHECK(in.at("Name").as_string() == "live");
  WireResponse w = render_output(*m, *op, json::object{{"Name", "live"}, {"AliasArn", "arn"}}, "rid");
  CHECK(w.status == 201);
  CHECK(json::parse(w.body).at("Name").as_string() == "live");

  Req inv;
  inv.body = "{\"raw\": true}";
  inv.headers.set("X-Amz-Invocation-Type", "Event");
  op = route(*m, inv, "POST", "/2015-03-31/functions/fn/invocations");
  in = parse_input(*m, *op, inv.hr);
  CHECK(in.at("Payload").as_string() == "{\"raw\": true}");
  CHECK(in.at("InvocationType").as_string() == "Event");
  w = render_output(*m, *op, json::object{{"StatusCode", 202}, {"Payload", "out"}}, "rid");
  CHECK(w.status == 202);
  CHECK(w.body == "out");

  Req bad;
  bad.body = "{nope";
  op = route(*m, bad, "POST", "/2015-03-31/functions/fn/aliases");
  CHECK_THROWS_AS(parse_input(*m, *op, bad.hr), ApiError);
  WireResponse e = render_error(Protocol::kRestJson, m.get(), ApiError::not_found("ResourceNotFoundException", "gone"), "rid");
  CHECK(e.status == 400);
  bool typed = false;
  for (auto& [k, v] : e.headers) typed |= (k == "x-amzn-ErrorType" && v == "ResourceNotFoundException");
  CHECK(typed);
}

TEST_CASE("xml reader: entities, CDATA, namespaces, and malformed input") {
  std::string err;
  auto doc = parse_xml("<?xml version=\"1.0\"?><!-- c --><a:Root xmlns:a=\"x\"><a:B k=\"v&lt;\">t&#x41;<![CDATA[<raw>]]></a:B><C/></a:Root>", &err);
  REQUIRE_MESSAGE(doc, err);
  CHECK(doc->name == "Root");
  REQUIRE(doc->child("B"));
  CHECK(doc->child("B")->text == "tA<raw>");
  CHECK(doc->child("B")->attributes[0].second == "v<");
  CHECK(doc->child("C"));
  for (const char* bad : {"", "<a>", "<a></b>", "<a>&bogus;</a>", "<a/><b/>", "<!DOCTYPE x><a/>", "<a x=1/>"})
    CHECK_FALSE(parse_xml(bad, &err));
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  CHECK_FALSE(parse_xml(deep, &err));
}

TEST_CASE("xml_to_dict: the JSON xmltodict makes of a document (LocalStack's JSON view of query responses)") {
  std::string err;
  auto doc = parse_xml(
      "<R xmlns=\"ns\"><Result><M><Body> hi </Body><A><N>x</N></A><A><N>y</N></A></M></Result>"
      "<Empty/><Meta id=\"7\">t</Meta></R>",
      &err);
  REQUIRE_MESSAGE(doc, err);
  json::value v = xml_to_dict(*doc);
  CHECK(json::serialize(v) ==
        R"({"R":{"Result":{"M":{"Body":"hi","A":[{"N":"x"},{"N":"y"}]}},"Empty":null,"Meta":{"@id":"7","#text":"t"}}})");
}
