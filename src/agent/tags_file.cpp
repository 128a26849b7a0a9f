// Tags file read/write (see tags_file.h). Decoding goes through yaml-cpp like the config files;
// the type errors reproduce encoding/json's texts for a map[string]string target.
#include "agent/tags_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "agent/yaml_json.h"

namespace agent {
namespace {

const char* json_word(JsonType t) {
  switch (t) {
    case JsonType::null: return "null";
    case JsonType::boolean: return "bool";
    case JsonType::number: return "number";
    case JsonType::string: return "string";
    case JsonType::array: return "array";
    case JsonType::object: return "object";
  }
  return "value";
}

util::Error decode_error(std::string_view why) {
  return {util::Errc::malformed, "Failed to decode tags file: " + std::string(why)};
}

}  // namespace

util::Result<serf::Tags> parse_tags_file(const std::string& text) {
  bool blank = text.find_first_not_of(" \t\r\n") == std::string::npos;
  if (blank) return decode_error("unexpected end of JSON input");
  auto doc = parse_document(text);
  if (!doc.ok()) return decode_error(doc.error().detail);
  serf::Tags tags;
  try {
    auto type = json_type(*doc);
    if (type == JsonType::null) return tags;
    if (type != JsonType::object) {
      return decode_error(std::string("json: cannot unmarshal ") + json_word(type) +
                          " into Go value of type map[string]string");
    }
    for (const auto& kv : *doc) {
      auto vt = json_type(kv.second);
      if (vt == JsonType::null) {
        tags[kv.first.Scalar()] = "";
      } else if (vt == JsonType::string) {
        tags[kv.first.Scalar()] = kv.second.Scalar();
      } else {
        return decode_error(std::string("json: cannot unmarshal ") + json_word(vt) +
                            " into Go value of type string");
      }
    }
  } catch (const YAML::Exception& e) {
    return decode_error(e.msg);
  }
  return tags;
}

util::Result<std::optional<serf::Tags>> read_tags_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::optional<serf::Tags>{};
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return util::Error{util::Errc::io,
                       "Failed to read tags file: open " + path + ": " + go_errno_text(errno)};
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  auto tags = parse_tags_file(buf.str());
  if (!tags.ok()) return tags.error();
  return std::optional<serf::Tags>(std::move(*tags));
}

std::string encode_tags_file(const serf::Tags& tags) {
  if (tags.empty()) return "{}";
  std::string out = "{\n";
  bool first = true;
  for (const auto& [k, v] : tags) {
    if (!first) out += ",\n";
    first = false;
    out += "  " + json_quote(k) + ": " + json_quote(v);
  }
  return out + "\n}";
}

util::Status write_tags_file(const std::string& path, const serf::Tags& tags) {
  const std::string data = encode_tags_file(tags);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return util::Error{util::Errc::io,
                       "Failed to write tags file: open " + path + ": " + go_errno_text(errno)};
  }
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return util::Error{util::Errc::io,
                         "Failed to write tags file: write " + path + ": " + go_errno_text(err)};
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    return util::Error{util::Errc::io,
                       "Failed to write tags file: close " + path + ": " + go_errno_text(errno)};
  }
  return {};
}

}  // namespace agent
