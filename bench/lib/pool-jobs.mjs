// The jobs of the pool-throughput and pool-transfer workloads, as a module file: what piscina
// and tinypool run (they take a file), and what aio's module-task rows import. Plain
// JavaScript, so no worker needs a loader.
export function inc(x) {
  return x + 1;
}

export function size(buffer) {
  return buffer.byteLength;
}
