import type { ModelState } from '../../../src/model/types';
import { buildModel, contextFor, err, ok, relationHook } from './builders';

const NOVA_CHANGED = relationHook('lxd-relation-changed', 3, 'nova-compute/0', 'nova-compute');

/** The leader adds an app-owned secret and grants it to nova-compute over relation 3; committed. */
function addGranted(state: ModelState, label = 'trust'): string {
  const leader = contextFor(state, 'lxd/0', NOVA_CHANGED);
  const uri = ok(leader.run('secret-add', '--label', label, 'password=s3cret')).trim();
  ok(leader.run('secret-grant', uri, '-r', '3'));
  leader.ctx.commit();
  return uri;
}

describe('secret-add', () => {
  it('prints a URI; the secret exists only after commit, discard drops it', () => {
    const state = buildModel();
    const { ctx, run } = contextFor(state, 'lxd/0');
    const uri = ok(run('secret-add', 'password=x')).trim();
    expect(uri).toMatch(/^secret:[0-9a-v]{20}$/);
    expect(ok(run('secret-ids'))).toBe(`${uri}\n`);
    expect(state.secrets).toEqual({});
    ctx.discard();
    expect(state.secrets).toEqual({});
    const second = contextFor(state, 'lxd/0');
    const kept = ok(second.run('secret-add', 'password=x')).trim();
    second.ctx.commit();
    expect(state.secrets[kept]).toMatchObject({ owner: { kind: 'application', name: 'lxd' }, revisions: [{ revision: 1, content: { password: 'x' } }] });
  });

  it('needs leadership for app-owned secrets; unit-owned is fine for anyone', () => {
    const state = buildModel();
    const { run } = contextFor(state, 'lxd/1');
    expect(err(run('secret-add', 'password=x'))).toEqual([1, 'ERROR this unit is not the leader\n']);
    expect(ok(run('secret-add', '--owner', 'unit', 'password=x'))).toMatch(/^secret:/);
  });

  it('validates content: none (2), bad key (2), empty value (1); reads #base64 and #file', () => {
    const state = buildModel();
    const { ctx, run, runWith } = contextFor(state, 'lxd/0');
    expect(err(run('secret-add'))).toEqual([2, 'ERROR missing secret value or filename\n']);
    expect(err(run('secret-add', 'ab=x'))).toEqual([2, 'ERROR key "ab" not valid\n']);
    expect(err(runWith({ files: { '/empty.yaml': '{}\n' } }, 'secret-add', '--file', '/empty.yaml'))).toEqual([1, 'ERROR empty secret value not valid\n']);
    expect(err(run('secret-add', '--expire', 'soon', 'key=v'))).toEqual([2, 'ERROR expire time or duration "soon" not valid\n']);
    expect(err(run('secret-add', '--expire', '-1h', 'key=v'))).toEqual([2, 'ERROR negative expire duration "-1h" not valid\n']);
    expect(err(run('secret-add', '--owner', 'model', 'key=v'))).toEqual([2, 'ERROR secret owner "model" not valid\n']);
    expect(err(run('secret-add', '--rotate', 'sometimes', 'key=v'))).toEqual([2, 'ERROR rotate policy "sometimes" not valid\n']);
    const uri = ok(runWith({ files: { '/k.pem': 'PEM' } }, 'secret-add', 'enc#base64=aGVsbG8=', 'cert#file=/k.pem', '--expire', '1h')).trim();
    ctx.commit();
    expect(state.secrets[uri]!.revisions[0]!.content).toEqual({ enc: 'hello', cert: 'PEM' });
    expect(state.secrets[uri]!.expire).toBe('2026-11-26T13:00:00.000Z');
    const dated = contextFor(state, 'lxd/0');
    const other = ok(dated.run('secret-add', '--expire', '2027-01-01T06:06:06', 'key=v')).trim();
    dated.ctx.commit();
    expect(state.secrets[other]!.expire).toBe('2027-01-01T06:06:06.000Z');
  });
});

describe('secret-get access', () => {
  it('owner app units read; grantees read after grant; others get permission denied', () => {
    const state = buildModel();
    const uri = addGranted(state);
    expect(ok(contextFor(state, 'lxd/1').run('secret-get', uri))).toBe('password: s3cret\n');
    expect(ok(contextFor(state, 'nova-compute/0').run('secret-get', uri, 'password', '--format=json'))).toBe('"s3cret"\n');
    expect(ok(contextFor(state, 'lxd/1').run('secret-get', '--label', 'trust', '--format=json'))).toBe('{"password":"s3cret"}\n');

    const mine = contextFor(state, 'lxd/1');
    const unitSecret = ok(mine.run('secret-add', '--owner=unit', 'token=abc')).trim();
    mine.ctx.commit();
    expect(err(contextFor(state, 'lxd/0').run('secret-get', unitSecret))).toEqual([1, 'ERROR permission denied\n']);
    expect(err(contextFor(state, 'nova-compute/0').run('secret-get', 'secret:aaaaaaaaaaaaaaaaaaaa'))).toEqual([1, 'ERROR secret "aaaaaaaaaaaaaaaaaaaa" not found\n']);
    expect(err(contextFor(state, 'lxd/0').run('secret-get'))).toEqual([2, 'ERROR require either a secret URI or label\n']);
    expect(err(contextFor(state, 'lxd/0').run('secret-get', 'not-a-uri'))).toEqual([2, 'ERROR secret URI "not-a-uri" not valid\n']);
    expect(err(contextFor(state, 'lxd/0').run('secret-get', uri, 'nokey'))).toEqual([1, 'ERROR secret key value "nokey" not found\n']);
    expect(ok(contextFor(state, 'lxd/0').run('secret-get', uri.slice(7), 'password#base64'))).toBe('czNjcmV0\n');
  });

  it('the grant dies with the relation; revoke removes it', () => {
    const state = buildModel();
    const uri = addGranted(state);
    const revoke = contextFor(state, 'lxd/0', NOVA_CHANGED);
    expect(err(revoke.run('secret-revoke', uri))).toEqual([2, 'ERROR missing relation or application or unit\n']);
    ok(revoke.run('secret-revoke', uri, '--app', 'nova-compute'));
    revoke.ctx.commit();
    expect(err(contextFor(state, 'nova-compute/0').run('secret-get', uri))).toEqual([1, 'ERROR permission denied\n']);

    const again = addGranted(state, 'second');
    delete state.relations['3'];
    expect(err(contextFor(state, 'nova-compute/0').run('secret-get', again))).toEqual([1, 'ERROR permission denied\n']);
  });

  it('secret-grant --unit must name a unit of the remote app', () => {
    const state = buildModel();
    const uri = addGranted(state);
    const { run } = contextFor(state, 'lxd/0', NOVA_CHANGED);
    expect(err(run('secret-grant', uri, '-r', '3', '--unit', 'lxd/1'))).toEqual([2, 'ERROR cannot specify unit "lxd/1" in relation to application "nova-compute"\n']);
  });

  it('a consumer is pinned to the revision it first read until --refresh; --peek looks without moving', () => {
    const state = buildModel();
    const uri = addGranted(state);
    const consumer = contextFor(state, 'nova-compute/0');
    expect(ok(consumer.run('secret-get', uri, 'password'))).toBe('s3cret\n');
    consumer.ctx.commit();

    const owner = contextFor(state, 'lxd/0');
    ok(owner.run('secret-set', uri, 'password=n3w'));
    const result = owner.ctx.commit();
    expect(result.secretEvents).toEqual([
      { kind: 'secret-changed', secretId: uri, revision: 2, units: ['nova-compute/0'] },
    ]);

    const later = contextFor(state, 'nova-compute/0');
    expect(ok(later.run('secret-get', uri, 'password'))).toBe('s3cret\n');
    expect(ok(later.run('secret-get', uri, 'password', '--peek'))).toBe('n3w\n');
    expect(ok(later.run('secret-get', uri, 'password'))).toBe('s3cret\n');
    expect(ok(later.run('secret-get', uri, 'password', '--refresh'))).toBe('n3w\n');
    const refreshed = later.ctx.commit();
    expect(state.secrets[uri]!.consumers['nova-compute/0']!.revision).toBe(2);
    expect(refreshed.secretEvents).toEqual([{ kind: 'secret-remove', secretId: uri, revision: 1, units: ['lxd/0'] }]);
  });
});

describe('secret management by the owner', () => {
  it('secret-set, secret-remove and secret-info-get are owner-only', () => {
    const state = buildModel();
    const uri = addGranted(state);
    expect(err(contextFor(state, 'nova-compute/0').run('secret-set', uri, 'password=x'))).toEqual([1, 'ERROR permission denied\n']);
    expect(err(contextFor(state, 'lxd/1').run('secret-set', uri, 'password=x'))).toEqual([1, 'ERROR this unit is not the leader\n']);
    expect(err(contextFor(state, 'nova-compute/0').run('secret-info-get', uri))).toEqual([1, `ERROR secret "${uri.slice(7)}" not found\n`]);
    const info = JSON.parse(ok(contextFor(state, 'lxd/0').run('secret-info-get', uri, '--format=json')));
    expect(info).toEqual({ [uri.slice(7)]: { revision: 1, owner: 'application', label: 'trust', access: [{ target: 'nova-compute', scope: 'relation-3', role: 'view' }] } });
    expect(err(contextFor(state, 'lxd/0').run('secret-info-get', uri, '--label', 'x'))).toEqual([2, 'ERROR specify either a secret URI or label but not both\n']);

    const remover = contextFor(state, 'lxd/0');
    ok(remover.run('secret-remove', uri));
    expect(state.secrets[uri]).toBeDefined();
    remover.ctx.commit();
    expect(state.secrets[uri]).toBeUndefined();
  });
});
