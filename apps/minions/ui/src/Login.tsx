import { useState, type FormEvent } from 'react';
import { api } from './api';

/** The operator login: the password from the profile (secrets.minionsPassword). */
export function Login({ onDone }: { onDone: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    api('/api/login', { method: 'POST', body: { password } }).then(onDone, (e: unknown) => setError((e as Error).message));
  };
  return (
    <form className="panel login" onSubmit={submit}>
      <h2>Operator login</h2>
      <input type="password" aria-label="password" placeholder="password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus />
      <button>log in</button>
      {error && <p className="error">{error}</p>}
    </form>
  );
}
