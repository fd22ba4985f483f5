import { gateway } from '../actions';
import { store } from '../store';
import { ChannelView } from './ChannelView';
import { Icon } from './common';
import { MemberList } from './MemberList';
import { Modals } from './Modals';
import { PinsPanel, SearchPanel, ThreadPanel } from './Panels';
import { Sidebar } from './Sidebar';
import { SpaceRail } from './SpaceRail';

export function Layout() {
  const channel = store.channelId ? store.channels.get(store.channelId) : undefined;
  const inSpace = store.spaceId && store.spaceId !== '@me';
  const side = store.threadId ? 'thread' : store.searchOpen ? 'search' : store.pinsOpen ? 'pins' : null;
  const showMembers = inSpace && store.membersOpen && !side;
  return (
    <div class={'app' + (store.navOpen ? ' nav-open' : '')}>
      {store.connection !== 'online' && store.everOnline && (
        <div class="banner" role="alert">
          <span>{store.connection === 'connecting' ? 'Reconnecting…' : 'Connection lost. Reconnecting…'}</span>
          <button class="link" onClick={() => gateway.reconnectNow()}>
            Retry now
          </button>
        </div>
      )}
      <div class="layout">
        <nav class="nav" aria-label="Spaces and channels">
          <SpaceRail />
          <Sidebar />
        </nav>
        <div
          class="nav-scrim"
          onClick={() => {
            store.navOpen = false;
            store.emit();
          }}
        />
        <main class="chat" aria-label="Messages">
          {channel ? <ChannelView channel={channel} /> : <EmptyChannel />}
        </main>
        {side === 'thread' && <ThreadPanel />}
        {side === 'search' && <SearchPanel />}
        {side === 'pins' && channel && <PinsPanel channel={channel} />}
        {showMembers && <MemberList spaceId={store.spaceId as string} />}
      </div>
      <Modals />
      {store.toast && (
        <div class="toast" role="status">
          {store.toast}
        </div>
      )}
    </div>
  );
}

function EmptyChannel() {
  return (
    <div class="empty-channel">
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
      <h2>{store.spaceId === '@me' ? 'Direct messages' : 'No channel selected'}</h2>
      <p class="muted">
        {store.spaceId === '@me'
          ? 'Pick a conversation, or start one from a member list.'
          : store.spaces.size === 0
            ? 'Create a space or join one with an invite from the rail on the left.'
            : 'Pick a channel on the left.'}
      </p>
    </div>
  );
}
