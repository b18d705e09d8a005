// Sign-in attempts: mostly successes, with the failure categories and types of the API
// (bad passwords, MFA, SSO, firewall rules, outdated apps), some from strangers abroad.

import { WeightedPicker, type Prng } from '../common/prng.js';
import { randomUuid, type UniqueUuids } from './ids.js';
import type { People } from './people.js';
import type { EventTime } from './timestamps.js';
import { ipIn, type World } from './world.js';

interface Outcome {
  readonly category: string;
  readonly type: string;
  /** What goes in `details.value`; null gives `details: null`. */
  readonly detail: 'mfa' | 'country' | 'ip' | 'anonymous' | 'version' | null;
  /** Attempts that mostly come from somewhere the person is not. */
  readonly hostile: boolean;
}

const o = (category: string, type: string, detail: Outcome['detail'], hostile = false): Outcome => ({ category, type, detail, hostile });

const OUTCOMES = new WeightedPicker<Outcome>([
  [o('success', 'credentials_ok', null), 55],
  [o('success', 'mfa_ok', 'mfa'), 20],
  [o('credentials_failed', 'password_secret_bad', null, true), 10],
  [o('mfa_failed', 'totp_bad', null), 3],
  [o('mfa_failed', 'mfa_missing', null), 1],
  [o('mfa_failed', 'duo_timeout', null), 1],
  [o('mfa_failed', 'u2f_bad', null), 1],
  [o('sso_failed', 'sso_user_mismatch', null), 1],
  [o('sso_failed', 'non_sso_user', null), 1],
  [o('firewall_failed', 'country_blocked', 'country', true), 2],
  [o('firewall_failed', 'ip_blocked', 'ip', true), 1],
  [o('firewall_failed', 'anonymous_blocked', 'anonymous', true), 1],
  [o('firewall_reported_success', 'credentials_ok', 'country'), 1],
  [o('modern_version_failed', 'modern_version_old', 'version'), 1],
]);

const MFA_KINDS = ['totp', 'duo', 'webauthn'];

/** Returns a function that makes one event's JSON (v1 form) at a given time. */
export function signInAttemptGenerator(rng: Prng, world: World, people: People, uuids: UniqueUuids) {
  return (time: EventTime): string => {
    const outcome = OUTCOMES.draw(rng);
    const person = outcome.hostile ? people.pickAnyone() : people.pickActive();
    const presence = people.at(person, time.ms);
    let ip = presence.ip;
    let place = presence.place;
    if (outcome.hostile && rng.chance(0.6)) {
      place = rng.pick(world.elsewhere);
      ip = ipIn(rng, place);
    }
    let details = 'null';
    switch (outcome.detail) {
      case 'mfa':
        details = `{"value":"${rng.pick(MFA_KINDS)}"}`;
        break;
      case 'country':
        details = `{"value":"${place.iso}"}`;
        break;
      case 'ip':
        details = `{"value":"${ip}"}`;
        break;
      case 'anonymous':
        details = '{"value":"Tor"}';
        break;
      case 'version':
        details = '{"value":"7.9.11"}';
        break;
      case null:
        break;
    }
    // A success continues the person's session; a failure gets a session of its own.
    const sessionUuid = outcome.category === 'success' ? presence.sessionUuid : randomUuid(rng);
    return (
      `{"uuid":"${uuids.next()}","session_uuid":"${sessionUuid}","timestamp":"${time.text}",` +
      `"country":"${place.iso}","category":"${outcome.category}","type":"${outcome.type}","details":${details},` +
      `"target_user":${people.json(person)},"client":${people.clientJson(presence.client, ip)},` +
      `"location":${people.locationJson(place)}}`
    );
  };
}
