import { useState, type FormEvent } from 'react';
import { api } from './api';

/** The operator login: a name and password of the profile's minions.operators. */
export function Login({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    api('/api/login', { method: 'POST', body: { name, password } }).then(onDone, (e: unknown) => setError((e as Error).message));
  };
  return (
    <form className="panel login" onSubmit={submit}>
      <h2>Operator login</h2>
      <input aria-label="operator name" placeholder="name" autoComplete="username" value={name} onChange={(e) => setName(e.target.value)} autoFocus required />
      <input type="password" aria-label="password" placeholder="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      <button>log in</button>
      {error && <p className="error">{error}</p>}
    </form>
  );
}
