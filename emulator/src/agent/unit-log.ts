// The unit logs: one file per unit under <modelDir>/logs, like /var/log/juju/unit-<app>-<n>.log.

import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LogLine } from '../model/types';
import { unitTag } from './paths';

export function unitLogFile(modelDir: string, unitName: string): string {
  return path.join(modelDir, 'logs', `${unitTag(unitName)}.log`);
}

export function formatLogLine(line: LogLine): string {
  return `${line.time} ${line.level} ${line.logger} ${line.message}`;
}

export function appendUnitLog(modelDir: string, line: LogLine): void {
  const file = unitLogFile(modelDir, line.unit);
  mkdirSync(path.dirname(file), { recursive: true });
  const text = line.message.replace(/\n+$/, '');
  appendFileSync(file, `${formatLogLine({ ...line, message: text })}\n`);
}

export function readUnitLog(modelDir: string, unitName: string): string {
  const file = unitLogFile(modelDir, unitName);
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
