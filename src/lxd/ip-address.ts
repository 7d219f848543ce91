// Node's own IP literal check (node:net, which only the ground floor imports): 4, 6, or 0 when `text`
// is not an IPv4 or IPv6 address.
import { isIP } from 'node:net';

export const ipFamily = (text: string): 0 | 4 | 6 => {
  const family = isIP(text);
  return family === 4 || family === 6 ? family : 0;
};
