/**
 * jq as Argo CD runs `ignoreDifferences.jqPathExpressions`: each expression EXPR becomes the
 * program `del(EXPR)`, run on the whole object as JSON, with a time limit; one output object is the
 * normalized object (argo-cd util/argo/normalizers/diff_normalizer.go `jqNormalizerPatch`, gojq,
 * default limit 1 s: `controller.ignore.normalizer.jq.timeout`). The engine is real jq (jq-wasm,
 * jq compiled to WebAssembly), in a worker thread that the caller waits for synchronously, so the
 * comparison stays synchronous and a filter that never ends is stopped at its limit.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Json, JsonObject } from './json.ts';
import { isObject } from './json.ts';

/** Argo CD's default `controller.ignore.normalizer.jq.timeout`. */
const DEFAULT_JQ_TIMEOUT_MS = 1000;
/** Starting the worker and loading jq's WebAssembly module is not part of any expression's limit. */
const STARTUP_LIMIT_MS = 60_000;

export class JqError extends Error {
  override readonly name = 'JqError';
  /** The expression cannot run on any object (jq's compile error), rather than failing on this one. */
  readonly compile: boolean;
  constructor(message: string, compile = false) {
    super(message);
    this.compile = compile;
  }
}

interface Engine {
  worker: Worker;
  port: MessagePort;
  flag: Int32Array;
}

let engine: Engine | undefined;

interface Reply {
  ready?: boolean;
  output?: string;
  error?: string;
}

/** Waits, blocking, for the worker's next reply; undefined when none came within `limitMs`. */
function waitReply(current: Engine, limitMs: number): Reply | undefined {
  if (Atomics.wait(current.flag, 0, 0, limitMs) === 'timed-out') return undefined;
  Atomics.store(current.flag, 0, 0);
  return receiveMessageOnPort(current.port)?.message as Reply | undefined;
}

function stop(current: Engine): void {
  if (engine === current) engine = undefined;
  current.port.close();
  void current.worker.terminate();
}

function start(): Engine {
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL('./jq-worker.ts', import.meta.url), { workerData: { port: port2, flag }, transferList: [port2] });
  // Neither the thread nor its port keeps the process alive once the comparison is done.
  worker.unref();
  port1.unref();
  const started: Engine = { worker, port: port1, flag };
  const reply = waitReply(started, STARTUP_LIMIT_MS);
  if (!reply?.ready) {
    stop(started);
    throw new JqError(`jq could not start: ${reply?.error ?? `no answer within ${STARTUP_LIMIT_MS / 1000} s`}`);
  }
  return started;
}

/** Runs a jq program on `input`: its outputs, parsed. Throws JqError on a jq error or when `limitMs` passes. */
export function runJq(program: string, input: Json, limitMs: number = DEFAULT_JQ_TIMEOUT_MS): Json[] {
  engine ??= start();
  const current = engine;
  current.port.postMessage({ input: JSON.stringify(input), filter: program });
  const reply = waitReply(current, limitMs);
  if (!reply) {
    stop(current);
    throw new JqError(`timed out after ${limitMs} ms`);
  }
  if (reply.error !== undefined) {
    const lines = reply.error.split('\n').filter((line) => line.trim() !== '' && !/^jq: \d+ compile errors?$/.test(line.trim()));
    throw new JqError(
      lines
        .join(' ')
        .replace(/^Failed to execute raw query: /, '')
        .replace(/\s+/g, ' ')
        .trim(),
      /compile error/.test(reply.error),
    );
  }
  return (reply.output ?? '')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Json);
}

/**
 * The object with what `expression` selects deleted, as Argo CD computes it: `del(EXPR)` must give
 * exactly one object. Throws JqError otherwise, on a jq error, or after `limitMs`.
 */
export function deleteSelected(expression: string, object: JsonObject, limitMs: number = DEFAULT_JQ_TIMEOUT_MS): JsonObject {
  const outputs = runJq(`del(${expression})`, object, limitMs);
  if (outputs.length !== 1) throw new JqError(outputs.length === 0 ? 'returned no data' : 'returned multiple objects');
  const [result] = outputs;
  if (!isObject(result)) throw new JqError('did not return an object');
  return result;
}
