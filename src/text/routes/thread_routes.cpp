// POST /channels/{channel_id}/messages/{message_id}/threads: a thread started
// from a message. A thread is a channel of type thread whose parent is the
// channel (permissions come from the parent, see directory.cpp); the message
// links to it through thread_id, one thread per message.
#include "driftway/core/clock.hpp"
#include "driftway/text/json_shapes.hpp"
#include "driftway/text/services.hpp"
#include "messages/message_common.hpp"
#include "messages/message_route_groups.hpp"
#include "routes/audit.hpp"
#include "routes/common.hpp"
#include "routes/field_rules.hpp"

#include <mutex>
#include <unordered_set>

namespace driftway::text::messages {

namespace {

using namespace routes;
using auth::principal;

constexpr json::string_rule thread_name_rule{
    .min_length = 1, .max_length = 100, .trim = true, .single_line = true};

// Two requests racing to start a thread on one message both see thread_id
// unset; whichever comes second must get 409, not a second thread. Storage
// has no conditional set_thread, so creations are serialised per message in
// this process (the cluster shape routes a channel's writes to one node).
class origin_claims {
public:
    bool claim(id_t message_id) {
        std::lock_guard lock(mutex_);
        return busy_.insert(message_id).second;
    }
    void release(id_t message_id) {
        std::lock_guard lock(mutex_);
        busy_.erase(message_id);
    }

private:
    std::mutex mutex_;
    std::unordered_set<id_t> busy_;
};

origin_claims& claims() {
    static origin_claims c;
    return c;
}

struct claim_guard {
    id_t message_id;
    ~claim_guard() { claims().release(message_id); }
};

error thread_exists() {
    return error::conflict("thread_exists", "this message already has a thread");
}

awaitable_response create_thread(text_services& s, request& req, const principal& who) {
    const auto channel_id = path_id(req, "channel_id", "channel");
    const auto message_id = path_id(req, "message_id", "message");
    auto a = co_await load_channel(s, who.user_id, channel_id);

    auto body = read_body(req, s);
    json::object_reader in(body);
    auto name = in.required_string("name", thread_name_rule);
    in.finish().value();

    if (!a.space)
        fail(error::bad_request("invalid_channel_type",
                                "threads cannot be started in direct messages"));
    if (a.channel->type != store::channel_type::text)
        fail(error::bad_request("invalid_channel_type",
                                "threads start from messages of text channels"));
    require_not_timed_out(a);
    require(a.permissions, auth::perm::create_threads | auth::perm::read_message_history);

    if (!claims().claim(message_id)) fail(thread_exists());
    claim_guard guard{message_id};
    auto origin = co_await load_message(s, channel_id, message_id, who.user_id);
    if (origin.thread_id != 0) fail(thread_exists());

    const id_t space_id = space_of(a);
    store::channel thread;
    thread.id = s.ids.next();
    thread.space_id = space_id;
    thread.name = normalize_channel_name(store::channel_type::thread, *name);
    thread.type = store::channel_type::thread;
    thread.parent_id = channel_id;
    thread.owner_id = who.user_id;
    thread.origin_message_id = message_id;
    thread.created_at = clock::unix_ms();
    co_await s.db.channels().create(thread);
    co_await s.db.messages().set_thread(channel_id, message_id, thread.id);
    // The space's snapshot lists its threads; the origin's channel is unchanged.
    s.dir.forget_space(space_id);

    json::object changes;
    changes["name"] = thread.name;
    changes["parent_id"] = json::id_string(channel_id);
    changes["origin_message_id"] = json::id_string(message_id);
    co_await append_audit(s, {.space_id = space_id,
                              .actor_id = who.user_id,
                              .action = "thread_create",
                              .target_id = thread.id,
                              .changes = std::move(changes),
                              .reason = audit_reason(req)});

    auto payload = channel_json(thread);
    s.events.to_space(space_id, "THREAD_CREATE", payload, true, thread.id);
    origin.thread_id = thread.id;
    auto origin_payload = co_await message_payload(s, for_event(std::move(origin)));
    s.events.to_channel(space_id, channel_id, "MESSAGE_UPDATE", origin_payload);
    co_return response::json(201, payload);
}

}  // namespace

void add_thread_routes(auth::api_router& api, text_services& s) {
    api.post("/api/v1/channels/{channel_id}/messages/{message_id}/threads",
             [&s](request& req, const principal& who) { return create_thread(s, req, who); });
}

}  // namespace driftway::text::messages
