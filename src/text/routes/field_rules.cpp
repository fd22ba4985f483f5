#include "routes/field_rules.hpp"

#include "driftway/auth/crypto.hpp"

#include <algorithm>

namespace driftway::text::routes {

std::string normalize_channel_name(store::channel_type type, std::string_view name) {
    if (type != store::channel_type::text && type != store::channel_type::thread)
        return std::string(name);
    std::string out;
    out.reserve(name.size());
    bool in_space = false;
    for (char c : name) {
        if (c == ' ' || c == '\t') {
            in_space = true;
            continue;
        }
        if (in_space && !out.empty()) out.push_back('-');
        in_space = false;
        out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    return out;
}

namespace {

// Reads exactly n digits at text[pos]; -1 when they are not all digits.
int digits(std::string_view text, std::size_t pos, std::size_t n) noexcept {
    if (pos + n > text.size()) return -1;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (text[i] < '0' || text[i] > '9') return -1;
        v = v * 10 + (text[i] - '0');
    }
    return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(int y) noexcept {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view t) noexcept {
    // RFC 3339 section 5.6: full-date "T" full-time; "t" and a space are
    // tolerated separators (section 5.6, NOTE), "z" as well as "Z".
    const int year = digits(t, 0, 4);
    if (year < 1970 || t.size() < 20 || t[4] != '-' || t[7] != '-') return std::nullopt;
    if (t[10] != 'T' && t[10] != 't' && t[10] != ' ') return std::nullopt;
    if (t[13] != ':' || t[16] != ':') return std::nullopt;
    const int month = digits(t, 5, 2);
    const int day = digits(t, 8, 2);
    const int hour = digits(t, 11, 2);
    const int minute = digits(t, 14, 2);
    const int second = digits(t, 17, 2);
    static constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1) return std::nullopt;
    if (day > month_days[month - 1] + (month == 2 && leap(year) ? 1 : 0)) return std::nullopt;
    // A leap second (60) is folded into the next second's start, as POSIX time does.
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60)
        return std::nullopt;

    std::size_t pos = 19;
    int millis = 0;
    if (t[pos] == '.') {
        ++pos;
        std::size_t n = 0;
        while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
            if (n < 3) millis = millis * 10 + (t[pos] - '0');
            ++n;
            ++pos;
        }
        if (n == 0 || n > 9) return std::nullopt;
        for (std::size_t k = n; k < 3; ++k) millis *= 10;
    }
    if (pos >= t.size()) return std::nullopt;
    int offset_minutes = 0;
    if (t[pos] == 'Z' || t[pos] == 'z') {
        ++pos;
    } else if (t[pos] == '+' || t[pos] == '-') {
        const int oh = digits(t, pos + 1, 2);
        const int om = digits(t, pos + 4, 2);
        if (oh < 0 || om < 0 || oh > 23 || om > 59 || pos + 3 >= t.size() || t[pos + 3] != ':')
            return std::nullopt;
        offset_minutes = (oh * 60 + om) * (t[pos] == '-' ? -1 : 1);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != t.size()) return std::nullopt;

    const std::int64_t days =
        days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    const std::int64_t secs =
        days * 86400 + hour * 3600 + minute * 60 + second - std::int64_t{offset_minutes} * 60;
    return secs * 1000 + millis;
}

namespace {

bool alnum(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string make_invite_code() {
    std::string code;
    while (code.size() < invite_code_length) {
        // Each of the first 21 base64url characters of 16 random bytes carries 6
        // full bits; dropping '-' and '_' leaves the rest uniform over 62. The
        // 22nd carries only 2 bits and is not used.
        const std::string token = auth::random_token(16);
        for (char c : std::string_view(token).substr(0, 21))
            if (alnum(c) && code.size() < invite_code_length) code.push_back(c);
    }
    return code;
}

bool plausible_invite_code(std::string_view text) noexcept {
    return !text.empty() && text.size() <= 32 && std::all_of(text.begin(), text.end(), alnum);
}

}  // namespace driftway::text::routes
