// Runs `siphon run --config <file> --once` in this process and reports its own cost.
// Usage: node dist/bench/siphon-child.js <config> <events-file>
import { readFileSync } from 'node:fs';
import { main } from '../src/cli/main.js';
import { reportSelf } from './child-report.js';

const [config, eventsFile] = process.argv.slice(2);
if (!config || !eventsFile) throw new Error('usage: siphon-child <config> <events-file>');
const startedAt = performance.now();
const cpu = process.cpuUsage();
const exitCode = await main(['node', 'siphon', 'run', '--config', config, '--once']);
let events = 0;
const text = readFileSync(eventsFile, 'utf8');
for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) events++;
// Counting lines is done after the run and is not part of the measured work worth speaking of,
// but it does touch memory: read the peak before it.
reportSelf(events, startedAt, cpu, exitCode);
