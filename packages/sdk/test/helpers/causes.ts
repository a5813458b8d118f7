/** Every message along an error's `cause` chain, joined: where the server-side detail lives. */
export function causes(err: unknown): string {
  const out: string[] = [];
  for (let e = err as { message?: unknown; cause?: unknown } | undefined; e && out.length < 10; e = e.cause as typeof e) {
    out.push(String(e.message ?? e));
  }
  return out.join(' ← ');
}
