// Item usage events: someone filled, revealed or copied an item from a vault.

import { WeightedPicker, type Prng } from '../common/prng.js';
import type { UniqueUuids } from './ids.js';
import type { People } from './people.js';
import type { EventTime } from './timestamps.js';
import type { World } from './world.js';

const ACTIONS = new WeightedPicker<string>([
  ['fill', 35],
  ['server-fetch', 20],
  ['secure-copy', 15],
  ['reveal', 12],
  ['enter-item-edit-mode', 5],
  ['server-update', 4],
  ['server-create', 3],
  ['select-sso-provider', 2],
  ['share', 2],
  ['export', 1],
  ['other', 1],
]);

/** Returns a function that makes one event's JSON (v1 form) at a given time. */
export function itemUsageGenerator(rng: Prng, world: World, people: People, uuids: UniqueUuids) {
  return (time: EventTime): string => {
    const person = people.pickActive();
    const p = people.at(person, time.ms);
    const vault = rng.pick(world.vaults);
    const item = rng.pick(vault.items);
    const action = ACTIONS.draw(rng);
    // Edits bump the item's version, as later usages of it will show.
    if (action === 'server-update') item.version++;
    // The vendor's own samples show usages without a location now and then.
    const location = rng.chance(0.03) ? '' : `,"location":${people.locationJson(p.place)}`;
    // Every interpolated value is base32, digits, an IP or a fixed word: nothing to escape.
    return (
      `{"uuid":"${uuids.next()}","timestamp":"${time.text}","used_version":${item.version},` +
      `"vault_uuid":"${vault.uuid}","item_uuid":"${item.uuid}","user":${people.json(person)},` +
      `"client":${people.clientJson(p.client, p.ip)}${location},"action":"${action}"}`
    );
  };
}
