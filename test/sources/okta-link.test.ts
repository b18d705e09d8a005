// Okta's Link headers, as the HTTP client hands them over (several header lines joined with
// commas): parsed by the grammar, not by position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkTarget } from '../../src/sources/okta/link.js';
import { sameOrgLogsLink, withLimit } from '../../src/sources/okta/cursor.js';

test('the next link, wherever it is and however rel is written; commas inside <...> or quotes do not split', () => {
  const self = '<https://acme.okta.com/api/v1/logs?limit=20>; rel="self"';
  const next = '<https://acme.okta.com/api/v1/logs?limit=20&after=1627500044869_1>; rel="next"';
  assert.equal(linkTarget(`${self}, ${next}`, 'next'), 'https://acme.okta.com/api/v1/logs?limit=20&after=1627500044869_1');
  assert.equal(linkTarget(`${next}, ${self}`, 'self'), 'https://acme.okta.com/api/v1/logs?limit=20');
  assert.equal(linkTarget('</api/v1/logs?filter=a,b&after=x>; title="one, two"; rel=next', 'next'), '/api/v1/logs?filter=a,b&after=x');
  assert.equal(linkTarget('<https://x/a>; rel="prev next"', 'next'), 'https://x/a');
  assert.equal(linkTarget('<https://x/a>; REL="Next"', 'next'), 'https://x/a');
  assert.equal(linkTarget(self, 'next'), undefined);
  assert.equal(linkTarget(undefined, 'next'), undefined);
  assert.equal(linkTarget('garbage', 'next'), undefined);
});

test('a next link is followed only on the org and its log endpoint; limit is the one query parameter set', () => {
  const org = 'https://acme.okta.com';
  assert.equal(sameOrgLogsLink('https://acme.okta.com/api/v1/logs?after=1_2&limit=5', org), '/api/v1/logs?after=1_2&limit=5');
  assert.equal(sameOrgLogsLink('/api/v1/logs?after=1_2', org), '/api/v1/logs?after=1_2');
  assert.equal(sameOrgLogsLink('https://evil.example/api/v1/logs?after=1_2', org), undefined);
  assert.equal(sameOrgLogsLink('http://acme.okta.com/api/v1/logs?after=1_2', org), undefined, 'not over plain http');
  assert.equal(sameOrgLogsLink('https://acme.okta.com:8443/api/v1/logs', org), undefined);
  assert.equal(sameOrgLogsLink('https://acme.okta.com/api/v1/users', org), undefined);
  assert.equal(sameOrgLogsLink('https://user:pw@acme.okta.com/api/v1/logs', org), undefined);
  assert.equal(withLimit('/api/v1/logs?limit=1000&sortOrder=ASCENDING&after=1_2', 50), '/api/v1/logs?sortOrder=ASCENDING&after=1_2&limit=50');
  assert.equal(withLimit('/api/v1/logs?after=a%2Bb', 50), '/api/v1/logs?after=a%2Bb&limit=50', 'the cursor stays as written');
  assert.equal(withLimit('/api/v1/logs?limitless=1', 5), '/api/v1/logs?limitless=1&limit=5');
});
