// POST|GET /spaces/{space_id}/invites, GET|POST|DELETE /invites/{code}, and
// the invite checks registration uses in invite-only mode.
#include "driftway/core/clock.hpp"
#include "driftway/core/log.hpp"
#include "driftway/text/json_shapes.hpp"
#include "driftway/text/services.hpp"
#include "routes/audit.hpp"
#include "routes/common.hpp"
#include "routes/field_rules.hpp"
#include "routes/membership.hpp"

#include <algorithm>

namespace driftway::text {

namespace {

using namespace routes;
using auth::principal;
namespace perm = auth::perm;

constexpr std::int64_t max_invite_uses = 100;
constexpr std::int64_t max_invite_age_seconds = 7 * 24 * 3600;
constexpr std::int64_t default_invite_age_seconds = 24 * 3600;
constexpr std::size_t max_live_invites_per_space = 1000;

bool live(const store::invite& i, std::int64_t now) {
    return (i.expires_at == 0 || i.expires_at > now) && (i.max_uses == 0 || i.uses < i.max_uses);
}

// A live invite and its space, or nullopt (unknown, expired, used up).
task<std::optional<std::pair<store::invite, std::shared_ptr<const space_snapshot>>>> find_live(
    text_services& s, const std::string& code) {
    if (!plausible_invite_code(code)) co_return std::nullopt;
    auto inv = co_await s.db.invites().get(code);
    if (!inv || !live(*inv, clock::unix_ms())) co_return std::nullopt;
    auto space = co_await s.dir.space(inv->space_id);
    if (!space) co_return std::nullopt;
    co_return std::make_pair(std::move(*inv), std::move(space));
}

awaitable_response create_invite(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    auto body = read_body(req, s);
    json::object_reader in(body);
    auto max_uses = in.optional_int("max_uses", 0, max_invite_uses);
    auto max_age = in.optional_int("max_age", 0, max_invite_age_seconds);
    in.finish().value();
    const auto reason = audit_reason(req);
    ctx.require(perm::create_invite);

    const auto now = clock::unix_ms();
    const auto existing = co_await s.db.invites().list(ctx.id());
    if (std::count_if(existing.begin(), existing.end(), [&](const store::invite& i) {
            return live(i, now);
        }) >= static_cast<std::ptrdiff_t>(max_live_invites_per_space))
        fail(error::bad_request("too_many_invites", "the space has the most live invites allowed"));

    store::invite inv;
    // 62^8 codes: a collision is rare, and checking first turns it into a retry.
    for (int attempt = 0; attempt < 5 && inv.code.empty(); ++attempt) {
        auto code = make_invite_code();
        if (!co_await s.db.invites().get(code)) inv.code = std::move(code);
    }
    if (inv.code.empty()) fail(error::internal("could not find a free invite code"));
    inv.space_id = ctx.id();
    inv.creator_id = who.user_id;
    inv.max_uses = static_cast<int>(max_uses.value_or(0));
    const auto age = max_age.value_or(default_invite_age_seconds);
    inv.expires_at = age ? now + age * 1000 : 0;
    inv.created_at = now;
    co_await s.db.invites().create(inv);

    json::object changes;
    changes["code"] = inv.code;
    changes["max_uses"] = inv.max_uses;
    changes["max_age"] = age;
    co_await append_audit(s, {.space_id = ctx.id(),
                              .actor_id = who.user_id,
                              .action = "invite_create",
                              .target_id = 0,
                              .changes = std::move(changes),
                              .reason = reason});
    co_return response::json(201, invite_json(inv, &ctx.space->space, ctx.space->member_count));
}

awaitable_response list_invites(text_services& s, request& req, const principal& who) {
    auto ctx = co_await load_space(s, who.user_id, path_id(req, "space_id", "space"));
    ctx.require(perm::manage_space);
    const auto now = clock::unix_ms();
    json::array out;
    for (const auto& i : co_await s.db.invites().list(ctx.id()))
        if (live(i, now))
            out.emplace_back(invite_json(i, &ctx.space->space, ctx.space->member_count));
    co_return response::json(200, out);
}

awaitable_response delete_invite(text_services& s, request& req, const principal& who) {
    const std::string code(req.param("code"));
    std::optional<store::invite> inv;
    if (plausible_invite_code(code)) inv = co_await s.db.invites().get(code);
    // Outsiders learn nothing about a space's invites.
    if (!inv) fail(error::not_found("invite"));
    if (!co_await s.dir.member(inv->space_id, who.user_id)) fail(error::not_found("invite"));
    auto ctx = co_await load_space(s, who.user_id, inv->space_id);
    if (inv->creator_id != who.user_id) ctx.require(perm::manage_space);
    const auto reason = audit_reason(req);
    if (!co_await s.db.invites().remove(code)) fail(error::not_found("invite"));
    json::object changes;
    changes["code"] = code;
    co_await append_audit(s, {.space_id = ctx.id(),
                              .actor_id = who.user_id,
                              .action = "invite_delete",
                              .target_id = 0,
                              .changes = std::move(changes),
                              .reason = reason});
    co_return response::no_content();
}

awaitable_response preview_invite(text_services& s, request& req) {
    auto found = co_await find_live(s, std::string(req.param("code")));
    if (!found) fail(error::not_found("invite"));
    const auto& [inv, space] = *found;
    co_return response::json(200, invite_json(inv, &space->space, space->member_count));
}

awaitable_response accept_invite(text_services& s, request& req, const principal& who) {
    const std::string code(req.param("code"));
    if (!plausible_invite_code(code)) fail(error::not_found("invite"));
    auto joined = co_await s.db.invites().redeem(code, who.user_id, clock::unix_ms());
    if (!joined) fail(joined.error());
    co_await announce_join(s, *joined);
    co_return response::json(200, co_await space_payload(s, who.user_id, joined->space_id));
}

}  // namespace

void add_invite_routes(auth::api_router& api, text_services& s) {
    api.post("/api/v1/spaces/{space_id}/invites",
             [&s](request& req, const principal& who) { return create_invite(s, req, who); });
    api.get("/api/v1/spaces/{space_id}/invites",
            [&s](request& req, const principal& who) { return list_invites(s, req, who); });
    api.get("/api/v1/invites/{code}",
            [&s](request& req, const principal&) { return preview_invite(s, req); });
    api.post("/api/v1/invites/{code}",
             [&s](request& req, const principal& who) { return accept_invite(s, req, who); });
    api.del("/api/v1/invites/{code}",
            [&s](request& req, const principal& who) { return delete_invite(s, req, who); });
}

task<bool> invite_is_valid(text_services& s, std::string code) {
    co_return (co_await find_live(s, code)).has_value();
}

task<void> join_with_invite(text_services& s, id_t user_id, std::string code) {
    if (!plausible_invite_code(code)) co_return;
    auto joined = co_await s.db.invites().redeem(code, user_id, clock::unix_ms());
    if (!joined) {
        // The account exists either way; the invite may have been used up meanwhile.
        log::info("invite not redeemed at registration",
                  {{"user_id", json::id_string(user_id)}, {"code", joined.error().code}});
        co_return;
    }
    co_await announce_join(s, *joined);
}

}  // namespace driftway::text
