#include "messages/mentions.hpp"

#include "driftway/core/json.hpp"

#include <algorithm>

namespace driftway::text::messages {

namespace {

constexpr std::string_view everyone_token = "@everyone";

bool is_word_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// `@everyone` counts as a token of its own: not inside `foo@everyone` (an
// address) nor as the start of `@everyones`.
bool everyone_at(std::string_view s, std::size_t at) noexcept {
    if (s.compare(at, everyone_token.size(), everyone_token) != 0) return false;
    if (at > 0 && is_word_char(s[at - 1])) return false;
    const auto end = at + everyone_token.size();
    return end == s.size() || !is_word_char(s[end]);
}

}  // namespace

parsed_mentions parse_mentions(std::string_view content) noexcept {
    parsed_mentions out;
    try {
        for (std::size_t i = 0; i < content.size(); ++i) {
            if (content[i] != '@') continue;
            if (!out.everyone && everyone_at(content, i)) {
                out.everyone = true;
                continue;
            }
            if (i == 0 || content[i - 1] != '<') continue;
            std::size_t start = i + 1;
            if (start < content.size() && content[start] == '!') ++start;
            const auto close = content.find('>', start);
            // An id has at most 20 digits; anything longer is not a mention.
            if (close == std::string_view::npos || close - start > 20) continue;
            const auto id = json::parse_id(content.substr(start, close - start));
            if (!id) continue;
            if (std::find(out.user_ids.begin(), out.user_ids.end(), *id) != out.user_ids.end())
                continue;
            if (out.user_ids.size() == max_user_mentions) continue;
            out.user_ids.push_back(*id);
            i = close;
        }
    } catch (...) {
        // Only allocation can throw here; keep what was found.
    }
    return out;
}

}  // namespace driftway::text::messages
