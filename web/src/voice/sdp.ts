// The little of an SFU offer the client reads itself (docs/voice.md, step 3):
// which participant each m=audio section carries and whether it is live.
// The browser parses the SDP for media; this only maps mid -> user, because
// a reused section changes its msid without the browser firing a new track.

export interface OfferSection {
  mid: string;
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
  userId: string | null; // from a=msid:<user_id> <user_id>-audio
}

export function offerSections(sdp: string): OfferSection[] {
  const out: OfferSection[] = [];
  let cur: OfferSection | null = null;
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('m=')) {
      cur = { mid: String(out.length), direction: 'sendrecv', userId: null };
      out.push(cur);
    } else if (!cur) {
      continue;
    } else if (line.startsWith('a=mid:')) {
      cur.mid = line.slice(6);
    } else if (line.startsWith('a=msid:')) {
      const stream = line.slice(7).split(' ')[0];
      cur.userId = stream && stream !== '-' ? stream : null;
    } else if (line === 'a=sendonly' || line === 'a=recvonly' || line === 'a=inactive' || line === 'a=sendrecv') {
      cur.direction = line.slice(2) as OfferSection['direction'];
    }
  }
  return out;
}
