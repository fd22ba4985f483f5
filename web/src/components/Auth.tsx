import { useEffect, useState } from 'preact/hooks';
import { adoptSession, api, ApiError } from '../api';
import { explain, joinInvite, startSession } from '../actions';
import { navigate } from '../router';
import type { AuthResult, Instance, Invite } from '../types';

function useInstance(): Instance | null {
  const [inst, setInst] = useState<Instance | null>(null);
  useEffect(() => {
    api<Instance>('GET', '/instance', undefined, { auth: false }).then(setInst, () => {});
  }, []);
  return inst;
}

function signedIn(r: AuthResult, next: string) {
  adoptSession(r);
  startSession();
  navigate(next, true);
}

function Field(props: { label: string; name: string; type?: 'text' | 'email' | 'password'; value: string; onInput: (v: string) => void; autocomplete?: string; required?: boolean; error?: string }) {
  const id = 'f-' + props.name;
  return (
    <div class="field">
      <label for={id}>
        {props.label}
        {props.required !== false && <span class="required" aria-hidden="true"> *</span>}
      </label>
      <input
        id={id}
        name={props.name}
        type={(props.type ?? 'text') as 'text'}
        value={props.value}
        autocomplete={props.autocomplete}
        required={props.required !== false}
        aria-invalid={props.error ? 'true' : undefined}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
      {props.error && <div class="field-error">{props.error}</div>}
    </div>
  );
}

export function Login({ next = '/channels' }: { next?: string }) {
  const inst = useInstance();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      signedIn(await api<AuthResult>('POST', '/auth/login', { login, password }, { auth: false }), next);
    } catch (err) {
      setError(explain(err));
      setBusy(false);
    }
  };
  return (
    <div class="auth-screen">
      <form class="auth-card" onSubmit={submit} aria-labelledby="auth-title">
        <h1 id="auth-title">Welcome back!</h1>
        <p class="muted">Log in to {inst?.name ?? 'Driftway'}</p>
        <Field label="Username or email" name="login" value={login} onInput={setLogin} autocomplete="username" />
        <Field label="Password" name="password" type="password" value={password} onInput={setPassword} autocomplete="current-password" />
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
        <button class="primary wide" type="submit" disabled={busy}>
          Log in
        </button>
        <p class="muted small">
          Need an account?{' '}
          <a
            href="/register"
            onClick={(e) => {
              e.preventDefault();
              navigate(next.startsWith('/invite/') ? next : '/register');
            }}
          >
            Register
          </a>
        </p>
      </form>
    </div>
  );
}

export function Register({ invite, next = '/channels' }: { invite?: string; next?: string }) {
  const inst = useInstance();
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState(invite ?? '');
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const needsInvite = inst?.registration === 'invite';
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFields({});
    const body: Record<string, string> = { username, email, password };
    if (code.trim()) body.invite = code.trim();
    try {
      signedIn(await api<AuthResult>('POST', '/auth/register', body, { auth: false }), next);
    } catch (err) {
      if (err instanceof ApiError) setFields(err.fields);
      setError(err instanceof ApiError && Object.keys(err.fields).length ? 'Please fix the fields below.' : explain(err));
      setBusy(false);
    }
  };
  return (
    <div class="auth-screen">
      <form class="auth-card" onSubmit={submit} aria-labelledby="auth-title">
        <h1 id="auth-title">Create an account</h1>
        {inst?.registration === 'closed' && <p class="form-error">Registration is closed on this instance.</p>}
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
        <Field label="Email" name="email" type="email" value={email} onInput={setEmail} autocomplete="email" error={fields.email} />
        <Field label="Username" name="username" value={username} onInput={setUsername} autocomplete="username" error={fields.username} />
        <Field label="Password" name="password" type="password" value={password} onInput={setPassword} autocomplete="new-password" error={fields.password} />
        {(needsInvite || invite) && (
          <Field label="Invite code" name="invite" value={code} onInput={setCode} required={needsInvite} error={fields.invite} />
        )}
        <button class="primary wide" type="submit" disabled={busy}>
          Continue
        </button>
        <p class="muted small">
          <a
            href="/login"
            onClick={(e) => {
              e.preventDefault();
              navigate(next.startsWith('/invite/') ? '/login?next=' + encodeURIComponent(next) : '/login');
            }}
          >
            Already have an account?
          </a>
        </p>
      </form>
    </div>
  );
}

// /invite/CODE before signing in: register (the code admits on invite-only
// instances) or log in, then come back here to join.
export function InviteSignedOut({ code }: { code: string }) {
  const [mode, setMode] = useState<'register' | 'login'>('register');
  return (
    <div class="invite-signed-out">
      <div class="invite-banner" role="note">
        You have been invited to join a space on Driftway. {mode === 'register' ? 'Create an account' : 'Log in'} to accept.{' '}
        <button class="link" onClick={() => setMode(mode === 'register' ? 'login' : 'register')}>
          {mode === 'register' ? 'I already have an account' : 'I need an account'}
        </button>
      </div>
      {mode === 'register' ? <Register invite={code} next={'/invite/' + code} /> : <Login next={'/invite/' + code} />}
    </div>
  );
}

export function JoinInvite({ code }: { code: string }) {
  const [invite, setInvite] = useState<Invite | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<Invite>('GET', `/invites/${encodeURIComponent(code)}`).then(setInvite, (e) => setError(explain(e)));
  }, [code]);
  const accept = async () => {
    setBusy(true);
    try {
      await joinInvite(code);
    } catch (e) {
      setError(explain(e));
      setBusy(false);
    }
  };
  return (
    <div class="auth-screen">
      <div class="auth-card" role="region" aria-labelledby="invite-title">
        {invite ? (
          <>
            <p class="muted">You have been invited to join</p>
            <h1 id="invite-title">{invite.space.name}</h1>
            <p class="muted">{invite.member_count === 1 ? '1 member' : `${invite.member_count} members`}</p>
            <button class="primary wide" onClick={accept} disabled={busy}>
              Accept invite
            </button>
          </>
        ) : (
          <h1 id="invite-title">{error ? 'This invite is not valid' : 'Loading invite…'}</h1>
        )}
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <p class="small">
          <a
            href="/channels"
            onClick={(e) => {
              e.preventDefault();
              navigate('/channels');
            }}
          >
            Go to Driftway
          </a>
        </p>
      </div>
    </div>
  );
}
