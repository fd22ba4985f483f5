// Who is in a voice channel, under its link in the sidebar: avatar with a
// speaking ring, mute and deafen marks, and (for others, while this tab is
// in voice) a volume slider opened by clicking the member.
import { useState } from 'preact/hooks';
import { Avatar, Icon } from '../components/common';
import { store } from '../store';
import { volumeOf } from './prefs';
import { setMemberVolume } from './session';

export function VoiceMembers({ channelId, spaceId }: { channelId: string; spaceId: string }) {
  const [open, setOpen] = useState<string | null>(null);
  const members = store.voiceMembers(channelId);
  if (members.length === 0) return null;
  return (
    <ul class="voice-members" aria-label="In voice">
      {members.map((m) => {
        const name = store.displayName(m.user_id, spaceId);
        const speaking = store.speaking.has(m.user_id) && !m.self_mute && !m.server_mute;
        const mine = m.user_id === store.me?.id;
        const muted = m.self_mute || m.server_mute;
        const deaf = m.self_deaf || m.server_deaf;
        return (
          <li key={m.user_id} class={'voice-member' + (speaking ? ' speaking' : '')} data-user-id={m.user_id} aria-label={`${name}${speaking ? ', speaking' : ''}${muted ? ', muted' : ''}${deaf ? ', deafened' : ''}`}>
            <button class="voice-member-row" disabled={mine} aria-expanded={mine ? undefined : open === m.user_id} onClick={() => setOpen(open === m.user_id ? null : m.user_id)} onContextMenu={(e) => (e.preventDefault(), setOpen(m.user_id))}>
              <span class="voice-ring">
                <Avatar userId={m.user_id} name={name} size={24} />
              </span>
              <span class="voice-member-name">{name}</span>
              {muted && <Icon name="mic-off" size={14} />}
              {deaf && <Icon name="headphones-off" size={14} />}
            </button>
            {open === m.user_id && !mine && (
              <label class="voice-volume">
                <span class="small muted">Volume</span>
                <input type="range" min={0} max={100} step={1} aria-label={`Volume for ${name}`} value={Math.round(volumeOf(m.user_id) * 100)} onInput={(e) => setMemberVolume(m.user_id, Number((e.target as HTMLInputElement).value) / 100)} />
              </label>
            )}
          </li>
        );
      })}
    </ul>
  );
}
