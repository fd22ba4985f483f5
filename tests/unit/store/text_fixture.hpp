#pragma once
// The store suite's starting point for the text domain: four users and one
// space (owned by alice, with a text and a voice channel) in every backend.
#include "store_fixture.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace driftway::store::testing {

class text_test : public store_test {
protected:
    static constexpr id_t alice = 1;
    static constexpr id_t bob = 2;
    static constexpr id_t carol = 3;
    static constexpr id_t dave = 4;
    static constexpr id_t space_id = 100;  // also its @everyone role
    static constexpr id_t general = 110;   // text
    static constexpr id_t lounge = 111;    // voice
    static constexpr std::int64_t t0 = 1'750'000'000'000;

    void SetUp() override;

    // Makes user a member of the space (no roles) and checks it worked.
    void join(id_t user, id_t space = space_id);
    // Creates a channel of the space (or a DM channel when space is 0).
    channel make_channel(id_t id, channel_type type, id_t parent = 0, id_t space = space_id,
                         std::vector<id_t> recipients = {});
    // Creates a message created at t0 + id unless created_at is given.
    message post(id_t id, id_t channel, id_t author, const std::string& content,
                 std::int64_t created_at = 0);
    // Every message of a channel, oldest first.
    std::vector<id_t> ids_in(id_t channel);
};

// Rows with the fields a test cares about; the rest as a default row has them.
space space_row(id_t id, std::string name, id_t owner_id, std::int64_t created_at = 0);
member member_row(id_t space_id, id_t user_id, std::int64_t joined_at = 0);
channel channel_row(id_t id, id_t space_id, channel_type type, std::string name = "c");
ban ban_row(id_t space_id, id_t user_id, id_t banned_by);
audit_entry audit_row(id_t id, id_t space_id, id_t actor_id, std::string action);
member_update roles_update(std::vector<id_t> role_ids);
member_update nick_update(std::optional<std::string> nick);

// A message ready for create(): the fields a caller fills in.
message draft(id_t id, id_t channel, id_t author, std::string content, std::int64_t created_at);

std::vector<id_t> ids_of(const std::vector<message>& messages);

}  // namespace driftway::store::testing
