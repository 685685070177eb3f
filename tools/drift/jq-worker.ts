/**
 * The jq worker of tools/drift/jq.ts: runs jq (jq-wasm, jq compiled to WebAssembly) on requests
 * from its port and wakes the waiting caller through a shared flag. Runs in a worker thread, so
 * that a filter that never ends can be stopped by terminating the thread.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import jq from 'jq-wasm';

const { port, flag } = workerData as { port: MessagePort; flag: Int32Array };

function wake(): void {
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

port.on('message', (request: { input: string; filter: string }) => {
  jq.raw(request.input, request.filter, ['-c'])
    .then(
      (output) => port.postMessage({ output }),
      (error: unknown) => port.postMessage({ error: error instanceof Error ? error.message : String(error) }),
    )
    .finally(wake);
});
// The first run loads the WebAssembly module: done before the caller's first time limit starts.
jq.raw('{}', '.', ['-c'])
  .then(
    () => port.postMessage({ ready: true }),
    (error: unknown) => port.postMessage({ error: String(error) }),
  )
  .finally(wake);
