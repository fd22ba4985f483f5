#include "driftway/bus/redis_codec.hpp"
#include "driftway/bus/redis_voice.hpp"
#include "driftway/core/log.hpp"

#include <boost/asio/steady_timer.hpp>

#include <mutex>
#include <unordered_map>

namespace driftway::bus {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

namespace {
std::string state_key(std::uint64_t user) {
    return "voice:state:" + std::to_string(user);
}
std::string channel_key(std::uint64_t channel) {
    return "voice:channel:" + std::to_string(channel);
}
std::string space_key(std::uint64_t space) {
    return "voice:space:" + std::to_string(space);
}
}  // namespace

struct redis_voice_states::impl : std::enable_shared_from_this<impl> {
    impl(redis_connection& c, redis_subscriber& s, std::uint64_t node, std::chrono::milliseconds t)
        : commands(c), subscriber(s), node_id(node), ttl(t), timer(c.executor()) {}

    struct entry {
        voice_state state;
        steady::time_point expires;
    };

    redis_connection& commands;
    redis_subscriber& subscriber;
    const std::uint64_t node_id;
    const std::chrono::milliseconds ttl;
    asio::steady_timer timer;

    mutable std::mutex mutex;
    std::unordered_map<std::uint64_t, entry> mirror;      // every node's participants
    std::unordered_map<std::uint64_t, voice_state> mine;  // the ones this node holds

    // Commands that store `s` in Redis with a fresh expiry.
    void store_commands(const voice_state& s, std::vector<std::vector<std::string>>& out) const {
        const auto key = state_key(s.user_id);
        const auto ms = std::to_string(ttl.count());
        const auto b = [](bool v) { return std::string(v ? "1" : "0"); };
        out.push_back({"HSET", key, "space_id", std::to_string(s.space_id), "channel_id",
                       std::to_string(s.channel_id), "self_mute", b(s.self_mute), "self_deaf",
                       b(s.self_deaf), "server_mute", b(s.server_mute), "server_deaf",
                       b(s.server_deaf), "speaking", b(s.speaking), "node",
                       std::to_string(node_id)});
        out.push_back({"PEXPIRE", key, ms});
        const auto uid = std::to_string(s.user_id);
        out.push_back({"SADD", channel_key(s.channel_id), uid});
        out.push_back({"PEXPIRE", channel_key(s.channel_id), ms});
        if (s.space_id) {
            out.push_back({"SADD", space_key(s.space_id), uid});
            out.push_back({"PEXPIRE", space_key(s.space_id), ms});
        }
    }
    static void unlink_commands(const voice_state& s, std::vector<std::vector<std::string>>& out) {
        const auto uid = std::to_string(s.user_id);
        out.push_back({"SREM", channel_key(s.channel_id), uid});
        if (s.space_id) out.push_back({"SREM", space_key(s.space_id), uid});
    }

    void send(std::vector<std::vector<std::string>> cmds, const codec::states_frame& f) {
        cmds.push_back({"PUBLISH", std::string(topic), codec::encode_states(f)});
        commands.send_pipeline(std::move(cmds), [](std::vector<redis_reply> replies) {
            for (const auto& r : replies)
                if (!r.ok()) {
                    log::debug("redis voice states: write failed", {{"error", r.str}});
                    return;
                }
        });
    }

    // Every ttl/3 on the commands executor: store and republish this node's states.
    void refresh() {
        codec::states_frame f{node_id, static_cast<std::uint32_t>(ttl.count()), {}, {}};
        std::vector<std::vector<std::string>> cmds;
        {
            std::lock_guard lock(mutex);
            const auto until = steady::now() + ttl;
            for (const auto& [user, s] : mine) {
                f.put.push_back(s);
                store_commands(s, cmds);
                mirror[user] = {s, until};
            }
        }
        if (!f.put.empty()) send(std::move(cmds), f);
        timer.expires_after(ttl / 3);
        timer.async_wait([w = weak_from_this()](boost::system::error_code ec) {
            if (auto self = w.lock(); self && !ec) self->refresh();
        });
    }

    void on_frame(std::string_view payload) {
        const auto f = codec::decode_states(payload);
        if (!f) {
            log::warn("redis voice states: malformed frame", {{"bytes", payload.size()}});
            return;
        }
        if (f->node_id == node_id) return;
        std::lock_guard lock(mutex);
        const auto until = steady::now() + std::chrono::milliseconds(f->ttl_ms);
        for (const auto& s : f->put) {
            mirror[s.user_id] = {s, until};
            mine.erase(s.user_id);  // the user joined on another node
        }
        for (const auto u : f->removed)
            if (!mine.contains(u)) mirror.erase(u);
    }

    template <class Pred>
    std::vector<voice_state> select(Pred pred) const {
        std::vector<voice_state> out;
        const auto now = steady::now();
        std::lock_guard lock(mutex);
        for (const auto& [user, e] : mirror)
            if (e.expires > now && pred(e.state)) out.push_back(e.state);
        return out;
    }
};

redis_voice_states::redis_voice_states(redis_connection& commands, redis_subscriber& subscriber,
                                       std::uint64_t node_id, std::chrono::milliseconds ttl)
    : impl_(std::make_shared<impl>(commands, subscriber, node_id, ttl)) {
    subscriber.subscribe(std::string(topic), [w = std::weak_ptr<impl>(impl_)](auto payload) {
        if (auto self = w.lock()) self->on_frame(payload);
    });
    asio::post(commands.executor(), [w = std::weak_ptr<impl>(impl_)] {
        if (auto self = w.lock()) self->refresh();
    });
}

redis_voice_states::~redis_voice_states() {
    impl_->subscriber.unsubscribe(std::string(topic));
    impl_->timer.cancel();
}

void redis_voice_states::put(const voice_state& s) {
    std::vector<std::vector<std::string>> cmds;
    {
        std::lock_guard lock(impl_->mutex);
        if (const auto it = impl_->mirror.find(s.user_id);
            it != impl_->mirror.end() && (it->second.state.channel_id != s.channel_id ||
                                          it->second.state.space_id != s.space_id))
            impl::unlink_commands(it->second.state, cmds);
        impl_->mirror[s.user_id] = {s, steady::now() + impl_->ttl};
        impl_->mine[s.user_id] = s;
    }
    impl_->store_commands(s, cmds);
    impl_->send(std::move(cmds),
                {impl_->node_id, static_cast<std::uint32_t>(impl_->ttl.count()), {s}, {}});
}

void redis_voice_states::remove(std::uint64_t user_id) {
    std::vector<std::vector<std::string>> cmds{{"DEL", state_key(user_id)}};
    {
        std::lock_guard lock(impl_->mutex);
        if (const auto it = impl_->mirror.find(user_id); it != impl_->mirror.end()) {
            impl::unlink_commands(it->second.state, cmds);
            impl_->mirror.erase(it);
        }
        impl_->mine.erase(user_id);
    }
    impl_->send(std::move(cmds), {impl_->node_id, 0, {}, {user_id}});
}

std::optional<voice_state> redis_voice_states::of_user(std::uint64_t user_id) const {
    auto v = impl_->select([&](const voice_state& s) { return s.user_id == user_id; });
    if (v.empty()) return std::nullopt;
    return v.front();
}

std::vector<voice_state> redis_voice_states::in_space(std::uint64_t space_id) const {
    return impl_->select([&](const voice_state& s) { return s.space_id == space_id; });
}

std::vector<voice_state> redis_voice_states::in_channel(std::uint64_t channel_id) const {
    return impl_->select([&](const voice_state& s) { return s.channel_id == channel_id; });
}

bool redis_voice_states::ready() const {
    return impl_->subscriber.subscribed(std::string(topic));
}

}  // namespace driftway::bus
