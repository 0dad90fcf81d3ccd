import { type FormEvent, useState } from 'react';
import { type AdminUser, api, problemOf } from '../api/client.js';

export function LoginScreen({ onLoggedIn }: { onLoggedIn: (user: AdminUser, csrfToken: string) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const {
      data,
      error: failure,
      response,
    } = await api.POST('/api/admin/v1/auth/login', {
      body: { email, password },
    });
    setBusy(false);
    if (data) onLoggedIn(data.user, data.csrfToken);
    else setError(problemOf(failure, response).message);
  }

  return (
    <main className="login">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">Comerix admin</h1>
        <label>
          Email
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
