#!/bin/sh
# Runs when podstack answers (ready.d) and before it reports healthy: creates
# what the app needs, unless the auto-loaded pod or an earlier start (the
# volume keeps state) already made it; what exists is left as it is. Written
# as for LocalStack: `awslocal` (in podstack's -hooks image) is the aws CLI
# pointed at podstack, with test credentials and us-east-1.
set -u
failed=0
# A service this podstack does not serve yet answers 501 NotImplemented:
# say so and go on, so the stack still comes up with what exists.
try() {
  what=$1; shift
  if out=$(awslocal "$@" 2>&1); then
    echo "ok: $what"
  elif echo "$out" | grep -Eq 'ResourceExists|AlreadyExists|AlreadyOwnedByYou'; then
    echo "exists: $what"
  elif echo "$out" | grep -q NotImplemented; then
    echo "skipped: $what (not in this podstack yet)"
  else
    echo "failed: $what: $out"; failed=1
  fi
}
try "bucket notify-csv-uploads"          s3 mb s3://notify-csv-uploads
try "topic notify-delivery-receipts"     sns create-topic --name notify-delivery-receipts
try "SES identity notify.example.gov"    ses verify-domain-identity --domain notify.example.gov
try "parameter /notify/api/secret-key"   ssm put-parameter --name /notify/api/secret-key --type SecureString \
                                             --value local-dev-secret
try "secret notify/api/admin-client"     secretsmanager create-secret --name notify/api/admin-client \
                                             --secret-string local-admin-client-secret
exit $failed
