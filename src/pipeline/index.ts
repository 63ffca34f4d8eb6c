/**
 * `aio-ts/pipeline`: stage-by-stage pipelines on aio's tasks, queues and task groups.
 * `pipeline(source).map(fn, { concurrency, ordered }).filter(pred).flatMap(fn).batch(n).throttle(perSecond)`,
 * consumed with `for await`, `forAwait`, `collect()` or `forEach()`: bounded queues between
 * stages (backpressure), every stage in one task group (the first error cancels them all),
 * and stopping the consumer stops everything.
 *
 * @example
 * import { run } from 'aio-ts';
 * import { pipeline } from 'aio-ts/pipeline';
 *
 * const squares = await run(() => pipeline([1, 2, 3]).map(async (n) => n * n, { concurrency: 2, ordered: true }).collect());
 * console.log(squares); // [ 1, 4, 9 ]
 */
export {
  pipeline,
  Pipeline,
  type PipelineOptions,
  type MapOptions,
  type BatchOptions,
  type ThrottleOptions,
  type StageResult,
  type FlatItem,
} from './pipeline.js';
export { PipelineError } from './errors.js';
