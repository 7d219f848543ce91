// The lxd-snap resource (metadata.yaml) as the charm sees it: what resource-get gave, pure data.
// A file is sideloaded with `snap install --dangerous` (air-gapped clouds); an empty file means the
// store's snap on lxd-channel, undoing a sideload; none uploaded (or unreadable) changes nothing.

export const SNAP_RESOURCE = 'lxd-snap';

export type SnapResource =
  | { readonly kind: 'file'; readonly path: string; readonly sha256: string; readonly sizeBytes: number; readonly isSnap: boolean }
  | { readonly kind: 'empty' }
  /** never uploaded, or resource-get failed: nothing is known, so nothing is changed */
  | { readonly kind: 'absent'; readonly why: string };

/** A snap is a squashfs image: its first bytes are squashfs's magic, "hsqs" (hex as Host.fileDigest gives it). */
export const SQUASHFS_MAGIC = '68737173';
