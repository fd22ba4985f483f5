import { channelPath, navigate } from '../router';
import { store } from '../store';
import { Icon, initials } from './common';

export function SpaceRail() {
  const spaces = [...store.spaces.values()];
  let dmMentions = 0;
  let dmUnread = false;
  for (const c of store.privateChannels()) {
    dmMentions += store.mentions(c.id);
    if (store.unread(c.id)) dmUnread = true;
  }
  return (
    <ul class="rail" aria-label="Spaces">
      <li class={'rail-item' + (store.spaceId === '@me' ? ' active' : '') + (dmUnread ? ' unread' : '')}>
        <button class="rail-button home" aria-label="Direct messages" aria-current={store.spaceId === '@me' ? 'page' : undefined} title="Direct messages" onClick={() => navigate('/channels/@me')}>
          <Icon name="at" size={24} />
        </button>
        {dmMentions > 0 && <span class="badge rail-badge" aria-label={`${dmMentions} mentions`}>{dmMentions}</span>}
      </li>
      <li class="rail-separator" role="separator" />
      {spaces.map((s) => {
        const u = store.spaceUnread(s.id);
        const active = store.spaceId === s.id;
        return (
          <li key={s.id} class={'rail-item' + (active ? ' active' : '') + (u.unread ? ' unread' : '')}>
            <button
              class="rail-button"
              aria-label={s.name + (u.mentions ? `, ${u.mentions} mentions` : u.unread ? ', unread messages' : '')}
              aria-current={active ? 'page' : undefined}
              title={s.name}
              onClick={() => navigate(channelPath(s.id))}
            >
              {initials(s.name)}
            </button>
            {u.mentions > 0 && (
              <span class="badge rail-badge" aria-hidden="true">
                {u.mentions}
              </span>
            )}
          </li>
        );
      })}
      <li class="rail-item">
        <button
          class="rail-button add"
          aria-label="Create a space"
          title="Create a space"
          onClick={() => {
            store.modal = { kind: 'create-space' };
            store.emit();
          }}
        >
          <Icon name="plus" size={24} />
        </button>
      </li>
      <li class="rail-item">
        <button
          class="rail-button add"
          aria-label="Join a space"
          title="Join a space with an invite"
          onClick={() => {
            store.modal = { kind: 'join-space' };
            store.emit();
          }}
        >
          <Icon name="compass" size={24} />
        </button>
      </li>
    </ul>
  );
}
