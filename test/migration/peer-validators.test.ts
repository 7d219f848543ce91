import { readFileSync, writeFileSync } from 'node:fs';
import { generatePeerValidators, generatedPath } from './peer-validators.generate';

test('the committed peer validators match peer-schemas.json', () => {
  const fresh = generatePeerValidators();
  // UPDATE_GENERATED=1 npx jest test/migration/peer-validators.test.ts rewrites the file
  if (process.env.UPDATE_GENERATED === '1') writeFileSync(generatedPath, fresh);
  expect(readFileSync(generatedPath, 'utf8')).toBe(fresh);
});
