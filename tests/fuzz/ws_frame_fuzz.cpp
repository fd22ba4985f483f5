// libFuzzer target for the WebSocket frame parser and message reader: any
// bytes, cut into reads at positions the input chooses, must be parsed
// without crashing, throwing or reading out of bounds.
#include "ws/frame.hpp"
#include "ws/reader.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace {

using namespace driftway::net::ws::detail;

class discarding_sink : public reader_sink {
public:
    bool on_text(std::string_view message) noexcept override {
        checksum_ += message.size();
        return true;
    }
    bool on_ping(std::string_view payload) noexcept override {
        checksum_ += payload.size();
        return true;
    }
    void on_peer_close(std::uint16_t code, std::string_view reason) noexcept override {
        checksum_ += code + reason.size();
    }

private:
    std::size_t checksum_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    // The first byte picks the read size (1..256 bytes); the second the
    // message limit, small enough for 1009 to be reached.
    const std::size_t read_size = std::size_t{data[0]} + 1;
    const std::size_t max_message = std::size_t{data[1]} * 64;
    std::vector<std::uint8_t> input(data + 2, data + size);

    parse_client_header(input);

    reader r(max_message);
    discarding_sink sink;
    for (std::size_t pos = 0; pos < input.size(); pos += read_size) {
        const std::size_t n = std::min(read_size, input.size() - pos);
        std::vector<std::uint8_t> piece(input.begin() + static_cast<std::ptrdiff_t>(pos),
                                        input.begin() + static_cast<std::ptrdiff_t>(pos + n));
        if (r.feed(piece, sink) != 0) break;
    }
    return 0;
}
