/**
 * `npm run demo`: runs every example, in real time, and prints
 * what each prints with how long it took. Concurrent sleeps overlap: three one-second
 * greetings take one second, not three.
 */
import { run } from '../src/index.ts';
import { examples } from './index.ts';

const style = process.argv.includes('--async') ? 'async' : 'generator';
console.log(`aio demo: the examples (${style} style; pass --async for the async-function style)\n`);
const started = performance.now();
for (const example of examples) {
  console.log(`== ${example.title}`);
  const t0 = performance.now();
  await run(style === 'async' ? example.mainAsync : example.main);
  const took = (performance.now() - t0) / 1000;
  console.log(`-- took ${took.toFixed(2)} s (the longest sleep: ${(example.duration / 1000).toFixed(0)} s)\n`);
}
console.log(`all examples: ${((performance.now() - started) / 1000).toFixed(2)} s`);
