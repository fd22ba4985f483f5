import { useState } from 'preact/hooks';
import { store } from '../store';
import type { Channel } from '../types';
import { Composer } from './Composer';
import { Icon } from './common';
import { MessageList } from './MessageList';
import { joinVoice, leaveVoice } from '../voice/session';

function toggle(what: 'search' | 'pins' | 'members') {
  if (what === 'members') {
    store.membersOpen = !store.membersOpen || store.searchOpen || store.pinsOpen || !!store.threadId;
    store.searchOpen = false;
    store.pinsOpen = false;
  } else if (what === 'search') {
    store.searchOpen = !store.searchOpen;
    store.pinsOpen = false;
  } else {
    store.pinsOpen = !store.pinsOpen;
    store.searchOpen = false;
  }
  store.threadId = null;
  store.emit();
}

export function ChannelView({ channel }: { channel: Channel }) {
  const [drag, setDrag] = useState(false);
  const [dropped, setDropped] = useState<File[] | null>(null);
  const title = store.channelTitle(channel);
  const isDm = channel.type === 'dm' || channel.type === 'group_dm';
  const isText = channel.type !== 'voice' && channel.type !== 'category';
  return (
    <section
      class={'channel-view' + (drag ? ' dragging' : '')}
      aria-label={isDm ? title : '#' + title}
      onDragOver={(e) => {
        if (!isText || !e.dataTransfer?.types.includes('Files')) return;
        e.preventDefault();
        setDrag(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDrag(false);
      }}
      onDrop={(e) => {
        if (!isText) return;
        e.preventDefault();
        setDrag(false);
        const files = [...(e.dataTransfer?.files ?? [])];
        if (files.length) setDropped(files);
      }}
    >
      <header class="channel-header">
        <button
          class="icon-button nav-toggle"
          aria-label="Open navigation"
          onClick={() => {
            store.navOpen = true;
            store.emit();
          }}
        >
          <Icon name="menu" />
        </button>
        <Icon name={isDm ? 'at' : channel.type === 'voice' ? 'voice' : 'hash'} />
        <h1 class="channel-title">{title}</h1>
        {channel.topic && <span class="channel-topic">{channel.topic}</span>}
        <div class="header-actions">
          {isText && (
            <button class={'icon-button' + (store.pinsOpen ? ' on' : '')} aria-label="Pinned messages" aria-pressed={store.pinsOpen} title="Pinned messages" onClick={() => toggle('pins')}>
              <Icon name="pin" />
            </button>
          )}
          {!isDm && (
            <button class={'icon-button' + (store.membersOpen ? ' on' : '')} aria-label="Member list" aria-pressed={store.membersOpen} title="Member list" onClick={() => toggle('members')}>
              <Icon name="members" />
            </button>
          )}
          <button class={'icon-button' + (store.searchOpen ? ' on' : '')} aria-label="Search" aria-pressed={store.searchOpen} title="Search" onClick={() => toggle('search')}>
            <Icon name="search" />
          </button>
        </div>
      </header>
      {isText ? (
        <>
          <MessageList channelId={channel.id} />
          <Composer channel={channel} dropped={dropped} onDroppedTaken={() => setDropped(null)} />
        </>
      ) : (
        <div class="voice-placeholder">
          <Icon name="voice" size={48} />
          <h2>{channel.name}</h2>
          <div class="voice-controls" aria-label="Voice controls">
            {store.voice?.channelId === channel.id ? (
              <button class="danger" onClick={leaveVoice}>
                Leave voice
              </button>
            ) : (
              <button class="primary" onClick={() => void joinVoice(channel)}>
                Join voice
              </button>
            )}
          </div>
        </div>
      )}
      {drag && (
        <div class="drop-overlay" aria-hidden="true">
          Drop files to upload to {isDm ? title : '#' + title}
        </div>
      )}
    </section>
  );
}
