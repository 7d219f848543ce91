// A small record the charm keeps in its own directory between hooks, as the ops framework keeps its
// .unit-state.db there: for what only this process needs quickly (update-status reads it without a
// hook tool). Never secrets; Juju's unit state stays the record of anything that matters.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface UnitMemo {
  /** the version of the charm running now: a memo another version wrote is not trusted */
  readonly charmVersion: string;
  /** the text last written, or null when there is none */
  read(): Promise<string | null>;
  write(text: string): Promise<void>;
}

/**
 * The memo as a 0600 file in the charm directory (a hook's cwd), replaced atomically. The charm's
 * version is the `version` file npm run pack writes beside it ("" when there is none).
 */
export class CharmDirMemo implements UnitMemo {
  private version: string | undefined;

  constructor(
    private readonly path: string = join(process.cwd(), '.lxd-charm-memo.json'),
    private readonly versionPath: string = join(dirname(path), 'version'),
  ) {}

  get charmVersion(): string {
    if (this.version === undefined) {
      try {
        this.version = readFileSync(this.versionPath, 'utf8').trim();
      } catch {
        this.version = '';
      }
    }
    return this.version;
  }

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
