// Full-text search over messages with SQLite FTS5 (messages_fts, kept in step
// by triggers; see migration 2).
#include "sqlite/message_details.hpp"
#include "sqlite/text_repositories.hpp"
#include "sqlite/text_rows.hpp"

namespace driftway::store::sqlite {

namespace {

// Private-use code points (U+E000, U+E001) that highlight() puts around each
// match; they become <mark> and </mark> after the text around them has been
// HTML-escaped.
constexpr std::string_view open_marker = "\xEE\x80\x80";
constexpr std::string_view close_marker = "\xEE\x80\x81";

// Spaces and control characters separate terms. NUL must never reach FTS5,
// which reads the query as a C string and would see it cut short.
bool is_separator(char ch) {
    return static_cast<unsigned char>(ch) <= 0x20;
}

// The user's words as an FTS5 query that cannot be anything else: every term
// a quoted string (quotes inside doubled), so operators (AND, NEAR, -, ^, :,
// parentheses) are plain text, and the last term a prefix so that results
// follow typing. Terms are ANDed. Empty for a blank query.
std::string to_fts_query(std::string_view text) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_separator(text[i])) ++i;
        if (i == text.size()) break;
        if (!out.empty()) out += ' ';
        out += '"';
        for (; i < text.size() && !is_separator(text[i]); ++i) {
            if (text[i] == '"') out += '"';
            out += text[i];
        }
        out += '"';
    }
    if (!out.empty()) out += '*';
    return out;
}

// Length of the UTF-8 sequence that starts with lead (1 for a stray byte).
std::size_t sequence_length(unsigned char lead) {
    if (lead >= 0xF0 && lead <= 0xF4) return 4;
    if (lead >= 0xE0) return lead <= 0xEF ? 3 : 1;
    if (lead >= 0xC2) return 2;
    return 1;
}

void append_escaped(std::string& out, std::string_view text) {
    for (const char ch : text) {
        switch (ch) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += ch;
        }
    }
}

// marked is content with markers inserted by highlight(). Walking both side
// by side tells inserted markers from the same characters typed by the user
// (who may type U+E000 too): a character that matches the content's next one
// is content, anything else is a marker. Only markers become tags.
std::string render_highlight(std::string_view marked, std::string_view content) {
    std::string out;
    out.reserve(marked.size() + marked.size() / 4);
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < marked.size()) {
        if (j < content.size()) {
            const auto n = std::min(sequence_length(static_cast<unsigned char>(content[j])),
                                    content.size() - j);
            if (marked.substr(i, n) == content.substr(j, n)) {
                append_escaped(out, content.substr(j, n));
                i += n;
                j += n;
                continue;
            }
        }
        if (marked.substr(i, open_marker.size()) == open_marker) {
            out += "<mark>";
            i += open_marker.size();
        } else if (marked.substr(i, close_marker.size()) == close_marker) {
            out += "</mark>";
            i += close_marker.size();
        } else {
            // Not produced by highlight(); kept as text.
            append_escaped(out, marked.substr(i, 1));
            ++i;
        }
    }
    return out;
}

}  // namespace

// Ranked by bm25 (best first; SQLite's bm25() is lower for better matches),
// newer first among equals.
task<std::vector<search_hit>> message_repo::search(std::string query, std::vector<id_t> channel_ids,
                                                   id_t author_id, id_t before, int limit,
                                                   id_t viewer) {
    const auto match = to_fts_query(query);
    if (match.empty() || channel_ids.empty() || limit <= 0) co_return std::vector<search_hit>{};
    co_return co_await exec_.read([&](connection& c) {
        auto st = c.prepare(
            "SELECT m.id, m.channel_id, m.author_id, m.content, m.created_at, m.edited_at,"
            " m.reply_to, m.pinned, m.nonce, m.mention_everyone, m.thread_id,"
            " highlight(messages_fts, 0, ?6, ?7), bm25(messages_fts)"
            " FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid"
            " WHERE messages_fts MATCH ?1"
            " AND m.channel_id IN (SELECT value FROM json_each(?2))"
            " AND (?3 = 0 OR m.author_id = ?3) AND m.id < ?4"
            " ORDER BY bm25(messages_fts), m.id DESC LIMIT ?5");
        st.bind(match, id_list(channel_ids), author_id,
                before != 0 ? static_cast<std::int64_t>(before) : max_id, limit, open_marker,
                close_marker);
        std::vector<message> found;
        std::vector<search_hit> hits;
        while (st.step()) {
            found.push_back(read_message(st));
            auto& hit = hits.emplace_back();
            hit.highlighted = render_highlight(st.text(11), found.back().content);
            hit.rank = st.real(12);
        }
        load_details(c, found, viewer);
        for (std::size_t i = 0; i < hits.size(); ++i) hits[i].msg = std::move(found[i]);
        return hits;
    });
}

}  // namespace driftway::store::sqlite
