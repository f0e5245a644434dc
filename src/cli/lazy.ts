/**
 * Command modules load on first use: a command pays only for the libraries it needs
 * (ssh2 and zod alone cost ~0.1 s of start-up).
 */
type Action = (...args: never[]) => Promise<void>;

export function lazy<M, K extends keyof M>(load: () => Promise<M>, name: K): (...args: unknown[]) => Promise<void> {
  return async (...args) => ((await load())[name] as unknown as Action)(...(args as never[]));
}
