// How far V8 lets the demo's heap grow past its live size before the next full GC.
//
// Why: the demo runs the management API, ten backing APIs, the farm, every emulated
// controller and the engine in one process. Much of what they allocate lives just long
// enough to reach the old generation before it dies (watch events, informer copies of
// objects that are then replaced, request and response bodies of slow calls). V8 sets the
// next full-GC limit at up to 4x the live heap when its GC is fast next to the program, so
// the heap filled with that garbage: 288 MiB of heap for 117 MiB live at 65 ready clusters
// (bench/_memprobe at 200 clusters, issue 15), and peak RSS, the demo's memory target,
// counts those pages. A growing factor of 1.2 (V8's --heap-growing-percent) runs a full GC
// sooner and keeps the heap near its live size, at the price of more GC work.
//
// The flag is read by V8 each time it sets a new limit, so setting it at run time works;
// it applies to this process only, which in `scale-tui demo` is the demo itself.
import v8 from 'node:v8';

/** V8 grows the old generation by at most this percentage of the live heap between full GCs. */
export const DEMO_HEAP_GROWING_PERCENT = 20;

/** Caps V8's heap growth for the rest of this process's life (see the file comment). */
export function limitHeapGrowth(percent: number = DEMO_HEAP_GROWING_PERCENT): void {
  if (!Number.isInteger(percent) || percent <= 0)
    throw new RangeError(`heap growing percent must be a positive integer, got ${percent}`);
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
