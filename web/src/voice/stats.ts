// The connection quality indicator, from RTCPeerConnection.getStats():
// round-trip time of the selected candidate pair, loss over the last
// interval across every inbound stream, and the microphone's level (for the
// local speaking ring).
export type Quality = { level: 'good' | 'fair' | 'poor'; rttMs: number | null; lossPct: number | null };

export interface StatsSample {
  received: number;
  lost: number;
  micLevel: number;
  quality: Quality | null;
}

export async function measure(pc: RTCPeerConnection, prev: StatsSample | null): Promise<StatsSample> {
  const report = await pc.getStats();
  let received = 0;
  let lost = 0;
  let micLevel = 0;
  let rtt: number | null = null;
  report.forEach((s: any) => {
    if (s.type === 'inbound-rtp' && s.kind === 'audio') {
      received += s.packetsReceived ?? 0;
      lost += Math.max(0, s.packetsLost ?? 0);
    } else if (s.type === 'media-source' && s.kind === 'audio') {
      micLevel = Math.max(micLevel, s.audioLevel ?? 0);
    } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && typeof s.currentRoundTripTime === 'number') {
      rtt = s.currentRoundTripTime * 1000;
    }
  });
  let lossPct: number | null = null;
  if (prev) {
    const dr = received - prev.received;
    const dl = lost - prev.lost;
    if (dr + dl > 0) lossPct = (100 * Math.max(0, dl)) / (dr + dl);
  }
  const quality: Quality | null = rtt === null && lossPct === null ? null : { level: grade(rtt, lossPct), rttMs: rtt, lossPct };
  return { received, lost, micLevel, quality };
}

// Thresholds where Opus with FEC goes from unnoticeable to audible (~2%
// loss) and conversation becomes awkward (~300 ms round trip).
function grade(rtt: number | null, loss: number | null): Quality['level'] {
  const r = rtt ?? 0;
  const l = loss ?? 0;
  if (l < 2 && r < 200) return 'good';
  if (l < 8 && r < 400) return 'fair';
  return 'poor';
}
