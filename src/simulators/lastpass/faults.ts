// Fault switches: programmatic (LastPassFaults) and over HTTP (POST /__sim/faults), so a
// test can drive a simulator that runs in another process. The counted faults (429, 5xx,
// malformed, slow) and the JSON handling are shared (FaultQueue); LastPass's own are here.

import { FaultQueue, jsonBool, jsonCount, switchFields, wholeCount, type FaultStep, type QueuedFault } from '../common/fault-queue.js';
import type { Credentials } from './credentials.js';
import { EMPTY_DATA_SHAPES, type EmptyDataShape, type LastPassFaults } from './types.js';

/** A fault that replaces the next API answer. */
export type InjectedFault = QueuedFault | { kind: 'fail'; message: string };

const DEFAULT_FAIL_MESSAGE = 'Internal error, please try again later';

export class FaultState extends FaultQueue implements LastPassFaults {
  private fails = 0;
  private failMessage = DEFAULT_FAIL_MESSAGE;
  private authText = false;
  private quoteRequest = false;
  private nextText = false;
  private emptyShape: EmptyDataShape = 'object';

  constructor(private readonly credentials: Credentials) {
    // As this simulator always did: malformed variants rotate on across resets, and JSON
    // takes whole retry-after seconds only.
    super({ variantsSurviveReset: true, wholeRetryAfterSeconds: true });
  }

  failNext(n: number, message = DEFAULT_FAIL_MESSAGE): void {
    if (typeof message !== 'string' || message === '') throw new TypeError('failNext message must be a non-empty string');
    this.fails = wholeCount(n, 'failNext n');
    this.failMessage = message;
  }

  revokeCredentials(): string {
    return this.credentials.rotate();
  }

  authErrorAsText(on: boolean): void {
    this.authText = on;
  }

  quoteRequestInErrors(on: boolean): void {
    this.quoteRequest = on;
  }

  nextAsString(on: boolean): void {
    this.nextText = on;
  }

  emptyDataShape(shape: EmptyDataShape): void {
    if (!EMPTY_DATA_SHAPES.includes(shape)) throw new RangeError(`emptyDataShape must be one of ${EMPTY_DATA_SHAPES.join(', ')}`);
    this.emptyShape = shape;
  }

  override reset(): void {
    super.reset();
    this.fails = 0;
    this.failMessage = DEFAULT_FAIL_MESSAGE;
    this.authText = false;
    this.quoteRequest = false;
    this.nextText = false;
    this.emptyShape = 'object';
  }

  // --- read by the API ------------------------------------------------------

  /** Consumes and returns the fault for this request, in the order 429, 5xx, FAIL, malformed. */
  take(): InjectedFault | undefined {
    return this.takeTransportError() ?? this.takeFail() ?? this.takeMalformed();
  }

  get authAsText(): boolean {
    return this.authText;
  }

  get quotesRequest(): boolean {
    return this.quoteRequest;
  }

  get nextIsString(): boolean {
    return this.nextText;
  }

  get emptyData(): EmptyDataShape {
    return this.emptyShape;
  }

  override snapshot(): Record<string, unknown> {
    // failNext sits between the 5xx and malformed fields, where take() serves it.
    const { malformedNext, slowResponses, ...transport } = super.snapshot();
    return {
      ...transport,
      failNext: this.fails,
      failMessage: this.failMessage,
      malformedNext,
      slowResponses,
      authErrorAsText: this.authText,
      quoteRequestInErrors: this.quoteRequest,
      nextAsString: this.nextText,
      emptyDataShape: this.emptyShape,
      revocations: this.credentials.revocations,
      // Test controls are unauthenticated: a test in another process needs the new hash after a revoke.
      provisioningHash: this.credentials.provisioningHash,
    };
  }

  /** JSON: `{"failNext":{"n":1,"message":"…"},"revokeCredentials":true,"emptyDataShape":"array"}` and the rest. */
  protected override ownStep(key: string, value: unknown): FaultStep | undefined {
    switch (key) {
      case 'failNext': {
        const o = switchFields(value);
        const n = jsonCount(o.n, 'failNext.n');
        const message = o.message ?? DEFAULT_FAIL_MESSAGE;
        if (typeof message !== 'string' || message === '') throw new TypeError('failNext.message must be a non-empty string');
        return () => this.failNext(n, message);
      }
      case 'revokeCredentials':
        return jsonBool(value, 'revokeCredentials') ? () => void this.revokeCredentials() : undefined;
      case 'authErrorAsText': {
        const on = jsonBool(value, 'authErrorAsText');
        return () => this.authErrorAsText(on);
      }
      case 'quoteRequestInErrors': {
        const on = jsonBool(value, 'quoteRequestInErrors');
        return () => this.quoteRequestInErrors(on);
      }
      case 'nextAsString': {
        const on = jsonBool(value, 'nextAsString');
        return () => this.nextAsString(on);
      }
      case 'emptyDataShape': {
        if (!EMPTY_DATA_SHAPES.includes(value as EmptyDataShape)) throw new RangeError(`emptyDataShape must be one of ${EMPTY_DATA_SHAPES.join(', ')}`);
        const shape = value as EmptyDataShape;
        return () => this.emptyDataShape(shape);
      }
      default:
        throw new TypeError(`unknown fault "${key}"`);
    }
  }

  private takeFail(): InjectedFault | undefined {
    if (this.fails <= 0) return undefined;
    this.fails--;
    return { kind: 'fail', message: this.failMessage };
  }
}
