// The outputs Siphon ships. A new output is one module plus one line here.
import type { OutputDefinition } from '../core/contracts.js';
import { consoleOutputDefinition } from './console.js';
import { fileOutputDefinition } from './file.js';
import { syslogOutputDefinition } from './syslog/index.js';
import { httpOutputDefinition } from './http/index.js';
import { devoOutputDefinition, devoPlatformOutputDefinition } from './devo/index.js';

export const builtinOutputs: ReadonlyMap<string, OutputDefinition<unknown>> = new Map<string, OutputDefinition<unknown>>([
  [fileOutputDefinition.type, fileOutputDefinition as OutputDefinition<unknown>],
  [syslogOutputDefinition.type, syslogOutputDefinition as OutputDefinition<unknown>],
  [consoleOutputDefinition.type, consoleOutputDefinition as OutputDefinition<unknown>],
  [httpOutputDefinition.type, httpOutputDefinition as OutputDefinition<unknown>],
  [devoPlatformOutputDefinition.type, devoPlatformOutputDefinition as OutputDefinition<unknown>],
  [devoOutputDefinition.type, devoOutputDefinition as OutputDefinition<unknown>],
]);
