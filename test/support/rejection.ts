// The SiphonError a promise rejects with; fails the test when it resolves or throws anything else.
import assert from 'node:assert/strict';
import { SiphonError } from '../../src/core/errors.js';

export async function rejection(promise: Promise<unknown>): Promise<SiphonError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof SiphonError, `expected a SiphonError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}
