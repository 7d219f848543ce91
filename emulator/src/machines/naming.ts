// Names of everything a namespace machine creates on the host, all derived from the model name so
// parallel models never collide and leftovers of a crashed run can be found again.

import { createHash } from 'node:crypto';

const MODEL_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const MACHINE_ID = /^[0-9]{1,4}$/;

export function validateModelName(modelName: string): void {
  if (!MODEL_NAME.test(modelName)) {
    throw new Error(`invalid model name "${modelName}": use 1-63 lowercase letters, digits and dashes`);
  }
}

export function validateMachineId(id: string): void {
  if (!MACHINE_ID.test(id) || Number(id) > 239) {
    throw new Error(`invalid machine id "${id}": expected a number from 0 to 239`);
  }
}

export function modelHash(modelName: string): string {
  return createHash('sha256').update(modelName).digest('hex');
}

/** host bridge of the model: `jemu-` + 10 hex digits (15 chars, the kernel's limit) */
export function bridgeName(modelName: string): string {
  return `jemu-${modelHash(modelName).slice(0, 10)}`;
}

/** every network namespace of the model starts with this; the hash keeps "a" from matching "a-2" */
export function netnsPrefix(modelName: string): string {
  return `jemu-${modelName}-${modelHash(modelName).slice(0, 6)}-`;
}

export function netnsName(modelName: string, id: string): string {
  return `${netnsPrefix(modelName)}${id}`;
}

/** host end of a machine's veth pair (≤ 15 chars); the machine end is `eth0` */
export function hostVethName(modelName: string, id: string): string {
  return `jv${modelHash(modelName).slice(0, 8)}-${id}`;
}

/** like Juju's `juju-<6 chars of the model>-<machine>` */
export function machineHostname(modelName: string, id: string): string {
  return `juju-${modelHash(modelName).slice(0, 6)}-${id}`;
}
