// The responder's zone and answers: see mdns_service.h.
#include "agent/mdns_service.h"

#include <algorithm>

#include <fmt/format.h>

namespace agent::mdns {

namespace {

util::Result<Name> name_of(const std::string& what, const std::string& text) {
  auto name = parse_name(text);
  if (!name.ok())
    return util::Error{util::Errc::config, fmt::format("{} '{}' is not a DNS name: {}", what,
                                                       text.substr(0, 128), name.error().detail)};
  return name;
}

Name concat(Name a, const Name& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

void append(std::vector<Record>& to, std::vector<Record> more) {
  for (auto& r : more)
    if (std::find(to.begin(), to.end(), r) == to.end()) to.push_back(std::move(r));
}

}  // namespace

std::string serf_service(const std::string& cluster) { return "_serf_" + cluster + "._tcp"; }
std::string serf_txt(const std::string& cluster) { return "Serf '" + cluster + "' cluster"; }

util::Result<Service> Service::make(const ServiceSpec& spec) {
  if (spec.instance.empty() || spec.service.empty() || spec.host.empty())
    return util::Error{util::Errc::config, "mDNS service needs an instance, a service and a host"};
  auto domain = name_of("mDNS domain", spec.domain);
  if (!domain.ok()) return domain.error();
  auto service = name_of("mDNS service", spec.service);
  if (!service.ok()) return service.error();
  auto instance = name_of("Node name", spec.instance);
  if (!instance.ok()) return instance.error();
  auto host = name_of("Hostname", spec.host);
  if (!host.ok()) return host.error();
  if (spec.port == 0) return util::Error{util::Errc::config, "missing service port"};
  for (auto& s : spec.txt)
    if (s.size() > limits::mdns_txt_string_bytes_max)
      return util::Error{util::Errc::config, "mDNS TXT string longer than 255 bytes"};
  for (auto& ip : spec.ips)
    if (ip.size() != 4 && ip.size() != 16)
      return util::Error{util::Errc::config, "invalid IP address in IPs list"};

  Service s;
  s.enum_ = concat({"_services", "_dns-sd", "_udp"}, *domain);
  s.service_ = concat(*service, *domain);
  s.instance_ = concat(*instance, s.service_);
  s.host_ = *host;
  s.port_ = spec.port;
  s.ips_ = spec.ips;
  s.txt_ = spec.txt;
  // The largest answer: the service PTR with every instance record.
  auto largest = s.records(Question{s.service_, rrtype::ptr, class_in});
  if (auto whole = encode(Message{.answers = largest}); !whole.ok())
    return util::Error{util::Errc::config,
                       "mDNS records do not fit a DNS message: " + whole.error().detail};
  return s;
}

Record Service::header(const Name& name, std::uint16_t type) const {
  Record r;
  r.name = name;
  r.type = type;
  r.klass = class_in;
  r.ttl = record_ttl_s;
  return r;
}

std::vector<Record> Service::instance_records(std::uint16_t type) const {
  std::vector<Record> out;
  switch (type) {
    case rrtype::any:
      out = instance_records(rrtype::srv);
      append(out, instance_records(rrtype::txt));
      break;
    case rrtype::a:
    case rrtype::aaaa:
      for (auto& ip : ips_) {
        if (ip.size() != (type == rrtype::a ? 4u : 16u)) continue;
        auto r = header(host_, type);
        r.address = ip;
        out.push_back(std::move(r));
      }
      break;
    case rrtype::srv: {
      auto r = header(instance_, rrtype::srv);
      r.priority = 10;
      r.weight = 1;
      r.port = port_;
      r.target = host_;
      out.push_back(std::move(r));
      append(out, instance_records(rrtype::a));
      append(out, instance_records(rrtype::aaaa));
      break;
    }
    case rrtype::txt: {
      auto r = header(instance_, rrtype::txt);
      r.txt = txt_;
      out.push_back(std::move(r));
      break;
    }
    default:
      break;
  }
  return out;
}

std::vector<Record> Service::records(const Question& q) const {
  const bool any_or_ptr = q.type == rrtype::any || q.type == rrtype::ptr;
  if (same_name(q.name, enum_)) {
    if (!any_or_ptr) return {};
    auto r = header(enum_, rrtype::ptr);
    r.target = service_;
    return {r};
  }
  if (same_name(q.name, service_)) {
    if (!any_or_ptr) return {};
    auto r = header(service_, rrtype::ptr);
    r.target = instance_;
    std::vector<Record> out{r};
    append(out, instance_records(rrtype::any));
    return out;
  }
  if (same_name(q.name, instance_)) return instance_records(q.type);
  if (same_name(q.name, host_) && (q.type == rrtype::a || q.type == rrtype::aaaa))
    return instance_records(q.type);
  return {};
}

util::Result<std::vector<util::Bytes>> Service::respond(const Message& query) const {
  if (query.response) return std::vector<util::Bytes>{};  // another responder's answers
  // RFC 6762 §18.3, §18.11: ignore other opcodes and response codes. A query with TC set
  // (§18.5: its known-answer list goes on in later packets) is refused, as hashicorp/mdns
  // refuses it: serf never sends one, and answering in full is always correct for a querier.
  const auto ignored = [](std::string why) {
    return util::Error{util::Errc::unsupported, "mdns: " + why};
  };
  if (query.opcode != 0)
    return ignored(fmt::format("received query with non-zero Opcode {}", query.opcode));
  if (query.rcode != 0)
    return ignored(fmt::format("received query with non-zero Rcode {}", query.rcode));
  if (query.truncated)
    return ignored("ignoring a query with the truncated bit set (known-answer lists)");
  std::vector<Record> multicast, unicast;
  for (auto& q : query.questions)
    append((q.klass & class_top_bit) ? unicast : multicast, records(q));

  std::vector<util::Bytes> replies;
  for (bool to_unicast : {false, true}) {
    auto& answers = to_unicast ? unicast : multicast;
    if (answers.empty()) continue;
    Message reply{.id = to_unicast ? query.id : std::uint16_t{0},
                  .response = true,
                  .authoritative = true};
    reply.answers = std::move(answers);
    auto bytes = encode(reply);
    if (!bytes.ok()) return bytes.error();
    replies.push_back(std::move(*bytes));
  }
  return replies;
}

}  // namespace agent::mdns
