// The tags file (-tags-file, serf-behaviour.md §5.3): a JSON object of tag name -> value,
// written with 2-space indentation and mode 0600 (tags may be sensitive), read at start if it
// exists and rewritten on every tag change. Error texts are Serf's, without the agent's
// "Failed to setup the Serf agent: " prefix.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "serf/node.h"
#include "util/result.h"

namespace agent {

// Decodes the file's contents. "null" is no tags. Errors: "Failed to decode tags file: ...",
// e.g. "json: cannot unmarshal number into Go value of type string".
util::Result<serf::Tags> parse_tags_file(const std::string& text);

// Reads and decodes `path`; nullopt if the file does not exist (Serf then starts with no tags
// and creates the file on the first change). Errors: "Failed to read tags file: ...".
util::Result<std::optional<serf::Tags>> read_tags_file(const std::string& path);

// Go's json.MarshalIndent(tags, "", "  "): keys sorted, no trailing newline, "{}" when empty.
std::string encode_tags_file(const serf::Tags& tags);

// Writes encode_tags_file(tags) to `path` (created with mode 0600, truncated if it exists).
// Errors: "Failed to write tags file: open PATH: permission denied".
util::Status write_tags_file(const std::string& path, const serf::Tags& tags);

}  // namespace agent
