// The mDNS responder's zone for one advertised service instance, and its answers to queries:
// pure, no I/O. It answers as hashicorp/mdns's MDNSService.Records and Server.handleQuery do
// (serf 0.9.4 vendors mdns v1.0.x), which is what serf's browser expects:
//
//   question name                  type            answers
//   _services._dns-sd._udp.local.  PTR, ANY        PTR -> service
//   <service>.local.               PTR, ANY        PTR -> instance, SRV, A..., AAAA..., TXT
//   <instance>.<service>.local.    ANY             SRV, A..., AAAA..., TXT
//                                  SRV             SRV, A..., AAAA...
//                                  TXT / A / AAAA  TXT / A... / AAAA...
//   <host>.                        A / AAAA        A... / AAAA...
//
// Anything else (including PTR at the instance name, which the Go client sends as a follow-up)
// has no answer. SRV points at <host> (the machine's hostname), whose A/AAAA records carry the
// advertised IPs; TTLs are 120 s, class IN without the cache-flush bit. Answers to questions
// with the QU bit go in a reply with the query's id, the others in a reply with id 0; both are
// sent to the querier's address, never multicast. Unlike hashicorp/mdns, names match without
// regard to case, owner names are ours (not the question's spelling) and duplicates are dropped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/mdns_message.h"
#include "util/bytes.h"
#include "util/result.h"

namespace agent::mdns {

constexpr std::uint32_t record_ttl_s = 120;

struct ServiceSpec {
  std::string instance;   // the node name
  std::string service;    // "_serf_<cluster>._tcp"
  std::string domain;     // "local."
  std::string host;       // the machine's hostname; a final dot is added
  std::uint16_t port = 0;
  std::vector<util::Bytes> ips;  // 4 or 16 bytes each
  std::vector<std::string> txt;
};

// Serf's service name and TXT for a -discover cluster.
std::string serf_service(const std::string& cluster);
std::string serf_txt(const std::string& cluster);

class Service {
 public:
  // Fails, naming the part, when a name or TXT string cannot be put in a DNS message.
  static util::Result<Service> make(const ServiceSpec& spec);

  [[nodiscard]] std::vector<Record> records(const Question& q) const;
  // The replies to send back to the querier (zero, one or two encoded messages). Responses
  // (QR set) get none; queries mDNS says to ignore (non-zero opcode or rcode, TC set) give an
  // error to log.
  [[nodiscard]] util::Result<std::vector<util::Bytes>> respond(const Message& query) const;

  [[nodiscard]] const Name& service_name() const { return service_; }
  [[nodiscard]] const Name& instance_name() const { return instance_; }

 private:
  Service() = default;
  [[nodiscard]] std::vector<Record> instance_records(std::uint16_t type) const;
  [[nodiscard]] Record header(const Name& name, std::uint16_t type) const;

  Name enum_, service_, instance_, host_;
  std::uint16_t port_ = 0;
  std::vector<util::Bytes> ips_;
  std::vector<std::string> txt_;
};

}  // namespace agent::mdns
