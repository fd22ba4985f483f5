// Full-text search over messages with PostgreSQL: the generated tsvector
// messages.search and its GIN index (migration 2), ranked by ts_rank and
// highlighted by ts_headline. Results match the SQLite backend's: every term
// must match, the last one as a prefix; case and diacritics fold; the
// highlighted text is the content HTML-escaped with <mark> around matches.
#include "postgres/message_details.hpp"
#include "postgres/text_repositories.hpp"
#include "postgres/text_rows.hpp"

namespace driftway::store::postgres {

namespace {

// ts_headline puts these around each match. They are ASCII control
// characters, which the text given to ts_headline never holds (every ASCII
// character that is not a letter or digit became a space, see migration 2),
// so each one found in its output is a marker, whatever the user typed.
constexpr char open_marker = '\x01';
constexpr char close_marker = '\x02';

bool ascii_alnum(unsigned char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

// Length of the valid UTF-8 sequence of a non-ASCII character at text[i], 0
// when the bytes there are not one (stray, overlong, surrogate, truncated).
std::size_t utf8_length(std::string_view text, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
    const auto cont = [&](std::size_t k) { return i + k < text.size() && (b(k) & 0xC0) == 0x80; };
    const unsigned char lead = b(0);
    if (lead >= 0xC2 && lead <= 0xDF) return cont(1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        if (lead == 0xE0 && b(1) < 0xA0) return 0;  // overlong
        if (lead == 0xED && b(1) > 0x9F) return 0;  // surrogate
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        if (lead == 0xF0 && b(1) < 0x90) return 0;
        if (lead == 0xF4 && b(1) > 0x8F) return 0;
        return 4;
    }
    return 0;
}

// The user's words as a to_tsquery() text that cannot be anything else. Words
// split where the index splits them (runs of ASCII letters and digits and of
// other valid UTF-8 characters); each becomes a quoted operand (no quote or
// backslash can be inside, those are ASCII punctuation). The pieces of one
// space-separated term must follow each other (<->), as in an FTS5 phrase;
// terms are ANDed and the last piece is a prefix (:*) so that results follow
// typing. Empty for a query without words. Invalid UTF-8 and NUL never reach
// the server.
std::string to_tsquery_text(std::string_view text) {
    std::string out;
    std::size_t i = 0;
    bool in_term = false;  // a piece of the current space-separated term was written
    while (i < text.size()) {
        const auto ch = static_cast<unsigned char>(text[i]);
        if (ch <= 0x20) {  // spaces and control characters separate terms
            in_term = false;
            ++i;
            continue;
        }
        std::string piece;
        while (i < text.size()) {
            const auto c = static_cast<unsigned char>(text[i]);
            if (ascii_alnum(c)) {
                piece += static_cast<char>(c);
                ++i;
            } else if (c >= 0x80) {
                const auto n = utf8_length(text, i);
                if (n == 0) break;
                piece.append(text.substr(i, n));
                i += n;
            } else {
                break;
            }
        }
        if (piece.empty()) {
            // Punctuation or an invalid byte: splits pieces, not terms.
            if (ch > 0x20) ++i;
            continue;
        }
        if (!out.empty()) out += in_term ? " <-> " : " & ";
        out += '\'';
        out += piece;
        out += '\'';
        in_term = true;
    }
    if (!out.empty()) out += ":*";
    return out;
}

void append_escaped(std::string& out, char ch) {
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

// marked is ts_headline's output for `words` (the content with ASCII
// punctuation turned into spaces, byte for byte the same length). It is words
// with markers inserted, except that the parser drops some characters it
// does not keep as text (private-use ones, for instance). Walking both side by
// side rebuilds the content: a byte that matches the next byte of words is
// content, a marker becomes a tag, and a byte of words missing from marked is
// taken from the content all the same.
std::string render_highlight(std::string_view marked, std::string_view words,
                             std::string_view content) {
    std::string out;
    out.reserve(content.size() + content.size() / 4);
    std::size_t i = 0;
    std::size_t j = 0;
    while (j < content.size() || i < marked.size()) {
        if (i < marked.size() && marked[i] == open_marker) {
            out += "<mark>";
            ++i;
        } else if (i < marked.size() && marked[i] == close_marker) {
            out += "</mark>";
            ++i;
        } else if (j < content.size() && i < marked.size() && j < words.size() &&
                   marked[i] == words[j]) {
            append_escaped(out, content[j]);
            ++i;
            ++j;
        } else if (j < content.size()) {
            append_escaped(out, content[j]);  // dropped by the parser
            ++j;
        } else {
            ++i;  // nothing left to align with
        }
    }
    return out;
}

}  // namespace

// Ranked by ts_rank, best first, newer first among equals. The rank reported
// is the negated ts_rank, so that lower is better as with the SQLite
// backend's bm25.
task<std::vector<search_hit>> message_repo::search(std::string query, std::vector<id_t> channel_ids,
                                                   id_t author_id, id_t before, int limit,
                                                   id_t viewer) {
    const auto tsquery = to_tsquery_text(query);
    if (tsquery.empty() || channel_ids.empty() || limit <= 0) co_return std::vector<search_hit>{};
    co_return co_await exec_.read([&](connection& c) {
        auto st = c.prepare(
            "WITH q AS (SELECT to_tsquery('driftway_search', $1) AS query)"
            " SELECT m.id, m.channel_id, m.author_id, m.content, m.created_at, m.edited_at,"
            " m.reply_to, m.pinned, m.nonce, m.mention_everyone, m.thread_id,"
            " ts_headline('driftway_search', w.words, q.query,"
            " 'HighlightAll=true, StartSel=\x01, StopSel=\x02'),"
            " -ts_rank(m.search, q.query), w.words"
            " FROM q, messages m,"
            " LATERAL (SELECT regexp_replace(m.content, "
            "'[\\x01-\\x2F\\x3A-\\x40\\x5B-\\x60\\x7B-\\x7F]',"
            " ' ', 'g') AS words) w"
            " WHERE m.search @@ q.query"
            " AND m.channel_id IN (SELECT unnest($2::bigint[]))"
            " AND ($3::bigint = 0 OR m.author_id = $3::bigint) AND m.id < $4::bigint"
            " ORDER BY ts_rank(m.search, q.query) DESC, m.id DESC LIMIT $5");
        st.bind(tsquery, id_list(channel_ids), author_id,
                before != 0 ? static_cast<std::int64_t>(before) : max_id, limit);
        std::vector<message> found;
        std::vector<search_hit> hits;
        while (st.step()) {
            found.push_back(read_message(st));
            auto& hit = hits.emplace_back();
            hit.highlighted = render_highlight(st.text(11), st.text(13), found.back().content);
            hit.rank = st.real(12);
        }
        load_details(c, found, viewer);
        for (std::size_t i = 0; i < hits.size(); ++i) hits[i].msg = std::move(found[i]);
        return hits;
    });
}

}  // namespace driftway::store::postgres
