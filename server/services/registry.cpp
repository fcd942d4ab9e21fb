#include "server/services/registry.h"

#include "server/services/s3/s3_service.h"
#include "server/services/dynamodb/dynamodb_service.h"
#include "server/services/kms/kms_service.h"
#include "server/services/dynamodbstreams/dynamodbstreams_service.h"
#include "server/services/events/events_service.h"
#include "server/services/secretsmanager/secretsmanager_service.h"
#include "server/services/ses/ses_service.h"
#include "server/services/sns/sns_service.h"
#include "server/services/sqs/sqs_service.h"
#include "server/services/ssm/ssm_service.h"
#include "server/services/sts/sts_service.h"

namespace podstack {

std::vector<std::unique_ptr<Service>> make_services(const ServiceSettings& settings) {
  std::vector<std::unique_ptr<Service>> all;
  all.push_back(make_sts_service());
  all.push_back(make_s3_service());
  all.push_back(make_ssm_service());
  all.push_back(make_secretsmanager_service());
  all.push_back(make_sns_service(settings));
  all.push_back(make_sqs_service(settings));
  all.push_back(make_ses_service(settings));
  all.push_back(make_events_service());
  all.push_back(make_kms_service());
  all.push_back(make_dynamodb_service());
  all.push_back(make_dynamodb_streams_service(dynamodb_stream_source(*all.back())));
  return all;
}

}  // namespace podstack
