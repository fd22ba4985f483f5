import { useState } from 'preact/hooks';
import { api } from '../api';
import { explain, toast } from '../actions';
import { computePermissions, P } from '../perms';
import { channelPath, navigate } from '../router';
import { store } from '../store';
import type { Channel } from '../types';
import { Avatar, Icon, statusLabel } from './common';
import { VoiceMembers } from '../voice/VoiceMembers';
import { VoicePanel } from '../voice/VoicePanel';
import { joinVoice, toggleDeafen, toggleMute } from '../voice/session';

export function myPermissions(spaceId: string, channel?: Channel): bigint {
  const s = store.spaces.get(spaceId);
  const me = store.me;
  if (!s || !me) return 0n;
  return computePermissions(me.id, s.owner_id, s.id, s.roles, s.members.get(me.id), channel);
}

function open(modal: typeof store.modal) {
  store.modal = modal;
  store.emit();
}

export function Sidebar() {
  return (
    <div class="sidebar">
      {store.spaceId === '@me' || !store.spaceId ? <DmList /> : <SpaceChannels spaceId={store.spaceId} />}
      <VoicePanel />
      <UserPanel />
    </div>
  );
}

function ChannelLink({ c, label, icon }: { c: Channel; label: string; icon: string }) {
  const isVoice = c.type === 'voice';
  const active = isVoice ? store.voice?.channelId === c.id : store.channelId === c.id;
  const unread = store.unread(c.id) && c.type !== 'voice';
  const mentions = store.mentions(c.id);
  return (
    <li>
      <a
        href={channelPath(c.space_id, c.id)}
        class={'channel-link' + (active ? ' active' : '') + (unread ? ' unread' : '')}
        aria-current={active ? (isVoice ? 'true' : 'page') : undefined}
        aria-label={`${label}${isVoice ? ' (voice)' : ''}${mentions ? `, ${mentions} mentions` : unread ? ', unread' : ''}`}
        onClick={(e) => {
          e.preventDefault();
          // A voice channel is joined, not opened (as in Discord).
          if (isVoice) void joinVoice(c);
          else navigate(channelPath(c.space_id, c.id));
        }}
      >
        {icon === 'avatar' ? <Avatar userId={(c.recipients ?? []).find((r) => r !== store.me?.id) ?? c.id} name={label} size={28} status={c.type === 'dm' ? store.status((c.recipients ?? []).find((r) => r !== store.me?.id) ?? '') : undefined} /> : <Icon name={icon} size={18} />}
        <span class="channel-name">{label}</span>
        {mentions > 0 && (
          <span class="badge" aria-hidden="true">
            {mentions}
          </span>
        )}
      </a>
      {isVoice && c.space_id && <VoiceMembers channelId={c.id} spaceId={c.space_id} />}
    </li>
  );
}

function SpaceChannels({ spaceId }: { spaceId: string }) {
  const s = store.spaces.get(spaceId);
  const [menu, setMenu] = useState(false);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  if (!s) return null;
  const perms = myPermissions(spaceId);
  const channels = store.spaceChannels(spaceId);
  const categories = channels.filter((c) => c.type === 'category');
  const loose = channels.filter((c) => c.type !== 'category' && !c.parent_id);
  const inCat = (id: string) => channels.filter((c) => c.parent_id === id && c.type !== 'category');
  const canManage = (perms & P.manage_channels) !== 0n;
  const settingsPerms = P.manage_space | P.manage_roles | P.manage_channels | P.kick_members | P.ban_members | P.view_audit_log | P.moderate_members;
  const item = (c: Channel) => <ChannelLink key={c.id} c={c} label={c.name} icon={c.type === 'voice' ? 'voice' : 'hash'} />;
  return (
    <>
      <header class="sidebar-header">
        <button class="space-menu-button" aria-label={`${s.name}, space menu`} aria-expanded={menu} aria-haspopup="menu" onClick={() => setMenu(!menu)}>
          <span class="space-name">{s.name}</span>
          <Icon name={menu ? 'close' : 'chevron'} size={16} />
        </button>
        {menu && (
          <ul class="menu" role="menu" onClick={() => setMenu(false)}>
            {(perms & P.create_invite) !== 0n && (
              <li role="none">
                <button role="menuitem" class="accent" onClick={() => open({ kind: 'invite', spaceId })}>
                  Invite people
                </button>
              </li>
            )}
            {(perms & settingsPerms) !== 0n && (
              <li role="none">
                <button role="menuitem" onClick={() => open({ kind: 'space-settings', spaceId })}>
                  Space settings
                </button>
              </li>
            )}
            {canManage && (
              <li role="none">
                <button role="menuitem" onClick={() => open({ kind: 'create-channel', spaceId })}>
                  Create channel
                </button>
              </li>
            )}
            {canManage && (
              <li role="none">
                <button role="menuitem" onClick={() => open({ kind: 'create-channel', spaceId, type: 'category' })}>
                  Create category
                </button>
              </li>
            )}
            {s.owner_id !== store.me?.id && (
              <li role="none">
                <button
                  role="menuitem"
                  class="danger"
                  onClick={async () => {
                    if (!confirm(`Leave ${s.name}?`)) return;
                    try {
                      await api('DELETE', `/spaces/${spaceId}/members/@me`);
                    } catch (e) {
                      toast(explain(e));
                    }
                  }}
                >
                  Leave space
                </button>
              </li>
            )}
          </ul>
        )}
      </header>
      <div class="channel-scroll">
        <ul class="channel-list" aria-label="Channels">
          {loose.map(item)}
        </ul>
        {categories.map((cat) => (
          <section key={cat.id} class="category" aria-label={cat.name}>
            <h3 class="category-header">
              <button
                aria-expanded={!collapsed.has(cat.id)}
                onClick={() => {
                  const n = new Set(collapsed);
                  if (n.has(cat.id)) n.delete(cat.id);
                  else n.add(cat.id);
                  setCollapsed(n);
                }}
              >
                <Icon name="chevron" size={12} /> {cat.name}
              </button>
              {canManage && (
                <button class="icon-button" aria-label={`Create channel in ${cat.name}`} onClick={() => open({ kind: 'create-channel', spaceId, parentId: cat.id })}>
                  <Icon name="plus" size={14} />
                </button>
              )}
            </h3>
            {!collapsed.has(cat.id) && <ul class="channel-list">{inCat(cat.id).map(item)}</ul>}
          </section>
        ))}
        {canManage && (
          <button class="add-channel" onClick={() => open({ kind: 'create-channel', spaceId })}>
            <Icon name="plus" size={14} /> Add a channel
          </button>
        )}
      </div>
    </>
  );
}

function DmList() {
  const dms = store.privateChannels();
  return (
    <>
      <header class="sidebar-header">
        <span class="space-name">Direct messages</span>
        <button class="icon-button" aria-label="New direct message" title="New direct message" onClick={() => open({ kind: 'new-dm' })}>
          <Icon name="plus" size={18} />
        </button>
      </header>
      <div class="channel-scroll">
        {dms.length === 0 && <p class="muted small pad">No conversations yet.</p>}
        <ul class="channel-list" aria-label="Direct messages">
          {dms.map((c) => (
            <ChannelLink key={c.id} c={c} label={store.channelTitle(c)} icon="avatar" />
          ))}
        </ul>
      </div>
    </>
  );
}

function UserPanel() {
  const me = store.me!;
  const v = store.voice;
  const status = store.status(me.id);
  return (
    <section class="user-panel" aria-label="Your account">
      <Avatar userId={me.id} name={me.display_name || me.username} size={32} status={status} />
      <div class="user-panel-names">
        <div class="user-panel-name">{me.display_name || me.username}</div>
        <div class="muted small">{statusLabel(status)}</div>
      </div>
      {/* The voice panel above has the same switches; these stay where people look for them. */}
      <button class={'icon-button' + (v?.muted ? ' voice-off' : '')} aria-label={v?.muted ? 'Unmute microphone' : 'Mute microphone'} aria-pressed={!!v?.muted} disabled={!v} onClick={toggleMute}>
        <Icon name={v?.muted ? 'mic-off' : 'mic'} size={18} />
      </button>
      <button class={'icon-button' + (v?.deafened ? ' voice-off' : '')} aria-label={v?.deafened ? 'Undeafen audio' : 'Deafen audio'} aria-pressed={!!v?.deafened} disabled={!v} onClick={toggleDeafen}>
        <Icon name={v?.deafened ? 'headphones-off' : 'headphones'} size={18} />
      </button>
      {me.owner && (
        <button class="icon-button" aria-label="Instance settings" title="Instance settings" onClick={() => open({ kind: 'instance-settings' })}>
          <Icon name="compass" size={18} />
        </button>
      )}
      <button class="icon-button" aria-label="User settings" title="User settings" onClick={() => open({ kind: 'user-settings' })}>
        <Icon name="gear" size={18} />
      </button>
    </section>
  );
}
