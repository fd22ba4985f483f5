#pragma once
// Base64 for the control protocol: SDPs cross stdin/stdout as one line.
#include <optional>
#include <string>
#include <string_view>

namespace driftway::bench {

std::string base64_encode(std::string_view in);
// nullopt on a malformed input.
std::optional<std::string> base64_decode(std::string_view in);

}  // namespace driftway::bench
