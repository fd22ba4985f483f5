#pragma once
// Mentions in message content: `<@id>` (and Discord's `<@!id>` nickname
// form) name users; `@everyone` names every member of the space. Parsing is
// purely syntactic; whether an id is a member, and whether the author may
// mention everyone, is decided by the caller.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace driftway::text::messages {

// More distinct user mentions than this in one message are ignored: a
// message of 2000 characters could otherwise name ~80 users and each costs a
// membership lookup and a read-state update.
inline constexpr std::size_t max_user_mentions = 50;

struct parsed_mentions {
    std::vector<std::uint64_t> user_ids;  // distinct, in order of appearance
    bool everyone = false;
};

// Never throws on any input (allocation failure yields what was parsed so far).
parsed_mentions parse_mentions(std::string_view content) noexcept;

}  // namespace driftway::text::messages
