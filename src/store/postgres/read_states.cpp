#include "postgres/text_repositories.hpp"

namespace driftway::store::postgres {

task<read_state> read_state_repo::ack(id_t user_id, id_t channel_id, id_t message_id) {
    co_return co_await exec_.write([&](connection& c) {
        // greatest(): acks that arrive out of order never move it backwards.
        auto st = c.prepare(
            "INSERT INTO read_states (user_id, channel_id, last_read_id, mention_count)"
            " VALUES ($1, $2, $3, 0) ON CONFLICT (user_id, channel_id) DO UPDATE SET"
            " last_read_id = greatest(read_states.last_read_id, excluded.last_read_id), "
            "mention_count = 0"
            " RETURNING channel_id, last_read_id, mention_count");
        st.bind(user_id, channel_id, message_id).step();
        return read_state{.channel_id = st.id(0),
                          .last_read_id = st.id(1),
                          .mention_count = static_cast<int>(st.int64(2))};
    });
}

task<std::vector<read_state>> read_state_repo::for_user(id_t user_id) {
    co_return co_await exec_.read([user_id](connection& c) {
        std::vector<read_state> out;
        auto st = c.prepare(
            "SELECT channel_id, last_read_id, mention_count FROM read_states"
            " WHERE user_id = $1 ORDER BY channel_id");
        st.bind(user_id);
        while (st.step()) {
            out.push_back({.channel_id = st.id(0),
                           .last_read_id = st.id(1),
                           .mention_count = static_cast<int>(st.int64(2))});
        }
        return out;
    });
}

}  // namespace driftway::store::postgres
