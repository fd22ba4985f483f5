#include "postgres/repositories.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace driftway::store::postgres {

namespace {

std::string scopes_to_json(const std::vector<std::string>& scopes) {
    boost::json::array a;
    for (const auto& s : scopes) a.emplace_back(s);
    return boost::json::serialize(a);
}

// The column is written only by scopes_to_json; anything else found there
// (edited by hand) yields no scopes rather than an error.
std::vector<std::string> scopes_from_json(const std::string& text) {
    std::vector<std::string> scopes;
    boost::system::error_code ec;
    const auto v = boost::json::parse(text, ec);
    if (ec || !v.is_array()) return scopes;
    for (const auto& s : v.get_array()) {
        if (s.is_string()) scopes.emplace_back(s.get_string());
    }
    return scopes;
}

// Columns in the order every query below selects them.
api_key read_key(const statement& st) {
    api_key k;
    k.id = st.id(0);
    k.owner_id = st.id(1);
    k.name = st.text(2);
    k.scopes = scopes_from_json(st.text(3));
    k.key_hash = st.text(4);
    k.created_at = st.int64(5);
    k.last_used = st.int64(6);
    k.revoked = st.boolean(7);
    return k;
}

}  // namespace

task<void> api_key_repo::insert(api_key k) {
    co_await exec_.write([&](connection& c) {
        c.prepare(
             "INSERT INTO api_keys"
             " (id, owner_id, name, scopes, key_hash, created_at, last_used, revoked)"
             " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(k.id, k.owner_id, k.name, scopes_to_json(k.scopes), k.key_hash, k.created_at,
                  k.last_used, k.revoked)
            .run();
    });
}

task<std::vector<api_key>> api_key_repo::list_for(id_t owner_id) {
    co_return co_await exec_.read([owner_id](connection& c) {
        std::vector<api_key> keys;
        auto st = c.prepare(
            "SELECT id, owner_id, name, scopes, key_hash, created_at, last_used, revoked"
            " FROM api_keys WHERE owner_id = $1 ORDER BY id");
        st.bind(owner_id);
        while (st.step()) keys.push_back(read_key(st));
        return keys;
    });
}

task<std::optional<api_key>> api_key_repo::by_hash(std::string key_hash) {
    co_return co_await exec_.read([&](connection& c) -> std::optional<api_key> {
        auto st = c.prepare(
            "SELECT id, owner_id, name, scopes, key_hash, created_at, last_used, revoked"
            " FROM api_keys WHERE key_hash = $1 AND NOT revoked");
        if (!st.bind(key_hash).step()) return std::nullopt;
        return read_key(st);
    });
}

task<bool> api_key_repo::revoke(id_t owner_id, id_t key_id) {
    co_return co_await exec_.write([&](connection& c) {
        c.prepare(
             "UPDATE api_keys SET revoked = true WHERE id = $1 AND owner_id = $2 AND NOT revoked")
            .bind(key_id, owner_id)
            .run();
        return c.changes() > 0;
    });
}

task<void> api_key_repo::touch(id_t key_id, std::int64_t last_used_ms) {
    co_await exec_.write([&](connection& c) {
        c.prepare("UPDATE api_keys SET last_used = greatest(last_used, $2) WHERE id = $1")
            .bind(key_id, last_used_ms)
            .run();
    });
}

}  // namespace driftway::store::postgres
