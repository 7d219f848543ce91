// X.509 certificates as peers publish them: exactly one PEM block that node:crypto parses, re-encoded
// canonically so what we pin or trust is byte-for-byte what we checked.
import { X509Certificate, createHash } from 'node:crypto';

export interface Certificate {
  /** canonical PEM: one CERTIFICATE block, 64-column base64, trailing newline */
  readonly pem: string;
  /** sha256 of the DER, lowercase hex: what LXD calls the fingerprint */
  readonly fingerprint: string;
  /** base64 of the DER: what POST /1.0/certificates takes */
  readonly derBase64: string;
}

const PEM_BLOCK = /^-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END CERTIFICATE-----\r?\n?$/;

export const fingerprintOf = (der: Buffer): string => createHash('sha256').update(der).digest('hex');

export function pemOf(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The certificate in `text`, or why it is not one (a key, two blocks, garbage, bad DER). */
export function parseCertificate(text: string): { readonly ok: Certificate } | { readonly error: string } {
  const block = PEM_BLOCK.exec(text.trim() + '\n');
  if (!block) return { error: 'is not a single PEM certificate' };
  try {
    const der = new X509Certificate(Buffer.from((block[1] ?? '').replace(/\s+/g, ''), 'base64')).raw;
    return { ok: { pem: pemOf(der), fingerprint: fingerprintOf(der), derBase64: der.toString('base64') } };
  } catch {
    return { error: 'does not parse as an X.509 certificate' };
  }
}
