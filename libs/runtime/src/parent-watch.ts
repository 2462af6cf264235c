/**
 * When SPEAR_PARENT_PID is set (by the cluster launcher), calls `onGone` once
 * that process has died, so that services never outlive a launcher that was
 * killed without the chance to stop them.
 */
export function watchParent(onGone: () => void, env: NodeJS.ProcessEnv = process.env, intervalMs = 1000): void {
  const pid = Number(env.SPEAR_PARENT_PID);
  if (!Number.isInteger(pid) || pid <= 1) return;
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch {
      clearInterval(timer);
      onGone();
    }
  }, intervalMs);
  timer.unref();
}
