#include "opus_frames.hpp"

#include <opus/opus.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>

namespace driftway::bench {

std::vector<opus_frame> encode_tone_frames() {
    constexpr int rate = 48000, samples = 960, frames = 50;
    int err = 0;
    std::unique_ptr<OpusEncoder, decltype(&opus_encoder_destroy)> enc(
        opus_encoder_create(rate, 1, OPUS_APPLICATION_VOIP, &err), &opus_encoder_destroy);
    if (!enc || err != OPUS_OK) return {};
    opus_encoder_ctl(enc.get(), OPUS_SET_BITRATE(32000));
    std::vector<opus_frame> out;
    std::vector<opus_int16> pcm(samples);
    std::uint8_t buf[1500];
    for (int f = 0; f < frames; ++f) {
        double energy = 0;
        for (int i = 0; i < samples; ++i) {
            const double t = static_cast<double>(f * samples + i) / rate;
            const double v = 0.3 * std::sin(2 * std::numbers::pi * 440 * t);
            pcm[static_cast<std::size_t>(i)] = static_cast<opus_int16>(v * 32767);
            energy += v * v;
        }
        const int n = opus_encode(enc.get(), pcm.data(), samples, buf, sizeof buf);
        if (n <= 0) return {};
        opus_frame fr;
        fr.bytes.assign(buf, buf + n);
        const double rms = std::sqrt(energy / samples);
        const double dbov = rms > 0 ? -20 * std::log10(rms) : 127;
        fr.level = static_cast<std::uint8_t>(std::clamp(dbov, 0.0, 127.0));
        out.push_back(std::move(fr));
    }
    return out;
}

}  // namespace driftway::bench
