#pragma once
// Pure rules for fields of the space and channel endpoints: channel names,
// timestamps sent by clients, invite codes. Parsers of untrusted text here
// never throw.
#include "driftway/store/text_models.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace driftway::text::routes {

// Text channels and threads are named like "release-notes": ASCII letters
// lowercased and each run of whitespace turned into one '-'. Other channel
// types keep the name as given. The input is already trimmed and validated
// UTF-8; multi-byte characters pass through untouched.
std::string normalize_channel_name(store::channel_type type, std::string_view name);

// RFC 3339 date-time (2026-05-01T12:00:00Z, optional fraction, Z or ±hh:mm
// offset) to Unix milliseconds. nullopt when malformed or out of range.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text) noexcept;

// A fresh invite code: invite_code_length characters of [A-Za-z0-9] from the
// OS CSPRNG (62^8 ≈ 2^47 codes, so guessing one is impractical).
inline constexpr std::size_t invite_code_length = 8;
std::string make_invite_code();
// Whether text could be an invite code at all (before asking storage).
bool plausible_invite_code(std::string_view text) noexcept;

}  // namespace driftway::text::routes
