/** Sends `signal` to the process group led by `pid` (a child spawned with `detached: true`); an empty group is fine. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already empty
  }
}
