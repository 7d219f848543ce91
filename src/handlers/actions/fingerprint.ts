// Certificate fingerprints as operators paste them: hex with or without colons, any case, and
// `openssl x509 -noout -fingerprint -sha256` output as it is ("sha256 Fingerprint=AB:CD:…").

export const FINGERPRINT = /^[0-9a-f]{64}$/;

/** The lowercase 64-hex SHA-256 fingerprint in `text`, or null when it is not one. */
export function normalizeFingerprint(text: string): string | null {
  const value = text.trim().replace(/^sha-?256\s+fingerprint\s*=\s*/i, '').replace(/:/g, '').toLowerCase();
  return FINGERPRINT.test(value) ? value : null;
}

/** "abcd…" → "AB:CD:…", as openssl prints it (for messages) */
export const colonForm = (fingerprint: string): string => (fingerprint.toUpperCase().match(/.{2}/g) ?? []).join(':');
