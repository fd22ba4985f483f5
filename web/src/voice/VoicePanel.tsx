// The voice panel at the bottom of the sidebar while in a voice channel:
// where, how well connected, and mute / deafen / leave.
import { Icon } from '../components/common';
import './voice.css';
import { store } from '../store';
import { leaveVoice, toggleDeafen, toggleMute } from './session';

const STATUS: Record<string, string> = {
  connecting: 'Connecting…',
  connected: 'Voice connected',
  reconnecting: 'Reconnecting…',
  failed: 'Voice disconnected',
};

export function VoicePanel() {
  const v = store.voice;
  if (!v) return null;
  const channel = store.channels.get(v.channelId);
  const space = store.spaces.get(v.spaceId);
  const quality = v.status === 'connected' ? (v.quality ?? 'good') : null;
  const detail = [v.rttMs !== null ? `${Math.round(v.rttMs)} ms` : null, v.lossPct !== null ? `${v.lossPct.toFixed(1)}% loss` : null].filter(Boolean).join(', ');
  return (
    <section class="voice-panel" aria-label="Voice connection">
      <div class="voice-panel-info">
        <div class={'voice-status voice-status-' + v.status} role="status">
          {quality && <span class={'voice-quality voice-quality-' + quality} role="img" aria-label={`Connection quality: ${quality}${detail ? ` (${detail})` : ''}`} title={detail || quality} />}
          {STATUS[v.status]}
        </div>
        <div class="muted small voice-where">
          {channel?.name ?? 'voice'}
          {space ? ` / ${space.name}` : ''}
        </div>
        {v.detail && v.status === 'failed' && <div class="form-error small">{v.detail}</div>}
      </div>
      <div class="voice-panel-buttons">
        <button class={'icon-button' + (v.muted ? ' voice-off' : '')} aria-label={v.muted ? 'Unmute' : 'Mute'} aria-pressed={v.muted} title={v.muted ? 'Unmute' : 'Mute'} onClick={toggleMute}>
          <Icon name={v.muted ? 'mic-off' : 'mic'} size={18} />
        </button>
        <button class={'icon-button' + (v.deafened ? ' voice-off' : '')} aria-label={v.deafened ? 'Undeafen' : 'Deafen'} aria-pressed={v.deafened} title={v.deafened ? 'Undeafen' : 'Deafen'} onClick={toggleDeafen}>
          <Icon name={v.deafened ? 'headphones-off' : 'headphones'} size={18} />
        </button>
        <button class="icon-button danger" aria-label="Leave voice" title="Leave voice" onClick={leaveVoice}>
          <Icon name="hangup" size={18} />
        </button>
      </div>
    </section>
  );
}
