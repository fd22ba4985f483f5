#include "text_fixture.hpp"

namespace driftway::store::testing {

void text_test::SetUp() {
    store_test::SetUp();
    add_user(alice, "alice");
    add_user(bob, "bob");
    add_user(carol, "carol");
    add_user(dave, "dave");

    role everyone{.id = space_id,
                  .space_id = space_id,
                  .name = "@everyone",
                  .permissions = 0x3,
                  .position = 0};
    auto text = channel_row(general, space_id, channel_type::text, "general");
    text.created_at = t0;
    auto voice = channel_row(lounge, space_id, channel_type::voice, "General");
    voice.position = 1;
    voice.created_at = t0;
    run(db_->spaces().create(space_row(space_id, "Home", alice, t0), everyone, {text, voice},
                             member_row(space_id, alice, t0)));
}

void text_test::join(id_t user, id_t space) {
    auto added = run(db_->members().add(member_row(space, user, t0)));
    EXPECT_TRUE(added.has_value())
        << "joining " << user << ": " << (added ? "" : added.error().code);
}

channel text_test::make_channel(id_t id, channel_type type, id_t parent, id_t space,
                                std::vector<id_t> recipients) {
    auto c = channel_row(id, space, type, "c" + std::to_string(id));
    c.parent_id = parent;
    c.recipients = std::move(recipients);
    c.created_at = t0;
    run(db_->channels().create(c));
    return c;
}

space space_row(id_t id, std::string name, id_t owner_id, std::int64_t created_at) {
    space s;
    s.id = id;
    s.name = std::move(name);
    s.owner_id = owner_id;
    s.created_at = created_at;
    return s;
}

member member_row(id_t space_id, id_t user_id, std::int64_t joined_at) {
    member m;
    m.space_id = space_id;
    m.user_id = user_id;
    m.joined_at = joined_at;
    return m;
}

channel channel_row(id_t id, id_t space_id, channel_type type, std::string name) {
    channel c;
    c.id = id;
    c.space_id = space_id;
    c.type = type;
    c.name = std::move(name);
    return c;
}

ban ban_row(id_t space_id, id_t user_id, id_t banned_by) {
    ban b;
    b.space_id = space_id;
    b.user_id = user_id;
    b.banned_by = banned_by;
    return b;
}

audit_entry audit_row(id_t id, id_t space_id, id_t actor_id, std::string action) {
    audit_entry e;
    e.id = id;
    e.space_id = space_id;
    e.actor_id = actor_id;
    e.action = std::move(action);
    return e;
}

member_update roles_update(std::vector<id_t> role_ids) {
    member_update u;
    u.role_ids = std::move(role_ids);
    return u;
}

member_update nick_update(std::optional<std::string> nick) {
    member_update u;
    u.nick = std::move(nick);
    return u;
}

message draft(id_t id, id_t channel, id_t author, std::string content, std::int64_t created_at) {
    message m;
    m.id = id;
    m.channel_id = channel;
    m.author_id = author;
    m.content = std::move(content);
    m.created_at = created_at;
    return m;
}

message text_test::post(id_t id, id_t channel, id_t author, const std::string& content,
                        std::int64_t created_at) {
    const auto at = created_at != 0 ? created_at : t0 + static_cast<std::int64_t>(id);
    return run(db_->messages().create(draft(id, channel, author, content, at), {}, {}, nullptr));
}

std::vector<id_t> text_test::ids_in(id_t channel) {
    auto newest_first = ids_of(run(db_->messages().page(channel, {.limit = 100000}, 0)));
    return {newest_first.rbegin(), newest_first.rend()};
}

std::vector<id_t> ids_of(const std::vector<message>& messages) {
    std::vector<id_t> ids;
    for (const auto& m : messages) ids.push_back(m.id);
    return ids;
}

}  // namespace driftway::store::testing
