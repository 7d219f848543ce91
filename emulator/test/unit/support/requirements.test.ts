import { checkRequirements, file, unmetReasons, type Requirement } from '../../support/requirements';

const here: Requirement = { id: 'here', missing: 'never shown', met: () => true };
const lxd = file('lxd', '/nonexistent/usr/bin/lxd', 'the lxd deb: bash scripts/setup-host.sh installs it');

test('under CI=true a missing requirement throws, naming it and how to get it', () => {
  expect(() => checkRequirements('host configuration', [here, lxd], { CI: 'true' })).toThrow(
    'host configuration cannot run under CI=true: /nonexistent/usr/bin/lxd is missing (the lxd deb: bash scripts/setup-host.sh installs it)',
  );
});

test('outside CI the reasons are returned (the test is skipped), and nothing is missing when all is there', () => {
  expect(checkRequirements('t', [here, lxd], {})).toEqual(['/nonexistent/usr/bin/lxd is missing (the lxd deb: bash scripts/setup-host.sh installs it)']);
  expect(checkRequirements('t', [here], { CI: 'true' })).toEqual([]);
});

test('TEST_PRETEND_MISSING marks requirements as unmet, so the CI failure can be shown on a full host', () => {
  expect(unmetReasons([here], { TEST_PRETEND_MISSING: 'charm, here' })).toEqual(['never shown']);
  expect(() => checkRequirements('t', [here], { CI: 'true', TEST_PRETEND_MISSING: 'here' })).toThrow('t cannot run under CI=true: never shown');
});
