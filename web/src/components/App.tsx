import { useEffect, useState } from 'preact/hooks';
import { hasSession } from '../api';
import { route } from '../router';
import { navigate } from '../router';
import { store } from '../store';
import { InviteSignedOut, JoinInvite, Login, Register } from './Auth';
import { Layout } from './Layout';

export function useStoreVersion() {
  const [, setV] = useState(0);
  useEffect(() => store.subscribe(() => setV(store.version)), []);
}

export function App() {
  useStoreVersion();
  const r = route();
  const signedIn = hasSession();
  const next = new URLSearchParams(location.search).get('next');
  const safeNext = next && next.startsWith('/') && !next.startsWith('//') ? next : '/channels';

  useEffect(() => {
    if (signedIn && (r.name === 'login' || r.name === 'register')) navigate(safeNext, true);
  }, [signedIn, r.name]);

  if (!signedIn) {
    if (r.name === 'invite') return <InviteSignedOut code={r.code} />;
    if (r.name === 'register') return <Register />;
    return <Login next={r.name === 'login' ? safeNext : location.pathname} />;
  }
  if (r.name === 'invite') return <JoinInvite code={r.code} />;
  if (!store.ready) {
    return (
      <div class="loading-screen" role="status">
        <div class="spinner" aria-hidden="true" />
        <p>{store.connection === 'offline' ? 'Cannot reach the server, retrying…' : 'Connecting…'}</p>
      </div>
    );
  }
  return <Layout />;
}
