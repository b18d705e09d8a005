// The Redactor hides whole secrets and the pieces of them a cut leaves behind; excerpts are
// redacted before they are cut.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { excerpt, Redactor } from '../../src/core/redact.js';

const TOKEN = 'tk_9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c';
const HASH = '6a1f9c3e8b2d7f4a0c5e9b1d3f7a2c8e4b6d0f9a1c3e5b7d9f2a4c6e8b0d2f4a';

function redactor(...secrets: string[]): Redactor {
  const r = new Redactor();
  r.add(...secrets);
  return r;
}

/** True when `text` holds any run of `length` characters of `secret`. */
function holdsPiece(text: string, secret: string, length = 12): boolean {
  for (let i = 0; i + length <= secret.length; i++) if (text.includes(secret.slice(i, i + length))) return true;
  return false;
}

test('whole secrets and their wire forms are hidden', () => {
  const r = redactor(TOKEN, 'p@ss word/+');
  assert.equal(r.redact(`token=${TOKEN}; pw=${encodeURIComponent('p@ss word/+')}`), 'token=[REDACTED]; pw=[REDACTED]');
});

test('a prefix of 12 characters or more is hidden wherever it appears', () => {
  const r = redactor(TOKEN, HASH);
  for (const length of [12, 20, 31, TOKEN.length - 1]) {
    const text = `the API said: invalid token ${TOKEN.slice(0, length)}, please retry`;
    assert.equal(r.redact(text), 'the API said: invalid token [REDACTED], please retry', `prefix of ${length}`);
  }
  const cutHash = `{"cid":8771234,"provhash":"${HASH.slice(0, 33)}`;
  assert.equal(r.redact(cutHash), '{"cid":8771234,"provhash":"[REDACTED]');
});

test('at a cut (the end of the text, or before an ellipsis) a prefix of 6 characters is enough', () => {
  const r = redactor(TOKEN);
  assert.equal(r.redact(`invalid token ${TOKEN.slice(0, 6)}`), 'invalid token [REDACTED]');
  assert.equal(r.redact(`invalid token ${TOKEN.slice(0, 8)}…`), 'invalid token [REDACTED]…');
  assert.equal(r.redact(`(invalid token ${TOKEN.slice(0, 9)}...) and more`), '(invalid token [REDACTED]...) and more');
});

test('ordinary text that shares a few first characters with a secret stays as it is', () => {
  const r = redactor('https://events.1password.com', TOKEN);
  // At most 11 characters of a secret's start, not at a cut: ordinary text.
  const text = 'fetched https://example.org and tk_9f8a7b6c in the middle';
  assert.equal(r.redact(text), text);
  // Five characters at the end are below the cut length.
  assert.equal(r.redact('ends with tk_9f'), 'ends with tk_9f');
});

test('a URL kept as a secret hides what shares its first 12 characters (the price of catching cut secrets)', () => {
  const r = redactor('https://events.1password.com');
  assert.equal(r.redact('see https://events.ent.1password.ca'), 'see [REDACTED]ent.1password.ca');
});

test('a short secret that is the start of a longer one is still hidden', () => {
  const r = redactor('abcd', 'abcdefghijklmnopqrstuvwxyz');
  assert.equal(r.redact('x abcdefQ y'), 'x [REDACTED]efQ y');
  assert.equal(r.redact('x abcdefghijklmnop y'), 'x [REDACTED] y');
});

test('an excerpt is redacted before it is cut: no prefix of a secret survives the cut', () => {
  const r = redactor(TOKEN, HASH);
  const body = `<html><body><h1>Unauthorized</h1><p>${'x'.repeat(140)} {"provhash":"${HASH}","token":"${TOKEN}"}</p></body></html>`;
  for (const maxChars of [150, 160, 170, 180, 200]) {
    const shown = excerpt(body, r, { maxChars, stripMarkup: true });
    assert.ok(!holdsPiece(shown, HASH, 6) && !holdsPiece(shown, TOKEN, 6), `cut at ${maxChars}: ${shown}`);
    assert.ok(shown.length <= maxChars + 1);
    assert.doesNotMatch(shown.replace(/\[REDACTED\]/g, ''), /\[R/, 'a cut never splits the mark');
  }
  assert.equal(excerpt('  short\n text ', r, { maxChars: 160 }), 'short text');
});
