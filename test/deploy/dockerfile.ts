// A Dockerfile read into its stages and instructions: enough for the deployment test to compare
// what the image runs, exposes and checks with what the code serves. Not a full parser: no
// heredocs, no escape directive, no variable expansion (the project's Dockerfile uses none).

export interface Instruction {
  /** Upper case: FROM, RUN, COPY, ... */
  keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  args: string;
  /** The exec form (`["node", "x"]`), when the arguments are one. */
  exec?: string[];
  line: number;
}

export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of instructionsOf(text)) {
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args.split(/\s+/);
      if (!image) throw new Error(`line ${instruction.line}: FROM names no image`);
      stages.push({ image, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`line ${instruction.line}: ${instruction.keyword} before any FROM`);
    stage.instructions.push(instruction);
  }
  return stages;
}

function instructionsOf(text: string): Instruction[] {
  const result: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    // Comments (and parser directives) are whole lines; inside a continuation they are skipped too.
    if (/^\s*#/.test(line) || (pending === undefined && line.trim() === '')) return;
    const continued = line.endsWith('\\');
    const part = continued ? line.slice(0, -1) : line;
    pending = pending ? { text: `${pending.text} ${part.trim()}`, line: pending.line } : { text: part.trim(), line: index + 1 };
    if (continued) return;
    result.push(toInstruction(pending.text, pending.line));
    pending = undefined;
  });
  if (pending) result.push(toInstruction(pending.text, pending.line));
  return result;
}

function toInstruction(text: string, line: number): Instruction {
  const match = /^(\S+)\s*(.*)$/.exec(text);
  if (!match) throw new Error(`line ${line}: cannot read "${text}"`);
  const args = match[2]!.trim();
  return { keyword: match[1]!.toUpperCase(), args, line, ...execForm(args) };
}

function execForm(args: string): { exec?: string[] } {
  if (!args.startsWith('[')) return {};
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) return {};
  return { exec: parsed };
}

/** A stage's instructions with this keyword. */
export function instructions(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

export interface Copy {
  from?: string;
  sources: string[];
  destination: string;
}

/** COPY's flags (`--from=build`, `--chown=...`), sources and destination (shell form only). */
export function parseCopy(instruction: Instruction): Copy {
  const words = instruction.args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const destination = paths.pop();
  if (destination === undefined || paths.length === 0) throw new Error(`line ${instruction.line}: COPY needs a source and a destination`);
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { ...(from !== undefined ? { from } : {}), sources: paths, destination };
}

/** HEALTHCHECK's command (exec form), without its options. */
export function healthcheckCommand(instruction: Instruction): string[] {
  const match = /^(?:--\S+\s+)*CMD\s+(\[.*\])$/.exec(instruction.args);
  if (!match) throw new Error(`line ${instruction.line}: HEALTHCHECK is not "[--options] CMD [exec form]"`);
  const parsed: unknown = JSON.parse(match[1]!);
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) throw new Error(`line ${instruction.line}: HEALTHCHECK CMD is not a list of strings`);
  return parsed;
}
