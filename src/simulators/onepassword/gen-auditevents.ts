// Audit events: administrators and members changing the account. Each template gives a
// plausible action + object_type pair and the object/aux fields that go with it.

import { WeightedPicker, type Prng } from '../common/prng.js';
import { randomLowerUuid, randomUuid, type UniqueUuids } from './ids.js';
import type { People, Presence } from './people.js';
import type { EventTime } from './timestamps.js';
import type { Person, World } from './world.js';

/** The fields between object_type and session, in the order 1Password writes them. */
type Fields = Record<string, unknown>;
type Template = (ctx: TemplateContext) => Fields;

interface TemplateContext {
  readonly rng: Prng;
  readonly world: World;
  readonly people: People;
  readonly actor: Presence;
}

const personRef = (p: Person): { uuid: string; name: string; email: string } => ({ uuid: p.uuid, name: p.name, email: p.email });

/** Someone in the account, as the {uuid,name,email} of object_details / aux_details. */
const someone = (c: TemplateContext): { uuid: string; name: string; email: string } => personRef(c.people.pickAnyone());

const itemOp = (action: string) => (c: TemplateContext): Fields => {
  const vault = c.rng.pick(c.world.vaults);
  const item = c.rng.pick(vault.items);
  return { action, object_type: 'item', object_uuid: item.uuid, aux_id: item.version, aux_uuid: vault.uuid };
};

const vaultOp = (action: string) => (c: TemplateContext): Fields => ({
  action,
  object_type: 'vault',
  object_uuid: c.rng.pick(c.world.vaults).uuid,
});

const userOp = (action: string) => (c: TemplateContext): Fields => {
  const target = someone(c);
  return { action, object_type: 'user', object_uuid: target.uuid, object_details: target };
};

const selfOp = (action: string) => (c: TemplateContext): Fields => ({
  action,
  object_type: 'user',
  object_uuid: c.actor.person.uuid,
  object_details: personRef(c.actor.person),
});

const membership = (action: string) => (c: TemplateContext): Fields => {
  const member = someone(c);
  return {
    action,
    object_type: 'gm',
    object_uuid: c.rng.pick(c.world.groups).uuid,
    aux_uuid: member.uuid,
    aux_details: member,
    aux_info: c.rng.pick(['A', 'M', 'R']),
  };
};

const TEMPLATES = new WeightedPicker<Template>([
  [itemOp('create'), 14],
  [itemOp('update'), 18],
  [itemOp('delete'), 4],
  [(c) => ({ action: 'export', object_type: 'items', object_uuid: c.rng.pick(c.world.vaults).uuid, aux_id: c.rng.range(1, 80) }), 1],
  [(c) => ({ ...itemOp('share')(c), aux_info: c.rng.pick(['1d', '7d', '14d', '30d']) }), 3],
  [vaultOp('create'), 2],
  [vaultOp('update'), 2],
  [vaultOp('delete'), 1],
  [
    (c) => {
      const member = someone(c);
      return { action: c.rng.pick(['grant', 'grant', 'revoke']), object_type: 'uva', object_uuid: c.rng.pick(c.world.vaults).uuid, aux_id: c.rng.pick([32, 48, 1048560, 3145718]), aux_uuid: member.uuid, aux_details: member };
    },
    5,
  ],
  [(c) => ({ action: 'grant', object_type: 'gva', object_uuid: c.rng.pick(c.world.vaults).uuid, aux_id: 1048560, aux_uuid: c.rng.pick(c.world.groups).uuid }), 2],
  [membership('join'), 4],
  [membership('leave'), 2],
  [membership('role'), 1],
  [(c) => ({ action: 'create', object_type: 'group', object_uuid: c.rng.pick(c.world.groups).uuid }), 1],
  [
    (c) => ({
      action: 'create',
      object_type: 'device',
      object_uuid: c.actor.device,
      aux_uuid: c.actor.person.uuid,
      aux_details: personRef(c.actor.person),
      aux_info: c.actor.client.app_name,
    }),
    8,
  ],
  [(c) => ({ action: 'deolddev', object_type: 'device', object_uuid: randomLowerUuid(c.rng) }), 1],
  [
    (c) => {
      const first = c.rng.pick(['alex', 'jo', 'kim', 'lee', 'max', 'nic']);
      const uuid = randomUuid(c.rng);
      return { action: 'create', object_type: 'invite', object_uuid: uuid, object_details: { uuid, name: '', email: `${first}.${uuid.slice(0, 4).toLowerCase()}@${c.world.domain}` } };
    },
    2,
  ],
  [userOp('suspend'), 2],
  [userOp('reactive'), 1],
  [userOp('activate'), 2],
  [userOp('delete'), 1],
  [userOp('beginr'), 1],
  [userOp('completr'), 1],
  [userOp('updatea'), 1],
  [selfOp('enblmfa'), 2],
  [selfOp('disblmfa'), 1],
  [selfOp('changemp'), 1],
  [selfOp('changesk'), 1],
  [selfOp('trvlaway'), 1],
  [selfOp('trvlback'), 1],
  [(c) => ({ action: 'updatfw', object_type: 'account', object_uuid: c.world.accountUuid, aux_info: c.rng.pick(['country_blocked', 'anonymous_blocked', 'ip_blocked']) }), 1],
  [(c) => ({ action: 'update', object_type: 'account', object_uuid: c.world.accountUuid }), 1],
  [
    (c) => {
      const sa = c.rng.pick(c.world.serviceAccounts);
      return { action: c.rng.pick(['create', 'revoke']), object_type: 'satoken', object_uuid: randomUuid(c.rng), aux_uuid: sa.uuid, aux_info: sa.name };
    },
    1,
  ],
  [(c) => ({ action: c.rng.pick(['create', 'view']), object_type: 'report', object_uuid: randomUuid(c.rng), aux_info: 'User Report' }), 1],
  [(c) => ({ action: 'updatduo', object_type: 'account', object_uuid: c.world.accountUuid }), 1],
]);

/** Returns a function that makes one event's JSON (v1 form) at a given time. */
export function auditEventGenerator(rng: Prng, world: World, people: People, uuids: UniqueUuids) {
  return (time: EventTime): string => {
    const actor = people.pickActive();
    const presence = people.at(actor, time.ms);
    const fields = TEMPLATES.draw(rng)({ rng, world, people, actor: presence });
    // The middle varies by template, so it goes through JSON.stringify; audit events are
    // few compared with item usages, and the fixed parts are still ready-made text.
    return (
      `{"uuid":"${uuids.next()}","timestamp":"${time.text}","actor_uuid":"${actor.uuid}",` +
      `"actor_details":${people.json(actor)},${JSON.stringify(fields).slice(1, -1)},` +
      `"session":${presence.sessionJson},"location":${people.locationJson(presence.place)}}`
    );
  };
}
