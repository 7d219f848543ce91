// The unit's memo in memory, with a count of writes so tests can prove a no-change hook wrote nothing.
import type { UnitMemo } from '../../src/juju/unit-memo';

export class MemoryMemo implements UnitMemo {
  writes = 0;
  constructor(
    public text: string | null = null,
    public charmVersion = '0.1.0+test',
  ) {}

  async read(): Promise<string | null> {
    return this.text;
  }

  async write(text: string): Promise<void> {
    this.writes += 1;
    this.text = text;
  }
}
