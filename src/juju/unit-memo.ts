// A small record the charm keeps in its own directory between hooks, as the ops framework keeps its
// .unit-state.db there: for what only this process needs quickly (update-status reads it without a
// hook tool). Never secrets; Juju's unit state stays the record of anything that matters.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface UnitMemo {
  /** the text last written, or null when there is none */
  read(): Promise<string | null>;
  write(text: string): Promise<void>;
}

/** The memo as a 0600 file in the charm directory (a hook's cwd), replaced atomically. */
export class CharmDirMemo implements UnitMemo {
  constructor(private readonly path: string = join(process.cwd(), '.lxd-charm-memo.json')) {}

  async read(): Promise<string | null> {
    try {
      return readFileSync(this.path, 'utf8');
    } catch {
      return null;
    }
  }

  async write(text: string): Promise<void> {
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, text, { mode: 0o600 });
    renameSync(temporary, this.path);
  }
}
