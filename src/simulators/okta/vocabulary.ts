// What happens in the simulated org, as System Log event types: their display messages,
// legacy event types, severities, outcomes and targets. The event types and the target
// types are Okta's (see the Okta System Log reference, "Event types"); the legacy types
// and messages follow what real exports show, and are illustrative where they vary.

import type { Prng } from '../common/prng.js';
import { oktaId, type App, type Named, type Org, type Person } from './org.js';

export type Severity = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** One target of an event, as `target[]` lists it. */
export interface Target {
  readonly id: string;
  readonly type: string;
  readonly alternateId: string;
  readonly displayName: string;
  readonly detailEntry?: Record<string, string> | null;
  readonly changeDetails?: { from: Record<string, string>; to: Record<string, string> };
}

/** What an event says beyond its session (who, from where). */
export interface EventBody {
  readonly eventType: string;
  readonly legacyEventType: string | null;
  readonly displayMessage: string;
  readonly severity: Severity;
  readonly result: 'SUCCESS' | 'FAILURE' | 'SKIPPED' | 'ALLOW' | 'DENY' | 'CHALLENGE' | 'UNKNOWN';
  readonly reason: string | null;
  /** null: the event has no target (Okta sends `"target":null` then). */
  readonly targets: readonly Target[] | null;
  /** debugContext.debugData.requestUri. */
  readonly requestUri: string;
}

export const userTarget = (p: Person): Target => ({ id: p.id, type: 'User', alternateId: p.login, displayName: p.displayName, detailEntry: null });
const appTarget = (a: App): Target => ({ id: a.id, type: 'AppInstance', alternateId: a.label, displayName: a.label, detailEntry: { signOnModeType: 'SAML_2_0' } });
const appUserTarget = (rng: Prng, p: Person): Target => ({ id: oktaId(rng, '0ua'), type: 'AppUser', alternateId: p.login, displayName: p.displayName, detailEntry: null });
const groupTarget = (g: Named): Target => ({ id: g.id, type: 'UserGroup', alternateId: 'unknown', displayName: g.name, detailEntry: null });
const policyTarget = (p: Named): Target => ({ id: p.id, type: 'PolicyEntity', alternateId: 'unknown', displayName: p.name, detailEntry: { policyType: 'OKTA_SIGN_ON' } });
const ruleTarget = (r: Named): Target => ({ id: r.id, type: 'PolicyRule', alternateId: 'unknown', displayName: r.name, detailEntry: null });

/** What a builder may use. */
export interface BuildContext {
  readonly rng: Prng;
  readonly org: Org;
  /** Who acts (the session's person). */
  readonly actor: Person;
}

export type Builder = (c: BuildContext) => EventBody;

export const sessionStart = (failed: boolean): Builder => () =>
  failed
    ? { eventType: 'user.session.start', legacyEventType: 'core.user_auth.login_failed', displayMessage: 'User login to Okta', severity: 'WARN', result: 'FAILURE', reason: 'INVALID_CREDENTIALS', targets: null, requestUri: '/idp/idx/challenge/answer' }
    : { eventType: 'user.session.start', legacyEventType: 'core.user_auth.login_success', displayMessage: 'User login to Okta', severity: 'INFO', result: 'SUCCESS', reason: null, targets: null, requestUri: '/idp/idx/identify' };

export const pushSent: Builder = (c) => ({
  eventType: 'system.push.send_factor_verify_push',
  legacyEventType: null,
  displayMessage: 'Push notification sent for verification',
  severity: 'INFO',
  result: 'SUCCESS',
  reason: null,
  targets: [userTarget(c.actor)],
  requestUri: '/idp/idx/challenge',
});

export const mfaVerified = (denied: boolean): Builder => (c) =>
  denied
    ? { eventType: 'user.mfa.okta_verify.deny_push', legacyEventType: 'core.user.factor.attempt_fail', displayMessage: 'User rejected Okta push verify', severity: 'WARN', result: 'FAILURE', reason: 'INVALID_CREDENTIALS', targets: [userTarget(c.actor)], requestUri: '/idp/idx/authenticators/poll' }
    : { eventType: 'user.authentication.auth_via_mfa', legacyEventType: 'core.user.factor.attempt_success', displayMessage: 'Authentication of user via MFA', severity: 'INFO', result: 'SUCCESS', reason: null, targets: [userTarget(c.actor)], requestUri: '/idp/idx/authenticators/poll' };

export const signOnPolicy: Builder = (c) => {
  const challenge = c.rng.chance(0.3);
  return {
    eventType: 'policy.evaluate_sign_on',
    legacyEventType: null,
    displayMessage: 'Evaluation of sign-on policy',
    severity: 'INFO',
    result: challenge ? 'CHALLENGE' : 'ALLOW',
    reason: challenge ? 'Sign-on policy evaluation resulted in CHALLENGE' : 'Sign-on policy evaluation resulted in ALLOW',
    targets: [policyTarget(c.rng.pick(c.org.policies)), ruleTarget(c.rng.pick(c.org.rules))],
    requestUri: '/idp/idx/introspect',
  };
};

export const sso: Builder = (c) => {
  const app = c.rng.pick(c.org.apps);
  return {
    eventType: 'user.authentication.sso',
    legacyEventType: 'app.auth.sso',
    displayMessage: 'User single sign on to app',
    severity: 'INFO',
    result: 'SUCCESS',
    reason: null,
    targets: [appTarget(app), appUserTarget(c.rng, c.actor)],
    requestUri: `/app/${app.name}/${app.id}/sso/saml`,
  };
};

export const sessionEnd: Builder = () => ({
  eventType: 'user.session.end',
  legacyEventType: 'core.user_auth.logout_success',
  displayMessage: 'User logout from Okta',
  severity: 'INFO',
  result: 'SUCCESS',
  reason: null,
  targets: null,
  requestUri: '/login/signout',
});

export const accountLocked: Builder = (c) => ({
  eventType: 'user.account.lock',
  legacyEventType: 'core.user.account.locked',
  displayMessage: 'Max sign in attempts exceeded',
  severity: 'WARN',
  result: 'FAILURE',
  reason: 'LOCKED_OUT',
  targets: [userTarget(c.actor)],
  requestUri: '/idp/idx/challenge/answer',
});

export const requestBlocked: Builder = () => ({
  eventType: 'security.request.blocked',
  legacyEventType: null,
  displayMessage: 'Request from suspicious actor',
  severity: 'WARN',
  result: 'DENY',
  reason: 'Blocked by Okta ThreatInsight',
  targets: null,
  requestUri: '/api/v1/authn',
});

/** Someone other than the acting admin. */
function someoneElse(c: BuildContext): Person {
  const others = c.org.people.filter((p) => p.id !== c.actor.id);
  return c.rng.pick(others);
}

function lifecycle(eventType: string, legacy: string, message: string): Builder {
  return (c) => ({ eventType, legacyEventType: legacy, displayMessage: message, severity: 'INFO', result: 'SUCCESS', reason: null, targets: [userTarget(someoneElse(c))], requestUri: '/api/internal/v1/users' });
}

/** What administrators do in the Admin Console, with weights. */
export const ADMIN_ACTIONS: ReadonlyArray<readonly [Builder, number]> = [
  [lifecycle('user.lifecycle.create', 'core.user.config.user_creation.success', 'Create Okta user'), 8],
  [lifecycle('user.lifecycle.activate', 'core.user.config.user_activated', 'Activate Okta user'), 8],
  [lifecycle('user.lifecycle.deactivate', 'core.user.config.user_deactivated', 'Deactivate Okta user'), 4],
  [lifecycle('user.lifecycle.suspend', 'core.user.config.user_status.suspended', 'Suspend Okta user'), 2],
  [lifecycle('user.lifecycle.unsuspend', 'core.user.config.user_status.unsuspended', 'Unsuspend Okta user'), 1],
  [
    (c) => ({
      eventType: 'group.user_membership.add',
      legacyEventType: 'core.user_group_member.user_add',
      displayMessage: 'Add user to group membership',
      severity: 'INFO',
      result: 'SUCCESS',
      reason: null,
      targets: [userTarget(someoneElse(c)), groupTarget(c.rng.pick(c.org.groups))],
      requestUri: '/api/v1/groups',
    }),
    12,
  ],
  [
    (c) => {
      const person = someoneElse(c);
      return {
        eventType: 'application.user_membership.add',
        legacyEventType: 'app.generic.provision.assign_user_to_app',
        displayMessage: 'Add user to application membership',
        severity: 'INFO',
        result: 'SUCCESS',
        reason: null,
        targets: [appUserTarget(c.rng, person), appTarget(c.rng.pick(c.org.apps)), userTarget(person)],
        requestUri: '/api/v1/apps',
      };
    },
    10,
  ],
  [
    (c) => ({
      eventType: 'policy.lifecycle.update',
      legacyEventType: null,
      displayMessage: 'Update policy',
      severity: 'INFO',
      result: 'SUCCESS',
      reason: null,
      targets: [policyTarget(c.rng.pick(c.org.policies))],
      requestUri: '/api/v1/policies',
    }),
    3,
  ],
  [
    (c) => ({
      eventType: 'policy.rule.update',
      legacyEventType: null,
      displayMessage: 'Update policy rule',
      severity: 'INFO',
      result: 'SUCCESS',
      reason: null,
      targets: [ruleTarget(c.rng.pick(c.org.rules)), policyTarget(c.rng.pick(c.org.policies))],
      requestUri: '/api/v1/policies',
    }),
    3,
  ],
  [
    (c) => {
      const role = c.rng.pick(c.org.adminRoles);
      const target = { ...userTarget(someoneElse(c)), detailEntry: { privilegeGranted: role } };
      return {
        eventType: 'user.account.privilege.grant',
        legacyEventType: 'core.user.admin_privilege.granted',
        displayMessage: 'Grant user privilege',
        severity: 'INFO',
        result: 'SUCCESS',
        reason: null,
        targets: [target],
        requestUri: '/api/internal/administrators',
      };
    },
    2,
  ],
  [
    (c) => ({
      eventType: 'system.api_token.create',
      legacyEventType: 'api.token.create',
      displayMessage: 'Create API token',
      severity: 'INFO',
      result: 'SUCCESS',
      reason: null,
      targets: [{ id: oktaId(c.rng, '00T'), type: 'Token', alternateId: 'unknown', displayName: c.rng.pick(['SIEM export', 'Provisioning script', 'Terraform']), detailEntry: null }],
      requestUri: '/api/internal/tokens',
    }),
    1,
  ],
];
