// The outputs Siphon ships. A new output is one module plus one line here.
import type { OutputDefinition } from '../core/contracts.js';
import { consoleOutputDefinition } from './console.js';
import { fileOutputDefinition } from './file.js';

export const builtinOutputs: ReadonlyMap<string, OutputDefinition<unknown>> = new Map<string, OutputDefinition<unknown>>([
  [fileOutputDefinition.type, fileOutputDefinition as OutputDefinition<unknown>],
  [consoleOutputDefinition.type, consoleOutputDefinition as OutputDefinition<unknown>],
]);
