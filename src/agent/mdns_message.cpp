// DNS message codec: see mdns_message.h.
#include "agent/mdns_message.h"

#include <map>

#include <fmt/format.h>

namespace agent::mdns {

namespace {

constexpr std::size_t header_bytes = 12;
constexpr std::size_t pointer_offset_max = 0x3fff;  // 14 bits

util::Error truncated(std::string_view what) {
  return {util::Errc::truncated, fmt::format("dns: message ends inside {}", what)};
}
util::Error malformed(std::string_view what) {
  return {util::Errc::malformed, "dns: " + std::string(what)};
}
util::Error invalid(std::string_view what) {
  return {util::Errc::invalid_argument, "dns: " + std::string(what)};
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_label(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// ---- decoding

class Reader {
 public:
  Reader(util::ByteView msg, std::size_t from) : msg_(msg), pos_(from) {}

  [[nodiscard]] std::size_t pos() const { return pos_; }
  [[nodiscard]] std::size_t left() const { return msg_.size() - pos_; }

  // Big-endian fixed-size fields (std::uint16_t, std::uint32_t) of one part, all or none.
  template <typename... Field>
  util::Status fields(std::string_view what, Field&... out) {
    if (left() < (sizeof(Field) + ...)) return truncated(what);
    (take(out), ...);
    return {};
  }
  util::Result<util::Bytes> bytes(std::size_t n, std::string_view what) {
    if (left() < n) return truncated(what);
    util::Bytes out(msg_.begin() + static_cast<std::ptrdiff_t>(pos_),
                    msg_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return out;
  }

  // A name at the cursor. Each pointer must lead strictly before the run of labels it ends,
  // so targets decrease and the walk ends; the hop cap bounds the work anyway.
  util::Result<Name> name() {
    Name out;
    std::size_t cursor = pos_;
    std::size_t run_start = pos_;
    std::size_t wire_bytes = 1;
    std::size_t hops = 0;
    bool jumped = false;
    for (;;) {
      if (cursor >= msg_.size()) return truncated("a name");
      const std::uint8_t len = msg_[cursor];
      if (len == 0) {
        if (!jumped) pos_ = cursor + 1;
        return out;
      }
      if ((len & 0xc0) == 0xc0) {
        if (cursor + 1 >= msg_.size()) return truncated("a name pointer");
        const std::size_t target = (std::size_t{len & 0x3fu} << 8) | msg_[cursor + 1];
        if (target >= run_start) return malformed("name pointer does not point backwards");
        if (++hops > limits::mdns_pointer_hops_max) return malformed("too many name pointers");
        if (!jumped) pos_ = cursor + 2;
        jumped = true;
        cursor = run_start = target;
        continue;
      }
      if ((len & 0xc0) != 0) return malformed("unknown label type");
      if (msg_.size() - cursor - 1 < len) return truncated("a label");
      wire_bytes += len + 1u;
      if (wire_bytes > limits::mdns_name_bytes_max)
        return {util::Errc::too_large, "dns: name longer than 255 bytes"};
      out.emplace_back(reinterpret_cast<const char*>(msg_.data() + cursor + 1), len);
      cursor += len + 1u;
    }
  }

 private:
  void take(std::uint16_t& v) {
    v = util::get_u16be(msg_.data() + pos_);
    pos_ += 2;
  }
  void take(std::uint32_t& v) {
    v = util::get_u32be(msg_.data() + pos_);
    pos_ += 4;
  }

  util::ByteView msg_;
  std::size_t pos_;
};

util::Result<Question> read_question(Reader& r) {
  Question q;
  auto name = r.name();
  if (!name.ok()) return name.error();
  q.name = std::move(*name);
  if (auto s = r.fields("a question", q.type, q.klass); !s.ok()) return s.error();
  return q;
}

util::Status read_txt(Reader& r, std::size_t end, Record& rec) {
  while (r.pos() < end) {
    if (rec.txt.size() == limits::mdns_txt_strings_max)
      return util::Error{util::Errc::too_large, "dns: too many TXT strings"};
    auto len = r.bytes(1, "a TXT string");
    if (!len.ok()) return len.error();
    if (end - r.pos() < (*len)[0]) return malformed("TXT string overruns its record");
    auto text = r.bytes((*len)[0], "a TXT string");
    if (!text.ok()) return text.error();
    rec.txt.emplace_back(text->begin(), text->end());
  }
  return {};
}

// The rdata of `rec.type`, which must fill exactly `rdlength` bytes.
util::Status read_rdata(Reader& r, std::uint16_t rdlength, Record& rec) {
  if (r.left() < rdlength) return truncated("record data");
  const std::size_t end = r.pos() + rdlength;
  switch (rec.type) {
    case rrtype::a:
    case rrtype::aaaa: {
      if (rdlength != (rec.type == rrtype::a ? 4u : 16u))
        return malformed("address record of the wrong size");
      auto ip = r.bytes(rdlength, "an address");
      if (!ip.ok()) return ip.error();
      rec.address = std::move(*ip);
      break;
    }
    case rrtype::srv:
      if (auto s = r.fields("an SRV record", rec.priority, rec.weight, rec.port); !s.ok()) return s;
      [[fallthrough]];
    case rrtype::ptr: {
      if (r.pos() > end) return malformed("record data overruns its length");
      auto target = r.name();
      if (!target.ok()) return target.error();
      rec.target = std::move(*target);
      break;
    }
    case rrtype::txt:
      if (auto s = read_txt(r, end, rec); !s.ok()) return s;
      break;
    default: {
      auto raw = r.bytes(rdlength, "record data");
      if (!raw.ok()) return raw.error();
      rec.rdata = std::move(*raw);
    }
  }
  if (r.pos() != end) return malformed("record data does not match its length");
  return {};
}

util::Result<Record> read_record(Reader& r) {
  Record rec;
  auto name = r.name();
  if (!name.ok()) return name.error();
  rec.name = std::move(*name);
  std::uint16_t rdlength = 0;
  auto fixed = r.fields("a record", rec.type, rec.klass, rec.ttl, rdlength);
  if (!fixed.ok()) return fixed.error();
  if (auto s = read_rdata(r, rdlength, rec); !s.ok()) return s.error();
  return rec;
}

util::Status read_records(Reader& r, std::size_t count, std::vector<Record>& out) {
  for (std::size_t i = 0; i < count; ++i) {
    auto rec = read_record(r);
    if (!rec.ok()) return rec.error();
    out.push_back(std::move(*rec));
  }
  return {};
}

// ---- encoding

class Writer {
 public:
  util::Bytes out;

  // Writes `name`, ending in a pointer to an earlier copy of a suffix when `compress`.
  // Every suffix written in full becomes a pointer target for later names.
  util::Status name(const Name& name, bool compress) {
    std::size_t wire_bytes = 1;
    for (auto& label : name) {
      if (label.empty() || label.size() > limits::mdns_label_bytes_max)
        return invalid("label empty or longer than 63 bytes");
      wire_bytes += label.size() + 1;
    }
    if (wire_bytes > limits::mdns_name_bytes_max)
      return invalid("name longer than 255 bytes");
    for (std::size_t i = 0; i < name.size(); ++i) {
      const std::string key = suffix_key(name, i);
      if (auto it = offsets_.find(key); compress && it != offsets_.end()) {
        util::put_u16be(out, static_cast<std::uint16_t>(0xc000 | it->second));
        return {};
      }
      if (out.size() <= pointer_offset_max)
        offsets_.emplace(key, static_cast<std::uint16_t>(out.size()));
      out.push_back(static_cast<std::uint8_t>(name[i].size()));
      out.insert(out.end(), name[i].begin(), name[i].end());
    }
    out.push_back(0);
    return {};
  }

 private:
  // The wire form of labels [from, end). Exact bytes, so decoding gives back each spelling.
  static std::string suffix_key(const Name& name, std::size_t from) {
    std::string key;
    for (std::size_t i = from; i < name.size(); ++i) {
      key.push_back(static_cast<char>(name[i].size()));
      key += name[i];
    }
    return key;
  }

  std::map<std::string, std::uint16_t> offsets_;
};

util::Status write_rdata(Writer& w, const Record& rec) {
  switch (rec.type) {
    case rrtype::a:
    case rrtype::aaaa:
      if (rec.address.size() != (rec.type == rrtype::a ? 4u : 16u))
        return invalid("address record of the wrong size");
      w.out.insert(w.out.end(), rec.address.begin(), rec.address.end());
      return {};
    case rrtype::srv:
      util::put_u16be(w.out, rec.priority);
      util::put_u16be(w.out, rec.weight);
      util::put_u16be(w.out, rec.port);
      return w.name(rec.target, false);
    case rrtype::ptr:
      return w.name(rec.target, true);
    case rrtype::txt:
      for (auto& s : rec.txt) {
        if (s.size() > limits::mdns_txt_string_bytes_max)
          return invalid("TXT string longer than 255 bytes");
        w.out.push_back(static_cast<std::uint8_t>(s.size()));
        w.out.insert(w.out.end(), s.begin(), s.end());
      }
      return {};
    default:
      w.out.insert(w.out.end(), rec.rdata.begin(), rec.rdata.end());
      return {};
  }
}

util::Status write_record(Writer& w, const Record& rec) {
  if (auto s = w.name(rec.name, true); !s.ok()) return s;
  util::put_u16be(w.out, rec.type);
  util::put_u16be(w.out, rec.klass);
  util::put_u32be(w.out, rec.ttl);
  const std::size_t length_at = w.out.size();
  util::put_u16be(w.out, 0);
  if (auto s = write_rdata(w, rec); !s.ok()) return s;
  const std::size_t rdlength = w.out.size() - length_at - 2;
  if (rdlength > 0xffff) return invalid("record data over 65535 bytes");
  w.out[length_at] = static_cast<std::uint8_t>(rdlength >> 8);
  w.out[length_at + 1] = static_cast<std::uint8_t>(rdlength);
  return {};
}

std::uint16_t flags_of(const Message& m) {
  return static_cast<std::uint16_t>((m.response ? 0x8000 : 0) | ((m.opcode & 0xf) << 11) |
                                    (m.authoritative ? 0x0400 : 0) | (m.truncated ? 0x0200 : 0) |
                                    (m.recursion_desired ? 0x0100 : 0) | (m.rcode & 0xf));
}

}  // namespace

util::Result<Message> decode(util::ByteView bytes) {
  if (bytes.size() > limits::mdns_message_bytes_max)
    return util::Error{util::Errc::too_large, "dns: message over 65535 bytes"};
  if (bytes.size() < header_bytes) return truncated("the header");
  Message m;
  m.id = util::get_u16be(bytes.data());
  const std::uint16_t flags = util::get_u16be(bytes.data() + 2);
  m.response = (flags & 0x8000) != 0;
  m.opcode = static_cast<std::uint8_t>((flags >> 11) & 0xf);
  m.authoritative = (flags & 0x0400) != 0;
  m.truncated = (flags & 0x0200) != 0;
  m.recursion_desired = (flags & 0x0100) != 0;
  m.rcode = static_cast<std::uint8_t>(flags & 0xf);
  const std::size_t qd = util::get_u16be(bytes.data() + 4);
  const std::size_t an = util::get_u16be(bytes.data() + 6);
  const std::size_t ns = util::get_u16be(bytes.data() + 8);
  const std::size_t ar = util::get_u16be(bytes.data() + 10);
  if (qd > limits::mdns_questions_max)
    return util::Error{util::Errc::too_large, fmt::format("dns: {} questions", qd)};
  if (an + ns + ar > limits::mdns_records_max)
    return util::Error{util::Errc::too_large, fmt::format("dns: {} records", an + ns + ar)};

  Reader r(bytes, header_bytes);
  for (std::size_t i = 0; i < qd; ++i) {
    auto q = read_question(r);
    if (!q.ok()) return q.error();
    m.questions.push_back(std::move(*q));
  }
  if (auto s = read_records(r, an, m.answers); !s.ok()) return s.error();
  if (auto s = read_records(r, ns, m.authorities); !s.ok()) return s.error();
  if (auto s = read_records(r, ar, m.additionals); !s.ok()) return s.error();
  if (r.left() != 0) return malformed(fmt::format("{} trailing bytes", r.left()));
  return m;
}

util::Result<util::Bytes> encode(const Message& m) {
  if (m.questions.size() > 0xffff || m.answers.size() > 0xffff || m.authorities.size() > 0xffff ||
      m.additionals.size() > 0xffff)
    return invalid("too many entries in a section");
  Writer w;
  util::put_u16be(w.out, m.id);
  util::put_u16be(w.out, flags_of(m));
  for (std::size_t n :
       {m.questions.size(), m.answers.size(), m.authorities.size(), m.additionals.size()})
    util::put_u16be(w.out, static_cast<std::uint16_t>(n));
  for (auto& q : m.questions) {
    if (auto s = w.name(q.name, true); !s.ok()) return s.error();
    util::put_u16be(w.out, q.type);
    util::put_u16be(w.out, q.klass);
  }
  for (auto* section : {&m.answers, &m.authorities, &m.additionals})
    for (auto& rec : *section)
      if (auto s = write_record(w, rec); !s.ok()) return s.error();
  if (w.out.size() > limits::mdns_message_bytes_max)
    return util::Error{util::Errc::too_large, "dns: message over 65535 bytes"};
  return std::move(w.out);
}

util::Result<Name> parse_name(std::string_view dotted) {
  if (!dotted.empty() && dotted.back() == '.') dotted.remove_suffix(1);
  Name name;
  std::size_t wire_bytes = 1;
  while (!dotted.empty()) {
    const auto dot = dotted.find('.');
    const std::string_view label = dotted.substr(0, dot);
    if (label.empty()) return util::Error{util::Errc::invalid_argument, "empty label"};
    if (label.size() > limits::mdns_label_bytes_max)
      return util::Error{util::Errc::invalid_argument,
                         fmt::format("label '{}' longer than 63 bytes", label.substr(0, 128))};
    wire_bytes += label.size() + 1;
    name.emplace_back(label);
    if (dot == std::string_view::npos) break;
    dotted.remove_prefix(dot + 1);
    if (dotted.empty()) return util::Error{util::Errc::invalid_argument, "empty label"};
  }
  if (wire_bytes > limits::mdns_name_bytes_max)
    return util::Error{util::Errc::invalid_argument, "name longer than 255 bytes"};
  return name;
}

std::string to_string(const Name& name) {
  std::string out;
  for (auto& label : name) {
    for (unsigned char c : label) {
      if (c == '.' || c == '\\') {
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
      } else if (c < 0x21 || c > 0x7e) {
        out += fmt::format("\\{:03d}", c);
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
    out.push_back('.');
  }
  return out.empty() ? "." : out;
}

bool same_name(const Name& a, const Name& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same_label(a[i], b[i])) return false;
  return true;
}

bool is_below(const Name& name, const Name& suffix) {
  if (name.size() <= suffix.size()) return false;
  const std::size_t skip = name.size() - suffix.size();
  for (std::size_t i = 0; i < suffix.size(); ++i)
    if (!same_label(name[skip + i], suffix[i])) return false;
  return true;
}

}  // namespace agent::mdns
