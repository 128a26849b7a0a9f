// The real Serf 0.9.4 traffic in tests/fixtures/vectors.json: every UDP vector decodes to the
// expected fields, and re-encoding the decoded structs rebuilds the exact datagram (CRC, LZW
// and compound included). Encrypted vectors are checked on their recorded plaintext (the
// decryption itself belongs to crypto/). TCP vectors: framing, push/pull and Serf user state.
#include <doctest/doctest.h>

#include <string>

#include "wire/codec.h"
#include "wire/serf_codec.h"
#include "wire_test_support.h"

using wire_test::hex;
using wire_test::hex_field;

namespace {

std::string str(const YAML::Node& body, const char* key) {
  return body[key] ? body[key].as<std::string>() : std::string();
}
std::uint64_t num(const YAML::Node& body, const char* key) {
  return body[key] ? body[key].as<std::uint64_t>() : 0;
}
bool flag(const YAML::Node& body, const char* key) {
  return body[key] ? body[key].as<bool>() : false;
}
util::Bytes vsn_bytes(const wire::Vsn& v) { return {v.pmin, v.pmax, v.pcur, v.dmin, v.dmax, v.dcur}; }

// Checks the Serf message inside a memberlist user message against its decoded tree and
// returns its re-encoding (byte-identical for everything Go encodes deterministically).
util::Bytes check_serf(const util::Bytes& serf_bytes, const YAML::Node& t);

void check_fields(const wire::PacketMessage& m, const YAML::Node& t) {
  const auto& b = t["body"];
  const int type = t["type"].as<int>();
  if (const auto* p = std::get_if<wire::Ping>(&m)) {
    CHECK(type == 0);
    CHECK(p->node == str(b, "Node"));
    CHECK(p->seq_no == num(b, "SeqNo"));
    CHECK(p->source_addr == hex_field(b["SourceAddr"]));
    CHECK(p->source_node == str(b, "SourceNode"));
    CHECK(p->source_port == num(b, "SourcePort"));
  } else if (const auto* ip = std::get_if<wire::IndirectPing>(&m)) {
    CHECK(type == 1);
    CHECK(ip->nack == flag(b, "Nack"));
    CHECK(ip->node == str(b, "Node"));
    CHECK(ip->port == num(b, "Port"));
    CHECK(ip->seq_no == num(b, "SeqNo"));
    CHECK(ip->source_addr == hex_field(b["SourceAddr"]));
    CHECK(ip->source_node == str(b, "SourceNode"));
    CHECK(ip->source_port == num(b, "SourcePort"));
    CHECK(ip->target == hex_field(b["Target"]));
  } else if (const auto* a = std::get_if<wire::Ack>(&m)) {
    CHECK(type == 2);
    CHECK(a->seq_no == num(b, "SeqNo"));
    CHECK(a->payload == hex_field(b["Payload"]));
  } else if (const auto* n = std::get_if<wire::Nack>(&m)) {
    CHECK(type == 11);
    CHECK(n->seq_no == num(b, "SeqNo"));
  } else if (const auto* s = std::get_if<wire::Suspect>(&m)) {
    CHECK(type == 3);
    CHECK(s->from == str(b, "From"));
    CHECK(s->incarnation == num(b, "Incarnation"));
    CHECK(s->node == str(b, "Node"));
  } else if (const auto* d = std::get_if<wire::Dead>(&m)) {
    CHECK(type == 5);
    CHECK(d->from == str(b, "From"));
    CHECK(d->incarnation == num(b, "Incarnation"));
    CHECK(d->node == str(b, "Node"));
  } else if (const auto* al = std::get_if<wire::Alive>(&m)) {
    CHECK(type == 4);
    CHECK(al->addr == hex_field(b["Addr"]));
    CHECK(al->incarnation == num(b, "Incarnation"));
    CHECK(al->meta == hex_field(b["Meta"]));
    CHECK(al->node == str(b, "Node"));
    CHECK(al->port == num(b, "Port"));
    CHECK(vsn_bytes(al->vsn) == hex_field(b["Vsn"]));
  } else if (std::holds_alternative<wire::UserMsg>(m)) {
    CHECK(type == 8);
  }
}

// Rebuilds the datagram from the decoded messages (in order) following the expected tree.
util::Bytes rebuild(const YAML::Node& t, const std::vector<wire::PacketMessage>& msgs,
                    std::size_t& i) {
  const int type = t["type"].as<int>();
  if (type == 12) {
    const auto inner = rebuild(t["inner"], msgs, i);
    CHECK(util::get_u32be(hex(t["crc32"].as<std::string>()).data()) == wire::crc32(inner));
    util::Bytes out{12};
    util::put_u32be(out, wire::crc32(inner));
    out.insert(out.end(), inner.begin(), inner.end());
    return out;
  }
  if (type == 9) {
    const auto inner = rebuild(t["inner"], msgs, i);
    CHECK(inner == hex(t["decompressed_hex"].as<std::string>()));
    return wire::encode_compress(inner);
  }
  if (type == 7) {
    std::vector<util::Bytes> parts;
    for (const auto& p : t["parts"]) parts.push_back(rebuild(p, msgs, i));
    for (std::size_t k = 0; k < parts.size(); ++k) {
      CHECK(parts[k].size() == t["lengths"][k].as<std::size_t>());
    }
    return wire::make_compound(parts);
  }
  REQUIRE(i < msgs.size());
  const auto& m = msgs[i++];
  check_fields(m, t);
  if (const auto* u = std::get_if<wire::UserMsg>(&m)) {
    return wire::encode(wire::UserMsg{check_serf(u->payload, t["serf"])});
  }
  return wire::encode(m);
}

std::size_t count_leaves(const YAML::Node& t) {
  const int type = t["type"].as<int>();
  if (type == 12 || type == 9) return count_leaves(t["inner"]);
  if (type == 7) {
    std::size_t n = 0;
    for (const auto& p : t["parts"]) n += count_leaves(p);
    return n;
  }
  return 1;
}

}  // namespace

TEST_SUITE("wire.vectors") {
  TEST_CASE("every captured datagram decodes to its fields and re-encodes byte for byte") {
    int checked = 0;
    for (const auto& v : wire_test::vectors()) {
      if (v["transport"].as<std::string>() != "udp") continue;
      const std::string id = v["id"].as<std::string>();
      CAPTURE(id);
      const auto bytes =
          hex(v[v["plaintext_hex"] ? "plaintext_hex" : "wire_hex"].as<std::string>());
      auto packet = wire::decode_packet(bytes);
      REQUIRE(packet.ok());
      CHECK(packet->bad_parts == 0);
      CHECK(packet->messages.size() == count_leaves(v["decoded"]));
      std::size_t i = 0;
      const auto rebuilt = rebuild(v["decoded"], packet->messages, i);
      CHECK(i == packet->messages.size());
      CHECK(rebuilt == bytes);
      ++checked;
    }
    CHECK(checked == 25);
  }
}

namespace {

void check_query(const wire::serf::Query& q, const YAML::Node& b, const YAML::Node& t) {
  CHECK(q.addr == hex_field(b["Addr"]));
  if (b["Filters"].IsNull()) {
    CHECK(q.filters.empty());
  } else {
    REQUIRE(q.filters.size() == b["Filters"].size());
    for (std::size_t i = 0; i < q.filters.size(); ++i) {
      CHECK(q.filters[i] == hex_field(b["Filters"][i]));
    }
  }
  CHECK(q.flags == num(b, "Flags"));
  CHECK(q.id == num(b, "ID"));
  CHECK(q.ltime == num(b, "LTime"));
  CHECK(q.name == str(b, "Name"));
  CHECK(q.payload == hex_field(b["Payload"]));
  CHECK(q.port == num(b, "Port"));
  CHECK(q.relay_factor == num(b, "RelayFactor"));
  CHECK(q.source_node == str(b, "SourceNode"));
  CHECK(q.timeout_ns == static_cast<std::int64_t>(num(b, "Timeout")));
  if (!t["filters_decoded"]) return;
  for (std::size_t i = 0; i < q.filters.size(); ++i) {
    const auto& want = t["filters_decoded"][i];
    auto f = wire::serf::decode_filter(q.filters[i]);
    REQUIRE(f.ok());
    CHECK(q.filters[i] == wire::serf::encode_filter(*f));
    if (const auto* n = std::get_if<wire::serf::NodeFilter>(&*f)) {
      CHECK(want["filter_type"].as<int>() == 0);
      CHECK(n->nodes == want["value"].as<std::vector<std::string>>());
    } else {
      const auto& tf = std::get<wire::serf::TagFilter>(*f);
      CHECK(want["filter_type"].as<int>() == 1);
      CHECK(tf.expr == str(want["value"], "Expr"));
      CHECK(tf.tag == str(want["value"], "Tag"));
    }
  }
}

void check_serf_fields(const wire::serf::Message& m, const YAML::Node& t) {
  const auto& b = t["body"];
  if (const auto* l = std::get_if<wire::serf::Leave>(&m)) {
    CHECK(l->ltime == num(b, "LTime"));
    CHECK(l->node == str(b, "Node"));
    CHECK(l->prune == flag(b, "Prune"));
  } else if (const auto* j = std::get_if<wire::serf::Join>(&m)) {
    CHECK(j->ltime == num(b, "LTime"));
    CHECK(j->node == str(b, "Node"));
  } else if (const auto* e = std::get_if<wire::serf::UserEvent>(&m)) {
    CHECK(e->cc == flag(b, "CC"));
    CHECK(e->ltime == num(b, "LTime"));
    CHECK(e->name == str(b, "Name"));
    CHECK(e->payload == hex_field(b["Payload"]));
  } else if (const auto* q = std::get_if<wire::serf::Query>(&m)) {
    check_query(*q, b, t);
  } else if (const auto* r = std::get_if<wire::serf::QueryResponse>(&m)) {
    CHECK(r->flags == num(b, "Flags"));
    CHECK(r->from == str(b, "From"));
    CHECK(r->id == num(b, "ID"));
    CHECK(r->ltime == num(b, "LTime"));
    CHECK(r->payload == hex_field(b["Payload"]));
  } else if (const auto* rl = std::get_if<wire::serf::Relay>(&m)) {
    const auto& h = t["relay_header"];
    CHECK(rl->header.dest_ip == hex_field(h["DestAddr"]["IP"]));
    CHECK(rl->header.dest_port == num(h["DestAddr"], "Port"));
    CHECK(rl->header.dest_zone == str(h["DestAddr"], "Zone"));
    CHECK(rl->header.dest_name == str(h, "DestName"));
    CHECK(check_serf(rl->inner, t["inner"]) == rl->inner);
  } else {
    FAIL("unexpected serf message in a vector");
  }
}

util::Bytes check_serf(const util::Bytes& serf_bytes, const YAML::Node& t) {
  REQUIRE(!serf_bytes.empty());
  CHECK(serf_bytes[0] == t["type"].as<int>());
  auto m = wire::serf::decode(serf_bytes);
  REQUIRE(m.ok());
  CHECK(m->index() == serf_bytes[0]);  // variant order follows the type values
  check_serf_fields(*m, t);
  return wire::serf::encode(*m);
}

}  // namespace

TEST_SUITE("wire.vectors") {
  TEST_CASE("the captured install-key query carries a key request with the new key") {
    const auto v = wire_test::vector("udp-encrypted-install-key");
    auto packet = wire::decode_packet(hex(v["plaintext_hex"].as<std::string>()));
    REQUIRE(packet.ok());
    REQUIRE(packet->messages.size() == 1);
    const auto& user = std::get<wire::UserMsg>(packet->messages[0]);
    auto q = wire::serf::decode_as<wire::serf::Query>(user.payload);
    REQUIRE(q.ok());
    auto req = wire::serf::decode_as<wire::serf::KeyRequest>(q->payload);
    REQUIRE(req.ok());
    CHECK(req->key == hex("5824fa3a52ed199cd5d4c14c62393eff30ef4286dd3b5e3aace0b6e826d2f642"));
    CHECK(wire::serf::encode(*req) == q->payload);
  }

  TEST_CASE("captured ack payloads decode as Vivaldi coordinates and re-encode exactly") {
    for (const char* id : {"udp-ack-coordinate", "udp-ack-compressed"}) {
      CAPTURE(id);
      const auto v = wire_test::vector(id);
      auto packet = wire::decode_packet(hex(v["wire_hex"].as<std::string>()));
      REQUIRE(packet.ok());
      const auto& ack = std::get<wire::Ack>(packet->messages.at(0));
      auto c = wire::serf::decode_ping_payload(ack.payload);
      REQUIRE(c.ok());
      CHECK(c->height == doctest::Approx(1e-5));
      CHECK(wire::serf::encode_ping_payload(*c) == ack.payload);
    }
    // the compressed one is a fresh node's coordinate
    const auto v = wire_test::vector("udp-ack-compressed");
    auto packet = wire::decode_packet(hex(v["wire_hex"].as<std::string>()));
    const auto& ack = std::get<wire::Ack>(packet->messages.at(0));
    CHECK(*wire::serf::decode_ping_payload(ack.payload) == wire::serf::Coordinate{});
  }

  TEST_CASE("captured Meta decodes as tags, both the map form and the legacy role form") {
    CHECK(*wire::serf::decode_tags(hex("ff81a4726f6c65a3776562")) ==
          wire::serf::Tags{{"role", "web"}});
    CHECK(*wire::serf::decode_tags(hex("ff82a4726f6c65a3776562a3656e76a470726f64")) ==
          wire::serf::Tags{{"env", "prod"}, {"role", "web"}});
    CHECK(*wire::serf::decode_tags(hex("ff80")) == wire::serf::Tags{});
    CHECK(*wire::serf::decode_tags(hex("6c6567616379")) == wire::serf::Tags{{"role", "legacy"}});
    CHECK(wire::serf::encode_tags(wire::serf::Tags{{"role", "web"}}) ==
          hex("ff81a4726f6c65a3776562"));
  }
}

namespace {

struct StreamExpect {
  const char* id;
  const char* node;
  const char* addr;
  const char* meta;
  const char* vsn;
};

// Expected contents, from the vectors' decoded_text.
constexpr StreamExpect stream_expectations[] = {
    {"tcp-pushpull-plain-join-request", "n2", "7f00007a", "6c6567616379", "010502020502"},
    {"tcp-pushpull-plain-join-reply", "n1", "7f000079", "ff81a4726f6c65a3776562", "010502020505"},
    {"tcp-pushpull-compressed", "n2", "7f000066", "ff81a4726f6c65a26462", "010502020505"},
    {"tcp-pushpull-encrypted", "n2", "7f000070", "ff81a4726f6c65a26462", "010502020505"},
};

}  // namespace

TEST_SUITE("wire.vectors") {
  TEST_CASE("every captured push/pull stream frames, decodes and re-encodes byte for byte") {
    for (const auto& e : stream_expectations) {
      CAPTURE(e.id);
      const auto v = wire_test::vector(e.id);
      // encrypted: the recorded plaintext is what the driver hands us after opening the frame
      const auto framed = hex(v[v["plaintext_hex"] ? "plaintext_hex" : "stream_hex"].as<std::string>());
      const auto raw = hex(v["stream_hex"].as<std::string>());
      CHECK(*wire::stream_frame_length(raw) == raw.size());
      CHECK(*wire::stream_frame_length(framed) == framed.size());
      auto plain = wire::unframe_stream(framed);
      REQUIRE(plain.ok());
      if (v["decompressed_hex"]) CHECK(*plain == hex(v["decompressed_hex"].as<std::string>()));
      auto msg = wire::decode_stream(*plain);
      REQUIRE(msg.ok());
      const auto* pp = std::get_if<wire::PushPull>(&*msg);
      REQUIRE(pp != nullptr);
      CHECK(pp->join);
      REQUIRE(pp->nodes.size() == 1);
      const auto& n = pp->nodes[0];
      CHECK(n.name == e.node);
      CHECK(n.addr == hex(e.addr));
      CHECK(n.meta == hex(e.meta));
      CHECK(vsn_bytes(n.vsn) == hex(e.vsn));
      CHECK(n.incarnation == 1);
      CHECK(n.port == 7946);
      CHECK(n.state == wire::NodeState::alive);
      CHECK(pp->user_state.size() == 586);
      CHECK(wire::encode_stream(*msg) == *plain);
      CHECK(wire::frame_stream(*plain, framed[0] == 9) == framed);

      auto serf = wire::serf::decode_as<wire::serf::PushPull>(pp->user_state);
      REQUIRE(serf.ok());
      CHECK(serf->ltime == 1);
      CHECK(serf->event_ltime == 1);
      CHECK(serf->query_ltime == 1);
      CHECK(serf->left_members.empty());
      CHECK(serf->status_ltimes == std::map<std::string, std::uint64_t>{{e.node, 0}});
      REQUIRE(serf->events.size() == 512);
      for (const auto& slot : serf->events) CHECK_FALSE(slot.has_value());
      CHECK(wire::serf::encode(*serf) == pp->user_state);  // one key: deterministic
    }
  }
}
