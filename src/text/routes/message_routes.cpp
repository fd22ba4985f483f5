// GET|POST /channels/{channel_id}/messages,
// PATCH|DELETE /channels/{channel_id}/messages/{message_id}; registers the
// reaction, pin, thread, typing and read-state routes as well.
//
// Creating a message is the hot path (DESIGN.md section 4). Its storage work
// is one grouped write: create() checks the nonce, inserts, claims the
// attachments and bumps mention counts in the writer's transaction. Every
// other lookup on the way (channel access, the author's profile, members
// named by mentions) is a directory read, served from memory once warm.
// Only the optional parts cost a storage read: reply_to (is it in this
// channel?), attachment_ids (are they the author's unused uploads?) and
// @everyone counts in small spaces.
#include "driftway/core/clock.hpp"
#include "driftway/core/metrics.hpp"
#include "driftway/text/json_shapes.hpp"
#include "driftway/text/services.hpp"
#include "messages/mentions.hpp"
#include "messages/message_common.hpp"
#include "messages/message_route_groups.hpp"
#include "routes/audit.hpp"
#include "routes/common.hpp"

#include <algorithm>

namespace driftway::text {

namespace {

using namespace routes;
using auth::principal;
using messages::space_of;

constexpr std::size_t max_content_length = 2000;
constexpr std::size_t max_attachments = 10;
constexpr int default_page = 50;
constexpr int max_page = 100;

// @everyone gives a mention count to every member who can view the channel.
// Finding them costs a member listing and an access check each, so it is done
// only in spaces up to this size; in larger ones the message still says
// mention_everyone and clients count it from MESSAGE_CREATE themselves.
constexpr std::int64_t everyone_count_cap = 100;

metrics::counter& messages_created() {
    static auto& c =
        metrics::global().get_counter("messages_processed_total", "Messages created (durable)");
    return c;
}

struct mention_plan {
    std::vector<id_t> mentions;    // members (or DM recipients) named with <@id>
    std::vector<id_t> counts_for;  // who gets a mention count: they can view, not the author
    bool everyone = false;
};

bool contains(const std::vector<id_t>& v, id_t id) {
    return std::find(v.begin(), v.end(), id) != v.end();
}

task<mention_plan> resolve_mentions(text_services& s, const channel_access& a, id_t author,
                                    std::string_view content) {
    const auto parsed = messages::parse_mentions(content);
    mention_plan plan;
    const auto& ch = *a.channel;
    const id_t space_id = space_of(a);
    for (const auto user_id : parsed.user_ids) {
        if (space_id == 0) {
            if (!contains(ch.recipients, user_id)) continue;
        } else if (!(co_await s.dir.member(space_id, user_id))) {
            continue;
        }
        plan.mentions.push_back(user_id);
        if (user_id == author) continue;
        // A member who cannot see the channel is named but not notified: a
        // mention count would point them at a channel they cannot open.
        if (space_id != 0 && !(co_await s.dir.access(user_id, ch.id))) continue;
        plan.counts_for.push_back(user_id);
    }
    if (parsed.everyone && space_id != 0 && a.can(auth::perm::mention_everyone)) {
        plan.everyone = true;
        if (a.space->member_count <= everyone_count_cap) {
            const auto members =
                co_await s.db.members().list(space_id, 0, static_cast<int>(everyone_count_cap));
            for (const auto& m : members) {
                if (m.user_id == author || contains(plan.counts_for, m.user_id)) continue;
                if (!(co_await s.dir.access(m.user_id, ch.id))) continue;
                plan.counts_for.push_back(m.user_id);
            }
        }
    }
    co_return plan;
}

// attachment_ids must be the author's own uploads that no message has
// claimed yet. A retried create (same nonce) finds them claimed by its first
// attempt; that is fine, create() then returns that first message.
task<void> check_attachments(text_services& s, id_t author, const std::vector<id_t>& ids,
                             const std::string& nonce) {
    for (const auto id : ids) {
        auto a = co_await s.db.attachments().get(id);
        if (!a || a->uploader_id != author)
            fail(error::validation("attachment_ids", "unknown attachment " + json::id_string(id)));
        if (a->message_id == 0) continue;
        bool retry = false;
        if (!nonce.empty()) {
            auto first = co_await s.db.messages().get(a->channel_id, a->message_id, author);
            retry = first && first->author_id == author && first->nonce == nonce;
        }
        if (!retry)
            fail(error::validation("attachment_ids", "attachment " + json::id_string(id) +
                                                         " is already used by a message"));
    }
}

std::vector<id_t> read_attachment_ids(json::object_reader& in) {
    std::vector<id_t> ids;
    auto texts = in.optional_string_array("attachment_ids", max_attachments,
                                          {.min_length = 1, .max_length = 20});
    if (!texts) return ids;
    for (const auto& t : *texts) {
        auto id = json::parse_id(t);
        if (!id) {
            in.fail("attachment_ids", "must be an array of ids (decimal strings)");
            return {};
        }
        if (!contains(ids, *id)) ids.push_back(*id);
    }
    return ids;
}

id_t read_reply_to(json::object_reader& in) {
    const json::value* v = in.optional_raw("reply_to");
    if (!v || v->is_null()) return 0;
    if (v->is_string())
        if (auto id = json::parse_id(v->get_string())) return *id;
    in.fail("reply_to", "must be a message id or null");
    return 0;
}

awaitable_response list_messages(text_services& s, request& req, const principal& who) {
    const auto channel_id = path_id(req, "channel_id", "channel");
    auto a = co_await load_channel(s, who.user_id, channel_id);
    require(a.permissions, auth::perm::read_message_history);

    store::message_page page;
    page.before = query_id(req, "before");
    page.after = query_id(req, "after");
    page.around = query_id(req, "around");
    page.limit = query_int(req, "limit", 1, max_page, default_page);
    if ((page.before != 0) + (page.after != 0) + (page.around != 0) > 1)
        fail(error::validation("before", "give at most one of before, after and around"));

    const auto found = co_await s.db.messages().page(channel_id, page, who.user_id);
    auto payload = co_await messages::messages_payload(s, found);
    co_return response::json(200, payload);
}

awaitable_response create_message(text_services& s, request& req, const principal& who) {
    const auto channel_id = path_id(req, "channel_id", "channel");
    auto a = co_await load_channel(s, who.user_id, channel_id);
    messages::require_can_send(a);

    auto body = read_body(req, s);
    json::object_reader in(body);
    auto content = in.optional_string("content", {.max_length = max_content_length, .trim = true})
                       .value_or(std::string{});
    auto nonce =
        in.optional_string("nonce", {.min_length = 1, .max_length = 64}).value_or(std::string{});
    const auto reply_to = read_reply_to(in);
    const auto attachment_ids = read_attachment_ids(in);
    in.finish().value();
    if (content.empty() && attachment_ids.empty())
        fail(error::validation("content", "must not be empty unless there are attachments"));
    if (!attachment_ids.empty()) {
        require(a.permissions, auth::perm::attach_files);
        co_await check_attachments(s, who.user_id, attachment_ids, nonce);
    }
    if (reply_to != 0 && !(co_await s.db.messages().get(channel_id, reply_to, who.user_id)))
        fail(error::validation("reply_to", "is not a message of this channel"));

    auto plan = co_await resolve_mentions(s, a, who.user_id, content);

    store::message m;
    m.id = s.ids.next();
    m.channel_id = channel_id;
    m.author_id = who.user_id;
    m.content = std::move(content);
    m.created_at = clock::unix_ms();
    m.reply_to = reply_to;
    m.nonce = std::move(nonce);
    m.mentions = std::move(plan.mentions);
    m.mention_everyone = plan.everyone;

    bool created = false;
    auto stored = co_await s.db.messages().create(std::move(m), attachment_ids,
                                                  std::move(plan.counts_for), &created);
    auto payload = co_await messages::message_payload(s, stored);
    if (!created) co_return response::json(200, payload);

    // Durable now: only then may anyone hear of it.
    messages_created().inc();
    s.events.to_channel(space_of(a), channel_id, "MESSAGE_CREATE", payload);
    co_return response::json(201, payload);
}

awaitable_response edit_message(text_services& s, request& req, const principal& who) {
    const auto channel_id = path_id(req, "channel_id", "channel");
    const auto message_id = path_id(req, "message_id", "message");
    auto a = co_await load_channel(s, who.user_id, channel_id);

    auto body = read_body(req, s);
    json::object_reader in(body);
    auto content = in.required_string("content", {.max_length = max_content_length, .trim = true});
    in.finish().value();

    const auto current = co_await messages::load_message(s, channel_id, message_id, who.user_id);
    if (current.author_id != who.user_id)
        fail(error::forbidden("not_author", "only the author may edit a message"));
    messages::require_not_timed_out(a);
    if (content->empty() && current.attachments.empty())
        fail(error::validation("content", "must not be empty unless there are attachments"));

    auto edited = (co_await s.db.messages().edit(channel_id, message_id, std::move(*content),
                                                 clock::unix_ms(), who.user_id))
                      .value();
    auto author = co_await s.dir.user(edited.author_id);
    s.events.to_channel(space_of(a), channel_id, "MESSAGE_UPDATE",
                        message_json(messages::for_event(edited), author.get()));
    co_return response::json(200, message_json(edited, author.get()));
}

awaitable_response delete_message(text_services& s, request& req, const principal& who) {
    const auto channel_id = path_id(req, "channel_id", "channel");
    const auto message_id = path_id(req, "message_id", "message");
    auto a = co_await load_channel(s, who.user_id, channel_id);
    const auto m = co_await messages::load_message(s, channel_id, message_id, who.user_id);
    const bool own = m.author_id == who.user_id;
    if (!own) require(a.permissions, auth::perm::manage_messages);

    if (!(co_await s.db.messages().remove(channel_id, message_id)))
        fail(error::not_found("message"));
    if (!own && a.space) {
        json::object changes;
        changes["channel_id"] = json::id_string(channel_id);
        changes["message_id"] = json::id_string(message_id);
        co_await append_audit(s, {.space_id = space_of(a),
                                  .actor_id = who.user_id,
                                  .action = "message_delete",
                                  .target_id = m.author_id,
                                  .changes = std::move(changes),
                                  .reason = audit_reason(req)});
    }
    json::object d;
    d["id"] = json::id_string(message_id);
    d["channel_id"] = json::id_string(channel_id);
    s.events.to_channel(space_of(a), channel_id, "MESSAGE_DELETE", d);
    co_return response::no_content();
}

}  // namespace

void add_message_routes(auth::api_router& api, text_services& s) {
    messages_created();  // listed in /metrics from the start, at 0
    api.get("/api/v1/channels/{channel_id}/messages",
            [&s](request& req, const principal& who) { return list_messages(s, req, who); });
    api.post("/api/v1/channels/{channel_id}/messages",
             [&s](request& req, const principal& who) { return create_message(s, req, who); });
    api.patch("/api/v1/channels/{channel_id}/messages/{message_id}",
              [&s](request& req, const principal& who) { return edit_message(s, req, who); });
    api.del("/api/v1/channels/{channel_id}/messages/{message_id}",
            [&s](request& req, const principal& who) { return delete_message(s, req, who); });
    messages::add_reaction_routes(api, s);
    messages::add_pin_routes(api, s);
    messages::add_thread_routes(api, s);
    messages::add_typing_routes(api, s);
    messages::add_read_state_routes(api, s);
}

}  // namespace driftway::text
