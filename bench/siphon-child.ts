// Runs `siphon run --config <file> --once` in this process and reports its own cost.
// The parent counts the delivered lines afterwards (counting here would inflate peak RSS).
// Usage: node dist/bench/siphon-child.js <config>
import { main } from '../src/cli/main.js';
import { reportSelf } from '../src/simulators/common/baseline-report.js';

const [config] = process.argv.slice(2);
if (!config) throw new Error('usage: siphon-child <config>');
const startedAt = performance.now();
const cpu = process.cpuUsage();
const exitCode = await main(['node', 'siphon', 'run', '--config', config, '--once']);
reportSelf(-1, startedAt, cpu, exitCode);
