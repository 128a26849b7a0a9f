// Config files: decode_config() and read_config_paths() of config.h. A file is decoded into a
// blank layer the way Serf's DecodeConfig does it (encoding/json into interface{}, then
// mapstructure with ErrorUnused): keys match case-insensitively, null values are skipped, type
// errors and unknown keys are collected and reported together in mapstructure's format, and
// the duration strings are parsed afterwards (first failure reported bare, like Serf).
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <sstream>
#include <type_traits>
#include <variant>

#include "agent/config.h"
#include "agent/yaml_json.h"
#include "util/duration.h"

namespace agent {
namespace {

struct DurationKey {
  util::Duration Config::*field;
};
struct TagsKey {};
struct MdnsKey {};
using Target = std::variant<std::string Config::*, int Config::*, bool Config::*,
                            std::vector<std::string> Config::*, DurationKey, TagsKey, MdnsKey>;

struct Key {
  const char* name;
  Target target;
};

// Every key Serf's agent accepts (HEAD), in its struct order.
const Key keys[] = {
    {"node_name", &Config::node_name},
    {"role", &Config::role},
    {"disable_coordinates", &Config::disable_coordinates},
    {"tags", TagsKey{}},
    {"tags_file", &Config::tags_file},
    {"bind", &Config::bind},
    {"advertise", &Config::advertise},
    {"encrypt_key", &Config::encrypt_key},
    {"keyring_file", &Config::keyring_file},
    {"log_level", &Config::log_level},
    {"rpc_addr", &Config::rpc_addr},
    {"rpc_auth", &Config::rpc_auth},
    {"protocol", &Config::protocol},
    {"replay_on_join", &Config::replay_on_join},
    {"query_response_size_limit", &Config::query_response_size_limit},
    {"query_size_limit", &Config::query_size_limit},
    {"user_event_size_limit", &Config::user_event_size_limit},
    {"start_join", &Config::start_join},
    {"event_handlers", &Config::event_handlers},
    {"profile", &Config::profile},
    {"snapshot_path", &Config::snapshot_path},
    {"leave_on_terminate", &Config::leave_on_terminate},
    {"skip_leave_on_interrupt", &Config::skip_leave_on_interrupt},
    {"discover", &Config::discover},
    {"mdns", MdnsKey{}},
    {"interface", &Config::interface},
    {"reconnect_interval", DurationKey{&Config::reconnect_interval}},
    {"reconnect_timeout", DurationKey{&Config::reconnect_timeout}},
    {"tombstone_timeout", DurationKey{&Config::tombstone_timeout}},
    {"disable_name_resolution", &Config::disable_name_resolution},
    {"enable_syslog", &Config::enable_syslog},
    {"syslog_facility", &Config::syslog_facility},
    {"retry_join", &Config::retry_join},
    {"retry_max_attempts", &Config::retry_max_attempts},
    {"retry_interval", DurationKey{&Config::retry_interval}},
    {"rejoin_after_leave", &Config::rejoin_after_leave},
    {"enable_compression", &Config::enable_compression},
    {"statsite_addr", &Config::statsite_addr},
    {"statsd_addr", &Config::statsd_addr},
    {"broadcast_timeout", DurationKey{&Config::broadcast_timeout}},
    {"validate_node_names", &Config::validate_node_names},
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lower(x) == lower(y);
         });
}

// Collects mapstructure-style errors while decoding one document.
struct Decoder {
  std::vector<std::string> errors;
  std::vector<std::pair<DurationKey, std::string>> durations;  // raw strings, in key order

  void type_error(const std::string& path, const char* want, const YAML::Node& v) {
    errors.push_back("'" + path + "' expected type '" + want + "', got unconvertible type '" +
                     go_type_name(json_type(v)) + "', value: '" + go_value_string(v) + "'");
  }

  void string_value(const std::string& path, const YAML::Node& v, std::string& out) {
    auto t = json_type(v);
    if (t == JsonType::null) return;
    if (t != JsonType::string) return type_error(path, "string", v);
    out = v.Scalar();
  }

  void int_value(const std::string& path, const YAML::Node& v, int& out) {
    double d = 0;
    if (json_type(v) == JsonType::null) return;
    if (!json_number(v, d)) return type_error(path, "int", v);
    d = std::clamp(d, static_cast<double>(INT_MIN), static_cast<double>(INT_MAX));
    out = static_cast<int>(d);  // Go's int64(float64) truncates
  }

  void bool_value(const std::string& path, const YAML::Node& v, bool& out) {
    auto t = json_type(v);
    if (t == JsonType::null) return;
    if (t != JsonType::boolean) return type_error(path, "bool", v);
    out = v.Scalar()[0] == 't' || v.Scalar()[0] == 'T';
  }

  void list_value(const std::string& path, const YAML::Node& v, std::vector<std::string>& out) {
    auto t = json_type(v);
    if (t == JsonType::null) return;
    if (t != JsonType::array) {
      errors.push_back("'" + path + "': source data must be an array or slice, got " +
                       go_kind_name(t));
      return;
    }
    out.assign(v.size(), std::string());
    for (std::size_t i = 0; i < v.size(); ++i) {
      string_value(path + "[" + std::to_string(i) + "]", v[i], out[i]);
    }
  }

  void tags_value(const YAML::Node& v, serf::Tags& out) {
    auto t = json_type(v);
    if (t == JsonType::null) return;
    if (t != JsonType::object) {
      errors.push_back(std::string("'tags' expected a map, got '") + go_kind_name(t) + "'");
      return;
    }
    for (const auto& kv : v) {
      std::string& slot = out[kv.first.Scalar()];
      string_value("tags[" + kv.first.Scalar() + "]", kv.second, slot);
    }
  }

  void mdns_value(const YAML::Node& v, MdnsConfig& out) {
    auto t = json_type(v);
    if (t == JsonType::null) return;
    if (t != JsonType::object) {
      errors.push_back(std::string("'mdns' expected a map, got '") + go_kind_name(t) + "'");
      return;
    }
    std::vector<std::string> unused;
    for (const auto& kv : v) {
      const std::string& k = kv.first.Scalar();
      if (iequals(k, "interface")) {
        string_value("mdns.interface", kv.second, out.interface);
      } else if (iequals(k, "disable_ipv4")) {
        bool_value("mdns.disable_ipv4", kv.second, out.disable_ipv4);
      } else if (iequals(k, "disable_ipv6")) {
        bool_value("mdns.disable_ipv6", kv.second, out.disable_ipv6);
      } else {
        unused.push_back(k);
      }
    }
    invalid_keys("mdns", unused);
  }

  void invalid_keys(const std::string& path, std::vector<std::string> unused) {
    if (unused.empty()) return;
    std::sort(unused.begin(), unused.end());
    std::string line = "'" + path + "' has invalid keys: ";
    for (std::size_t i = 0; i < unused.size(); ++i) line += (i ? ", " : "") + unused[i];
    errors.push_back(line);
  }

  void field(const Key& key, const YAML::Node& v, Config& c) {
    const std::string path = key.name;
    std::visit(
        [&](const auto& t) {
          using T = std::decay_t<decltype(t)>;
          if constexpr (std::is_same_v<T, std::string Config::*>) {
            string_value(path, v, c.*t);
          } else if constexpr (std::is_same_v<T, int Config::*>) {
            int_value(path, v, c.*t);
          } else if constexpr (std::is_same_v<T, bool Config::*>) {
            bool_value(path, v, c.*t);
          } else if constexpr (std::is_same_v<T, std::vector<std::string> Config::*>) {
            list_value(path, v, c.*t);
          } else if constexpr (std::is_same_v<T, DurationKey>) {
            std::string raw;
            string_value(path, v, raw);
            durations.emplace_back(t, raw);
          } else if constexpr (std::is_same_v<T, TagsKey>) {
            tags_value(v, c.tags);
          } else {
            mdns_value(v, c.mdns);
          }
        },
        key.target);
  }
};

const Key* find_key(std::string_view name) {
  for (const auto& k : keys) {
    if (name == k.name) return &k;
  }
  for (const auto& k : keys) {
    if (iequals(name, k.name)) return &k;
  }
  return nullptr;
}

util::Result<Config> decode_node(const YAML::Node& doc) {
  Config c = blank_config();
  auto type = json_type(doc);
  if (type == JsonType::null) return c;
  if (type != JsonType::object) {
    return util::Error{util::Errc::config,
                       std::string("'' expected a map, got '") + go_kind_name(type) + "'"};
  }
  Decoder d;
  std::vector<std::string> unused;
  for (const auto& kv : doc) {
    const Key* key = find_key(kv.first.Scalar());
    if (key == nullptr) {
      unused.push_back(kv.first.Scalar());
    } else {
      d.field(*key, kv.second, c);
    }
  }
  d.invalid_keys("", unused);
  if (!d.errors.empty()) {
    std::sort(d.errors.begin(), d.errors.end());
    std::string msg = std::to_string(d.errors.size()) + " error(s) decoding:\n";
    for (const auto& e : d.errors) msg += "\n* " + e;
    return util::Error{util::Errc::config, msg};
  }
  // Serf parses the durations in its struct order, which is our key order.
  for (const auto& [key, raw] : d.durations) {
    if (raw.empty()) continue;
    auto dur = util::parse_go_duration(raw);
    if (!dur.ok()) return util::Error{util::Errc::config, dur.error().detail};
    c.*key.field = *dur;
  }
  return c;
}

util::Error reading_error(const std::string& path, int err) {
  return {util::Errc::io, "Error reading '" + path + "': open " + path + ": " + go_errno_text(err)};
}

util::Result<Config> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return reading_error(path, errno);
  std::ostringstream buf;
  buf << in.rdbuf();
  auto layer = decode_config(buf.str());
  if (!layer.ok()) {
    return util::Error{util::Errc::config,
                       "Error decoding '" + path + "': " + layer.error().detail};
  }
  return layer;
}

bool config_file_name(std::string_view name) {
  auto ends = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  return ends(".json") || ends(".yaml") || ends(".yml");
}

// The config files of a directory, lexical order, not recursive.
util::Result<std::vector<std::string>> dir_files(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return reading_error(path, errno);
  std::string base = path;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name == "." || name == ".." || !config_file_name(name)) continue;
    struct stat st {};
    std::string full = (base == "/" ? "" : base) + "/" + name;
    if (::lstat(full.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
    names.push_back(full);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

util::Result<Config> decode_config(const std::string& text) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return util::Error{util::Errc::config, "EOF"};
  }
  auto doc = parse_document(text);
  if (!doc.ok()) return util::Error{util::Errc::config, doc.error().detail};
  try {
    return decode_node(*doc);
  } catch (const YAML::Exception& e) {
    return util::Error{util::Errc::config, e.msg};
  }
}

util::Result<Config> read_config_paths(std::span<const std::string> paths) {
  Config result = blank_config();
  for (const auto& path : paths) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return reading_error(path, errno);
    std::vector<std::string> files;
    if (S_ISDIR(st.st_mode)) {
      auto listed = dir_files(path);
      if (!listed.ok()) return listed.error();
      files = std::move(*listed);
    } else {
      files.push_back(path);
    }
    for (const auto& file : files) {
      auto layer = read_file(file);
      if (!layer.ok()) return layer.error();
      result = merge_config(result, *layer);
    }
  }
  return result;
}

}  // namespace agent
