// /etc/hosts in memory: what the charm wrote, and how often (a converged unit writes nothing).
import type { HostsFile } from '../../src/model/peer-hosts';

export class FakeHostsFile implements HostsFile {
  /** the writes, in order */
  readonly writes: string[] = [];
  /** a write fails with this message (null: writes succeed) */
  failWith: string | null = null;

  constructor(public text = '127.0.0.1\tlocalhost\n127.0.1.1\tjuju-host-0\n') {}

  async read(): Promise<string> {
    return this.text;
  }

  async write(text: string): Promise<void> {
    if (this.failWith !== null) throw new Error(this.failWith);
    this.writes.push(text);
    this.text = text;
  }
}
