// Mounts still open when the process exits are closed (unmounted) by one 'exit' hook.
const live = new Set<{ close(): void }>();
let installed = false;

/** Closes `mount` when the process exits while it is still open. */
export function closeAtExit(mount: { close(): void }): void {
  live.add(mount);
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    for (const f of live) f.close();
  });
}

/** The mount closed: nothing to do at exit. */
export function closedBeforeExit(mount: { close(): void }): void {
  live.delete(mount);
}
