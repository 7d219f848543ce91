// Hook tools that record each call by method name (and, when asked, its string arguments): on a real
// unit each one is a process spawn. commit and rollback are the harness playing Juju after the hook,
// not tool calls, so they are not recorded.
const HARNESS = new Set<string | symbol>(['commit', 'rollback']);

export function countingTools<T extends object>(juju: T, opts: { readonly withArgs?: boolean } = {}): { tools: T; calls: string[] } {
  const calls: string[] = [];
  const tools = new Proxy(juju, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || HARNESS.has(prop)) return value;
      return (...args: unknown[]) => {
        calls.push(opts.withArgs ? [String(prop), ...args.filter((a) => typeof a === 'string')].join(' ') : String(prop));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { tools, calls };
}
