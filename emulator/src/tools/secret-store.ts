// A hook's view of secrets (contract §3.9, §4.11): reads check owner/grantee access, and every
// change (create, new revision, metadata, grant, revoke, remove, a consumer's pinned revision) is
// pending: applied to this hook's working copy at once and to the model only on commit.

import { randomBytes } from 'node:crypto';
import type { Bag, ModelState, SecretRecord } from '../model/types';
import { quote, runError } from './errors';

export interface SecretEvent {
  kind: 'secret-changed' | 'secret-remove';
  secretId: string;
  revision: number;
  /** units to run the hook on: consumers for secret-changed; the owner unit (or the app's leader) for secret-remove */
  units: string[];
}

type Op = (secrets: Record<string, SecretRecord>) => void;

const XID_ALPHABET = '0123456789abcdefghijklmnopqrstuv';

/** A fresh `secret:<20 chars>` URI in Juju's xid alphabet. */
export function newSecretId(): string {
  const bytes = randomBytes(20);
  let id = '';
  for (const b of bytes) id += XID_ALPHABET[b % 32];
  return `secret:${id}`;
}

/** Accepts `secret:<id>`, `secret://<model>/<id>` or a bare id. */
export function normaliseSecretId(uri: string): string {
  const id = uri.replace(/^secret:(\/\/[^/]*\/)?/, '');
  return `secret:${id}`;
}

export interface SecretMetadata {
  label?: string | null;
  description?: string | null;
  expire?: string | null;
  rotate?: string | null;
}

export class SecretStore {
  private view: Record<string, SecretRecord> | null = null;
  private readonly ops: Op[] = [];
  private readonly createdHere = new Set<string>();
  private readonly touched = new Set<string>();

  constructor(
    private readonly state: ModelState,
    private readonly unitName: string,
    private readonly appName: string,
    private readonly isLeader: () => boolean,
    private readonly now: () => Date,
  ) {}

  private secrets(): Record<string, SecretRecord> {
    this.view ??= structuredClone(this.state.secrets);
    return this.view;
  }

  private apply(secretId: string, op: Op): void {
    this.touched.add(secretId);
    op(this.secrets());
    this.ops.push(op);
  }

  isOwnerReader(secret: SecretRecord): boolean {
    return secret.owner.kind === 'unit' ? secret.owner.name === this.unitName : secret.owner.name === this.appName;
  }

  private isGrantee(secret: SecretRecord): boolean {
    return secret.grants.some(
      (g) =>
        this.state.relations[String(g.relationId)] !== undefined &&
        ((g.scope === 'unit' && g.target === this.unitName) || (g.scope === 'application' && g.target === this.appName)),
    );
  }

  /** Finds a secret by URI or by label (the owner's label, or this unit's consumer label). */
  find(uri: string | undefined, label: string | undefined): SecretRecord {
    const secrets = this.secrets();
    if (uri !== undefined) {
      const id = normaliseSecretId(uri);
      const secret = secrets[id];
      if (!secret) throw runError(`secret ${quote(id.slice('secret:'.length))} not found`);
      return secret;
    }
    const found = Object.values(secrets).find(
      (s) => (this.isOwnerReader(s) && s.label === label) || s.consumers[this.unitName]?.label === label,
    );
    if (!found) throw runError(`secret with label ${quote(label ?? '')} not found`);
    return found;
  }

  /** The owner may manage: the unit for unit-owned secrets, the leader for app-owned ones. */
  requireManage(secret: SecretRecord): void {
    if (!this.isOwnerReader(secret)) throw runError('permission denied');
    if (secret.owner.kind === 'application' && !this.isLeader()) throw runError('this unit is not the leader');
  }

  add(owner: 'application' | 'unit', content: Bag, meta: SecretMetadata): string {
    if (owner === 'application' && !this.isLeader()) throw runError('this unit is not the leader');
    const ownerName = owner === 'application' ? this.appName : this.unitName;
    if (meta.label && Object.values(this.secrets()).some((s) => s.owner.name === ownerName && s.label === meta.label)) {
      throw runError(`secret with label ${quote(meta.label)} already exists`);
    }
    const id = newSecretId();
    const record: SecretRecord = {
      id,
      owner: { kind: owner, name: ownerName },
      label: meta.label ?? null,
      description: meta.description ?? null,
      expire: meta.expire ?? null,
      rotate: meta.rotate ?? null,
      revisions: [{ revision: 1, content: { ...content }, createdAt: this.now().toISOString() }],
      grants: [],
      consumers: {},
    };
    this.createdHere.add(id);
    this.apply(id, (secrets) => {
      secrets[id] = structuredClone(record);
    });
    return id;
  }

  /** Content as this unit may read it: owners read the latest; consumers their pinned revision (pinned at first read). */
  get(secret: SecretRecord, opts: { peek: boolean; refresh: boolean; label: string | undefined }): Bag {
    if (this.createdHere.has(secret.id)) throw runError(`secret ${quote(secret.id.slice('secret:'.length))} not found`);
    const latest = secret.revisions[secret.revisions.length - 1];
    if (!latest) throw runError(`secret ${quote(secret.id)} has no revisions`);
    if (this.isOwnerReader(secret)) {
      if (opts.label !== undefined) this.setMetadata(secret, { label: opts.label }, false);
      return { ...latest.content };
    }
    if (!this.isGrantee(secret)) throw runError('permission denied');
    const consumer = secret.consumers[this.unitName];
    let revision = consumer?.revision ?? latest.revision;
    if (opts.peek || opts.refresh) revision = latest.revision;
    const pin = opts.peek && consumer ? consumer.revision : revision;
    const label = opts.label ?? consumer?.label ?? null;
    if (!consumer || consumer.revision !== pin || consumer.label !== label) {
      const unit = this.unitName;
      this.apply(secret.id, (secrets) => {
        const target = secrets[secret.id];
        if (target) target.consumers[unit] = { revision: pin, label };
      });
    }
    const content = secret.revisions.find((r) => r.revision === revision)?.content ?? latest.content;
    return { ...content };
  }

  setMetadata(secret: SecretRecord, meta: SecretMetadata, checkManage = true): void {
    if (checkManage) this.requireManage(secret);
    this.apply(secret.id, (secrets) => {
      const target = secrets[secret.id];
      if (!target) return;
      if (meta.label !== undefined) target.label = meta.label;
      if (meta.description !== undefined) target.description = meta.description;
      if (meta.expire !== undefined) target.expire = meta.expire;
      if (meta.rotate !== undefined) target.rotate = meta.rotate;
    });
  }

  setContent(secret: SecretRecord, content: Bag): void {
    this.requireManage(secret);
    const createdAt = this.now().toISOString();
    this.apply(secret.id, (secrets) => {
      const target = secrets[secret.id];
      if (!target) return;
      const last = target.revisions[target.revisions.length - 1];
      target.revisions.push({ revision: (last?.revision ?? 0) + 1, content: { ...content }, createdAt });
    });
  }

  grant(secret: SecretRecord, relationId: number, target: string, scope: 'application' | 'unit'): void {
    this.requireManage(secret);
    this.apply(secret.id, (secrets) => {
      const s = secrets[secret.id];
      if (s && !s.grants.some((g) => g.relationId === relationId && g.target === target && g.scope === scope)) {
        s.grants.push({ relationId, target, scope });
      }
    });
  }

  revoke(secret: SecretRecord, match: (g: SecretRecord['grants'][number]) => boolean): void {
    this.requireManage(secret);
    this.apply(secret.id, (secrets) => {
      const s = secrets[secret.id];
      if (s) s.grants = s.grants.filter((g) => !match(g));
    });
  }

  remove(secret: SecretRecord, revision: number | undefined): void {
    this.requireManage(secret);
    if (revision !== undefined && !secret.revisions.some((r) => r.revision === revision)) {
      throw runError(`secret revision ${revision} not found`);
    }
    this.apply(secret.id, (secrets) => {
      const s = secrets[secret.id];
      if (!s) return;
      if (revision === undefined) delete secrets[secret.id];
      else s.revisions = s.revisions.filter((r) => r.revision !== revision);
      if (s.revisions.length === 0) delete secrets[secret.id];
    });
  }

  /** Secrets this unit owns (unit-owned) or its app owns (app-owned; the leader manages them). */
  ownedIds(): string[] {
    return Object.values(this.secrets())
      .filter((s) => this.isOwnerReader(s))
      .map((s) => s.id)
      .sort();
  }

  /** Applies the pending changes to the model; returns the secret hooks they cause. */
  commit(): SecretEvent[] {
    if (this.ops.length === 0) return [];
    const before = new Map(Object.values(this.state.secrets).map((s) => [s.id, s.revisions[s.revisions.length - 1]?.revision ?? 0]));
    for (const op of this.ops) op(this.state.secrets);
    this.ops.length = 0;
    const events: SecretEvent[] = [];
    for (const secret of Object.values(this.state.secrets).filter((s) => this.touched.has(s.id))) {
      const latest = secret.revisions[secret.revisions.length - 1]?.revision ?? 0;
      const previous = before.get(secret.id);
      if (previous !== undefined && latest > previous) {
        const consumers = Object.keys(secret.consumers).filter((u) => this.state.units[u] !== undefined);
        if (consumers.length > 0) events.push({ kind: 'secret-changed', secretId: secret.id, revision: latest, units: consumers.sort() });
      }
      for (const rev of secret.revisions) {
        const tracked = Object.values(secret.consumers).some((c) => c.revision === rev.revision);
        if (rev.revision === latest || tracked) continue;
        const owner = secret.owner.kind === 'unit' ? secret.owner.name : this.state.applications[secret.owner.name]?.leader;
        if (owner) events.push({ kind: 'secret-remove', secretId: secret.id, revision: rev.revision, units: [owner] });
      }
    }
    this.view = null;
    this.createdHere.clear();
    this.touched.clear();
    return events;
  }

  discard(): void {
    this.ops.length = 0;
    this.view = null;
    this.createdHere.clear();
    this.touched.clear();
  }
}
