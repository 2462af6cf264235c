/**
 * Ways to turn a counting 64-bit id into a decimal string, each followed by a
 * comparison with the previous string (so every string is really used):
 * `node --import tsx bench/snowflake/id-string.bench.ts`
 *
 * This is the measurement behind DecimalCounter's choice of
 * String.fromCharCode with explicit arguments. The comparison matters: a
 * string of 13+ characters built with `+` is a rope that V8 only flattens
 * (copies) on first use, so timing the concatenation alone flatters it.
 */
const STEPS = 4096;

function measure(name: string, step: () => void): number {
  for (let i = 0; i < 50; i++) step();
  const start = performance.now();
  let ids = 0;
  while (performance.now() - start < 1000) {
    step();
    ids += STEPS;
  }
  const rate = ids / ((performance.now() - start) / 1000);
  process.stdout.write(`  ${name.padEnd(36)} ${(rate / 1e6).toFixed(1)}M ids/s\n`);
  return rate;
}

let prev = '';
let violations = 0;
const use = (id: string) => {
  if (id.length < prev.length || (id.length === prev.length && id <= prev)) violations++;
  prev = id;
};

const START = '192617945138995199';

/** Digit codes of START, incremented in place. */
function digitCodes(): number[] {
  return Array.from(START, (c) => c.charCodeAt(0));
}
function increment(d: number[]): void {
  let k = d.length - 1;
  while (++d[k]! > 57) {
    d[k] = 48;
    k--;
  }
}

/** Each case builds a step that makes STEPS consecutive ids from START and uses them. */
const cases: [name: string, makeStep: () => () => void][] = [
  [
    'prefix + low (rope)',
    () => {
      const prefix = START.slice(0, 9);
      let low = Number(START.slice(9));
      return () => {
        for (let i = 0; i < STEPS; i++) use(prefix + low++);
      };
    },
  ],
  [
    'String(bigint)',
    () => {
      let value = BigInt(START);
      return () => {
        for (let i = 0; i < STEPS; i++) use(String(value++));
      };
    },
  ],
  [
    'fromCharCode.apply(digits)',
    () => {
      const d = digitCodes();
      return () => {
        for (let i = 0; i < STEPS; i++) {
          use(String.fromCharCode.apply(null, d));
          increment(d);
        }
      };
    },
  ],
  [
    'fromCharCode(d[0], ..., d[17])',
    () => {
      const d = digitCodes();
      return () => {
        for (let i = 0; i < STEPS; i++) {
          use(String.fromCharCode(d[0]!, d[1]!, d[2]!, d[3]!, d[4]!, d[5]!, d[6]!, d[7]!, d[8]!, d[9]!, d[10]!, d[11]!, d[12]!, d[13]!, d[14]!, d[15]!, d[16]!, d[17]!));
          increment(d);
        }
      };
    },
  ],
];

process.stdout.write(`id string building, node ${process.version}:\n`);
const summary = cases
  .map(([name, makeStep]) => {
    prev = '';
    return `${name} ${(measure(name, makeStep()) / 1e6).toFixed(1)}M/s`;
  })
  .join(', ');
process.stdout.write(`RESULT id strings: ${summary}; order violations ${violations}\n`);
process.exitCode = violations === 0 ? 0 : 1;
