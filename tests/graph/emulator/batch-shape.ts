/**
 * The `dependsOn` shapes Graph runs (https://learn.microsoft.com/en-us/graph/known-issues#json-batching,
 * "simplified dependencies"): fully parallel, fully sequential (each request depends on the one
 * before it), or every request but one depending on that one. A request
 * depends on at most one other, and only on one in the same batch.
 */

export type BatchShape = 'parallel' | 'sequential' | 'same';

export interface ShapedRequest {
  readonly id: string;
  readonly dependsOn: readonly string[];
}

/** The shape of a batch, or the reason Graph refuses it. */
export function batchShapeOf(
  requests: readonly ShapedRequest[],
): { ok: true; shape: BatchShape } | { ok: false; reason: string } {
  const ids = new Set(requests.map((r) => r.id));
  if (ids.size !== requests.length) return { ok: false, reason: 'request ids must be unique' };
  const dependent = requests.filter((r) => r.dependsOn.length > 0);
  if (dependent.length === 0) return { ok: true, shape: 'parallel' };
  if (dependent.some((r) => r.dependsOn.length > 1))
    return { ok: false, reason: 'a request may depend on one other request only' };
  if (dependent.some((r) => !ids.has(r.dependsOn[0] ?? '')))
    return { ok: false, reason: 'dependsOn names a request that is not in the batch' };
  const sequential = requests.every((r, i) =>
    i === 0 ? r.dependsOn.length === 0 : r.dependsOn[0] === requests[i - 1]?.id,
  );
  if (sequential) return { ok: true, shape: 'sequential' };
  const target = dependent[0]?.dependsOn[0];
  const root = requests.find((r) => r.id === target);
  // Stricter than "every request that states a dependency states the same one": every other
  // request depends on the root.
  if (
    root &&
    root.dependsOn.length === 0 &&
    requests.every((r) => r === root || r.dependsOn[0] === target)
  )
    return { ok: true, shape: 'same' };
  return { ok: false, reason: 'Batch should be either fully sequential or fully parallel' };
}

/** How many requests run one after another: what a batch costs in latency. */
export function sequentialDepth(shape: BatchShape, size: number): number {
  if (size === 0) return 1;
  if (shape === 'parallel') return 1;
  if (shape === 'same') return 2;
  return size;
}
