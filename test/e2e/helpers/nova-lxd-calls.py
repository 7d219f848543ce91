"""The pylxd calls nova-lxd makes (openstack/nova-lxd, nova/virt/lxd/{driver,flavor}.py), run as nova.

Each subcommand is one nova-lxd driver step with the same pylxd calls in the same order; it prints
one JSON object (what the e2e test asserts) and exits non-zero with the error on failure.
  spawn <rootfs tarball> <image ref> <instance> <pool>  _sync_glance_image_to_lxd, to_profile, spawn
  power-off <instance>                                 migrate_disk_and_power_off
  finish-migration <source host> <instance> <pool> <verify>
                                                       finish_migration on the destination: _migrate
                                                       as nova-lxd intended (see below), then start
  confirm-migration <instance>                         confirm_migration on the source (its order
                                                       first, then container before profile)
  probe <source host> <verify>                         only pylxd.Client(endpoint=..., verify=...)

nova-lxd's _migrate is `pylxd.Client(endpoint='https://{}'.format(source_host), verify=False)`, then
`self.containers.create(data, wait=True)`: LXDDriver has no `containers` (it is self.client's), and
verify=False accepts any server. Here the endpoint is the same (host name, no port: 443, no cert:
pylxd's default client certificate of the user), verify is the peer's pinned certificate, and the
create goes to self.client as intended.
"""
import io
import json
import os
import sys
import tarfile
import time

import pylxd
from pylxd import client as pylxd_client
from pylxd import exceptions as lxd_exceptions


def to_profile(client, name, pool):
    """flavor.to_profile for a flavor of 1 vCPU / 256 MB, no network_info, no ephemeral disks."""
    config = {
        'environment.product_name': 'OpenStack Nova',
        'limits.memory': '256MB',
        'limits.cpu': '1',
    }
    device = {'type': 'disk', 'path': '/'}
    if 'storage' not in client.host_info.get('api_extensions', []):
        raise RuntimeError('Host does not have storage pool support')
    device['pool'] = pool
    storage_type = client.storage_pools.get(pool).driver
    if storage_type in ['btrfs', 'zfs']:
        device['size'] = '1GB'
    return client.profiles.create(name, config, {'root': device}), storage_type


def sync_image(client, rootfs_path, image_ref):
    """_sync_glance_image_to_lxd for a raw root tarball (no metadata.yaml): nova adds the metadata."""
    try:
        client.images.get_by_alias(image_ref)
        return 'already there'
    except lxd_exceptions.LXDAPIException as e:
        if e.response.status_code != 404:
            raise
    metadata = {'architecture': 'x86_64', 'creation_date': int(os.stat(rootfs_path).st_ctime)}
    metadata_yaml = json.dumps(metadata, sort_keys=True, indent=4, separators=(',', ': '), ensure_ascii=False).encode('utf-8') + b'\n'
    manifest = io.BytesIO()
    with tarfile.open(fileobj=manifest, mode='w:gz') as tarball:
        info = tarfile.TarInfo(name='metadata.yaml')
        info.size = len(metadata_yaml)
        tarball.addfile(info, io.BytesIO(metadata_yaml))
    manifest.seek(0)
    with open(rootfs_path, 'rb') as image:
        image = client.images.create(image, metadata=manifest, wait=True)
    image.add_alias(image_ref, '')
    return image.fingerprint


def describe(client, name):
    container = client.containers.get(name)
    return {
        'status': container.status,
        'profiles': container.profiles,
        'root_pool': container.expanded_devices.get('root', {}).get('pool'),
    }


def spawn(rootfs_path, image_ref, name, pool):
    client = pylxd.Client()  # init_host: the local unix socket
    try:
        client.containers.get(name)
        raise RuntimeError('InstanceExists: {}'.format(name))
    except lxd_exceptions.LXDAPIException as e:
        if e.response.status_code != 404:
            raise
    image = sync_image(client, rootfs_path, image_ref)
    profile, storage_type = to_profile(client, name, pool)
    container_config = {'name': name, 'profiles': [profile.name], 'source': {'type': 'image', 'alias': image_ref}}
    container = client.containers.create(container_config, wait=True)
    container.start(wait=True)
    return dict(describe(client, name), image=image, storage_type=storage_type)


def power_off(name):
    client = pylxd.Client()
    client.containers.get(name).stop(wait=True)
    return describe(client, name)


def source_client(source_host, verify):
    # "True": requests' default (the system CAs); anything else: the path of the certificate(s) to trust
    return pylxd.Client(endpoint='https://{}'.format(source_host), verify=True if verify == 'True' else verify)


def finish_migration(source_host, name, pool, verify):
    client = pylxd.Client()
    to_profile(client, name, pool)  # Step 1: the profile on the destination host
    remote = source_client(source_host, verify)  # Step 2: _migrate, as intended
    container = remote.containers.get(name)
    data = container.generate_migration_data()
    started = time.time()
    client.containers.create(data, wait=True)
    moved = time.time() - started
    client.containers.get(name).start(wait=True)  # Step 3 (upstream: self.client.container, another typo)
    return dict(describe(client, name), seconds=round(moved, 2), source_trusted=remote.trusted,
                endpoint=remote.api._api_endpoint, client_cert=list(remote.api.session.cert or []))


def confirm_migration(name):
    client = pylxd.Client()
    # upstream deletes the profile first, while the container still uses it
    try:
        client.profiles.get(name).delete()
        upstream_order = 'ok'
    except lxd_exceptions.LXDAPIException as e:
        upstream_order = str(e)
    client.containers.get(name).delete(wait=True)
    client.profiles.get(name).delete()
    return {'containers': [c.name for c in client.containers.all()], 'upstream_order': upstream_order}


def probe(source_host, verify):
    remote = source_client(source_host, verify)
    return {'trusted': remote.trusted, 'server_name': remote.host_info['environment'].get('server_name')}


def main(argv):
    commands = {'spawn': spawn, 'power-off': power_off, 'finish-migration': finish_migration, 'confirm-migration': confirm_migration, 'probe': probe}
    command, args = argv[0], argv[1:]
    result = commands[command](*args)
    result['home'] = os.path.expanduser('~')
    result['default_cert'] = pylxd_client.DEFAULT_CERTS.cert
    print(json.dumps(result))


if __name__ == '__main__':
    try:
        main(sys.argv[1:])
    except Exception as err:  # the test reads the error class and message
        # pylxd's ClientConnectionFailed carries no message: the requests error it replaced says why
        cause = err.__context__
        print(json.dumps({'error': type(err).__name__, 'message': str(err),
                          'cause': type(cause).__name__ if cause else None, 'detail': str(cause) if cause else None}))
        sys.exit(1)
