#pragma once
// Just enough JSON reading for a load generator. The hot path looks for
// fixed markers of compact JSON (`"t":"MESSAGE_CREATE"`, `"ts":`) with
// memmem and never builds a document; setup responses are read with a
// scanner that only tracks nesting to find a top-level field.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loadgen::json {

// Position just past the first occurrence of marker, or npos.
std::size_t find_after(std::string_view text, std::string_view marker);

bool contains(std::string_view text, std::string_view marker);

// The unsigned decimal right after the first occurrence of marker.
std::optional<std::uint64_t> number_after(std::string_view text, std::string_view marker);

// The value of a field of the outermost object: a string's contents
// (escapes other than \" \\ \/ left as they are) or a scalar's text.
// nullopt when absent, when the value is an object or array, or on malformed input.
std::optional<std::string> top_level_field(std::string_view json, std::string_view key);

// key as a JSON string literal's contents (escapes " \ and control characters).
std::string escape(std::string_view text);

}  // namespace loadgen::json
