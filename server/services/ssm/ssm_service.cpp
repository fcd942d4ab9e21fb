// SSM: the operation table and the factory.
#include "server/services/ssm/ssm_service.h"

namespace podstack {
std::unique_ptr<Service> make_ssm_service() { return std::make_unique<ssm::SsmService>(); }
}  // namespace podstack

namespace podstack::ssm {

const SsmService::Table& SsmService::operations() {
  static const Table t = {
      {"PutParameter", write(&SsmService::put_parameter)},
      {"GetParameter", read(&SsmService::get_parameter)},
      {"GetParameters", read(&SsmService::get_parameters)},
      {"GetParametersByPath", read(&SsmService::get_parameters_by_path)},
      {"DeleteParameter", write(&SsmService::delete_parameter)},
      {"DeleteParameters", write(&SsmService::delete_parameters)},
      {"DescribeParameters", read(&SsmService::describe_parameters)},
      {"GetParameterHistory", read(&SsmService::get_parameter_history)},
      {"LabelParameterVersion", write(&SsmService::label_parameter_version)},
      {"UnlabelParameterVersion", write(&SsmService::unlabel_parameter_version)},
      {"AddTagsToResource", write(&SsmService::add_tags)},
      {"RemoveTagsFromResource", write(&SsmService::remove_tags)},
      {"ListTagsForResource", read(&SsmService::list_tags)},
  };
  return t;
}

}  // namespace podstack::ssm
