import { describe } from '../values.js';

/**
 * A stage of a pipeline failed: the first error of any stage cancels every stage and is
 * thrown to the consumer as a `PipelineError` carrying the item that caused it (`item`), the
 * stage (`stage`, e.g. `map #1` or the stage's `name`) and the original error (`cause`).
 * A failure of the source itself has `stage` `'source'` and no item.
 */
export class PipelineError extends Error {
  /** The item the failing stage was processing (`undefined` for a failing source). */
  readonly item: unknown;
  /** Which stage failed: its `name` option, or its kind and position (`map #1`, `source`). */
  readonly stage: string;

  /**
   * @param stage Which stage failed.
   * @param item The item it was processing.
   * @param cause The error the stage's function threw.
   */
  constructor(stage: string, item: unknown, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : describe(cause);
    super(
      stage === 'source'
        ? `the pipeline's source failed: ${reason}`
        : `pipeline stage ${stage} failed on item ${describe(item)}: ${reason}`,
      { cause },
    );
    this.name = 'PipelineError';
    this.stage = stage;
    this.item = item;
  }
}
