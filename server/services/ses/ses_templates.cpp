// SES templates, v1: CreateTemplate, UpdateTemplate, GetTemplate,
// DeleteTemplate, ListTemplates, TestRenderTemplate; and the template
// lookups v2 and sending share.
// https://docs.aws.amazon.com/ses/latest/APIReference/API_CreateTemplate.html
#include "server/services/ses/ses_errors.h"
#include "server/services/ses/ses_service.h"
#include "server/services/ses/ses_util.h"

namespace podstack::ses {
namespace {

Template read_template_v1(const Input& in) {
  const json::object* t = in.object("Template");
  if (!t) throw invalid_parameter_value("Template is required.");
  Input ti(*t);
  Template out;
  out.set_name(std::string(ti.str("TemplateName")));
  out.set_subject(ti.str_or("SubjectPart", ""));
  out.set_text(ti.str_or("TextPart", ""));
  out.set_html(ti.str_or("HtmlPart", ""));
  return out;
}

}  // namespace

const Template* SesService::find_template(const CallContext& ctx, std::string_view name) const {
  const SesPartition* p = part(ctx);
  if (!p) return nullptr;
  auto it = p->templates.find(name);
  return it == p->templates.end() ? nullptr : &it->second;
}

const Template& SesService::template_or_throw(const CallContext& ctx, std::string_view name, const Errors& err) const {
  const Template* t = find_template(ctx, name);
  if (!t) throw err.template_missing(name);
  return *t;
}

void SesService::list_templates_page(const Input& in, const CallContext& ctx, Decision& out, std::string_view max_key,
                                     std::string_view name_key) const {
  const SesPartition* p = part(ctx);
  out.output = page_of(in, 10, max_key, p ? &p->templates : nullptr, "TemplatesMetadata", [&](auto& name, const Template& t) {
    return json::value(json::object{{name_key, name}, {"CreatedTimestamp", static_cast<double>(t.created_ms()) / 1000}});
  });
}

void SesService::create_template(const Request& req, Decision& out) const {
  Template t = read_template_v1(req.in);
  if (find_template(req.ctx, t.name())) throw already_exists("Template " + t.name() + " already exists.");
  t.set_created_ms(req.ctx.now_ms);
  put_template(out, std::move(t));
}

void SesService::update_template(const Request& req, Decision& out) const {
  Template t = read_template_v1(req.in);
  t.set_created_ms(template_or_throw(req.ctx, t.name(), kV1).created_ms());
  put_template(out, std::move(t));
}

void SesService::get_template(const Request& req, Decision& out) const {
  const Template& t = template_or_throw(req.ctx, req.in.str("TemplateName"), kV1);
  json::object o{{"TemplateName", t.name()}};
  if (!t.subject().empty()) o["SubjectPart"] = t.subject();
  if (!t.text().empty()) o["TextPart"] = t.text();
  if (!t.html().empty()) o["HtmlPart"] = t.html();
  out.output = json::object{{"Template", std::move(o)}};
}

void SesService::delete_template(const Request& req, Decision& out) const {
  std::string name(req.in.str("TemplateName"));
  if (!find_template(req.ctx, name)) return;  // AWS: succeeds
  Event ev;
  ev.mutable_template_deleted()->set_name(name);
  out.add(std::move(ev));
}

void SesService::list_templates(const Request& req, Decision& out) const {
  list_templates_page(req.in, req.ctx, out, "MaxItems", "Name");
}

void SesService::test_render_template(const Request& req, Decision& out) const {
  const Template& t = template_or_throw(req.ctx, req.in.str("TemplateName"), kV1);
  out.output = json::object{{"RenderedTemplate", test_render(t, req.in.str("TemplateData"), kV1)}};
}

}  // namespace podstack::ses
